from django.http import HttpRequest

from accounts.permissions import is_platform_staff


def access(request: HttpRequest) -> dict[str, bool]:
    """What the page header needs to know about the visitor (the views still check)."""
    return {"is_platform_staff": is_platform_staff(getattr(request, "user", None))}
