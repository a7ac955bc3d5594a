"""The seller's product pages: the product desk of an organisation, a new product with its
photo in one form, a product's own desk (fields, photos, user guide, certificates, stock,
publishing; hiding for platform staff). The buyer's pages are in marketplace.catalogue_views.

Each page loads through marketplace.selectors (a product or desk the caller may not see is a
404), asks marketplace.permissions exactly as the API does and calls the services. Forms post
back to their page: success redirects with a message (post/redirect/get); a refusal re-renders
the page with the service's message and its status (400 bad input, 403 not allowed, 409 not
possible now).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organization
from accounts.selectors import organization_get
from core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from core.files import private_file_response
from marketplace import services
from marketplace.forms import (
    CertificationForm,
    DeskFilterForm,
    GuideForm,
    HideForm,
    PhotoForm,
    ProductCreateForm,
    ProductForm,
    StockForm,
    apply_service_errors,
)
from marketplace.models import Certification, Product
from marketplace.permissions import (
    can_hide_products,
    can_manage_product,
    can_manage_products,
    can_view_product_desk,
)
from marketplace.selectors import product_desk_list, product_get, valid_certifications

PAGE_SIZE = 24
Status = Product.Status

# Each action of the product desk: which permission it needs.
SELLER_ACTIONS = {
    "save",
    "photo_add",
    "photo_remove",
    "guide_set",
    "guide_remove",
    "certificate_add",
    "certificate_remove",
    "stock",
    "publish",
    "unpublish",
    "archive",
}
STAFF_ACTIONS = {"hide", "unhide"}
# The form each action posts (its messages go back on it).
ACTION_FORMS = {
    "save": "product_form",
    "photo_add": "photo_form",
    "guide_set": "guide_form",
    "certificate_add": "certificate_form",
    "stock": "stock_form",
    "hide": "hide_form",
}


# --- Helpers ----------------------------------------------------------------------------------


def desk_organization_or_404(request: HttpRequest, slug: str) -> Organization:
    """The organisation if the caller may see its product desk (members, platform staff)."""
    try:
        organization = organization_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    if not can_view_product_desk(request.user, organization):
        raise Http404
    return organization


def desk_product_or_404(request: HttpRequest, slug: str) -> Product:
    """The product if the caller may see it on the desk (its organisation's members, staff)."""
    try:
        product = product_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    if not can_view_product_desk(request.user, product.seller):
        raise Http404
    return product


def refused(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    return render(
        request,
        "organizations/forbidden.html",
        {"organization": organization, "message": message},
        status=403,
    )


def field_messages(error: ApplicationError) -> list[str]:
    """A service's field messages with the fields' labels, for errors shown without a form."""
    labels = {name: field.label for name, field in ProductForm.base_fields.items()}
    return [
        f"{labels.get(field, field)}: {message}"
        for field, field_errors in error.fields.items()
        for message in field_errors
    ]


def show_service_error(form, error: ApplicationError) -> None:
    """The service's messages on the form's fields, and its general message on top when it
    says more than "some data is not valid"."""
    apply_service_errors(form, error)
    if error.fields and str(error.message) != str(InvalidInput.default_message):
        form.add_error(None, str(error.message))


# --- The product desk of an organisation ------------------------------------------------------


@login_required
@require_GET
def desk_view(request: HttpRequest, slug: str) -> HttpResponse:
    """All of the organisation's products, newest change first, filtered by status."""
    organization = desk_organization_or_404(request, slug)
    form = DeskFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    products = product_desk_list(
        user=request.user, organization=organization, status=status or None
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/desk.html",
        {
            "organization": organization,
            "form": form,
            "status": status,
            "page": page,
            "can_manage": can_manage_products(request.user, organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A new draft product with its stock and first photo, all or nothing: a photo that is
    refused leaves no product behind."""
    organization = desk_organization_or_404(request, slug)
    if not can_manage_products(request.user, organization):
        return refused(
            request, organization, _("Only an owner or a manager of a Posyantek can add products.")
        )
    form = ProductCreateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            step = "product"
            try:
                with transaction.atomic():
                    product = services.product_create(
                        seller=organization, actor=request.user, **form.service_data()
                    )
                    stock = form.cleaned_data["stock"]
                    if product.availability == Product.Availability.STOCK and stock:
                        services.stock_set(
                            product=product,
                            actor=request.user,
                            stock=stock,
                            note=_("Stock when the product was added"),
                        )
                    if form.cleaned_data["photo"]:
                        step = "photo"
                        services.product_image_add(
                            product=product,
                            actor=request.user,
                            file=form.cleaned_data["photo"],
                            alt_text=product.name,
                        )
            except ApplicationError as error:
                if step == "photo" and not error.fields:
                    form.add_error("photo", str(error.message))
                else:
                    show_service_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("%(name)s is saved as a draft. Check it, then publish it.")
                    % {"name": product.name},
                )
                return redirect("marketplace:manage", slug=product.slug)
        else:
            status = 400
    return render(
        request,
        "marketplace/create.html",
        {"organization": organization, "form": form},
        status=status,
    )


# --- The desk of one product ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def product_manage_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything about one product. Owners and managers change it; other members look;
    platform staff may only hide it (with a reason) or lift the hiding."""
    product = desk_product_or_404(request, slug)
    user = request.user
    may_manage = can_manage_product(user, product)
    may_hide = can_hide_products(user)
    forms: dict[str, Any] = {
        "product_form": ProductForm(product=product),
        "photo_form": PhotoForm(),
        "guide_form": GuideForm(),
        "certificate_form": CertificationForm(),
        "stock_form": StockForm(initial={"stock": product.stock}),
        "hide_form": HideForm(),
    }
    error, error_fields, status = None, [], 200

    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in SELLER_ACTIONS and not may_manage:
                raise PermissionDenied(_("Only an owner or a manager can change this product."))
            if action in STAFF_ACTIONS and not may_hide:
                raise PermissionDenied(_("Only the Mitra TTG team can hide products."))
            done = _run_action(request, product, action, forms)
        except ApplicationError as exc:
            status = exc.status_code
            form = forms.get(ACTION_FORMS.get(action, ""))
            if form is not None and form.is_bound:
                if not form.errors:  # else its own messages are already there
                    show_service_error(form, exc)
            else:
                error, error_fields = str(exc.message), field_messages(exc)
            product = desk_product_or_404(request, slug)
        else:
            messages.success(request, done)
            return redirect("marketplace:manage", slug=product.slug)

    certifications = list(product.certifications.all())
    return render(
        request,
        "marketplace/manage.html",
        {
            "product": product,
            "organization": product.seller,
            "may_manage": may_manage,
            "may_hide": may_hide,
            "images": list(product.images.all()),
            "certifications": certifications,
            "organization_certifications": list(
                Certification.objects.filter(organization=product.seller)
            ),
            "valid_ids": set(valid_certifications(product=product).values_list("pk", flat=True)),
            "error": error,
            "error_fields": error_fields,
            **forms,
        },
        status=status,
    )


def _run_action(request: HttpRequest, product: Product, action: str, forms: dict[str, Any]) -> str:
    """Carry out one posted action and return the success message. Raises ApplicationError
    (a bound form that is not valid carries the messages)."""
    user, post, files = request.user, request.POST, request.FILES

    def bind(name: str, form_class, **kwargs):
        form = form_class(post, files, **kwargs)
        forms[name] = form
        if not form.is_valid():
            raise InvalidInput()  # the messages are on the form
        return form.cleaned_data

    if action == "save":
        bind("product_form", ProductForm, product=product)
        services.product_update(
            product=product, actor=user, data=forms["product_form"].service_data()
        )
        return _("The changes are saved.")
    if action == "photo_add":
        data = bind("photo_form", PhotoForm)
        try:
            services.product_image_add(
                product=product, actor=user, file=data["photo"], alt_text=data["alt_text"]
            )
        except ApplicationError as exc:
            if not exc.fields:
                forms["photo_form"].add_error("photo", str(exc.message))
            raise
        return _("The photo is added.")
    if action == "photo_remove":
        image = product.images.filter(pk=_pk(post.get("image"))).first()
        if image is None:
            raise NotFound(_("This photo was already removed."))
        services.product_image_remove(image=image, actor=user)
        return _("The photo is removed.")
    if action == "guide_set":
        data = bind("guide_form", GuideForm)
        services.product_guide_set(product=product, actor=user, file=data["user_guide"])
        return _("The user guide is saved.")
    if action == "guide_remove":
        services.product_guide_remove(product=product, actor=user)
        return _("The user guide is removed.")
    if action == "certificate_add":
        data = bind("certificate_form", CertificationForm)
        certification = services.certification_add(actor=user, product=product, **data)
        return _("%(certificate)s is recorded.") % {"certificate": certification.get_type_display()}
    if action == "certificate_remove":
        certification = product.certifications.filter(pk=_pk(post.get("certification"))).first()
        if certification is None:
            raise NotFound(_("This certificate was already removed."))
        services.certification_remove(certification=certification, actor=user)
        return _("The certificate is removed.")
    if action == "stock":
        data = bind("stock_form", StockForm)
        services.stock_set(product=product, actor=user, stock=data["stock"], note=data["note"])
        return _("The stock is now %(stock)s.") % {"stock": data["stock"]}
    if action == "publish":
        services.product_publish(product=product, actor=user)
        return _("%(name)s is published: buyers can find it now.") % {"name": product.name}
    if action == "unpublish":
        services.product_unpublish(product=product, actor=user)
        return _("%(name)s is a draft again: buyers no longer see it.") % {"name": product.name}
    if action == "archive":
        services.product_archive(product=product, actor=user)
        return _("%(name)s is archived.") % {"name": product.name}
    if action == "hide":
        data = bind("hide_form", HideForm)
        services.product_hide(product=product, actor=user, reason=data["reason"])
        return _("%(name)s is hidden from buyers.") % {"name": product.name}
    if action == "unhide":
        services.product_unhide(product=product, actor=user)
        return _("%(name)s is no longer hidden; it is a draft for the seller to check.") % {
            "name": product.name
        }
    raise InvalidInput(_("Choose what to do."))


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@require_GET
def certification_scan_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A certificate's scan (private): the product's desk viewers only; 404 for everyone else."""
    try:
        product = product_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    certification = (
        Certification.objects.filter(pk=pk, product=product).first()
        or Certification.objects.filter(pk=pk, organization_id=product.seller_id).first()
    )
    return private_file_response(
        certification.scan if certification else None,
        allowed=certification is not None and can_view_product_desk(request.user, product.seller),
    )
