"""Checkout, orders and payments API: `checkout/`, `checkout/preview/`, `orders/`,
`orders/{number}/`, `payments/{id}/`.

Views read the caller's cart (orders.services.cart.cart_get), call one service or selector
and serialize the result; orders.services.checkout validates the body field by field.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput
from orders.models import Order, OrderLine, Payment, PaymentMethod, ShippingMethod
from orders.selectors import order_get, order_list, organization_for_orders, payment_get
from orders.services.cart import cart_get
from orders.services.checkout import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    checkout_place,
    checkout_preview,
)

# --- Input ------------------------------------------------------------------------------------


class CheckoutInputSerializer(serializers.Serializer):
    """The checkout body. Types are checked here; orders.services.checkout checks the values
    (a valid phone, an existing village, a shipping method each seller offers there)."""

    contact_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    contact_phone = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    contact_email = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    address_line = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="Kemendagri village code, e.g. 36.72.07.1004."
    )
    postal_code = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices,
        required=False,
        help_text="bank_transfer (card is not available yet).",
    )
    shipping = serializers.DictField(
        child=serializers.ChoiceField(choices=ShippingMethod.choices),
        required=False,
        help_text="The shipping method per seller, by the seller's slug.",
    )
    buyer_organization = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Slug of the verified organisation the order is placed for, if any.",
    )
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="Only these cart items (default: the whole cart).",
    )


# --- Output -----------------------------------------------------------------------------------


class SellerRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "product_id",
            "product_name",
            "selling_unit",
            "availability",
            "unit_price_amount",
            "quantity",
            "line_amount",
            "weight_per_unit_grams",
        ]


class OrderSerializer(serializers.ModelSerializer):
    seller = SellerRefSerializer()
    buyer_organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    payment_id = serializers.IntegerField()
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "seller",
            "buyer_organization",
            "status",
            "payment_id",
            "payment_terms",
            "shipping_method",
            "shipping_weight_grams",
            "seller_is_pkp",
            "goods_amount",
            "shipping_amount",
            "dpp_amount",
            "ppn_amount",
            "total_amount",
            "promised_date",
            "expires_at",
            "paid_at",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address_line",
            "village_id",
            "district_id",
            "regency_id",
            "province_id",
            "postal_code",
            "note",
            "created_at",
            "lines",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "code",
            "status",
            "method",
            "amount_due_amount",
            "currency",
            "expires_at",
            "paid_at",
            "created_at",
        ]


class CheckoutResultSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    orders = OrderSerializer(many=True)


class PaymentDetailSerializer(PaymentSerializer):
    orders = OrderSerializer(many=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "orders"]


class ShippingOptionSerializer(serializers.Serializer):
    method = serializers.CharField()
    fee_amount = serializers.IntegerField()
    label = serializers.CharField()


class PreviewLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(source="product.pk")
    product_slug = serializers.CharField(source="product.slug")
    product_name = serializers.CharField(source="product.name")
    selling_unit = serializers.CharField(source="product.selling_unit")
    quantity = serializers.IntegerField()
    unit_price_amount = serializers.IntegerField()
    line_amount = serializers.IntegerField()
    problem = serializers.CharField()


class PreviewGroupSerializer(serializers.Serializer):
    seller = SellerRefSerializer()
    lines = PreviewLineSerializer(many=True)
    shipping_options = ShippingOptionSerializer(many=True)
    shipping_method = serializers.CharField()
    weight_grams = serializers.IntegerField()
    goods_amount = serializers.IntegerField(source="totals.goods_amount")
    shipping_amount = serializers.IntegerField(source="totals.shipping_amount")
    dpp_amount = serializers.IntegerField(source="totals.dpp_amount")
    ppn_amount = serializers.IntegerField(source="totals.ppn_amount")
    total_amount = serializers.IntegerField(source="totals.total_amount")
    problems = serializers.ListField(child=serializers.CharField())


class CheckoutPreviewSerializer(serializers.Serializer):
    groups = PreviewGroupSerializer(many=True)
    goods_amount = serializers.IntegerField()
    shipping_amount = serializers.IntegerField()
    ppn_amount = serializers.IntegerField()
    total_amount = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
    ready = serializers.BooleanField()


# --- Views ------------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 characters. A retry with the same key and body within 24 hours returns "
        "the first result; the same key with another body is refused (409)."
    ),
)


def _checkout_data(request) -> dict:
    data = CheckoutInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CheckoutView(GenericAPIView):
    """Place the cart's orders: one order per Posyantek and one payment (bank transfer),
    stock and capacity reserved. Send an `Idempotency-Key` header to retry safely."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = CheckoutInputSerializer

    @extend_schema(
        request=CheckoutInputSerializer,
        responses={201: CheckoutResultSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH):
            raise InvalidInput(
                fields={
                    "Idempotency-Key": [
                        _("An Idempotency-Key has 1 to %(max)s characters.")
                        % {"max": MAX_IDEMPOTENCY_KEY_LENGTH}
                    ]
                }
            )
        data = _checkout_data(request)
        cart = cart_get(user=request.user, create=True)
        payment = checkout_place(user=request.user, cart=cart, data=data, idempotency_key=key)
        payment = payment_get(user=request.user, payment_id=payment.pk)
        body = CheckoutResultSerializer({"payment": payment, "orders": payment.orders.all()}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CheckoutPreviewView(GenericAPIView):
    """What checkout would place, without placing it: per Posyantek the lines, the shipping
    options to the chosen village, the chosen fee, totals and problems."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = CheckoutInputSerializer

    @extend_schema(request=CheckoutInputSerializer, responses={200: CheckoutPreviewSerializer})
    def post(self, request):
        data = _checkout_data(request)
        cart = cart_get(user=request.user)
        preview = checkout_preview(user=request.user, cart=cart, data=data)
        return Response(CheckoutPreviewSerializer(preview).data)


class OrderListView(ListAPIView):
    """Orders, newest first: the caller's purchases (`?as=buyer`, the default; with
    `?organization=<slug>`, the purchases on that organisation's name), or an organisation's
    sales (`?as=seller&organization=<slug>`, for its members, platform staff and a dinas in
    jurisdiction)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    pagination_class = PageNumberPagination
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("as", OpenApiTypes.STR, enum=["buyer", "seller"], required=False),
            OpenApiParameter("organization", OpenApiTypes.STR, required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        params = self.request.query_params
        slug = params.get("organization")
        organization = organization_for_orders(slug=slug) if slug else None
        return order_list(
            user=self.request.user, as_=params.get("as") or "buyer", organization=organization
        )


class OrderDetailView(GenericAPIView):
    """One order: for its buyer, members of the buying organisation, the seller's members,
    platform staff and a dinas in jurisdiction."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get(self, request, number: str):
        return Response(OrderSerializer(order_get(user=request.user, number=number)).data)


class PaymentDetailView(GenericAPIView):
    """One payment with its orders: for its buyer and platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentDetailSerializer

    def get(self, request, pk: int):
        payment = payment_get(user=request.user, payment_id=pk)
        return Response(PaymentDetailSerializer(payment).data)
