"""The buyer's payment page (DESIGN.md, orders: Bank transfer): what to transfer, where, with
which code and by when; the transfer proof upload; what happens next (awaiting confirmation,
rejected with the reason, paid with the invoices). Also the proof file itself (private) and
the page where a buyer gives the account a bank transfer refund goes to.

Card payments (issue 10, DESIGN.md: Stripe): the page of a pending card payment sends the
buyer to Stripe's Checkout page ("Pay by card": the attempt in flight while its page is still
valid, else a new attempt through orders.services.payments.payment_attempt_start) and offers
bank transfer instead; a pending bank transfer offers the card instead when Stripe is
configured (orders.payments.methods_available). Back from Stripe
(`?stripe=return&session_id=…`) the page re-checks that attempt through
orders.services.payments.payment_attempt_recheck — only an attempt of this payment with that
Checkout Session id — so a buyer back before the webhook sees the truth; a re-check that fails
is a notice on the page, never an error page. `?stripe=cancel` says the payment was not
finished.

Views only shape input and output: the proof goes through
orders.services.transfers.payment_proof_upload and the account through
orders.services.refunds.refund_account_give, which check everything again; a refusal is shown
next to the action, with its status code. Who may see a payment: orders.permissions
(can_view_payment: its buyer side and platform staff; can_pay: its buyer side) — anybody else
gets a 404, without a hint that it exists.
"""

import datetime
import logging
import mimetypes
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import is_platform_staff
from core.errors import ApplicationError, Conflict, InvalidInput, PermissionDenied
from core.files import private_file_response
from orders import permissions
from orders.checkout_views import action_error, refund_needs_account
from orders.forms import RefundAccountForm, TransferProofForm
from orders.models import (
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentMethod,
    Provider,
    Refund,
    TransferProof,
)
from orders.payments import methods_available
from orders.selectors import payment_list
from orders.services import payments as payment_services
from orders.services.order_moves import payment_lock
from orders.services.refunds import refund_account_give
from orders.services.transfers import payment_proof_upload

logger = logging.getLogger(__name__)

PAYMENT_CODE_RE = re.compile(r"[A-Za-z0-9]{1,12}")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
# A Checkout Session id as Stripe sends it back (cs_test_…, cs_live_…).
SESSION_ID_MAX_LENGTH = 255
# The card attempt in flight is reused while its Stripe page has at least this long left.
CARD_REUSE_MARGIN = datetime.timedelta(minutes=2)

Status = Payment.Status
AttemptStatus = PaymentAttempt.Status


# --- Shared with the staff transfer desk (orders.money_staff_views) ---------------------------


def payment_or_404(request: HttpRequest, code: str) -> Payment:
    """The payment by its code (orders.selectors.payment_list: scoped to the caller, with its
    orders, attempts and proofs); 404 for an unknown code and for anyone who may not see it."""
    if not isinstance(code, str) or not PAYMENT_CODE_RE.fullmatch(code):
        raise Http404
    try:
        payment = payment_list(user=request.user, filters={"code": code}).first()
    except ApplicationError:
        raise Http404 from None
    if payment is None or not permissions.can_view_payment(request.user, payment):
        raise Http404
    return payment


@dataclass
class BankDetails:
    """Where and what to transfer: from the attempt's instructions (what the buyer was told),
    the platform's account from the settings for a payment made before attempts existed; the
    amount is always the payment's amount due now (a cancellation may have lowered it)."""

    bank_name: str
    account_number: str
    account_holder: str
    amount: int
    code: str

    @property
    def account_digits(self) -> str:
        """What a banking app accepts when pasted: the number without dashes or spaces."""
        return re.sub(r"\D", "", self.account_number)


def current_attempt(payment: Payment) -> PaymentAttempt | None:
    attempts = list(payment.attempts.all())
    pending = [attempt for attempt in attempts if attempt.status == PaymentAttempt.Status.PENDING]
    return (pending or attempts or [None])[-1]


