"""Order moves and disputes API: `orders/{number}/{accept,ship,deliver,complete,cancel,
report-problem}/`, `orders/{number}/dispute/` and `orders/{number}/dispute/{respond,resolve}/`.

Each view loads the order through orders.selectors.order_get (404 when the caller may not see
it, with no hint that it exists), checks the body's types with an input serializer (400 by
field), calls one service — which checks who may (403) and whether the order's status allows
it (409) — and answers with the order as the caller now sees it (orders.api.checkout).
"""

from abc import ABC, abstractmethod
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from core.errors import NotFound
from orders.api.checkout import OrderDetailSerializer, order_detail_data
from orders.models import Dispute, Order
from orders.permissions import can_view_dispute
from orders.selectors import dispute_of, order_get
from orders.services.disputes import (
    MAX_DESCRIPTION_LENGTH,
    MAX_PHOTOS,
    dispute_resolve,
    dispute_respond,
    order_report_problem,
)
from orders.services.lifecycle import (
    MAX_CARRIER_LENGTH,
    MAX_TRACKING_LENGTH,
    order_accept,
    order_cancel,
    order_complete,
    order_deliver,
    order_ship,
)
from orders.services.order_moves import MAX_NOTE_LENGTH

MAX_AMOUNT = 2**63 - 1

# --- Input ------------------------------------------------------------------------------------


def _text(max_length: int = MAX_NOTE_LENGTH, **kwargs: Any) -> serializers.CharField:
    """A free text: optional by default; its value (length, required words) is the service's
    to judge, the type is checked here (a list or an object is a 400, never a 500)."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, **kwargs)


class NoteInputSerializer(serializers.Serializer):
    note = _text(help_text="An optional note for the other party (kept in the history).")


class ShipInputSerializer(serializers.Serializer):
    carrier = _text(
        MAX_CARRIER_LENGTH,
        help_text="The courier, e.g. JNE or J&T. Required for courier shipping.",
    )
    tracking_number = _text(
        MAX_TRACKING_LENGTH,
        help_text="The courier's tracking number (nomor resi). Required for courier shipping.",
    )
    note = _text(help_text="An optional note for the buyer.")


class CancelInputSerializer(serializers.Serializer):
    reason = _text(help_text="Why the order is cancelled. Required for a paid order.")


class PhotoListField(serializers.ListField):
    """Photos sent as repeated multipart parts named `photos` (or `photos[]`)."""

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            files = dictionary.getlist(self.field_name) or dictionary.getlist(
                f"{self.field_name}[]"
            )
            if files:
                return files
        return super().get_value(dictionary)


class ReportProblemInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Dispute.Reason.choices, help_text="What kind of problem it is."
    )
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION_LENGTH, help_text="What went wrong."
    )
    photos = PhotoListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PHOTOS,
        help_text=(
            f"Up to {MAX_PHOTOS} photos (JPEG, PNG or WebP), as multipart parts named `photos`."
        ),
    )


class DisputeRespondInputSerializer(serializers.Serializer):
    response = _text(required=True, allow_blank=False, help_text="The Posyantek's answer.")


class DisputeResolveInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Dispute.Outcome.choices,
        help_text="complete: no refund, the order completes; refund: refund `amount`.",
    )
    amount = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_AMOUNT,
        help_text="For a refund: whole Rupiah, from 1 to what is left of the order's total.",
    )
    note = _text(required=True, allow_blank=False, help_text="The decision, for both parties.")


# --- Output -----------------------------------------------------------------------------------


class DisputeSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    reason = serializers.CharField(help_text="One of: " + ", ".join(Dispute.Reason.values))
    reason_display = serializers.CharField(source="get_reason_display")
    outcome = serializers.CharField(help_text="complete, refund, or empty while open.")
    photo_ids = serializers.SerializerMethodField()
    photo_count = serializers.SerializerMethodField()
    is_resolved = serializers.BooleanField()

    class Meta:
        model = Dispute
        fields = [
            "order",
            "reason",
            "reason_display",
            "description",
            "photo_count",
            "photo_ids",
            "seller_response",
            "responded_at",
            "outcome",
            "refund_amount",
            "resolution_note",
            "resolved_at",
            "is_resolved",
            "created_at",
            "updated_at",
        ]

    def get_photo_ids(self, dispute: Dispute) -> list[int]:
        return [photo.pk for photo in dispute.photos.all()]

    def get_photo_count(self, dispute: Dispute) -> int:
        return len(dispute.photos.all())


# --- Views ------------------------------------------------------------------------------------


class OrderMoveView(ABC, GenericAPIView):
    """Base of the move endpoints: load (404), check the body's types (400), one service
    (403/409/400), answer with the order (200). A subclass names its input serializer and
    the service call (`move`)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    input_serializer_class: type[serializers.Serializer] = NoteInputSerializer

    def get_serializer_class(self):
        # The browsable API's form shows what to send; the answer is OrderDetailSerializer.
        return self.input_serializer_class

    @abstractmethod
    def move(self, *, order: Order, actor: User, data: dict) -> None:
        """Call the one service of this move with the checked input."""

    def post(self, request, number: str):
        order = order_get(user=request.user, number=number)
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.move(order=order, actor=request.user, data=dict(data.validated_data))
        return Response(order_detail_data(request, number))


