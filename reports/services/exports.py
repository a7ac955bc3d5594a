"""XLSX exports (reports.exports for the rows): asked for by a user, built by a task into
private storage, offered to that user alone for EXPORT_LIFETIME after they are ready, then
their files are deleted by a daily beat job (exports_purge_expired).

CSV exports are streamed by the views (reports.exports.export_csv_response) and never stored.
"""

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.permissions import AnyUser
from config.celery_app import dispatch_on_commit
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from regions.selectors import region_get
from reports.exports import export_filename, export_table, kind_parse, xlsx_write
from reports.models import ReportExport
from reports.periods import Period
from reports.permissions import can_view_region_reports, can_view_reports
from reports.scope import Scope, scope_for_posyantek

logger = logging.getLogger(__name__)

EXPORT_LIFETIME = datetime.timedelta(hours=24)
# At most this many exports of one user being prepared at once (a double click, a script).
MAX_PENDING_PER_USER = 5
# A pending export older than this lost its task: it no longer counts against the limit, and
# the purge marks it failed.
PENDING_STALE = datetime.timedelta(hours=1)
# A sheet holds 1,048,576 rows; a larger export is a CSV's job.
MAX_XLSX_ROWS = 1_000_000

Status = ReportExport.Status


class ExportGone(ApplicationError):
    """The export was ready but its 24 hours have passed and its file is (being) deleted."""

    status_code = 410
    default_code = "export_expired"


class TooManyRows(Exception):
    pass


# --- Reads ------------------------------------------------------------------------------------


def exports_list(*, user: AnyUser) -> QuerySet:
    """The caller's own exports, newest first (nobody sees another user's exports)."""
    if not (user and user.is_authenticated):
        return ReportExport.objects.none()
    return (
        ReportExport.objects.filter(requested_by=user)
        .select_related("organization")
        .order_by("-created_at", "-id")
    )


def exports_recent(*, user: AnyUser, organization: Organization, limit: int = 5) -> list:
    """The caller's latest exports of one Posyantek, for its dashboard; each with
    `available` (its file may be downloaded now)."""
    exports = list(exports_list(user=user).filter(organization=organization)[:limit])
    now = timezone.now()
    for export in exports:
        export.available = export_is_available(export, now)
    return exports


def export_get(*, user: AnyUser, export_id: int) -> ReportExport:
    """One of the caller's exports; NotFound for any other (even one that exists)."""
    export = exports_list(user=user).filter(pk=export_id).first()
    if export is None:
        raise NotFound(_("There is no such export."), code="export_not_found")
    return export


def export_is_available(export: ReportExport, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        export.status == Status.READY
        and export.file
        and export.expires_at is not None
        and export.expires_at > now
    )


def export_get_for_download(*, user: AnyUser, export_id: int) -> ReportExport:
    """The caller's ready export while its file is offered. NotFound for anyone but the user
    who asked for it; Conflict while it is being prepared or when it failed; ExportGone
    (410) once its 24 hours have passed."""
    export = export_get(user=user, export_id=export_id)
    # Access is checked again: a manager who has since left the Posyantek gets nothing.
    _check_scope(user, export_scope(export))
    if export.status == Status.PENDING:
        raise Conflict(
            _("The export is still being prepared. Try again in a minute."),
            code="export_not_ready",
        )
    if export.status == Status.FAILED:
        raise Conflict(_("The export could not be made. Ask for it again."), code="export_failed")
    if not export_is_available(export):
        raise ExportGone(
            _("The export was available for 24 hours and has been removed. Ask for it again.")
        )
    return export


def export_scope(export: ReportExport) -> Scope:
    """The scope an export was asked for (no permission check: it was checked then)."""
    if export.organization is not None:
        return scope_for_posyantek(export.organization)
    if export.region_code:
        region = region_get(export.region_code)
        label = region.display_name if region else export.region_code
        return Scope(region_code=export.region_code, label=label)
    return Scope(label=_("All Posyantek"))


def export_period(export: ReportExport) -> Period:
    return Period(export.period_start, export.period_end)


def export_download_name(export: ReportExport) -> str:
    return export_filename(
        kind=export.kind,
        scope=export_scope(export),
        period=export_period(export),
        extension="xlsx",
    )


# --- Writes -----------------------------------------------------------------------------------


def _check_scope(user: AnyUser, scope: Scope) -> None:
    if scope.organization is not None:
        allowed = can_view_reports(user, scope.organization)
    else:
        allowed = can_view_region_reports(user, scope.region_code)
    if not allowed:
        raise PermissionDenied(
            _("You cannot export the reports of this Posyantek or region."),
            code="reports_not_allowed",
        )


