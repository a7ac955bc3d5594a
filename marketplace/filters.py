"""The catalogue's filters, shared by the products API and the catalogue pages.

Bad values, one rule: a value that is malformed (`min_price=abc`, `province=xx`) or not one of
a fixed set (`kind`, `certification`, `ordering`, `in_stock`) is an error of its field — the
form's errors, which the API answers with 400 and pages show next to the field. A well-formed
reference to something that does not exist (an unknown category, seller or region code) simply
matches nothing: an empty page, as for any search without results.
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from marketplace.models import Category, Certification, Product
from marketplace.search import rank_window, search_products
from marketplace.selectors import with_in_stock
from regions.codes import CODE_EXAMPLES, CODE_PATTERNS, Level

# Whole Rupiah; far above any price, far below the database's BIGINT limit.
MAX_PRICE_AMOUNT = 10**15
MAX_QUERY_LENGTH = 200


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no, on/off); empty means "any"; anything else is an error
    rather than silently ignored."""

    widget = forms.TextInput

    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class PriceFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        message = _("Give a whole number of Rupiah between 0 and 1,000,000,000,000,000.")
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_PRICE_AMOUNT)
        kwargs.setdefault(
            "error_messages", {"invalid": message, "min_value": message, "max_value": message}
        )
        super().__init__(*args, **kwargs)


def region_filter(level: Level, field_name: str, help_text: str) -> django_filters.CharFilter:
    """A filter by a Kemendagri code of one level: a malformed code is a 400 naming it."""
    message = lazy(
        lambda: (
            _("Give a Kemendagri code of a %(level)s, e.g. %(example)s.")
            % {"level": level.label, "example": CODE_EXAMPLES[level]}
        ),
        str,
    )()
    return django_filters.CharFilter(
        field_name=field_name,
        validators=[RegexValidator(CODE_PATTERNS[level], message)],
        help_text=help_text,
    )


class CatalogueFilter(django_filters.FilterSet):
    """Filters and ordering over `marketplace.selectors.catalogue_products()` (or any product
    queryset). Default order: relevance when `q` is given, else the queryset's own (newest
    first for the catalogue)."""

    ORDERINGS = {
        "price": ("price_amount", "-id"),
        "-price": ("-price_amount", "-id"),
        "-created": ("-created_at", "-id"),
        "-rating": ("-rating_average", "-created_at", "-id"),
    }

    q = django_filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Words to search for in names, categories and descriptions (typos tolerated).",
    )
    category = django_filters.CharFilter(
        method="filter_category",
        help_text="Category slug; a top-level category includes its sub-categories.",
    )
    kind = django_filters.ChoiceFilter(choices=Product.Kind.choices)
    province = region_filter(
        Level.PROVINCE, "seller__district__regency__province_id", "Seller's province code."
    )
    regency = region_filter(
        Level.REGENCY, "seller__district__regency_id", "Seller's regency/city code."
    )
    district = region_filter(Level.DISTRICT, "seller__district_id", "Seller's kecamatan code.")
    min_price = PriceFilter(
        field_name="price_amount", lookup_expr="gte", help_text="Whole Rupiah, excl. PPN."
    )
    max_price = PriceFilter(
        field_name="price_amount", lookup_expr="lte", help_text="Whole Rupiah, excl. PPN."
    )
    certification = django_filters.ChoiceFilter(
        choices=Certification.Type.choices,
        method="filter_certification",
        help_text="Type code of a valid certificate held by the product or its Posyantek.",
    )
    in_stock = StrictBooleanFilter(
        method="filter_in_stock",
        help_text="Available now: stock, or free capacity this month, of at least the minimum "
        "order.",
    )
    seller = django_filters.CharFilter(field_name="seller__slug", help_text="Seller's slug.")
    ordering = django_filters.ChoiceFilter(
        choices=[
            ("price", _("Price, lowest first")),
            ("-price", _("Price, highest first")),
            ("-created", _("Newest first")),
            ("-rating", _("Best rated first")),
        ],
        method="filter_nothing",
        help_text="Default: relevance with `q`, else newest first.",
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_products(queryset, value)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The ids first, as literals: with a subquery the planner cannot see how few products
        # a category holds and scans them all instead of using the category indexes.
        ids = list(
            Category.objects.filter(Q(slug=value) | Q(parent__slug=value)).values_list(
                "pk", flat=True
            )
        )
        return queryset.filter(category_id__in=ids)

    def filter_in_stock(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if "in_stock" not in queryset.query.annotations:
            queryset = with_in_stock(queryset)
        return queryset.filter(in_stock=value)

    def filter_certification(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        valid = Certification.objects.valid().filter(type=value)
        return queryset.filter(
            Exists(valid.filter(product=OuterRef("pk")))
            | Exists(valid.filter(organization=OuterRef("seller")))
        )

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last, in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering")
        if ordering:
            return queryset.order_by(*self.ORDERINGS[ordering])
        if self.form.cleaned_data.get("q", "").strip():
            return rank_window(queryset)
        return queryset
