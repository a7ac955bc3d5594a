"""The platform staff's money desks (DESIGN.md, Pages: the staff desks for transfers, refunds
and payouts), so money is handled without the admin:

- the transfer desk: proofs awaiting confirmation, the oldest first, and a search by payment
  code; one payment's page with its proofs, confirm (amount, bank reference, date — prefilled
  with the amount due) and reject (with a reason the buyer reads);
- payments under review (amount mismatch, money that arrived late): honour or refund;
- open refunds: record the transfer sent to the buyer's account, or that it failed;
- payouts: Posyantek with an available balance, their payout account, record a payout.

Pages call the services only (orders.services.transfers, late_payments, refunds, payouts),
which check everything again; a refusal is shown next to the action it concerns, with its
status code. Everyone who is not platform staff gets a 404 (as the other staff desks).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organization
from accounts.staff_views import platform_staff_only
from core.errors import ApplicationError, InvalidInput, NotFound
from core.money import format_rupiah
from orders.checkout_views import action_error
from orders.forms import (
    PaymentReviewForm,
    PayoutForm,
    RefundFailForm,
    RefundSucceededForm,
    TransferConfirmForm,
    TransferRejectForm,
)
from orders.models import (
    LedgerEntry,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Payout,
    Refund,
    TransferProof,
)
from orders.payment_views import (
    PAYMENT_CODE_RE,
    bank_details,
    current_attempt,
    invoices_by_order,
    payment_or_404,
    proof_rows,
)
from orders.selectors import payment_list, refund_list
from orders.services.late_payments import payment_review_resolve
from orders.services.payouts import payout_record
from orders.services.refunds import refund_fail, refund_mark_succeeded, refund_retry
from orders.services.transfers import payment_transfer_confirm, payment_transfer_reject

PAGE_SIZE = 50
Status = Payment.Status

# A transfer can be confirmed from these (pending: the money is there without a proof;
# expired/cancelled: late money, which the service puts under review).
CONFIRMABLE = (Status.PENDING, Status.AWAITING_CONFIRMATION, Status.EXPIRED, Status.CANCELLED)


# --- Transfer desk ----------------------------------------------------------------------------


@platform_staff_only
@require_GET
def transfer_queue_view(request: HttpRequest) -> HttpResponse:
    """Proofs awaiting confirmation, the longest-waiting first; ?code= opens that payment."""
    code = (request.GET.get("code") or "").strip().upper()
    not_found = False
    if code:
        payment = None
        if PAYMENT_CODE_RE.fullmatch(code):
            payment = payment_list(user=request.user, filters={"code": code}).first()
        if payment is not None:
            return redirect("order-staff:transfer-review", code=payment.code)
        not_found = True
    proofs = (
        TransferProof.objects.filter(
            status=TransferProof.Status.SUBMITTED,
            payment__status=Status.AWAITING_CONFIRMATION,
        )
        .select_related("payment__buyer")
        .order_by("created_at", "id")
    )
    page = Paginator(proofs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "code": code,
        "not_found": not_found,
        "review_count": Payment.objects.filter(status=Status.NEEDS_REVIEW).count(),
    }
    return render(request, "staff/transfer_queue.html", context)


def _status_label(event: PaymentEvent, value: str) -> str:
    """A payment event's status as people read it (an attempt's for an attempt event)."""
    choices = PaymentAttempt.Status if event.attempt_id else Status
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


def _transfer_page(
    request: HttpRequest,
    payment: Payment,
    *,
    status: int = 200,
    error: str = "",
    error_action: str = "",
    confirm_form: TransferConfirmForm | None = None,
    reject_form: TransferRejectForm | None = None,
) -> HttpResponse:
    attempt = current_attempt(payment)
    orders = list(payment.orders.all())
    events = PaymentEvent.objects.filter(payment=payment).select_related("actor")
    context = {
        "payment": payment,
        "attempt": attempt,
        "bank": bank_details(payment, attempt),
        "orders": orders,
        "invoices": invoices_by_order(orders) if payment.status in Payment.MONEY_KEPT else {},
        "proofs": proof_rows(payment),
        "events": [
            {
                "event": event,
                "from": _status_label(event, event.from_status),
                "to": _status_label(event, event.to_status),
            }
            for event in events.order_by("created_at", "id")
        ],
        "refunds": list(payment.refunds.order_by("created_at", "id")),
        "can_confirm": payment.status in CONFIRMABLE,
        "can_reject": payment.status == Status.AWAITING_CONFIRMATION,
        "late": payment.status in (Status.EXPIRED, Status.CANCELLED),
        "confirm_form": confirm_form
        or TransferConfirmForm(
            prefix="confirm",
            initial={"amount": payment.amount_due_amount, "received_on": timezone.localdate()},
        ),
        "reject_form": reject_form or TransferRejectForm(prefix="reject"),
        "error": error,
        "error_action": error_action,
    }
    return render(request, "staff/transfer_review.html", context, status=status)


@platform_staff_only
@require_http_methods(["GET", "POST"])
def transfer_review_view(request: HttpRequest, code: str) -> HttpResponse:
    """One payment: its orders, the proofs (previewed), the history; confirm the money
    arrived, or reject the proof."""
    payment = payment_or_404(request, code)
    if request.method == "GET":
        return _transfer_page(request, payment)

    action = request.POST.get("action", "")
    form = confirm_form = reject_form = None
    try:
        if action == "confirm":
            form = confirm_form = TransferConfirmForm(request.POST, prefix="confirm")
            if not form.is_valid():
                raise InvalidInput()  # the messages are on the form
            payment = payment_transfer_confirm(
                payment=payment, actor=request.user, **form.cleaned_data
            )
            if payment.status == Status.PAID:
                done = _("Payment %(code)s is confirmed; its orders are paid.")
            else:
                done = _(
                    "The money is recorded, but it does not match what is due (or came too "
                    "late): payment %(code)s is now under review."
                )
        elif action == "reject":
            form = reject_form = TransferRejectForm(request.POST, prefix="reject")
            if not form.is_valid():
                raise InvalidInput()
            payment_transfer_reject(
                payment=payment, actor=request.user, reason=form.cleaned_data["reason"]
            )
            done = _("The proof of %(code)s is rejected. The buyer is told why.")
        else:
            raise InvalidInput(_("Choose what to do."))
    except ApplicationError as exc:
        message = action_error(form, exc)
        return _transfer_page(
            request,
            payment_or_404(request, code),  # as it is now
            status=exc.status_code,
            error=message,
            error_action=action,
            confirm_form=confirm_form,
            reject_form=reject_form,
        )
    messages.success(request, done % {"code": payment.code})
    if action == "confirm" and payment.status == Status.NEEDS_REVIEW:
        return redirect("order-staff:payment-review")
    return redirect("order-staff:transfer-queue")


# --- Payments under review --------------------------------------------------------------------


@platform_staff_only
@require_http_methods(["GET", "POST"])
def payment_review_view(request: HttpRequest) -> HttpResponse:
    """Payments under review, the longest-waiting first, each with what was due and what
    arrived, and the decision: honour (the orders become paid; an excess is refunded) or
    refund everything received."""
    error = ""
    error_code = ""
    bound = None
    status = 200
    if request.method == "POST":
        code = (request.POST.get("code") or "").strip()
        form = None
        try:
            payment = None
            if PAYMENT_CODE_RE.fullmatch(code):
                payment = payment_list(
                    user=request.user, filters={"code": code, "status": [Status.NEEDS_REVIEW]}
                ).first()
            if payment is None:
                raise NotFound(_("This payment is no longer under review. Reload the page."))
            form = PaymentReviewForm(request.POST, prefix=payment.code)
            if not form.is_valid():
                raise InvalidInput()
            payment = payment_review_resolve(
                payment=payment,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            error = action_error(form, exc)
            error_code, bound, status = code, form, exc.status_code
        else:
            if payment.status == Status.PAID:
                done = _("Payment %(code)s is honoured; its orders are paid.")
            else:
                done = _(
                    "Payment %(code)s is being refunded; record the transfer on the refund desk."
                )
            messages.success(request, done % {"code": payment.code})
            return redirect("order-staff:payment-review")

    payments = payment_list(user=request.user, filters={"status": [Status.NEEDS_REVIEW]})
    payments = payments.select_related("buyer").order_by("updated_at", "id")
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "payment": payment,
            "form": bound
            if bound is not None and payment.code == error_code
            else PaymentReviewForm(prefix=payment.code),
            "error": error if payment.code == error_code else "",
            "short": payment.received_amount < payment.amount_due_amount,
        }
        for payment in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "error": error if not any(row["error"] for row in rows) else "",
    }
    return render(request, "staff/payment_review.html", context, status=status)


# --- Refund desk ------------------------------------------------------------------------------


@platform_staff_only
@require_http_methods(["GET", "POST"])
def refund_queue_view(request: HttpRequest) -> HttpResponse:
    """Open refunds, the oldest first: those with the buyer's account (send the money, then
    record it with the bank's reference, or record that it failed), those still waiting for
    the account; below, failed refunds that may be tried again."""
    error, error_refund, error_action = "", 0, ""
    forms: dict = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = None
        try:
            refund_id = request.POST.get("refund", "")
            refund = None
            if refund_id.isdigit():
                refund = refund_list(user=request.user).filter(pk=int(refund_id)).first()
            if refund is None:
                raise NotFound(_("This refund no longer exists. Reload the page."))
            error_refund = refund.pk
            if action == "sent":
                form = RefundSucceededForm(request.POST, prefix=f"sent-{refund.pk}")
                if not form.is_valid():
                    raise InvalidInput()
                refund_mark_succeeded(refund=refund, actor=request.user, **form.cleaned_data)
                done = _("The refund of %(amount)s is recorded as sent.")
            elif action == "fail":
                form = RefundFailForm(request.POST, prefix=f"fail-{refund.pk}")
                if not form.is_valid():
                    raise InvalidInput()
                refund_fail(refund=refund, actor=request.user, reason=form.cleaned_data["reason"])
                done = _("The refund of %(amount)s is marked as failed. Try it again below.")
            elif action == "retry":
                refund = refund_retry(refund=refund, actor=request.user)
                done = _("A new refund of %(amount)s is requested.")
            else:
                raise InvalidInput(_("Choose what to do."))
        except ApplicationError as exc:
            error = action_error(form, exc)
            error_action, status = action, exc.status_code
            if form is not None:
                forms[(action, error_refund)] = form
        else:
            messages.success(request, done % {"amount": format_rupiah(refund.total_amount)})
            return redirect("order-staff:refund-queue")

    open_refunds = list(
        refund_list(user=request.user, filters={"status": list(Refund.OPEN)})
        .select_related("payment__buyer")
        .order_by("created_at", "id")[: PAGE_SIZE * 2]
    )
    failed = list(
        refund_list(user=request.user, filters={"status": [Refund.Status.FAILED]})
        .select_related("payment__buyer")
        .order_by("-updated_at", "-id")[:PAGE_SIZE]
    )
    # A failed refund already tried again (an open or succeeded refund of the same order or
    # payment came after it) is not offered again.
    later = list(
        Refund.objects.filter(
            status__in=[*Refund.OPEN, Refund.Status.SUCCEEDED],
            payment__in=[refund.payment_id for refund in failed],
        ).values_list("payment_id", "order_id", "created_at")
    )
    retried = set()
    for refund in failed:
        for payment_id, order_id, created_at in later:
            if (
                payment_id == refund.payment_id
                and order_id == refund.order_id
                and created_at > refund.created_at
            ):
                retried.add(refund.pk)

    def row(refund: Refund) -> dict:
        return {
            "refund": refund,
            "sent_form": forms.get(("sent", refund.pk))
            or RefundSucceededForm(prefix=f"sent-{refund.pk}"),
            "fail_form": forms.get(("fail", refund.pk))
            or RefundFailForm(prefix=f"fail-{refund.pk}"),
            "error": error if refund.pk == error_refund else "",
            "error_action": error_action if refund.pk == error_refund else "",
        }

    rows = [row(refund) for refund in open_refunds]
    context = {
        "ready": [
            r for r in rows if r["refund"].has_account or r["refund"].provider != "bank_transfer"
        ],
        "waiting": [
            r
            for r in rows
            if not r["refund"].has_account and r["refund"].provider == "bank_transfer"
        ],
        "failed": [row(refund) for refund in failed if refund.pk not in retried],
        "error": error if error_refund == 0 else "",
    }
    return render(request, "staff/refund_queue.html", context, status=status)


# --- Payout desk ------------------------------------------------------------------------------


def payout_candidates() -> list[dict]:
    """Posyantek with an available balance, the largest first: balance (pending, available)
    and payout account. One aggregation over the ledger (not in orders.selectors yet)."""
    sums = (
        LedgerEntry.objects.values("organization_id")
        .annotate(
            available=Sum("amount", filter=Q(status=LedgerEntry.Status.AVAILABLE)),
            pending=Sum("amount", filter=Q(status=LedgerEntry.Status.PENDING)),
        )
        .filter(available__gt=0)
        .order_by("-available", "organization_id")
    )
    rows = list(sums)
    organizations = Organization.objects.in_bulk([row["organization_id"] for row in rows])
    return [
        {
            "organization": organizations[row["organization_id"]],
            "available": row["available"] or 0,
            "pending": row["pending"] or 0,
        }
        for row in rows
    ]


@platform_staff_only
@require_http_methods(["GET", "POST"])
def payout_queue_view(request: HttpRequest) -> HttpResponse:
    """Posyantek with money available, each with its payout account and the form to record a
    payout (amount prefilled with the available balance); below, the latest payouts."""
    error, error_slug = "", ""
    bound = None
    status = 200
    if request.method == "POST":
        slug = (request.POST.get("organization") or "").strip()
        form = None
        try:
            organization = Organization.objects.filter(slug=slug).first() if slug else None
            if organization is None:
                raise NotFound(_("This Posyantek no longer exists. Reload the page."))
            error_slug = organization.slug
            form = PayoutForm(request.POST, prefix=organization.slug)
            if not form.is_valid():
                raise InvalidInput()
            payout = payout_record(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            error = action_error(form, exc)
            bound, status = form, exc.status_code
        else:
            messages.success(
                request,
                _("The payout of %(amount)s to %(name)s is recorded. Its owners are told.")
                % {"amount": format_rupiah(payout.amount), "name": organization.name},
            )
            return redirect("order-staff:payout-queue")

    today = timezone.localdate()
    rows = []
    for candidate in payout_candidates():
        organization = candidate["organization"]
        is_error = organization.slug == error_slug
        candidate.update(
            has_account=bool(
                organization.payout_bank_name
                and organization.payout_account_number
                and organization.payout_account_holder
            ),
            form=bound
            if is_error and bound is not None
            else PayoutForm(
                prefix=organization.slug,
                available=candidate["available"],
                initial={"amount": candidate["available"], "paid_on": today},
            ),
            error=error if is_error else "",
            finances_url=reverse("orders:finances", args=[organization.slug]),
        )
        rows.append(candidate)
    recent = Payout.objects.select_related("organization", "recorded_by").order_by(
        "-created_at", "-id"
    )[:20]
    context = {
        "rows": rows,
        "recent": list(recent),
        "error": error if not any(row["error"] for row in rows) else "",
    }
    return render(request, "staff/payout_queue.html", context, status=status)
