"""Products, their status, stock, certificates and media.

Every write goes through one of these functions: pages, API, admin actions, tasks and commands
call them. Callers check *who may* (marketplace.permissions); these check *what is allowed now*
(the seller is a verified Posyantek, the product is complete, the status move is legal, stock
does not go below zero), record a ProductEvent for each status move, and send
`product_changed` after commit when something that matters to matching changed.
Capacity bookings live in marketplace.capacity.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.files import PDF, SCAN_TYPES, check_upload
from core.images import reencode_image
from marketplace.models import (
    Category,
    Certification,
    Product,
    ProductEvent,
    ProductImage,
    StockMovement,
)
from marketplace.search import search_vector_refresh
from marketplace.signals import MATCHING_FIELDS, send_product_changed_on_commit

# Fields that make up the search vector (marketplace.search).
SEARCHED_FIELDS = {"name", "description", "specs", "category", "category_id"}

Status = Product.Status
Availability = Product.Availability

# One way to change a status: each service moves to one target, only from these states.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.ARCHIVED, Status.HIDDEN},
    Status.PUBLISHED: {Status.DRAFT, Status.ARCHIVED, Status.HIDDEN},
    Status.ARCHIVED: {Status.DRAFT, Status.PUBLISHED, Status.HIDDEN},
    # Unhiding returns the product to draft: the seller checks it and publishes again.
    Status.HIDDEN: {Status.DRAFT},
}

EDITABLE_FIELDS = {
    "category",
    "kind",
    "name",
    "description",
    "specs",
    "selling_unit",
    "minimum_order",
    "order_step",
    "price_amount",
    "weight_per_unit_kg",
    "availability",
    "lead_time_days",
    "monthly_capacity",
    "output_quantity_kg",
    "output_period",
    "innovator",
    "awards",
    "patent_number",
}
MAX_SPECS = 30
MAX_IMAGES = 8
IMAGE_MAX_BYTES = 8 * 1024 * 1024
GUIDE_MAX_BYTES = 8 * 1024 * 1024
SCAN_MAX_BYTES = 8 * 1024 * 1024
MAX_PRICE_AMOUNT = 10**13  # Rp 10 trillion: anything above is a typing mistake
MAX_STOCK = 2**31 - 1  # the column's range
MAX_LEAD_TIME_DAYS = 365
MAX_OUTPUT_KG = 10_000_000  # 10,000 tonnes a day or a week: anything above is a typing mistake


class OutOfStock(Conflict):
    default_code = "out_of_stock"


# --- Validation -------------------------------------------------------------------------------


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise ValueError


def _clean_specs(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_SPECS:
        raise ValueError
    specs = []
    for row in value:
        if not isinstance(row, dict) or set(row) != {"key", "value"}:
            raise ValueError
        key, text = row["key"], row["value"]
        if not isinstance(key, str) or not isinstance(text, str):
            raise ValueError
        key, text = " ".join(key.split()), text.strip()
        if not key or not text or len(key) > 100 or len(text) > 500:
            raise ValueError
        specs.append({"key": key, "value": text})
    return specs


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check product fields; raise InvalidInput with messages by field."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(fields={field: [_("This field cannot be set.")] for field in unknown})
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)

    for field in ("name", "selling_unit", "innovator", "patent_number"):
        if field in cleaned:
            cleaned[field] = " ".join(str(cleaned[field] or "").split())
    for field in ("description", "awards"):
        if field in cleaned:
            cleaned[field] = str(cleaned[field] or "").strip()
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("Enter the product's name.")]
    if len(cleaned.get("name", "")) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    if len(cleaned.get("selling_unit", "")) > 60:
        errors["selling_unit"] = [_("Use at most 60 characters, e.g. “karung 50 kg”.")]
    if "kind" in cleaned and cleaned["kind"] not in Product.Kind.values:
        errors["kind"] = [_("Choose what kind of product this is.")]
    if "availability" in cleaned and cleaned["availability"] not in Product.Availability.values:
        errors["availability"] = [_("Choose how the product is available.")]
    if "output_period" in cleaned:
        cleaned["output_period"] = cleaned["output_period"] or ""
        if cleaned["output_period"] not in ["", *Product.OutputPeriod.values]:
            errors["output_period"] = [_("Choose per day or per week.")]
    category = cleaned.get("category")
    if category is not None and not isinstance(category, Category):
        errors["category"] = [_("Choose a category from the list.")]
    if "specs" in cleaned:
        try:
            cleaned["specs"] = _clean_specs(cleaned["specs"] or [])
        except ValueError:
            errors["specs"] = [
                _("Give each specification a name and a value (at most %(n)s rows).")
                % {"n": MAX_SPECS}
            ]

    whole_numbers = {
        # field: (minimum, allow empty, message)
        "minimum_order": (1, False, _("Give a whole number of selling units, at least 1.")),
        "order_step": (1, False, _("Give a whole number of selling units, at least 1.")),
        "price_amount": (0, False, _("Give the price in whole Rupiah, 0 or more, without PPN.")),
        "lead_time_days": (
            0,
            False,
            _("Give the lead time in whole days, from 0 to %(max)s.") % {"max": MAX_LEAD_TIME_DAYS},
        ),
        "monthly_capacity": (1, True, _("Give a whole number of selling units, at least 1.")),
        "output_quantity_kg": (1, True, _("Give the output in whole kilograms, at least 1.")),
    }
    for field, (minimum, allow_empty, message) in whole_numbers.items():
        if field not in cleaned:
            continue
        if allow_empty and cleaned[field] in (None, ""):
            cleaned[field] = None
            continue
        try:
            number = _whole_number(cleaned[field])
        except ValueError:
            errors[field] = [message]
            continue
        maximum = {
            "price_amount": MAX_PRICE_AMOUNT,
            "lead_time_days": MAX_LEAD_TIME_DAYS,
            "output_quantity_kg": MAX_OUTPUT_KG,
        }.get(field, 2**31 - 1)
        if number < minimum or number > maximum:
            errors[field] = [message]
        cleaned[field] = number

    if "weight_per_unit_kg" in cleaned:
        weight = cleaned["weight_per_unit_kg"]
        if weight in (None, ""):
            cleaned["weight_per_unit_kg"] = None
        else:
            try:
                if isinstance(weight, bool | float):
                    raise InvalidOperation
                weight = Decimal(str(weight).strip().replace(",", "."))
                if not weight.is_finite() or weight <= 0 or weight >= 10**7:
                    raise InvalidOperation
                if weight != weight.quantize(Decimal("0.001")):
                    raise InvalidOperation
            except InvalidOperation:
                errors["weight_per_unit_kg"] = [
                    _("Give the weight of one selling unit in kg, e.g. 50 or 0.25.")
                ]
            else:
                cleaned["weight_per_unit_kg"] = weight.quantize(Decimal("0.001"))
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _completeness_errors(product: Product) -> dict[str, list[str]]:
    """What a product lacks before buyers may see it."""
    errors: dict[str, list[str]] = {}
    if not product.name:
        errors["name"] = [_("Enter the product's name.")]
    if not product.description:
        errors["description"] = [_("Describe the product for buyers.")]
    if product.category_id is None:
        errors["category"] = [_("Choose a category.")]
    if not product.selling_unit:
        errors["selling_unit"] = [_("Say how it is sold, e.g. “unit” or “karung 50 kg”.")]
    if product.price_amount <= 0:
        errors["price_amount"] = [_("Set a price above Rp 0.")]
    if product.kind != Product.Kind.METHOD and not product.weight_per_unit_kg:
        errors["weight_per_unit_kg"] = [_("Give the weight of one selling unit (for shipping).")]
    if product.availability == Availability.MADE_TO_ORDER and not product.monthly_capacity:
        errors["monthly_capacity"] = [_("Say how many units you can make in a month.")]
    if product.availability == Availability.RECURRING_OUTPUT:
        if not product.output_quantity_kg:
            errors["output_quantity_kg"] = [_("Say how many kg are produced per day or week.")]
        if not product.output_period:
            errors["output_period"] = [_("Choose per day or per week.")]
        if not product.weight_per_unit_kg:
            errors["weight_per_unit_kg"] = [_("Give the weight of one selling unit in kg.")]
    return errors


def _unique_slug(name: str, seller: Organization) -> str:
    base = f"{slugify(name)[:180] or 'produk'}-{seller.code.lower()}"
    slug, number = base, 2
    while Product.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _event(
    product: Product,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> ProductEvent:
    return ProductEvent.objects.create(
        product=product,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _locked(product: Product) -> Product:
    return Product.objects.select_for_update().select_related("seller").get(pk=product.pk)


def _check_seller(seller: Organization) -> None:
    if seller.kind != Organization.Kind.POSYANTEK:
        raise PermissionDenied(_("Only a Posyantek can sell products."), code="not_a_seller")


# --- Products ---------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *, seller: Organization, actor: User, name: str, kind: str, **fields: Any
) -> Product:
    """Create a draft product for a Posyantek (verified or not: unverified ones keep drafts)."""
    _check_seller(seller)
    cleaned = _clean_fields({"name": name, "kind": kind, **fields})
    try:
        with transaction.atomic():
            product = Product.objects.create(
                seller=seller, slug=_unique_slug(cleaned["name"], seller), **cleaned
            )
    except IntegrityError:
        raise Conflict(_("Someone just saved a product with this name. Try again.")) from None
    _event(product, kind=ProductEvent.Kind.CREATED, actor=actor, to_status=product.status)
    search_vector_refresh(product_ids=[product.pk])
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User, data: dict[str, Any]) -> Product:
    """Change a product's fields (never its seller, slug, status or stock). A published product
    must stay complete. Sends product_changed when a field that matters to matching changed."""
    cleaned = _clean_fields(data)
    product = _locked(product)
    changed = [field for field in cleaned if getattr(product, field) != cleaned[field]]
    for field in changed:
        setattr(product, field, cleaned[field])
    if product.status == Status.PUBLISHED:
        errors = _completeness_errors(product)
        if errors:
            raise InvalidInput(
                _("A published product must stay complete. Fix these fields or unpublish it."),
                code="product_incomplete",
                fields=errors,
            )
    if changed:
        product.save(update_fields=[*changed, "updated_at"])
        send_product_changed_on_commit(product.pk, set(changed) & MATCHING_FIELDS)
        if set(changed) & SEARCHED_FIELDS:
            search_vector_refresh(product_ids=[product.pk])
    return product


def _move(
    product: Product,
    *,
    actor: User | None,
    to: str,
    only_from: set[str] | None = None,
    note: str = "",
    **updates: Any,
) -> Product:
    """Lock, check the move against ALLOWED_TRANSITIONS (and the service's own starting
    states), save, record, announce."""
    product = _locked(product)
    if to not in ALLOWED_TRANSITIONS[product.status] or (
        only_from is not None and product.status not in only_from
    ):
        raise Conflict(
            _("This product is %(status)s; that step is not possible now.")
            % {"status": str(product.get_status_display()).lower()},
            code="illegal_transition",
        )
    previous = product.status
    product.status = to
    product.hidden_reason = note if to == Status.HIDDEN else ""
    for field, value in updates.items():
        setattr(product, field, value)
    product.save(update_fields=["status", "hidden_reason", *updates, "updated_at"])
    _event(
        product,
        kind=ProductEvent.Kind.STATUS,
        actor=actor,
        from_status=previous,
        to_status=to,
        note=note,
    )
    send_product_changed_on_commit(product.pk, {"status"})
    return product


@transaction.atomic
def product_publish(*, product: Product, actor: User) -> Product:
    """Show the product to buyers. Only a verified Posyantek publishes, and only a complete
    product (price above 0, category, unit, weight, capacity for its availability)."""
    product = _locked(product)
    _check_seller(product.seller)
    if not product.seller.is_verified:
        raise Conflict(
            _(
                "Your Posyantek is not verified yet. Products stay drafts until platform staff "
                "verify it."
            ),
            code="seller_not_verified",
        )
    errors = _completeness_errors(product)
    if errors:
        raise InvalidInput(
            _("Complete the product before publishing it."),
            code="product_incomplete",
            fields=errors,
        )
    return _move(product, actor=actor, to=Status.PUBLISHED, published_at=timezone.now())


@transaction.atomic
def product_unpublish(*, product: Product, actor: User) -> Product:
    """Take a published or archived product back to draft (not on sale)."""
    return _move(
        product, actor=actor, to=Status.DRAFT, only_from={Status.PUBLISHED, Status.ARCHIVED}
    )


@transaction.atomic
def product_archive(*, product: Product, actor: User) -> Product:
    """No longer sold; kept for past orders. Can be published again."""
    return _move(product, actor=actor, to=Status.ARCHIVED)


@transaction.atomic
def product_hide(*, product: Product, actor: User, reason: str) -> Product:
    """Platform staff take a product off the catalogue, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": [_("Say why, so the seller can fix it.")]})
    return _move(product, actor=actor, to=Status.HIDDEN, note=reason)


