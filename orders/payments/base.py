"""The one interface every payment provider implements (DESIGN.md, orders: Payment).

A provider adapter knows how to talk to one way of moving money — the platform's bank account,
Stripe, later Midtrans or Xendit — and nothing about orders. It does four things:

- `start_attempt`: what the buyer needs to pay one PaymentAttempt (transfer instructions, or a
  redirect URL) and until when;
- `parse_notification`: turn an incoming notification (a signed webhook body, or for a bank
  transfer the staff's confirmation) into a normalised ProviderEvent — or raise
  InvalidNotification (400) when the signature or body is wrong;
- `fetch_status`: the provider's current view of an attempt (a re-check when a webhook is late);
- `refund`: send money back, with an idempotency key, and say where that stands.

orders.services.payments.payment_apply_event is the only code that applies a ProviderEvent to
a Payment, so a new provider (Stripe in issue 10, Midtrans/Xendit later) is a new module here
plus a line in settings.PAYMENT_PROVIDERS — no change in orders' services, models or pages.
A webhook view stores the event once by (provider, event_id), then calls
payment_apply_event; refunds are applied by orders.services.refunds.refund_submit.

Money is whole Rupiah everywhere here: an adapter converts its provider's minor units
(Stripe counts IDR in hundredths) before it builds a ProviderEvent.
"""

import datetime
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

if TYPE_CHECKING:  # pragma: no cover
    from orders.models import Payment, PaymentAttempt, Refund

# ProviderEvent.kind values.
SUCCEEDED = "succeeded"
FAILED = "failed"
EXPIRED = "expired"
REFUND_SUCCEEDED = "refund_succeeded"
IGNORED = "ignored"
EVENT_KINDS = (SUCCEEDED, FAILED, EXPIRED, REFUND_SUCCEEDED, IGNORED)


@dataclass(frozen=True)
class AttemptStart:
    """What start_attempt returns; stored on the PaymentAttempt."""

    expires_at: datetime.datetime | None
    # Shown to the buyer (bank transfer: bank_name, account_number, account_holder, amount,
    # code, expires_at); {} for a redirect.
    instructions: dict
    redirect_url: str = ""
    provider_reference: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A normalised incoming notification."""

    provider: str  # a Provider value
    event_id: str  # unique per provider: the dedup key of a stored webhook event
    kind: str  # one of EVENT_KINDS
    attempt_id: int | None  # our PaymentAttempt pk, when the provider carries it
    provider_reference: str  # the attempt's provider reference, else ""
    amount: int | None  # whole Rupiah received (already converted)
    currency: str  # "IDR"
    occurred_at: datetime.datetime
    reference: str = ""  # the bank's or the charge's reference
    refund_reference: str = ""
    actor_id: int | None = None  # the staff user who confirmed a transfer
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttemptStatus:
    """What fetch_status returns."""

    status: str  # a PaymentAttempt.Status value
    amount: int | None
    currency: str
    reference: str = ""


@dataclass(frozen=True)
class RefundResult:
    """What refund returns."""

    status: str  # a Refund.Status value: succeeded | pending_manual | requested | failed
    reference: str = ""
    failure_reason: str = ""


class InvalidNotification(ApplicationError):
    """A notification whose signature or body is wrong (400): never applied."""

    status_code = 400
    default_message = _("This payment notification is not valid.")
    default_code = "invalid_notification"


class PaymentProvider(ABC):
    """One adapter per provider. Instances hold no per-request state (they are cached)."""

    name: str  # a Provider value
    method: str  # the PaymentMethod it serves

    def is_available(self) -> bool:
        """Whether buyers may choose it now (e.g. its keys or account are configured)."""
        return True

    @abstractmethod
    def start_attempt(self, *, payment: "Payment", attempt: "PaymentAttempt") -> AttemptStart:
        """What the buyer needs to pay `attempt` (saved by the caller; its pk is set)."""

    @abstractmethod
    def parse_notification(
        self, *, body: Mapping[str, Any], headers: Mapping[str, str]
    ) -> ProviderEvent:
        """Verify and normalise a notification; InvalidNotification when it is not valid."""

    @abstractmethod
    def fetch_status(self, *, attempt: "PaymentAttempt") -> AttemptStatus:
        """The provider's current view of an attempt."""

    @abstractmethod
    def refund(self, *, refund: "Refund", idempotency_key: str) -> RefundResult:
        """Send `refund.total_amount` back; called again with the same key it never refunds
        twice."""
