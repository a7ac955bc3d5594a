"""Pages for organisations: list, create, profile, edit, members, invitations, documents and
verification.

Each page loads through the scoped selector (an organisation the caller may not see is a 404),
asks accounts.permissions exactly as the API does, and calls one service. Private pages of an
organisation (edit, members, verification) are a 404 to non-members; a member whose role is too
low gets a 403 page that says who may do it. Forms post back to their page: success redirects
with a message (post/redirect/get); a refusal re-renders the page with the service's message and
its status (400 bad input, 403 not allowed, 404 gone, 409 not possible now).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.models import Invitation, Organization, OrganizationDocument, Role
from accounts.organization_forms import (
    DocumentUploadForm,
    InvitationForm,
    InvitationRevokeForm,
    MembershipActionForm,
    OrganizationCreateForm,
    OrganizationEditForm,
    OrganizationFilterForm,
    RoleForm,
    apply_service_errors,
)
from accounts.selectors import (
    invitation_list,
    membership_list,
    organization_events,
    organization_get,
    organization_list,
    organizations_of,
)
from accounts.services import organizations as services
from core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response

PAGE_SIZE = 20
Status = Organization.VerificationStatus
# Events store raw statuses and roles; people read their labels.
EVENT_VALUE_LABELS = {**dict(Status.choices), **dict(Role.choices)}


# --- Helpers ----------------------------------------------------------------------------------


def organization_or_404(request: HttpRequest, slug: str) -> Organization:
    """The organisation if the caller may see it at all (public when verified)."""
    try:
        return organization_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None


def private_organization_or_404(request: HttpRequest, slug: str) -> Organization:
    """For the private pages: members and platform staff only; 404 for everyone else."""
    organization = organization_or_404(request, slug)
    if not permissions.can_view_private(request.user, organization):
        raise Http404
    return organization


def refused(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    return render(
        request,
        "organizations/forbidden.html",
        {"organization": organization, "message": message},
        status=403,
    )


def timeline(organization: Organization) -> list[dict]:
    """The organisation's events, newest first, with their statuses and roles as labels."""
    events = organization_events(organization=organization).order_by("-created_at", "-id")
    return [
        {
            "event": event,
            "from_label": EVENT_VALUE_LABELS.get(event.from_status, event.from_status),
            "to_label": EVENT_VALUE_LABELS.get(event.to_status, event.to_status),
        }
        for event in events
    ]


def required_documents(organization: Organization, documents: list) -> list[dict]:
    present = {document.kind for document in documents}
    return [
        {"kind": kind, "label": OrganizationDocument.Kind(kind).label, "present": kind in present}
        for kind in services.REQUIRED_DOCUMENTS.get(organization.kind, [])
    ]


def login_link(request: HttpRequest) -> str | None:
    """The login page with ?next= back here, if the login page exists."""
    try:
        return redirect_to_login(request.get_full_path()).url
    except NoReverseMatch:
        return None


def _back_to(name: str, organization: Organization) -> HttpResponse:
    return redirect(name, slug=organization.slug)


# --- List, profile, create, edit --------------------------------------------------------------


