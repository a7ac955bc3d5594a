"""Payments API: `payments/`, `payments/{id}/`, `payments/{id}/attempts/`,
`payments/{id}/transfer-proof/`, `payments/{id}/confirm/`, `payments/{id}/reject/`,
`payments/{id}/review/`.

Each view loads the payment through orders.selectors.payment_get (404 when the caller may not
see it, with no hint that it exists), checks who may act (403: the buyer side pays, platform
staff confirm, reject and decide), checks the body's types with an input serializer (400 by
field), calls one service — which checks again and refuses a move the payment's status does
not allow (409) — and answers with the payment as the caller now sees it.
"""

from abc import ABC, abstractmethod

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import PageNumberPagination
from core.errors import PermissionDenied
from orders.api.checkout import SellerRefSerializer
from orders.models import Order, Payment, PaymentAttempt, PaymentMethod, TransferProof
from orders.payments import methods_available
from orders.permissions import can_handle_money, can_pay
from orders.selectors import payment_get, payment_list
from orders.services.late_payments import payment_review_resolve
from orders.services.order_moves import MAX_NOTE_LENGTH
from orders.services.payments import payment_attempt_start
from orders.services.transfers import (
    payment_proof_upload,
    payment_transfer_confirm,
    payment_transfer_reject,
)

MAX_AMOUNT = 2**63 - 1
MAX_REFERENCE_LENGTH = 100
REVIEW_DECISIONS = [
    ("honour", "honour: the payment and its orders become paid"),
    ("refund", "refund: everything received goes back to the buyer"),
]

# --- Output -----------------------------------------------------------------------------------


class PaymentOrderSerializer(serializers.ModelSerializer):
    """An order a payment covers, in short."""

    seller = SellerRefSerializer()
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Order
        fields = ["number", "seller", "status", "status_display", "total_amount"]


class PaymentAttemptSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    instructions = serializers.JSONField(
        help_text=(
            "What the buyer needs to pay. Bank transfer: bank_name, account_number, "
            "account_holder, amount (whole Rupiah, exactly), code (write it in the transfer "
            "description) and expires_at. Empty for a redirect (see redirect_url)."
        )
    )

    class Meta:
        model = PaymentAttempt
        fields = [
            "id",
            "number",
            "method",
            "provider",
            "status",
            "status_display",
            "amount_amount",
            "currency",
            "expires_at",
            "instructions",
            "redirect_url",
            "failure_reason",
            "succeeded_at",
            "created_at",
        ]


class TransferProofSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    uploaded_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = TransferProof
        fields = [
            "id",
            "status",
            "status_display",
            "original_name",
            "content_type",
            "sender_bank",
            "sender_name",
            "rejection_reason",
            "uploaded_at",
            "reviewed_at",
        ]


PAYMENT_FIELDS = [
    "id",
    "code",
    "status",
    "status_display",
    "method",
    "amount_due_amount",
    "received_amount",
    "currency",
    "expires_at",
    "due_date",
    "paid_at",
    "received_at",
    "review_reason",
    "created_at",
    "orders",
]


class PaymentListSerializer(serializers.ModelSerializer):
    """A payment as its list shows it: with its orders and its latest transfer proof."""

    status_display = serializers.CharField(source="get_status_display")
    review_reason = serializers.CharField(
        help_text="Why it needs review: amount_mismatch or late; empty otherwise."
    )
    orders = PaymentOrderSerializer(many=True)
    latest_proof = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [*PAYMENT_FIELDS, "latest_proof"]

    @extend_schema_field(TransferProofSerializer(allow_null=True))
    def get_latest_proof(self, payment: Payment) -> dict | None:
        proofs = list(payment.proofs.all())
        return TransferProofSerializer(proofs[-1]).data if proofs else None


class PaymentDetailSerializer(PaymentListSerializer):
    """One payment: its orders, the attempt in progress (`current_attempt`, the latest, with
    the transfer instructions or where to go), every transfer proof (oldest first) and the
    `methods` the buyer may switch to now (empty unless the payment is pending)."""

    current_attempt = serializers.SerializerMethodField()
    proofs = TransferProofSerializer(many=True)
    methods = serializers.SerializerMethodField()

    class Meta(PaymentListSerializer.Meta):
        fields = [*PAYMENT_FIELDS, "current_attempt", "proofs", "methods"]

    @extend_schema_field(PaymentAttemptSerializer(allow_null=True))
    def get_current_attempt(self, payment: Payment) -> dict | None:
        attempts = list(payment.attempts.all())
        return PaymentAttemptSerializer(attempts[-1]).data if attempts else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(PaymentMethod.values)))
    def get_methods(self, payment: Payment) -> list[str]:
        if payment.status != Payment.Status.PENDING:
            return []
        return methods_available()


