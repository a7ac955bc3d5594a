"""Filters of order lists (the orders API and the order pages): status, a date range (days in
Asia/Jakarta), the order number, the buyer (name, e-mail or organisation), and overdue terms
payments. A malformed
value is an error of its field (400 in the API, shown next to the field on pages)."""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from orders.selectors import terms_overdue_q

MAX_TEXT_LENGTH = 100


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Order.Status.choices,
        help_text="One or more statuses (repeat the parameter).",
    )
    created_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_created_from",
        help_text="Placed on or after this day (YYYY-MM-DD).",
    )
    created_to = django_filters.DateFilter(
        label=_("To"),
        method="filter_created_to",
        help_text="Placed on or before this day (YYYY-MM-DD).",
    )
    number = django_filters.CharFilter(
        label=_("Order number"),
        method="filter_number",
        max_length=MAX_TEXT_LENGTH,
        help_text="The order number, or part of it.",
    )
    buyer = django_filters.CharFilter(
        label=_("Buyer"),
        method="filter_buyer",
        max_length=MAX_TEXT_LENGTH,
        help_text="Part of the buyer's name, e-mail or organisation.",
    )

    overdue = django_filters.TypedChoiceFilter(
        label=_("Overdue payment"),
        method="filter_overdue",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=(
            "true: only orders on payment terms still unpaid after their due date "
            "(Asia/Jakarta); false: every other order."
        ),
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def is_valid(self) -> bool:
        valid = super().is_valid()
        start = self.form.cleaned_data.get("created_from")
        end = self.form.cleaned_data.get("created_to")
        if valid and start and end and end < start:
            self.form.add_error("created_to", _("The end date is before the start date."))
            return False
        return valid

    def filter_created_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_created_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(number__icontains=value) if value else queryset

    def filter_buyer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(contact_name__icontains=value)
            | Q(contact_email__icontains=value)
            | Q(buyer__email__icontains=value)
            | Q(buyer_organization__name__icontains=value)
        )

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value in (None, ""):
            return queryset
        return queryset.filter(terms_overdue_q()) if value else queryset.exclude(terms_overdue_q())
