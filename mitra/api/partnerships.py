"""Partnerships API: `partnerships/` (GET those the caller may see; POST propose one),
`partnerships/{id}/` (the agreement, lines, milestones, orders generated, supply periods,
events, next actions), `partnerships/{id}/accept|decline|cancel|complete|terminate/`,
`partnerships/{id}/milestones/` (GET, POST) and `partnerships/{id}/milestones/{mid}/`
(PATCH {done}).

As elsewhere in mitra: a partnership or organisation the caller may not see is a 404; one it
sees but may not act on is a 403 (mitra.permissions); the body's shape is checked here (400)
and the services judge the values (400 by field) and what is allowed now (409).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Organization, User
from accounts.permissions import roles_prime
from accounts.phone import whatsapp_link
from accounts.selectors import organization_get
from core.api.pagination import PageNumberPagination
from core.errors import InvalidInput, PermissionDenied
from core.money import format_rupiah
from mitra import permissions
from mitra.models import Partnership, Proposal
from mitra.selectors import partnerships as selectors
from mitra.services import partnerships as services


def _body(data: Any) -> Mapping:
    if not isinstance(data, Mapping):
        raise InvalidInput(_("Send the fields as a JSON object."))
    return data


def _slug(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100 or "\x00" in value:
        raise InvalidInput(fields={field: [_("Give the organisation's slug.")]})
    return value.strip()


# --- Input (documentation of the bodies; the services check every value) ---------------------


class LineInputSerializer(serializers.Serializer):
    product = serializers.CharField(help_text="Slug of one of the Posyantek's products.")
    quantity = serializers.IntegerField(min_value=1, help_text="Selling units per period.")
    unit_price_amount = serializers.IntegerField(
        min_value=0, required=False, help_text="Whole Rupiah per unit, excl. PPN."
    )


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class PartnershipProposeSerializer(serializers.Serializer):
    organization = serializers.CharField(
        help_text="Slug of the proposing side (or ?organization=)."
    )
    with_ = serializers.CharField(help_text="Slug of the other side.")
    kind = serializers.ChoiceField(choices=Partnership.Kind.choices)
    title = serializers.CharField(max_length=200)
    terms = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    milestones = MilestoneInputSerializer(many=True, required=False)
    lines = LineInputSerializer(many=True, required=False)
    frequency = serializers.ChoiceField(choices=Partnership.Frequency.choices, required=False)
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False)
    day_of_month = serializers.IntegerField(min_value=1, max_value=28, required=False)
    payment_terms = serializers.ChoiceField(choices=Proposal.PaymentTerms.choices, required=False)
    order_details = serializers.DictField(
        required=False, help_text="Delivery details as checkout/ takes them (partner side)."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = fields.pop("with_")
        return fields


class PartnershipAcceptSerializer(serializers.Serializer):
    order_details = serializers.DictField(
        required=False,
        help_text="Recurring supply proposed by the Posyantek: the partner's delivery details.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class MilestoneDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


# --- Output -----------------------------------------------------------------------------------


class SideSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    whatsapp_url = serializers.CharField(allow_blank=True)


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(allow_null=True)

    def to_representation(self, milestone) -> dict[str, Any]:
        return milestone_data(milestone)


class PartnershipSerializer(serializers.Serializer):
    """A partnership card (list) or the whole agreement (detail, context `detail`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Partnership.Kind.choices)
    status = serializers.ChoiceField(choices=Partnership.Status.choices)
    status_display = serializers.CharField()
    partner = SideSerializer()
    posyantek = SideSerializer()
    proposed_by = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    frequency = serializers.CharField()
    payment_terms = serializers.CharField()
    need_id = serializers.IntegerField(allow_null=True)
    proposal_id = serializers.IntegerField(allow_null=True)
    next_actions = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()

    def to_representation(self, partnership: Partnership) -> dict[str, Any]:
        actions = self.context.get("actions", {}).get(partnership.pk, [])
        data = partnership_card(partnership, actions)
        if self.context.get("detail"):
            data.update(partnership_detail(partnership))
        return data


