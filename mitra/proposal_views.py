"""Pages of proposals: the Posyantek's answer form on a need, a proposal's page with the
partner's accept (delivery details, how to pay) and reject forms and the Posyantek's
withdraw, and an organisation's list of proposals (sent by a Posyantek — "Penawaran saya" —
or received for a partner's needs). The comparison of a need's proposals is on the need's
page (mitra.views.detail_context asks `need_proposal_context` here).

As the needs pages: loads go through the scoped selectors (404 for what the caller may not
see), mitra.permissions decides who may (403 page), one service call per post, and a refusal
re-renders the page with the service's message and status (400, 409).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization
from accounts.permissions import is_member, is_platform_staff, roles_prime
from accounts.phone import whatsapp_link
from accounts.selectors import organizations_of
from core.errors import ApplicationError, NotFound
from core.forms import apply_service_errors
from marketplace.models import Product
from mitra import permissions
from mitra.matching import explain, units
from mitra.models import Match, Need, Proposal
from mitra.selectors import proposals as proposal_selectors
from mitra.services import proposals as services
from mitra.views import decorate, need_or_404, organization_or_404, refused
from orders.models import PaymentMethod, ShippingMethod
from orders.payments import methods_available
from regions.codes import Level
from regions.forms import RegionField

PAGE_SIZE = 20
SEPARATOR = " · "


# --- Forms ------------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    """The answer to a need: a quantity and a price for each fitting product (a row is
    offered when its quantity is above zero), or a fee for research and training; the
    schedule, a message and the payment terms offered."""

    schedule = forms.CharField(
        label=gettext_lazy("Schedule"),
        required=False,
        max_length=services.MAX_SCHEDULE_LENGTH,
        help_text=gettext_lazy("When and how often you can deliver, e.g. every Monday from 5 Jan."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the partner"),
        required=False,
        max_length=services.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    payment_terms = forms.ChoiceField(
        label=gettext_lazy("Payment terms you offer"),
        choices=Proposal.PaymentTerms.choices,
        initial=Proposal.PaymentTerms.PREPAID,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Net 14 or 30 days: the partner pays after delivery, by the due date on the invoice. "
            "The partner may always choose to pay first."
        ),
    )

    def __init__(self, *args, need: Need, products: list[Product], suggested: int | None, **kw):
        super().__init__(*args, **kw)
        self.need = need
        self.products = products
        self.rows = []
        for position, product in enumerate(products):
            quantity = forms.IntegerField(
                label=_("Quantity (%(unit)s)") % {"unit": product.selling_unit},
                required=False,
                min_value=0,
                max_value=services.MAX_LINE_QUANTITY,
                initial=suggested if position == 0 else None,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            price = forms.IntegerField(
                label=_("Price per %(unit)s (Rp, excl. PPN)") % {"unit": product.selling_unit},
                required=False,
                min_value=1,
                max_value=services.MAX_PRICE_AMOUNT,
                initial=product.price_amount,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"quantity_{product.pk}"] = quantity
            self.fields[f"price_{product.pk}"] = price
        if not need.product_kinds:
            self.fields["fee_amount"] = forms.IntegerField(
                label=_("Fee (Rp, excl. PPN)"),
                required=False,
                min_value=0,
                max_value=services.MAX_PRICE_AMOUNT,
                help_text=_("The whole fee for the work; leave empty if free of charge."),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def product_rows(self) -> list[dict]:
        return [
            {
                "product": product,
                "quantity": self[f"quantity_{product.pk}"],
                "price": self[f"price_{product.pk}"],
            }
            for product in self.products
        ]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        lines = []
        for product in self.products:
            quantity = data.get(f"quantity_{product.pk}")
            if quantity:
                price = data.get(f"price_{product.pk}")
                lines.append(
                    {
                        "product": product,
                        "quantity": quantity,
                        "unit_price_amount": product.price_amount if price is None else price,
                    }
                )
        result = {
            "lines": lines,
            "schedule": data["schedule"],
            "message": data["message"],
            "payment_terms": data["payment_terms"],
        }
        if "fee_amount" in self.fields:
            result["fee_amount"] = data.get("fee_amount")
        return result


class AcceptForm(forms.Form):
    """Delivery details of the order (as checkout asks them) and how to pay."""

    contact_name = forms.CharField(label=gettext_lazy("Recipient"), max_length=150)
    contact_phone = forms.CharField(
        label=gettext_lazy("WhatsApp / phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"))
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
        label=gettext_lazy("Postal code"),
        required=False,
        regex=r"^\d{5}$",
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the Posyantek"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    shipping_method = forms.ChoiceField(
        label=gettext_lazy("Shipping"),
        choices=ShippingMethod.choices,
        initial=ShippingMethod.PICKUP,
        widget=forms.RadioSelect,
    )
    payment_terms = forms.ChoiceField(label=gettext_lazy("Payment terms"), widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(
        label=gettext_lazy("Pay by (prepaid)"),
        required=False,
        widget=forms.RadioSelect,
        initial=PaymentMethod.BANK_TRANSFER,
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        terms = [(Proposal.PaymentTerms.PREPAID.value, Proposal.PaymentTerms.PREPAID.label)]
        if proposal.payment_terms != Proposal.PaymentTerms.PREPAID:
            terms.append((proposal.payment_terms, proposal.get_payment_terms_display()))
        self.fields["payment_terms"].choices = terms
        self.fields["payment_terms"].initial = terms[-1][0]
        self.fields["payment_method"].choices = [
            (method, PaymentMethod(method).label) for method in methods_available()
        ]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["village"] = data["village"].code
        if not data.get("payment_method"):
            data.pop("payment_method", None)
        return data


class DecisionNoteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the Posyantek sees it)"),
        required=False,
        max_length=services.MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Helpers ----------------------------------------------------------------------------------


def places_order(proposal: Proposal) -> bool:
    """Accepting it places an order (a proposal with products), so the partner gives the
    delivery details and how to pay; other proposals become a partnership only."""
    return bool(proposal.lines.all())


def proposal_or_404(request: HttpRequest, proposal_id: int) -> Proposal:
    try:
        return proposal_selectors.proposal_get(user=request.user, proposal_id=proposal_id)
    except NotFound:
        raise Http404 from None


def proposing_posyanteks(user, need: Need) -> list[Organization]:
    """The Posyantek the user may answer this need for (owner or manager), while the need
    takes proposals."""
    if not (user.is_authenticated and need.is_active and need.organization.is_verified):
        return []
    organizations = [m.organization for m in organizations_of(user=user)]
    roles_prime(user, [organization.pk for organization in organizations])
    return [o for o in organizations if permissions.can_propose(user, o)]


def fitting_products(need: Need, posyantek: Organization) -> list[Product]:
    if not need.product_kinds:
        return []
    return list(
        Product.objects.filter(
            seller=posyantek, status=Product.Status.PUBLISHED, kind__in=need.product_kinds
        ).order_by("name", "pk")[: services.MAX_LINES]
    )


def suggested_quantity(need: Need, product: Product) -> int | None:
    """The selling units that deliver the need's quantity once (rounded up)."""
    if need.quantity is None or not need.unit:
        return None
    return units.units_per_delivery(
        quantity=need.quantity,
        unit=need.unit,
        selling_unit=product.selling_unit,
        weight_per_unit_kg=product.weight_per_unit_kg,
    )


