"""Catalogue filters of the products API. Cheap ones only: search, region, price and
certification filters come with the catalogue search."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from marketplace.models import Product
from marketplace.selectors import category_with_descendants


class ProductOrderingFilter(filters.OrderingFilter):
    """`price`, `-price`, `-created` (and `created`); ties broken by id so pages are stable."""

    def filter(self, queryset: QuerySet, value) -> QuerySet:
        queryset = super().filter(queryset, value)
        if value:
            queryset = queryset.order_by(*queryset.query.order_by, "-id")
        return queryset


class ProductFilterSet(filters.FilterSet):
    category = filters.CharFilter(
        method="filter_category",
        help_text="Category slug; a top-level category includes its sub-categories.",
    )
    kind = filters.ChoiceFilter(choices=Product.Kind.choices)
    seller = filters.CharFilter(field_name="seller__slug", help_text="Seller's slug")
    organization = filters.CharFilter(
        method="filter_nothing",
        help_text=(
            "Slug of your organisation: its product desk (every status) instead of the "
            "public catalogue. Members and platform staff only."
        ),
    )
    status = filters.ChoiceFilter(
        choices=Product.Status.choices, help_text="With `organization` only."
    )
    ordering = ProductOrderingFilter(
        fields=(("price_amount", "price"), ("created_at", "created")),
    )

    class Meta:
        model = Product
        fields = []

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(category_id__in=category_with_descendants(value))

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # the view picks the desk list for `organization`
