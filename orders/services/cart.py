"""The cart: what a buyer (a signed-in user, or an anonymous visitor by session key) means to
buy, one line per product.

A cart line is not a reservation: stock and capacity are taken only at checkout. The cart
refuses what could not be bought now (a product that is not public, a quantity off the
minimum/step, more than is available) and `cart_lines` says, line by line, what has become a
problem since (a product taken off sale, stock sold to someone else).

Anonymous carts are keyed by the session key they were made under. Django's login keeps the
session data but changes the key (cycle_key), so the pages also remember that key in the
session data (`CART_SESSION_KEY`) and orders.receivers merges that cart at login.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from marketplace.capacity import CapacityExceeded, booking_month, monthly_capacity
from marketplace.models import CapacityBooking, Product, ProductImage
from marketplace.services import OutOfStock
from orders.models import Cart, CartItem

MAX_QUANTITY = 1_000_000
# The session data key holding the session key the anonymous cart was made under.
CART_SESSION_KEY = "orders_cart_session_key"

Availability = Product.Availability


# --- Checks -----------------------------------------------------------------------------------


def _unit(product: Product) -> str:
    return product.selling_unit or _("units")


def quantity_check(*, product: Product, quantity: Any) -> int:
    """The quantity as a whole number of selling units if it is at least the product's
    minimum order, on its order step (minimum + k × step) and at most 1,000,000; InvalidInput
    with fields={"quantity": [...]} otherwise. Says nothing about stock (see
    `quantity_available`)."""
    if isinstance(quantity, str) and re.fullmatch(r"\s*\d{1,9}\s*", quantity):
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(fields={"quantity": [_("Give a whole number of at least 1.")]})
    if quantity > MAX_QUANTITY:
        raise InvalidInput(
            fields={"quantity": [_("Give at most %(max)s.") % {"max": f"{MAX_QUANTITY:,}"}]}
        )
    minimum, step = product.minimum_order, product.order_step
    if quantity < minimum:
        raise InvalidInput(
            fields={
                "quantity": [
                    _("The minimum order of %(product)s is %(minimum)s %(unit)s.")
                    % {"product": product.name, "minimum": minimum, "unit": _unit(product)}
                ]
            }
        )
    if (quantity - minimum) % step:
        lower = quantity - (quantity - minimum) % step
        raise InvalidInput(
            fields={
                "quantity": [
                    _(
                        "%(product)s is sold from %(minimum)s %(unit)s in steps of %(step)s: "
                        "order %(lower)s or %(higher)s."
                    )
                    % {
                        "product": product.name,
                        "minimum": minimum,
                        "step": step,
                        "unit": _unit(product),
                        "lower": lower,
                        "higher": lower + step,
                    }
                ]
            }
        )
    return quantity


def product_check_buyable(*, product: Product) -> None:
    """InvalidInput (fields={"product": [...]}, code "product_not_for_sale") unless the
    product is public: published, by a verified seller."""
    if product.status != Product.Status.PUBLISHED or not product.seller.is_verified:
        raise InvalidInput(
            _("%(product)s is not for sale now.") % {"product": product.name},
            code="product_not_for_sale",
            fields={"product": [_("%(product)s is not for sale now.") % {"product": product.name}]},
        )


def quantity_available(
    product: Product, *, booked: int | None = None, lead_time_days: int | None = None
) -> int:
    """Selling units one could buy now: the stock, or for made-to-order and recurring output
    the free capacity of the month an order placed now would book (now + lead time — the
    longest lead time of the seller's lines in the same order when `lead_time_days` is given,
    as checkout books it). `booked` (that month's bookings) may be passed to save the query."""
    if product.availability == Availability.STOCK:
        return product.stock
    if lead_time_days is None:
        lead_time_days = product.lead_time_days
    month = booking_month(at=timezone.now(), lead_time_days=lead_time_days)
    capacity = monthly_capacity(product, month) or 0
    if booked is None:
        booked = (
            CapacityBooking.objects.filter(product=product, month=month, cancelled=False).aggregate(
                total=Sum("quantity")
            )["total"]
            or 0
        )
    return max(capacity - booked, 0)


def _not_available_message(product: Product, available: int) -> str:
    if available <= 0:
        return _("%(product)s is not available now.") % {"product": product.name}
    if product.availability == Availability.STOCK:
        return _("Only %(available)s %(unit)s of %(product)s are in stock.") % {
            "available": available,
            "unit": _unit(product),
            "product": product.name,
        }
    return _(
        "Only %(available)s %(unit)s of %(product)s can still be made for delivery on time."
    ) % {
        "available": available,
        "unit": _unit(product),
        "product": product.name,
    }


def _check_available(product: Product, quantity: int) -> None:
    available = quantity_available(product)
    if quantity > available:
        error = OutOfStock if product.availability == Availability.STOCK else CapacityExceeded
        raise error(_not_available_message(product, available))


def _check_line(product: Product, quantity: Any) -> int:
    product_check_buyable(product=product)
    quantity = quantity_check(product=product, quantity=quantity)
    _check_available(product, quantity)
    return quantity


# --- Writes -----------------------------------------------------------------------------------


def cart_get(*, user=None, session_key: str | None = None, create: bool = False) -> Cart | None:
    """The signed-in user's cart, else the anonymous cart of the session key; None when there
    is none (and `create` is false) or nobody to own one."""
    if user is not None and user.is_authenticated:
        if create:
            return _get_or_create(user=user)
        return Cart.objects.filter(user=user).first()
    if not session_key:
        return None
    if create:
        return _get_or_create(session_key=session_key)
    return Cart.objects.filter(session_key=session_key, user__isnull=True).first()


def _get_or_create(**owner) -> Cart:
    try:
        with transaction.atomic():
            return Cart.objects.get_or_create(**owner)[0]
    except IntegrityError:  # created by a parallel request of the same owner
        return Cart.objects.get(**owner)


@transaction.atomic
def cart_item_set(*, cart: Cart, product: Product, quantity: int) -> CartItem:
    """Set the product's line to `quantity` (adding the line if needed). Refuses a product not
    for sale (400), a quantity off the minimum/step (400) and more than is available now
    (409 out_of_stock / capacity_exceeded); nothing changes then."""
    quantity = _check_line(product, quantity)
    item, _created = CartItem.objects.update_or_create(
        cart=cart, product=product, defaults={"quantity": quantity}
    )
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def cart_item_add(*, cart: Cart, product: Product, quantity: int) -> CartItem:
    """Add `quantity` to the product's line (the total must be a valid, available quantity,
    see cart_item_set)."""
    product_check_buyable(product=product)
    quantity = quantity_check(product=product, quantity=quantity)
    held = (
        CartItem.objects.select_for_update()
        .filter(cart=cart, product=product)
        .values_list("quantity", flat=True)
        .first()
    )
    total = quantity + (held or 0)
    if held:
        # The total of two valid quantities may leave the step (e.g. 5 + 5 with minimum 5,
        # step 2): say so about the total.
        total = quantity_check(product=product, quantity=total)
    return cart_item_set(cart=cart, product=product, quantity=total)


def cart_item_get(*, cart: Cart | None, item_id: int) -> CartItem:
    """One line of this cart, with its product and seller; NotFound when it is not in it
    (or there is no cart)."""
    item = (
        CartItem.objects.select_related("product__seller").filter(cart=cart, pk=item_id).first()
        if cart is not None
        else None
    )
    if item is None:
        raise NotFound(_("This item is not in your cart."))
    return item


@transaction.atomic
def cart_item_remove(*, cart: Cart, item_id: int) -> None:
    """Remove one line; NotFound when it is not in this cart."""
    deleted, _detail = CartItem.objects.filter(cart=cart, pk=item_id).delete()
    if not deleted:
        raise NotFound(_("This item is not in your cart."))


@transaction.atomic
def cart_clear(*, cart: Cart, product_ids: list[int] | None = None) -> None:
    """Empty the cart, or remove only the lines of these products (after a checkout)."""
    items = CartItem.objects.filter(cart=cart)
    if product_ids is not None:
        items = items.filter(product_id__in=product_ids)
    items.delete()


@transaction.atomic
def cart_merge(*, session_key: str, user) -> Cart | None:
    """Move the anonymous cart of `session_key` into the user's cart, then delete it.

    A product in both carts gets the sum of both quantities, capped sensibly: when the sum is
    more than is available now or than MAX_QUANTITY, the largest valid quantity (minimum +
    k × step) within that, but never less than what either cart held (the cart then shows the
    problem instead of silently dropping what the buyer chose). Returns the user's cart, or
    None when there was nothing to merge and the user has no cart.
    """
    if not session_key or not (user and user.is_authenticated):
        return None
    anonymous = (
        Cart.objects.select_for_update().filter(session_key=session_key, user__isnull=True).first()
    )
    if anonymous is None:
        return Cart.objects.filter(user=user).first()
    cart = _get_or_create(user=user)
    held = {item.product_id: item for item in CartItem.objects.filter(cart=cart)}
    for item in anonymous.items.select_related("product__seller").order_by("product_id"):
        mine = held.get(item.product_id)
        if mine is None:
            item.cart = cart
            item.save(update_fields=["cart", "updated_at"])
            continue
        mine.quantity = _merged_quantity(item.product, mine.quantity, item.quantity)
        mine.save(update_fields=["quantity", "updated_at"])
    anonymous.delete()
    return cart


def _merged_quantity(product: Product, first: int, second: int) -> int:
    total = first + second
    limit = min(quantity_available(product), MAX_QUANTITY)
    if total > limit:
        minimum, step = product.minimum_order, product.order_step
        on_step = limit - (limit - minimum) % step if limit >= minimum else 0
        total = on_step
    return max(total, first, second)


# --- Reading the cart -------------------------------------------------------------------------


@dataclass
class Line:
    item: CartItem
    product: Product
    quantity: int
    line_amount: int
    problem: str = ""

    @property
    def thumbnail_url(self) -> str:
        images = getattr(self.product, "cart_images", None) or []
        return images[0].thumbnail.url if images and images[0].thumbnail else ""


@dataclass
class SellerGroup:
    seller: Any
    items: list[Line] = field(default_factory=list)
    goods_amount: int = 0


@dataclass
class CartView:
    cart: Cart | None
    groups: list[SellerGroup] = field(default_factory=list)
    goods_amount: int = 0

    @property
    def lines(self) -> list[Line]:
        return [line for group in self.groups for line in group.items]

    @property
    def item_count(self) -> int:
        return sum(len(group.items) for group in self.groups)

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)


