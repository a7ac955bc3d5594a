"""Pages of partnerships: an organisation's partnerships (both roles), a partnership's page
(agreement, parties, schedule, lines, milestones with tick-off, the orders it generated,
supply periods incl. short ones, history, and the caller's next actions), the propose form,
and the posts behind its buttons.

As the needs pages: loads through mitra.selectors.partnerships (what the caller may not see is
a 404), asks mitra.permissions as the API does (403 page otherwise) and calls one service; a
refusal re-renders with the service's message and its status (400, 409)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organization, Role
from accounts.permissions import can_view_private, has_role, is_member, roles_prime
from core.errors import ApplicationError, NotFound
from core.forms import apply_service_errors
from marketplace.models import Product
from mitra import permissions
from mitra.models import Partnership, Proposal
from mitra.selectors import partnerships as selectors
from mitra.services import partnerships as services
from mitra.views import organization_or_404, refused
from orders.models import ShippingMethod
from regions.codes import Level
from regions.forms import RegionField

PAGE_SIZE = 20
WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]
ACTION_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "cancel": gettext_lazy("Withdraw the proposal"),
    "complete": gettext_lazy("Mark completed"),
    "terminate": gettext_lazy("End the partnership"),
}
SERVICES = {
    "accept": services.partnership_accept,
    "decline": services.partnership_decline,
    "cancel": services.partnership_cancel,
    "complete": services.partnership_complete,
    "terminate": services.partnership_terminate,
}
ALLOWED = {
    "accept": permissions.can_answer_partnership,
    "decline": permissions.can_answer_partnership,
    "cancel": permissions.can_cancel_partnership,
    "complete": permissions.can_manage_partnership,
    "terminate": permissions.can_manage_partnership,
}


# --- Forms ------------------------------------------------------------------------------------


class DeliveryForm(forms.Form):
    """Where and to whom the recurring orders go (the partner side), as checkout asks."""

    contact_name = forms.CharField(label=gettext_lazy("Contact name"), max_length=150)
    contact_phone = forms.CharField(
        label=gettext_lazy("Phone / WhatsApp"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    village = RegionField(
        level=Level.VILLAGE,
        label=gettext_lazy("Delivery address: place"),
        help_text=gettext_lazy("Down to the village or kelurahan."),
    )
    address_line = forms.CharField(
        label=gettext_lazy("Street, number, RT/RW"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    postal_code = forms.RegexField(
        label=gettext_lazy("Postal code"), required=False, regex=r"^\d{5}$"
    )
    shipping_method = forms.ChoiceField(
        label=gettext_lazy("Shipping"), choices=ShippingMethod.choices, initial="pickup"
    )

    def details(self, posyantek: Organization) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contact_name": data["contact_name"],
            "contact_phone": data["contact_phone"],
            "contact_email": data["contact_email"],
            "address_line": data["address_line"],
            "village": data["village"].code,
            "postal_code": data["postal_code"] or "",
            "shipping": {posyantek.slug: data["shipping_method"]},
        }


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Partnership.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    terms = forms.CharField(
        label=gettext_lazy("Terms"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What each side does, prices, quality, how to end it."),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("End"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    milestones = forms.CharField(
        label=gettext_lazy("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line: the due date (YYYY-MM-DD), then the title, e.g. "
            "“2027-05-01 Prototype tested”."
        ),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Recurring supply"),
        required=False,
        choices=[("", gettext_lazy("Not recurring"))]
        + [(v, label) for v, label in Partnership.Frequency.choices if v],
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Delivery day (weekly)"),
        required=False,
        choices=[("", "—"), *WEEKDAYS],
        coerce=int,
        empty_value=None,
    )
    day_of_month = forms.TypedChoiceField(
        label=gettext_lazy("Delivery day of the month (monthly)"),
        required=False,
        choices=[("", "—")] + [(d, str(d)) for d in range(1, 29)],
        coerce=int,
        empty_value=None,
    )
    payment_terms = forms.ChoiceField(
        label=gettext_lazy("Payment terms"), choices=Proposal.PaymentTerms.choices
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"qty_{product.pk}"] = forms.IntegerField(
                label=product.name, required=False, min_value=1, max_value=1_000_000
            )
            self.fields[f"price_{product.pk}"] = forms.IntegerField(
                label=_("Price per %(unit)s (Rp)") % {"unit": product.selling_unit or _("unit")},
                required=False,
                min_value=1,
                initial=product.price_amount,
            )

    def product_rows(self):
        return [
            {"product": p, "qty": self[f"qty_{p.pk}"], "price": self[f"price_{p.pk}"]}
            for p in self.products
        ]

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        lines = []
        for product in self.products:
            quantity = data.pop(f"qty_{product.pk}", None)
            price = data.pop(f"price_{product.pk}", None)
            if quantity:
                lines.append(
                    {
                        "product": product.slug,
                        "quantity": quantity,
                        "unit_price_amount": product.price_amount if price is None else price,
                    }
                )
        milestones = []
        for row in (data.pop("milestones") or "").splitlines():
            row = row.strip()
            if row:
                due, _sep, title = row.partition(" ")
                milestones.append({"title": title.strip(), "due_date": due})
        data.update(lines=lines, milestones=milestones)
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Helpers ----------------------------------------------------------------------------------


def partnership_or_404(request: HttpRequest, partnership_id: int) -> Partnership:
    try:
        return selectors.partnership_get(user=request.user, partnership_id=partnership_id)
    except NotFound:
        raise Http404 from None


def needs_delivery(partnership: Partnership) -> bool:
    """Accepting asks the partner for the delivery details (a recurring supply proposed by
    the Posyantek)."""
    return (
        partnership.is_recurring
        and partnership.status == Partnership.Status.PROPOSED
        and partnership.proposed_by_id == partnership.posyantek_id
    )


def _detail_context(request: HttpRequest, partnership: Partnership, **extra) -> dict[str, Any]:
    roles_prime(request.user, {partnership.partner_id, partnership.posyantek_id})
    actions = permissions.partnership_next_actions(request.user, partnership)
    lines = [
        {"line": line, "total": line.quantity * line.unit_price_amount}
        for line in partnership.lines.all()
    ]
    context = {
        "partnership": partnership,
        "lines": lines,
        "period_total": sum(row["total"] for row in lines),
        "milestones": list(partnership.milestones.all()),
        "orders": list(selectors.partnership_orders(partnership=partnership)),
        # The Posyantek's members open an order on their desk, the partner's on its own page.
        "on_seller_desk": is_member(request.user, partnership.posyantek)
        and not is_member(request.user, partnership.partner),
        "periods": list(partnership.supply_periods.all()),
        "events": list(partnership.events.all()),
        "buttons": [
            {"action": action, "label": ACTION_LABELS[action]}
            for action in actions
            if action in ACTION_LABELS
        ],
        "may_milestones": "milestones" in actions,
        "weekday_label": dict(WEEKDAYS).get(partnership.weekday, ""),
        "needs_delivery": needs_delivery(partnership) and "accept" in actions,
        "delivery_form": DeliveryForm(prefix="delivery"),
        "milestone_form": MilestoneForm(),
        "note_form": NoteForm(),
        "error": None,
        "error_fields": [],
    }
    context.update(extra)
    return context


def _refused_on_detail(
    request: HttpRequest, partnership_id: int, error: ApplicationError, **extra
) -> HttpResponse:
    partnership = partnership_or_404(request, partnership_id)
    fields = [f"{message}" for messages_ in error.fields.values() for message in messages_]
    context = _detail_context(
        request, partnership, error=str(error.message), error_fields=fields, **extra
    )
    return render(request, "mitra/partnerships/detail.html", context, status=error.status_code)


# --- Pages ------------------------------------------------------------------------------------


@login_required
def organization_partnerships_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's partnerships, on either side, newest first."""
    organization = organization_or_404(request, slug)
    if not can_view_private(request.user, organization):
        raise Http404
    partnerships = selectors.partnership_list(
        user=request.user, filters={"organization": organization.slug}
    )
    status = request.GET.get("status") or ""
    if status in Partnership.Status.values:
        partnerships = partnerships.filter(status=status)
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for partnership in page.object_list:
        other = (
            partnership.posyantek
            if partnership.partner_id == organization.pk
            else partnership.partner
        )
        rows.append({"partnership": partnership, "other": other})
    return render(
        request,
        "mitra/partnerships/list.html",
        {
            "organization": organization,
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": Partnership.Status.choices,
            "may_propose": permissions.can_propose_partnership(request.user, organization),
        },
    )


