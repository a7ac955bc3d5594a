"""Proposals API: `proposals/` (GET the proposals the caller may see; POST a Posyantek's
proposal for a need), `proposals/{id}/` and `proposals/{id}/accept|reject|withdraw/`.

As in the needs API: a proposal, need or organisation the caller may not see is a 404; one it
sees but may not act on is a 403 (mitra.permissions); the body's types are checked by an input
serializer (400 by field) and one service judges the values (400) and what is allowed now
(409). Accepting a supply proposal places its order through the orders services: their 400
(delivery details) and 409 (stock, capacity, an unverified organisation) come back as they are.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import roles_prime
from accounts.phone import whatsapp_link
from accounts.selectors import organization_get
from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput, PermissionDenied
from core.money import format_rupiah
from mitra import permissions, selectors
from mitra.api.serializers import NeedPlaceSerializer, _place
from mitra.models import Need, Proposal
from mitra.selectors import proposals as proposal_selectors
from mitra.services import proposals as services
from orders.models import PaymentMethod, ShippingMethod

SLUG = RegexValidator(r"^[-a-zA-Z0-9_]+\Z", gettext_lazy("Give a slug."))
WHOLE = {
    key: gettext_lazy("Give a whole number.")
    for key in ("invalid", "max_string_length", "min_value", "max_value")
}


def _body(data: Any) -> Mapping:
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Send the fields as a JSON object."))
    return data


# --- Input ------------------------------------------------------------------------------------


class ProposalLineInputSerializer(serializers.Serializer):
    product = serializers.CharField(
        max_length=255, validators=[SLUG], help_text="Slug of one of the Posyantek's products."
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=services.MAX_LINE_QUANTITY,
        help_text="Selling units per delivery.",
        error_messages=WHOLE,
    )
    unit_price_amount = serializers.IntegerField(
        min_value=0,
        max_value=services.MAX_PRICE_AMOUNT,
        help_text="Whole Rupiah per selling unit, excl. PPN.",
        error_messages=WHOLE,
    )


class ProposalTargetSerializer(serializers.Serializer):
    need = serializers.IntegerField(min_value=1, max_value=2**63 - 1, error_messages=WHOLE)
    posyantek = serializers.CharField(
        max_length=50, validators=[SLUG], help_text="Slug of the Posyantek that proposes."
    )


class ProposalCreateSerializer(ProposalTargetSerializer):
    lines = ProposalLineInputSerializer(
        many=True,
        required=False,
        max_length=services.MAX_LINES,
        help_text="Required for supply and technology needs; none for research and training.",
    )
    fee_amount = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=services.MAX_PRICE_AMOUNT,
        help_text="Research and training: the whole fee, whole Rupiah excl. PPN.",
        error_messages=WHOLE,
    )
    payment_terms = serializers.ChoiceField(
        choices=Proposal.PaymentTerms.choices, required=False, default="prepaid"
    )
    schedule = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_SCHEDULE_LENGTH
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_MESSAGE_LENGTH
    )


class ProposalAcceptSerializer(serializers.Serializer):
    """Delivery details of the order (supply proposals with products), as checkout/ takes
    them, and how to pay."""

    contact_name = serializers.CharField(required=False, max_length=150)
    contact_phone = serializers.CharField(required=False, max_length=40)
    contact_email = serializers.CharField(required=False, max_length=254)
    address_line = serializers.CharField(required=False, max_length=300)
    village = serializers.CharField(
        required=False, max_length=20, help_text="Kemendagri code of the village."
    )
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    shipping_method = serializers.ChoiceField(
        choices=ShippingMethod.choices, required=False, help_text="Default: pickup."
    )
    payment_terms = serializers.ChoiceField(
        choices=Proposal.PaymentTerms.choices,
        required=False,
        default="prepaid",
        help_text="prepaid, or the net terms the proposal offers.",
    )
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices, required=False, help_text="Prepaid only."
    )


class ProposalRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.MAX_REASON_LENGTH
    )


# --- Output -----------------------------------------------------------------------------------


class ProposalLineSerializer(serializers.Serializer):
    product_slug = serializers.CharField()
    product_name = serializers.CharField()
    selling_unit = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_amount = serializers.IntegerField()
    unit_price_display = serializers.CharField()
    total_amount = serializers.IntegerField()
    total_display = serializers.CharField()


class ProposalPosyantekSerializer(serializers.Serializer):
    slug = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    place = NeedPlaceSerializer()
    whatsapp_url = serializers.CharField(allow_blank=True)


class ProposalNeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Need.Kind.choices)
    organization_slug = serializers.CharField()
    organization_name = serializers.CharField()


class ProposalOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    """A proposal with its lines, totals and the moves the caller may make (context
    `actions` maps proposal ids to them)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    status_display = serializers.CharField()
    need = ProposalNeedSerializer()
    posyantek = ProposalPosyantekSerializer()
    lines = ProposalLineSerializer(many=True)
    total_amount = serializers.IntegerField(help_text="Goods (or the fee), excl. PPN, shipping.")
    total_display = serializers.CharField()
    fee_amount = serializers.IntegerField(allow_null=True)
    payment_terms = serializers.ChoiceField(choices=Proposal.PaymentTerms.choices)
    payment_terms_display = serializers.CharField()
    schedule = serializers.CharField()
    message = serializers.CharField()
    decision_note = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    order = ProposalOrderSerializer(allow_null=True)
    partnership_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    next_actions = serializers.ListField(child=serializers.CharField())

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        need, posyantek, order = proposal.need, proposal.posyantek, proposal.order
        lines = list(proposal.lines.all())
        total = services.proposal_total(proposal, lines)
        moment = serializers.DateTimeField().to_representation
        text = _(
            "Hello %(posyantek)s, this is %(partner)s on Mitra TTG, about your proposal for "
            "“%(title)s”."
        ) % {"posyantek": posyantek.name, "partner": need.organization.name, "title": need.title}
        return {
            "id": proposal.pk,
            "status": proposal.status,
            "status_display": str(proposal.get_status_display()),
            "need": {
                "id": need.pk,
                "title": need.title,
                "kind": need.kind,
                "organization_slug": need.organization.slug,
                "organization_name": need.organization.name,
            },
            "posyantek": {
                "slug": posyantek.slug,
                "code": posyantek.code,
                "name": posyantek.name,
                "place": _place(posyantek.district),
                "whatsapp_url": whatsapp_link(posyantek.whatsapp, text),
            },
            "lines": [
                {
                    "product_slug": line.product.slug,
                    "product_name": line.product.name,
                    "selling_unit": line.product.selling_unit,
                    "quantity": line.quantity,
                    "unit_price_amount": line.unit_price_amount,
                    "unit_price_display": format_rupiah(line.unit_price_amount),
                    "total_amount": services.line_total(line),
                    "total_display": format_rupiah(services.line_total(line)),
                }
                for line in lines
            ],
            "total_amount": total,
            "total_display": format_rupiah(total),
            "fee_amount": proposal.fee_amount,
            "payment_terms": proposal.payment_terms,
            "payment_terms_display": str(proposal.get_payment_terms_display()),
            "schedule": proposal.schedule,
            "message": proposal.message,
            "decision_note": proposal.decision_note,
            "decided_at": moment(proposal.decided_at) if proposal.decided_at else None,
            "order": None
            if order is None
            else {"id": order.pk, "number": order.number, "status": order.status},
            "partnership_id": partnership_id(proposal),
            "created_at": moment(proposal.created_at),
            "next_actions": self.context.get("actions", {}).get(proposal.pk, []),
        }


