"""Catalogue API: `categories/`, `products/` (public catalogue and the seller's desk), status
moves, stock, photos, the user guide and certificates.

Every view loads through a scoped selector (a product or organisation the caller may not see is
a 404), asks marketplace.permissions (403 for what the caller sees but may not do), and calls
one service; the service checks what is allowed now (409/400).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.models import Organization, User
from accounts.selectors import organization_get
from core.api.filters import FilterBackend
from core.api.pagination import LargeListPagination
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response
from core.images import InvalidImage
from marketplace import permissions, services
from marketplace.api import serializers as s
from marketplace.api.filters import ProductFilterSet
from marketplace.models import Certification, Product, StockMovement
from marketplace.selectors import (
    catalogue_products,
    category_tree,
    posyantek_get,
    posyantek_list,
    product_cards,
    product_desk_list,
    product_get,
    valid_certifications,
)

UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser]


def _not_allowed_message(user: User) -> str:
    if permissions.can_hide_products(user):
        return _("Platform staff can only hide and unhide products.")
    return _("Only the Posyantek's owners and managers can change its products.")


def _load(request, slug: str, allowed: Callable[[User, Product], bool] | None = None) -> Product:
    """The product, if the caller may see it (else 404) and may do this (else 403)."""
    product = product_get(user=request.user, slug=slug)
    if allowed is not None and not allowed(request.user, product):
        raise PermissionDenied(_not_allowed_message(request.user))
    return product


def _load_organization(request, slug: str, *, for_write: bool) -> Organization:
    """The organisation, if the caller may see it (else 404); for a write, if the caller
    manages its products (else 403)."""
    organization = organization_get(user=request.user, slug=slug)
    if for_write and not permissions.can_manage_products(request.user, organization):
        raise PermissionDenied(_not_allowed_message(request.user))
    return organization


def _manage(user: User, product: Product) -> bool:
    return permissions.can_manage_product(user, product)


def _hide(user: User, product: Product) -> bool:
    return permissions.can_hide_products(user)


def _desk(user: User, product: Product) -> bool:
    return permissions.can_view_product_desk(user, product.seller)


def _detail(request, slug: str) -> dict[str, Any]:
    """The product as the caller sees it, freshly loaded (annotations, prefetches)."""
    product = product_get(user=request.user, slug=slug)
    certifications = valid_certifications(product=product).select_related("product", "organization")
    context = {
        "request": request,
        "certifications": certifications,
        "show_scans": permissions.can_view_product_desk(request.user, product.seller),
    }
    return s.ProductDetailSerializer(product, context=context).data


def _reject_fixed_fields(data: Any) -> None:
    """Seller, slug, status and stock change only through their own endpoints."""
    sent = data.keys() if isinstance(data, Mapping) else ()
    moves = {
        "status": _("Use publish/, unpublish/ or archive/ to change the status."),
        "stock": _("Use stock/ to change the stock."),
    }
    errors = {
        field: [moves.get(field, _("This cannot be changed."))]
        for field in ("organization", "seller", "slug", "status", "stock", "hidden_reason")
        if field in sent
    }
    if errors:
        raise InvalidInput(fields=errors)


def _filtered(request, filterset_class) -> bool:
    """Whether the request narrows the list (ordering does not)."""
    names = set(filterset_class.base_filters) - {"ordering"}
    return any(request.query_params.get(name, "").strip() for name in names)


# --- Categories -------------------------------------------------------------------------------


class CategoryListView(ListAPIView):
    """The category tree: each top-level TTG field with its sub-categories. Slugs are stable;
    filter products with `?category=<slug>`."""

    permission_classes = [AllowAny]
    serializer_class = s.CategoryTreeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return category_tree()


# --- Products ---------------------------------------------------------------------------------


class ProductListView(ListAPIView):
    """The public catalogue: published products of verified Posyantek, as cards. With
    `?organization=<slug>`, the organisation's product desk instead (every status, `?status=`),
    for its members and platform staff. POST creates a draft for a Posyantek (owner, manager);
    an unverified Posyantek may keep drafts but not publish."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.ProductCardSerializer
    filter_backends = [FilterBackend]
    filterset_class = ProductFilterSet
    pagination_class = LargeListPagination

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        slug = self.request.query_params.get("organization")
        if not slug:
            return catalogue_products()
        organization = organization_get(user=self.request.user, slug=slug)
        return product_desk_list(user=self.request.user, organization=organization)

    def get_count_cache_key(self, request) -> str | None:
        """The whole public catalogue may use a cached count; anything filtered counts
        exactly (LargeListPagination)."""
        return None if _filtered(request, ProductFilterSet) else "api:catalogue:count"

    def get_page_fetcher(self, request):
        """Catalogue pages are read as ids first, then cards (product_cards); the desk
        list is small and read in one step."""
        return None if request.query_params.get("organization") else product_cards

    @extend_schema(request=s.ProductCreateSerializer, responses={201: s.ProductDetailSerializer})
    def post(self, request):
        # Who may comes before what is sent: strangers learn nothing from validation errors.
        target = s.OrganizationRefSerializer(data=request.data)
        organization = (
            _load_organization(request, target.validated_data["organization"], for_write=True)
            if target.is_valid()
            else None
        )
        data = s.ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("organization")
        product = services.product_create(
            seller=organization,
            actor=request.user,
            name=fields.pop("name"),
            kind=fields.pop("kind"),
            **fields,
        )
        return Response(_detail(request, product.slug), status=status.HTTP_201_CREATED)