def quantity_text(need: Need, proposal: Proposal) -> str:
    delivered = services.delivered_units(proposal, need)
    if delivered is None:
        return ""
    value = delivered.normalize() if delivered else Decimal(0)
    if "E" in str(value):
        value = delivered.quantize(Decimal(1))
    return f"{value} {need.get_unit_display()}"


def row(proposal: Proposal, *, user, matches: dict[int, Match] | None = None) -> dict:
    """A proposal as the pages show it: lines with totals, the total, its quantity in the
    need's unit, the match score and reasons (for the comparison), the moves the viewer may
    make and WhatsApp links both ways."""
    need = proposal.need
    lines = list(proposal.lines.all())
    match = (matches or {}).get(proposal.posyantek_id)
    return {
        "proposal": proposal,
        "lines": [{"line": line, "total": services.line_total(line)} for line in lines],
        "total": services.proposal_total(proposal, lines),
        "unit_prices": sorted({line.unit_price_amount for line in lines}),
        "quantity_text": quantity_text(need, proposal),
        "match": match,
        "explanation": SEPARATOR.join(str(p) for p in explain(match, need=need)) if match else "",
        "actions": permissions.proposal_next_actions(user, proposal),
        "partnership": _partnership(proposal),
        "whatsapp_posyantek": whatsapp_link(
            proposal.posyantek.whatsapp,
            _(
                "Hello %(posyantek)s, this is %(partner)s on Mitra TTG, about your proposal "
                "for “%(title)s”."
            )
            % {
                "posyantek": proposal.posyantek.name,
                "partner": need.organization.name,
                "title": need.title,
            },
        ),
        "whatsapp_partner": whatsapp_link(
            need.organization.whatsapp,
            _(
                "Hello %(partner)s, this is %(posyantek)s on Mitra TTG, about our proposal "
                "for your need “%(title)s”."
            )
            % {
                "partner": need.organization.name,
                "posyantek": proposal.posyantek.name,
                "title": need.title,
            },
        ),
    }