def cart_items(cart: Cart):
    """The cart's lines with product, seller and the first photo, in a fixed number of
    queries."""
    first_image = ProductImage.objects.only("id", "product_id", "thumbnail").order_by(
        "position", "id"
    )[:1]
    return (
        CartItem.objects.filter(cart=cart)
        .select_related("product__seller")
        .prefetch_related(Prefetch("product__images", queryset=first_image, to_attr="cart_images"))
        .order_by("created_at", "id")
    )


def order_lead_times(products: Iterable[Product]) -> dict[int, int]:
    """seller id → the longest lead time of these products of that seller: what an order of
    them from that seller promises (checkout books every line in that month)."""
    lead_times: dict[int, int] = {}
    for product in products:
        lead_times[product.seller_id] = max(
            lead_times.get(product.seller_id, 0), product.lead_time_days
        )
    return lead_times


def _booked_by_product(products: Iterable[Product]) -> dict[int, int]:
    """Each capacity product's bookings in the month an order of these products placed now
    would book, in one query."""
    products = list(products)
    now = timezone.now()
    lead_times = order_lead_times(products)
    months = {
        product.pk: booking_month(at=now, lead_time_days=lead_times[product.seller_id])
        for product in products
        if product.availability != Availability.STOCK
    }
    if not months:
        return {}
    rows = (
        CapacityBooking.objects.filter(
            product_id__in=months, month__in=set(months.values()), cancelled=False
        )
        .values("product_id", "month")
        .annotate(total=Sum("quantity"))
    )
    return {
        row["product_id"]: row["total"] for row in rows if months[row["product_id"]] == row["month"]
    }


