"""Checkout: a cart becomes one Order per Posyantek and one Payment covering them.

Guarantees (DESIGN.md, orders):
- All or nothing: the payment, the orders, their lines, the stock taken and the capacity
  booked are written in one transaction; any error (bad input, out of stock, capacity
  exceeded) leaves the database as it was.
- Never oversells: stock is taken with conditional UPDATEs (marketplace.services.stock_adjust)
  and capacity with the product row locked (marketplace.capacity.capacity_book), always in
  product-id order so two checkouts never deadlock. Reservations come before the order lines
  are inserted: a line's foreign key would share-lock the product row and deadlock against
  capacity_book's FOR UPDATE in another checkout.
- Prices, shipping, PPN and totals are frozen on the orders (core.money.order_totals).
- Idempotent: the same Idempotency-Key and body within CHECKOUT_IDEMPOTENCY_HOURS returns the
  first Payment and writes nothing; the same key with another body is a Conflict (409). The
  user's cart row is locked for the whole transaction, so a user's checkouts run one at a time.
"""

import datetime
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.permissions import is_member
from accounts.phone import normalize_phone
from core.errors import ApplicationError, Conflict, InvalidInput, PermissionDenied
from core.money import OrderTotals, order_totals
from marketplace.capacity import CapacityExceeded, booking_month, capacity_book
from marketplace.models import Product, StockMovement
from marketplace.services import OutOfStock, stock_adjust
from orders.models import (
    Cart,
    CartItem,
    CheckoutRequest,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentEvent,
    PaymentMethod,
    ShippingMethod,
)
from orders.payments import methods_available
from orders.permissions import can_buy_for
from orders.selectors import checkout_request_get
from orders.services.cart import line_problem, product_check_buyable, quantity_check
from orders.services.order_moves import order_event_record
from orders.services.payments import payment_attempt_start
from orders.services.shipping import shipping_fee, shipping_options, unit_weight_grams
from regions.models import Village

# No 0/O, 1/I/L: the code is typed into a bank transfer's description.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PAYMENT_CODE_LENGTH = 8
ORDER_SUFFIX_LENGTH = 6
MAX_IDEMPOTENCY_KEY_LENGTH = 255
# A random payment code or order number collides about once in 10^11 checkouts: retry then.
PLACE_ATTEMPTS = 3


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(length))


def payment_code_new() -> str:
    return _random_code(PAYMENT_CODE_LENGTH)


def order_number_new(*, at: datetime.datetime) -> str:
    """The order number: "MT-", the date (yymmdd, Asia/Jakarta), a random suffix, e.g.
    MT-261123-7KQ4ZP."""
    return f"MT-{timezone.localtime(at):%y%m%d}-{_random_code(ORDER_SUFFIX_LENGTH)}"


