"""Who hears about an order event, and the e-mail they get (DESIGN.md: notifications by e-mail,
each with a WhatsApp link to the other party). orders.tasks.order_event_notify calls
`order_event_send` once the event's transaction has committed.

At most one message set per event: the event is claimed first with a conditional UPDATE of
`notified_at`; a second run (a retried task, a twin worker) finds it claimed and sends nothing.

Audiences: **buyer** — order.buyer.email (if active) and order.contact_email; **seller members**
— the selling Posyantek's active owners, managers and staff; **seller managers** — its active
owners and managers; **platform staff** — active is_staff users. Buyers get a link to
/pesanan/<number>/ and a WhatsApp link to the Posyantek; the Posyantek gets a link to its
order desk and a WhatsApp link to the order's contact phone; platform staff get the staff
dispute desk and WhatsApp links to both.

| event (kind; from → to)              | who gets it                           | template         |
|--------------------------------------|---------------------------------------|------------------|
| "" → pending_payment (checkout)      | nobody (checkout shows how to pay)    | —                |
| "" → placed_on_terms                 | seller members                        | new_order        |
|                                      | buyer, though it placed it (due date) | terms_placed     |
| → paid (also a late payment)         | seller members ("accept it")          | new_order        |
| → processing                         | buyer                                 | accepted         |
| → shipped                            | buyer (courier, tracking number)      | shipped          |
| → delivered                          | buyer (confirm or report in N days)   | delivered        |
| delivered → completed, by the buyer  | seller managers                       | completed        |
| delivered → completed, automatically | seller managers and buyer             | completed        |
| → cancelled, by the buyer side       | seller members (terms) / managers     | cancelled        |
| → cancelled, by a seller member      | buyer (the refund, if it was paid)    | cancelled        |
| → cancelled, by platform staff       | buyer and seller managers             | cancelled        |
| → expired                            | buyer                                 | expired          |
| → in_dispute                         | seller managers, platform staff       | dispute_opened   |
| dispute_answered                     | buyer                                 | dispute_answered |
| dispute_resolved (refund decided)    | buyer and seller managers             | dispute_resolved |
| in_dispute → completed (no refund)   | buyer and seller managers             | dispute_resolved |
| → refunded / partially_refunded      | buyer                                 | refunded         |

N is ORDER_AUTO_COMPLETE_DAYS. Seller members are notified of a buyer's cancellation only when
the order was on terms (they were told of it); of an unpaid one, its owners and managers.

Nobody gets a mail about their own action: the actor's address is dropped from every list,
and when the actor is on the buyer side the buyer's message is not sent at all (the contact
e-mail belongs to the same side) — except the confirmation of an order on terms.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from accounts.permissions import is_member
from accounts.phone import normalize_phone, whatsapp_link
from core.emails import send_templated_email
from orders.models import Dispute, Order, OrderEvent, PaymentEvent, Refund
from orders.permissions import is_buyer_side

Status = Order.Status
Kind = OrderEvent.Kind

LANGUAGE = "id"  # DESIGN.md: e-mails in Bahasa Indonesia
TEMPLATES = "orders/email"

BUYER = "buyer"
SELLER = "seller"
STAFF = "staff"

SELLER_MEMBERS = (Role.OWNER, Role.MANAGER, Role.STAFF)
SELLER_MANAGERS = (Role.OWNER, Role.MANAGER)


@dataclass(frozen=True)
class Message:
    """One e-mail of an event's set: a template for an audience and its addresses."""

    template: str
    audience: str  # BUYER | SELLER | STAFF: which link and WhatsApp number it carries
    to: list[str]


# --- Public -----------------------------------------------------------------------------------