def payment_detail_data(request, payment_id: int) -> dict:
    """The payment as the caller sees it, freshly read (after a move too)."""
    return PaymentDetailSerializer(payment_get(user=request.user, payment_id=payment_id)).data


# --- Input ------------------------------------------------------------------------------------


def _text(max_length: int, **kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, **kwargs)


class PaymentListQuerySerializer(serializers.Serializer):
    status = serializers.MultipleChoiceField(
        choices=Payment.Status.choices,
        required=False,
        help_text="One or more statuses (repeat the parameter), e.g. awaiting_confirmation.",
    )
    code = serializers.CharField(
        required=False, max_length=20, help_text="The payment code (exact, any case)."
    )
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)


class AttemptInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=PaymentMethod.choices, help_text="How to pay: one of the payment's `methods`."
    )


class TransferProofInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A photo (JPEG, PNG or WebP) or a PDF of the transfer receipt, up to 5 MB."
    )
    sender_bank = _text(100, help_text="The bank the money was sent from.")
    sender_name = _text(150, help_text="The name on the account the money was sent from.")


class TransferConfirmInputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=1, max_value=MAX_AMOUNT, help_text="Whole Rupiah received, as the bank shows."
    )
    reference = serializers.CharField(
        max_length=MAX_REFERENCE_LENGTH, help_text="The bank's reference of the transfer."
    )
    received_on = serializers.DateField(help_text="The day the money arrived (YYYY-MM-DD).")
    note = _text(MAX_NOTE_LENGTH, help_text="An optional note (kept in the history).")


class TransferRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_NOTE_LENGTH,
        help_text="Why the proof is refused; the buyer sees it and may upload again.",
    )


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=REVIEW_DECISIONS)
    note = _text(MAX_NOTE_LENGTH, help_text="An optional note (kept in the history).")


# --- Views ------------------------------------------------------------------------------------


def _check_payer(user: User, payment: Payment) -> None:
    if not can_pay(user, payment):
        raise PermissionDenied(_("Only the buyer can pay for this payment."))


def _check_money_staff(user: User) -> None:
    if not can_handle_money(user):
        raise PermissionDenied(_("Only platform staff can do this."))


class PaymentListView(ListAPIView):
    """Payments, newest first: every payment for platform staff (the transfer desk: filter
    `status=awaiting_confirmation`), the caller's own (and those it pays for its
    organisations) for anyone else. Filter by `status` (repeat it), `code`, `method`;
    order with `ordering=created_at|-created_at|amount_due_amount|-amount_due_amount`."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentListSerializer
    pagination_class = PageNumberPagination
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "amount_due_amount"]

    @extend_schema(parameters=[PaymentListQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        query = PaymentListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return payment_list(user=self.request.user, filters=dict(query.validated_data))


class PaymentDetailView(GenericAPIView):
    """One payment with its orders, the attempt in progress (transfer instructions), its
    transfer proofs and the methods available: for its buyer side and platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentDetailSerializer

    def get(self, request, pk: int):
        return Response(payment_detail_data(request, pk))