def bank_details(payment: Payment, attempt: PaymentAttempt | None) -> BankDetails:
    told = attempt.instructions if attempt and isinstance(attempt.instructions, dict) else {}
    return BankDetails(
        bank_name=told.get("bank_name") or settings.PLATFORM_BANK_NAME,
        account_number=told.get("account_number") or settings.PLATFORM_BANK_ACCOUNT_NUMBER,
        account_holder=told.get("account_holder") or settings.PLATFORM_BANK_ACCOUNT_HOLDER,
        amount=payment.amount_due_amount,
        code=payment.code,
    )


def proof_rows(payment: Payment) -> list[dict]:
    """The payment's proofs, newest first, with the URL of the (private) file and whether a
    browser can show it as an image."""
    rows = []
    proofs = sorted(payment.proofs.all(), key=lambda proof: (proof.created_at, proof.pk))
    for proof in reversed(proofs):
        content_type = proof.content_type or mimetypes.guess_type(proof.file.name or "")[0] or ""
        rows.append(
            {
                "proof": proof,
                "url": reverse("orders:payment_proof", args=[payment.code, proof.pk]),
                "is_image": content_type in IMAGE_TYPES,
            }
        )
    return rows


def invoices_by_order(orders) -> dict[int, list[Invoice]]:
    """order id → its invoice and credit notes, invoice first."""
    invoices: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(order__in=list(orders)).order_by("kind", "issued_at"):
        invoices.setdefault(invoice.order_id, []).append(invoice)
    return invoices


# --- The payment page -------------------------------------------------------------------------


def _state(payment: Payment, latest_proof: TransferProof | None) -> str:
    """What the page tells the buyer: the payment's status, or "rejected" for a pending
    payment whose last proof was rejected (upload again)."""
    if (
        payment.status == Status.PENDING
        and latest_proof is not None
        and latest_proof.status == TransferProof.Status.REJECTED
    ):
        return "rejected"
    return payment.status