def body_hash(data: Mapping[str, Any]) -> str:
    """sha256 of a canonical JSON of the checkout body (keys sorted, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Validated input --------------------------------------------------------------------------


@dataclass
class Destination:
    village: Village

    @property
    def regency_code(self) -> str:
        return self.village.district.regency_id

    @property
    def province_code(self) -> str:
        return self.village.district.regency.province_id


@dataclass
class CheckoutInput:
    contact_name: str
    contact_phone: str
    contact_email: str
    address_line: str
    destination: Destination
    postal_code: str
    note: str
    payment_method: str
    shipping: dict[str, str]
    buyer_organization: Organization | None
    product_ids: list[int] | None


def _text(data: Mapping, name: str, *, max_length: int, required: bool, errors: dict) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [_("Give text.")]
        return ""
    value = value.strip()
    if "\x00" in value:
        errors[name] = [_("Remove the invalid characters.")]
    elif required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[name] = [_("Use at most %(max)s characters.") % {"max": max_length}]
    return value


def _village(code: Any, errors: dict) -> Village | None:
    if not isinstance(code, str) or not code.strip():
        errors["village"] = [_("Choose the village (kelurahan/desa) to deliver to.")]
        return None
    village = (
        Village.objects.select_related("district__regency__province")
        .filter(code=code.strip()[:13], is_retired=False)
        .first()
    )
    if village is None:
        errors["village"] = [_("This village does not exist. Choose it from the list.")]
    return village


def _buyer_organization(user: User, slug: Any, errors: dict) -> Organization | None:
    if slug in (None, ""):
        return None
    if not isinstance(slug, str):
        errors["buyer_organization"] = [_("Give the organisation's slug.")]
        return None
    organization = Organization.objects.filter(slug=slug.strip()[:100]).first()
    if organization is None:
        errors["buyer_organization"] = [_("This organisation does not exist.")]
        return None
    if not can_buy_for(user, organization):
        if is_member(user, organization):
            errors["buyer_organization"] = [
                _("%(name)s is not verified yet; it can buy once it is verified.")
                % {"name": organization.name}
            ]
            return None
        raise PermissionDenied(
            _("Only members of %(name)s can buy on its name.") % {"name": organization.name}
        )
    return organization


def _product_ids(value: Any, errors: dict) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        errors["product_ids"] = [_("Give a list of product ids.")]
        return None
    return value


def _shipping(value: Any, errors: dict) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(method, str) for key, method in value.items()
    ):
        errors["shipping"] = [_("Give a shipping method for each Posyantek, by its slug.")]
        return {}
    return dict(value)


def _payment_method(value: Any, errors: dict) -> str:
    """One of the methods offered now (orders.payments.methods_available); bank transfer
    when none is given."""
    available = methods_available()
    if value in (None, ""):
        value = PaymentMethod.BANK_TRANSFER
    if value in available:
        return str(value)
    if not available:
        errors["payment_method"] = [_("No payment method is available right now. Try later.")]
    elif value == PaymentMethod.CARD:
        errors["payment_method"] = [_("Card payment is not available yet. Use bank transfer.")]
    else:
        errors["payment_method"] = [
            _("Choose one of: %(methods)s.")
            % {"methods": ", ".join(str(PaymentMethod(m).label) for m in available)}
        ]
    return str(value) if isinstance(value, str) else ""


def checkout_input_clean(*, user: User, data: Mapping[str, Any]) -> CheckoutInput:
    """Every field checked at once: InvalidInput with a message per field at fault."""
    if not isinstance(data, Mapping):
        raise InvalidInput()
    errors: dict[str, list[str]] = {}
    contact_name = _text(data, "contact_name", max_length=150, required=True, errors=errors)
    phone = _text(data, "contact_phone", max_length=40, required=True, errors=errors)
    if phone and "contact_phone" not in errors:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            errors["contact_phone"] = list(error.messages)
    email = _text(data, "contact_email", max_length=254, required=True, errors=errors)
    if email and "contact_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    address_line = _text(data, "address_line", max_length=300, required=True, errors=errors)
    postal_code = _text(data, "postal_code", max_length=5, required=False, errors=errors)
    if len(postal_code) != 5 and "postal_code" not in errors and postal_code:
        errors["postal_code"] = [_("A postal code has 5 digits.")]
    if postal_code and not (postal_code.isascii() and postal_code.isdigit()):
        errors["postal_code"] = [_("A postal code has 5 digits.")]
    note = _text(data, "note", max_length=500, required=False, errors=errors)
    village = _village(data.get("village"), errors)
    payment_method = _payment_method(data.get("payment_method"), errors)
    shipping = _shipping(data.get("shipping"), errors)
    product_ids = _product_ids(data.get("product_ids"), errors)
    buyer_organization = _buyer_organization(user, data.get("buyer_organization"), errors)
    if errors:
        raise InvalidInput(fields=errors)
    return CheckoutInput(
        contact_name=contact_name,
        contact_phone=phone,
        contact_email=email.lower() if email else email,
        address_line=address_line,
        destination=Destination(village=village),
        postal_code=postal_code,
        note=note,
        payment_method=payment_method,
        shipping=shipping,
        buyer_organization=buyer_organization,
        product_ids=product_ids,
    )


# --- Plan: what the checkout will write -------------------------------------------------------


@dataclass
class PlannedLine:
    product: Product
    quantity: int
    unit_price_amount: int
    line_amount: int
    weight_grams: int


@dataclass
class PlannedOrder:
    seller: Organization
    lines: list[PlannedLine]
    shipping_method: str
    weight_grams: int
    totals: OrderTotals
    lead_time_days: int


def _cart_items(cart: Cart, product_ids: list[int] | None) -> list[CartItem]:
    items = cart.items.select_related("product__seller").order_by("product_id")
    if product_ids is not None:
        items = items.filter(product_id__in=product_ids)
    items = list(items)
    if product_ids is not None and set(product_ids) - {item.product_id for item in items}:
        raise InvalidInput(
            fields={"product_ids": [_("Some of these products are not in your cart.")]}
        )
    if not items:
        raise InvalidInput(_("Your cart is empty."), code="cart_empty")
    return items


def _named(product: Product, error: ApplicationError) -> ApplicationError:
    """The same error, its message naming the product."""
    return type(error)(
        f"{product.name}: {error.message}", code=error.code, fields=error.fields or None
    )


def _group_by_seller(items: list[CartItem]) -> dict[int, list[CartItem]]:
    groups: dict[int, list[CartItem]] = {}
    for item in items:
        groups.setdefault(item.product.seller_id, []).append(item)
    return dict(sorted(groups.items()))


def _planned_line(item: CartItem) -> PlannedLine:
    product = item.product
    try:
        product_check_buyable(product=product)
        quantity = quantity_check(product=product, quantity=item.quantity)
    except InvalidInput as error:
        # The cart's messages name the product already; the field is the cart line.
        messages = [str(m) for ms in error.fields.values() for m in ms] or [str(error.message)]
        raise InvalidInput(messages[0], code=error.code) from error
    return planned_line(product, quantity, product.price_amount)


def planned_line(product: Product, quantity: int, unit_price_amount: int) -> PlannedLine:
    return PlannedLine(
        product=product,
        quantity=quantity,
        unit_price_amount=unit_price_amount,
        line_amount=unit_price_amount * quantity,
        weight_grams=unit_weight_grams(product.weight_per_unit_kg),
    )


def _checkout_plan(*, items: list[CartItem], clean: CheckoutInput) -> list[PlannedOrder]:
    return [
        planned_order(
            seller=seller_items[0].product.seller,
            lines=[_planned_line(item) for item in seller_items],
            clean=clean,
        )
        for seller_items in _group_by_seller(items).values()
    ]


def planned_order(
    *, seller: Organization, lines: list[PlannedLine], clean: CheckoutInput
) -> PlannedOrder:
    """One seller's order: the shipping method chosen for it, its fee to the destination, and
    the frozen totals; InvalidInput on `shipping.<seller slug>` when the method is missing or
    not offered there."""
    weight = sum(line.weight_grams * line.quantity for line in lines)
    field_name = f"shipping.{seller.slug}"
    method = clean.shipping.get(seller.slug, "")
    if method not in ShippingMethod.values:
        raise InvalidInput(
            fields={
                field_name: [_("Choose how %(seller)s sends your order.") % {"seller": seller.name}]
            }
        )
    try:
        fee = shipping_fee(
            seller=seller,
            method=method,
            regency_code=clean.destination.regency_code,
            province_code=clean.destination.province_code,
            weight_grams=weight,
        )
    except InvalidInput as error:
        messages = [m for ms in error.fields.values() for m in ms] or [str(error.message)]
        raise InvalidInput(fields={field_name: messages}) from error
    goods = sum(line.line_amount for line in lines)
    return PlannedOrder(
        seller=seller,
        lines=lines,
        shipping_method=method,
        weight_grams=weight,
        totals=order_totals(goods_amount=goods, shipping_amount=fee, seller_is_pkp=seller.is_pkp),
        lead_time_days=max(line.product.lead_time_days for line in lines),
    )


# --- Idempotency ------------------------------------------------------------------------------


def _idempotency_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.CHECKOUT_IDEMPOTENCY_HOURS)


def _replay(*, user: User, key: str, digest: str) -> Payment | None:
    """The first Payment for this key and body; Conflict for another body; None when the key
    is new (or expired)."""
    previous = checkout_request_get(user=user, key=key)
    if previous is None:
        return None
    if previous.body_hash != digest:
        raise Conflict(
            _("This Idempotency-Key was already used for another checkout. Use a new key."),
            code="idempotency_key_reused",
        )
    return previous.payment


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput(
            fields={
                "idempotency_key": [
                    _("An Idempotency-Key has 1 to %(max)s characters.")
                    % {"max": MAX_IDEMPOTENCY_KEY_LENGTH}
                ]
            }
        )
    return key


# --- Place ------------------------------------------------------------------------------------


def _reserve(*, orders: list[tuple[Order, PlannedOrder]], actor: User, now) -> None:
    """Stock and capacity for every line, in product-id order (no deadlocks)."""
    reservations = sorted(
        ((line, order, planned) for order, planned in orders for line in planned.lines),
        key=lambda entry: entry[0].product.pk,
    )
    for line, order, planned in reservations:
        product = line.product
        try:
            if product.availability == Product.Availability.STOCK:
                stock_adjust(
                    product=product,
                    actor=actor,
                    delta=-line.quantity,
                    reason=StockMovement.Reason.SALE,
                    note=_("Order %(number)s") % {"number": order.number},
                )
            else:
                capacity_book(
                    product=product,
                    month=booking_month(at=now, lead_time_days=planned.lead_time_days),
                    quantity=line.quantity,
                    source_type="order",
                    source_id=str(order.pk),
                )
        except (OutOfStock, CapacityExceeded) as error:
            raise _named(product, error) from error


def payment_expiry(method: str) -> datetime.timedelta:
    """How long an unpaid prepaid payment waits (DESIGN.md: bank transfer 24 h, card 1 h)."""
    if method == PaymentMethod.CARD:
        return datetime.timedelta(minutes=settings.CARD_EXPIRY_MINUTES)
    return datetime.timedelta(hours=settings.BANK_TRANSFER_EXPIRY_HOURS)


def orders_write(
    *,
    payment: Payment,
    user: User,
    clean: CheckoutInput,
    plan: list[PlannedOrder],
    now: datetime.datetime,
    status: str,
    payment_terms: str,
    due_date: datetime.date | None = None,
) -> list[Order]:
    """Write the planned orders of one payment with their lines and first events, reserving
    stock and capacity (all or nothing: the caller's transaction rolls back on any error)."""
    destination = clean.destination.village
    today = timezone.localdate(now)
    orders: list[tuple[Order, PlannedOrder]] = []
    for planned in plan:
        totals = planned.totals
        order = Order.objects.create(
            number=order_number_new(at=now),
            payment=payment,
            buyer=user,
            buyer_organization=clean.buyer_organization,
            seller=planned.seller,
            status=status,
            payment_terms=payment_terms,
            contact_name=clean.contact_name,
            contact_phone=clean.contact_phone,
            contact_email=clean.contact_email,
            address_line=clean.address_line,
            village=destination,
            district=destination.district,
            regency=destination.district.regency,
            province=destination.district.regency.province,
            postal_code=clean.postal_code,
            note=clean.note,
            shipping_method=planned.shipping_method,
            shipping_weight_grams=planned.weight_grams,
            seller_is_pkp=planned.seller.is_pkp,
            goods_amount=totals.goods_amount,
            shipping_amount=totals.shipping_amount,
            dpp_amount=totals.dpp_amount,
            ppn_amount=totals.ppn_amount,
            total_amount=totals.total_amount,
            platform_fee_amount=totals.platform_fee_amount,
            promised_date=today + datetime.timedelta(days=planned.lead_time_days),
            expires_at=payment.expires_at,
            due_date=due_date,
        )
        orders.append((order, planned))

    _reserve(orders=orders, actor=user, now=now)

    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            product_name=line.product.name,
            selling_unit=line.product.selling_unit,
            availability=line.product.availability,
            unit_price_amount=line.unit_price_amount,
            quantity=line.quantity,
            line_amount=line.line_amount,
            weight_per_unit_grams=line.weight_grams,
        )
        for order, planned in orders
        for line in planned.lines
    )
    if status == Order.Status.PENDING_PAYMENT:
        # Nobody is told of an order awaiting payment (the checkout page says how to pay; the
        # seller hears of it once it is paid): no notification task for these events.
        OrderEvent.objects.bulk_create(
            OrderEvent(order=order, actor=user, from_status="", to_status=status)
            for order, _planned in orders
        )
    else:
        for order, _planned in orders:
            order_event_record(order=order, actor=user, from_status="", to_status=status)
    return [order for order, _planned in orders]


