"""Money after payment: `refunds/`, `refunds/{id}/` with `account/`, `succeed/`, `fail/`;
`ledger/`; `payouts/`; `invoices/{INV-yyyy-mm-code-nnnn}/` and its `pdf/`.

Lists are scoped by orders.selectors (a refund's buyer side, a Posyantek's owners and managers
with `?organization=<slug>`, platform staff everything). A refund or invoice the caller may
not see is a 404, as one that does not exist; an organisation's finances the caller may not
see are a 403. Writes go through one service each (403/409/400 from it).
"""

from abc import ABC, abstractmethod

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import renderers, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.models import Organization, User
from core.api.pagination import PageNumberPagination
from core.errors import NotFound, PermissionDenied
from orders.api.checkout import OrderLineSerializer, SellerRefSerializer
from orders.invoice_pdf import invoice_pdf
from orders.models import Invoice, LedgerEntry, Payout, Refund, RefundEvent
from orders.permissions import can_handle_money, can_pay
from orders.selectors import (
    invoice_get,
    ledger_entries,
    ledger_totals,
    organization_for_orders,
    payout_list,
    refund_get,
    refund_list,
)
from orders.services.invoices import invoice_payment_status
from orders.services.order_moves import MAX_NOTE_LENGTH
from orders.services.payouts import payout_record
from orders.services.refunds import refund_account_give, refund_fail, refund_mark_succeeded

MAX_AMOUNT = 2**63 - 1
MAX_REFERENCE_LENGTH = 100

ORGANIZATION_PARAMETER = OpenApiParameter(
    "organization",
    OpenApiTypes.STR,
    required=False,
    description=(
        "Slug of the Posyantek whose finances to list (its owners and managers, platform "
        "staff). Platform staff may leave it out to list every Posyantek's."
    ),
)


def _text(max_length: int, **kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, **kwargs)


def _organization_param(request) -> Organization | None:
    slug = request.query_params.get("organization")
    return organization_for_orders(slug=slug) if slug else None


def _check_money_staff(user: User) -> None:
    if not can_handle_money(user):
        raise PermissionDenied(_("Only platform staff can do this."))


# --- Refunds ----------------------------------------------------------------------------------


class RefundAccountSerializer(serializers.Serializer):
    bank_name = serializers.CharField(source="account_bank_name")
    account_number = serializers.CharField()
    account_holder = serializers.CharField()
    given_at = serializers.DateTimeField(source="account_given_at")


class RefundEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = RefundEvent
        fields = ["from_status", "to_status", "note", "actor_name", "created_at"]

    def get_actor_name(self, event: RefundEvent) -> str:
        """The person's name (never an e-mail address), or "System"."""
        if event.actor is None:
            return _("System")
        return event.actor.name or _("User")


REFUND_FIELDS = [
    "id",
    "status",
    "status_display",
    "reason",
    "reason_display",
    "order",
    "seller",
    "payment_id",
    "payment_code",
    "provider",
    "goods_amount",
    "shipping_amount",
    "ppn_amount",
    "other_amount",
    "total_amount",
    "has_account",
    "account",
    "provider_reference",
    "failure_reason",
    "note",
    "created_at",
    "succeeded_at",
]


class RefundItemSerializer(serializers.ModelSerializer):
    """A refund. `order` is null for a refund of the payment itself (money that came too late,
    an overpayment): its amount is in `other_amount`. `account` — where a bank transfer
    refund goes — is shown to the buyer side and platform staff only (null for others, and
    until the buyer gives it)."""

    status = serializers.CharField(help_text="requested, pending_manual, succeeded or failed.")
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text="One of: " + ", ".join(Refund.Reason.values))
    reason_display = serializers.CharField(source="get_reason_display")
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    seller = serializers.SerializerMethodField()
    payment_id = serializers.IntegerField()
    payment_code = serializers.CharField(source="payment.code")
    has_account = serializers.BooleanField()
    account = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = REFUND_FIELDS

    @extend_schema_field(SellerRefSerializer(allow_null=True))
    def get_seller(self, refund: Refund) -> dict | None:
        if refund.order_id is None:
            return None
        return SellerRefSerializer(refund.order.seller).data

    @extend_schema_field(RefundAccountSerializer(allow_null=True))
    def get_account(self, refund: Refund) -> dict | None:
        if not self.context.get("show_account") or not refund.has_account:
            return None
        return RefundAccountSerializer(refund).data


class RefundDetailSerializer(RefundItemSerializer):
    """One refund with its history (`events`, oldest first)."""

    events = RefundEventSerializer(many=True)

    class Meta(RefundItemSerializer.Meta):
        fields = [*REFUND_FIELDS, "events"]