@login_required
def partnership_detail_view(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership = partnership_or_404(request, partnership_id)
    return render(request, "mitra/partnerships/detail.html", _detail_context(request, partnership))


@login_required
@require_POST
def partnership_action_view(request: HttpRequest, partnership_id: int, action: str) -> HttpResponse:
    """The buttons: accept, decline, cancel, complete, terminate."""
    if action not in SERVICES:
        raise Http404
    partnership = partnership_or_404(request, partnership_id)
    if not ALLOWED[action](request.user, partnership):
        return refused(
            request,
            partnership.partner,
            _("Only the owners and managers of the side concerned can do this."),
        )
    kwargs: dict[str, Any] = {"partnership": partnership, "actor": request.user}
    if action == "accept":
        if needs_delivery(partnership):
            form = DeliveryForm(request.POST, prefix="delivery")
            if not form.is_valid():
                context = _detail_context(request, partnership, delivery_form=form)
                return render(request, "mitra/partnerships/detail.html", context, status=400)
            kwargs["data"] = {"order_details": form.details(partnership.posyantek)}
    else:
        note_form = NoteForm(request.POST)
        kwargs["note"] = note_form.cleaned_data["note"] if note_form.is_valid() else ""
        if action in ("complete", "terminate"):
            kwargs["organization"] = permissions.acting_side(request.user, partnership)
    try:
        SERVICES[action](**kwargs)
    except ApplicationError as error:
        return _refused_on_detail(request, partnership_id, error)
    messages.success(
        request,
        _("Done: the partnership is now %(status)s.")
        % {"status": Partnership.objects.get(pk=partnership.pk).get_status_display().lower()},
    )
    return redirect("mitra:partnership_detail", partnership_id=partnership.pk)


@login_required
@require_POST
def milestone_add_view(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership = partnership_or_404(request, partnership_id)
    if not permissions.can_manage_partnership(request.user, partnership):
        return refused(
            request,
            partnership.partner,
            _("Only the owners and managers of either side can add milestones."),
        )
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, partnership, milestone_form=form)
        return render(request, "mitra/partnerships/detail.html", context, status=400)
    try:
        services.milestone_add(
            partnership=partnership,
            actor=request.user,
            data=form.cleaned_data,
            organization=permissions.acting_side(request.user, partnership),
        )
    except ApplicationError as error:
        return _refused_on_detail(request, partnership_id, error)
    messages.success(request, _("Milestone added."))
    return redirect("mitra:partnership_detail", partnership_id=partnership.pk)


@login_required
@require_POST
def milestone_toggle_view(
    request: HttpRequest, partnership_id: int, milestone_id: int
) -> HttpResponse:
    partnership = partnership_or_404(request, partnership_id)
    try:
        milestone = selectors.milestone_get(partnership=partnership, milestone_id=milestone_id)
    except NotFound:
        raise Http404 from None
    if not permissions.can_manage_partnership(request.user, partnership):
        return refused(
            request,
            partnership.partner,
            _("Only the owners and managers of either side can tick milestones off."),
        )
    try:
        services.milestone_done(
            milestone=milestone,
            actor=request.user,
            done=request.POST.get("done") == "1",
            organization=permissions.acting_side(request.user, partnership),
        )
    except ApplicationError as error:
        return _refused_on_detail(request, partnership_id, error)
    return redirect(reverse("mitra:partnership_detail", args=[partnership.pk]) + "#milestones")


@login_required
@require_http_methods(["GET", "POST"])
def partnership_propose_view(request: HttpRequest) -> HttpResponse:
    """/mitra/kemitraan/baru/?organization=<slug>&with=<other slug>: propose a partnership
    for the organisation (its owners and managers) to the other side."""
    organization = organization_or_404(request, request.GET.get("organization") or "")
    if not has_role(request.user, organization, Role.MANAGER):
        return refused(
            request,
            organization,
            _("Only the organisation's owners and managers can propose partnerships."),
        )
    other_slug = request.GET.get("with") or request.POST.get("with") or ""
    other = None
    if other_slug:
        try:
            other = organization_or_404(request, other_slug)
        except Http404:
            other = None
    posyantek = organization if organization.kind == "posyantek" else other
    products = (
        Product.objects.filter(seller=posyantek, status=Product.Status.PUBLISHED).order_by("name")
        if posyantek is not None
        else Product.objects.none()
    )
    is_partner = organization.kind != "posyantek"
    initial = {"start_date": timezone.localdate(), "payment_terms": "prepaid"}
    form = ProposeForm(request.POST or None, products=products, initial=initial)
    recurring = request.method == "POST" and bool(request.POST.get("frequency"))
    delivery = (
        DeliveryForm(request.POST if recurring else None, prefix="delivery") if is_partner else None
    )
    status = 200
    if request.method == "POST":
        delivery_ok = not (is_partner and recurring) or (delivery and delivery.is_valid())
        if form.is_valid() and delivery_ok and other is not None:
            data = form.data_for_service()
            data["with"] = other.slug
            if is_partner and recurring:
                data["order_details"] = delivery.details(other)
            try:
                partnership = services.partnership_propose(
                    organization=organization, actor=request.user, data=data
                )
            except ApplicationError as error:
                apply_service_errors(form, error, aliases={"with": "kind"})
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Your proposal is sent to %(name)s.") % {"name": other.name},
                )
                return redirect("mitra:partnership_detail", partnership_id=partnership.pk)
        else:
            if other is None:
                form.add_error(None, _("Choose the organisation to partner with."))
            status = 400
    return render(
        request,
        "mitra/partnerships/form.html",
        {
            "organization": organization,
            "other": other,
            "form": form,
            "delivery": delivery,
            "product_rows": form.product_rows(),
        },
        status=status,
    )
