import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regions.codes import CODE_EXAMPLES, Level, level_of
from regions.models import MODEL_BY_LEVEL


class RegionCodeField(forms.CharField):
    """A Kemendagri code of one level that exists in the region tables."""

    def __init__(self, *args, level: Level, **kwargs):
        self.level = level
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        if level_of(value) != self.level:
            raise forms.ValidationError(
                _("%(value)s is not a %(level)s code; use a code such as %(example)s.")
                % {"value": value, "level": self.level.label, "example": CODE_EXAMPLES[self.level]},
                code="invalid_code",
            )
        if not MODEL_BY_LEVEL[self.level].objects.filter(code=value).exists():
            raise forms.ValidationError(
                _("There is no %(level)s with code %(value)s.")
                % {"level": self.level.label, "value": value},
                code="unknown_code",
            )
        return value


class RegionCodeFilter(django_filters.CharFilter):
    field_class = RegionCodeField

    def __init__(self, *args, level: Level, **kwargs):
        kwargs.setdefault(
            "help_text", _("Kemendagri code, e.g. %(example)s") % {"example": CODE_EXAMPLES[level]}
        )
        super().__init__(*args, level=level, **kwargs)


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", max_length=100, help_text=_("Part of the name, e.g. purwa")
    )

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(display_name__icontains=value) | Q(name__icontains=value))


class ProvinceFilterSet(RegionFilterSet):
    class Meta:
        model = MODEL_BY_LEVEL[Level.PROVINCE]
        fields = []


class RegencyFilterSet(RegionFilterSet):
    province = RegionCodeFilter(field_name="province_id", level=Level.PROVINCE)

    class Meta:
        model = MODEL_BY_LEVEL[Level.REGENCY]
        fields = []


class DistrictFilterSet(RegionFilterSet):
    regency = RegionCodeFilter(field_name="regency_id", level=Level.REGENCY)

    class Meta:
        model = MODEL_BY_LEVEL[Level.DISTRICT]
        fields = []


class VillageFilterSet(RegionFilterSet):
    district = RegionCodeFilter(field_name="district_id", level=Level.DISTRICT)

    class Meta:
        model = MODEL_BY_LEVEL[Level.VILLAGE]
        fields = []
