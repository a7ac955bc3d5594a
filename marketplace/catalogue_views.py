"""The buyer's pages: the catalogue with search and filters, the public product page and a
Posyantek's storefront.

The catalogue is a plain GET form, so it works without JavaScript. marketplace.filters'
CatalogueFilter (the same one the API uses) decides what is valid and what matches; the form
here only shows the choices and the values back. Bad filter values re-render the page with the
messages and status 400, never a 500. Each page runs a fixed number of queries, whatever the
number of products.
"""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Organization
from accounts.phone import whatsapp_link
from core.api.pagination import TwoStepPaginator
from core.errors import NotFound
from marketplace.filters import CatalogueFilter
from marketplace.forms import category_filter_choices
from marketplace.models import Certification, Product
from marketplace.permissions import can_view_product_desk
from marketplace.selectors import (
    catalogue_products,
    posyantek_get,
    product_cards,
    product_get,
    valid_certifications,
)
from regions.codes import Level, level_of
from regions.forms import RegionPickerWidget
from regions.selectors import region_chain_codes

PAGE_SIZE = 24
RELATED_PRODUCTS = 4
PLACE_LEVELS = (Level.PROVINCE, Level.REGENCY, Level.DISTRICT)
ORDERING_CHOICES = [
    ("", gettext_lazy("Best match / newest")),
    ("price", gettext_lazy("Price: low to high")),
    ("-price", gettext_lazy("Price: high to low")),
    ("-created", gettext_lazy("Newest")),
    ("-rating", gettext_lazy("Best rated")),
]


# --- The catalogue's form ---------------------------------------------------------------------


class PlacePickerWidget(RegionPickerWidget):
    """The region picker with the catalogue's own parameter names (province, regency, district),
    the ones the API takes too, so a link such as ?district=36.72.07 shows its whole chain."""

    def subfield_name(self, name: str, level: Level) -> str:
        return level.name.lower()

    def value_from_datadict(self, data, files, name):
        chosen = super().value_from_datadict(data, files, name)
        if chosen:
            return chosen
        for level in reversed(PLACE_LEVELS):  # a link that names only a deeper level
            value = (data.get(level.name.lower()) or "").strip()
            if level_of(value) == level:
                return value
        return None


def place_params(data: QueryDict) -> QueryDict:
    """The query with province/regency/district made one consistent chain: the deepest place
    the picker shows. Without JavaScript a changed province still sends the old regency; that
    one is dropped rather than matching nothing. Malformed codes stay, for the filter's
    messages."""
    data = data.copy()
    chain = region_chain_codes(PlacePickerWidget().value_from_datadict(data, None, "place") or "")
    for level in PLACE_LEVELS:
        key = level.name.lower()
        value = (data.get(key) or "").strip()
        if level in chain:
            data[key] = chain[level]
        elif not value or level_of(value) == level:
            data.pop(key, None)
    return data