@transaction.atomic
def export_request(*, user: User, scope: Scope, period: Period, kind: str) -> ReportExport:
    """Ask for an XLSX export of `kind` for the scope and period; the file is built by a task
    after the commit. InvalidInput for an unknown kind; PermissionDenied if the user may not
    see the scope (the caller resolved it, this checks again); Conflict when the user already
    has MAX_PENDING_PER_USER exports being prepared."""
    kind = kind_parse(kind)
    _check_scope(user, scope)
    # The user's row is the lock that makes the limit hold for requests sent at once.
    User.objects.select_for_update().filter(pk=user.pk).first()
    pending = ReportExport.objects.filter(
        requested_by=user,
        status=Status.PENDING,
        created_at__gte=timezone.now() - PENDING_STALE,
    ).count()
    if pending >= MAX_PENDING_PER_USER:
        raise Conflict(
            _(
                "You already have %(count)d exports being prepared. Wait until they are "
                "ready, then ask again."
            )
            % {"count": pending},
            code="too_many_exports",
        )
    export = ReportExport.objects.create(
        requested_by=user,
        organization=scope.organization,
        region_code=scope.region_code,
        kind=kind,
        period_start=period.start,
        period_end=period.end,
    )
    from reports.tasks.exports import export_build_task

    dispatch_on_commit(export_build_task, export.pk)
    return export


def _build_file(export: ReportExport, handle) -> int:
    """Write the export's XLSX to `handle`; returns its number of rows."""
    # Headers and labels in the platform's language (a worker has no request to take one from).
    with translation.override(settings.LANGUAGE_CODE):
        table = export_table(
            kind=export.kind, scope=export_scope(export), period=export_period(export)
        )

    rows = table.rows

    def limited():
        for count, row in enumerate(rows, start=1):
            if count > MAX_XLSX_ROWS:
                raise TooManyRows
            yield row

    table.rows = limited()
    return xlsx_write(table, handle)


def export_build(*, export_id: int) -> ReportExport | None:
    """Build a pending export's XLSX into private storage: ready, with its row count, until
    24 hours from now. Idempotent: an export that is not pending (built, failed, or being
    built by a twin run that holds its lock) is left as it is. A failure to build marks it
    failed with the reason; a storage error is raised for the task to retry."""
    with transaction.atomic():
        export = (
            ReportExport.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status != Status.PENDING:
            return export
        try:
            _check_scope(export.requested_by, export_scope(export))
        except PermissionDenied:
            return _fail(export, _("You can no longer see these reports."))
        with tempfile.TemporaryFile() as handle:
            try:
                # A savepoint: a database error while reading rolls back to here, so the
                # export can still be marked failed in this transaction.
                with transaction.atomic():
                    rows = _build_file(export, handle)
            except TooManyRows:
                return _fail(
                    export,
                    _("More than %(count)s rows: choose a shorter period, or download the CSV.")
                    % {"count": f"{MAX_XLSX_ROWS:,}".replace(",", ".")},
                )
            except Exception:
                logger.exception("report export %s could not be built", export_id)
                return _fail(export, _("The export could not be made. Ask for it again."))
            handle.seek(0)
            export.file.save(f"{export.kind}.xlsx", File(handle), save=False)
        now = timezone.now()
        export.status = Status.READY
        export.row_count = rows
        export.ready_at = now
        export.expires_at = now + EXPORT_LIFETIME
        export.failure_reason = ""
        export.save(
            update_fields=[
                "file",
                "status",
                "row_count",
                "ready_at",
                "expires_at",
                "failure_reason",
                "updated_at",
            ]
        )
    return export


def _fail(export: ReportExport, reason: str) -> ReportExport:
    export.status = Status.FAILED
    export.failure_reason = reason
    export.save(update_fields=["status", "failure_reason", "updated_at"])
    return export


def exports_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their 24 hours (the rows stay, without a file, so the
    list shows them as expired), and mark failed the exports still pending long after their
    task was lost. Returns how many files were deleted."""
    now = now or timezone.now()
    ReportExport.objects.filter(status=Status.PENDING, created_at__lt=now - PENDING_STALE).update(
        status=Status.FAILED,
        failure_reason=_("The export took too long. Ask for it again."),
        updated_at=now,
    )
    deleted = 0
    expired = ReportExport.objects.filter(expires_at__lte=now).exclude(file="")
    for pk in expired.values_list("pk", flat=True).iterator(chunk_size=500):
        with transaction.atomic():
            export = ReportExport.objects.select_for_update().filter(pk=pk).first()
            if export is None or not export.file or export.expires_at > now:
                continue
            export.file.delete(save=False)
            export.save(update_fields=["file", "updated_at"])
            deleted += 1
    return deleted