def line_problem(
    product: Product,
    quantity: int,
    *,
    booked: int | None = None,
    lead_time_days: int | None = None,
) -> str:
    """Why this line could not be bought now, for people; "" when it can. `lead_time_days`:
    the order's (see quantity_available)."""
    try:
        product_check_buyable(product=product)
        quantity_check(product=product, quantity=quantity)
    except InvalidInput as error:
        messages = error.fields.get("quantity") or [error.message]
        return str(messages[0])
    available = quantity_available(product, booked=booked, lead_time_days=lead_time_days)
    if quantity > available:
        return _not_available_message(product, available)
    return ""


def cart_lines(cart: Cart | None) -> CartView:
    """The cart grouped by seller (in the order their first line was added), with each line's
    amount and problem, and the goods totals (every line counts; checkout refuses lines with a
    problem). Queries do not grow with the number of lines."""
    if cart is None:
        return CartView(cart=None)
    items = list(cart_items(cart))
    booked = _booked_by_product(item.product for item in items)
    lead_times = order_lead_times(item.product for item in items)
    view = CartView(cart=cart)
    groups: dict[int, SellerGroup] = {}
    for item in items:
        product = item.product
        line = Line(
            item=item,
            product=product,
            quantity=item.quantity,
            line_amount=product.price_amount * item.quantity,
            problem=line_problem(
                product,
                item.quantity,
                booked=booked.get(product.pk, 0),
                lead_time_days=lead_times[product.seller_id],
            ),
        )
        group = groups.get(product.seller_id)
        if group is None:
            group = groups[product.seller_id] = SellerGroup(seller=product.seller)
            view.groups.append(group)
        group.items.append(line)
        group.goods_amount += line.line_amount
        view.goods_amount += line.line_amount
    return view


def cart_item_count(*, user=None, session_key: str | None = None) -> int:
    """How many lines the caller's cart has (one query; 0 without a cart)."""
    if user is not None and user.is_authenticated:
        return CartItem.objects.filter(cart__user=user).count()
    if not session_key:
        return 0
    return CartItem.objects.filter(cart__session_key=session_key, cart__user__isnull=True).count()


def carts_delete_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Delete anonymous carts nobody has touched (the cart or any of its lines) for
    SESSION_COOKIE_AGE: their visitor's session cookie has expired, so no one can reach them
    again. Signed-in users' carts are never deleted. Idempotent; returns how many carts went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    recent_line = CartItem.objects.filter(cart=OuterRef("pk"), updated_at__gte=cutoff)
    _total, by_model = (
        Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff)
        .exclude(Exists(recent_line))
        .delete()
    )
    return by_model.get(Cart._meta.label, 0)