class RefundListQuerySerializer(serializers.Serializer):
    status = serializers.MultipleChoiceField(
        choices=Refund.Status.choices,
        required=False,
        help_text="One or more statuses (repeat the parameter), e.g. pending_manual.",
    )


class RefundAccountInputSerializer(serializers.Serializer):
    bank_name = serializers.CharField(max_length=100, help_text="The buyer's bank, e.g. BRI.")
    account_number = serializers.CharField(
        max_length=34, help_text="Digits (dashes and spaces allowed), 5 to 34."
    )
    account_holder = serializers.CharField(max_length=150, help_text="The name on the account.")


class RefundSucceedInputSerializer(serializers.Serializer):
    reference = _text(
        MAX_REFERENCE_LENGTH,
        help_text="The bank's reference of the transfer sent to the buyer (required for a "
        "bank transfer refund).",
    )
    note = _text(MAX_NOTE_LENGTH, help_text="An optional note (kept in the history).")


class RefundFailInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_NOTE_LENGTH, help_text="Why it could not be sent, e.g. account closed."
    )


def refund_detail_data(request, refund_id: int) -> dict:
    """The refund as the caller sees it, freshly read (after a move too)."""
    refund = refund_get(user=request.user, refund_id=refund_id)
    show_account = can_handle_money(request.user) or can_pay(request.user, refund.payment)
    return RefundDetailSerializer(refund, context={"show_account": show_account}).data


class RefundListView(ListAPIView):
    """Refunds, newest first: of the payments the caller pays (the buyer side); with
    `?organization=<slug>`, of that Posyantek's sales (its owners and managers, platform
    staff); every refund for platform staff without it. Filter by `status` (repeat it);
    order with `ordering=` created_at or total_amount (`-` for descending)."""

    permission_classes = [IsAuthenticated]
    serializer_class = RefundItemSerializer
    pagination_class = PageNumberPagination
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "total_amount"]

    @extend_schema(parameters=[RefundListQuerySerializer, ORGANIZATION_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Refund.objects.none()
        query = RefundListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return refund_list(
            user=self.request.user,
            organization=_organization_param(self.request),
            filters=dict(query.validated_data),
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        # Buyers see their own accounts; a Posyantek's members never see a buyer's account.
        request = self.request
        context["show_account"] = request is not None and (
            can_handle_money(request.user) or not request.query_params.get("organization")
        )
        return context


class RefundDetailView(GenericAPIView):
    """One refund with its history: for the buyer side of its payment, the owners and
    managers of the Posyantek whose order it is, and platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = RefundDetailSerializer

    def get(self, request, pk: int):
        return Response(refund_detail_data(request, pk))


class RefundMoveView(ABC, GenericAPIView):
    """Base of the refund endpoints: load (404), who may (403), the body's types (400), one
    service (403/409/400), answer with the refund."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    input_serializer_class: type[serializers.Serializer]
    staff_only = True

    def get_serializer_class(self):
        return self.input_serializer_class

    @abstractmethod
    def move(self, *, refund: Refund, actor: User, data: dict) -> None:
        """Call the one service of this move with the checked input."""

    def post(self, request, pk: int):
        refund = refund_get(user=request.user, refund_id=pk)
        if self.staff_only:
            _check_money_staff(request.user)
        elif not can_pay(request.user, refund.payment):
            raise PermissionDenied(_("Only the buyer can give the account for a refund."))
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.move(refund=refund, actor=request.user, data=dict(data.validated_data))
        return Response(refund_detail_data(request, pk))


def _refund_schema(input_serializer, summary: str):
    return extend_schema(
        request=input_serializer,
        responses={
            200: RefundDetailSerializer,
            403: OpenApiResponse(description="The caller may see the refund but not do this."),
            404: OpenApiResponse(description="No such refund, or the caller may not see it."),
            409: OpenApiResponse(description="The refund's status does not allow this."),
        },
        summary=summary,
    )


class RefundAccountView(RefundMoveView):
    """The buyer side gives the bank account a bank transfer refund is sent to (while the
    refund is open)."""

    input_serializer_class = RefundAccountInputSerializer
    staff_only = False

    @_refund_schema(RefundAccountInputSerializer, "Give the account for a refund")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, refund, actor, data):
        refund_account_give(
            refund=refund,
            actor=actor,
            bank_name=data["bank_name"],
            account_number=data["account_number"],
            account_holder=data["account_holder"],
        )


class RefundSucceedView(RefundMoveView):
    """Platform staff record the transfer sent to the buyer (`reference`): the refund
    succeeds, and the order, the payment, the ledger and the credit note follow."""

    input_serializer_class = RefundSucceedInputSerializer

    @_refund_schema(RefundSucceedInputSerializer, "Record a refund sent")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, refund, actor, data):
        refund_mark_succeeded(
            refund=refund,
            actor=actor,
            reference=data.get("reference", ""),
            note=data.get("note", ""),
        )


class RefundFailView(RefundMoveView):
    """Platform staff record that a refund could not be sent (`reason`, e.g. the account is
    closed): open → failed."""

    input_serializer_class = RefundFailInputSerializer

    @_refund_schema(RefundFailInputSerializer, "Record a refund failed")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, refund, actor, data):
        refund_fail(refund=refund, actor=actor, reason=data["reason"])