def _place(
    *, user: User, cart: Cart, data: Mapping[str, Any], key: str | None, digest: str
) -> Payment:
    with transaction.atomic():
        # One checkout per user at a time: a double click waits here, then replays.
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        if key is not None:
            replayed = _replay(user=user, key=key, digest=digest)
            if replayed is not None:
                return replayed
        clean = checkout_input_clean(user=user, data=data)
        items = _cart_items(cart, clean.product_ids)
        plan = _checkout_plan(items=items, clean=clean)

        now = timezone.now()
        payment = Payment.objects.create(
            code=payment_code_new(),
            buyer=user,
            method=clean.payment_method,
            status=Payment.Status.PENDING,
            amount_due_amount=sum(planned.totals.total_amount for planned in plan),
            expires_at=now + payment_expiry(clean.payment_method),
        )
        if key is not None:
            CheckoutRequest.objects.filter(
                user=user, key=key, created_at__lt=_idempotency_cutoff()
            ).delete()
            CheckoutRequest.objects.create(user=user, key=key, body_hash=digest, payment=payment)
        PaymentEvent.objects.create(
            payment=payment, actor=user, from_status="", to_status=Payment.Status.PENDING
        )
        orders_write(
            payment=payment,
            user=user,
            clean=clean,
            plan=plan,
            now=now,
            status=Order.Status.PENDING_PAYMENT,
            payment_terms=Order.PaymentTerms.PREPAID,
        )
        payment_attempt_start(payment=payment, method=clean.payment_method, actor=user)
        CartItem.objects.filter(cart=cart, pk__in=[item.pk for item in items]).delete()
        return payment