class ProductDetailView(GenericAPIView):
    """One product: public when published by a verified Posyantek, otherwise only for the
    seller's members and platform staff. PATCH changes its fields (owner, manager); the
    status, the stock and media have their own endpoints. Products are archived, not deleted."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.ProductDetailSerializer

    def get(self, request, slug: str):
        return Response(_detail(request, slug))

    @extend_schema(request=s.ProductWriteSerializer, responses=s.ProductDetailSerializer)
    def patch(self, request, slug: str):
        product = _load(request, slug, _manage)
        _reject_fixed_fields(request.data)
        data = s.ProductWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.product_update(product=product, actor=request.user, data=dict(data.validated_data))
        return Response(_detail(request, slug))


class ProductTransitionView(GenericAPIView):
    """A status move through one service."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ProductDetailSerializer
    allowed: Callable[[User, Product], bool] = staticmethod(_manage)
    service: Callable[..., Product]

    @extend_schema(request=None)
    def post(self, request, slug: str):
        product = _load(request, slug, type(self).allowed)
        type(self).service(product=product, actor=request.user)
        return Response(_detail(request, slug))


class ProductPublishView(ProductTransitionView):
    """Show the product to buyers (owner, manager). Only a verified Posyantek publishes (409
    otherwise), and only a complete product (400 with the missing fields)."""

    service = staticmethod(services.product_publish)


class ProductUnpublishView(ProductTransitionView):
    """Take a published or archived product back to draft (owner, manager)."""

    service = staticmethod(services.product_unpublish)


class ProductArchiveView(ProductTransitionView):
    """No longer sold, kept for past orders; can be published again (owner, manager)."""

    service = staticmethod(services.product_archive)


class ProductUnhideView(ProductTransitionView):
    """Platform staff lift the hiding; the product returns to draft for the seller."""

    allowed = staticmethod(_hide)
    service = staticmethod(services.product_unhide)


class ProductHideView(GenericAPIView):
    """Platform staff take a product off the catalogue with a reason the seller sees."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.HideSerializer

    @extend_schema(responses=s.ProductDetailSerializer)
    def post(self, request, slug: str):
        product = _load(request, slug, _hide)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.product_hide(
            product=product, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(_detail(request, slug))


# --- Posyantek storefronts -------------------------------------------------------------------


class PosyantekListView(ListAPIView):
    """Public storefronts: verified Posyantek by name, each with its place and the number of
    products it offers. List a Posyantek's products with `products/?seller=<slug>`."""

    permission_classes = [AllowAny]
    serializer_class = s.PosyantekSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return posyantek_list()


