"""Filters of the products API: the catalogue's (marketplace.filters), plus the product desk's
`organization` and `status`."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from marketplace.filters import CatalogueFilter
from marketplace.models import Product


class ProductFilterSet(CatalogueFilter):
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

    class Meta(CatalogueFilter.Meta):
        pass

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # the view picks the desk list for `organization`; ordering comes last
