"""Cart and shipping settings API: `cart/`, `cart/items/`, `cart/items/{id}/`,
`organizations/{slug}/shipping/`.

The cart is the caller's: a token or a logged-in session uses the user's cart; an anonymous
visitor with a session cookie has a session cart (merged into the user's at a session login,
orders.receivers). Anonymous writes are CSRF-checked like session writes, so another site
cannot fill a visitor's cart.
"""

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import can_edit_profile
from accounts.selectors import organization_get
from core.errors import InvalidInput, PermissionDenied
from marketplace.models import Product
from marketplace.permissions import can_view_product
from orders.cart_views import request_cart
from orders.models import ShippingSettings
from orders.services.cart import (
    MAX_QUANTITY,
    CartView,
    cart_clear,
    cart_item_add,
    cart_item_get,
    cart_item_remove,
    cart_item_set,
    cart_lines,
)
from orders.services.shipping import (
    MAX_FEE_AMOUNT,
    MAX_RATES,
    NOT_ALLOWED,
    SETTINGS_FIELDS,
    rates_of,
    shipping_settings_get,
    shipping_settings_update,
)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")

# --- Serializers ------------------------------------------------------------------------------


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.id")
    product = serializers.CharField(source="product.slug", help_text="The product's slug.")
    product_name = serializers.CharField(source="product.name")
    selling_unit = serializers.CharField(source="product.selling_unit")
    minimum_order = serializers.IntegerField(source="product.minimum_order")
    order_step = serializers.IntegerField(source="product.order_step")
    unit_price_amount = serializers.IntegerField(source="product.price_amount")
    quantity = serializers.IntegerField()
    line_amount = serializers.IntegerField()
    thumbnail_url = serializers.SerializerMethodField()
    problem = serializers.CharField(
        help_text="Why this line cannot be bought now (not for sale, not enough available); "
        "empty when it can."
    )

    def get_thumbnail_url(self, line) -> str | None:
        url = line.thumbnail_url
        if not url:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CartGroupSerializer(serializers.Serializer):
    seller = serializers.CharField(source="seller.slug", help_text="The Posyantek's slug.")
    seller_name = serializers.CharField(source="seller.name")
    lines = CartLineSerializer(many=True, source="items")
    goods_amount = serializers.IntegerField(help_text="Σ line amounts of this Posyantek (Rp).")


class CartSerializer(serializers.Serializer):
    groups = CartGroupSerializer(many=True)
    goods_amount = serializers.IntegerField(help_text="Σ line amounts (Rp, without PPN).")
    item_count = serializers.IntegerField()
    has_problems = serializers.BooleanField()


class CartItemCreateSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=220, help_text="The product's slug.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class DeliveryRateSerializer(serializers.Serializer):
    regency = serializers.CharField(max_length=13, help_text="Kemendagri code, e.g. 36.72.")
    regency_name = serializers.CharField(read_only=True)
    province = serializers.CharField(read_only=True)
    fee_amount = serializers.IntegerField(min_value=0, max_value=MAX_FEE_AMOUNT)


class CourierRateSerializer(serializers.Serializer):
    province = serializers.CharField(max_length=13, help_text="Kemendagri code, e.g. 36.")
    province_name = serializers.CharField(read_only=True)
    rate_per_kg_amount = serializers.IntegerField(min_value=0, max_value=MAX_FEE_AMOUNT)


class ShippingSettingsSerializer(serializers.Serializer):
    """What a Posyantek offers: pickup (free), own delivery (flat fee per listed regency) and
    courier (rate per kg per listed province, whole kg rounded up, at least the minimum)."""

    pickup_enabled = serializers.BooleanField()
    pickup_note = serializers.CharField(max_length=300, allow_blank=True, required=False)
    own_delivery_enabled = serializers.BooleanField()
    courier_enabled = serializers.BooleanField()
    courier_minimum_amount = serializers.IntegerField(
        min_value=0, max_value=MAX_FEE_AMOUNT, required=False
    )
    delivery_rates = DeliveryRateSerializer(many=True, required=False, max_length=MAX_RATES)
    courier_rates = CourierRateSerializer(many=True, required=False, max_length=MAX_RATES)


def _cart_data(request) -> dict[str, Any]:
    view: CartView = cart_lines(request_cart(request))
    return CartSerializer(view, context={"request": request}).data


def _settings_data(settings: ShippingSettings) -> dict[str, Any]:
    delivery, courier = rates_of(settings)
    data = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    data["delivery_rates"] = [
        {
            "regency": rate.regency_id,
            "regency_name": rate.regency.display_name,
            "province": rate.regency.province_id,
            "fee_amount": rate.fee_amount,
        }
        for rate in delivery
    ]
    data["courier_rates"] = [
        {
            "province": rate.province_id,
            "province_name": rate.province.display_name,
            "rate_per_kg_amount": rate.rate_per_kg_amount,
        }
        for rate in courier
    ]
    return ShippingSettingsSerializer(data).data


