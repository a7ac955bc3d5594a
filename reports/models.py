"""Reports keep little of their own: figures are computed from orders, refunds and the ledger
when asked (reports.selectors). Stored here are the exports built in the background and the
claims that make each scheduled report go out once per period."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.storages import private_storage


def export_file_path(instance: "ReportExport", filename: str) -> str:
    # Private storage gives the file a random name; the folder only groups them by month.
    return f"exports/{instance.created_at:%Y/%m}/{filename}"


class ReportExport(BaseModel):
    """An XLSX export of orders, order lines or the ledger for one scope and period, built by a
    task into private storage and offered to the one user who asked for it until `expires_at`
    (24 hours after it is ready). CSV exports are streamed and never stored."""

    class Kind(models.TextChoices):
        ORDERS = "orders", _("Orders")
        ORDER_LINES = "order_lines", _("Order lines")
        LEDGER = "ledger", _("Ledger")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_exports",
        verbose_name=_("requested by"),
    )
    # The scope: one Posyantek, or a region (a Kemendagri code), or everything ("" and None).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_exports",
        verbose_name=_("Posyantek"),
    )
    region_code = models.CharField(_("region"), max_length=13, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(
        _("file"), upload_to=export_file_path, storage=private_storage, blank=True, max_length=255
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="reports_export_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(status="failed") | Q(expires_at__isnull=False),
                name="reports_export_ready_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}–{self.period_end} ({self.status})"


class ReportDispatch(BaseModel):
    """One scheduled message to one Posyantek's managers for one period: the monthly report
    (period_start = the first day of the month it reports) or the weekly digest of new matching
    needs (period_start = the Monday of the week it covers). The unique row is the claim that
    makes beat send each one once, even when the task runs twice at once; `sent_at` is set when
    the e-mails went out."""

    class Kind(models.TextChoices):
        MONTHLY_REPORT = "monthly_report", _("Monthly report")
        WEEKLY_DIGEST = "weekly_digest", _("Weekly digest of partner needs")

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="report_dispatches",
        verbose_name=_("Posyantek"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "period_start"],
                name="reports_dispatch_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.period_start}"
