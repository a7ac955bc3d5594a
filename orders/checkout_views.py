"""The checkout page and the buyer's orders (DESIGN.md, Pages).

Views only shape input and output: the cart and shipping come from orders.services.cart and
orders.services.shipping, the checkout itself from orders.services.checkout.checkout_place,
orders from orders.selectors. Totals shown before the checkout use core.money's rules, the same
the service freezes on the orders.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.money import OrderTotals, order_totals
from orders import permissions
from orders.forms import CheckoutForm, SellerShipping, new_idempotency_key
from orders.models import Order, Payment
from orders.selectors import checkout_request_get, order_get, order_list
from orders.services.cart import cart_get, cart_lines
from orders.services.checkout import checkout_place
from orders.services.shipping import order_weight_grams, shipping_options
from regions.codes import Level, level_of

ORDERS_PER_PAGE = 20


# --- Checkout ---------------------------------------------------------------------------------


@dataclass
class SellerSummary:
    """One Posyantek's part of the checkout: its cart lines and, once a shipping method is
    chosen, the order's totals."""

    group: object  # orders.services.cart.SellerGroup
    shipping: SellerShipping
    bound: object  # the shipping choice's BoundField
    method: str = ""
    method_label: str = ""
    totals: OrderTotals | None = None
    field_name: str = field(init=False)

    def __post_init__(self):
        self.field_name = self.shipping.field_name


def _weight_grams(group) -> int:
    """The group's shipping weight, counted as the checkout counts it."""

    return order_weight_grams(group.items)


def _destination(code: str) -> tuple[str, str]:
    """(regency code, province code) of a region code chosen so far ("" when not yet)."""
    level = level_of(code or "")
    if level is None:
        return "", ""
    regency = code[:5] if level >= Level.REGENCY else ""
    return regency, code[:2]


def _buyable_organizations(user) -> list[Organization]:
    organizations = (
        Organization.objects.filter(memberships__user=user).distinct().order_by("name", "id")
    )
    return [
        organization
        for organization in organizations
        if permissions.can_buy_for(user, organization)
    ]


def _initial(request: HttpRequest, cart_view) -> dict:
    """The contact from the account and, when the buyer ordered before, the last address."""
    user = request.user
    initial = {
        "contact_name": user.name,
        "contact_phone": getattr(user, "phone", "") or "",
        "contact_email": user.email,
        "product_ids": ",".join(
            str(line.product.pk) for group in cart_view.groups for line in group.items
        ),
        "idempotency_key": new_idempotency_key(),
    }
    last = Order.objects.filter(buyer=user).order_by("-created_at", "-id").first()
    if last is not None:
        initial.update(
            contact_name=last.contact_name,
            contact_phone=last.contact_phone,
            contact_email=last.contact_email,
            address_line=last.address_line,
            village=last.village_id,
            postal_code=last.postal_code,
        )
    return initial


def _summaries(form: CheckoutForm, cart_view) -> list[SellerSummary]:
    summaries = []
    for group, shipping in zip(cart_view.groups, form.shipping, strict=True):
        bound = form[shipping.field_name]
        summary = SellerSummary(group=group, shipping=shipping, bound=bound)
        chosen = str(bound.value() or "")
        for option in shipping.options:
            if option.method == chosen:
                summary.method = option.method
                summary.method_label = option.label
                summary.totals = order_totals(
                    goods_amount=group.goods_amount,
                    shipping_amount=option.fee_amount,
                    seller_is_pkp=group.seller.is_pkp,
                )
        summaries.append(summary)
    return summaries


def _previous_checkout(request: HttpRequest) -> Payment | None:
    """The payment an earlier submit of this same form made (a double submit, or a reload
    after the cart was emptied by the first one)."""
    key = (request.POST.get("idempotency_key") or "").strip()
    if not key:
        return None
    earlier = checkout_request_get(user=request.user, key=key)
    return earlier.payment if earlier else None


def _after_checkout(payment: Payment) -> HttpResponse:
    return redirect(f"{reverse('orders:order_list')}?payment={payment.code}")


@login_required
@require_http_methods(["GET", "POST"])
def checkout_view(request: HttpRequest) -> HttpResponse:
    """One form: contact, delivery address, shipping per Posyantek, buying for, payment; the
    summary per Posyantek. "Show shipping options" re-renders for the chosen address without
    placing anything (the page works without JavaScript)."""

    if request.method == "POST" and (payment := _previous_checkout(request)):
        return _after_checkout(payment)

    cart = cart_get(user=request.user)
    cart_view = cart_lines(cart) if cart is not None else None
    if cart_view is None or not cart_view.groups:
        return render(request, "orders/checkout.html", {"empty": True})

    initial = _initial(request, cart_view)
    data = request.POST if request.method == "POST" else None
    refresh = data is not None and "refresh" in data
    if data is not None:
        code = CheckoutForm.base_fields["village"].widget.value_from_datadict(data, {}, "village")
    else:
        code = initial.get("village") or ""
    regency_code, province_code = _destination(code or "")
    shipping = [
        SellerShipping(
            seller=group.seller,
            options=list(
                shipping_options(
                    seller=group.seller,
                    regency_code=regency_code,
                    province_code=province_code,
                    weight_grams=_weight_grams(group),
                )
            ),
        )
        for group in cart_view.groups
    ]
    organizations = _buyable_organizations(request.user)
    arguments = {"shipping": shipping, "organizations": organizations}

    status = 200
    if refresh:
        # The address chosen so far, the rest as typed, nothing checked yet.
        values = {name: data.get(name) for name in data if name != "csrfmiddlewaretoken"}
        values["village"] = code or None
        values["product_ids"] = initial["product_ids"]
        form = CheckoutForm(initial={**initial, **values}, **arguments)
    elif data is not None:
        form = CheckoutForm(data, initial=initial, **arguments)
        if form.is_valid():
            try:
                payment = checkout_place(
                    user=request.user,
                    cart=cart,
                    data=form.service_data(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ApplicationError as error:
                form.apply_service_errors(error)
                status = error.status_code
            else:
                return _after_checkout(payment)
        else:
            status = 400
    else:
        form = CheckoutForm(initial=initial, **arguments)

    summaries = _summaries(form, cart_view)
    complete = all(summary.totals for summary in summaries)
    context = {
        "form": form,
        "cart_view": cart_view,
        "summaries": summaries,
        "complete": complete,
        "grand_total": sum(summary.totals.total_amount for summary in summaries)
        if complete
        else None,
        "has_destination": bool(regency_code),
    }
    return render(request, "orders/checkout.html", context, status=status)


# --- My orders --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def order_list_view(request: HttpRequest) -> HttpResponse:
    """The buyer's orders, newest first; after a checkout (?payment=<code>) the payment's
    amount and code on top."""
    orders = order_list(user=request.user, as_="buyer").select_related("seller", "payment")
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    payment = None
    code = (request.GET.get("payment") or "").strip()
    if code:
        payment = (
            Payment.objects.filter(buyer=request.user, code=code)
            .prefetch_related("orders__seller")
            .first()
        )
    return render(request, "orders/order_list.html", {"page": page, "payment": payment})


@login_required
@require_http_methods(["GET"])
def order_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """One order: lines, shipping, PPN, totals, address, status and its events; 404 for
    anybody who may not see it."""
    try:
        order = order_get(user=request.user, number=number)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    if order is None or not permissions.can_view_order(request.user, order):
        raise Http404
    context = {
        "order": order,
        "lines": order.lines.all(),
        "events": order.events.all(),
        "payment": order.payment,
    }
    return render(request, "orders/order_detail.html", context)
