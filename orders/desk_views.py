"""The Posyantek's order desk (DESIGN.md, "What an operator must find easy": see today's new
orders and the one next action on each).

Who sees it: the selling Posyantek's members and platform staff, and a dinas whose
jurisdiction covers the Posyantek — the dinas sees, without any action. Everyone else gets a
404. What each viewer may do comes from orders.permissions (can_fulfil_order: accept and
ship; can_manage_order: mark delivered, cancel a paid order, answer a problem report); the
services check again and their refusals are shown next to the action with their status code.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organization
from accounts.permissions import roles_prime
from accounts.phone import normalize_phone, whatsapp_link
from core.errors import ApplicationError, InvalidInput, NotFound
from orders import permissions
from orders.checkout_views import (
    Tab,
    action_error,
    dispute_context,
    order_or_404,
    tab_counts,
    tab_filter,
    timeline_rows,
)
from orders.forms import CancelForm, DisputeAnswerForm, ShipForm
from orders.models import Order
from orders.selectors import order_list, organization_for_orders
from orders.services.disputes import dispute_respond
from orders.services.lifecycle import order_accept, order_cancel, order_deliver, order_ship

Status = Order.Status
PAGE_SIZE = 20

TABS = [
    Tab("todo", gettext_lazy("To process"), (Status.PAID, Status.PLACED_ON_TERMS)),
    Tab("processing", gettext_lazy("Processing"), (Status.PROCESSING,)),
    Tab("shipped", gettext_lazy("Shipped"), (Status.SHIPPED,)),
    Tab("delivered", gettext_lazy("Delivered"), (Status.DELIVERED,)),
    Tab("dispute", gettext_lazy("In dispute"), (Status.IN_DISPUTE,)),
    Tab("overdue", gettext_lazy("Overdue terms"), overdue=True),
    Tab("completed", gettext_lazy("Completed"), (Status.COMPLETED,)),
    Tab("all", gettext_lazy("All")),
]


@dataclass
class Powers:
    """What the viewer may do with this Posyantek's orders (the same for all of them)."""

    fulfil: bool  # accept, ship
    manage: bool  # mark delivered, cancel a paid order, answer a problem report


def _powers(user, organization: Organization) -> Powers:
    probe = Order(seller=organization)
    return Powers(
        fulfil=permissions.can_fulfil_order(user, probe),
        manage=permissions.can_manage_order(user, probe),
    )


def _organization_or_404(request: HttpRequest, slug: str) -> Organization:
    try:
        organization = organization_for_orders(slug=slug)
    except NotFound:
        raise Http404 from None
    if not permissions.can_view_organization_orders(request.user, organization):
        raise Http404
    return organization


# The desk's one next action: the first of these the viewer may do (orders.permissions).
DESK_ACTIONS = [("accept", "accept"), ("ship", "ship"), ("deliver", "deliver")]


def next_action(order: Order, user) -> str:
    """The one thing to do next on this order, for this viewer ("" when nothing): accept,
    ship, deliver, or answer a problem report not answered yet."""
    actions = permissions.order_next_actions(user, order)
    for name, shown in DESK_ACTIONS:
        if name in actions:
            return shown
    if "dispute_respond" in actions and not order.dispute.seller_response:
        return "answer"
    return ""


@login_required
@require_GET
def desk_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The Posyantek's orders, newest first, by status tab ("To process" first), each with the
    viewer's one next action."""
    organization = _organization_or_404(request, slug)
    orders = order_list(user=request.user, as_="seller", organization=organization)
    tabs = [Tab(tab.key, tab.label, tab.statuses, overdue=tab.overdue) for tab in TABS]
    tab_counts(orders, tabs)
    orders = orders.select_related("buyer", "dispute")
    orders, tab, filterset, status = tab_filter(request, orders, tabs, default="todo")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    powers = _powers(request.user, organization)
    roles_prime(request.user, [organization.pk])
    rows = [
        {"order": order, "action": next_action(order, request.user)} for order in page.object_list
    ]
    return render(
        request,
        "orders/desk.html",
        {
            "organization": organization,
            "page": page,
            "rows": rows,
            "tabs": tabs,
            "tab": tab,
            "filter_errors": filterset.errors,
            "today": timezone.localdate(),
            "powers": powers,
        },
        status=status,
    )


