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
