"""The platform staff's dispute desk: open problem reports, the oldest first, and one
dispute's page with the order, both sides' statements, the photos, the history, the decision
(orders.services.disputes.dispute_resolve) and, once a refund is decided, recording that the
money went back (orders.services.refunds.refund_mark_succeeded) — so a dispute can be finished
without the admin.

Everyone who is not platform staff gets a 404, logged in or not (as the verification desk).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.staff_views import platform_staff_only
from core.errors import ApplicationError, InvalidInput, PermissionDenied
from orders.checkout_views import action_error, dispute_context, order_or_404, timeline_rows
from orders.forms import DisputeResolveForm, RefundSucceededForm
from orders.models import Dispute, Order, Refund
from orders.selectors import dispute_list, orders_overdue_for_staff
from orders.services.disputes import dispute_resolve
from orders.services.refunds import refund_mark_succeeded, refunded_amount

PAGE_SIZE = 50


@platform_staff_only
@require_GET
def dispute_queue_view(request: HttpRequest) -> HttpResponse:
    """Open disputes, the longest-waiting first; below, the decided ones whose refund has not
    been sent yet."""
    try:
        open_disputes = dispute_list(user=request.user)
        awaiting_refund = dispute_list(user=request.user, open_only=False).filter(
            resolved_at__isnull=False,
            outcome=Dispute.Outcome.REFUND,
            order__status=Order.Status.IN_DISPUTE,
        )
    except PermissionDenied:
        raise Http404 from None
    page = Paginator(open_disputes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/dispute_queue.html",
        {"page": page, "awaiting_refund": list(awaiting_refund[:PAGE_SIZE])},
    )


def _page(
    request: HttpRequest,
    order: Order,
    *,
    status: int = 200,
    error: str = "",
    resolve_form: DisputeResolveForm | None = None,
    refund_form: RefundSucceededForm | None = None,
) -> HttpResponse:
    context = dispute_context(request, order)
    dispute = context["dispute"]
    if dispute is None:
        raise Http404
    left = order.total_amount - refunded_amount(order)
    open_refund = next((r for r in order.refunds.all() if r.status in Refund.OPEN), None)
    context.update(
        order=order,
        lines=[{"line": line} for line in order.lines.all()],
        timeline=timeline_rows(order),
        refunds=list(order.refunds.all()),
        left=left,
        open_refund=open_refund,
        can_resolve=not dispute.is_resolved and order.status == Order.Status.IN_DISPUTE,
        resolve_form=resolve_form
        or DisputeResolveForm(prefix="resolve", max_amount=max(left, 1), initial={"amount": left}),
        refund_form=refund_form or RefundSucceededForm(prefix="refund"),
        error=error,
    )
    return render(request, "staff/dispute_review.html", context, status=status)


@platform_staff_only
@require_http_methods(["GET", "POST"])
def dispute_review_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    if request.method == "GET":
        return _page(request, order)

    action = request.POST.get("action", "")
    form = resolve_form = refund_form = None
    try:
        if action == "resolve":
            left = order.total_amount - refunded_amount(order)
            form = resolve_form = DisputeResolveForm(
                request.POST, prefix="resolve", max_amount=max(left, 1)
            )
            if not form.is_valid():
                raise InvalidInput()  # the messages are on the form
            data = form.cleaned_data
            refund = data["outcome"] == Dispute.Outcome.REFUND
            dispute_resolve(
                order=order,
                actor=request.user,
                outcome=data["outcome"],
                amount=data["amount"] if refund else None,
                note=data["note"],
            )
            done = (
                _("The refund is decided. Send the money, then record it below.")
                if refund
                else _("The dispute is resolved and the order is completed.")
            )
        elif action == "refund_succeeded":
            form = refund_form = RefundSucceededForm(request.POST, prefix="refund")
            if not form.is_valid():
                raise InvalidInput()
            refund = order.refunds.filter(status__in=Refund.OPEN).first()
            if refund is None:
                raise InvalidInput(_("This order has no refund waiting. Reload the page."))
            refund_mark_succeeded(refund=refund, actor=request.user, **form.cleaned_data)
            done = _("The refund is recorded; the order and the payment are updated.")
        else:
            raise InvalidInput(_("Choose what to do."))
    except ApplicationError as exc:
        message = action_error(form, exc)
        order = order_or_404(request, number)  # as it is now
        return _page(
            request,
            order,
            status=exc.status_code,
            error=message,
            resolve_form=resolve_form,
            refund_form=refund_form,
        )
    messages.success(request, done)
    return redirect("order-staff:dispute-review", number=order.number)


# --- Overdue terms orders ---------------------------------------------------------------------


@platform_staff_only
@require_GET
def overdue_terms_view(request: HttpRequest) -> HttpResponse:
    """Orders on payment terms still unpaid after their due date, the longest overdue first,
    with the buyer organisation, the Posyantek, the amount, the due date and the payment code
    (orders.selectors.orders_overdue_for_staff)."""
    try:
        orders = orders_overdue_for_staff(user=request.user)
    except PermissionDenied:
        raise Http404 from None
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"order": order, "days": (today - order.due_date).days} for order in page.object_list]
    return render(request, "orders/staff_overdue.html", {"page": page, "rows": rows})
