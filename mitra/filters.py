"""Filters of need lists (the needs API and mitra.selectors.need_list, which the pages use).

As in the catalogue (marketplace.filters): a malformed value (`province=xx`, a category that
is not a slug) or one outside a fixed set (`kind`, `direction`, `status`, `ordering`) is an
error of its field — 400 in the API; a well-formed reference to nothing (an unknown category
or region code) matches nothing. Regions are those of the delivery kecamatan.
"""

from typing import Any

import django_filters
from django.core.validators import validate_slug
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from marketplace.filters import region_filter
from marketplace.models import Category
from mitra.models import Need
from regions.codes import Level


class NeedFilter(django_filters.FilterSet):
    """Filters and ordering over a need queryset (mitra.selectors). Default order: newest
    published first."""

    ORDERINGS: dict[str, tuple[Any, ...]] = {
        "-published": (F("published_at").desc(nulls_last=True), "-created_at", "-id"),
        "deadline": (F("deadline").asc(nulls_last=True), "-id"),
    }

    category = django_filters.CharFilter(
        method="filter_category",
        validators=[validate_slug],
        help_text="Category slug; a top-level category includes its sub-categories.",
    )
    kind = django_filters.ChoiceFilter(choices=Need.Kind.choices)
    direction = django_filters.ChoiceFilter(
        choices=Need.Direction.choices,
        help_text="need: partners looking; offer: partners offering.",
    )
    province = region_filter(
        Level.PROVINCE, "delivery_district__regency__province_id", "Delivery province code."
    )
    regency = region_filter(
        Level.REGENCY, "delivery_district__regency_id", "Delivery regency/city code."
    )
    district = region_filter(Level.DISTRICT, "delivery_district_id", "Delivery kecamatan code.")
    status = django_filters.MultipleChoiceFilter(
        choices=Need.Status.choices,
        help_text="With `organization` (your own needs); repeat it for several. The public list "
        "holds open and in-discussion needs only.",
    )
    organization = django_filters.CharFilter(
        method="filter_nothing",
        help_text="Slug of your organisation: all its needs, drafts included (its members and "
        "platform staff).",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[("-published", _("Newest first")), ("deadline", _("Deadline, soonest first"))],
        method="filter_nothing",
        help_text="Default: newest published first.",
    )

    class Meta:
        model = Need
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        ids = list(
            Category.objects.filter(Q(slug=value) | Q(parent__slug=value)).values_list(
                "pk", flat=True
            )
        )
        return queryset.filter(category_id__in=ids)

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # the selector scopes by organisation; ordering comes last

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering")
        if ordering:
            return queryset.order_by(*self.ORDERINGS[ordering])
        return queryset
