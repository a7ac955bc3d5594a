"""Payouts (DESIGN.md, orders: Ledger): platform staff record the money they sent from the
platform's account to a Posyantek's payout account, with the bank's transfer reference. A
payout draws only on the available balance; the Posyantek's row is locked while the balance
is checked and the payout written, so two payouts at once can never overdraw it.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from core.emails import send_templated_email
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.money import format_rupiah
from orders.models import LedgerEntry, Payout
from orders.permissions import can_handle_money
from orders.services.ledger import ledger_balance
from orders.services.order_moves import clean_text

MAX_REFERENCE_LENGTH = 100
MAX_NOTE_LENGTH = 300
LANGUAGE = "id"  # DESIGN.md: e-mails in Bahasa Indonesia
TEMPLATE = "orders/email/payout_recorded"


def _clean_input(*, amount: object, reference: object, paid_on: object, note: object) -> tuple:
    errors: dict[str, list[str]] = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = [_("Give the amount sent in whole Rupiah, more than 0.")]
    try:
        reference = clean_text(reference, field="reference", required=True)
    except InvalidInput:
        reference = ""
    if not reference:
        errors["reference"] = [_("Give the bank's reference of the transfer.")]
    elif len(reference) > MAX_REFERENCE_LENGTH:
        errors["reference"] = [_("Keep it under %(n)s characters.") % {"n": MAX_REFERENCE_LENGTH}]
    if isinstance(paid_on, datetime.datetime) or not isinstance(paid_on, datetime.date):
        errors["paid_on"] = [_("Give the date the transfer was sent.")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [_("The transfer date cannot be in the future.")]
    try:
        note = clean_text(note)
    except InvalidInput as error:
        errors.update(error.fields)
        note = ""
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("Keep it under %(n)s characters.") % {"n": MAX_NOTE_LENGTH}]
    if errors:
        raise InvalidInput(fields=errors)
    return amount, reference, paid_on, note


@transaction.atomic
def payout_record(
    *,
    organization: Organization,
    actor: User,
    amount: int,
    reference: str,
    paid_on: datetime.date,
    note: str = "",
) -> Payout:
    """Record a payout sent to a Posyantek's payout account: a Payout (the account copied as
    it is now) and a `payout` ledger entry of −amount, available at once. Platform staff only
    (PermissionDenied); a Posyantek with a payout account (InvalidInput); never more than the
    available balance (Conflict "insufficient_balance"); one payout per reference (Conflict
    "duplicate_reference"). Its owners and managers are told by e-mail after the commit."""
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff record payouts."))
    amount, reference, paid_on, note = _clean_input(
        amount=amount, reference=reference, paid_on=paid_on, note=note
    )
    # The lock that serialises payouts of one Posyantek.
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.kind != Organization.Kind.POSYANTEK:
        raise InvalidInput(_("Payouts go to Posyantek only."), code="not_posyantek")
    if not (
        locked.payout_bank_name and locked.payout_account_number and locked.payout_account_holder
    ):
        raise InvalidInput(
            _("This Posyantek has not given its payout bank account yet."),
            code="no_payout_account",
        )
    if Payout.objects.filter(organization=locked, reference=reference).exists():
        raise Conflict(
            _("A payout with this reference is already recorded."), code="duplicate_reference"
        )
    available = ledger_balance(organization=locked).available
    if amount > available:
        raise Conflict(
            _("Only %(available)s is available for payout.")
            % {"available": format_rupiah(max(available, 0))},
            code="insufficient_balance",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                organization=locked,
                amount=amount,
                reference=reference,
                paid_on=paid_on,
                bank_name=locked.payout_bank_name,
                account_number=locked.payout_account_number,
                account_holder=locked.payout_account_holder,
                note=note,
                recorded_by=actor,
            )
    except IntegrityError:  # pragma: no cover - the lock above makes this a race only in theory
        raise Conflict(
            _("A payout with this reference is already recorded."), code="duplicate_reference"
        ) from None
    LedgerEntry.objects.create(
        organization=locked,
        kind=LedgerEntry.Kind.PAYOUT,
        status=LedgerEntry.Status.AVAILABLE,
        amount=-amount,
        payout=payout,
        available_at=now,
        note=reference,
    )
    payout_id = payout.pk
    transaction.on_commit(lambda: payout_notify(payout_id))
    return payout


def _finances_url(organization: Organization) -> str:
    try:
        path = reverse("orders:finances", args=[organization.slug])
    except NoReverseMatch:
        path = f"/organisasi/{organization.slug}/keuangan/"
    return f"{settings.SITE_URL}{path}"


def payout_notify(payout_id: int) -> int:
    """E-mail a payout to the Posyantek's active owners and managers (Bahasa Indonesia).
    Returns the number of messages sent."""
    payout = Payout.objects.select_related("organization").filter(pk=payout_id).first()
    if payout is None:
        return 0
    organization = payout.organization
    to = list(
        dict.fromkeys(
            Membership.objects.filter(
                organization=organization,
                role__in=(Role.OWNER, Role.MANAGER),
                user__is_active=True,
            )
            .order_by("pk")
            .values_list("user__email", flat=True)
        )
    )
    if not to:
        return 0
    return send_templated_email(
        to=to,
        template=TEMPLATE,
        context={
            "payout": payout,
            "organization": organization,
            "account_tail": payout.account_number[-4:],
            "balance": ledger_balance(organization=organization),
            "link": _finances_url(organization),
        },
        language=LANGUAGE,
    )
