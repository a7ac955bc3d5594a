"""Serializers of the needs API: input (types and references only; mitra.services judges the
values) and output (cards built from the selectors' joins, no query per row) kept apart."""

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.phone import whatsapp_link
from core.money import format_rupiah
from marketplace.api.serializers import CategoryInputField
from marketplace.models import Certification
from mitra import services
from mitra.models import Match, Need
from regions.codes import CODE_PATTERNS, Level
from regions.models import District

MAX_BUDGET_AMOUNT = 10**15
MAX_CERTIFICATIONS = len(Certification.Type.values)

# --- Input ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class DistrictInputField(serializers.RelatedField):
    """A kecamatan by its Kemendagri code (`36.72.07`)."""

    default_error_messages = {
        "invalid": gettext_lazy("Give the Kemendagri code of a kecamatan, e.g. 36.72.07."),
        "does_not_exist": gettext_lazy("There is no kecamatan “{value}”."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", District.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> District:
        if not isinstance(data, str) or not CODE_PATTERNS[Level.DISTRICT].match(data):
            self.fail("invalid")
        district = self.get_queryset().filter(code=data).first()
        if district is None:
            self.fail("does_not_exist", value=data)
        return district

    def to_representation(self, value: District) -> str:
        return value.code


class NeedWriteSerializer(serializers.Serializer):
    """A need's fields (all optional in a PATCH). Values are judged by the service, which
    answers with a message per field."""

    direction = serializers.ChoiceField(choices=Need.Direction.choices, required=False)
    kind = serializers.ChoiceField(choices=Need.Kind.choices)
    title = serializers.CharField(max_length=services.MAX_TITLE_LENGTH)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_DESCRIPTION_LENGTH
    )
    category = CategoryInputField(help_text="Category slug (see categories/).")
    quantity = serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        required=False,
        allow_null=True,
        help_text="How much, in `unit` (e.g. 5 with unit ton). Required for a supply need.",
        error_messages={
            "invalid": gettext_lazy("Give the quantity as a number, e.g. 5 or 2.5."),
            "max_decimal_places": gettext_lazy("Use at most three decimals."),
            "max_digits": gettext_lazy("Give a quantity above zero."),
            "max_whole_digits": gettext_lazy("Give a quantity above zero."),
        },
    )
    unit = serializers.ChoiceField(
        choices=Need.Unit.choices,
        required=False,
        allow_blank=True,
        help_text="kg, ton, liter or unit (pieces); empty without a quantity.",
    )
    frequency = serializers.ChoiceField(choices=Need.Frequency.choices, required=False)
    budget_amount = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_BUDGET_AMOUNT,
        help_text="The most you pay for the stated quantity of one delivery: whole Rupiah, "
        "excl. PPN.",
        error_messages={
            key: gettext_lazy("Give the budget in whole Rupiah, zero or more.")
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
    )
    required_certifications = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=MAX_CERTIFICATIONS,
        help_text="Certification type codes a match must hold, valid: "
        + ", ".join(Certification.Type.values),
        error_messages={
            "not_a_list": gettext_lazy("Give a list of certification types."),
            "max_length": gettext_lazy("Give a list of certification types."),
        },
    )
    delivery_district = DistrictInputField(
        required=False,
        help_text="Kemendagri code of the kecamatan to deliver to; default: the organisation's.",
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text="YYYY-MM-DD; today or later."
    )

    def validate_required_certifications(self, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in Certification.Type.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown certification type: %(types)s. Choose from %(choices)s.")
                % {"types": ", ".join(unknown), "choices": ", ".join(Certification.Type.values)}
            )
        return value


class OrganizationRefSerializer(serializers.Serializer):
    organization = serializers.CharField(
        max_length=50,
        validators=[RegexValidator(r"^[-a-zA-Z0-9_]+\Z", gettext_lazy("Give a slug."))],
        help_text="Slug of the partner organisation that posts the need",
    )


class NeedCreateSerializer(NeedWriteSerializer, OrganizationRefSerializer):
    pass


class CloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_NOTE_LENGTH,
        default="",
        help_text="Why it is closed (kept in the history).",
    )


# --- Output -----------------------------------------------------------------------------------


def _place(district: District) -> dict[str, str]:
    regency = district.regency
    province = regency.province
    return {
        "district": district.code,
        "district_name": district.display_name,
        "regency": regency.code,
        "regency_name": regency.display_name,
        "province": province.code,
        "province_name": province.display_name,
    }


class NeedPlaceSerializer(serializers.Serializer):
    """A kecamatan with its regency and province (Kemendagri codes)."""

    district = serializers.CharField()
    district_name = serializers.CharField()
    regency = serializers.CharField()
    regency_name = serializers.CharField()
    province = serializers.CharField()
    province_name = serializers.CharField()


class NeedOrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    is_verified = serializers.BooleanField()


class NeedCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent_slug = serializers.CharField(allow_null=True)
    parent_name = serializers.CharField(allow_null=True)