def _side(organization: Organization, other: Organization, title: str) -> dict[str, Any]:
    text = _("Hello %(to)s, this is %(from)s on Mitra TTG, about our partnership “%(title)s”.") % {
        "to": organization.name,
        "from": other.name,
        "title": title,
    }
    return {
        "slug": organization.slug,
        "name": organization.name,
        "kind": organization.kind,
        "whatsapp_url": whatsapp_link(organization.whatsapp, text),
    }


def _moment(value) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


def partnership_card(partnership: Partnership, actions: list[str]) -> dict[str, Any]:
    return {
        "id": partnership.pk,
        "title": partnership.title,
        "kind": partnership.kind,
        "kind_display": str(partnership.get_kind_display()),
        "status": partnership.status,
        "status_display": str(partnership.get_status_display()),
        "partner": _side(partnership.partner, partnership.posyantek, partnership.title),
        "posyantek": _side(partnership.posyantek, partnership.partner, partnership.title),
        "proposed_by": partnership.proposed_by.slug,
        "start_date": partnership.start_date.isoformat(),
        "end_date": partnership.end_date.isoformat() if partnership.end_date else None,
        "frequency": partnership.frequency,
        "weekday": partnership.weekday,
        "day_of_month": partnership.day_of_month,
        "payment_terms": partnership.payment_terms,
        "need_id": partnership.need_id,
        "proposal_id": partnership.proposal_id,
        "next_actions": actions,
        "created_at": _moment(partnership.created_at),
    }


def milestone_data(milestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "due_date": milestone.due_date.isoformat(),
        "done": milestone.done_at is not None,
        "done_at": _moment(milestone.done_at),
        "done_by": milestone.done_by.name if milestone.done_by_id else None,
    }


def partnership_detail(partnership: Partnership) -> dict[str, Any]:
    lines = list(partnership.lines.all())
    orders = list(selectors.partnership_orders(partnership=partnership))
    period_total = sum(line.quantity * line.unit_price_amount for line in lines)
    return {
        "terms": partnership.terms,
        "partner_consented_at": _moment(partnership.partner_consented_at),
        "posyantek_consented_at": _moment(partnership.posyantek_consented_at),
        "ended_at": _moment(partnership.ended_at),
        "lines": [
            {
                "product_slug": line.product.slug,
                "product_name": line.product.name,
                "selling_unit": line.product.selling_unit,
                "quantity": line.quantity,
                "unit_price_amount": line.unit_price_amount,
                "unit_price_display": format_rupiah(line.unit_price_amount),
                "total_amount": line.quantity * line.unit_price_amount,
                "total_display": format_rupiah(line.quantity * line.unit_price_amount),
            }
            for line in lines
        ],
        "period_total_amount": period_total,
        "period_total_display": format_rupiah(period_total),
        "milestones": [milestone_data(m) for m in partnership.milestones.all()],
        "orders": [
            {
                "id": order.pk,
                "number": order.number,
                "status": order.status,
                "status_display": str(order.get_status_display()),
                "total_amount": order.total_amount,
                "total_display": format_rupiah(order.total_amount),
                "payment_terms": order.payment_terms,
                "due_date": order.due_date.isoformat() if order.due_date else None,
                "created_at": _moment(order.created_at),
            }
            for order in orders
        ],
        "supply_periods": [
            {
                "period_start": period.period_start.isoformat(),
                "delivery_date": period.delivery_date.isoformat(),
                "status": period.status,
                "status_display": str(period.get_status_display()),
                "order_id": period.order_id,
                "order_number": period.order.number if period.order_id else None,
                "reason": period.reason,
            }
            for period in partnership.supply_periods.all()
        ],
        "events": [
            {
                "kind": event.kind,
                "kind_display": str(event.get_kind_display()),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "organization": event.organization.slug if event.organization_id else None,
                "actor": event.actor.name if event.actor_id else None,
                "note": event.note,
                "at": _moment(event.created_at),
            }
            for event in partnership.events.all()
        ],
    }


