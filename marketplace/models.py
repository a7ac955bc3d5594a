"""The catalogue: categories, products, stock, capacity, certifications and media.

Stock, statuses and capacity change only through marketplace.services and
marketplace.capacity; the constraints here are the last line of defence.
"""

import datetime
import secrets

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from core.models import BaseModel
from core.storages import private_storage


class Category(BaseModel):
    """A TTG field (top level) or one of its sub-categories: two levels, never more.

    Names are data in Bahasa Indonesia; slugs are stable (used in URLs and API filters).
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="marketplace_category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


def product_guide_path(instance: "Product", filename: str) -> str:
    # Public files get an unguessable name: a draft's or a hidden product's files cannot be
    # found from its name.
    return f"products/{instance.seller_id}/guides/{secrets.token_hex(8)}-{filename}"


class Product(BaseModel):
    class Kind(models.TextChoices):
        TTG_TOOL = "ttg_tool", _("TTG tool or machine")
        METHOD = "method", _("Method or process (training, licence)")
        PROCESSED = "processed", _("Processed product")
        BYPRODUCT = "byproduct", _("By-product")

    class Availability(models.TextChoices):
        STOCK = "stock", _("From stock")
        MADE_TO_ORDER = "made_to_order", _("Made to order")
        RECURRING_OUTPUT = "recurring_output", _("Recurring output")

    class OutputPeriod(models.TextChoices):
        DAY = "day", _("per day")
        WEEK = "week", _("per week")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        HIDDEN = "hidden", _("Hidden by staff")

    seller = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products", verbose_name=_("seller")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Ordered key–value pairs: [{"key": "Kapasitas", "value": "200 kg/jam"}, ...].
    specs = models.JSONField(_("specifications"), default=list, blank=True)
    selling_unit = models.CharField(
        _("selling unit"), max_length=60, blank=True, help_text=_('e.g. "unit", "karung 50 kg".')
    )
    minimum_order = models.PositiveIntegerField(_("minimum order"), default=1)
    order_step = models.PositiveIntegerField(
        _("order step"), default=1, help_text=_("Orders grow by this many selling units.")
    )
    price_amount = models.BigIntegerField(
        _("price per unit (Rp, excl. PPN)"), default=0, help_text=_("Whole Rupiah, without PPN.")
    )
    weight_per_unit_kg = models.DecimalField(
        _("weight per unit (kg)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.STOCK
    )
    stock = models.PositiveIntegerField(_("stock"), default=0)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    monthly_capacity = models.PositiveIntegerField(
        _("monthly capacity (selling units)"), null=True, blank=True
    )
    # Recurring output is produced by weight (e.g. 500 kg of ampas tahu a day); capacity in
    # selling units follows through weight_per_unit_kg (marketplace.capacity).
    output_quantity_kg = models.PositiveIntegerField(
        _("output (kg per period)"), null=True, blank=True
    )
    output_period = models.CharField(
        _("output period"), max_length=4, choices=OutputPeriod.choices, blank=True
    )
    innovator = models.CharField(_("innovator"), max_length=200, blank=True)
    awards = models.TextField(_("awards"), blank=True, help_text=_("e.g. Gelar TTG Nasional."))
    patent_number = models.CharField(_("patent / HKI number"), max_length=100, blank=True)
    user_guide = models.FileField(
        _("user guide (PDF)"), upload_to=product_guide_path, blank=True, max_length=255
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Full-text document (PostgreSQL), kept by marketplace.search; its GIN index and the
    # trigram index on `name` are created by migration 0003 on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)
    # Kept by orders.services.reviews from the product's reviews (never edited by hand).
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, default=0, editable=False
    )
    rating_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="marketplace_product_stock_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(price_amount__gte=0), name="marketplace_product_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(minimum_order__gte=1), name="marketplace_product_minimum_order_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(order_step__gte=1), name="marketplace_product_order_step_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(weight_per_unit_kg__isnull=True) | Q(weight_per_unit_kg__gte=0),
                name="marketplace_product_weight_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(status="hidden") | Q(hidden_reason=""),
                name="marketplace_product_reason_only_when_hidden",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "status"]),
            # The catalogue's "best rated first" ordering.
            models.Index(
                fields=["-rating_average", "-created_at", "-id"],
                name="marketplace_product_rating",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.seller.is_verified


class ProductEvent(BaseModel):
    """What happened to a product and who did it: creation, status moves, hiding."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        CERTIFICATION = "certification", _("Certification changed")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="events", verbose_name=_("product")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("product event")
        verbose_name_plural = _("product events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.product}: {self.get_kind_display()}"


class StockMovement(BaseModel):
    """One change of a product's stock, with the stock right after it."""

    class Reason(models.TextChoices):
        SALE = "sale", _("Sale")
        CANCEL = "cancel", _("Cancelled order")
        CORRECTION = "correction", _("Correction")
        RESTOCK = "restock", _("Restock")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="stock_movements", verbose_name=_("product")
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    stock_after = models.PositiveIntegerField(_("stock after"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product}: {self.delta:+d}"


class CapacityBooking(BaseModel):
    """Selling units of a made-to-order or recurring-output product reserved in one
    production month (first day of the month, Asia/Jakarta) by an order or a partnership.

    `source_type`/`source_id` name what booked it ("order", "42"); marketplace never imports
    the apps that book. Created and cancelled only by marketplace.capacity.
    """

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="capacity_bookings",
        verbose_name=_("product"),
    )
    month = models.DateField(_("production month"))
    quantity = models.PositiveIntegerField(_("quantity (selling units)"))
    source_type = models.CharField(_("booked by (type)"), max_length=30)
    source_id = models.CharField(_("booked by (id)"), max_length=64)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("capacity booking")
        verbose_name_plural = _("capacity bookings")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="marketplace_booking_quantity_gte_1"
            ),
            models.UniqueConstraint(
                fields=["product", "month", "source_type", "source_id"],
                condition=Q(cancelled=False),
                name="marketplace_booking_one_per_source_and_month",
            ),
        ]
        indexes = [models.Index(fields=["product", "month"])]

    def __str__(self) -> str:
        return f"{self.product} {self.month:%Y-%m}: {self.quantity}"


