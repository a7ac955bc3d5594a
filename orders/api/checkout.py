"""Checkout and orders API: `checkout/`, `checkout/preview/`, `orders/`, `orders/{number}/`
(a payment itself: orders.api.payments).

Views read the caller's cart (orders.services.cart.cart_get), call one service or selector
and serialize the result; orders.services.checkout validates the body field by field.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import roles_prime
from core.api.filters import FilterBackend
from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput
from orders.filters import OrderFilter
from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentMethod,
    Refund,
    ShippingMethod,
)
from orders.permissions import ORDER_ACTIONS, order_next_actions
from orders.selectors import order_get, order_list, organization_for_orders, payment_get
from orders.services.cart import cart_get
from orders.services.checkout import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    checkout_place,
    checkout_preview,
)

Status = Order.Status

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


def order_context(request, orders: Iterable[Order]) -> dict:
    """The serializer context for orders shown to the caller (roles read once)."""
    roles_prime(
        request.user,
        [order.seller_id for order in orders]
        + [order.buyer_organization_id for order in orders if order.buyer_organization_id],
    )
    return {"request": request}


ORDER_FIELDS = [
    "number",
    "seller",
    "buyer_organization",
    "status",
    "status_display",
    "payment_id",
    "payment_terms",
    "payment_terms_display",
    "due_date",
    "is_overdue",
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
    "carrier",
    "tracking_number",
    "paid_at",
    "accepted_at",
    "shipped_at",
    "delivered_at",
    "completed_at",
    "cancelled_at",
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
    "next_actions",
]


class OrderSerializer(serializers.ModelSerializer):
    """An order as its list shows it. `next_actions`: the moves the caller may make now, each
    the name of an endpoint (`accept` → `orders/{number}/accept/`, `report_problem` →
    `report-problem/`, `dispute_respond` → `dispute/respond/`, `dispute_resolve` →
    `dispute/resolve/`)."""

    seller = SellerRefSerializer()
    buyer_organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    payment_id = serializers.IntegerField()
    status_display = serializers.CharField(source="get_status_display")
    payment_terms_display = serializers.CharField(source="get_payment_terms_display")
    lines = OrderLineSerializer(many=True)
    is_overdue = serializers.BooleanField(
        source="is_payment_overdue",
        read_only=True,
        help_text="An order on payment terms still unpaid after its due date (Asia/Jakarta).",
    )
    next_actions = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ORDER_FIELDS

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ORDER_ACTIONS)))
    def get_next_actions(self, order: Order) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return order_next_actions(request.user, order)


class OrderEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = ["kind", "from_status", "to_status", "note", "actor_name", "created_at"]

    def get_actor_name(self, event: OrderEvent) -> str:
        """The person's name (never an e-mail address), or "System" for automatic moves."""
        if event.actor is None:
            return _("System")
        return event.actor.name or _("User")


class RefundSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="requested, pending_manual, succeeded or failed.")
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text="seller_cancelled, dispute or late_payment.")

    class Meta:
        model = Refund
        fields = [
            "id",
            "status",
            "status_display",
            "reason",
            "goods_amount",
            "shipping_amount",
            "ppn_amount",
            "total_amount",
            "created_at",
            "succeeded_at",
        ]


class OrderDetailSerializer(OrderSerializer):
    """One order with its history (`events`, oldest first) and `refunds`."""

    events = OrderEventSerializer(many=True)
    refunds = RefundSerializer(many=True)

    class Meta(OrderSerializer.Meta):
        fields = [*ORDER_FIELDS, "events", "refunds"]


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
        orders = payment.orders.all()
        body = CheckoutResultSerializer(
            {"payment": payment, "orders": orders}, context=order_context(request, orders)
        ).data
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
    jurisdiction; `?as=seller` alone: every order for platform staff, the orders of the
    Posyantek in its jurisdiction for a dinas). Filter by `status` (repeat it for several),
    `created_from`/`created_to` (days, YYYY-MM-DD), `number`, `buyer` and `overdue`
    (`true`: unpaid terms orders past their due date); a malformed value is a 400 naming its
    field."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    pagination_class = PageNumberPagination
    filter_backends = [FilterBackend]
    filterset_class = OrderFilter

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as",
                OpenApiTypes.STR,
                enum=["buyer", "seller"],
                required=False,
                description="buyer (default): purchases; seller: sales.",
            ),
            OpenApiParameter(
                "organization",
                OpenApiTypes.STR,
                required=False,
                description=(
                    "Slug of the organisation whose purchases (as=buyer) or sales (as=seller) "
                    "to list."
                ),
            ),
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
        orders = order_list(
            user=self.request.user, as_=params.get("as") or "buyer", organization=organization
        )
        return orders.select_related("dispute")  # next_actions of orders in dispute

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = OrderSerializer(page, many=True, context=order_context(request, page))
        return self.get_paginated_response(serializer.data)


def order_detail_data(request, number: str) -> dict:
    """The order as the caller sees it, freshly read (after a move too)."""
    order = order_get(user=request.user, number=number)
    return OrderDetailSerializer(order, context=order_context(request, [order])).data


class OrderDetailView(GenericAPIView):
    """One order with its history and refunds: for its buyer, members of the buying
    organisation, the seller's members, platform staff and a dinas in jurisdiction."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderDetailSerializer

    def get(self, request, number: str):
        return Response(order_detail_data(request, number))
