from functools import cache

from django.http import HttpRequest

from orders.services.cart import CART_SESSION_KEY, cart_item_count


def cart(request: HttpRequest) -> dict:
    """`cart_item_count` for the header's cart link: lines in the caller's cart, counted once
    and only when a page shows it (no query for a visitor who never had a cart)."""

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated:
            return cart_item_count(user=user)
        if session is None or session.session_key is None:
            return 0
        return cart_item_count(session_key=session.get(CART_SESSION_KEY))

    return {"cart_item_count": count}
