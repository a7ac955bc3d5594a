"""Telling a Posyantek about a partner need that fits it (DESIGN.md: each Posyantek is told at
most once per need; notifications by e-mail, each with a WhatsApp link to the other party).

mitra.services.need_match_compute creates one NeedNotification per need and Posyantek — the
unique constraint makes it "once, ever" whatever the number of recomputes — and queues
mitra.tasks.need_notification_send_task after commit. `need_notification_send` claims the row
first with a conditional UPDATE of `sent_at`: a retried task or a twin worker finds it claimed
and sends nothing. If sending fails before anything went out, the claim is given back so the
task's retry sends it.

Who: the Posyantek's active owners and managers (those who answer needs). What: the need (what,
how much, how often, budget, deadline, where), why it fits (mitra.matching.explain, in
Bahasa Indonesia), a link to the need's page and a WhatsApp link to the partner.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.phone import whatsapp_link
from core.emails import send_templated_email
from mitra.models import Match, NeedNotification

LANGUAGE = "id"  # DESIGN.md: e-mails in Bahasa Indonesia
TEMPLATE = "mitra/email/need_matched"
SEPARATOR = " · "
RECIPIENT_ROLES = (Role.OWNER, Role.MANAGER)


def need_notification_send(notification_id: int) -> int:
    """Send the message of one notification, at most once. Returns how many were sent (0 if
    it is gone, already claimed, its need is no longer active, or the Posyantek has nobody
    to tell)."""
    now = timezone.now()
    claimed = NeedNotification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=now
    )
    if not claimed:
        return 0
    notification = (
        NeedNotification.objects.select_related(
            "posyantek",
            "need__organization",
            "need__category",
            "need__delivery_district__regency__province",
        )
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:  # pragma: no cover - deleted between the claim and the read
        return 0
    need = notification.need
    if not need.is_active:
        return 0  # closed or expired before we got to it: nothing to answer any more
    to = recipients(notification.posyantek_id)
    if not to:
        return 0
    try:
        return send_templated_email(
            to=to, template=TEMPLATE, context=_context(notification), language=LANGUAGE
        )
    except OSError:
        # Nothing went out: give the claim back so the task's retry sends it.
        NeedNotification.objects.filter(pk=notification_id, sent_at=now).update(sent_at=None)
        raise


def recipients(posyantek_id: int) -> list[str]:
    """The Posyantek's active owners and managers, each address once."""
    seen: dict[str, str] = {}
    emails = (
        Membership.objects.filter(
            organization_id=posyantek_id, role__in=RECIPIENT_ROLES, user__is_active=True
        )
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    for email in emails:
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return list(seen.values())


def need_link(need_id: int) -> str:
    try:
        path = reverse("mitra:detail", args=[need_id])
    except NoReverseMatch:  # the pages are not wired in this configuration
        path = f"/mitra/kebutuhan/{need_id}/"
    return f"{settings.SITE_URL}{path}"


def _context(notification: NeedNotification) -> dict:
    need = notification.need
    partner = need.organization
    posyantek = notification.posyantek
    match = (
        Match.objects.select_related("product")
        .filter(need=need, posyantek_id=notification.posyantek_id)
        .first()
    )
    with translation.override(LANGUAGE):
        explanation = ""
        if match is not None:
            from mitra.matching import explain

            explanation = SEPARATOR.join(str(part) for part in explain(match, need=need))
        text = _(
            "Hello %(partner)s, this is %(posyantek)s on Mitra TTG, about your need “%(title)s”."
        ) % {"partner": partner.name, "posyantek": posyantek.name, "title": need.title}
    return {
        "need": need,
        "partner": partner,
        "posyantek": posyantek,
        "match": match,
        "product": match.product if match is not None else None,
        "score": match.score if match is not None else notification.score,
        "explanation": explanation,
        "link": need_link(need.pk),
        "whatsapp": whatsapp_link(partner.whatsapp, text),
        "whatsapp_name": partner.name,
    }


# --- Proposals (helper P) ---------------------------------------------------------------------
# A new proposal → the partner organisation's owners and managers; accepted or rejected → the
# Posyantek's. Each with a WhatsApp link to the other party and a link to the proposal's page.

PROPOSAL_EVENTS = ("submitted", "accepted", "rejected")


def proposal_link(proposal_id: int) -> str:
    try:
        path = reverse("mitra:proposal_detail", args=[proposal_id])
    except NoReverseMatch:  # the pages are not wired in this configuration
        path = f"/mitra/penawaran/{proposal_id}/"
    return f"{settings.SITE_URL}{path}"


def proposal_notification_send(proposal_id: int, event: str) -> int:
    """E-mail one proposal's news (`event`: submitted, accepted, rejected) to the other
    party's owners and managers, at most once (the move's ProposalEvent is claimed first).
    Returns how many messages went out (0 if the proposal is gone, no longer in that status,
    already told, or nobody is there to tell)."""
    from mitra.models import Proposal, ProposalEvent

    if event not in PROPOSAL_EVENTS:
        return 0
    proposal = (
        Proposal.objects.select_related("need__organization", "posyantek", "order")
        .prefetch_related("lines__product")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or proposal.status != event:
        return 0
    claimed = ProposalEvent.objects.filter(proposal_id=proposal_id, to_status=event)
    if not _claim(claimed):
        return 0  # already told (a retried or twin task)
    need = proposal.need
    partner, posyantek = need.organization, proposal.posyantek
    to_partner = event == "submitted"
    to = recipients(partner.pk if to_partner else posyantek.pk)
    if not to:
        return 0
    lines = list(proposal.lines.all())
    with translation.override(LANGUAGE):
        if to_partner:
            text = _(
                "Hello %(posyantek)s, this is %(partner)s on Mitra TTG, about your proposal for "
                "“%(title)s”."
            ) % {"posyantek": posyantek.name, "partner": partner.name, "title": need.title}
            whatsapp = whatsapp_link(posyantek.whatsapp, text)
            other = posyantek
        else:
            text = _(
                "Hello %(partner)s, this is %(posyantek)s on Mitra TTG, about our proposal for "
                "your need “%(title)s”."
            ) % {"partner": partner.name, "posyantek": posyantek.name, "title": need.title}
            whatsapp = whatsapp_link(partner.whatsapp, text)
            other = partner
    context = {
        "proposal": proposal,
        "need": need,
        "partner": partner,
        "posyantek": posyantek,
        "lines": [
            {"line": line, "total": line.quantity * line.unit_price_amount} for line in lines
        ],
        "total": sum(line.quantity * line.unit_price_amount for line in lines)
        if lines
        else proposal.fee_amount,
        "order": proposal.order,
        "link": proposal_link(proposal.pk),
        "whatsapp": whatsapp,
        "whatsapp_name": other.name,
    }
    return _send_claimed(claimed, [(to, f"mitra/email/proposal_{event}", context)])


# --- Partnerships and recurring supply (helper S) ---------------------------------------------


def partnership_link(partnership_id: int) -> str:
    try:
        path = reverse("mitra:partnership_detail", args=[partnership_id])
    except NoReverseMatch:  # the pages are not wired in this configuration
        path = f"/mitra/kemitraan/{partnership_id}/"
    return f"{settings.SITE_URL}{path}"


def _partnership_whatsapp(partnership, *, to_side, from_side) -> str:
    """A link for the e-mail's recipient (`to_side`) to message the other side (`from_side`):
    the text is the recipient's greeting to it."""
    with translation.override(LANGUAGE):
        text = _(
            "Hello %(to)s, this is %(from)s on Mitra TTG, about our partnership “%(title)s”."
        ) % {"to": from_side.name, "from": to_side.name, "title": partnership.title}
    return whatsapp_link(from_side.whatsapp, text)


def partnership_event_notify(event_id: int) -> int:
    """Tell the other side's owners and managers of a partnership proposed (with the
    proposer's consent), accepted, declined, cancelled, completed or terminated — at most
    once (the event is claimed first). Returns how many messages were sent."""
    from mitra.models import PartnershipEvent

    event = (
        PartnershipEvent.objects.select_related(
            "partnership__partner", "partnership__posyantek", "organization", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    claimed = PartnershipEvent.objects.filter(pk=event_id)
    if not _claim(claimed):
        return 0  # already told (a retried or twin task)
    partnership = event.partnership
    sides = [partnership.partner, partnership.posyantek]
    targets = [side for side in sides if side.pk != event.organization_id] or sides
    messages = []
    for side in targets:
        to = recipients(side.pk)
        if not to:
            continue
        from_side = (
            partnership.posyantek if side.pk == partnership.partner_id else partnership.partner
        )
        context = {
            "event": event,
            "partnership": partnership,
            "by": event.organization,
            "to_side": side,
            "other": from_side,
            "link": partnership_link(partnership.pk),
            "whatsapp": _partnership_whatsapp(partnership, to_side=side, from_side=from_side),
            "whatsapp_name": from_side.name,
        }
        messages.append((to, "mitra/email/partnership_event", context))
    return _send_claimed(claimed, messages)


def supply_period_notify(period_id: int) -> int:
    """Tell both sides' owners and managers of a supply period: its order placed, or that the
    Posyantek could not supply it and why — at most once (the period is claimed first).
    Returns how many messages were sent."""
    from mitra.models import SupplyPeriod

    period = (
        SupplyPeriod.objects.select_related(
            "partnership__partner", "partnership__posyantek", "order"
        )
        .filter(pk=period_id)
        .first()
    )
    if period is None:
        return 0
    claimed = SupplyPeriod.objects.filter(pk=period_id)
    if not _claim(claimed):
        return 0  # already told (a retried or twin task)
    partnership = period.partnership
    messages = []
    for side in (partnership.partner, partnership.posyantek):
        to = recipients(side.pk)
        if not to:
            continue
        from_side = (
            partnership.posyantek if side.pk == partnership.partner_id else partnership.partner
        )
        context = {
            "period": period,
            "partnership": partnership,
            "order": period.order,
            "to_side": side,
            "other": from_side,
            "link": partnership_link(partnership.pk),
            "whatsapp": _partnership_whatsapp(partnership, to_side=side, from_side=from_side),
            "whatsapp_name": from_side.name,
        }
        messages.append((to, f"mitra/email/supply_{period.status}", context))
    return _send_claimed(claimed, messages)


# --- At most once -----------------------------------------------------------------------------


def _claim(rows) -> bool:
    """Claim a row's e-mail with a conditional UPDATE of `notified_at`: a retried or twin
    task finds it claimed and sends nothing."""
    return bool(rows.filter(notified_at__isnull=True).update(notified_at=timezone.now()))


def _send_claimed(rows, messages: list[tuple[list[str], str, dict]]) -> int:
    """Send the claimed row's messages. If sending fails before anything went out, the claim
    is given back so the task's retry sends them; once one went out, the rest are not retried
    (never twice)."""
    sent = 0
    try:
        for to, template, context in messages:
            sent += send_templated_email(
                to=to, template=template, context=context, language=LANGUAGE
            )
    except OSError:
        if not sent:
            rows.update(notified_at=None)
            raise
    return sent
