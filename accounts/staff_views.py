"""The platform staff's verification desk: the queue of organisations waiting, and one
organisation's review with its documents, verify and reject (with a reason), and a government
organisation's jurisdiction.

Everyone who is not platform staff gets a 404, logged in or not: the desk does not exist for
them. The pages call the same services as the API and the admin actions.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import permissions
from accounts.organization_forms import JurisdictionForm, RejectForm, apply_service_errors
from accounts.organization_views import organization_or_404, timeline
from accounts.selectors import membership_list, organizations_awaiting_verification
from accounts.services import organizations as services
from core.errors import ApplicationError, InvalidInput

QUEUE_PAGE_SIZE = 50


def platform_staff_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.is_platform_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@platform_staff_only
@require_GET
def verification_queue_view(request: HttpRequest) -> HttpResponse:
    """Organisations waiting for verification, the longest-waiting first."""
    page = Paginator(organizations_awaiting_verification(), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "staff/verification_queue.html", {"page": page})


@platform_staff_only
@require_http_methods(["GET", "POST"])
def verification_review_view(request: HttpRequest, slug: str) -> HttpResponse:
    organization = organization_or_404(request, slug)
    is_government = organization.kind == organization.Kind.GOVERNMENT
    reject_form = RejectForm(prefix="reject")
    jurisdiction_form = (
        JurisdictionForm(prefix="jurisdiction", initial={"region": organization.jurisdiction})
        if is_government
        else None
    )
    error, status = None, 200

    if request.method == "POST":
        action = request.POST.get("action", "")
        bound = None
        try:
            if not permissions.can_verify(request.user):
                raise Http404
            if action == "verify":
                services.organization_verify(organization=organization, actor=request.user)
                done, to = _("%(name)s is verified.") % {"name": organization.name}, "queue"
            elif action == "reject":
                bound = reject_form = RejectForm(request.POST, prefix="reject")
                if not reject_form.is_valid():
                    raise InvalidInput()  # the messages are on the form
                services.organization_reject(
                    organization=organization,
                    actor=request.user,
                    reason=reject_form.cleaned_data["reason"],
                )
                done, to = _("%(name)s was rejected.") % {"name": organization.name}, "queue"
            elif action == "jurisdiction" and is_government:
                bound = jurisdiction_form = JurisdictionForm(request.POST, prefix="jurisdiction")
                if not jurisdiction_form.is_valid():
                    raise InvalidInput()  # the messages are on the form
                services.organization_set_jurisdiction(
                    organization=organization,
                    actor=request.user,
                    jurisdiction=jurisdiction_form.cleaned_data["region"].code,
                )
                done, to = _("The jurisdiction is saved."), "review"
            else:
                raise InvalidInput(_("Choose what to do."))
        except ApplicationError as exc:
            status = exc.status_code
            if bound is not None:
                if not bound.errors:  # else its own messages are already there
                    apply_service_errors(bound, exc)
            else:
                error = str(exc.message)
        else:
            messages.success(request, done)
            if to == "queue":
                return redirect("staff:verification-queue")
            return redirect("staff:verification-review", slug=organization.slug)

    documents = list(organization.documents.select_related("uploaded_by"))
    on_file = {document.kind for document in documents}
    return render(
        request,
        "staff/verification_review.html",
        {
            "organization": organization,
            "documents": documents,
            "missing_documents": [
                kind.label
                for kind in services.REQUIRED_DOCUMENTS.get(organization.kind, [])
                if kind not in on_file
            ],
            "memberships": membership_list(organization=organization),
            "timeline": timeline(organization),
            "is_pending": organization.verification_status
            == organization.VerificationStatus.PENDING,
            "reject_form": reject_form,
            "jurisdiction_form": jurisdiction_form,
            "error": error,
        },
        status=status,
    )
