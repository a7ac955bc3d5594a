"""Scheduled reports (issue 13 §3): each verified Posyantek's owners and managers get the
monthly report of the previous calendar month (its summary, with the month's orders as CSV
attached) and the weekly digest of the partner needs that newly match it — each exactly once
per period.

How "exactly once" works (the pattern of orders.services.terms and mitra.notifications):
- The beat task lists the due Posyantek and inserts one `ReportDispatch` per (Posyantek,
  kind, period start). The unique row is the claim on the period: a twin run inserting the
  same row waits for the first one's commit and gets IntegrityError, so it queues nothing.
- Each new row's send task is queued after the commit (ids only). The send task builds the
  message, then claims the row with a conditional UPDATE of `sent_at` (still NULL) right before
  sending: a retried or twin task finds it claimed and sends nothing — at most once. If the
  send fails before anything went out, the claim is given back, so the task's retry sends it.
- A row whose send task was lost (broker down, worker gone) stays unsent: the next run for
  the same period queues it again after DISPATCH_REQUEUE_AFTER.

Periods are Asia/Jakarta local dates (reports.periods): a run on any day of December reports
November; a run on any day of a week digests the week before (Monday to Sunday).
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from accounts.models import Membership, Organization, Role
from core.emails import templated_email
from mitra.models import Match, Need, NeedNotification
from mitra.notifications import need_link
from reports.models import ReportDispatch
from reports.periods import Period, month_start, week_start
from reports.scope import scope_for_posyantek

LANGUAGE = "id"  # DESIGN.md: e-mails in Bahasa Indonesia (as every other e-mail of the project)
MONTHLY_TEMPLATE = "reports/email/monthly_report"
WEEKLY_TEMPLATE = "reports/email/weekly_digest"
RECIPIENT_ROLES = (Role.OWNER, Role.MANAGER)
# How many new matching needs a digest lists (best score first); the rest are counted.
DIGEST_TOP = 10
# A dispatch whose send task never ran (a lost task) is queued again by the next run after this.
DISPATCH_REQUEUE_AFTER = datetime.timedelta(minutes=30)
EXPORT_KIND = "orders"


# --- Periods ----------------------------------------------------------------------------------


def monthly_period(today: datetime.date) -> Period:
    """The calendar month before the one `today` falls in."""
    return Period.month(month_start(today) - datetime.timedelta(days=1))


def weekly_period(today: datetime.date) -> Period:
    """The Monday-to-Sunday week before the one `today` falls in."""
    return Period.week(week_start(today) - datetime.timedelta(days=1))


# --- Who ----------------------------------------------------------------------------------


def _recipient_memberships(posyantek_id: Any = None) -> QuerySet:
    memberships = Membership.objects.filter(role__in=RECIPIENT_ROLES, user__is_active=True).exclude(
        user__email=""
    )
    if posyantek_id is not None:
        memberships = memberships.filter(organization_id=posyantek_id)
    return memberships


def posyanteks_due() -> QuerySet:
    """Verified Posyantek with at least one active owner or manager who has an e-mail."""
    return Organization.objects.filter(
        Exists(_recipient_memberships(OuterRef("pk"))),
        kind=Organization.Kind.POSYANTEK,
        verification_status=Organization.VerificationStatus.VERIFIED,
    )


def recipients(posyantek_id: int) -> list[str]:
    """The Posyantek's active owners and managers (never its staff), each address once."""
    seen: dict[str, str] = {}
    emails = (
        _recipient_memberships(posyantek_id).order_by("pk").values_list("user__email", flat=True)
    )
    for email in emails:
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return list(seen.values())


# --- Claiming the periods (beat) ---------------------------------------------------------------


def _send_task(kind: str):
    from reports.tasks import scheduled as tasks

    if kind == ReportDispatch.Kind.MONTHLY_REPORT:
        return tasks.monthly_report_send_task
    return tasks.weekly_digest_send_task


def _queue_after_commit(kind: str, dispatch_id: int) -> None:
    task = _send_task(kind)
    # robust: a broker error is logged, not raised, so the rest of the run still claims its
    # periods; the row stays unsent and the next run queues it again (DISPATCH_REQUEUE_AFTER).
    transaction.on_commit(lambda: task.delay(dispatch_id), robust=True)


