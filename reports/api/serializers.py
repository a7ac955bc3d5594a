"""Shapes of the reports API, for the OpenAPI document: the figures are computed as plain
dictionaries by reports.selectors.figures and returned as they are."""

from rest_framework import serializers


class ScopeSerializer(serializers.Serializer):
    organization = serializers.CharField(allow_null=True, help_text="The Posyantek's slug.")
    region = serializers.CharField(allow_null=True, help_text="A Kemendagri region code.")
    label = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    locals()["from"] = serializers.DateField(help_text="First day.")  # a keyword in Python
    to = serializers.DateField(help_text="Last day, included.")


class KpiSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    previous = serializers.IntegerField()
    change_percent = serializers.FloatField(allow_null=True)


class KpisSerializer(serializers.Serializer):
    gross_amount = KpiSerializer()
    refunds_amount = KpiSerializer()
    platform_fee_amount = KpiSerializer()
    net_amount = KpiSerializer()
    paid_orders = KpiSerializer()
    average_order_amount = KpiSerializer()
    new_buyers = KpiSerializer()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class LedgerSerializer(serializers.Serializer):
    pending_amount = serializers.IntegerField()
    available_amount = serializers.IntegerField()
    balance_amount = serializers.IntegerField()


class TopProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True)
    slug = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    quantity = serializers.IntegerField()
    gross_amount = serializers.IntegerField()


class LowStockSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    availability = serializers.CharField()
    left = serializers.IntegerField(help_text="Units in stock, or free this month.")
    unit = serializers.CharField()


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    type_label = serializers.CharField()
    number = serializers.CharField()
    product_name = serializers.CharField(allow_null=True)
    valid_until = serializers.DateField()


class NeedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organization = serializers.CharField()
    score = serializers.IntegerField()


class MatchingNeedsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    items = NeedItemSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    kpis = KpisSerializer()
    orders_by_status = StatusCountSerializer(many=True)
    ledger = LedgerSerializer()
    top_products = TopProductSerializer(many=True)
    low_stock = LowStockSerializer(many=True, allow_null=True)
    certificates_expiring = CertificateSerializer(many=True, allow_null=True)
    matching_needs = MatchingNeedsSerializer(allow_null=True)
    proposals_in_progress = serializers.IntegerField()
    partnerships_in_progress = serializers.IntegerField()


class RevenueFiguresSerializer(serializers.Serializer):
    gross_amount = serializers.IntegerField()
    refunds_amount = serializers.IntegerField()
    platform_fee_amount = serializers.IntegerField()
    net_amount = serializers.IntegerField()
    paid_orders = serializers.IntegerField()


class RevenueBucketSerializer(RevenueFiguresSerializer):
    start = serializers.DateField(help_text="The first local day of the day, week or month.")


class RevenueSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    group_by = serializers.ChoiceField(choices=["day", "week", "month"])
    results = RevenueBucketSerializer(many=True)
    totals = RevenueFiguresSerializer()