@transaction.atomic
def product_unhide(*, product: Product, actor: User) -> Product:
    """Platform staff lift the hiding; the product returns to draft for the seller to check."""
    return _move(product, actor=actor, to=Status.DRAFT, only_from={Status.HIDDEN})


# --- Stock ------------------------------------------------------------------------------------


def _check_counted(product: Product) -> None:
    if product.availability != Availability.STOCK:
        raise Conflict(
            _("This product is not sold from stock; change its capacity instead."),
            code="not_stock_product",
        )


@transaction.atomic
def stock_adjust(
    *, product: Product, actor: User | None, delta: int, reason: str, note: str = ""
) -> StockMovement:
    """Add or take `delta` units with one conditional UPDATE (… WHERE stock + delta >= 0):
    never oversells, even when two requests race. Raises OutOfStock (409) and changes nothing
    if there is not enough."""
    try:
        delta = _whole_number(delta)
    except ValueError:
        delta = 0
    if delta == 0 or abs(delta) > MAX_STOCK:
        raise InvalidInput(fields={"delta": [_("Give a whole number other than 0.")]})
    if reason not in StockMovement.Reason.values:
        raise InvalidInput(fields={"reason": [_("Choose a reason for the change.")]})
    _check_counted(product)
    # The stock stays within 0 … MAX_STOCK whatever the delta, in the same single UPDATE.
    updated = Product.objects.filter(
        pk=product.pk, stock__gte=max(-delta, 0), stock__lte=MAX_STOCK - max(delta, 0)
    ).update(stock=F("stock") + delta, updated_at=timezone.now())
    if not updated:
        available = Product.objects.values_list("stock", flat=True).get(pk=product.pk)
        if delta > 0:
            raise InvalidInput(
                fields={
                    "delta": [
                        _("The stock cannot be more than %(max)s.") % {"max": f"{MAX_STOCK:,}"}
                    ]
                }
            )
        raise OutOfStock(
            _("Only %(stock)s left in stock.") % {"stock": available}, code="out_of_stock"
        )
    stock_after = Product.objects.values_list("stock", flat=True).get(pk=product.pk)
    product.stock = stock_after
    return StockMovement.objects.create(
        product=product,
        actor=actor,
        delta=delta,
        reason=reason,
        note=(note or "")[:255],
        stock_after=stock_after,
    )


