"""Pages of partner needs: the public needs board, a need's page with its ranked and explained
matches, the new and edit forms, publishing and closing, the partner's own desk of needs and
the Posyantek's list of needs that fit it.

Each page loads through mitra.selectors (a need or desk the caller may not see is a 404), asks
mitra.permissions exactly as the API does and calls one service. Forms post back: success
redirects with a message (post/redirect/get); a refusal re-renders the page with the
service's message and its status (400 bad input, 403 not allowed, 409 not possible now).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization
from accounts.permissions import roles_prime
from accounts.phone import whatsapp_link
from accounts.selectors import organization_get, organizations_of
from core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from marketplace.models import Certification
from mitra import permissions, selectors, services
from mitra.forms import BoardFilterForm, CloseForm, NeedForm, apply_service_errors
from mitra.matching import explain
from mitra.models import Match, Need

PAGE_SIZE = 20
Status = Need.Status
SEPARATOR = " · "


@dataclass
class Tab:
    key: str
    label: Any
    statuses: tuple[str, ...] = ()
    count: int | None = None


DESK_TABS = [
    Tab("draft", gettext_lazy("Drafts"), (Status.DRAFT,)),
    Tab("active", gettext_lazy("Open"), Need.ACTIVE),
    Tab("done", gettext_lazy("Finished"), (Status.FULFILLED, Status.CLOSED, Status.EXPIRED)),
    Tab("all", gettext_lazy("All")),
]


# --- Helpers ----------------------------------------------------------------------------------


def need_or_404(request: HttpRequest, need_id: int) -> Need:
    """The need if the caller may see it: active needs for everyone, others for their
    organisation's members and platform staff; 404 otherwise (no hint that it exists)."""
    try:
        need = selectors.need_get(user=request.user, need_id=need_id)
    except NotFound:
        raise Http404 from None
    if not permissions.can_view_need(request.user, need):
        raise Http404
    return need


def organization_or_404(request: HttpRequest, slug: str) -> Organization:
    try:
        return organization_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None


def refused(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    return render(
        request,
        "organizations/forbidden.html",
        {"organization": organization, "message": message},
        status=403,
    )


def show_service_error(form, error: ApplicationError) -> None:
    """The service's messages on the form's fields, and its general message on top when it
    says more than "some data is not valid"."""
    apply_service_errors(form, error)
    if error.fields and str(error.message) != str(InvalidInput.default_message):
        form.add_error(None, str(error.message))


def decorate(need: Need) -> Need:
    """The figures a page shows of a need, formatted once: the quantity without trailing
    zeros in the viewer's number format ("2,5" / "2.5") and the certificates' names."""
    if need.quantity is not None:
        need.quantity_text = number_format(need.quantity.normalize(), use_l10n=True)
        if "E" in need.quantity_text:  # 5E+3 after normalize()
            need.quantity_text = number_format(need.quantity.quantize(1), use_l10n=True)
    else:
        need.quantity_text = ""
    labels = dict(Certification.Type.choices)
    need.certification_labels = [
        str(labels.get(code, code)) for code in need.required_certifications or []
    ]
    return need


def explanation(match: Match, need: Need) -> str:
    """The reasons of a match in the viewer's language, e.g. "Kategori sama · satu kabupaten"."""
    return SEPARATOR.join(str(part) for part in explain(match, need=need))


def partner_whatsapp(need: Need, posyantek: Organization | None = None) -> str:
    """A WhatsApp link to the partner organisation, with a first line about this need."""
    organization = need.organization
    if posyantek is not None:
        text = _(
            "Hello %(partner)s, this is %(posyantek)s on Mitra TTG, about your need “%(title)s”."
        ) % {"partner": organization.name, "posyantek": posyantek.name, "title": need.title}
    else:
        text = _("Hello %(partner)s, about your need “%(title)s” on Mitra TTG.") % {
            "partner": organization.name,
            "title": need.title,
        }
    return whatsapp_link(organization.whatsapp, text)


def posyantek_whatsapp(need: Need, posyantek: Organization) -> str:
    """A WhatsApp link from the partner to a matched Posyantek, about this need."""
    return whatsapp_link(
        posyantek.whatsapp,
        _("Hello %(posyantek)s, this is %(partner)s on Mitra TTG, about our need “%(title)s”.")
        % {"posyantek": posyantek.name, "partner": need.organization.name, "title": need.title},
    )


def posting_organizations(user) -> list[Organization]:
    """The organisations the user may post needs for (owner or manager of a partner)."""
    memberships = organizations_of(user=user)
    organizations = [membership.organization for membership in memberships]
    roles_prime(user, [organization.pk for organization in organizations])
    return [
        organization
        for organization in organizations
        if permissions.can_create_need(user, organization)
    ]


def detail_context(request: HttpRequest, need: Need) -> dict[str, Any]:
    """What a need's page shows this viewer: every match with its reasons for the need's
    organisation and platform staff; a Posyantek's own match (with a WhatsApp link to the
    partner) for its members; the actions the viewer may take; the proposals (side by side
    for the need's organisation, its own for a Posyantek) and "Send a proposal" for a
    Posyantek's owners and managers."""
    user = request.user
    may_view_matches = permissions.can_view_matches(user, need)
    rows, own_rows = [], []
    if may_view_matches:
        for match in selectors.need_matches(user=user, need=need):
            rows.append(
                {
                    "match": match,
                    "explanation": explanation(match, need),
                    "whatsapp_url": posyantek_whatsapp(need, match.posyantek),
                }
            )
    elif user.is_authenticated:
        try:
            own = list(selectors.need_matches(user=user, need=need))
        except PermissionDenied:
            own = []
        for match in own:
            own_rows.append(
                {
                    "match": match,
                    "explanation": explanation(match, need),
                    "whatsapp_url": partner_whatsapp(need, match.posyantek),
                }
            )
    from mitra.proposal_views import need_proposal_context  # it imports this module

    return {
        **need_proposal_context(request, need),
        "need": decorate(need),
        "organization": need.organization,
        "may_edit": permissions.can_edit_need(user, need),
        "may_close": permissions.can_close_need(user, need),
        "may_view_matches": may_view_matches,
        "matches": rows,
        "own_matches": own_rows,
        "close_form": CloseForm(),
        "editable": need.status in services.EDITABLE_STATUSES,
    }


# --- The public board and a need's page -------------------------------------------------------


@require_GET
def board_view(request: HttpRequest) -> HttpResponse:
    """Open needs and offers of partner organisations, newest first, filtered by category,
    kind, direction and the province they are delivered to."""
    form = BoardFilterForm(request.GET or None)
    filters = form.filters()
    try:
        needs = selectors.need_list(user=request.user, filters=filters)
    except InvalidInput as error:
        apply_service_errors(form, error)
        needs = selectors.public_needs().none()
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    for need in page.object_list:
        decorate(need)
    return render(
        request,
        "mitra/board.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(filters),
            "posting_organizations": posting_organizations(request.user)
            if request.user.is_authenticated
            else [],
        },
        status=400 if form.errors else 200,
    )


