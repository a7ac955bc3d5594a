from functools import cached_property

from django.core.validators import slug_re
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.organization_serializers import PlaceSerializer
from accounts.models import Organization
from marketplace import services
from marketplace.models import Category, Certification, Product, ProductImage, StockMovement

# --- Output -----------------------------------------------------------------------------------


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class CategoryChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]
        read_only_fields = fields


class CategoryTreeSerializer(serializers.ModelSerializer):
    """A top-level TTG field with its sub-categories, in order."""

    children = CategoryChildSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["slug", "name", "children"]
        read_only_fields = fields


class ProductCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent_slug = serializers.CharField(source="parent.slug", default=None, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", default=None, allow_null=True)


class SellerSerializer(serializers.Serializer):
    slug = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    is_verified = serializers.BooleanField()


class ProductRegionSerializer(serializers.Serializer):
    """Where the seller is: its kecamatan, regency and province (Kemendagri codes)."""

    district = serializers.CharField(source="seller.district.code")
    district_name = serializers.CharField(source="seller.district.display_name")
    regency = serializers.CharField(source="seller.district.regency.code")
    regency_name = serializers.CharField(source="seller.district.regency.display_name")
    province = serializers.CharField(source="seller.district.regency.province.code")
    province_name = serializers.CharField(source="seller.district.regency.province.display_name")


class ProductCardSerializer(serializers.ModelSerializer):
    """What a catalogue card shows. Built from the selector's prefetches: no query per item."""

    category = ProductCategorySerializer(allow_null=True, read_only=True)
    seller = SellerSerializer(read_only=True)
    region = ProductRegionSerializer(source="*", read_only=True)
    thumbnail_url = serializers.SerializerMethodField()
    in_stock = serializers.BooleanField(read_only=True)
    rating = serializers.DecimalField(
        source="rating_average",
        max_digits=3,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
    )
    rating_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "slug",
            "name",
            "kind",
            "status",
            "price_amount",
            "selling_unit",
            "minimum_order",
            "order_step",
            "availability",
            "category",
            "seller",
            "region",
            "thumbnail_url",
            "in_stock",
            "rating",
            "rating_count",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, product: Product) -> str | None:
        # The catalogue prefetches the first photo only (`card_images`); other lists all of
        # them, in order.
        images = getattr(product, "card_images", None)
        if images is None:
            images = list(product.images.all())
        if not images:
            return None
        return _absolute(self.context.get("request"), images[0].thumbnail.url)

    def to_representation(self, product: Product) -> dict:
        """The card built directly (the declared fields above describe it for the schema):
        a page of cards is the catalogue's hot path, and DRF's field machinery costs more
        than the query."""
        category = product.category
        parent = category.parent if category is not None else None
        seller = product.seller
        district = seller.district
        regency = district.regency
        province = regency.province
        return {
            "slug": product.slug,
            "name": product.name,
            "kind": product.kind,
            "status": product.status,
            "price_amount": product.price_amount,
            "selling_unit": product.selling_unit,
            "minimum_order": product.minimum_order,
            "order_step": product.order_step,
            "availability": product.availability,
            "category": None
            if category is None
            else {
                "slug": category.slug,
                "name": category.name,
                "parent_slug": parent.slug if parent is not None else None,
                "parent_name": parent.name if parent is not None else None,
            },
            "seller": {
                "slug": seller.slug,
                "code": seller.code,
                "name": seller.name,
                "is_verified": seller.is_verified,
            },
            "region": {
                "district": district.code,
                "district_name": district.display_name,
                "regency": regency.code,
                "regency_name": regency.display_name,
                "province": province.code,
                "province_name": province.display_name,
            },
            "thumbnail_url": self.get_thumbnail_url(product),
            "in_stock": product.in_stock,
            "rating": self._rating_field.to_representation(product.rating_average),
            "rating_count": product.rating_count,
        }

    @cached_property
    def _rating_field(self) -> serializers.DecimalField:
        return self.fields["rating"]


class ProductImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "thumbnail_url", "alt_text", "position"]
        read_only_fields = fields

    def get_url(self, image: ProductImage) -> str:
        return _absolute(self.context.get("request"), image.image.url)

    def get_thumbnail_url(self, image: ProductImage) -> str:
        return _absolute(self.context.get("request"), image.thumbnail.url)


class CertificationSerializer(serializers.ModelSerializer):
    """A certificate. `scan_url` is set only for the seller's members and platform staff
    (context `show_scans`): scans are private."""

    held_by = serializers.SerializerMethodField()
    is_valid = serializers.SerializerMethodField()
    scan_url = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = [
            "id",
            "type",
            "number",
            "issuer",
            "valid_until",
            "is_valid",
            "held_by",
            "scan_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["product", "organization"]))
    def get_held_by(self, certification: Certification) -> str:
        return "product" if certification.product_id else "organization"

    def get_is_valid(self, certification: Certification) -> bool:
        return certification.is_valid()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_scan_url(self, certification: Certification) -> str | None:
        if not (self.context.get("show_scans") and certification.scan):
            return None
        if certification.product_id:
            url = reverse(
                "api:product-certification-scan",
                args=[certification.product.slug, certification.pk],
            )
        else:
            url = reverse(
                "api:organization-certification-scan",
                args=[certification.organization.slug, certification.pk],
            )
        return _absolute(self.context.get("request"), url)


class ProductDetailSerializer(ProductCardSerializer):
    """One product: everything a buyer reads before ordering. `hidden_reason` is only ever
    seen by the seller's members and platform staff (hidden products are not public)."""

    images = ProductImageSerializer(many=True, read_only=True)
    certifications = serializers.SerializerMethodField()
    user_guide_url = serializers.SerializerMethodField()

    def to_representation(self, product: Product) -> dict:
        # Every field through DRF: one product, not a page of them.
        return serializers.ModelSerializer.to_representation(self, product)

    class Meta(ProductCardSerializer.Meta):
        fields = [
            *ProductCardSerializer.Meta.fields,
            "description",
            "specs",
            "weight_per_unit_kg",
            "stock",
            "lead_time_days",
            "monthly_capacity",
            "output_quantity_kg",
            "output_period",
            "innovator",
            "awards",
            "patent_number",
            "images",
            "user_guide_url",
            "certifications",
            "hidden_reason",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_user_guide_url(self, product: Product) -> str | None:
        if not product.user_guide:
            return None
        return _absolute(self.context.get("request"), product.user_guide.url)

    @extend_schema_field(CertificationSerializer(many=True))
    def get_certifications(self, product: Product) -> list[dict]:
        """Certificates that count now: the product's own and its Posyantek's."""
        certifications = self.context.get("certifications", [])
        return CertificationSerializer(certifications, many=True, context=self.context).data


class StockMovementSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = ["id", "delta", "reason", "note", "stock_after", "actor", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, movement: StockMovement) -> str | None:
        actor = movement.actor
        return (actor.name or actor.email) if actor is not None else None


class StockResultSerializer(serializers.Serializer):
    stock = serializers.IntegerField()
    movement = StockMovementSerializer(allow_null=True)


# --- Input ------------------------------------------------------------------------------------

INT_MAX = 2**31 - 1


def _whole(minimum: int, message: str, maximum: int = INT_MAX, **kwargs) -> serializers.Field:
    """A whole number with the same message the service gives for this field."""
    return serializers.IntegerField(
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_string_length": message,
        },
        **kwargs,
    )


class CategoryInputField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("There is no category “{value}”. Choose one from categories/."),
        "invalid": _("Give a category slug."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data):
        # Not a slug (e.g. a NUL byte, which PostgreSQL refuses in a query): no such category,
        # without asking the database.
        if not isinstance(data, str) or not slug_re.fullmatch(data):
            self.fail("does_not_exist" if isinstance(data, str) else "invalid", value=data)
        return super().to_internal_value(data)


class SpecSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    value = serializers.CharField(max_length=500)


WHOLE_UNITS = _("Give a whole number of selling units, at least 1.")


class ProductWriteSerializer(serializers.Serializer):
    """A product's fields. The service normalises them and checks the rest (e.g. a published
    product must stay complete)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Product.Kind.choices)
    category = CategoryInputField(required=False, allow_null=True, help_text="Category slug")
    description = serializers.CharField(required=False, allow_blank=True)
    specs = SpecSerializer(many=True, required=False, max_length=services.MAX_SPECS)
    selling_unit = serializers.CharField(required=False, allow_blank=True, max_length=60)
    minimum_order = _whole(1, WHOLE_UNITS, required=False)
    order_step = _whole(1, WHOLE_UNITS, required=False)
    price_amount = _whole(
        0,
        _("Give the price in whole Rupiah, 0 or more, without PPN."),
        maximum=services.MAX_PRICE_AMOUNT,
        required=False,
        help_text="Whole Rupiah per selling unit, without PPN",
    )
    weight_per_unit_kg = serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=True,
    )
    availability = serializers.ChoiceField(choices=Product.Availability.choices, required=False)
    lead_time_days = _whole(0, _("Give the lead time in whole days, 0 or more."), required=False)
    monthly_capacity = _whole(1, WHOLE_UNITS, required=False, allow_null=True)
    output_quantity_kg = _whole(
        1, _("Give the output in whole kilograms, at least 1."), required=False, allow_null=True
    )
    output_period = serializers.ChoiceField(
        choices=Product.OutputPeriod.choices, required=False, allow_blank=True
    )
    innovator = serializers.CharField(required=False, allow_blank=True, max_length=200)
    awards = serializers.CharField(required=False, allow_blank=True)
    patent_number = serializers.CharField(required=False, allow_blank=True, max_length=100)


class OrganizationRefSerializer(serializers.Serializer):
    organization = serializers.SlugField(help_text="Slug of the Posyantek that sells it")


class ProductCreateSerializer(ProductWriteSerializer, OrganizationRefSerializer):
    pass


class StockChangeSerializer(serializers.Serializer):
    """Either `stock` (the counted stock: set) or `delta` with a `reason` (adjust)."""

    ADJUST_REASONS = [
        StockMovement.Reason.RESTOCK,
        StockMovement.Reason.CORRECTION,
        StockMovement.Reason.SALE,
    ]

    stock = _whole(0, _("Give a whole number, 0 or more."), required=False)
    delta = serializers.IntegerField(
        required=False,
        min_value=-INT_MAX,
        max_value=INT_MAX,
        error_messages={"invalid": _("Give a whole number other than 0.")},
    )
    reason = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in ADJUST_REASONS], required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")

    def validate(self, attrs):
        if ("stock" in attrs) == ("delta" in attrs):
            raise serializers.ValidationError(
                _("Send either the counted stock (stock) or a change (delta with a reason).")
            )
        if "delta" in attrs:
            if attrs["delta"] == 0:
                raise serializers.ValidationError({"delta": _("Give a whole number other than 0.")})
            if "reason" not in attrs:
                raise serializers.ValidationError({"reason": _("Choose a reason for the change.")})
        elif "reason" in attrs:
            raise serializers.ValidationError(
                {"reason": _("A reason goes with a change (delta), not with the counted stock.")}
            )
        return attrs


class HideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, at most 8 MB")
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class GuideUploadSerializer(serializers.Serializer):
    user_guide = serializers.FileField(help_text="PDF, at most 8 MB")


class CertificationCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Certification.Type.choices)
    number = serializers.CharField(max_length=100)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    scan = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="PDF, JPEG or PNG, at most 8 MB"
    )


# --- Posyantek storefronts --------------------------------------------------------------------


class PosyantekSerializer(serializers.ModelSerializer):
    """A public storefront: the Posyantek's profile, how many products it offers and where
    to list them (`products/?seller=<slug>`)."""

    place = PlaceSerializer(source="*", read_only=True)
    product_count = serializers.IntegerField(read_only=True)
    products_url = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "slug",
            "code",
            "name",
            "description",
            "posyantek_level",
            "place",
            "address",
            "whatsapp",
            "email",
            "website",
            "product_count",
            "products_url",
        ]
        read_only_fields = fields

    def get_products_url(self, organization: Organization) -> str:
        url = f"{reverse('api:product-list')}?seller={organization.slug}"
        return _absolute(self.context.get("request"), url)