def _actions(user: User, partnerships: Iterable[Partnership]) -> dict[int, list[str]]:
    partnerships = list(partnerships)
    roles_prime(user, {p.partner_id for p in partnerships} | {p.posyantek_id for p in partnerships})
    return {p.pk: permissions.partnership_next_actions(user, p) for p in partnerships}


def _detail(request, partnership_id: int) -> dict[str, Any]:
    partnership = selectors.partnership_get(user=request.user, partnership_id=partnership_id)
    context = {"actions": _actions(request.user, [partnership]), "detail": True}
    return PartnershipSerializer(partnership, context=context).data


def _load(request, pk: int, allowed, message: str) -> Partnership:
    partnership = selectors.partnership_get(user=request.user, partnership_id=pk)
    if not allowed(request.user, partnership):
        raise PermissionDenied(message)
    return partnership


def _note(request) -> str:
    data = NoteSerializer(data=_body(request.data))
    data.is_valid(raise_exception=True)
    return data.validated_data.get("note", "")


# --- Views ------------------------------------------------------------------------------------


class PartnershipListView(GenericAPIView):
    """GET: the partnerships of the organisations the caller belongs to, on either side
    (platform staff: all), newest first; filters `status`, `kind`, `organization` (slug).
    POST: an owner or manager of the proposing side (`organization` in the body or the query)
    proposes one to the other side (`with`)."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = PartnershipSerializer
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, required=False, enum=Partnership.Status.values
            ),
            OpenApiParameter(
                "kind", OpenApiTypes.STR, required=False, enum=Partnership.Kind.values
            ),
            OpenApiParameter("organization", OpenApiTypes.STR, required=False),
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
        ],
        responses=PartnershipSerializer(many=True),
    )
    def get(self, request):
        filters = {key: request.query_params.get(key) for key in selectors.FILTERS}
        queryset = selectors.partnership_list(user=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        context = {"actions": _actions(request.user, page)}
        return self.get_paginated_response(
            PartnershipSerializer(page, many=True, context=context).data
        )

    @extend_schema(request=PartnershipProposeSerializer, responses={201: PartnershipSerializer})
    def post(self, request):
        body = _body(request.data)
        slug = body.get("organization") or request.query_params.get("organization")
        organization = organization_get(user=request.user, slug=_slug(slug, "organization"))
        if not permissions.can_propose_partnership(request.user, organization):
            raise PermissionDenied(
                _("Only the organisation's owners and managers can propose partnerships.")
            )
        data = {key: value for key, value in body.items() if key != "organization"}
        partnership = services.partnership_propose(
            organization=organization, actor=request.user, data=data
        )
        return Response(_detail(request, partnership.pk), status=status.HTTP_201_CREATED)


class PartnershipDetailView(GenericAPIView):
    """One partnership, for its two parties and platform staff."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = PartnershipSerializer

    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class PartnershipAcceptView(GenericAPIView):
    """proposed → active (owners and managers of the side that did not propose). A recurring
    supply proposed by the Posyantek needs the partner's `order_details`. 409 when the
    Posyantek's capacity cannot carry it."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = PartnershipAcceptSerializer

    @extend_schema(request=PartnershipAcceptSerializer, responses=PartnershipSerializer)
    def post(self, request, pk: int):
        partnership = _load(
            request,
            pk,
            permissions.can_answer_partnership,
            _("Only the owners and managers of the other side can accept."),
        )
        body = _body(request.data)
        services.partnership_accept(
            partnership=partnership,
            actor=request.user,
            data={"order_details": body["order_details"]} if "order_details" in body else {},
        )
        return Response(_detail(request, pk))


class _NoteMoveView(GenericAPIView):
    """A move that takes an optional note: who may make it (`allowed`, else `refusal`), the
    service that makes it, and whether the service records the side acted for."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = NoteSerializer
    allowed: Any = None
    refusal: Any = ""
    service: Any = None
    records_side = False

    @extend_schema(request=NoteSerializer, responses=PartnershipSerializer)
    def post(self, request, pk: int):
        partnership = _load(request, pk, self.allowed, str(self.refusal))
        side = (
            {"organization": permissions.acting_side(request.user, partnership)}
            if self.records_side
            else {}
        )
        self.service(partnership=partnership, actor=request.user, note=_note(request), **side)
        return Response(_detail(request, pk))