@require_GET
def organization_list_view(request: HttpRequest) -> HttpResponse:
    """Verified organisations (a member also sees its own), by kind, a page at a time."""
    form = OrganizationFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = Paginator(organization_list(user=request.user, kind=kind or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/list.html",
        {
            "form": form,
            "kind": kind,
            "page": page,
            "my_memberships": list(organizations_of(user=request.user)),
        },
    )


@require_GET
def organization_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_or_404(request, slug)
    user = request.user
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "role": permissions.role_in(user, organization),
            "can_view_private": permissions.can_view_private(user, organization),
            "can_edit_profile": permissions.can_edit_profile(user, organization),
            "can_edit_organization": permissions.can_edit_organization(user, organization),
            "can_verify": permissions.can_verify(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    """A new organisation with the caller as owner; it starts unverified. Needs a confirmed
    e-mail address (the page says so instead of showing the form)."""
    if not request.user.is_email_verified:
        return render(
            request,
            "organizations/create.html",
            {"email_unverified": True},
            status=403 if request.method == "POST" else 200,
        )
    form = OrganizationCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organization = services.organization_create(
                    user=request.user, **form.service_arguments()
                )
            except ApplicationError as error:
                apply_service_errors(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("%(name)s is ready. Next: upload its documents and ask for verification.")
                    % {"name": organization.name},
                )
                return _back_to("organizations:verification", organization)
        else:
            status = 400
    return render(request, "organizations/create.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Profile fields for owners and managers; name, place, legal numbers and the payout
    account for owners (and platform staff)."""
    organization = private_organization_or_404(request, slug)
    if not permissions.can_edit_profile(request.user, organization):
        return refused(
            request, organization, _("Only an owner or a manager can change the profile.")
        )
    legal = permissions.can_edit_organization(request.user, organization)
    form = OrganizationEditForm(request.POST or None, organization=organization, legal=legal)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.organization_update(
                    organization=organization, actor=request.user, data=form.changes()
                )
            except ApplicationError as error:
                apply_service_errors(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The changes are saved."))
                return _back_to("organizations:detail", organization)
        else:
            status = 400
    return render(
        request,
        "organizations/edit.html",
        {"organization": organization, "form": form, "legal": legal},
        status=status,
    )


# --- Members and invitations ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organization_members_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and their roles (any member). Owners invite by e-mail, change roles, remove
    members and withdraw invitations; any member may leave. The last owner stays (409)."""
    organization = private_organization_or_404(request, slug)
    user = request.user
    is_owner = permissions.can_edit_organization(user, organization)
    invite_form = InvitationForm(prefix="invite")
    error, status = None, 200

    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                if not is_owner:
                    raise PermissionDenied(_("Only an owner can invite members."))
                invite_form = InvitationForm(request.POST, prefix="invite")
                if not invite_form.is_valid():
                    raise InvalidInput()  # the messages are on the form
                invitation = services.invitation_create(
                    organization=organization,
                    actor=user,
                    email=invite_form.cleaned_data["email"],
                    role=invite_form.cleaned_data["role"],
                )
                done = _("Invitation sent to %(email)s.") % {"email": invitation.email}
            elif action == "role":
                form = RoleForm(request.POST)
                if not is_owner:
                    raise PermissionDenied(_("Only an owner can change roles."))
                if not form.is_valid():
                    raise InvalidInput(_("Choose owner, manager or staff."))
                membership = _membership(organization, form.cleaned_data["membership"])
                services.membership_change_role(
                    membership=membership, actor=user, role=form.cleaned_data["role"]
                )
                done = _("%(name)s is now %(role)s.") % {
                    "name": membership.user.name or membership.user.email,
                    "role": Role(form.cleaned_data["role"]).label.lower(),
                }
            elif action == "remove":
                form = MembershipActionForm(request.POST)
                if not form.is_valid():
                    raise InvalidInput(_("Choose a member."))
                membership = _membership(organization, form.cleaned_data["membership"])
                leaving = membership.user_id == user.pk
                if not (leaving or is_owner):
                    raise PermissionDenied(_("Only an owner can remove members."))
                services.membership_remove(membership=membership, actor=user)
                if leaving:
                    messages.success(request, _("You left %(name)s.") % {"name": organization.name})
                    return redirect("organizations:list")
                done = _("%(name)s was removed.") % {
                    "name": membership.user.name or membership.user.email
                }
            elif action == "revoke":
                form = InvitationRevokeForm(request.POST)
                if not is_owner:
                    raise PermissionDenied(_("Only an owner can withdraw invitations."))
                if not form.is_valid():
                    raise InvalidInput(_("Choose an invitation."))
                invitation = Invitation.objects.filter(
                    organization=organization, pk=form.cleaned_data["invitation"]
                ).first()
                if invitation is None:
                    raise NotFound(_("This invitation does not exist."))
                services.invitation_revoke(invitation=invitation, actor=user)
                done = _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
            else:
                raise InvalidInput(_("Choose what to do."))
        except ApplicationError as exc:
            status = exc.status_code
            if invite_form.is_bound:
                if not invite_form.errors:  # else its own messages are already there
                    apply_service_errors(invite_form, exc)
            else:
                error = str(exc.message)
        else:
            messages.success(request, done)
            return _back_to("organizations:members", organization)

    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "memberships": membership_list(organization=organization),
            "invitations": invitation_list(organization=organization) if is_owner else [],
            "is_owner": is_owner,
            "invite_form": invite_form,
            "roles": Role.choices,
            "error": error,
        },
        status=status,
    )


def _membership(organization: Organization, pk: int):
    membership = membership_list(organization=organization).filter(pk=pk).first()
    if membership is None:
        raise NotFound(_("This person is no longer a member."))
    return membership


@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation e-mail. Anyone with the link sees what it is for; the
    invited person, logged in with that address, joins with one button."""
    try:
        invitation = services.invitation_get(token=token)
    except NotFound:
        raise Http404 from None
    error, status = None, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ApplicationError as exc:
            error, status = str(exc.message), exc.status_code
            invitation.refresh_from_db()
        else:
            messages.success(
                request,
                _("Welcome to %(name)s. You are %(role)s.")
                % {
                    "name": membership.organization.name,
                    "role": membership.get_role_display().lower(),
                },
            )
            return redirect("organizations:detail", slug=membership.organization.slug)
    user = request.user
    return render(
        request,
        "organizations/invitation.html",
        {
            "invitation": invitation,
            "waiting": invitation.status == Invitation.Status.PENDING,
            "expired": invitation.expires_at < timezone.now(),
            "for_this_user": user.is_authenticated and user.email == invitation.email,
            "login_url": None if user.is_authenticated else login_link(request),
            "error": error,
        },
        status=status,
    )


# --- Documents and verification ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def verification_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Verification status and history (any member); documents, uploads and the request for
    verification (owner and platform staff)."""
    organization = private_organization_or_404(request, slug)
    user = request.user
    may_manage = permissions.can_edit_organization(user, organization)
    may_see_documents = permissions.can_see_documents(user, organization)
    upload_form = DocumentUploadForm()
    error, status = None, 200

    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "upload":
                if not may_manage:
                    raise PermissionDenied(_("Only an owner can send documents."))
                upload_form = DocumentUploadForm(request.POST, request.FILES)
                if not upload_form.is_valid():
                    raise InvalidInput()  # the messages are on the form
                document = services.organization_document_add(
                    organization=organization,
                    actor=user,
                    kind=upload_form.cleaned_data["kind"],
                    file=upload_form.cleaned_data["file"],
                )
                done = _("%(document)s received.") % {"document": document.get_kind_display()}
            elif action == "request":
                if not may_manage:
                    raise PermissionDenied(_("Only an owner can ask for verification."))
                services.organization_request_verification(organization=organization, actor=user)
                done = _(
                    "Thank you. The Mitra TTG team will check the documents and tell you the "
                    "result by e-mail."
                )
            else:
                raise InvalidInput(_("Choose what to do."))
        except ApplicationError as exc:
            status = exc.status_code
            if upload_form.is_bound:
                if not upload_form.errors:  # else its own messages are already there
                    apply_service_errors(upload_form, exc)
            else:
                error = str(exc.message)
        else:
            messages.success(request, done)
            return _back_to("organizations:verification", organization)

    documents = list(organization.documents.all()) if may_see_documents else []
    required = required_documents(organization, documents)
    return render(
        request,
        "organizations/verification.html",
        {
            "organization": organization,
            "may_manage": may_manage,
            "may_see_documents": may_see_documents,
            "documents": documents,
            "required_documents": required,
            "missing_documents": [item for item in required if not item["present"]],
            "can_upload": may_manage and organization.verification_status != Status.PENDING,
            "can_request": may_manage
            and organization.verification_status in {Status.UNVERIFIED, Status.REJECTED},
            "timeline": timeline(organization),
            "upload_form": upload_form,
            "error": error,
        },
        status=status,
    )


@require_GET
def document_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A legal document's file: the owner and platform staff; 404 for everyone else."""
    try:
        organization = organization_get(user=request.user, slug=slug)
    except NotFound:
        organization = None
    document = organization.documents.filter(pk=pk).first() if organization is not None else None
    allowed = document is not None and permissions.can_see_documents(request.user, organization)
    return private_file_response(
        document.file if document else None,
        allowed=allowed,
        download_name=document.original_name if document else None,
    )