@require_GET
def detail_view(request: HttpRequest, need_id: int) -> HttpResponse:
    """One need: what, how much, for how much, where and by when; for its organisation and
    platform staff the ranked matches with their reasons; for a Posyantek its own match."""
    need = need_or_404(request, need_id)
    return render(request, "mitra/detail.html", detail_context(request, need))


# --- New and edit -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request: HttpRequest) -> HttpResponse:
    """A new need, saved as a draft, for one of the organisations the user may post for
    (?organization=<slug>; asked when there are several)."""
    allowed = posting_organizations(request.user)
    slug = request.GET.get("organization") or request.POST.get("organization") or ""
    if not slug:
        if len(allowed) != 1:
            return render(request, "mitra/choose_organization.html", {"organizations": allowed})
        organization = allowed[0]
    else:
        organization = organization_or_404(request, slug)
        if not permissions.can_view_need_desk(request.user, organization):
            raise Http404
        if organization not in allowed:
            if organization.kind == Organization.Kind.POSYANTEK:
                message = _(
                    "A Posyantek answers partner needs; it does not post them. Post the need "
                    "from your company, university, dinas, NGO or UKM."
                )
            else:
                message = _("Only an owner or a manager of the organisation can post needs.")
            return refused(request, organization, message)

    form = NeedForm(
        request.POST or None,
        initial={"delivery_district": organization.district_id},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                need = services.need_create(
                    organization=organization, actor=request.user, data=form.service_data()
                )
            except ApplicationError as error:
                show_service_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("“%(title)s” is saved as a draft. Check it, then publish it.")
                    % {"title": need.title},
                )
                return redirect("mitra:detail", need_id=need.pk)
        else:
            status = 400
    return render(
        request,
        "mitra/form.html",
        {"organization": organization, "form": form, "need": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, need_id: int) -> HttpResponse:
    """Change a draft, open or in-discussion need; an active need is matched again."""
    need = need_or_404(request, need_id)
    if not permissions.can_edit_need(request.user, need):
        return refused(
            request,
            need.organization,
            _("Only an owner or a manager of the organisation can change its needs."),
        )
    form = NeedForm(request.POST or None, need=need)
    status = 200
    if need.status not in services.EDITABLE_STATUSES:
        form.add_error(
            None,
            _("A need that is %(status)s can no longer be changed. Post a new one instead.")
            % {"status": need.get_status_display().lower()},
        )
        status = 409
    elif request.method == "POST":
        if form.is_valid():
            try:
                services.need_update(need=need, actor=request.user, data=form.service_data())
            except ApplicationError as error:
                show_service_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("mitra:detail", need_id=need.pk)
        else:
            status = 400
    return render(
        request,
        "mitra/form.html",
        {"organization": need.organization, "form": form, "need": need},
        status=status,
    )


# --- Publish and close ------------------------------------------------------------------------


def _refused_on_detail(request: HttpRequest, need: Need, error: ApplicationError) -> HttpResponse:
    context = detail_context(request, need)
    context["error"] = str(error.message)
    context["error_fields"] = [
        f"{NeedForm.base_fields[field].label if field in NeedForm.base_fields else field}: "
        f"{message}"
        for field, field_messages in error.fields.items()
        for message in field_messages
    ]
    return render(request, "mitra/detail.html", context, status=error.status_code)


@login_required
@require_POST
def publish_view(request: HttpRequest, need_id: int) -> HttpResponse:
    """Draft → open: on the board, and matched with Posyantek."""
    need = need_or_404(request, need_id)
    if not permissions.can_edit_need(request.user, need):
        return refused(
            request,
            need.organization,
            _("Only an owner or a manager of the organisation can publish its needs."),
        )
    try:
        need = services.need_publish(need=need, actor=request.user)
    except ApplicationError as error:
        return _refused_on_detail(request, need_or_404(request, need_id), error)
    messages.success(
        request,
        _("“%(title)s” is published. Matching Posyantek are listed below.") % {"title": need.title},
    )
    return redirect("mitra:detail", need_id=need.pk)


@login_required
@require_POST
def close_view(request: HttpRequest, need_id: int) -> HttpResponse:
    """Close a need: it leaves the board and is no longer matched."""
    need = need_or_404(request, need_id)
    if not permissions.can_close_need(request.user, need):
        return refused(
            request,
            need.organization,
            _("Only an owner or a manager of the organisation can close its needs."),
        )
    form = CloseForm(request.POST)
    if not form.is_valid():
        # Nothing closes on a note that cannot be kept (too long): say so, as the API does.
        error = InvalidInput(fields={"note": [str(m) for m in form.errors.get("note", [])]})
        return _refused_on_detail(request, need, error)
    note = form.cleaned_data["note"]
    try:
        need = services.need_close(need=need, actor=request.user, note=note)
    except ApplicationError as error:
        return _refused_on_detail(request, need_or_404(request, need_id), error)
    messages.success(request, _("“%(title)s” is closed.") % {"title": need.title})
    if request.POST.get("back") == "desk":
        return redirect("mitra:desk", slug=need.organization.slug)
    return redirect("mitra:detail", need_id=need.pk)


# --- The partner's desk and the Posyantek's needs ---------------------------------------------


def next_action(need: Need, may_edit: bool) -> str:
    """The one next thing to do with a need on the desk: publish a draft, look at the matches
    of an open one; nothing once it is finished."""
    if need.status == Status.DRAFT:
        return "publish" if may_edit else ""
    if need.is_active:
        return "matches"
    return ""


@login_required
@require_GET
def desk_view(request: HttpRequest, slug: str) -> HttpResponse:
    """All the organisation's needs by status (drafts first), each with its next action."""
    organization = organization_or_404(request, slug)
    if not permissions.can_view_need_desk(request.user, organization):
        raise Http404
    if organization.kind == Organization.Kind.POSYANTEK:
        return redirect("mitra:posyantek_needs", slug=organization.slug)
    needs = selectors.need_desk_list(user=request.user, organization=organization)
    tabs = [Tab(tab.key, tab.label, tab.statuses) for tab in DESK_TABS]
    counts: dict[str, int] = {}
    for status_value in needs.order_by().values_list("status", flat=True):
        counts[status_value] = counts.get(status_value, 0) + 1
    for tab in tabs:
        tab.count = (
            sum(counts.get(s, 0) for s in tab.statuses) if tab.statuses else sum(counts.values())
        )
    requested = request.GET.get("tab") or ""
    tab = next((t for t in tabs if t.key == requested), None)
    if tab is None:  # by default the first tab that has something in it
        tab = next((t for t in tabs if t.count), tabs[-1])
    if tab.statuses:
        needs = needs.filter(status__in=tab.statuses)
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = permissions.can_create_need(request.user, organization)
    rows = [
        {
            "need": decorate(need),
            "action": next_action(need, permissions.can_edit_need(request.user, need)),
        }
        for need in page.object_list
    ]
    return render(
        request,
        "mitra/desk.html",
        {
            "organization": organization,
            "tabs": tabs,
            "tab": tab,
            "page": page,
            "rows": rows,
            "may_create": may_create,
            "create_url": reverse("mitra:create") + f"?organization={organization.slug}",
        },
    )


@login_required
@require_GET
def posyantek_needs_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Open needs that fit this Posyantek, best match first, with the reasons and a WhatsApp
    link to the partner."""
    organization = organization_or_404(request, slug)
    if organization.kind != Organization.Kind.POSYANTEK:
        if permissions.can_view_need_desk(request.user, organization):
            return redirect("mitra:desk", slug=organization.slug)
        raise Http404
    if not permissions.can_view_own_matches(request.user, organization):
        raise Http404
    matches = selectors.needs_for_posyantek(user=request.user, posyantek=organization)
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "need": decorate(match.need),
            "match": match,
            "explanation": explanation(match, match.need),
            "whatsapp_url": partner_whatsapp(match.need, organization),
        }
        for match in page.object_list
    ]
    return render(
        request,
        "mitra/posyantek_needs.html",
        {"organization": organization, "page": page, "rows": rows},
    )