class PartnershipDeclineView(_NoteMoveView):
    """proposed → declined (owners and managers of the side that did not propose)."""

    allowed = staticmethod(permissions.can_answer_partnership)
    refusal = gettext_lazy("Only the owners and managers of the other side can decline.")
    service = staticmethod(services.partnership_decline)


class PartnershipCancelView(_NoteMoveView):
    """proposed → cancelled (owners and managers of the side that proposed it)."""

    allowed = staticmethod(permissions.can_cancel_partnership)
    refusal = gettext_lazy("Only the owners and managers of the side that proposed it can cancel.")
    service = staticmethod(services.partnership_cancel)


class _EndView(_NoteMoveView):
    allowed = staticmethod(permissions.can_manage_partnership)
    refusal = gettext_lazy("Only the owners and managers of either side can end a partnership.")
    records_side = True


class PartnershipCompleteView(_EndView):
    """active → completed (owners and managers of either side); future capacity released."""

    service = staticmethod(services.partnership_complete)


class PartnershipTerminateView(_EndView):
    """active → terminated (owners and managers of either side); future capacity released,
    orders already placed stay."""

    service = staticmethod(services.partnership_terminate)


class MilestoneListView(GenericAPIView):
    """GET: the partnership's milestones (its parties, platform staff). POST {title,
    due_date}: add one (owners and managers of either side, while proposed or active)."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = MilestoneSerializer

    @extend_schema(responses=MilestoneSerializer(many=True))
    def get(self, request, pk: int):
        partnership = selectors.partnership_get(user=request.user, partnership_id=pk)
        return Response([milestone_data(m) for m in partnership.milestones.all()])

    @extend_schema(request=MilestoneInputSerializer, responses={201: MilestoneSerializer})
    def post(self, request, pk: int):
        partnership = _load(
            request,
            pk,
            permissions.can_manage_partnership,
            _("Only the owners and managers of either side can add milestones."),
        )
        milestone = services.milestone_add(
            partnership=partnership,
            actor=request.user,
            data=_body(request.data),
            organization=permissions.acting_side(request.user, partnership),
        )
        return Response(milestone_data(milestone), status=status.HTTP_201_CREATED)


class MilestoneDetailView(GenericAPIView):
    """PATCH {done: true|false}: tick a milestone off or undo it (owners and managers of
    either side)."""

    permission_classes = [IsAuthenticated]
    queryset = Partnership.objects.none()  # for the schema's path parameters only
    serializer_class = MilestoneDoneSerializer

    @extend_schema(request=MilestoneDoneSerializer, responses=MilestoneSerializer)
    def patch(self, request, pk: int, mid: int):
        partnership = _load(
            request,
            pk,
            permissions.can_manage_partnership,
            _("Only the owners and managers of either side can tick milestones off."),
        )
        milestone = selectors.milestone_get(partnership=partnership, milestone_id=mid)
        data = MilestoneDoneSerializer(data=_body(request.data))
        data.is_valid(raise_exception=True)
        milestone = services.milestone_done(
            milestone=milestone,
            actor=request.user,
            done=data.validated_data["done"],
            organization=permissions.acting_side(request.user, partnership),
        )
        return Response(milestone_data(milestone))