def order_event_send(event_id: int) -> int:
    """Send the messages of one order event, at most once. Returns how many were sent (0 if
    the event is gone, already claimed, or concerns nobody)."""
    now = timezone.now()
    claimed = OrderEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return 0
    event = (
        OrderEvent.objects.select_related(
            "actor", "order", "order__seller", "order__buyer", "order__payment"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:  # pragma: no cover - deleted between the claim and the read
        return 0
    messages = order_event_messages(event)
    sent = 0
    context = _context(event)
    for message in messages:
        try:
            sent += send_templated_email(
                to=message.to,
                template=f"{TEMPLATES}/{message.template}",
                context={**context, **_audience_context(event.order, message.audience)},
                language=LANGUAGE,
            )
        except OSError:
            if sent == 0:
                # Nothing went out: give the claim back so the task's retry sends the set.
                OrderEvent.objects.filter(pk=event_id, notified_at=now).update(notified_at=None)
            raise
    return sent


def order_event_messages(event: OrderEvent) -> list[Message]:
    """The messages an event calls for (see the module's table), with the actor dropped."""
    order = event.order
    actor = event.actor
    buyer_acted = actor is not None and is_buyer_side(actor, order)
    plan = _plan(event, buyer_acted=buyer_acted)
    messages = []
    for template, audience in plan:
        to = _addresses(order, audience, event=event, template=template)
        if template == "terms_placed":
            pass  # the buyer's own record of what it agreed to (and the due date)
        elif audience == BUYER and buyer_acted:
            continue
        else:
            to = _without(to, actor)
        if to:
            messages.append(Message(template=template, audience=audience, to=to))
    return messages


# --- Who ------------------------------------------------------------------------------------


def _plan(event: OrderEvent, *, buyer_acted: bool) -> list[tuple[str, str]]:
    """(template, audience) pairs; the seller audience's exact roles come from _addresses."""
    to = event.to_status
    came_from = event.from_status
    if event.kind == Kind.DISPUTE_ANSWERED:
        return [("dispute_answered", BUYER)]
    if event.kind == Kind.DISPUTE_RESOLVED:
        return [("dispute_resolved", BUYER), ("dispute_resolved", SELLER)]
    if to == Status.PLACED_ON_TERMS and not came_from:
        return [("new_order", SELLER), ("terms_placed", BUYER)]
    if to == Status.PAID:
        return [("new_order", SELLER)]
    if to == Status.PROCESSING:
        return [("accepted", BUYER)]
    if to == Status.SHIPPED:
        return [("shipped", BUYER)]
    if to == Status.DELIVERED:
        return [("delivered", BUYER)]
    if to == Status.COMPLETED and came_from == Status.IN_DISPUTE:
        return [("dispute_resolved", BUYER), ("dispute_resolved", SELLER)]
    if to == Status.COMPLETED:
        if event.actor_id is None:
            return [("completed", SELLER), ("completed", BUYER)]
        return [("completed", SELLER)]
    if to == Status.CANCELLED:
        if buyer_acted:
            return [("cancelled", SELLER)]
        if event.actor is not None and is_member(event.actor, event.order.seller):
            return [("cancelled", BUYER)]
        return [("cancelled", BUYER), ("cancelled", SELLER)]
    if to == Status.EXPIRED:
        return [("expired", BUYER)]
    if to == Status.IN_DISPUTE:
        return [("dispute_opened", SELLER), ("dispute_opened", STAFF)]
    if to in (Status.REFUNDED, Status.PARTIALLY_REFUNDED):
        return [("refunded", BUYER)]
    return []  # "" → pending_payment, and anything new: nobody


def _addresses(order: Order, audience: str, *, event: OrderEvent, template: str) -> list[str]:
    if audience == BUYER:
        buyer = order.buyer
        return _unique([buyer.email if buyer.is_active else "", order.contact_email])
    if audience == STAFF:
        return _unique(
            User.objects.filter(is_staff=True, is_active=True)
            .order_by("pk")
            .values_list("email", flat=True)
        )
    roles = SELLER_MANAGERS
    if template == "new_order" or (
        template == "cancelled" and event.from_status == Status.PLACED_ON_TERMS
    ):
        roles = SELLER_MEMBERS  # the people who were told of the order, or who fulfil it
    return _unique(
        Membership.objects.filter(
            organization_id=order.seller_id, role__in=roles, user__is_active=True
        )
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def _unique(emails: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for email in emails:
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return list(seen.values())


def _without(emails: list[str], actor: User | None) -> list[str]:
    if actor is None:
        return emails
    return [email for email in emails if email.lower() != (actor.email or "").lower()]


# --- What -----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _buyer_url(order: Order) -> str:
    return _absolute(reverse("orders:order_detail", args=[order.number]))


def _seller_url(order: Order) -> str:
    """The order on the Posyantek's order desk."""
    return _absolute(reverse("orders:desk_detail", args=[order.seller.slug, order.number]))


def _staff_url(order: Order) -> str:
    """The order on the staff dispute desk."""
    return _absolute(reverse("order-staff:dispute-review", args=[order.number]))


def _whatsapp(raw: str, order: Order) -> str:
    try:
        number = normalize_phone(raw)
    except ValidationError:
        return ""
    with translation.override(LANGUAGE):
        text = _("About order %(number)s") % {"number": order.number}
    return whatsapp_link(number, text)


def _audience_context(order: Order, audience: str) -> dict:
    seller_whatsapp = _whatsapp(order.seller.whatsapp, order)
    buyer_whatsapp = _whatsapp(order.contact_phone, order)
    if audience == BUYER:
        return {
            "audience": audience,
            "link": _buyer_url(order),
            "whatsapp": seller_whatsapp,
            "whatsapp_name": order.seller.name,
        }
    if audience == SELLER:
        return {
            "audience": audience,
            "link": _seller_url(order),
            "whatsapp": buyer_whatsapp,
            "whatsapp_name": order.contact_name,
        }
    return {
        "audience": audience,
        "link": _staff_url(order),
        "whatsapp": buyer_whatsapp,
        "whatsapp_name": order.contact_name,
        "seller_whatsapp": seller_whatsapp,
        "seller_name": order.seller.name,
    }


def _context(event: OrderEvent) -> dict:
    order = event.order
    refund = order.refunds.order_by("-created_at", "-pk").first()
    return {
        "event": event,
        "order": order,
        "seller": order.seller,
        "refund": refund,
        "refund_succeeded": refund is not None and refund.status == Refund.Status.SUCCEEDED,
        "was_paid": event.from_status in (Status.PAID, Status.PROCESSING),
        "dispute": Dispute.objects.filter(order=order).first(),
        "auto_complete_days": settings.ORDER_AUTO_COMPLETE_DAYS,
        "automatic": event.actor_id is None,
    }


# --- Payment events ---------------------------------------------------------------------------
#
# | payment event (kind; to)                   | who gets it      | template                |
# |--------------------------------------------|------------------|-------------------------|
# | proof_rejected                             | buyer (reason)   | payment_proof_rejected  |
# | status → paid                              | buyer            | payment_confirmed       |
# | refund_pending (bank refund, no account)   | buyer            | refund_account_needed   |
# | refund_sent (a payment's own refund)       | buyer            | refund_sent             |
# | late_refunded (late money refunded)        | platform staff   | late_payment_refunded   |
#
# A refund of an order is told by the order's own "refunded" mail; refund_sent is for a
# payment's own refunds (late money, an overpayment, a payment refunded after review).


def payment_event_send(event_id: int) -> int:
    """Send the message of one payment event, at most once (claimed as order events are).
    Returns how many were sent."""
    from orders.models import PaymentEvent

    now = timezone.now()
    claimed = PaymentEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return 0
    event = (
        PaymentEvent.objects.select_related("actor", "payment", "payment__buyer")
        .filter(pk=event_id)
        .first()
    )
    if event is None:  # pragma: no cover - deleted between the claim and the read
        return 0
    plan = _payment_plan(event)
    if plan is None:
        return 0
    template, audience = plan
    context = _payment_context(event, audience)
    to = _without(_payment_addresses(event, audience, context), event.actor)
    if not to:
        return 0
    try:
        return send_templated_email(
            to=to, template=f"{TEMPLATES}/{template}", context=context, language=LANGUAGE
        )
    except OSError:
        PaymentEvent.objects.filter(pk=event_id, notified_at=now).update(notified_at=None)
        raise


def _payment_plan(event) -> tuple[str, str] | None:
    from orders.models import Payment, PaymentEvent

    if event.kind == PaymentEvent.Kind.PROOF_REJECTED:
        return ("payment_proof_rejected", BUYER)
    if event.kind == PaymentEvent.Kind.STATUS and event.to_status == Payment.Status.PAID:
        return ("payment_confirmed", BUYER)
    if event.kind == PaymentEvent.Kind.REFUND_PENDING:
        return ("refund_account_needed", BUYER)
    if event.kind == PaymentEvent.Kind.REFUND_SENT:
        return ("refund_sent", BUYER)
    if event.kind == PaymentEvent.Kind.LATE_REFUNDED:
        return ("late_payment_refunded", STAFF)
    return None


def _payment_addresses(event, audience: str, context: dict) -> list[str]:
    if audience == STAFF:
        return _unique(
            User.objects.filter(is_staff=True, is_active=True)
            .order_by("pk")
            .values_list("email", flat=True)
        )
    buyer = event.payment.buyer
    contacts = [order.contact_email for order in context["orders"]]
    return _unique([buyer.email if buyer.is_active else "", *contacts])


def _payment_link(payment, order: Order | None) -> str:
    """The payment page (orders:payment_detail) where it exists, else the order's page."""
    from django.urls import NoReverseMatch

    try:
        return _absolute(reverse("orders:payment_detail", args=[payment.code]))
    except NoReverseMatch:
        return _buyer_url(order) if order is not None else settings.SITE_URL


def _payment_context(event, audience: str) -> dict:
    from orders.models import Invoice

    payment = event.payment
    orders = list(payment.orders.select_related("seller").order_by("pk"))
    refunds = payment.refunds.select_related("order").order_by("-created_at", "-pk")
    refund = None
    if event.kind == PaymentEvent.Kind.REFUND_PENDING:
        refund = refunds.filter(status=Refund.Status.PENDING_MANUAL).first()
    elif event.kind == PaymentEvent.Kind.REFUND_SENT:
        refund = refunds.filter(order__isnull=True, status=Refund.Status.SUCCEEDED).first()
    elif event.kind == PaymentEvent.Kind.LATE_REFUNDED:
        refund = refunds.filter(order__isnull=True).first()
    order = refund.order if refund is not None and refund.order_id else None
    order = order or (orders[0] if orders else None)
    if audience == STAFF:
        link = _absolute(reverse("order-staff:transfer-review", args=[payment.code]))
    elif (
        event.kind in (PaymentEvent.Kind.REFUND_PENDING, PaymentEvent.Kind.REFUND_SENT)
        and order is not None
    ):
        link = _buyer_url(order)  # the account form is on the order page
    elif event.kind == "status":
        link = _buyer_url(order) if order is not None else _payment_link(payment, None)
    else:
        link = _payment_link(payment, order)
    return {
        "event": event,
        "payment": payment,
        "orders": orders,
        "order": order,
        "refund": refund,
        "audience": audience,
        "link": link,
        "invoices": list(
            Invoice.objects.filter(order__payment=payment, kind=Invoice.Kind.INVOICE).order_by("pk")
        ),
    }


# --- Terms payment reminders ------------------------------------------------------------------
#
# A terms order's payment reminder (TermsReminder: on the due date, then each week while
# overdue) goes to the buyer user and the buyer organisation's active owners and managers
# (template terms_reminder), with the transfer instructions and the payment page.


def terms_reminder_send(reminder_id: int, today: datetime.date | None = None) -> int:
    """E-mail one terms payment reminder, at most once: the row is claimed with a conditional
    UPDATE of `sent_at`; a second run finds it claimed and sends nothing. Nothing is sent when
    the order was paid or cancelled meanwhile. Returns how many messages were sent."""
    from orders.models import Invoice, TermsReminder
    from orders.selectors import terms_unpaid_q

    now = timezone.now()
    claimed = TermsReminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(sent_at=now)
    if not claimed:
        return 0
    reminder = (
        TermsReminder.objects.select_related(
            "order__seller", "order__buyer", "order__payment", "order__buyer_organization"
        )
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:  # pragma: no cover - deleted between the claim and the read
        return 0
    order = reminder.order
    if not Order.objects.filter(terms_unpaid_q(), pk=order.pk).exists():
        return 0  # paid (or cancelled) since the reminder was claimed
    to = _terms_reminder_addresses(order)
    if not to:
        return 0
    payment = order.payment
    invoice = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    context = {
        "order": order,
        "payment": payment,
        "seller": order.seller,
        "invoice": invoice,
        "due_date": order.due_date,
        # Counted on the day of the run that claimed it (Asia/Jakarta; today when queued
        # again), which may be later than its period's first day (a rejected transfer
        # proof, a missed beat run).
        "days_overdue": max(((today or timezone.localdate()) - order.due_date).days, 0),
        "bank_name": settings.PLATFORM_BANK_NAME,
        "account_number": settings.PLATFORM_BANK_ACCOUNT_NUMBER,
        "account_holder": settings.PLATFORM_BANK_ACCOUNT_HOLDER,
        "payment_link": _payment_link(payment, order),
        **_audience_context(order, BUYER),
    }
    try:
        return send_templated_email(
            to=to, template=f"{TEMPLATES}/terms_reminder", context=context, language=LANGUAGE
        )
    except OSError:
        # Nothing went out: give the claim back so the task's retry sends it.
        TermsReminder.objects.filter(pk=reminder_id, sent_at=now).update(sent_at=None)
        raise


def _terms_reminder_addresses(order: Order) -> list[str]:
    buyer = order.buyer
    managers = []
    if order.buyer_organization_id:
        managers = list(
            Membership.objects.filter(
                organization_id=order.buyer_organization_id,
                role__in=SELLER_MANAGERS,
                user__is_active=True,
            )
            .order_by("pk")
            .values_list("user__email", flat=True)
        )
    return _unique([buyer.email if buyer.is_active else "", *managers])
