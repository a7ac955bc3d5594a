"""Product reviews (DESIGN.md, orders: Review): who may review, writing one, and reading them.

A buyer may review a product once, when an order it placed itself (for itself or on an
organisation's name) holds a line of that product and is completed. Each new review recomputes
the product's `rating_average` and `rating_count` from all its reviews in the database, under
a lock on the product row, so concurrent reviews never lose a count. The catalogue only reads
those two fields (it never imports orders); saving them is not a product change, so no
`product_changed` is sent.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import AnyUser
from core.errors import Conflict, InvalidInput, PermissionDenied
from marketplace.models import Product
from orders.models import Order, Review

MIN_RATING = 1
MAX_RATING = 5
MAX_TEXT_LENGTH = 2000
TWO_PLACES = Decimal("0.01")


# --- Reads ------------------------------------------------------------------------------------


def review_list(*, product: Product) -> QuerySet:
    """The product's reviews, newest first, with only what a public list shows: the rating,
    the text, the date and the author's name (never the e-mail or the order). One query."""
    return (
        Review.objects.filter(product=product)
        .select_related("author")
        .only("id", "product_id", "rating", "text", "created_at", "author", "author__name")
        .order_by("-created_at", "-id")
    )


def review_of(*, user: AnyUser, product: Product) -> Review | None:
    """The user's own review of the product, if any."""
    if not (user and user.is_authenticated):
        return None
    return Review.objects.filter(product=product, author=user).select_related("author").first()


def review_author_name(author: User) -> str:
    """What a review shows of its author: the first name (after titles such as "dr." or
    "Ir."), or "Buyer" when there is none. Never the e-mail."""
    words = (getattr(author, "name", "") or "").split()
    names = [word for word in words if not word.endswith(".")]
    return (names or words or [_("Buyer")])[0]


def review_eligible_order(*, user: AnyUser, product: Product) -> Order | None:
    """The completed order, placed by this user (for itself or on an organisation's name),
    that has a line of this product — the most recently completed one; None if there is
    none. Other members of a buying organisation do not qualify through a colleague's
    order."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    return (
        Order.objects.filter(
            buyer=user, status=Order.Status.COMPLETED, lines__product_id=product.pk
        )
        .order_by("-completed_at", "-id")
        .first()
    )


# --- Writes -----------------------------------------------------------------------------------


def _clean_rating(rating: object) -> int:
    # bool is an int in Python; a JSON `true` is not a rating.
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise InvalidInput(fields={"rating": [_("Choose a rating from 1 to 5 stars.")]})
    if not MIN_RATING <= rating <= MAX_RATING:
        raise InvalidInput(fields={"rating": [_("Choose a rating from 1 to 5 stars.")]})
    return rating


def _clean_text(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInput(fields={"text": [_("Write the review as plain words.")]})
    # Line breaks stay (a review may have paragraphs); NUL cannot be stored by PostgreSQL.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(
            fields={
                "text": [
                    _("Keep the review under %(n)s characters (now %(length)s).")
                    % {"n": MAX_TEXT_LENGTH, "length": len(text)}
                ]
            }
        )
    return text


def _already_reviewed() -> Conflict:
    return Conflict(
        _("You have already reviewed this product. Each buyer reviews a product once."),
        code="already_reviewed",
    )


def product_rating_refresh(*, product_id: int) -> Product:
    """Recompute the product's average (2 places, half up) and count from its reviews, with
    the product row locked. Call inside a transaction."""
    product = Product.objects.select_for_update().only("id").get(pk=product_id)
    totals = Review.objects.filter(product_id=product_id).aggregate(
        count=Count("id"), total=Sum("rating")
    )
    count = totals["count"] or 0
    average = (
        (Decimal(totals["total"]) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if count
        else Decimal("0.00")
    )
    product.rating_average = average
    product.rating_count = count
    # Only the two rating columns: no updated_at (a review is not the seller's change to the
    # product) and no product_changed.
    product.save(update_fields=["rating_average", "rating_count"])
    return product


@transaction.atomic
def review_create(*, author: User, product: Product, rating: object, text: object = "") -> Review:
    """Write the author's one review of the product and update the product's rating.

    Raises InvalidInput (rating not a whole number 1–5, text over 2000 characters),
    PermissionDenied unless the author placed a completed order with this product, and
    Conflict (`already_reviewed`) for a second review — also when two arrive at once."""
    rating = _clean_rating(rating)
    text = _clean_text(text)
    # Lock the product first: reviews of one product are written one at a time, so the
    # recomputed average always includes every committed review.
    Product.objects.select_for_update().only("id").get(pk=product.pk)
    order = review_eligible_order(user=author, product=product)
    if order is None:
        raise PermissionDenied(
            _(
                "Only a buyer with a completed order of this product can review it. "
                "Confirm receipt of your order first."
            ),
            code="not_eligible",
        )
    if Review.objects.filter(product=product, author=author).exists():
        raise _already_reviewed()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product, author=author, order=order, rating=rating, text=text
            )
    except IntegrityError:
        raise _already_reviewed() from None
    refreshed = product_rating_refresh(product_id=product.pk)
    product.rating_average = refreshed.rating_average
    product.rating_count = refreshed.rating_count
    return review