def dispatch_claim(
    *, organization_id: int, kind: str, period_start: datetime.date
) -> ReportDispatch | None:
    """Insert the dispatch of one Posyantek, kind and period and queue its send task after
    the commit; None if it exists already (this run's twin, or an earlier run, made it)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                dispatch = ReportDispatch.objects.create(
                    organization_id=organization_id, kind=kind, period_start=period_start
                )
        except IntegrityError:
            return None
        _queue_after_commit(kind, dispatch.pk)
        return dispatch


def _dispatches_create(*, kind: str, period_start: datetime.date) -> list[int]:
    made = ReportDispatch.objects.filter(kind=kind, period_start=period_start)
    due = (
        posyanteks_due()
        .exclude(pk__in=made.values("organization_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = []
    for organization_id in list(due):
        dispatch = dispatch_claim(
            organization_id=organization_id, kind=kind, period_start=period_start
        )
        if dispatch is not None:
            created.append(dispatch.pk)
    stale = made.filter(
        sent_at__isnull=True, created_at__lt=timezone.now() - DISPATCH_REQUEUE_AFTER
    ).exclude(pk__in=created)
    for dispatch_id in stale.order_by("pk").values_list("pk", flat=True):
        _queue_after_commit(kind, dispatch_id)
    return created


def monthly_reports_create(*, today: datetime.date | None = None) -> list[int]:
    """Beat (every morning, 06:00 WIB; the 1st's run claims them): claim the monthly report of
    the previous calendar month (Asia/Jakarta) for every verified Posyantek with an owner or
    manager to tell, and queue each e-mail after the commit. A later run in the month claims
    only what is still unclaimed. Returns the ids of the dispatches created by this run."""
    period = monthly_period(today or timezone.localdate())
    return _dispatches_create(kind=ReportDispatch.Kind.MONTHLY_REPORT, period_start=period.start)


def weekly_digests_create(*, today: datetime.date | None = None) -> list[int]:
    """Beat (every morning, 06:30 WIB; Monday's run claims them): claim the digest of the
    previous Monday-to-Sunday week for every verified Posyantek with an owner or manager to
    tell, and queue each after the commit. Returns the ids of the dispatches created now."""
    period = weekly_period(today or timezone.localdate())
    return _dispatches_create(kind=ReportDispatch.Kind.WEEKLY_DIGEST, period_start=period.start)


# --- Sending (one task per dispatch) ------------------------------------------------------------


def _dispatch_get(dispatch_id: int, kind: str) -> ReportDispatch | None:
    """The dispatch if it exists, is of this kind and is not claimed yet."""
    return (
        ReportDispatch.objects.select_related("organization")
        .filter(pk=dispatch_id, kind=kind, sent_at__isnull=True)
        .first()
    )


def _send_claimed(dispatch_id: int, message: EmailMessage | None) -> int:
    """Claim the dispatch (conditional UPDATE of `sent_at`, recording how many it goes to) and
    send the message, built beforehand (so nothing but the send can fail after the claim).
    None: nothing to send, the dispatch is only marked done (to 0). 0 if a retried or twin task
    claimed it first. If the send fails (nothing went out: it is one message), the claim is
    given back so the task's retry sends it."""
    now = timezone.now()
    count = len(message.to) if message is not None else 0
    claimed = ReportDispatch.objects.filter(pk=dispatch_id, sent_at__isnull=True).update(
        sent_at=now, recipient_count=count
    )
    if not claimed or message is None:
        return 0
    try:
        return message.send()
    except OSError:
        ReportDispatch.objects.filter(pk=dispatch_id, sent_at=now).update(
            sent_at=None, recipient_count=0
        )
        raise


def dashboard_link(organization: Organization, period: Period) -> str:
    try:
        path = reverse("reports:dashboard", args=[organization.slug])
    except NoReverseMatch:  # the pages are not wired in this configuration
        path = f"/dasbor/{organization.slug}/"
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{settings.SITE_URL}{path}?{query}"


def monthly_report_context(organization: Organization, period: Period) -> dict[str, Any]:
    from reports.selectors.figures import report_summary

    with translation.override(LANGUAGE):  # labels (orders by status) in the e-mail's language
        summary = report_summary(scope=scope_for_posyantek(organization), period=period)
    return {
        "posyantek": organization,
        "period": period,
        "summary": summary,
        "kpis": summary["kpis"],
        "ledger": summary["ledger"],
        "orders_by_status": [row for row in summary["orders_by_status"] if row["count"]],
        "top_products": summary["top_products"],
        "low_stock": summary.get("low_stock") or [],
        "certificates_expiring": summary.get("certificates_expiring") or [],
        "link": dashboard_link(organization, period),
    }


def monthly_report_send(*, dispatch_id: int) -> int:
    """E-mail one monthly report, at most once: the summary of the month (reports.selectors.
    figures.report_summary) with the month's orders as CSV attached (reports.exports) and a link
    to the dashboard for that month, to the Posyantek's active owners and managers. Returns how
    many messages went out (0: gone, already sent, or nobody to tell — recorded as sent to 0)."""
    from reports.exports import export_csv_bytes, export_filename

    dispatch = _dispatch_get(dispatch_id, ReportDispatch.Kind.MONTHLY_REPORT)
    if dispatch is None:
        return 0
    organization = dispatch.organization
    to = recipients(organization.pk)
    if not to:
        return _send_claimed(dispatch_id, None)
    period = Period.month(dispatch.period_start)
    # Built before the claim: a failure here leaves the dispatch unclaimed for the retry.
    context = monthly_report_context(organization, period)
    scope = scope_for_posyantek(organization)
    with translation.override(LANGUAGE):  # the header row in the e-mail's language
        csv = export_csv_bytes(kind=EXPORT_KIND, scope=scope, period=period)
    name = export_filename(kind=EXPORT_KIND, scope=scope, period=period, extension="csv")
    attachment = (name, csv, "text/csv")
    message = templated_email(
        to=to,
        template=MONTHLY_TEMPLATE,
        context=context,
        language=LANGUAGE,
        attachments=[attachment],
    )
    return _send_claimed(dispatch_id, message)


def new_matches(*, organization_id: int, period: Period) -> QuerySet:
    """The matches of this Posyantek with active needs (open or in discussion) that became
    matches for it during the period, best first.

    Match rows cannot tell when: need_match_compute deletes and re-inserts a need's matches on
    every recompute (and beat recomputes every active need daily), so Match.created_at is the
    last recompute, not the day the need first matched. What does not move: the need's
    `published_at` (the day it opened — it matched from then on), and the Posyantek's
    NeedNotification for it (created once, ever, the first time it ranked among the top for the
    need — e.g. an older need it fits after adding a product). A match is new in the week when
    either falls in it."""
    told_in_period = NeedNotification.objects.filter(
        need=OuterRef("need"),
        posyantek_id=organization_id,
        created_at__gte=period.start_at,
        created_at__lt=period.end_at,
    )
    return (
        Match.objects.filter(posyantek_id=organization_id, need__status__in=Need.ACTIVE)
        .filter(
            Q(need__published_at__gte=period.start_at, need__published_at__lt=period.end_at)
            | Exists(told_in_period)
        )
        .select_related("need__organization", "need__delivery_district", "product")
        .order_by("-score", "need_id")
    )


def matching_needs_link(organization: Organization) -> str:
    try:
        path = reverse("mitra:posyantek_needs", args=[organization.slug])
    except NoReverseMatch:  # the pages are not wired in this configuration
        path = f"/organisasi/{organization.slug}/kebutuhan-cocok/"
    return f"{settings.SITE_URL}{path}"


def weekly_digest_context(organization: Organization, period: Period) -> dict[str, Any]:
    matches = new_matches(organization_id=organization.pk, period=period)
    top = list(matches[:DIGEST_TOP])
    count = len(top) if len(top) < DIGEST_TOP else matches.count()
    return {
        "posyantek": organization,
        "period": period,
        "count": count,
        "more": count - len(top),
        "needs_link": matching_needs_link(organization),
        "items": [
            {
                "need": match.need,
                "partner": match.need.organization,
                "score": match.score,
                "product": match.product,
                "link": need_link(match.need_id),
            }
            for match in top
        ],
    }


def weekly_digest_send(*, dispatch_id: int) -> int:
    """E-mail one weekly digest, at most once: the partner needs that newly match the
    Posyantek in the week (new_matches), best first with links to their pages, to its active
    owners and managers. A week with no new matching needs sends nothing, but the dispatch is
    marked sent to 0 so it is never retried. Returns how many messages went out."""
    dispatch = _dispatch_get(dispatch_id, ReportDispatch.Kind.WEEKLY_DIGEST)
    if dispatch is None:
        return 0
    organization = dispatch.organization
    period = Period.week(dispatch.period_start)
    context = weekly_digest_context(organization, period)
    to = recipients(organization.pk)
    if not to or not context["count"]:
        return _send_claimed(dispatch_id, None)
    message = templated_email(to=to, template=WEEKLY_TEMPLATE, context=context, language=LANGUAGE)
    return _send_claimed(dispatch_id, message)
