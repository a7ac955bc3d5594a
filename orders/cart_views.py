"""Cart pages: /keranjang/ (lines per Posyantek, change or remove, totals), and the plain
POST forms that add (from the product page), change and remove lines. They work without
JavaScript: success redirects back to the cart with a message; a refusal shows the cart again
with the service's message and its status (400 bad quantity, 404 not in the cart, 409 not
enough available).

`request_cart` is how every page and API view finds the caller's cart.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError, InvalidInput
from marketplace.models import Product
from marketplace.permissions import can_view_product
from orders.models import Cart
from orders.services.cart import (
    CART_SESSION_KEY,
    cart_get,
    cart_item_add,
    cart_item_get,
    cart_item_remove,
    cart_item_set,
    cart_lines,
)


def request_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """The caller's cart: the user's when logged in (session or token), else the session's.

    An anonymous cart is keyed by the session key it was made under, remembered in the session
    data, because login changes the session key but keeps the data (orders.receivers merges
    it then). With `create`, a session is started if there is none yet."""
    user = request.user
    if user.is_authenticated:
        return cart_get(user=user, create=create)
    session = request.session
    key = session.get(CART_SESSION_KEY)
    if not key:
        if not create:
            return None
        if session.session_key is None:
            session.save()  # a session key to own the cart
        key = session[CART_SESSION_KEY] = session.session_key
    return cart_get(session_key=key, create=create)


def _error_text(error: ApplicationError) -> str:
    for messages_ in error.fields.values():
        if messages_:
            return str(messages_[0])
    return str(error.message)


def _render_cart(request: HttpRequest, *, error: str = "", status: int = 200, product=None):
    view = cart_lines(request_cart(request))
    return render(
        request,
        "orders/cart.html",
        {"cart": view, "error": error, "product": product},
        status=status,
    )


@require_GET
def cart_view(request: HttpRequest) -> HttpResponse:
    """The cart, grouped by Posyantek, with each line's problem if it has one."""
    return _render_cart(request)


@require_POST
def cart_add_view(request: HttpRequest) -> HttpResponse:
    """The product page's "add to cart" form: product (slug) and quantity."""
    slug = request.POST.get("product", "")
    product = Product.objects.select_related("seller").filter(slug=slug[:220]).first()
    if product is None or not can_view_product(request.user, product):
        return _render_cart(request, error=_("There is no product with this slug."), status=400)
    try:
        quantity = _quantity(request)
        cart = request_cart(request, create=True)
        cart_item_add(cart=cart, product=product, quantity=quantity)
    except ApplicationError as error:
        return _render_cart(
            request, error=_error_text(error), status=error.status_code, product=product
        )
    messages.success(request, _("%(product)s is in your cart.") % {"product": product.name})
    return redirect("orders:cart")


def _quantity(request: HttpRequest) -> str:
    quantity = request.POST.get("quantity", "").strip()
    if not quantity:
        raise InvalidInput(fields={"quantity": [_("Give the quantity.")]})
    return quantity  # quantity_check turns digits into a number and refuses anything else


@require_POST
def cart_item_update_view(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change a line's quantity."""
    try:
        item = cart_item_get(cart=request_cart(request), item_id=item_id)
        cart_item_set(cart=item.cart, product=item.product, quantity=_quantity(request))
    except ApplicationError as error:
        return _render_cart(request, error=_error_text(error), status=error.status_code)
    messages.success(request, _("The quantity is changed."))
    return redirect("orders:cart")


@require_POST
def cart_item_remove_view(request: HttpRequest, item_id: int) -> HttpResponse:
    """Remove a line."""
    try:
        item = cart_item_get(cart=request_cart(request), item_id=item_id)
        cart_item_remove(cart=item.cart, item_id=item.pk)
    except ApplicationError as error:
        return _render_cart(request, error=_error_text(error), status=error.status_code)
    messages.success(
        request, _("%(product)s is removed from your cart.") % {"product": item.product.name}
    )
    return redirect("orders:cart")
