"""Stripe (cards) through Checkout Sessions (DESIGN.md, orders: Payment — Stripe).

- `start_attempt` creates one Checkout Session per PaymentAttempt with the attempt's
  idempotency key (`payment:<id>:attempt:<n>`), so a retried start never makes two; the
  payment and attempt ids ride in the metadata of the session and of its PaymentIntent.
- `parse_notification` verifies `Stripe-Signature` on the raw body
  (stripe.Webhook.construct_event) and normalises the event; `event_from_payload` rebuilds the
  same ProviderEvent from a stored event (no second signature check).
- `fetch_status` retrieves the session (a re-check when a webhook is late);
  `expire_session` ends an open one; `refund` / `fetch_refund` send and follow a refund.

Money is whole Rupiah everywhere else: Stripe counts IDR in hundredths, so Rp 150.000 is
`15000000` there (`to_stripe_amount` / `from_stripe_amount`). A client is built per call from
settings (STRIPE_SECRET_KEY, STRIPE_API_VERSION pinned, STRIPE_API_BASE,
STRIPE_MAX_NETWORK_RETRIES), so changing settings takes effect at once.
"""

import datetime
import json
import logging
from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from orders.models import PaymentAttempt, PaymentMethod, Provider, Refund
from orders.payments.base import (
    EXPIRED,
    FAILED,
    IGNORED,
    REFUND_SUCCEEDED,
    SUCCEEDED,
    AttemptStart,
    AttemptStatus,
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    RefundResult,
)

logger = logging.getLogger(__name__)

MINOR_PER_RUPIAH = 100  # IDR is a two-decimal currency at Stripe
SESSION_MIN = datetime.timedelta(minutes=30)  # Stripe: expires_at 30 min to 24 h from now
SESSION_MAX = datetime.timedelta(hours=24)
# Margins inside Stripe's bounds: our clock and Stripe's differ by a little.
SESSION_MIN_SAFE = SESSION_MIN + datetime.timedelta(minutes=1)
SESSION_MAX_SAFE = SESSION_MAX - datetime.timedelta(minutes=5)


class ProviderUnavailable(ApplicationError):
    """Stripe could not be reached or refused the call: nothing changed, try again."""

    status_code = 503
    default_message = _("Card payments are not available right now. Try again in a moment.")
    default_code = "provider_unavailable"


def to_stripe_amount(rupiah: int) -> int:
    """Whole Rupiah → Stripe's IDR minor units (Rp 150.000 → 15000000)."""
    if isinstance(rupiah, bool) or not isinstance(rupiah, int) or rupiah < 0:
        raise ValueError(f"not a whole Rupiah amount: {rupiah!r}")
    return rupiah * MINOR_PER_RUPIAH


def from_stripe_amount(minor: int) -> int:
    """Stripe's IDR minor units → whole Rupiah (15000000 → Rp 150.000); ValueError for an
    amount that is not whole Rupiah (or not an amount at all)."""
    if isinstance(minor, bool) or not isinstance(minor, int) or minor < 0:
        raise ValueError(f"not a Stripe amount: {minor!r}")
    if minor % MINOR_PER_RUPIAH:
        raise ValueError(f"not whole Rupiah: {minor!r}")
    return minor // MINOR_PER_RUPIAH


def _rupiah_received(minor: Any) -> int | None:
    """What arrived, in whole Rupiah, never counting money that did not come: a fraction of a
    Rupiah is dropped (the amount then no longer matches, and the payment goes to review)."""
    if isinstance(minor, bool) or not isinstance(minor, int) or minor < 0:
        return None
    try:
        return from_stripe_amount(minor)
    except ValueError:
        return minor // MINOR_PER_RUPIAH


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _id(value: Any) -> str:
    """An object's id whether Stripe sent it as an id or expanded it."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def _when(timestamp: Any) -> datetime.datetime:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and timestamp > 0:
        try:
            return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            pass
    return timezone.now()


def _plain(obj: Any) -> dict:
    """A Stripe object as plain JSON values."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    return dict(obj or {})