# --- Views ------------------------------------------------------------------------------------


class CartApiMixin:
    """Anyone may use a cart; an anonymous one lives in the session, so its writes need the
    CSRF token a session write needs (DRF checks it only for logged-in sessions)."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated and request.method not in SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)


def _product_for_cart(request, slug: str) -> Product:
    """The product by slug if the caller may see it; otherwise the same 400 as an unknown
    slug (no hint that a draft exists)."""
    product = None
    if SLUG.fullmatch(slug):
        product = Product.objects.select_related("seller").filter(slug=slug).first()
    if product is None or not can_view_product(request.user, product):
        raise InvalidInput(fields={"product": [_("There is no product with this slug.")]})
    return product


class CartDetailView(CartApiMixin, GenericAPIView):
    """The caller's cart, grouped by Posyantek, each line with its amount and any problem
    (no longer for sale, not enough available). DELETE empties it."""

    serializer_class = CartSerializer

    def get(self, request):
        return Response(_cart_data(request))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        cart = request_cart(request)
        if cart is not None:
            cart_clear(cart=cart)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemListView(CartApiMixin, GenericAPIView):
    """Add a quantity of a product to the cart (added to what the cart already holds). The
    total must respect the product's minimum and step (400) and be available now: stock, or
    free production capacity for delivery on time (409 out_of_stock / capacity_exceeded)."""

    serializer_class = CartItemCreateSerializer

    @extend_schema(request=CartItemCreateSerializer, responses={201: CartSerializer})
    def post(self, request):
        data = CartItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = _product_for_cart(request, data.validated_data["product"])
        cart = request_cart(request, create=True)
        cart_item_add(cart=cart, product=product, quantity=data.validated_data["quantity"])
        return Response(_cart_data(request), status=status.HTTP_201_CREATED)


class CartItemDetailView(CartApiMixin, GenericAPIView):
    """PATCH sets a line's quantity (same rules as adding); DELETE removes the line. A line
    of another cart is a 404."""

    serializer_class = CartItemUpdateSerializer

    @extend_schema(request=CartItemUpdateSerializer, responses=CartSerializer)
    def patch(self, request, item_id: int):
        item = cart_item_get(cart=request_cart(request), item_id=item_id)
        data = CartItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart_item_set(
            cart=item.cart, product=item.product, quantity=data.validated_data["quantity"]
        )
        return Response(_cart_data(request))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, item_id: int):
        item = cart_item_get(cart=request_cart(request), item_id=item_id)
        cart_item_remove(cart=item.cart, item_id=item.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShippingSettingsView(GenericAPIView):
    """How a Posyantek sends its products: public for a verified organisation (its members
    and platform staff see an unverified one). PUT sets everything (rates lists left out are
    emptied), PATCH what is sent (a rates list replaces the whole list): owners, managers
    and platform staff. At least one method stays enabled; own delivery needs a regency and
    courier a province."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ShippingSettingsSerializer

    def _load(self, request, slug: str, *, for_write: bool) -> Organization:
        organization = organization_get(user=request.user, slug=slug)
        if for_write and not can_edit_profile(request.user, organization):
            raise PermissionDenied(_(NOT_ALLOWED))
        return organization

    def get(self, request, slug: str):
        organization = self._load(request, slug, for_write=False)
        return Response(_settings_data(shipping_settings_get(organization=organization)))

    def _write(self, request, slug: str, *, partial: bool) -> Response:
        organization = self._load(request, slug, for_write=True)
        data = ShippingSettingsSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if not partial:  # PUT: what is left out goes back to empty
            changes.setdefault("pickup_note", "")
            changes.setdefault("courier_minimum_amount", 0)
        for name in ("delivery_rates", "courier_rates"):
            if name in changes:
                changes[name] = [dict(row) for row in changes[name]]
            elif not partial:
                changes[name] = []
        settings = shipping_settings_update(
            organization=organization, actor=request.user, data=changes
        )
        return Response(_settings_data(settings))

    @extend_schema(request=ShippingSettingsSerializer, responses=ShippingSettingsSerializer)
    def put(self, request, slug: str):
        return self._write(request, slug, partial=False)

    @extend_schema(request=ShippingSettingsSerializer, responses=ShippingSettingsSerializer)
    def patch(self, request, slug: str):
        return self._write(request, slug, partial=True)