class CatalogueForm(forms.Form):
    """Shows the catalogue's filters and the values sent back. It checks nothing itself:
    CatalogueFilter does, and its messages are added to these fields."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
    )
    category = forms.CharField(label=gettext_lazy("Category"), required=False)
    kind = forms.CharField(
        label=gettext_lazy("Kind"),
        required=False,
        widget=forms.Select(choices=[("", gettext_lazy("All kinds")), *Product.Kind.choices]),
    )
    place = forms.CharField(
        label=gettext_lazy("Place of the Posyantek"),
        required=False,
        widget=PlacePickerWidget(level=Level.DISTRICT),
    )
    min_price = forms.CharField(
        label=gettext_lazy("Lowest price (Rp)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    max_price = forms.CharField(
        label=gettext_lazy("Highest price (Rp)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    certification = forms.CharField(
        label=gettext_lazy("Certification"),
        required=False,
        widget=forms.Select(
            choices=[("", gettext_lazy("Any or none")), *Certification.Type.choices]
        ),
    )
    ordering = forms.CharField(
        label=gettext_lazy("Order by"),
        required=False,
        widget=forms.Select(choices=ORDERING_CHOICES),
    )

    # The filter's parameter → the field that shows its message.
    ERROR_FIELDS = {"province": "place", "regency": "place", "district": "place"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget = forms.Select(choices=category_filter_choices())
        self.fields["place"].widget.required_level = Level.PROVINCE
        self.fields["place"].widget.is_required = False

    def add_filter_errors(self, errors: dict) -> None:
        self.is_valid()
        for name, messages in errors.items():
            field = self.ERROR_FIELDS.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


# --- Pages ------------------------------------------------------------------------------------


@require_GET
def catalogue_view(request: HttpRequest) -> HttpResponse:
    """Published products of verified Posyantek: searched, filtered, ordered, one page of
    cards at a time."""
    data = place_params(request.GET)
    form = CatalogueForm(data)
    filterset = CatalogueFilter(data, queryset=catalogue_products(), request=request)
    status = 200
    if filterset.is_valid():
        products = filterset.qs
    else:
        form.add_filter_errors(filterset.errors)
        products = catalogue_products().none()
        status = 400
    page = TwoStepPaginator(products, PAGE_SIZE, fetch_page=product_cards).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "marketplace/catalogue.html",
        {
            "form": form,
            "page": page,
            "query": (data.get("q") or "").strip(),
            "in_stock": data.get("in_stock") in ("true", "1", "on", "True"),
            "filtered": any(value for key, value in data.items() if key != "page"),
            "filters_open": any(
                value for key, value in data.items() if key not in ("q", "page", "ordering")
            ),
        },
        status=status,
    )


@require_GET
def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A published product of a verified Posyantek for everyone; others only for the desk's
    viewers, with a banner that says buyers do not see it."""
    try:
        product = product_get(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    seller = product.seller
    link = request.build_absolute_uri(reverse("marketplace:detail", args=[product.slug]))
    message = _("Hello %(seller)s, I am interested in %(product)s: %(link)s") % {
        "seller": seller.name,
        "product": product.name,
        "link": link,
    }
    related = []
    if product.category_id:
        related = product_cards(
            list(
                catalogue_products()
                .filter(category_id=product.category_id)
                .exclude(pk=product.pk)
                .values_list("pk", flat=True)[:RELATED_PRODUCTS]
            )
        )
    district = seller.district
    return render(
        request,
        "marketplace/detail.html",
        {
            "product": product,
            "seller": seller,
            "images": list(product.images.all()),
            "certifications": list(
                valid_certifications(product=product).order_by("type", "-valid_until")
            ),
            "can_view_desk": can_view_product_desk(request.user, seller),
            "whatsapp_url": whatsapp_link(seller.whatsapp, message),
            "places": [
                (district.regency.province, "province"),
                (district.regency, "regency"),
                (district, "district"),
            ],
            "related": related,
            "is_storefront": seller.kind == Organization.Kind.POSYANTEK and seller.is_verified,
        },
    )


@require_GET
def storefront_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A verified Posyantek's profile summary and its public products; 404 for any other
    organisation."""
    try:
        seller = posyantek_get(slug=slug)
    except NotFound:
        raise Http404 from None
    products = catalogue_products().filter(seller=seller)
    page = TwoStepPaginator(products, PAGE_SIZE, fetch_page=product_cards).get_page(
        request.GET.get("page")
    )
    message = _("Hello %(seller)s, I found you on Mitra TTG: %(link)s") % {
        "seller": seller.name,
        "link": request.build_absolute_uri(reverse("marketplace:storefront", args=[seller.slug])),
    }
    return render(
        request,
        "marketplace/storefront.html",
        {
            "seller": seller,
            "page": page,
            "whatsapp_url": whatsapp_link(seller.whatsapp, message),
        },
    )
