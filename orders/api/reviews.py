"""Product reviews API: `reviews/`.

GET `?product=<slug>` lists a public product's reviews, newest first, paginated, for anyone:
the rating, the text, the date and the author's first name only (never an e-mail or an order).
Without `product` it is a 400; a slug of no public product is a 404 (the same for a draft as
for an unknown slug). POST `{product, rating, text}` by a signed-in buyer whose completed order
holds the product: 201 with the review; 403 `not_eligible`; 409 `already_reviewed`; 400 for a
rating that is not a whole number 1–5 or a text over 2000 characters.
"""

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListCreateAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from core.errors import InvalidInput, NotFound
from marketplace.models import Product
from orders.models import Review
from orders.services.reviews import (
    MAX_RATING,
    MAX_TEXT_LENGTH,
    MIN_RATING,
    review_author_name,
    review_create,
    review_list,
)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.SerializerMethodField(help_text="The product's slug.")
    author_name = serializers.SerializerMethodField(
        help_text='The author\'s first name, or "Pembeli" (Buyer) when there is none.'
    )
    rating = serializers.IntegerField(read_only=True, help_text="1 to 5 stars.")
    text = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_product(self, review: Review) -> str:
        return self.context["product"].slug

    def get_author_name(self, review: Review) -> str:
        return review_author_name(review.author)


class ReviewCreateSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=220, help_text="The product's slug.")
    rating = serializers.IntegerField(
        min_value=MIN_RATING, max_value=MAX_RATING, help_text="Whole stars, 1 to 5."
    )
    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False, default=""
    )

    def validate_rating(self, value):
        # DRF's IntegerField takes "4" and 4.0; a JSON true/false is still refused here.
        if isinstance(self.initial_data.get("rating"), bool):
            raise serializers.ValidationError(_("Choose a rating from 1 to 5 stars."))
        return value


def _public_product(slug: str, *, field: str | None = None) -> Product:
    """The public product with this slug: NotFound (or InvalidInput on `field`) otherwise,
    the same for a draft as for a slug that does not exist."""
    product = None
    if SLUG.fullmatch(slug or ""):
        product = Product.objects.select_related("seller").filter(slug=slug).first()
    if product is None or not product.is_public:
        if field:
            raise InvalidInput(fields={field: [_("There is no product with this slug.")]})
        raise NotFound(_("There is no product with this slug."))
    return product


class ReviewListView(ListCreateAPIView):
    """A product's reviews (public), and a buyer's review of a product it received."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ReviewSerializer
    filter_backends: list = []
    queryset = Review.objects.none()  # the schema's; get_queryset reads ?product=

    def _product(self) -> Product:
        if not hasattr(self, "_product_cache"):
            slug = (self.request.query_params.get("product") or "").strip()
            if not slug:
                raise InvalidInput(
                    fields={"product": [_("Give the product's slug, e.g. ?product=<slug>.")]}
                )
            self._product_cache = _public_product(slug)
        return self._product_cache

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        return review_list(product=self._product())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.method == "GET":
            context["product"] = self._product()
        return context

    @extend_schema(
        description="A public product's reviews, newest first: rating, text, date and the "
        "author's first name (never an e-mail). Open to everyone.",
        parameters=[
            OpenApiParameter(
                "product",
                OpenApiTypes.STR,
                required=True,
                description="The product's slug. 400 without it; 404 if no public product has it.",
            )
        ],
        responses={200: ReviewSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        description="Review a product once (signed in): allowed to a buyer whose own completed "
        "order holds the product. Updates the product's rating and rating_count.",
        request=ReviewCreateSerializer,
        responses={
            201: ReviewSerializer,
            400: OpenApiResponse(description="Rating not 1–5, text too long, unknown product."),
            403: OpenApiResponse(description="No completed order of this product (not_eligible)."),
            409: OpenApiResponse(description="Already reviewed (already_reviewed)."),
        },
    )
    def post(self, request, *args, **kwargs):
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = _public_product(data.validated_data["product"], field="product")
        review = review_create(
            author=request.user,
            product=product,
            rating=data.validated_data["rating"],
            text=data.validated_data["text"],
        )
        body = ReviewSerializer(review, context={"request": request, "product": product}).data
        return Response(body, status=status.HTTP_201_CREATED)