def partnership_id(proposal: Proposal) -> int | None:
    try:
        partnership = proposal.partnership
    except ObjectDoesNotExist:
        return None
    return partnership.pk if partnership is not None else None


def _actions(user: User, proposals: Iterable[Proposal]) -> dict[int, list[str]]:
    proposals = list(proposals)
    ids = {p.posyantek_id for p in proposals} | {p.need.organization_id for p in proposals}
    roles_prime(user, ids)
    return {p.pk: permissions.proposal_next_actions(user, p) for p in proposals}


def _detail(request, proposal_id: int) -> dict[str, Any]:
    proposal = proposal_selectors.proposal_get(user=request.user, proposal_id=proposal_id)
    context = {"request": request, "actions": _actions(request.user, [proposal])}
    return ProposalSerializer(proposal, context=context).data


def _load(request, pk: int, allowed, message: str) -> Proposal:
    proposal = proposal_selectors.proposal_get(user=request.user, proposal_id=pk)
    if not allowed(request.user, proposal):
        raise PermissionDenied(message)
    return proposal


# --- Views ------------------------------------------------------------------------------------


class ProposalListView(GenericAPIView):
    """GET: the proposals the caller may see — those of the Posyantek it belongs to and those
    received for the needs of organisations it belongs to (platform staff: all), newest
    first; filters `need` (id), `status`, `organization` (slug). POST: a Posyantek's owner
    or manager sends a proposal for an open need."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalSerializer
    pagination_class = PageNumberPagination
    queryset = Proposal.objects.none()  # for the schema; reads go through proposal_selectors

    @extend_schema(
        parameters=[
            OpenApiParameter("need", OpenApiTypes.INT, required=False),
            OpenApiParameter(
                "status", OpenApiTypes.STR, required=False, enum=Proposal.Status.values
            ),
            OpenApiParameter("organization", OpenApiTypes.STR, required=False),
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
        ],
        responses=ProposalSerializer(many=True),
    )
    def get(self, request):
        filters = {key: request.query_params.get(key) for key in proposal_selectors.FILTERS}
        queryset = proposal_selectors.proposal_list(user=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        context = {"request": request, "actions": _actions(request.user, page)}
        return self.get_paginated_response(
            ProposalSerializer(page, many=True, context=context).data
        )

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def post(self, request):
        body = _body(request.data)
        # Who may comes before what is sent: the need and the Posyantek first.
        target = ProposalTargetSerializer(data=body)
        target.is_valid(raise_exception=True)
        need = selectors.need_get(user=request.user, need_id=target.validated_data["need"])
        posyantek = organization_get(user=request.user, slug=target.validated_data["posyantek"])
        if not permissions.can_propose(request.user, posyantek):
            raise PermissionDenied(
                _("Only the Posyantek's owners and managers can send its proposals.")
            )
        unknown = set(body) - set(ProposalCreateSerializer().fields)
        if unknown:
            raise InvalidInput(
                _("These fields cannot be set: %(fields)s.")
                % {"fields": ", ".join(sorted(str(key) for key in unknown))},
                code="unknown_fields",
            )
        data = ProposalCreateSerializer(data=body)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("need"), fields.pop("posyantek")
        if "lines" in fields:
            fields["lines"] = [dict(line) for line in fields["lines"]]
        proposal = services.proposal_submit(
            need=need, posyantek=posyantek, actor=request.user, data=fields
        )
        return Response(_detail(request, proposal.pk), status=status.HTTP_201_CREATED)


class ProposalDetailView(GenericAPIView):
    """One proposal: for the Posyantek that sent it, the organisation whose need it answers
    and platform staff."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalSerializer

    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class ProposalAcceptView(GenericAPIView):
    """submitted → accepted (the need's organisation's owners and managers). A supply
    proposal with products places one order for the organisation with the delivery details
    given (prepaid, or on the net terms the proposal offers); 409 when it cannot (stock,
    capacity, an unverified organisation) and nothing changes."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalAcceptSerializer

    @extend_schema(request=ProposalAcceptSerializer, responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = _load(
            request,
            pk,
            permissions.can_decide_proposal,
            _("Only the owners and managers of the organisation that posted the need can accept."),
        )
        data = ProposalAcceptSerializer(data=_body(request.data))
        data.is_valid(raise_exception=True)
        services.proposal_accept(
            proposal=proposal, actor=request.user, data=dict(data.validated_data)
        )
        return Response(_detail(request, pk))


class ProposalRejectView(GenericAPIView):
    """submitted → rejected, with an optional reason (the need's organisation's owners and
    managers)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalRejectSerializer

    @extend_schema(request=ProposalRejectSerializer, responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = _load(
            request,
            pk,
            permissions.can_decide_proposal,
            _("Only the owners and managers of the organisation that posted the need can reject."),
        )
        data = ProposalRejectSerializer(data=_body(request.data))
        data.is_valid(raise_exception=True)
        services.proposal_reject(
            proposal=proposal, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(_detail(request, pk))


class ProposalWithdrawView(GenericAPIView):
    """submitted → withdrawn (the Posyantek's owners and managers)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProposalSerializer

    @extend_schema(request=None, responses=ProposalSerializer)
    def post(self, request, pk: int):
        proposal = _load(
            request,
            pk,
            permissions.can_withdraw_proposal,
            _("Only the Posyantek's owners and managers can withdraw its proposal."),
        )
        services.proposal_withdraw(proposal=proposal, actor=request.user)
        return Response(_detail(request, pk))