class PaymentAttemptsView(GenericAPIView):
    """GET: the payment's attempts, oldest first (whoever may see the payment). POST
    `{method}`: start a new attempt — the pending one is cancelled first; switching method
    changes the payment's method (the buyer side; the payment must be pending, else 409)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = PaymentAttemptSerializer
    pagination_class = None
    queryset = PaymentAttempt.objects.none()  # the schema's; views read through payment_get

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return AttemptInputSerializer
        return PaymentAttemptSerializer

    @extend_schema(responses={200: PaymentAttemptSerializer(many=True)})
    def get(self, request, pk: int):
        payment = payment_get(user=request.user, payment_id=pk)
        return Response(PaymentAttemptSerializer(payment.attempts.all(), many=True).data)

    @extend_schema(
        request=AttemptInputSerializer,
        responses={
            201: PaymentAttemptSerializer,
            409: OpenApiResponse(description="The payment is not pending, or the method is off."),
        },
        summary="Start a payment attempt",
    )
    def post(self, request, pk: int):
        payment = payment_get(user=request.user, payment_id=pk)
        _check_payer(request.user, payment)
        data = AttemptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = payment_attempt_start(
            payment=payment, method=data.validated_data["method"], actor=request.user
        )
        return Response(PaymentAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class PaymentMoveView(ABC, GenericAPIView):
    """Base of the payment move endpoints: load (404), who may (403), the body's types (400),
    one service (403/409/400), answer with the payment (`success_status`)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    input_serializer_class: type[serializers.Serializer]
    success_status = status.HTTP_200_OK
    staff_only = True

    def get_serializer_class(self):
        # The browsable API's form shows what to send; the answer is PaymentDetailSerializer.
        return self.input_serializer_class

    @abstractmethod
    def move(self, *, payment: Payment, actor: User, data: dict) -> None:
        """Call the one service of this move with the checked input."""

    def post(self, request, pk: int):
        payment = payment_get(user=request.user, payment_id=pk)
        if self.staff_only:
            _check_money_staff(request.user)
        else:
            _check_payer(request.user, payment)
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.move(payment=payment, actor=request.user, data=dict(data.validated_data))
        return Response(payment_detail_data(request, pk), status=self.success_status)


def _move_schema(input_serializer, summary: str, success: int = 200):
    return extend_schema(
        request=input_serializer,
        responses={
            success: PaymentDetailSerializer,
            403: OpenApiResponse(description="The caller may see the payment but not do this."),
            404: OpenApiResponse(description="No such payment, or the caller may not see it."),
            409: OpenApiResponse(description="The payment's status does not allow this."),
        },
        summary=summary,
    )


class TransferProofView(PaymentMoveView):
    """The buyer side uploads a proof of its bank transfer (multipart/form-data: `file`, a
    photo or PDF up to 5 MB, and optionally `sender_bank`, `sender_name`): the payment waits
    for platform staff to confirm it (pending → awaiting_confirmation, expiry paused)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    input_serializer_class = TransferProofInputSerializer
    success_status = status.HTTP_201_CREATED
    staff_only = False

    @extend_schema(
        request={"multipart/form-data": TransferProofInputSerializer},
        responses={
            201: PaymentDetailSerializer,
            400: OpenApiResponse(description="No file, a file of another type, or too large."),
            403: OpenApiResponse(description="Only the buyer side uploads a proof."),
            404: OpenApiResponse(description="No such payment, or the caller may not see it."),
            409: OpenApiResponse(description="The payment is not awaiting a transfer."),
        },
        summary="Upload a transfer proof",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, payment, actor, data):
        payment_proof_upload(
            payment=payment,
            actor=actor,
            file=data["file"],
            sender_bank=data.get("sender_bank", ""),
            sender_name=data.get("sender_name", ""),
        )


class TransferConfirmView(PaymentMoveView):
    """Platform staff confirm a bank transfer they see in the bank: `amount` received,
    `reference`, `received_on`. The exact amount due → paid (invoices, ledger); another
    amount, or money for an expired or cancelled payment → needs_review."""

    input_serializer_class = TransferConfirmInputSerializer

    @_move_schema(TransferConfirmInputSerializer, "Confirm a bank transfer")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, payment, actor, data):
        payment_transfer_confirm(
            payment=payment,
            actor=actor,
            amount=data["amount"],
            reference=data["reference"],
            received_on=data["received_on"],
            note=data.get("note", ""),
        )


class TransferRejectView(PaymentMoveView):
    """Platform staff refuse a transfer proof with a `reason`: awaiting_confirmation →
    pending; the buyer may upload again before the (resumed) expiry."""

    input_serializer_class = TransferRejectInputSerializer

    @_move_schema(TransferRejectInputSerializer, "Reject a transfer proof")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, payment, actor, data):
        payment_transfer_reject(payment=payment, actor=actor, reason=data["reason"])


class PaymentReviewView(PaymentMoveView):
    """Platform staff decide a payment under review (needs_review): `honour` (the payment and
    its orders become paid; 409 when less than the amount due arrived or the stock is gone)
    or `refund` (everything received goes back; its unpaid orders are cancelled)."""

    input_serializer_class = ReviewInputSerializer

    @_move_schema(ReviewInputSerializer, "Decide a payment under review")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def move(self, *, payment, actor, data):
        payment_review_resolve(
            payment=payment, actor=actor, decision=data["decision"], note=data.get("note", "")
        )
