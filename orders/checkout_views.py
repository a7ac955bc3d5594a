"""The checkout page and the buyer's orders (DESIGN.md, Pages), and what the order pages
share (the Posyantek's desk in orders.desk_views, the staff dispute desk in
orders.staff_views): status tabs, the order's timeline, its problem report.

Views only shape input and output: the cart and shipping come from orders.services.cart and
orders.services.shipping, the checkout itself from orders.services.checkout.checkout_place,
the buyer's moves (cancel, confirm receipt, report a problem) from orders.services.lifecycle
and orders.services.disputes, orders from orders.selectors. A service's refusal
(core.errors.ApplicationError) is shown next to the action, with its status code. Totals shown
before the checkout use core.money's rules, the same the service freezes on the orders.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from accounts.permissions import is_member, is_platform_staff
from accounts.phone import whatsapp_link
from core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response
from core.forms import apply_service_errors as core_apply_service_errors
from core.money import OrderTotals, order_totals
from orders import permissions
from orders.filters import OrderFilter
from orders.forms import (
    CancelForm,
    CheckoutForm,
    ProblemReportForm,
    RefundAccountForm,
    SellerShipping,
    new_idempotency_key,
)
from orders.models import DisputePhoto, Order, OrderEvent, OrderLine, Payment, PaymentMethod, Refund
from orders.payments import methods_available
from orders.selectors import (
    checkout_request_get,
    dispute_of,
    order_get,
    order_list,
    terms_overdue_q,
)
from orders.services.cart import cart_get, cart_lines
from orders.services.checkout import checkout_place
from orders.services.disputes import order_report_problem
from orders.services.lifecycle import order_cancel, order_complete
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
    """To the payment page: what to transfer, where, by when (orders.payment_views)."""
    return redirect("orders:payment_detail", code=payment.code)


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
    arguments = {
        "shipping": shipping,
        "organizations": organizations,
        "methods": methods_available(),  # the card only when Stripe is configured
    }

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


# --- Shared by the order pages (buyer, Posyantek desk, staff dispute desk) --------------------

Status = Order.Status


@dataclass
class Tab:
    """One filter tab of an order list: a key for the URL, a label, the statuses it shows
    (none: every order)."""

    key: str
    label: str
    statuses: tuple[str, ...] = ()
    count: int | None = None
    overdue: bool = False  # only unpaid terms orders past their due date


def tab_filter(
    request: HttpRequest, queryset: QuerySet, tabs: list[Tab], default: str
) -> tuple[QuerySet, Tab, OrderFilter, int]:
    """The list for the chosen tab (?tab=…) through orders.filters.OrderFilter, with the
    page's other filters (number, buyer). An unknown tab is the default one; a malformed
    filter value shows its message and the list unfiltered (status 400)."""
    chosen = next((tab for tab in tabs if tab.key == request.GET.get("tab")), None)
    chosen = chosen or next(tab for tab in tabs if tab.key == default)
    data = QueryDict(mutable=True)
    for name in ("number", "buyer", "created_from", "created_to"):
        if request.GET.get(name):
            data[name] = request.GET[name]
    data.setlist("status", list(chosen.statuses))
    if chosen.overdue:
        data["overdue"] = "true"
    filterset = OrderFilter(data, queryset=queryset)
    if not filterset.is_valid():
        return queryset, chosen, filterset, 400
    return filterset.qs, chosen, filterset, 200


def tab_counts(queryset: QuerySet, tabs: list[Tab]) -> None:
    """How many orders each tab holds, in one query."""

    def where(tab: Tab) -> Q:
        condition = Q(status__in=tab.statuses) if tab.statuses else Q()
        return condition & terms_overdue_q() if tab.overdue else condition

    counts = queryset.order_by().aggregate(
        **{
            tab.key: Count("pk", filter=where(tab)) if tab.statuses or tab.overdue else Count("pk")
            for tab in tabs
        }
    )
    for tab in tabs:
        tab.count = counts[tab.key]


def order_or_404(request: HttpRequest, number: str) -> Order:
    """The order (orders.selectors.order_get: lines, events with actors, refunds) if the
    caller may see it; 404 otherwise, without saying whether it exists."""
    try:
        return order_get(user=request.user, number=number)
    except (NotFound, PermissionDenied):
        raise Http404 from None


def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def timeline_rows(order: Order) -> list[dict]:
    """The order's events, oldest first: when, what (a status, or a dispute step), the note
    and who ("System" for the platform's own jobs, "Mitra TTG team" for platform staff)."""
    rows = []
    for event in order.events.all():
        actor = event.actor
        if actor is None:
            who = _("System")
        elif actor.is_staff:
            who = _("Mitra TTG team")
        elif actor.pk == order.buyer_id:
            who = actor.name or _("Buyer")
        else:
            who = actor.name or order.seller.name
        what = (
            status_label(event.to_status)
            if event.kind == OrderEvent.Kind.STATUS
            else event.get_kind_display()
        )
        rows.append({"event": event, "what": what, "who": who})
    return rows


def dispute_context(request: HttpRequest, order: Order) -> dict:
    """The order's problem report with its photos' URLs, for those who may see it (the two
    sides and platform staff — not a dinas)."""
    if not permissions.can_view_dispute(request.user, order):
        return {"dispute": None, "dispute_photos": []}
    dispute = dispute_of(order)
    photos = []
    if dispute is not None:
        photos = [
            reverse("orders:problem_photo", args=[order.number, photo.pk])
            for photo in dispute.photos.all()
        ]
    return {"dispute": dispute, "dispute_photos": photos}


def refund_needs_account(refund: Refund) -> bool:
    """A bank transfer refund still open that waits for the buyer's account (the order and
    payment pages ask for it: orders.payment_views.refund_account_view)."""
    return (
        refund.status in Refund.OPEN
        and refund.provider == PaymentMethod.BANK_TRANSFER
        and not refund.has_account
    )


def service_error(form, error: ApplicationError) -> None:
    """A service's refusal on the form: by field where it has one, else at its top."""
    if form is not None and not form.errors:
        core_apply_service_errors(form, error)


def action_error(form, error: ApplicationError) -> str:
    """Where a page action's refusal shows: on the action's form when the form or a field is
    at fault (returns ""), else the message to show next to the action (returned)."""
    if form is not None and (form.errors or error.fields):
        service_error(form, error)
        return ""
    return str(error.message)


# --- My orders --------------------------------------------------------------------------------

BUYER_TABS = [
    Tab("all", gettext_lazy("All")),
    Tab(
        "unpaid", gettext_lazy("Awaiting payment"), (Status.PENDING_PAYMENT, Status.PLACED_ON_TERMS)
    ),
    Tab(
        "active",
        gettext_lazy("On the way"),
        (Status.PAID, Status.PROCESSING, Status.SHIPPED, Status.DELIVERED),
    ),
    Tab("dispute", gettext_lazy("Problem reported"), (Status.IN_DISPUTE,)),
    Tab("overdue", gettext_lazy("Overdue"), overdue=True),
    Tab("completed", gettext_lazy("Completed"), (Status.COMPLETED,)),
    Tab(
        "closed",
        gettext_lazy("Cancelled"),
        (Status.CANCELLED, Status.EXPIRED, Status.REFUNDED, Status.PARTIALLY_REFUNDED),
    ),
]


@login_required
@require_http_methods(["GET"])
def order_list_view(request: HttpRequest) -> HttpResponse:
    """The buyer's orders, newest first, by status tab; after a checkout (?payment=<code>) the
    payment's amount and code on top. With ?organization=<slug>, every order bought on that
    organisation's name, whoever of its members placed it (e.g. a partner's recurring supply
    on terms, and which of those are overdue) — for its members and platform staff."""
    buying_for = None
    slug = request.GET.get("organization")
    if slug:
        buying_for = Organization.objects.filter(slug=str(slug)[:100].replace("\x00", "")).first()
        if buying_for is None or not (
            is_member(request.user, buying_for) or is_platform_staff(request.user)
        ):
            raise Http404
    orders = order_list(user=request.user, as_="buyer", organization=buying_for).select_related(
        "seller", "payment"
    )
    orders, tab, filterset, status = tab_filter(request, orders, BUYER_TABS, default="all")
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    payment = None
    code = (request.GET.get("payment") or "").strip()
    if code:
        payment = (
            Payment.objects.filter(buyer=request.user, code=code)
            .prefetch_related("orders__seller")
            .first()
        )
    context = {
        "page": page,
        "payment": payment,
        "tabs": BUYER_TABS,
        "tab": tab,
        "filter_errors": filterset.errors,
        "buying_for": buying_for,
        "organization": buying_for,  # for the organisation's nav
        "tab_query": f"organization={buying_for.slug}&" if buying_for else "",
    }
    return render(request, "orders/order_list.html", context, status=status)


def _review_links(order: Order) -> dict[int, str]:
    """line id → the product's reviews page (where its buyer reviews it), for a completed
    order."""
    if order.status != Status.COMPLETED:
        return {}
    return {
        line.pk: reverse("orders:product-reviews", args=[line.product.slug])
        for line in OrderLine.objects.filter(order=order).select_related("product")
    }


def _buyer_page(
    request: HttpRequest,
    order: Order,
    *,
    status: int = 200,
    error: str = "",
    error_action: str = "",
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    buyer_side = permissions.is_buyer_side(request.user, order)
    seller_side = permissions.can_view_organization_orders(request.user, order.seller)
    review_links = _review_links(order) if buyer_side else {}
    lines = [
        {"line": line, "review_url": review_links.get(line.pk, "")} for line in order.lines.all()
    ]
    whatsapp = whatsapp_link(
        order.seller.whatsapp,
        _("Hello %(seller)s, about my order %(number)s on Mitra TTG.")
        % {"seller": order.seller.name, "number": order.number},
    )
    actions = permissions.order_next_actions(request.user, order) if buyer_side else []
    refunds = list(order.refunds.all())
    may_pay = buyer_side and permissions.can_pay(request.user, order.payment)
    context = {
        "order": order,
        "lines": lines,
        "timeline": timeline_rows(order),
        "payment": order.payment,
        "refunds": refunds,
        "refunds_to_give": [r for r in refunds if refund_needs_account(r)] if may_pay else [],
        "account_form": RefundAccountForm(),
        "invoices": list(order.invoices.order_by("kind", "issued_at", "id")),
        "buyer_side": buyer_side,
        "seller_side": seller_side,
        "can_cancel": "cancel" in actions,
        "can_complete": "complete" in actions,
        "can_report": "report_problem" in actions,
        "cancel_form": cancel_form or CancelForm(),
        "seller_whatsapp": whatsapp,
        "error": error,
        "error_action": error_action,
        **dispute_context(request, order),
    }
    return render(request, "orders/order_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def order_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """One order: status, lines, totals, address, shipment, refunds, the problem report and its
    history; the buyer's actions (cancel while unpaid, confirm receipt). 404 for anybody who
    may not see it; a refused action shows why next to it, with its status code."""
    order = order_or_404(request, number)
    if request.method == "GET":
        return _buyer_page(request, order)

    action = request.POST.get("action", "")
    cancel_form = None
    try:
        if not permissions.is_buyer_side(request.user, order):
            raise PermissionDenied(_("Only the buyer can do this here."))
        if action == "cancel":
            cancel_form = CancelForm(request.POST)
            if not cancel_form.is_valid():
                raise InvalidInput()  # the messages are on the form
            order_cancel(order=order, actor=request.user, reason=cancel_form.cleaned_data["reason"])
            done = _("Order %(number)s is cancelled.") % {"number": order.number}
        elif action == "complete":
            order_complete(order=order, actor=request.user)
            done = _("Thank you. Order %(number)s is completed.") % {"number": order.number}
        else:
            raise InvalidInput(_("Choose what to do."))
    except ApplicationError as error:
        message = action_error(cancel_form, error)
        order = order_or_404(request, number)  # as it is now
        return _buyer_page(
            request,
            order,
            status=error.status_code,
            error=message,
            error_action=action,
            cancel_form=cancel_form,
        )
    messages.success(request, done)
    return redirect("orders:order_detail", number=order.number)


@login_required
@require_http_methods(["GET", "POST"])
def problem_report_view(request: HttpRequest, number: str) -> HttpResponse:
    """The buyer reports a problem with a shipped or delivered order: what kind, what
    happened, up to five photos (private)."""
    order = order_or_404(request, number)
    if not permissions.is_buyer_side(request.user, order):
        raise Http404
    allowed = order.status in (Status.SHIPPED, Status.DELIVERED)
    form = ProblemReportForm()
    status = 200
    if request.method == "POST":
        form = ProblemReportForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise InvalidInput()  # the messages are on the form
            order_report_problem(
                order=order,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                description=form.cleaned_data["description"],
                photos=form.cleaned_data["photos"],
            )
        except ApplicationError as error:
            service_error(form, error)
            status = error.status_code
        else:
            messages.success(
                request,
                _(
                    "Your report is sent. The Posyantek answers it, and the Mitra TTG team "
                    "decides if you agree on nothing."
                ),
            )
            return redirect("orders:order_detail", number=order.number)
    return render(
        request,
        "orders/problem_report.html",
        {"order": order, "form": form, "allowed": allowed},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def problem_photo_view(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    """A photo of a problem report: the two sides and platform staff only; 404 for anyone
    else, and for a photo of another order."""
    order = order_or_404(request, number)
    photo = DisputePhoto.objects.filter(pk=photo_id, dispute__order=order).first()
    return private_file_response(
        photo.image if photo else None,
        allowed=photo is not None and permissions.can_view_dispute(request.user, order),
    )