def _partnership(proposal: Proposal):
    try:
        return proposal.partnership
    except ObjectDoesNotExist:  # the reverse one-to-one raises when there is none
        return None


def need_proposal_context(request: HttpRequest, need: Need) -> dict[str, Any]:
    """What a need's page shows of its proposals: for the need's organisation and platform
    staff, every proposal side by side (with its match score and reasons); for a
    Posyantek's members, their own proposals; and the "Send a proposal" button for those who
    may answer."""
    user = request.user
    if not user.is_authenticated:
        return {"proposal_rows": [], "own_proposal_rows": [], "proposing_posyanteks": []}
    proposals = list(proposal_selectors.proposals_for_need(user=user, need_id=need.pk))
    for proposal in proposals:
        proposal.need = need  # the page's need, already loaded
    roles_prime(user, {p.posyantek_id for p in proposals} | {need.organization_id})
    sees_all = permissions.can_view_matches(user, need)
    matches = {}
    if sees_all and proposals:
        matches = {
            m.posyantek_id: m
            for m in Match.objects.filter(
                need=need, posyantek_id__in=[p.posyantek_id for p in proposals]
            )
        }
    rows = [row(p, user=user, matches=matches) for p in proposals]
    posyanteks = proposing_posyanteks(user, need)
    submitted = {p.posyantek_id for p in proposals if p.status == Proposal.Status.SUBMITTED}
    return {
        "proposal_rows": rows if sees_all else [],
        "own_proposal_rows": [] if sees_all else rows,
        "proposing_posyanteks": [p for p in posyanteks if p.pk not in submitted],
    }


def _detail_context(request: HttpRequest, proposal: Proposal, **extra) -> dict[str, Any]:
    user = request.user
    roles_prime(user, [proposal.posyantek_id, proposal.need.organization_id])
    data = row(proposal, user=user)
    context = {
        "row": data,
        "proposal": proposal,
        "need": decorate(proposal.need),
        "events": list(proposal_selectors.proposal_events(proposal=proposal)),
        "buyer_side": is_member(user, proposal.need.organization),
        "seller_side": is_member(user, proposal.posyantek) or is_platform_staff(user),
        "accept_form": None,
        "reject_form": None,
    }
    if "accept" in data["actions"]:
        context["accept_form"] = AcceptForm(
            proposal=proposal,
            initial={
                "contact_name": user.name,
                "contact_email": user.email,
                "address_line": proposal.need.organization.address,
            },
        )
        context["reject_form"] = DecisionNoteForm()
    context.update(extra)
    return context


# --- Pages ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create_view(request: HttpRequest, need_id: int) -> HttpResponse:
    """The Posyantek's answer to a need (?posyantek=<slug> when the user manages several)."""
    need = need_or_404(request, need_id)
    allowed = proposing_posyanteks(request.user, need)
    slug = request.GET.get("posyantek") or request.POST.get("posyantek") or ""
    posyantek = next((o for o in allowed if o.slug == slug), None)
    if posyantek is None and not slug and len(allowed) == 1:
        posyantek = allowed[0]
    if posyantek is None:
        if not allowed:
            if not need.is_active:
                message = _("This need no longer takes proposals.")
            else:
                message = _("Only the owners and managers of a Posyantek can send proposals.")
            return refused(request, need.organization, message)
        return render(
            request,
            "mitra/proposals/choose_posyantek.html",
            {"need": need, "organizations": allowed},
        )
    products = fitting_products(need, posyantek)
    match = Match.objects.filter(need=need, posyantek=posyantek).select_related("product").first()
    if match is not None and match.product_id and match.product in products:
        products.remove(match.product)
        products.insert(0, match.product)
    suggested = suggested_quantity(need, products[0]) if products else None
    form = ProposalForm(request.POST or None, need=need, products=products, suggested=suggested)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.proposal_submit(
                    need=need, posyantek=posyantek, actor=request.user, data=form.service_data()
                )
            except ApplicationError as error:
                apply_service_errors(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Your proposal is sent to %(partner)s.")
                    % {"partner": need.organization.name},
                )
                return redirect("mitra:proposal_detail", proposal_id=proposal.pk)
        else:
            status = 400
    return render(
        request,
        "mitra/proposals/form.html",
        {
            "need": decorate(need),
            "posyantek": posyantek,
            "form": form,
            "rows": form.product_rows(),
            "needs_products": bool(need.product_kinds),
        },
        status=status,
    )