def _move_schema(input_serializer: type[serializers.Serializer], summary: str):
    return extend_schema(
        request=input_serializer, responses={200: OrderDetailSerializer}, summary=summary
    )


class OrderAcceptView(OrderMoveView):
    """paid | placed_on_terms → processing: the Posyantek starts on the order. Its members
    (owner, manager, staff) or platform staff."""

    input_serializer_class = NoteInputSerializer

    @_move_schema(NoteInputSerializer, "Accept an order")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_accept(order=order, actor=actor, note=data.get("note", ""))


class OrderShipView(OrderMoveView):
    """processing → shipped. A courier order needs `carrier` and `tracking_number`. The
    Posyantek's members or platform staff."""

    input_serializer_class = ShipInputSerializer

    @_move_schema(ShipInputSerializer, "Ship an order")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_ship(
            order=order,
            actor=actor,
            carrier=data.get("carrier", ""),
            tracking_number=data.get("tracking_number", ""),
            note=data.get("note", ""),
        )


class OrderDeliverView(OrderMoveView):
    """shipped → delivered. The Posyantek's owners and managers, or platform staff."""

    input_serializer_class = NoteInputSerializer

    @_move_schema(NoteInputSerializer, "Mark an order delivered")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_deliver(order=order, actor=actor, note=data.get("note", ""))


class OrderCompleteView(OrderMoveView):
    """The buyer confirms receipt: shipped | delivered → completed (a shipped order is
    recorded delivered first). The buyer side only."""

    input_serializer_class = NoteInputSerializer

    @_move_schema(NoteInputSerializer, "Confirm receipt")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_complete(order=order, actor=actor, note=data.get("note", ""))


class OrderCancelView(OrderMoveView):
    """Cancel: an unpaid order (the buyer side, or the Posyantek's owners and managers) —
    only that order, the payment's amount due drops; a paid or processing order (owners,
    managers, platform staff, with a `reason`) — a refund of its total is requested."""

    input_serializer_class = CancelInputSerializer

    @_move_schema(CancelInputSerializer, "Cancel an order")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_cancel(order=order, actor=actor, reason=data.get("reason", ""))


class OrderReportProblemView(OrderMoveView):
    """The buyer side reports a problem with a shipped or delivered order → in_dispute.
    multipart/form-data with `reason`, `description` and up to five `photos`, or JSON
    without photos. Photos are private to the two sides and platform staff."""

    input_serializer_class = ReportProblemInputSerializer

    @_move_schema(ReportProblemInputSerializer, "Report a problem")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        order_report_problem(
            order=order,
            actor=actor,
            reason=data["reason"],
            description=data["description"],
            photos=data.get("photos") or [],
        )


class DisputeRespondView(OrderMoveView):
    """The Posyantek's answer to the buyer's report (owners, managers, platform staff); may
    be sent again until the dispute is resolved."""

    input_serializer_class = DisputeRespondInputSerializer

    @_move_schema(DisputeRespondInputSerializer, "Answer a dispute")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        dispute_respond(order=order, actor=actor, response=data["response"])


class DisputeResolveView(OrderMoveView):
    """Platform staff resolve: `complete` (the order completes) or `refund` of `amount` (a
    refund is requested; the order stays in_dispute until the refund succeeds)."""

    input_serializer_class = DisputeResolveInputSerializer

    @_move_schema(DisputeResolveInputSerializer, "Resolve a dispute")
    def post(self, request, number: str):
        return super().post(request, number)

    def move(self, *, order, actor, data):
        dispute_resolve(
            order=order,
            actor=actor,
            outcome=data["outcome"],
            amount=data.get("amount"),
            note=data["note"],
        )


class DisputeDetailView(GenericAPIView):
    """The order's problem report and its answers: for the buyer side, the Posyantek's
    members and platform staff. 404 when there is none or the caller may not see it."""

    permission_classes = [IsAuthenticated]
    serializer_class = DisputeSerializer

    def get(self, request, number: str):
        order = order_get(user=request.user, number=number)
        if not can_view_dispute(request.user, order):
            raise NotFound()
        dispute = dispute_of(order)
        if dispute is None:
            raise NotFound(_("This order has no problem report."))
        return Response(DisputeSerializer(dispute).data)
