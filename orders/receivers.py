"""Merge an anonymous visitor's cart into the user's cart at a session login.

Django's `login()` keeps the session data but gives the session a new key (cycle_key) before
it sends `user_logged_in`, so the key the anonymous cart was made under is read from the
session data (orders.services.cart.CART_SESSION_KEY), where the cart pages put it.

Only session logins merge (the login page, or anything calling django.contrib.auth.login): the
API's token login (`auth/token/`) also sends `user_logged_in`, but it does not log the session
in, and merging there would let a cross-site form move a visitor's cart into someone else's
account. An API client keeps using its token's own cart.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from orders.services.cart import CART_SESSION_KEY, cart_merge


@receiver(user_logged_in, dispatch_uid="orders_merge_cart_at_login")
def merge_cart_at_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return  # not a session login (e.g. the API token)
    session_key = session.pop(CART_SESSION_KEY, None)
    if session_key:
        cart_merge(session_key=session_key, user=user)