@login_required
@require_GET
def proposal_detail_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_or_404(request, proposal_id)
    return render(request, "mitra/proposals/detail.html", _detail_context(request, proposal))


def _refused_on_detail(
    request: HttpRequest, proposal_id: int, error: ApplicationError, **forms_
) -> HttpResponse:
    proposal = proposal_or_404(request, proposal_id)
    context = _detail_context(request, proposal, error=str(error.message))
    for name, form in forms_.items():
        if context.get(name) is not None:
            context[name] = form
    return render(request, "mitra/proposals/detail.html", context, status=error.status_code)


@login_required
@require_POST
def proposal_accept_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_or_404(request, proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        return refused(
            request,
            proposal.need.organization,
            _("Only an owner or a manager of the organisation that posted the need can accept."),
        )
    form, data = None, {}  # a partnership only: nothing to deliver or pay now
    if places_order(proposal):
        form = AcceptForm(request.POST, proposal=proposal)
        if form.is_valid():
            data = form.service_data()
        elif proposal.status == Proposal.Status.SUBMITTED:
            context = _detail_context(request, proposal, accept_form=form, open_accept=True)
            return render(request, "mitra/proposals/detail.html", context, status=400)
        # else: a decided proposal; the service says why it cannot be accepted (409).
    try:
        services.proposal_accept(proposal=proposal, actor=request.user, data=data)
    except ApplicationError as error:
        if form is None:
            return _refused_on_detail(request, proposal_id, error)
        apply_service_errors(form, error)
        return _refused_on_detail(request, proposal_id, error, accept_form=form)
    messages.success(request, _("The proposal is accepted."))
    return redirect("mitra:proposal_detail", proposal_id=proposal.pk)


@login_required
@require_POST
def proposal_reject_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_or_404(request, proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        return refused(
            request,
            proposal.need.organization,
            _("Only an owner or a manager of the organisation that posted the need can reject."),
        )
    form = DecisionNoteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    try:
        services.proposal_reject(proposal=proposal, actor=request.user, reason=reason)
    except ApplicationError as error:
        return _refused_on_detail(request, proposal_id, error, reject_form=form)
    messages.success(request, _("The proposal is rejected; the Posyantek is told."))
    if request.POST.get("back") == "need":
        return redirect("mitra:detail", need_id=proposal.need_id)
    return redirect("mitra:proposal_detail", proposal_id=proposal.pk)


@login_required
@require_POST
def proposal_withdraw_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_or_404(request, proposal_id)
    if not permissions.can_withdraw_proposal(request.user, proposal):
        return refused(
            request,
            proposal.posyantek,
            _("Only an owner or a manager of the Posyantek can withdraw its proposal."),
        )
    try:
        services.proposal_withdraw(proposal=proposal, actor=request.user)
    except ApplicationError as error:
        return _refused_on_detail(request, proposal_id, error)
    messages.success(request, _("The proposal is withdrawn."))
    return redirect("mitra:proposal_detail", proposal_id=proposal.pk)


@login_required
@require_GET
def organization_proposals_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A Posyantek's proposals ("Penawaran saya"), or those a partner received for its needs;
    filtered by status."""
    organization = organization_or_404(request, slug)
    if not permissions.can_view_need_desk(request.user, organization):
        raise Http404
    status = request.GET.get("status") or ""
    if status not in Proposal.Status.values:
        status = ""
    proposals = proposal_selectors.proposal_list(
        user=request.user, filters={"organization": organization.slug, "status": status}
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    roles_prime(
        request.user, {p.posyantek_id for p in items} | {p.need.organization_id for p in items}
    )
    is_posyantek = organization.kind == Organization.Kind.POSYANTEK
    return render(
        request,
        "mitra/proposals/list.html",
        {
            "organization": organization,
            "is_posyantek": is_posyantek,
            "page": page,
            "rows": [row(p, user=request.user) for p in items],
            "status": status,
            "statuses": Proposal.Status.choices,
        },
    )