def _payment_page(
    request: HttpRequest,
    payment: Payment,
    *,
    status: int = 200,
    error: str = "",
    proof_form: TransferProofForm | None = None,
    card_notice: str = "",
) -> HttpResponse:
    attempt = current_attempt(payment)
    proofs = proof_rows(payment)
    latest_proof = proofs[0]["proof"] if proofs else None
    orders = list(payment.orders.all())
    invoices = invoices_by_order(orders) if payment.status in Payment.MONEY_KEPT else {}
    may_pay = permissions.can_pay(request.user, payment)
    by_transfer = payment.method == PaymentMethod.BANK_TRANSFER
    by_card = payment.method == PaymentMethod.CARD
    available = methods_available() if payment.status == Status.PENDING else []
    may_move = may_pay and payment.status == Status.PENDING
    refunds_to_give = [
        refund
        for refund in Refund.objects.filter(payment=payment, status__in=Refund.OPEN)
        .select_related("order")
        .order_by("created_at", "id")
        if refund_needs_account(refund)
    ]
    context = {
        "payment": payment,
        "state": _state(payment, latest_proof),
        "attempt": attempt,
        "bank": bank_details(payment, attempt),
        "orders": [{"order": order, "invoices": invoices.get(order.pk, [])} for order in orders],
        "proofs": proofs,
        "latest_proof": latest_proof,
        "may_pay": may_pay,
        "by_transfer": by_transfer,
        "by_card": by_card,
        "can_upload": may_pay and by_transfer and payment.status == Status.PENDING,
        # "Pay by card" (a card payment) or "Pay by card instead" (a bank transfer).
        "can_pay_card": may_move and PaymentMethod.CARD in available,
        "can_switch_transfer": may_move and by_card and PaymentMethod.BANK_TRANSFER in available,
        "card_notice": card_notice,
        "proof_form": proof_form or TransferProofForm(max_mb=settings.TRANSFER_PROOF_MAX_MB),
        "refunds_to_give": refunds_to_give if may_pay else [],
        "account_form": RefundAccountForm(),
        "is_platform_staff": is_platform_staff(request.user),
        "error": error,
    }
    return render(request, "orders/payment_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def payment_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    """One payment: amount, code, the platform's account, the deadline and the orders it
    covers; the proof upload while it awaits payment; what happens next otherwise."""
    payment = payment_or_404(request, code)
    if request.method == "GET":
        card_notice = _card_notice(request, payment)
        if card_notice:
            payment = payment_or_404(request, code)  # as the re-check left it
        return _payment_page(request, payment, card_notice=card_notice)

    action = request.POST.get("action")
    form = None
    try:
        if action == "card":
            return redirect(_card_page_url(request, payment))
        if action == "bank_transfer":
            _switch_to_transfer(request, payment)
            messages.success(
                request,
                _(
                    "You now pay by bank transfer: transfer the amount below and write the "
                    "payment code in the transfer description."
                ),
            )
            return redirect("orders:payment_detail", code=payment.code)
        if action != "proof":
            raise InvalidInput(_("Choose what to do."))
        form = TransferProofForm(request.POST, request.FILES, max_mb=settings.TRANSFER_PROOF_MAX_MB)
        if not form.is_valid():
            raise InvalidInput()  # the messages are on the form
        data = form.cleaned_data
        payment_proof_upload(
            payment=payment,
            actor=request.user,
            file=data["file"],
            sender_bank=data["sender_bank"],
            sender_name=data["sender_name"],
        )
    except ApplicationError as error:
        message = action_error(form, error)
        return _payment_page(
            request,
            payment_or_404(request, code),  # as it is now
            status=error.status_code,
            error=message,
            proof_form=form,
        )
    messages.success(
        request,
        _(
            "Thank you. Your proof is sent. The Mitra TTG team checks it against the bank "
            "account; the deadline waits meanwhile."
        ),
    )
    return redirect("orders:payment_detail", code=payment.code)


# --- Card payments (Stripe) --------------------------------------------------------------------


def _card_page_url(request: HttpRequest, payment: Payment) -> str:
    """Where "Pay by card" sends the buyer: the Stripe page of the card attempt in flight
    while it has time left, else the page of a new card attempt (payment_attempt_start, which
    checks who pays, that the payment is pending and that the card is available). Under the
    payment's lock, so a double click never starts two attempts."""
    with transaction.atomic():
        locked = payment_lock(payment.pk)
        if not permissions.can_pay(request.user, locked):
            raise PermissionDenied(_("Only the buyer can pay this payment."))
        in_flight = (
            PaymentAttempt.objects.filter(payment=locked, status=AttemptStatus.PENDING)
            .order_by("-number")
            .first()
        )
        if (
            locked.status == Status.PENDING
            and in_flight is not None
            and in_flight.method == PaymentMethod.CARD
            and in_flight.redirect_url
            and (
                in_flight.expires_at is None
                or in_flight.expires_at > timezone.now() + CARD_REUSE_MARGIN
            )
            and PaymentMethod.CARD in methods_available()
        ):
            return in_flight.redirect_url
        attempt = payment_services.payment_attempt_start(
            payment=locked, method=PaymentMethod.CARD, actor=request.user
        )
    if not attempt.redirect_url:
        raise Conflict(
            _("The card payment could not be started. Try again, or pay by bank transfer."),
            code="card_not_started",
        )
    return attempt.redirect_url


def _switch_to_transfer(request: HttpRequest, payment: Payment) -> None:
    """ "Pay by bank transfer instead": a bank transfer attempt replaces the card attempt in
    flight (payment_attempt_start checks everything); nothing to do when the payment already
    waits for a transfer."""
    in_flight = payment.attempts.filter(status=AttemptStatus.PENDING).order_by("-number").first()
    if (
        payment.method == PaymentMethod.BANK_TRANSFER
        and in_flight is not None
        and in_flight.method == PaymentMethod.BANK_TRANSFER
    ):
        return
    payment_services.payment_attempt_start(
        payment=payment, method=PaymentMethod.BANK_TRANSFER, actor=request.user
    )


def _stripe_return(payment: Payment, session_id: object) -> str:
    """Back from Stripe's page: re-check the attempt with that Checkout Session (only one of
    this payment) and say where it stands. A re-check that fails is only a notice: the
    webhook and the reconciliation job still apply the payment."""
    if not isinstance(session_id, str) or not 0 < len(session_id) <= SESSION_ID_MAX_LENGTH:
        return "return_unknown"
    attempt = PaymentAttempt.objects.filter(
        payment=payment, provider=Provider.STRIPE, provider_reference=session_id
    ).first()
    if attempt is None:
        return "return_unknown"
    if attempt.status not in (AttemptStatus.SUCCEEDED, AttemptStatus.FAILED):
        try:
            payment_services.payment_attempt_recheck(attempt=attempt)
        except ApplicationError as error:
            logger.warning("Stripe re-check of attempt %s refused: %s", attempt.pk, error.code)
            return "check_failed"
        except Exception:  # the page must show, whatever Stripe or the network did
            logger.exception("Stripe re-check of attempt %s failed", attempt.pk)
            return "check_failed"
        attempt.refresh_from_db()
    return {
        AttemptStatus.SUCCEEDED: "return_succeeded",
        AttemptStatus.PENDING: "return_pending",
        AttemptStatus.FAILED: "return_failed",
    }.get(attempt.status, "return_closed")


def _card_notice(request: HttpRequest, payment: Payment) -> str:
    """What the page says on the way back from Stripe (?stripe=return|cancel), "" otherwise."""
    came_back = request.GET.get("stripe")
    if came_back == "return":
        return _stripe_return(payment, request.GET.get("session_id"))
    if came_back == "cancel" and payment.status == Status.PENDING:
        return "cancelled"
    return ""


@login_required
@require_GET
def payment_proof_view(request: HttpRequest, code: str, proof_id: int) -> HttpResponse:
    """A transfer proof's file: the payment's buyer side and platform staff only; 404 for
    anyone else, and for a proof of another payment."""
    payment = payment_or_404(request, code)
    proof = next((proof for proof in payment.proofs.all() if proof.pk == proof_id), None)
    return private_file_response(proof.file if proof else None, allowed=proof is not None)


# --- A refund's account -----------------------------------------------------------------------


def _refund_or_404(request: HttpRequest, refund_id: int) -> Refund:
    """The refund for those who may give its account (its payment's buyer side); 404 for
    anybody else."""
    refund = Refund.objects.filter(pk=refund_id).select_related("payment", "order__seller").first()
    if refund is None or not permissions.can_pay(request.user, refund.payment):
        raise Http404
    return refund


def refund_back_url(refund: Refund) -> str:
    """Where the buyer follows the refund: its order's page, or for a payment's own refund
    the payment's page."""
    if refund.order_id:
        return reverse("orders:order_detail", args=[refund.order.number])
    return reverse("orders:payment_detail", args=[refund.payment.code])


@login_required
@require_http_methods(["GET", "POST"])
def refund_account_view(request: HttpRequest, refund_id: int) -> HttpResponse:
    """The buyer gives the bank account a bank transfer refund goes to (the order and payment
    pages carry the same form and post here); then the Mitra TTG team sends the money."""
    refund = _refund_or_404(request, refund_id)
    form = RefundAccountForm()
    status = 200
    error = ""
    if request.method == "POST":
        form = RefundAccountForm(request.POST)
        try:
            if not form.is_valid():
                raise InvalidInput()  # the messages are on the form
            refund_account_give(refund=refund, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            error = action_error(form, exc)
            status = exc.status_code
            refund = _refund_or_404(request, refund_id)  # as it is now
        else:
            messages.success(
                request,
                _(
                    "Thank you. The Mitra TTG team sends the refund to this account and records "
                    "it here when it is done."
                ),
            )
            return redirect(refund_back_url(refund))
    context = {
        "refund": refund,
        "form": form,
        "can_give": refund_needs_account(refund),
        "back_url": refund_back_url(refund),
        "error": error,
    }
    return render(request, "orders/payment_refund_account.html", context, status=status)
