"""Bank transfer to the platform's collection account (DESIGN.md, orders: Bank transfer).

The buyer transfers exactly the amount due to settings.PLATFORM_BANK_* with the payment code
in the description; platform staff see the money in the bank and confirm it. There is no
provider to call: the staff's confirmation is this provider's "notification"
(orders.services.transfers.payment_transfer_confirm builds it), and a refund is sent by a
person (pending_manual until staff record the outgoing transfer).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone

from orders.models import PaymentMethod, Provider, Refund
from orders.payments.base import (
    SUCCEEDED,
    AttemptStart,
    AttemptStatus,
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    RefundResult,
)


def received_at(received_on: datetime.date, *, now: datetime.datetime | None = None):
    """When money that arrived on `received_on` counts as received: now for today, else the
    end of that day (Asia/Jakarta)."""
    now = now or timezone.now()
    if received_on >= timezone.localdate(now):
        return now
    end = datetime.datetime.combine(received_on, datetime.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_default_timezone())


class BankTransferProvider(PaymentProvider):
    name = Provider.BANK_TRANSFER
    method = PaymentMethod.BANK_TRANSFER

    def is_available(self) -> bool:
        """Offered only when the collection account is fully configured."""
        return bool(
            settings.PLATFORM_BANK_NAME
            and settings.PLATFORM_BANK_ACCOUNT_NUMBER
            and settings.PLATFORM_BANK_ACCOUNT_HOLDER
        )

    def start_attempt(self, *, payment, attempt) -> AttemptStart:
        """The transfer instructions: the platform's account, the exact amount due and the
        code to write in the transfer description. Expires with the payment."""
        expires_at = payment.expires_at
        return AttemptStart(
            expires_at=expires_at,
            instructions={
                "bank_name": settings.PLATFORM_BANK_NAME,
                "account_number": settings.PLATFORM_BANK_ACCOUNT_NUMBER,
                "account_holder": settings.PLATFORM_BANK_ACCOUNT_HOLDER,
                "amount": int(payment.amount_due_amount),
                "code": payment.code,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )

    def parse_notification(
        self, *, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> ProviderEvent:
        """`body` is the staff confirmation {attempt_id, amount, reference, received_on,
        actor_id}; the event id is "transfer:<attempt_id>:<reference>", so the same transfer
        confirmed twice is one event."""
        if not isinstance(body, Mapping):
            raise InvalidNotification()
        attempt_id = body.get("attempt_id")
        amount = body.get("amount")
        reference = body.get("reference")
        received_on = body.get("received_on")
        actor_id = body.get("actor_id")
        if (
            isinstance(attempt_id, bool)
            or not isinstance(attempt_id, int)
            or isinstance(amount, bool)
            or not isinstance(amount, int)
            or amount < 0
            or not isinstance(reference, str)
            or not reference.strip()
            or not isinstance(received_on, datetime.date)
            or isinstance(received_on, datetime.datetime)
            or (actor_id is not None and not isinstance(actor_id, int))
        ):
            raise InvalidNotification()
        reference = reference.strip()
        return ProviderEvent(
            provider=self.name,
            event_id=f"transfer:{attempt_id}:{reference}",
            kind=SUCCEEDED,
            attempt_id=attempt_id,
            provider_reference="",
            amount=amount,
            currency="IDR",
            occurred_at=received_at(received_on),
            reference=reference,
            actor_id=actor_id,
            raw=dict(body),
        )

    def fetch_status(self, *, attempt) -> AttemptStatus:
        """Nothing to ask: the attempt's own status (staff confirm transfers here)."""
        return AttemptStatus(
            status=attempt.status,
            amount=attempt.received_amount,
            currency=attempt.currency,
        )

    def refund(self, *, refund, idempotency_key: str) -> RefundResult:
        """A person sends it: the buyer gives an account, staff transfer and record it."""
        return RefundResult(status=Refund.Status.PENDING_MANUAL)