def checkout_place(
    *, user: User, cart: Cart, data: Mapping[str, Any], idempotency_key: str | None = None
) -> Payment:
    """Place the cart's orders (all items, or `data["product_ids"]`): one Order per seller and
    one pending Payment, all in one transaction. Never oversells; raises OutOfStock or
    CapacityExceeded (409, naming the product), InvalidInput (400, per field),
    PermissionDenied (403) for an organisation the user may not buy for, Conflict (409) for
    a reused Idempotency-Key with another body. The same key and body returns the first
    Payment and writes nothing."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to check out."))
    if cart.user_id != user.pk:
        raise PermissionDenied(_("This is not your cart."))
    key = _check_key(idempotency_key)
    digest = body_hash(data) if isinstance(data, Mapping) else ""
    if key is not None:
        replayed = _replay(user=user, key=key, digest=digest)
        if replayed is not None:
            return replayed
    for attempt in range(PLACE_ATTEMPTS):
        try:
            return _place(user=user, cart=cart, data=data, key=key, digest=digest)
        except IntegrityError:
            # The same key placed by a twin request that committed first: its result.
            if key is not None:
                replayed = _replay(user=user, key=key, digest=digest)
                if replayed is not None:
                    return replayed
            if attempt == PLACE_ATTEMPTS - 1:
                raise Conflict(
                    _("The checkout could not be completed. Try again."), code="retry"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


# --- Preview ----------------------------------------------------------------------------------


@dataclass
class PreviewLine:
    product: Product
    quantity: int
    unit_price_amount: int
    line_amount: int
    problem: str = ""


@dataclass
class PreviewGroup:
    seller: Organization
    lines: list[PreviewLine]
    shipping_options: list
    shipping_method: str
    weight_grams: int
    totals: OrderTotals
    problems: list[str] = field(default_factory=list)


@dataclass
class CheckoutPreview:
    groups: list[PreviewGroup]
    goods_amount: int
    shipping_amount: int
    ppn_amount: int
    total_amount: int
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems and all(
            not group.problems and not any(line.problem for line in group.lines)
            for group in self.groups
        )


def checkout_preview(*, user: User, cart: Cart | None, data: Mapping[str, Any]) -> CheckoutPreview:
    """What checkout would place, per seller: lines, shipping options to the chosen village,
    the chosen method's fee, totals and problems. Writes nothing; incomplete data gives
    problems, not errors."""
    data = data if isinstance(data, Mapping) else {}
    errors: dict[str, list[str]] = {}
    village = _village(data.get("village"), errors) if data.get("village") else None
    shipping = _shipping(data.get("shipping"), errors)
    product_ids = _product_ids(data.get("product_ids"), errors)
    problems = [m for messages in errors.values() for m in messages]

    items = []
    if cart is not None:
        queryset = cart.items.select_related("product__seller").order_by("product_id")
        if product_ids is not None:
            queryset = queryset.filter(product_id__in=product_ids)
        items = list(queryset)
    if not items:
        problems.append(_("Your cart is empty."))

    groups = []
    for lines_items in _group_by_seller(items).values():
        seller = lines_items[0].product.seller
        # Checkout books every line in the month of the order's promised date.
        lead_time_days = max(item.product.lead_time_days for item in lines_items)
        lines = [
            PreviewLine(
                product=item.product,
                quantity=item.quantity,
                unit_price_amount=item.product.price_amount,
                line_amount=item.product.price_amount * item.quantity,
                problem=line_problem(item.product, item.quantity, lead_time_days=lead_time_days),
            )
            for item in lines_items
        ]
        weight = sum(
            unit_weight_grams(line.product.weight_per_unit_kg) * line.quantity for line in lines
        )
        group_problems = []
        options = []
        method = shipping.get(seller.slug, "")
        fee = 0
        if village is None:
            group_problems.append(_("Choose the delivery village to see shipping options."))
        else:
            destination = Destination(village=village)
            options = shipping_options(
                seller=seller,
                regency_code=destination.regency_code,
                province_code=destination.province_code,
                weight_grams=weight,
            )
            chosen = next((option for option in options if option.method == method), None)
            if chosen is not None:
                fee = chosen.fee_amount
            elif not options:
                group_problems.append(
                    _("%(seller)s does not send to this address.") % {"seller": seller.name}
                )
            else:
                group_problems.append(
                    _("Choose how %(seller)s sends your order.") % {"seller": seller.name}
                )
                method = ""
        goods = sum(line.line_amount for line in lines)
        groups.append(
            PreviewGroup(
                seller=seller,
                lines=lines,
                shipping_options=options,
                shipping_method=method,
                weight_grams=weight,
                totals=order_totals(
                    goods_amount=goods, shipping_amount=fee, seller_is_pkp=seller.is_pkp
                ),
                problems=group_problems,
            )
        )
    return CheckoutPreview(
        groups=groups,
        goods_amount=sum(group.totals.goods_amount for group in groups),
        shipping_amount=sum(group.totals.shipping_amount for group in groups),
        ppn_amount=sum(group.totals.ppn_amount for group in groups),
        total_amount=sum(group.totals.total_amount for group in groups),
        problems=problems,
    )
