from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MitraConfig(AppConfig):
    name = "mitra"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from mitra import receivers  # noqa: F401  (re-match needs when a product changes)
