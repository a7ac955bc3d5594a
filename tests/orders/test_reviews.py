"""Product reviews: only a buyer whose own completed order holds the product may review it,
once; the product's average and count follow (and the catalogue's best-rated ordering with
them); the list is public and shows no e-mail; the page shows the form only to who may use it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role, User
from core.errors import Conflict
from marketplace.models import Product
from orders.models import Order, Review
from orders.services.lifecycle import order_accept, order_complete, order_deliver, order_ship
from orders.services.payments import payment_mark_paid
from orders.services.reviews import review_author_name, review_create
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"
PRODUCTS = "/api/v1/products/"


def api_as(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def completed(shop, buyer: User | None = None, **changes) -> Order:
    """An order of shop.product placed by `buyer` through checkout and taken to completed by
    the real services."""
    buyer = buyer or shop.buyer
    order = shop.place(1, buyer=buyer, **changes)
    payment_mark_paid(payment=order.payment, actor=shop.platform)
    order = order_accept(order=Order.objects.get(pk=order.pk), actor=shop.staff)
    order = order_ship(order=order, actor=shop.staff)
    order = order_deliver(order=order, actor=shop.manager)
    return order_complete(order=order, actor=buyer)


def rating_of(product: Product) -> tuple[Decimal, int]:
    product.refresh_from_db(fields=["rating_average", "rating_count"])
    return product.rating_average, product.rating_count


def post_review(user: User, target: Product, **changes):
    body = {"product": target.slug, "rating": 5, "text": "Mesinnya kuat, kirimnya cepat."}
    body.update(changes)
    return api_as(user).post(REVIEWS, body, format="json")


def reviews_page(product: Product) -> str:
    return reverse("orders:product-reviews", args=[product.slug])


# --- Eligibility ------------------------------------------------------------------------------


def test_a_buyer_with_a_completed_order_reviews_once(shop):
    order = completed(shop)

    response = post_review(shop.buyer, shop.product, rating=4)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rating"] == 4
    assert body["product"] == shop.product.slug
    assert body["author_name"] == review_author_name(shop.buyer)
    assert "@" not in body["author_name"]
    review = Review.objects.get()
    assert (review.author, review.product, review.order, review.rating) == (
        shop.buyer,
        shop.product,
        order,
        4,
    )
    assert review.text == "Mesinnya kuat, kirimnya cepat."
    assert rating_of(shop.product) == (Decimal("4.00"), 1)

    again = post_review(shop.buyer, shop.product, rating=1)

    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1
    assert rating_of(shop.product) == (Decimal("4.00"), 1)


def test_without_any_order_it_is_refused(shop):
    response = post_review(shop.buyer, shop.product)

    assert response.status_code == 403
    assert response.json()["code"] == "not_eligible"
    assert not Review.objects.exists()
    assert rating_of(shop.product) == (Decimal("0.00"), 0)


@pytest.mark.parametrize("stage", ["place", "paid", "shipped", "delivered"])
def test_an_order_not_yet_completed_is_not_enough(shop, stage):
    order = getattr(shop, stage)(1)
    assert order.status != Order.Status.COMPLETED

    response = post_review(shop.buyer, shop.product)

    assert response.status_code == 403
    assert not Review.objects.exists()
    assert rating_of(shop.product) == (Decimal("0.00"), 0)


def test_a_completed_order_of_another_product_is_not_enough(shop):
    completed(shop)
    other = ProductFactory(seller=shop.seller, name="Alat Pengering Gabah")

    response = post_review(shop.buyer, other)

    assert response.status_code == 403
    assert not Review.objects.exists()
    assert rating_of(other) == (Decimal("0.00"), 0)


def test_someone_elses_completed_order_is_not_enough(shop):
    completed(shop)  # shop.buyer's
    for user in (shop.stranger, shop.owner, shop.platform):
        response = post_review(user, shop.product)
        assert response.status_code == 403
    assert not Review.objects.exists()
    assert rating_of(shop.product) == (Decimal("0.00"), 0)


def test_an_organisation_order_counts_for_who_placed_it_only(shop):
    company = OrganizationFactory(kind="ukm", name="UKM Tahu Sumedang", slug="ukm-tahu")
    MembershipFactory(user=shop.buyer, organization=company, role=Role.OWNER)
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=company, role=Role.STAFF)
    order = completed(shop, buyer_organization=company.slug)
    assert order.buyer_organization == company

    assert post_review(colleague, shop.product).status_code == 403
    assert post_review(shop.buyer, shop.product).status_code == 201
    assert Review.objects.get().author == shop.buyer


def test_anonymous_cannot_post(shop, api_client):
    completed(shop)

    response = api_client.post(REVIEWS, {"product": shop.product.slug, "rating": 5}, format="json")

    assert response.status_code in (401, 403)
    assert not Review.objects.exists()


def test_a_second_insert_racing_past_the_check_is_a_conflict(shop, monkeypatch):
    """The unique constraint decides when two reviews pass the check at once."""
    completed(shop)
    review_create(author=shop.buyer, product=shop.product, rating=5, text="")
    from orders.services import reviews

    real_filter = reviews.Review.objects.filter

    class NoneExists:
        def exists(self):
            return False

    monkeypatch.setattr(
        reviews.Review.objects,
        "filter",
        lambda *a, **k: NoneExists() if set(k) == {"product", "author"} else real_filter(*a, **k),
    )

    response = post_review(shop.buyer, shop.product, rating=1)

    assert response.status_code == 409
    assert response.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1
    assert rating_of(shop.product) == (Decimal("5.00"), 1)


def test_the_database_refuses_a_second_review_too(shop):
    order = completed(shop)
    Review.objects.create(product=shop.product, author=shop.buyer, order=order, rating=3)
    with pytest.raises(IntegrityError):
        Review.objects.create(product=shop.product, author=shop.buyer, order=order, rating=4)


# --- Values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": 4.5},
        {"rating": "lima"},
        {"rating": True},
        {"rating": None},
        {"rating": [5]},
        {"rating": ""},
        {"text": "x" * 2001},
        {"text": ["bagus"]},
        {"product": "tidak-ada-produk-ini"},
        {"product": ""},
        {"product": "../../etc"},
    ],
)
def test_bad_values_are_a_400_and_write_nothing(shop, changes):
    completed(shop)

    response = post_review(shop.buyer, shop.product, **changes)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    field = next(iter(changes))
    assert field in response.json()["errors"]
    assert not Review.objects.exists()
    assert rating_of(shop.product) == (Decimal("0.00"), 0)


def test_missing_rating_is_a_400(shop):
    completed(shop)

    response = api_as(shop.buyer).post(REVIEWS, {"product": shop.product.slug}, format="json")

    assert response.status_code == 400
    assert "rating" in response.json()["errors"]
    assert not Review.objects.exists()


def test_the_service_refuses_bools_and_non_integers(shop):
    completed(shop)
    from core.errors import InvalidInput

    for rating in (True, False, 4.0, "4", None, 0, 6):
        with pytest.raises(InvalidInput) as error:
            review_create(author=shop.buyer, product=shop.product, rating=rating, text="")
        assert "rating" in error.value.fields
    with pytest.raises(InvalidInput):
        review_create(author=shop.buyer, product=shop.product, rating=5, text="x" * 2001)
    assert not Review.objects.exists()


def test_text_may_be_empty_and_keeps_its_line_breaks(shop):
    completed(shop)

    response = post_review(shop.buyer, shop.product, text="  Bagus.\r\nAwet.  ")

    assert response.status_code == 201
    assert Review.objects.get().text == "Bagus.\nAwet."
    second = UserFactory()
    completed(shop, buyer=second)
    review = review_create(author=second, product=shop.product, rating=3, text="Nul\x00 bait")
    assert review.text == "Nul bait"
    assert post_review(shop.stranger, shop.product, text="").status_code == 403


def test_author_names_are_first_names_without_titles():
    assert review_author_name(User(name="dr. Siti Rahayu", email="a@b.id")) == "Siti"
    assert review_author_name(User(name="Budi", email="a@b.id")) == "Budi"
    assert review_author_name(User(name="  ", email="a@b.id")) not in ("", "a@b.id")


def test_a_draft_product_cannot_be_reviewed_even_after_buying(shop):
    completed(shop)
    Product.objects.filter(pk=shop.product.pk).update(status="archived")

    response = post_review(shop.buyer, shop.product)

    assert response.status_code == 400
    assert "product" in response.json()["errors"]
    assert not Review.objects.exists()


# --- Average and count ------------------------------------------------------------------------


def test_two_buyers_make_the_average_and_the_count(shop):
    second = UserFactory()
    completed(shop)
    completed(shop, buyer=second)

    assert post_review(shop.buyer, shop.product, rating=4).status_code == 201
    assert post_review(second, shop.product, rating=5).status_code == 201

    assert rating_of(shop.product) == (Decimal("4.50"), 2)
    card = api_as(shop.stranger).get(f"{PRODUCTS}{shop.product.slug}/").json()
    assert (card["rating"], card["rating_count"]) == (4.5, 2)


def test_the_average_is_rounded_half_up_to_two_places(shop):
    ratings = [5, 5, 4]  # 4.666… → 4.67
    buyers = [UserFactory() for _ in ratings]
    for buyer, rating in zip(buyers, ratings, strict=True):
        completed(shop, buyer=buyer)
        review_create(author=buyer, product=shop.product, rating=rating, text="")
    assert rating_of(shop.product) == (Decimal("4.67"), 3)
    buyer = UserFactory()
    completed(shop, buyer=buyer)
    review_create(author=buyer, product=shop.product, rating=1, text="")  # 15/4 = 3.75
    assert rating_of(shop.product) == (Decimal("3.75"), 4)


def test_a_review_changes_only_the_rating_of_the_product(shop):
    completed(shop)
    before = Product.objects.get(pk=shop.product.pk)

    post_review(shop.buyer, shop.product, rating=3)

    after = Product.objects.get(pk=shop.product.pk)
    assert (after.rating_average, after.rating_count) == (Decimal("3.00"), 1)
    assert after.updated_at == before.updated_at
    assert (after.name, after.stock, after.status) == (before.name, before.stock, before.status)


def test_best_rated_ordering_puts_the_reviewed_product_first(shop, api_client):
    newer = ProductFactory(seller=shop.seller, name="Alat Pengering Gabah")  # newest first
    completed(shop)
    assert post_review(shop.buyer, shop.product, rating=4).status_code == 201

    default = [row["slug"] for row in api_client.get(PRODUCTS).json()["results"]]
    best = api_client.get(f"{PRODUCTS}?ordering=-rating").json()["results"]

    assert default.index(newer.slug) < default.index(shop.product.slug)
    assert best[0]["slug"] == shop.product.slug
    assert (best[0]["rating"], best[0]["rating_count"]) == (4.0, 1)


# --- The public list --------------------------------------------------------------------------


def make_reviews(shop, count: int, *, start: int = 0) -> list[User]:
    buyers = []
    for index in range(start, start + count):
        buyer = UserFactory(name=f"Siti{index} Rahayu", email=f"siti{index}@rahasia.id")
        completed(shop, buyer=buyer)
        review_create(
            author=buyer, product=shop.product, rating=1 + index % 5, text=f"Ulasan {index}"
        )
        buyers.append(buyer)
    return buyers


def test_the_list_is_public_newest_first_and_shows_no_email(shop, api_client):
    buyers = make_reviews(shop, 3)
    nameless = UserFactory(name="", email="tanpa.nama@rahasia.id")
    completed(shop, buyer=nameless)
    review_create(author=nameless, product=shop.product, rating=5, text="Tanpa nama")

    response = api_client.get(REVIEWS, {"product": shop.product.slug})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    rows = body["results"]
    assert [row["text"] for row in rows] == ["Tanpa nama", "Ulasan 2", "Ulasan 1", "Ulasan 0"]
    assert rows[1]["author_name"] == "Siti2"
    assert rows[0]["author_name"] not in ("", "tanpa.nama@rahasia.id")
    assert set(rows[0]) == {"id", "product", "author_name", "rating", "text", "created_at"}
    assert "rahasia.id" not in response.content.decode()
    assert "@" not in response.content.decode()
    assert all(buyer.email not in response.content.decode() for buyer in buyers)


def test_the_list_needs_a_product_and_hides_drafts(shop, api_client):
    make_reviews(shop, 1)
    draft = ProductFactory(seller=shop.seller, status="draft")

    missing = api_client.get(REVIEWS)
    unknown = api_client.get(REVIEWS, {"product": "tidak-ada"})
    hidden = api_client.get(REVIEWS, {"product": draft.slug})
    other = ProductFactory(seller=shop.seller)
    empty = api_client.get(REVIEWS, {"product": other.slug})

    assert missing.status_code == 400
    assert "product" in missing.json()["errors"]
    assert unknown.status_code == 404
    assert hidden.status_code == 404
    assert empty.status_code == 200
    assert empty.json()["count"] == 0


def test_the_list_has_a_fixed_number_of_queries(shop, api_client, django_assert_num_queries):
    make_reviews(shop, 2)
    with django_assert_num_queries(3):  # product, count, page
        small = api_client.get(REVIEWS, {"product": shop.product.slug})
    make_reviews(shop, 5, start=2)
    with django_assert_num_queries(3):
        large = api_client.get(REVIEWS, {"product": shop.product.slug})
    assert (small.json()["count"], large.json()["count"]) == (2, 7)


def test_the_schema_documents_the_reviews_endpoint(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    path = response.json()["paths"]["/api/v1/reviews/"]
    assert {"get", "post"} <= set(path)
    assert any(p["name"] == "product" and p["required"] for p in path["get"]["parameters"])


# --- The page ---------------------------------------------------------------------------------


def test_visitors_see_the_reviews_and_a_login_link(shop):
    make_reviews(shop, 2)

    response = page_as(None).get(reviews_page(shop.product))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="review"') == 2
    assert 'data-testid="review-form"' not in html
    assert reverse("accounts:login") in html
    assert "rahasia.id" not in html
    assert 'data-average="1.50"' in html  # ratings 1 and 2
    assert "1,5" in html  # Indonesian decimal comma


def test_a_product_that_is_not_public_has_no_reviews_page(shop):
    draft = ProductFactory(seller=shop.seller, status="draft")

    assert page_as(shop.owner).get(reviews_page(draft)).status_code == 404
    assert page_as(None).get("/produk/tidak-ada/ulasan/").status_code == 404


def test_only_an_eligible_buyer_sees_the_form(shop):
    completed(shop)
    page = reviews_page(shop.product)

    eligible = page_as(shop.buyer).get(page).content.decode()
    stranger = page_as(shop.stranger).get(page).content.decode()

    assert 'data-testid="review-form"' in eligible
    assert 'data-testid="review-submit"' in eligible
    assert eligible.count('type="radio" name="rating"') == 5
    assert '<textarea id="review-text" name="text"' in eligible
    assert 'data-testid="review-form"' not in stranger
    assert 'id="review-not-eligible"' in stranger


def test_posting_the_form_publishes_the_review(shop):
    completed(shop)
    client = page_as(shop.buyer)
    page = reviews_page(shop.product)

    response = client.post(page, {"rating": "4", "text": "Pakan disukai kambing."})

    assert response.status_code in (302, 303)
    assert response["Location"].startswith(page)
    review = Review.objects.get()
    assert (review.author, review.rating, review.text) == (shop.buyer, 4, "Pakan disukai kambing.")
    assert rating_of(shop.product) == (Decimal("4.00"), 1)
    html = client.get(page).content.decode()
    assert html.count('data-testid="review"') == 1
    assert 'data-testid="own-review"' in html
    assert "Pakan disukai kambing." in html
    assert 'data-testid="review-form"' not in html


def test_the_form_shows_errors_and_keeps_what_was_written(shop):
    completed(shop)
    client = page_as(shop.buyer)

    response = client.post(reviews_page(shop.product), {"rating": "9", "text": "Lumayan"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="rating-error"' in html
    assert "Lumayan" in html
    assert 'data-testid="review-form"' in html
    assert not Review.objects.exists()
    for rating in ("", "²", "4.5", "x" * 50):
        assert client.post(reviews_page(shop.product), {"rating": rating}).status_code == 400
    assert not Review.objects.exists()


def test_posting_without_the_right_is_refused(shop):
    completed(shop)
    page = reviews_page(shop.product)

    anonymous = page_as(None).post(page, {"rating": "5"})
    stranger = page_as(shop.stranger).post(page, {"rating": "5"})

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert stranger.status_code == 403
    assert 'id="review-error"' in stranger.content.decode()
    assert not Review.objects.exists()


def test_posting_twice_is_a_409_and_keeps_the_first(shop):
    completed(shop)
    client = page_as(shop.buyer)
    page = reviews_page(shop.product)
    client.post(page, {"rating": "2", "text": "Pertama"})

    response = client.post(page, {"rating": "5", "text": "Kedua"})

    assert response.status_code == 409
    assert Review.objects.get().text == "Pertama"
    assert rating_of(shop.product) == (Decimal("2.00"), 1)


def test_the_page_has_a_fixed_number_of_queries(shop, django_assert_max_num_queries):
    make_reviews(shop, 2)
    client = page_as(shop.stranger)
    client.get(reviews_page(shop.product))  # session and user warm-up aside, the same count
    with django_assert_max_num_queries(9) as small:  # 8 + the header's dashboard link
        client.get(reviews_page(shop.product))
    make_reviews(shop, 6, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reviews_page(shop.product))


# --- Rating on the product page and the cards -------------------------------------------------


def test_product_page_and_cards_show_the_rating(shop):
    completed(shop)
    second = UserFactory()
    completed(shop, buyer=second)
    review_create(author=shop.buyer, product=shop.product, rating=4, text="")
    review_create(author=second, product=shop.product, rating=5, text="")
    unrated = ProductFactory(seller=shop.seller, name="Alat Pengering Gabah")

    detail = page_as(None).get(reverse("marketplace:detail", args=[shop.product.slug]))
    catalogue = page_as(None).get(reverse("marketplace:catalogue")).content.decode()

    html = detail.content.decode()
    assert 'id="product-rating"' in html
    assert "4,5" in html
    assert 'data-count="2"' in html
    assert reviews_page(shop.product) in html
    card = catalogue.split(f'data-product="{shop.product.slug}"')[1].split("</li>")[0]
    assert 'class="product-card-rating"' in card and "4,5" in card
    other_card = catalogue.split(f'data-product="{unrated.slug}"')[1].split("</li>")[0]
    assert "product-card-rating" not in other_card


def test_english_uses_a_decimal_point(shop):
    completed(shop)
    review_create(author=shop.buyer, product=shop.product, rating=4, text="")
    client = page_as(None)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("marketplace:detail", args=[shop.product.slug])).content.decode()

    assert "4.0" in html


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_keep_the_average_and_the_count(shop):
    ratings = [5, 4, 4, 3, 5, 2]  # 23 / 6 = 3.833… → 3.83
    buyers = [UserFactory() for _ in ratings]
    for buyer in buyers:
        completed(shop, buyer=buyer)

    results = race(
        [
            lambda buyer=buyer, rating=rating: review_create(
                author=buyer, product=shop.product, rating=rating, text=""
            )
            for buyer, rating in zip(buyers, ratings, strict=True)
        ]
    )

    assert all(isinstance(result, Review) for result in results), results
    assert Review.objects.filter(product=shop.product).count() == 6
    assert rating_of(shop.product) == (Decimal("3.83"), 6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_buyer_twice_at_once_writes_one_review(shop):
    completed(shop)

    results = race(
        [
            lambda rating=rating: review_create(
                author=shop.buyer, product=shop.product, rating=rating, text=""
            )
            for rating in (5, 1, 3, 4)
        ]
    )

    written = [result for result in results if isinstance(result, Review)]
    conflicts = [result for result in results if isinstance(result, Conflict)]
    assert (len(written), len(conflicts)) == (1, 3), results
    assert Review.objects.count() == 1
    assert rating_of(shop.product) == (Decimal(written[0].rating).quantize(Decimal("0.01")), 1)
