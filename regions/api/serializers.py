from rest_framework import serializers

from regions.models import District, Province, Regency, Village


class ProvinceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", help_text="Display form, e.g. Banten")
    official_name = serializers.CharField(source="name", help_text="As in the official list")

    class Meta:
        model = Province
        fields = ["code", "name", "official_name"]


class RegencySerializer(ProvinceSerializer):
    province = serializers.CharField(source="province_id")

    class Meta:
        model = Regency
        fields = ["code", "name", "official_name", "province"]


class DistrictSerializer(ProvinceSerializer):
    regency = serializers.CharField(source="regency_id")

    class Meta:
        model = District
        fields = ["code", "name", "official_name", "regency"]


class VillageSerializer(ProvinceSerializer):
    district = serializers.CharField(source="district_id")

    class Meta:
        model = Village
        fields = ["code", "name", "official_name", "district"]
