"""Partner needs and offers, and their matches with Posyantek (DESIGN.md, mitra).

Statuses change only through mitra.services (one mover, with events); matches are written only
by mitra.matching through `need_match_compute`. The constraints here are the last line of
defence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Need(BaseModel):
    """What a partner organisation looks for (`need`) or offers (`offer`), e.g. 5 tonnes of
    ampas tahu a week, or a faculty offering to co-develop a TTG machine."""

    class Direction(models.TextChoices):
        NEED = "need", _("We are looking for")
        OFFER = "offer", _("We offer")

    class Kind(models.TextChoices):
        SUPPLY = "supply", _("Supply")
        TECHNOLOGY = "technology", _("Technology")
        RESEARCH = "research", _("Research")
        TRAINING = "training", _("Training")

    class Unit(models.TextChoices):
        KG = "kg", _("kg")
        TON = "ton", _("tonnes")
        LITER = "liter", _("litres")
        UNIT = "unit", _("units (pieces)")

    class Frequency(models.TextChoices):
        ONCE = "once", _("once")
        WEEKLY = "weekly", _("every week")
        MONTHLY = "monthly", _("every month")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        IN_DISCUSSION = "in_discussion", _("In discussion")
        FULFILLED = "fulfilled", _("Fulfilled")
        CLOSED = "closed", _("Closed")
        EXPIRED = "expired", _("Expired")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.OPEN, Status.CLOSED},
        Status.OPEN: {Status.IN_DISCUSSION, Status.FULFILLED, Status.CLOSED, Status.EXPIRED},
        Status.IN_DISCUSSION: {Status.FULFILLED, Status.CLOSED, Status.EXPIRED},
        Status.FULFILLED: set(),
        Status.CLOSED: set(),
        Status.EXPIRED: set(),
    }
    # Needs that are matched, shown on the public board and answered by Posyantek.
    ACTIVE = (Status.OPEN, Status.IN_DISCUSSION)

    # Need kind → the product kinds that answer it; research and training are answered by
    # the Posyantek itself, with no product (DESIGN.md).
    PRODUCT_KINDS: dict[str, tuple[str, ...]] = {
        Kind.SUPPLY: ("processed", "byproduct"),
        Kind.TECHNOLOGY: ("ttg_tool", "method"),
        Kind.RESEARCH: (),
        Kind.TRAINING: (),
    }

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("partner organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    direction = models.CharField(
        _("direction"), max_length=5, choices=Direction.choices, default=Direction.NEED
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "marketplace.Category",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("category"),
    )
    # What and how often: e.g. 5 ton weekly. Blank for research and training.
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.ONCE
    )
    # The most the partner will pay for the stated quantity (one delivery), whole Rupiah,
    # excluding PPN; null when not stated.
    budget_amount = models.BigIntegerField(_("budget (Rp)"), null=True, blank=True)
    # Certification type codes (marketplace.Certification.Type) a match must hold, valid.
    required_certifications = models.JSONField(
        _("required certifications"), default=list, blank=True
    )
    delivery_district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivery kecamatan"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Debounce of the matching task (mitra.services.need_match_request): set when a
    # recompute is queued, cleared when it starts; set again by a change meanwhile.
    match_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    matches_computed_at = models.DateTimeField(
        _("matches computed at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("partner need")
        verbose_name_plural = _("partner needs")
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                name="mitra_need_quantity_gt_0",
            ),
            models.CheckConstraint(
                condition=(Q(quantity__isnull=True) & Q(unit=""))
                | (Q(quantity__isnull=False) & ~Q(unit="")),
                name="mitra_need_quantity_with_unit",
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="mitra_need_budget_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def product_kinds(self) -> tuple[str, ...]:
        return self.PRODUCT_KINDS.get(self.kind, ())


class NeedEvent(BaseModel):
    """One step in a need's history: a status move, or an edit (status unchanged)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        EDITED = "edited", _("Edited")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.need}: {self.from_status} → {self.to_status}"


class Match(BaseModel):
    """A Posyantek (and its best-fitting product, where the need's kind maps to products)
    ranked for a need. `components` holds each component's value in [0, 1] and `facts` the
    figures behind them, from which the explanation is rendered in the viewer's language
    (mitra.matching.explain). Rewritten as a whole by need_match_compute."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    posyantek = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="need_matches",
        verbose_name=_("Posyantek"),
    )
    product = models.ForeignKey(
        "marketplace.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    rank = models.PositiveIntegerField(_("rank"))
    components = models.JSONField(_("components"), default=dict)
    facts = models.JSONField(_("facts"), default=dict)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["need", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["need", "posyantek"], name="mitra_match_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="mitra_match_score_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["need", "rank"]),
            models.Index(fields=["posyantek", "-score"]),
        ]

    def __str__(self) -> str:
        return f"{self.need} × {self.posyantek}: {self.score}"


class NeedNotification(BaseModel):
    """A Posyantek told about a need: at most one row, and so one message, per need and
    Posyantek, whatever the number of recomputes (the unique constraint decides under
    concurrency)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="notifications")
    posyantek = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score when told"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("need notification")
        verbose_name_plural = _("need notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "posyantek"], name="mitra_neednotification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.posyantek}"