# --- Ledger -----------------------------------------------------------------------------------


class BalanceSerializer(serializers.Serializer):
    pending = serializers.IntegerField(help_text="From paid orders not completed yet.")
    available = serializers.IntegerField(help_text="What a payout may draw on.")
    total = serializers.IntegerField()


class LedgerEntrySerializer(serializers.ModelSerializer):
    organization = SellerRefSerializer()
    kind_display = serializers.CharField(source="get_kind_display")
    status_display = serializers.CharField(source="get_status_display")
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "organization",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "amount",
            "order",
            "refund_id",
            "payout_id",
            "available_at",
            "note",
            "created_at",
        ]


class LedgerQuerySerializer(serializers.Serializer):
    kind = serializers.MultipleChoiceField(
        choices=LedgerEntry.Kind.choices, required=False, help_text="Repeat for several."
    )
    status = serializers.MultipleChoiceField(
        choices=LedgerEntry.Status.choices, required=False, help_text="pending or available."
    )


class LedgerPagination(PageNumberPagination):
    """The usual page, plus the balance of everything listed (not only this page)."""

    balance = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["balance"] = BalanceSerializer(self.balance).data
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["balance"] = {
            "type": "object",
            "properties": {
                "pending": {"type": "integer"},
                "available": {"type": "integer"},
                "total": {"type": "integer"},
            },
            "required": ["pending", "available", "total"],
        }
        paginated["required"] = [*paginated.get("required", []), "balance"]
        return paginated