class StripeProvider(PaymentProvider):
    name = Provider.STRIPE
    method = PaymentMethod.CARD

    def is_available(self) -> bool:
        """Offered only when both the secret key and the webhook secret are set."""
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    # --- the API --------------------------------------------------------------------------

    def client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderUnavailable()
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=settings.STRIPE_API_VERSION,
            base_addresses=base,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )

    def _call(self, what: str, call):
        try:
            return _plain(call(self.client()))
        except stripe.StripeError as error:
            logger.warning("Stripe %s failed: %s", what, error)
            raise ProviderUnavailable() from error

    # --- attempts -------------------------------------------------------------------------

    def session_expires_at(self, payment, *, now: datetime.datetime | None = None):
        """No later than the payment's expiry, within Stripe's 30 min – 24 h (a card attempt
        extended the payment to at least 35 minutes from now first)."""
        now = now or timezone.now()
        latest = now + SESSION_MAX_SAFE
        expires_at = min(payment.expires_at, latest) if payment.expires_at else latest
        return max(expires_at, now + SESSION_MIN_SAFE)

    def start_attempt(self, *, payment, attempt) -> AttemptStart:
        """A Checkout Session for the attempt's amount (created with its idempotency key)."""
        expires_at = self.session_expires_at(payment)
        metadata = {
            "payment_id": str(payment.pk),
            "attempt_id": str(attempt.pk),
            "payment_code": payment.code,
        }
        page = f"{settings.SITE_URL}/pembayaran/{payment.code}/"
        params = {
            "mode": "payment",
            "payment_method_types": ["card"],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "idr",
                        "unit_amount": to_stripe_amount(int(attempt.amount_amount)),
                        "product_data": {"name": f"Pembayaran {payment.code}"},
                    },
                }
            ],
            "client_reference_id": str(payment.pk),
            "metadata": metadata,
            "payment_intent_data": {
                "metadata": metadata,
                "description": f"Pembayaran {payment.code}",
            },
            "expires_at": int(expires_at.timestamp()),
            "success_url": f"{page}?stripe=return&session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{page}?stripe=cancel",
        }
        session = self._call(
            "checkout session create",
            lambda client: client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": attempt.idempotency_key}
            ),
        )
        return AttemptStart(
            expires_at=_when(session.get("expires_at")),
            instructions={},
            redirect_url=session.get("url") or "",
            provider_reference=session["id"],
        )

    def fetch_status(self, *, attempt) -> AttemptStatus:
        """The session as Stripe sees it now: paid → succeeded (with what was received),
        expired → expired, otherwise pending."""
        if not attempt.provider_reference:
            return AttemptStatus(status=attempt.status, amount=None, currency=attempt.currency)
        session = self._call(
            "checkout session retrieve",
            lambda client: client.v1.checkout.sessions.retrieve(attempt.provider_reference),
        )
        currency = str(session.get("currency") or "").upper()
        reference = _id(session.get("payment_intent"))
        if session.get("payment_status") == "paid":
            return AttemptStatus(
                status=PaymentAttempt.Status.SUCCEEDED,
                amount=_rupiah_received(session.get("amount_total")),
                currency=currency,
                reference=reference,
            )
        if session.get("status") == "expired":
            status = PaymentAttempt.Status.EXPIRED
        else:
            status = PaymentAttempt.Status.PENDING
        return AttemptStatus(status=status, amount=None, currency=currency, reference=reference)

    def expire_session(self, *, attempt) -> AttemptStatus:
        """End an open session at Stripe (a stale attempt), then say where it stands: a
        session paid meanwhile cannot be expired and comes back succeeded."""
        if attempt.provider_reference:
            try:
                self.client().v1.checkout.sessions.expire(attempt.provider_reference)
            except stripe.StripeError as error:
                # Already complete or expired: the re-check below tells which.
                logger.info("Stripe session expire refused: %s", error)
        return self.fetch_status(attempt=attempt)

    # --- notifications --------------------------------------------------------------------

    def parse_notification(
        self, *, body: bytes | str, headers: Mapping[str, str] | None = None
    ) -> ProviderEvent:
        """Verify the signature on the raw body (InvalidNotification — 400 — when the
        header is missing, the signature or secret is wrong, or the timestamp is older than
        the tolerance), then normalise the event."""
        secret = settings.STRIPE_WEBHOOK_SECRET
        header = (headers or {}).get("Stripe-Signature") or ""
        if not secret or not header or not isinstance(body, bytes | str):
            raise InvalidNotification()
        try:
            stripe.Webhook.construct_event(
                body,
                header,
                secret,
                tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
                api_key=settings.STRIPE_SECRET_KEY or "sk_unused",
            )
            payload = json.loads(body)
        except Exception as error:  # bad signature or body in any shape: never a 500
            raise InvalidNotification() from error
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("id"), str)
            or not payload["id"]
            or len(payload["id"]) > 255
            or not isinstance(payload.get("type"), str)
        ):
            raise InvalidNotification()
        return self.event_from_payload(payload)

    def event_from_payload(self, payload: Mapping[str, Any]) -> ProviderEvent:
        """The ProviderEvent of a (verified or stored) Stripe event. Unknown types, and shapes
        this cannot read, are `ignored`."""
        event_type = str(payload.get("type") or "")
        data = payload.get("data") if isinstance(payload.get("data"), Mapping) else {}
        obj = data.get("object") if isinstance(data.get("object"), Mapping) else {}
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        common = {
            "provider": self.name,
            "event_id": str(payload.get("id") or ""),
            "attempt_id": _int(metadata.get("attempt_id")),
            "currency": str(obj.get("currency") or "").upper() or "IDR",
            "occurred_at": _when(payload.get("created")),
            "raw": dict(payload),
        }
        kind, amount, provider_reference, reference = IGNORED, None, "", ""
        refund_reference = ""
        if event_type.startswith("checkout.session."):
            provider_reference = _id(obj)
            reference = _id(obj.get("payment_intent"))
            paid = obj.get("payment_status") == "paid"
            if event_type == "checkout.session.async_payment_succeeded" or (
                event_type == "checkout.session.completed" and paid
            ):
                kind, amount = SUCCEEDED, _rupiah_received(obj.get("amount_total"))
            elif event_type == "checkout.session.async_payment_failed":
                kind = FAILED
            elif event_type == "checkout.session.expired":
                kind = EXPIRED
        elif event_type.startswith("payment_intent."):
            reference = _id(obj)
            if event_type == "payment_intent.succeeded":
                kind, amount = SUCCEEDED, _rupiah_received(obj.get("amount_received"))
            elif event_type == "payment_intent.payment_failed" and obj.get("status") == "canceled":
                # In Checkout a declined card leaves the session open (the intent needs
                # another payment method) and the buyer may try another card: the attempt
                # only fails when the intent is finished with.
                kind = FAILED
        elif event_type == "charge.refunded":
            kind = REFUND_SUCCEEDED
            reference = _id(obj.get("payment_intent"))
            refunds = obj.get("refunds") if isinstance(obj.get("refunds"), Mapping) else {}
            listed = refunds.get("data") if isinstance(refunds.get("data"), list) else []
            refund_reference = next((_id(item) for item in listed if _id(item)), "")
            amount = _rupiah_received(obj.get("amount_refunded"))
        if kind == FAILED:
            error = obj.get("last_payment_error")
            if isinstance(error, Mapping) and isinstance(error.get("message"), str):
                common["raw"] = {**common["raw"], "failure_reason": error["message"]}
        if kind == IGNORED:
            common["attempt_id"] = None
        return ProviderEvent(
            kind=kind,
            amount=amount,
            provider_reference=provider_reference if kind != IGNORED else "",
            reference=reference,
            refund_reference=refund_reference,
            **common,
        )

    def payment_intent_metadata(self, payment_intent_id: str) -> dict:
        """The metadata we put on a PaymentIntent (payment_id, attempt_id)."""
        intent = self._call(
            "payment intent retrieve",
            lambda client: client.v1.payment_intents.retrieve(payment_intent_id),
        )
        return dict(intent.get("metadata") or {})

    # --- refunds --------------------------------------------------------------------------

    def _payment_intent(self, refund) -> str:
        """The PaymentIntent the refunded money came by: the payment's received reference,
        else the session of its succeeded card attempt."""
        reference = refund.payment.received_reference or ""
        if reference.startswith("pi_"):
            return reference
        attempt = (
            PaymentAttempt.objects.filter(
                payment_id=refund.payment_id,
                provider=self.name,
                status=PaymentAttempt.Status.SUCCEEDED,
            )
            .order_by("-number")
            .first()
        )
        if attempt is None or not attempt.provider_reference:
            return ""
        session = self._call(
            "checkout session retrieve",
            lambda client: client.v1.checkout.sessions.retrieve(attempt.provider_reference),
        )
        return _id(session.get("payment_intent"))

    @staticmethod
    def _refund_result(obj: Mapping[str, Any]) -> RefundResult:
        status = obj.get("status")
        reference = _id(obj)
        if status == "succeeded":
            return RefundResult(status=Refund.Status.SUCCEEDED, reference=reference)
        if status in ("failed", "canceled"):
            reason = str(obj.get("failure_reason") or status)
            return RefundResult(
                status=Refund.Status.FAILED, reference=reference, failure_reason=reason
            )
        return RefundResult(status=Refund.Status.REQUESTED, reference=reference)

    def refund(self, *, refund, idempotency_key: str) -> RefundResult:
        """Refund through Stripe with the refund's idempotency key: succeeded, requested
        (pending at Stripe: `charge.refunded` or a re-check finishes it) or failed. A refund
        already sent (its re_… reference known) is only looked up, never sent again.
        ProviderUnavailable when Stripe cannot be reached (the beat tries again)."""
        if refund.provider_reference:
            return self.fetch_refund(refund=refund)
        payment_intent = self._payment_intent(refund)
        if not payment_intent:
            return RefundResult(
                status=Refund.Status.FAILED,
                failure_reason=str(_("No card payment was found to refund.")),
            )
        params = {
            "payment_intent": payment_intent,
            "amount": to_stripe_amount(int(refund.total_amount)),
            "metadata": {"refund_id": str(refund.pk), "payment_id": str(refund.payment_id)},
        }
        try:
            created = self.client().v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except (stripe.InvalidRequestError, stripe.CardError) as error:
            # Stripe refused it for good (e.g. already refunded, amount too large).
            logger.warning("Stripe refund %s refused: %s", refund.pk, error)
            return RefundResult(
                status=Refund.Status.FAILED, failure_reason=str(error.user_message or error)
            )
        except stripe.StripeError as error:
            logger.warning("Stripe refund %s failed: %s", refund.pk, error)
            raise ProviderUnavailable() from error
        return self._refund_result(_plain(created))

    def fetch_refund(self, *, refund) -> RefundResult:
        """Where a card refund stands at Stripe: by its reference, else found among the
        PaymentIntent's refunds by metadata.refund_id; requested when Stripe has none."""
        if refund.provider_reference:
            found = self._call(
                "refund retrieve",
                lambda client: client.v1.refunds.retrieve(refund.provider_reference),
            )
            return self._refund_result(found)
        payment_intent = self._payment_intent(refund)
        if not payment_intent:
            return RefundResult(status=Refund.Status.REQUESTED)
        listed = self._call(
            "refund list",
            lambda client: client.v1.refunds.list(
                params={"payment_intent": payment_intent, "limit": 100}
            ),
        )
        for item in listed.get("data") or []:
            if str((item.get("metadata") or {}).get("refund_id")) == str(refund.pk):
                return self._refund_result(item)
        return RefundResult(status=Refund.Status.REQUESTED)