class PosyantekDetailView(GenericAPIView):
    """One public storefront; 404 for anything that is not a verified Posyantek."""

    permission_classes = [AllowAny]
    serializer_class = s.PosyantekSerializer

    def get(self, request, slug: str):
        organization = posyantek_get(slug=slug)
        return Response(self.get_serializer(organization).data)


# --- Stock ------------------------------------------------------------------------------------


class ProductStockView(ListAPIView):
    """Stock movements, newest first (the seller's members, platform staff). POST sets the
    counted stock (`stock`, `note`) or adds/takes units (`delta`, `reason`, `note`) (owner,
    manager). Never below zero (409)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.StockMovementSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return StockMovement.objects.none()
        product = _load(self.request, self.kwargs["slug"], _desk)
        return product.stock_movements.select_related("actor").order_by("-created_at", "-id")

    @extend_schema(request=s.StockChangeSerializer, responses=s.StockResultSerializer)
    def post(self, request, slug: str):
        product = _load(request, slug, _manage)
        data = s.StockChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if "stock" in fields:
            movement = services.stock_set(
                product=product, actor=request.user, stock=fields["stock"], note=fields["note"]
            )
        else:
            movement = services.stock_adjust(
                product=product,
                actor=request.user,
                delta=fields["delta"],
                reason=fields["reason"],
                note=fields["note"],
            )
        product.refresh_from_db(fields=["stock"])
        result = {"stock": product.stock, "movement": movement}
        return Response(s.StockResultSerializer(result).data)


# --- Photos and user guide --------------------------------------------------------------------


class ProductImageListView(GenericAPIView):
    """Add a photo (multipart: `image`, `alt_text`; owner, manager). Checked by content,
    turned upright, resized, EXIF removed, with a thumbnail; at most 8 photos."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ImageUploadSerializer
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses={201: s.ProductImageSerializer})
    def post(self, request, slug: str):
        product = _load(request, slug, _manage)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            image = services.product_image_add(
                product=product,
                actor=request.user,
                file=data.validated_data["image"],
                alt_text=data.validated_data["alt_text"],
            )
        except InvalidImage as error:
            # Name the field, so a form can show the message next to it.
            raise InvalidInput(
                error.message, code=error.code, fields={"image": [error.message]}
            ) from None
        return Response(
            s.ProductImageSerializer(image, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProductImageDetailView(GenericAPIView):
    """Remove a photo (owner, manager)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ProductImageSerializer

    def delete(self, request, slug: str, pk: int):
        product = _load(request, slug, _manage)
        image = product.images.filter(pk=pk).first()
        if image is None:
            raise NotFound()
        services.product_image_remove(image=image, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductGuideView(GenericAPIView):
    """The user guide (public PDF). PUT or POST (multipart: `user_guide`) replaces it, DELETE
    removes it (owner, manager)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.GuideUploadSerializer
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses=s.ProductDetailSerializer)
    def put(self, request, slug: str):
        product = _load(request, slug, _manage)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.product_guide_set(
            product=product, actor=request.user, file=data.validated_data["user_guide"]
        )
        return Response(_detail(request, slug))

    @extend_schema(responses=s.ProductDetailSerializer)
    def post(self, request, slug: str):
        return self.put(request, slug)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug: str):
        product = _load(request, slug, _manage)
        services.product_guide_remove(product=product, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Certifications ---------------------------------------------------------------------------


class CertificationListBase(ABC, ListAPIView):
    """Shared by product and organisation certificates; a subclass says whose they are and
    who sees them all."""

    serializer_class = s.CertificationSerializer
    parser_classes = UPLOAD_PARSERS
    pagination_class = None
    filter_backends: list = []

    @abstractmethod
    def _holder(self, *, for_write: bool) -> dict[str, Any]:
        """The certificates' owner as filter keywords (`product=` or `organization=`), loaded
        with the caller's right to read it, or to write when `for_write`."""

    @abstractmethod
    def _may_see_all(self, holder: dict[str, Any]) -> bool:
        """Whether the caller sees expired certificates and the private scans too."""

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Certification.objects.none()
        holder = self._holder(for_write=False)
        queryset = Certification.objects.filter(**holder).select_related("product", "organization")
        if not self._may_see_all(holder):
            queryset = queryset.valid()
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["show_scans"] = self._may_see_all(self._holder(for_write=False))
        return context

    @extend_schema(
        request=s.CertificationCreateSerializer, responses={201: s.CertificationSerializer}
    )
    def post(self, request, **kwargs):
        holder = self._holder(for_write=True)
        data = s.CertificationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certification = services.certification_add(
            actor=request.user, **holder, **data.validated_data
        )
        return Response(
            s.CertificationSerializer(
                certification, context={"request": request, "show_scans": True}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class ProductCertificationListView(CertificationListBase):
    """The product's own certificates: valid ones for everyone who sees the product; all of
    them, with links to the (private) scans, for its members and platform staff. POST records
    one (multipart: `type`, `number`, `issuer`, `valid_until`, `scan`; owner, manager)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def _holder(self, *, for_write: bool) -> dict[str, Any]:
        if not hasattr(self, "_product"):
            self._product = _load(self.request, self.kwargs["slug"])
        if for_write and not _manage(self.request.user, self._product):
            raise PermissionDenied(_not_allowed_message(self.request.user))
        return {"product": self._product}

    def _may_see_all(self, holder: dict[str, Any]) -> bool:
        return _desk(self.request.user, holder["product"])


class ProductCertificationDetailView(GenericAPIView):
    """Remove a certificate of the product (owner, manager)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.CertificationSerializer

    def delete(self, request, slug: str, pk: int):
        product = _load(request, slug, _manage)
        certification = product.certifications.filter(pk=pk).first()
        if certification is None:
            raise NotFound()
        services.certification_remove(certification=certification, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductCertificationScanView(GenericAPIView):
    """The certificate's scan. The seller's members and platform staff; everyone else 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.CertificationSerializer

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, slug: str, pk: int):
        try:
            product = product_get(user=request.user, slug=slug)
        except NotFound:
            product = None
        certification = product.certifications.filter(pk=pk).first() if product else None
        allowed = certification is not None and _desk(request.user, product)
        return private_file_response(certification.scan if certification else None, allowed=allowed)


class OrganizationCertificationListView(CertificationListBase):
    """Certificates a Posyantek holds; they count for all its products. Valid ones for
    everyone who sees the organisation; all of them, with links to the (private) scans, for
    its members and platform staff. POST records one (owner, manager)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def _holder(self, *, for_write: bool) -> dict[str, Any]:
        if not hasattr(self, "_organization"):
            self._organization = _load_organization(
                self.request, self.kwargs["slug"], for_write=False
            )
        if for_write and not permissions.can_manage_products(self.request.user, self._organization):
            raise PermissionDenied(_not_allowed_message(self.request.user))
        return {"organization": self._organization}

    def _may_see_all(self, holder: dict[str, Any]) -> bool:
        return permissions.can_view_product_desk(self.request.user, holder["organization"])


class OrganizationCertificationDetailView(GenericAPIView):
    """Remove a certificate of the Posyantek (owner, manager)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.CertificationSerializer

    def delete(self, request, slug: str, pk: int):
        organization = _load_organization(request, slug, for_write=True)
        certification = organization.certifications.filter(pk=pk).first()
        if certification is None:
            raise NotFound()
        services.certification_remove(certification=certification, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizationCertificationScanView(GenericAPIView):
    """The certificate's scan. The Posyantek's members and platform staff; everyone else 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.CertificationSerializer

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, slug: str, pk: int):
        try:
            organization = organization_get(user=request.user, slug=slug)
        except NotFound:
            organization = None
        certification = organization.certifications.filter(pk=pk).first() if organization else None
        allowed = certification is not None and permissions.can_view_product_desk(
            request.user, organization
        )
        return private_file_response(certification.scan if certification else None, allowed=allowed)
