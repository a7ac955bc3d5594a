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


# --- Proposals --------------------------------------------------------------------------------


class Proposal(BaseModel):
    """A Posyantek's answer to a need: products with a price per unit and a quantity (selling
    units), or for research and training a total fee; a schedule, a message and the payment
    terms it offers. Statuses move only through mitra.services.proposals."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.SUBMITTED: {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }

    class PaymentTerms(models.TextChoices):
        # The same values as orders.Order.PaymentTerms.
        PREPAID = "prepaid", _("Prepaid")
        NET_14 = "net_14", _("Net 14 days")
        NET_30 = "net_30", _("Net 30 days")

    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("partner need")
    )
    posyantek = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("Posyantek"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    message = models.TextField(_("message"), blank=True)
    # When and how often it can deliver, in the Posyantek's words ("setiap Senin mulai 5 Jan").
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    payment_terms = models.CharField(
        _("payment terms offered"),
        max_length=10,
        choices=PaymentTerms.choices,
        default=PaymentTerms.PREPAID,
    )
    # For a proposal without products (research, training, co-development): the whole fee,
    # whole Rupiah excl. PPN; null when it has product lines or is free of charge.
    fee_amount = models.BigIntegerField(_("fee (Rp)"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("reason"), blank=True)
    # The order placed when a supply proposal was accepted (one Posyantek → one order).
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("order"),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["need", "status"])]
        constraints = [
            # One live proposal per need and Posyantek: withdraw it to send another.
            models.UniqueConstraint(
                fields=["need", "posyantek"],
                condition=Q(status="submitted"),
                name="mitra_proposal_one_submitted",
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__isnull=True) | Q(fee_amount__gte=0),
                name="mitra_proposal_fee_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posyantek} → {self.need}"


class ProposalLine(BaseModel):
    """A product offered in a proposal: quantity in selling units (per delivery) at a price
    per unit, whole Rupiah excl. PPN."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity (selling units)"))
    unit_price_amount = models.BigIntegerField(_("price per unit (Rp)"))

    class Meta:
        verbose_name = _("proposal line")
        verbose_name_plural = _("proposal lines")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "product"], name="mitra_proposalline_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="mitra_proposalline_qty"),
            models.CheckConstraint(
                condition=Q(unit_price_amount__gte=0), name="mitra_proposalline_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class ProposalEvent(BaseModel):
    """One step in a proposal's history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The other party's e-mail about this move, claimed before sending: at most one.
    notified_at = models.DateTimeField(_("other party told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.from_status} → {self.to_status}"


# --- Partnerships -----------------------------------------------------------------------------


class Partnership(BaseModel):
    """An agreement between a partner organisation and a Posyantek: from an accepted proposal,
    or proposed directly by either side. Both sides' consent is recorded (`*_consented_at` and
    a PartnershipEvent each). A supply partnership with a `frequency` is a recurring supply:
    its lines are ordered every period (mitra.services.supply), on its payment terms, on the
    name of the partner organisation by `ordered_by`, delivered as `order_details` says."""

    class Kind(models.TextChoices):
        SUPPLY = "supply", _("Supply")
        TECHNOLOGY = "technology", _("Technology")
        RESEARCH = "research", _("Research")
        TRAINING = "training", _("Training")
        CSR = "csr", _("CSR")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.PROPOSED: {Status.ACTIVE, Status.DECLINED, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.TERMINATED},
        Status.DECLINED: set(),
        Status.CANCELLED: set(),
        Status.COMPLETED: set(),
        Status.TERMINATED: set(),
    }

    class Frequency(models.TextChoices):
        NONE = "", _("not recurring")
        WEEKLY = "weekly", _("every week")
        MONTHLY = "monthly", _("every month")

    partner = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="partnerships_as_partner",
        verbose_name=_("partner organisation"),
    )
    posyantek = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="partnerships_as_posyantek",
        verbose_name=_("Posyantek"),
    )
    # The side that proposed it; the other side accepts or declines.
    proposed_by = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnership",
        verbose_name=_("proposal"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("partner need"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    partner_consented_at = models.DateTimeField(null=True, blank=True)
    posyantek_consented_at = models.DateTimeField(null=True, blank=True)
    # Recurring supply (kind supply): every week on `weekday` (0 = Monday) or every month on
    # `day_of_month` (1–28), Asia/Jakarta.
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, blank=True, default=""
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    payment_terms = models.CharField(
        _("payment terms"),
        max_length=10,
        choices=Proposal.PaymentTerms.choices,
        default=Proposal.PaymentTerms.PREPAID,
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("orders placed on the name of"),
    )
    # Delivery details of the recurring orders, as checkout/ takes them (contact, address,
    # village, shipping, note); buyer_organization is always the partner.
    order_details = models.JSONField(_("delivery details"), default=dict, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["posyantek", "status"]),
            models.Index(fields=["status", "frequency"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="mitra_partnership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(frequency="")
                | (Q(frequency="weekly") & Q(weekday__gte=0) & Q(weekday__lte=6))
                | (Q(frequency="monthly") & Q(day_of_month__gte=1) & Q(day_of_month__lte=28)),
                name="mitra_partnership_schedule",
            ),
            models.CheckConstraint(
                condition=Q(frequency="") | Q(kind="supply"),
                name="mitra_partnership_recurring_is_supply",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.frequency)


class PartnershipLine(BaseModel):
    """A product a supply partnership delivers each period: quantity in selling units at the
    agreed price per unit (whole Rupiah excl. PPN)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity per period (selling units)"))
    unit_price_amount = models.BigIntegerField(_("price per unit (Rp)"))

    class Meta:
        verbose_name = _("partnership line")
        verbose_name_plural = _("partnership lines")
        ordering = ["partnership", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "product"], name="mitra_partnershipline_once"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="mitra_partnershipline_qty"),
            models.CheckConstraint(
                condition=Q(unit_price_amount__gte=0), name="mitra_partnershipline_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class Milestone(BaseModel):
    """A step of a partnership with a due date, marked done by a member of either side."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["partnership", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class PartnershipEvent(BaseModel):
    """One step in a partnership's history: a status move, one side's consent, a milestone, a
    supply period placed or short, an edit."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        CONSENT = "consent", _("Consent given")
        MILESTONE = "milestone", _("Milestone")
        SUPPLY = "supply", _("Supply period")
        EDITED = "edited", _("Edited")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The e-mail about this step, claimed before sending: at most one.
    notified_at = models.DateTimeField(_("parties told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership event")
        verbose_name_plural = _("partnership events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.kind} {self.from_status} → {self.to_status}"


class SupplyPeriod(BaseModel):
    """One period (a week from Monday, or a calendar month, Asia/Jakarta) of a recurring
    supply partnership: its order was placed, or the Posyantek could not supply it (`short`,
    with the reason, reported to both sides). The unique (partnership, period_start) row is
    what makes "exactly one order per period" hold when the beat task runs twice at once."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Order placed")
        SHORT = "short", _("Could not be supplied")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="supply_periods"
    )
    period_start = models.DateField(_("period from"))
    delivery_date = models.DateField(_("delivery date"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supply_period",
        verbose_name=_("order"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # The e-mail to both sides, claimed before sending: at most one.
    notified_at = models.DateTimeField(_("parties told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply period")
        verbose_name_plural = _("supply periods")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"], name="mitra_supplyperiod_once"
            ),
            models.CheckConstraint(
                condition=(Q(status="placed") & Q(order__isnull=False))
                | (Q(status="short") & Q(order__isnull=True)),
                name="mitra_supplyperiod_order_iff_placed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.period_start}: {self.status}"