@transaction.atomic
def stock_set(*, product: Product, actor: User, stock: int, note: str = "") -> StockMovement | None:
    """Set the counted stock (the seller counted the shelf). Recorded as a restock or a
    correction; None when nothing changed."""
    try:
        stock = _whole_number(stock)
    except ValueError:
        stock = -1
    if stock < 0 or stock > 2**31 - 1:
        raise InvalidInput(fields={"stock": [_("Give a whole number, 0 or more.")]})
    locked = _locked(product)
    _check_counted(locked)
    delta = stock - locked.stock
    if delta == 0:
        return None
    # Conditional on the value we read: a concurrent change makes this touch no row.
    updated = Product.objects.filter(pk=locked.pk, stock=locked.stock).update(
        stock=stock, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(
            _("The stock changed meanwhile. Reload and try again."), code="stock_changed"
        )
    product.stock = stock
    return StockMovement.objects.create(
        product=locked,
        actor=actor,
        delta=delta,
        reason=StockMovement.Reason.RESTOCK if delta > 0 else StockMovement.Reason.CORRECTION,
        note=(note or "")[:255],
        stock_after=stock,
    )


# --- Certifications ---------------------------------------------------------------------------


@transaction.atomic
def certification_add(
    *,
    actor: User,
    type: str,  # the certificate's type code, as in the API
    number: str,
    issuer: str = "",
    valid_until=None,
    scan: IO[bytes] | None = None,
    product: Product | None = None,
    organization: Organization | None = None,
) -> Certification:
    """Record a certificate held by a product or by a Posyantek (for all its products). The
    scan, if any, must be a PDF, JPEG or PNG by content, at most 8 MB; it is kept private."""
    if (product is None) == (organization is None):
        raise InvalidInput(
            _("A certificate belongs either to a product or to a Posyantek."),
            code="certificate_holder",
        )
    if organization is not None:
        _check_seller(organization)
    errors: dict[str, list[str]] = {}
    if type not in Certification.Type.values:
        errors["type"] = [_("Choose the kind of certificate (PIRT, Halal, SNI, BPOM, NPP, HKI).")]
    number = " ".join((number or "").split())
    if not number or len(number) > 100:
        errors["number"] = [_("Enter the certificate number.")]
    issuer = " ".join((issuer or "").split())[:200]
    if errors:
        raise InvalidInput(fields=errors)
    extension = None
    if scan is not None:
        extension = check_upload(
            scan,
            field="scan",
            types=SCAN_TYPES,
            max_bytes=SCAN_MAX_BYTES,
            type_message=_("Send the scan as a PDF, JPEG or PNG file."),
            size_message=_("The scan is larger than 8 MB. Send a smaller file."),
        )
    certification = Certification(
        product=product,
        organization=organization,
        type=type,
        number=number,
        issuer=issuer,
        valid_until=valid_until,
        added_by=actor,
    )
    if scan is not None:
        certification.scan.save(f"{type}{extension}", scan, save=False)
    certification.save()
    _announce_certification(certification, actor=actor, note=_("Added"))
    return certification


@transaction.atomic
def certification_remove(*, certification: Certification, actor: User) -> None:
    _announce_certification(certification, actor=actor, note=_("Removed"))
    scan = certification.scan
    certification.delete()
    if scan and scan.name:
        storage, name = scan.storage, scan.name
        transaction.on_commit(lambda: storage.delete(name))


def _announce_certification(certification: Certification, *, actor: User, note: str) -> None:
    if certification.product_id:
        product_ids = [certification.product_id]
    else:
        product_ids = list(
            Product.objects.filter(seller_id=certification.organization_id).values_list(
                "pk", flat=True
            )
        )
    label = f"{certification.get_type_display()} {certification.number}: {note}"
    if certification.product_id:
        _event(
            certification.product,
            kind=ProductEvent.Kind.CERTIFICATION,
            actor=actor,
            note=label,
        )
    for product_id in product_ids:
        send_product_changed_on_commit(product_id, {"certifications"})


# --- Media ------------------------------------------------------------------------------------


@transaction.atomic
def product_image_add(
    *, product: Product, actor: User, file: IO[bytes], alt_text: str = ""
) -> ProductImage:
    """Add a photo: checked by content (JPEG, PNG or WebP, at most 8 MB), turned upright,
    resized to 1600 px, EXIF (GPS included) removed, with a 400 px thumbnail."""
    product = _locked(product)
    if product.images.count() >= MAX_IMAGES:
        raise Conflict(
            _("A product has at most %(n)s photos. Remove one first.") % {"n": MAX_IMAGES},
            code="too_many_images",
        )
    name = f"{product.slug[:60]}.jpg"
    image_file = reencode_image(file, max_size=1600, max_bytes=IMAGE_MAX_BYTES, name=name)
    thumbnail = reencode_image(
        image_file.open("rb"), max_size=400, quality=70, name=f"{product.slug[:60]}-thumb.jpg"
    )
    image_file.seek(0)
    position = (product.images.aggregate(last=Max("position"))["last"] or 0) + 1
    image = ProductImage(
        product=product, alt_text=" ".join((alt_text or "").split())[:200], position=position
    )
    image.image.save(image_file.name, image_file, save=False)
    image.thumbnail.save(thumbnail.name, thumbnail, save=False)
    image.save()
    return image


@transaction.atomic
def product_image_remove(*, image: ProductImage, actor: User) -> None:
    """Remove a photo; its files are deleted once the removal is committed."""
    files = [(f.storage, f.name) for f in (image.image, image.thumbnail) if f and f.name]
    image.delete()
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


@transaction.atomic
def product_guide_set(*, product: Product, actor: User, file: IO[bytes]) -> Product:
    """Attach the user guide (public): a PDF by content, at most 8 MB. Replaces the old one."""
    check_upload(
        file,
        field="user_guide",
        types=PDF,
        max_bytes=GUIDE_MAX_BYTES,
        type_message=_("The user guide must be a PDF file."),
        size_message=_("The user guide is larger than 8 MB. Send a smaller PDF."),
    )
    product = _locked(product)
    old = product.user_guide.name if product.user_guide else ""
    storage = product.user_guide.storage
    product.user_guide.save(f"{product.slug[:60]}-panduan.pdf", file, save=False)
    product.save(update_fields=["user_guide", "updated_at"])
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return product


@transaction.atomic
def product_guide_remove(*, product: Product, actor: User) -> Product:
    product = _locked(product)
    if product.user_guide:
        storage, old = product.user_guide.storage, product.user_guide.name
        product.user_guide = ""
        product.save(update_fields=["user_guide", "updated_at"])
        transaction.on_commit(lambda: storage.delete(old))
    return product