class LedgerView(ListAPIView):
    """A Posyantek's ledger (`?organization=<slug>`; its owners and managers, platform staff),
    newest first, with its `balance` (pending, available, total). Platform staff without an
    organisation: every Posyantek's entries and their sum. Filter by `kind`, `status`; order
    with `ordering=` created_at or amount (`-` for descending)."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerEntrySerializer
    pagination_class = LedgerPagination
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "amount"]

    @extend_schema(parameters=[LedgerQuerySerializer, ORGANIZATION_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        query = LedgerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = _organization_param(request)
        entries = ledger_entries(
            user=request.user, organization=organization, filters=dict(query.validated_data)
        )
        self.paginator.balance = ledger_totals(organization=organization)
        page = self.paginate_queryset(self.filter_queryset(entries))
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


# --- Payouts ----------------------------------------------------------------------------------


class PayoutSerializer(serializers.ModelSerializer):
    organization = SellerRefSerializer()
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Payout
        fields = [
            "id",
            "organization",
            "amount",
            "reference",
            "paid_on",
            "bank_name",
            "account_number",
            "account_holder",
            "note",
            "recorded_by_name",
            "created_at",
        ]

    def get_recorded_by_name(self, payout: Payout) -> str:
        if payout.recorded_by is None:
            return ""
        return payout.recorded_by.name or _("User")


class PayoutInputSerializer(serializers.Serializer):
    organization = serializers.CharField(max_length=50, help_text="The Posyantek's slug.")
    amount = serializers.IntegerField(
        min_value=1, max_value=MAX_AMOUNT, help_text="Whole Rupiah, at most the available balance."
    )
    reference = serializers.CharField(
        max_length=MAX_REFERENCE_LENGTH, help_text="The bank's reference of the transfer."
    )
    paid_on = serializers.DateField(help_text="The day it was sent (YYYY-MM-DD).")
    note = _text(300, help_text="An optional note.")

    def validate_organization(self, value: str) -> Organization:
        try:
            return organization_for_orders(slug=value.strip())
        except NotFound:
            raise serializers.ValidationError(
                _("There is no organisation with this slug.")
            ) from None


class PayoutListView(ListAPIView):
    """GET: payouts, newest first, of a Posyantek (`?organization=<slug>`; its owners and
    managers, platform staff), or of all for platform staff. POST: platform staff record a
    payout sent to a Posyantek's payout account — 409 `insufficient_balance` when it is more
    than the available balance. Order the list with `ordering=` created_at, paid_on or
    amount (`-` for descending)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = PayoutSerializer
    pagination_class = PageNumberPagination
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "paid_on", "amount"]

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return PayoutInputSerializer
        return PayoutSerializer

    @extend_schema(
        parameters=[ORGANIZATION_PARAMETER], responses={200: PayoutSerializer(many=True)}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return payout_list(user=self.request.user, organization=_organization_param(self.request))

    @extend_schema(
        request=PayoutInputSerializer,
        responses={
            201: PayoutSerializer,
            403: OpenApiResponse(description="Only platform staff record payouts."),
            409: OpenApiResponse(
                description="More than the available balance, or the same reference again."
            ),
        },
        summary="Record a payout",
    )
    def post(self, request, *args, **kwargs):
        _check_money_staff(request.user)
        data = PayoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        payout = payout_record(
            organization=values["organization"],
            actor=request.user,
            amount=values["amount"],
            reference=values["reference"],
            paid_on=values["paid_on"],
            note=values.get("note", ""),
        )
        payout = Payout.objects.select_related("organization", "recorded_by").get(pk=payout.pk)
        return Response(PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


# --- Invoices ---------------------------------------------------------------------------------


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice or a credit note, with the seller's details as they were at issue. `lines`:
    the order's lines (an invoice; empty for a credit note). `credit_notes`: the URL numbers of
    the credit notes of an invoice; `credited_invoice`: the invoice a credit note corrects."""

    url_number = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    order = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    payment_terms = serializers.CharField(source="order.payment_terms")
    due_date = serializers.DateField(source="order.due_date", allow_null=True)
    paid_at = serializers.DateTimeField(source="order.paid_at", allow_null=True)
    payment_status = serializers.SerializerMethodField(
        help_text="paid, due, unpaid, refunded or partially_refunded."
    )
    payment_status_display = serializers.SerializerMethodField()
    seller = SellerRefSerializer()
    refund_id = serializers.IntegerField(allow_null=True)
    credited_invoice = serializers.SerializerMethodField()
    credit_notes = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "number",
            "url_number",
            "kind",
            "kind_display",
            "order",
            "order_status",
            "payment_terms",
            "due_date",
            "paid_at",
            "payment_status",
            "payment_status_display",
            "issued_at",
            "seller",
            "seller_name",
            "seller_code",
            "seller_address",
            "seller_nib",
            "seller_npwp",
            "seller_is_pkp",
            "buyer_name",
            "buyer_organization_name",
            "buyer_npwp",
            "goods_amount",
            "shipping_amount",
            "dpp_amount",
            "ppn_amount",
            "total_amount",
            "refund_id",
            "credited_invoice",
            "credit_notes",
            "lines",
            "pdf_url",
        ]

    def get_payment_status(self, invoice: Invoice) -> str:
        return self._payment_status(invoice)[0]

    def get_payment_status_display(self, invoice: Invoice) -> str:
        return str(self._payment_status(invoice)[1])

    def _payment_status(self, invoice: Invoice) -> tuple[str, str]:
        cache = self.context.setdefault("payment_status", {})
        if invoice.pk not in cache:
            cache[invoice.pk] = invoice_payment_status(invoice)
        return cache[invoice.pk]

    def get_credited_invoice(self, invoice: Invoice) -> str | None:
        credited = invoice.credited_invoice
        return credited.url_number if credited is not None else None

    def get_credit_notes(self, invoice: Invoice) -> list[str]:
        return [note.url_number for note in invoice.credit_notes.all()]

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, invoice: Invoice) -> list:
        if invoice.kind != Invoice.Kind.INVOICE:
            return []
        return OrderLineSerializer(invoice.order.lines.all(), many=True).data

    def get_pdf_url(self, invoice: Invoice) -> str:
        return reverse(
            "api:invoice-pdf", args=[invoice.url_number], request=self.context.get("request")
        )


class InvoiceDetailView(GenericAPIView):
    """An invoice or credit note by its number in URL form (INV-2026-11-PWK-0001): for the
    buyer side of its order, the seller's members and platform staff; 404 for anyone else,
    as for a number that does not exist."""

    permission_classes = [IsAuthenticated]
    serializer_class = InvoiceSerializer

    def get(self, request, number: str):
        invoice = invoice_get(user=request.user, url_number=number)
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; errors still answer in JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class InvoicePdfView(GenericAPIView):
    """The invoice or credit note as a PDF (an attachment), for whoever may see it."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]
    serializer_class = None

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The PDF."
            ),
            404: OpenApiResponse(description="No such invoice, or the caller may not see it."),
        }
    )
    def get(self, request, number: str):
        invoice = invoice_get(user=request.user, url_number=number)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.url_number}.pdf"'
        return response