def certification_scan_path(instance: "Certification", filename: str) -> str:
    return f"certifications/{filename}"


class CertificationQuerySet(models.QuerySet):
    def valid(self, on: datetime.date | None = None) -> "CertificationQuerySet":
        """Certificates that count on `on` (today in Asia/Jakarta by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


class Certification(BaseModel):
    """A certificate held by one product or by a Posyantek (then it counts for all its
    products). Counts only while valid: no end date, or `valid_until` today or later."""

    class Type(models.TextChoices):
        PIRT = "pirt", _("PIRT (home industry food)")
        HALAL = "halal", _("Halal")
        SNI = "sni", _("SNI")
        BPOM_MD = "bpom_md", _("BPOM MD")
        NPP = "npp", _("NPP (feed registration number)")
        HKI = "hki", _("HKI (intellectual property)")

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("product"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("organisation"),
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    number = models.CharField(_("number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scan = models.FileField(
        _("scan"),
        upload_to=certification_scan_path,
        storage=private_storage,
        blank=True,
        max_length=255,
    )
    added_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["type", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(organization__isnull=True))
                | (Q(product__isnull=True) & Q(organization__isnull=False)),
                name="marketplace_certification_product_xor_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"

    def is_valid(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.valid_until is None or self.valid_until >= on


def product_image_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.product.seller_id}/images/{secrets.token_hex(8)}-{filename}"


class ProductImage(BaseModel):
    """A photo, re-encoded on upload (upright, resized, no EXIF), with its thumbnail."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.FileField(_("image"), upload_to=product_image_path, max_length=255)
    thumbnail = models.FileField(_("thumbnail"), upload_to=product_image_path, max_length=255)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text or self.image.name


class SearchWord(models.Model):
    """A word of some product's name, lower-cased (the `simple` text-search parser's words):
    the vocabulary that a misspelt search word is corrected against (pg_trgm's documented
    approach to spelling suggestions). Kept by marketplace.search.search_vector_refresh; its
    GIN trigram index exists on PostgreSQL only (migration 0006), and SQLite never reads it."""

    word = models.CharField(_("word"), max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
