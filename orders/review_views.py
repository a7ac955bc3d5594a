"""The reviews page of a product: /produk/<slug>/ulasan/ (DESIGN.md, orders: Review).

Everyone sees a public product's reviews, newest first, with the average and the count.
A signed-in buyer whose completed order holds the product sees the form (a plain POST form, no
JavaScript); one who has reviewed sees their review; other signed-in users a short note on who
may review; visitors a link to log in. A refusal re-renders the page with the service's message
and its status (400, 403, 409); success redirects (303) back to the page. A product that is not
public is a 404, whoever asks. The page runs a fixed number of queries.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError
from marketplace.models import Product
from orders.services.reviews import (
    MAX_RATING,
    MAX_TEXT_LENGTH,
    MIN_RATING,
    review_author_name,
    review_create,
    review_eligible_order,
    review_list,
    review_of,
)

REVIEWS_PER_PAGE = 20


def _public_product(slug: str) -> Product:
    product = Product.objects.select_related("seller").filter(slug=slug).first()
    if product is None or not product.is_public:
        raise Http404
    return product


def _rating_from_form(value: str) -> int | None:
    """The posted rating as a number when it is one or two digits; otherwise None, which
    review_create refuses with its own message."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 2 else None


def _render(
    request: HttpRequest,
    product: Product,
    *,
    error: ApplicationError | None = None,
    posted: dict | None = None,
) -> HttpResponse:
    page = Paginator(review_list(product=product), REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for review in page:
        review.author_name = review_author_name(review.author)
    user = request.user
    own_review = review_of(user=user, product=product)
    if own_review is not None:
        own_review.author_name = review_author_name(own_review.author)
    eligible = own_review is None and review_eligible_order(user=user, product=product) is not None
    return render(
        request,
        "orders/reviews.html",
        {
            "product": product,
            "page": page,
            "own_review": own_review,
            "eligible": eligible,
            "error": str(error.message) if error else "",
            "field_errors": {k: [str(m) for m in v] for k, v in error.fields.items()}
            if error
            else {},
            "posted": posted or {},
            "ratings": range(MAX_RATING, MIN_RATING - 1, -1),
            "max_text_length": MAX_TEXT_LENGTH,
        },
        status=error.status_code if error else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def product_reviews_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A product's reviews and, for the buyer who may, the form to write one."""
    product = _public_product(slug)
    if request.method != "POST":
        return _render(request, product)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    posted = {"rating": request.POST.get("rating", ""), "text": request.POST.get("text", "")}
    try:
        review_create(
            author=request.user,
            product=product,
            rating=_rating_from_form(posted["rating"]),
            text=posted["text"],
        )
    except ApplicationError as error:
        return _render(request, product, error=error, posted=posted)
    messages.success(request, _("Thank you! Your review is published."))
    url = reverse("orders:product-reviews", args=[product.slug])
    return HttpResponseRedirect(f"{url}#your-review", status=303)