class NeedSerializer(serializers.Serializer):
    """A need as a card and as its page: built from mitra.selectors' joins, with the moves
    the caller may make (`actions`, from mitra.permissions.need_next_actions; context
    `actions` maps need ids to them)."""

    id = serializers.IntegerField()
    organization = NeedOrganizationSerializer()
    direction = serializers.ChoiceField(choices=Need.Direction.choices)
    direction_display = serializers.CharField()
    kind = serializers.ChoiceField(choices=Need.Kind.choices)
    kind_display = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = NeedCategorySerializer()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    unit = serializers.CharField(help_text="kg, ton, liter, unit; empty without a quantity.")
    frequency = serializers.ChoiceField(choices=Need.Frequency.choices)
    frequency_display = serializers.CharField()
    budget_amount = serializers.IntegerField(allow_null=True, help_text="Whole Rupiah, excl. PPN.")
    budget_display = serializers.CharField(allow_null=True, help_text="e.g. Rp 4.000.000")
    required_certifications = serializers.ListField(child=serializers.CharField())
    delivery = NeedPlaceSerializer(help_text="The delivery kecamatan.")
    deadline = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Need.Status.choices)
    status_display = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    matches_computed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    actions = serializers.ListField(child=serializers.CharField())

    def to_representation(self, need: Need) -> dict[str, Any]:
        organization = need.organization
        category = need.category
        parent = category.parent
        datetime_field = serializers.DateTimeField()
        date_field = serializers.DateField()

        def moment(value):
            return datetime_field.to_representation(value) if value is not None else None

        return {
            "id": need.pk,
            "organization": {
                "slug": organization.slug,
                "code": organization.code,
                "name": organization.name,
                "kind": organization.kind,
                "is_verified": organization.is_verified,
            },
            "direction": need.direction,
            "direction_display": str(need.get_direction_display()),
            "kind": need.kind,
            "kind_display": str(need.get_kind_display()),
            "title": need.title,
            "description": need.description,
            "category": {
                "slug": category.slug,
                "name": category.name,
                "parent_slug": parent.slug if parent is not None else None,
                "parent_name": parent.name if parent is not None else None,
            },
            "quantity": None if need.quantity is None else f"{need.quantity:.3f}",
            "unit": need.unit,
            "frequency": need.frequency,
            "frequency_display": str(need.get_frequency_display()),
            "budget_amount": need.budget_amount,
            "budget_display": None
            if need.budget_amount is None
            else format_rupiah(need.budget_amount),
            "required_certifications": list(need.required_certifications or []),
            "delivery": _place(need.delivery_district),
            "deadline": date_field.to_representation(need.deadline) if need.deadline else None,
            "status": need.status,
            "status_display": str(need.get_status_display()),
            "published_at": moment(need.published_at),
            "closed_at": moment(need.closed_at),
            "matches_computed_at": moment(need.matches_computed_at),
            "created_at": moment(need.created_at),
            "updated_at": moment(need.updated_at),
            "actions": self.context.get("actions", {}).get(need.pk, []),
        }


class MatchPosyantekSerializer(serializers.Serializer):
    slug = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    place = NeedPlaceSerializer()
    whatsapp_url = serializers.URLField(
        allow_blank=True, help_text="A WhatsApp chat with the Posyantek, about this need."
    )


class MatchProductSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    price_amount = serializers.IntegerField(help_text="Whole Rupiah per selling unit, excl. PPN.")
    price_display = serializers.CharField()
    selling_unit = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    """A ranked Posyantek (and its best-fitting product, where the need's kind maps to
    products) with its score, the components it came from and the reasons in the request's
    language (`explanation`: e.g. ["Kategori sama", "satu kabupaten", "NPP berlaku"])."""

    rank = serializers.IntegerField()
    score = serializers.IntegerField(help_text="0–100")
    posyantek = MatchPosyantekSerializer()
    product = MatchProductSerializer(allow_null=True)
    components = serializers.DictField(child=serializers.FloatField(), help_text="Each 0..1")
    explanation = serializers.ListField(child=serializers.CharField())

    def to_representation(self, match: Match) -> dict[str, Any]:
        from mitra.matching import explain  # the engine's package; the API only reads it

        need: Need = self.context["need"]
        posyantek: Organization = match.posyantek
        product = match.product
        text = _(
            "Hello %(posyantek)s, this is %(partner)s on Mitra TTG, about our need “%(title)s”."
        ) % {
            "posyantek": posyantek.name,
            "partner": need.organization.name,
            "title": need.title,
        }
        return {
            "rank": match.rank,
            "score": match.score,
            "posyantek": {
                "slug": posyantek.slug,
                "code": posyantek.code,
                "name": posyantek.name,
                "place": _place(posyantek.district),
                "whatsapp_url": whatsapp_link(posyantek.whatsapp, text),
            },
            "product": None
            if product is None
            else {
                "slug": product.slug,
                "name": product.name,
                "kind": product.kind,
                "price_amount": product.price_amount,
                "price_display": format_rupiah(product.price_amount),
                "selling_unit": product.selling_unit,
            },
            "components": dict(match.components or {}),
            "explanation": [str(part) for part in explain(match, need=need)],
        }