def _buyer_whatsapp(order: Order) -> str:
    try:
        number = normalize_phone(order.contact_phone)
    except ValidationError:
        return ""
    return whatsapp_link(
        number,
        _("Hello %(name)s, this is %(seller)s about your order %(number)s on Mitra TTG.")
        % {"name": order.contact_name, "seller": order.seller.name, "number": order.number},
    )


def _desk_page(
    request: HttpRequest,
    organization: Organization,
    order: Order,
    *,
    status: int = 200,
    error: str = "",
    error_action: str = "",
    forms: dict | None = None,
) -> HttpResponse:
    powers = _powers(request.user, organization)
    actions = permissions.order_next_actions(request.user, order)
    forms = forms or {}
    context = {
        "organization": organization,
        "order": order,
        "lines": [{"line": line} for line in order.lines.all()],
        "timeline": timeline_rows(order),
        "refunds": list(order.refunds.all()),
        "powers": powers,
        "can_accept": "accept" in actions,
        "can_ship": "ship" in actions,
        "can_deliver": "deliver" in actions,
        "can_cancel": powers.manage and "cancel" in actions,
        "can_answer": "dispute_respond" in actions,
        "cancel_refunds": order.status in (Status.PAID, Status.PROCESSING),
        "ship_form": forms.get("ship") or ShipForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "answer_form": forms.get("answer") or DisputeAnswerForm(),
        "courier": order.shipping_method == "courier",
        "buyer_whatsapp": _buyer_whatsapp(order),
        "error": error,
        "error_action": error_action,
        **dispute_context(request, order),
    }
    return render(request, "orders/desk_detail.html", context, status=status)


def _order_of(request: HttpRequest, organization: Organization, number: str) -> Order:
    order = order_or_404(request, number)
    if order.seller_id != organization.pk:
        raise Http404
    return order


def _back_to_list(request: HttpRequest, organization: Organization) -> str | None:
    """After an action sent from the list, back to the list's tab."""
    if request.POST.get("back") != "list":
        return None
    url = reverse("orders:desk", args=[organization.slug])
    tab = request.POST.get("tab", "")
    if any(tab == known.key for known in TABS):
        url += f"?tab={tab}"
    return url


@login_required
@require_http_methods(["GET", "POST"])
def desk_detail_view(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    """One order on the desk: the buyer's contact, lines, shipment, problem report, history,
    and every action the viewer's role allows (accept, ship, mark delivered, cancel, answer)."""
    organization = _organization_or_404(request, slug)
    order = _order_of(request, organization, number)
    if request.method == "GET":
        return _desk_page(request, organization, order)

    action = request.POST.get("action", "")
    form = None
    user = request.user
    try:
        if action == "accept":
            order_accept(order=order, actor=user)
            done = _("Order %(number)s is accepted. Prepare it, then send it.")
        elif action == "ship":
            form = ShipForm(request.POST)
            if not form.is_valid():
                raise InvalidInput()  # the messages are on the form
            order_ship(order=order, actor=user, **form.cleaned_data)
            done = _("Order %(number)s is marked as sent. The buyer is told.")
        elif action == "deliver":
            order_deliver(order=order, actor=user)
            done = _("Order %(number)s is marked as delivered.")
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                raise InvalidInput()
            order_cancel(order=order, actor=user, reason=form.cleaned_data["reason"])
            done = _("Order %(number)s is cancelled.")
        elif action == "answer":
            form = DisputeAnswerForm(request.POST)
            if not form.is_valid():
                raise InvalidInput()
            dispute_respond(order=order, actor=user, response=form.cleaned_data["response"])
            done = _("Your answer is sent to the buyer and the Mitra TTG team.")
        else:
            raise InvalidInput(_("Choose what to do."))
    except ApplicationError as exc:
        message = action_error(form, exc)
        order = _order_of(request, organization, number)  # as it is now
        return _desk_page(
            request,
            organization,
            order,
            status=exc.status_code,
            error=message,
            error_action=action,
            forms={action: form} if form is not None else None,
        )
    messages.success(request, done % {"number": order.number})
    return redirect(
        _back_to_list(request, organization)
        or reverse("orders:desk_detail", args=[organization.slug, order.number])
    )
