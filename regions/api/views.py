from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from core.api.pagination import PageNumberPagination
from regions import filters
from regions.api import serializers
from regions.codes import Level
from regions.selectors import region_list


class RegionPagination(PageNumberPagination):
    """A picker asks for a whole level at once (at most 108 villages share a kecamatan)."""

    page_size = 100
    max_page_size = 500


# Regions change a few times a year: let phones and proxies keep the lists for an hour.
@method_decorator(cache_control(public=True, max_age=3600), name="dispatch")
class RegionListView(ListAPIView):
    """Active regions of one level, by name. Retired codes are left out."""

    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend]
    pagination_class = RegionPagination
    level: Level

    def get_queryset(self):
        return region_list(level=self.level)


class ProvinceListView(RegionListView):
    """Provinces. `?q=` searches the name."""

    level = Level.PROVINCE
    serializer_class = serializers.ProvinceSerializer
    filterset_class = filters.ProvinceFilterSet


class RegencyListView(RegionListView):
    """Regencies and cities (kabupaten/kota), e.g. `?province=36`. `?q=` searches the name."""

    level = Level.REGENCY
    serializer_class = serializers.RegencySerializer
    filterset_class = filters.RegencyFilterSet


class DistrictListView(RegionListView):
    """Districts (kecamatan), e.g. `?regency=36.72`. `?q=` searches the name."""

    level = Level.DISTRICT
    serializer_class = serializers.DistrictSerializer
    filterset_class = filters.DistrictFilterSet


class VillageListView(RegionListView):
    """Villages (kelurahan/desa), e.g. `?district=36.72.07`. `?q=` searches the name."""

    level = Level.VILLAGE
    serializer_class = serializers.VillageSerializer
    filterset_class = filters.VillageFilterSet
