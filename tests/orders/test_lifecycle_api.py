"""The order moves and disputes API: orders/{number}/{accept,ship,deliver,complete,cancel,
report-problem}/ and orders/{number}/dispute/{,respond/,resolve/} — each move allowed and
refused for every role, illegal moves (409) and bad bodies (400) changing nothing, and the
database checked after every answer."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from core.money import refund_split
from marketplace.models import Product
from orders.models import (
    Cart,
    CartItem,
    Dispute,
    DisputePhoto,
    Order,
    OrderEvent,
    Payment,
    Refund,
)
from orders.services.checkout import checkout_place
from orders.services.disputes import order_report_problem
from orders.services.lifecycle import order_accept, order_auto_complete
from orders.services.payments import payment_mark_paid
from orders.services.refunds import refund_mark_succeeded
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory
from tests.orders.conftest import checkout_body
from tests.orders.test_checkout import sellers_with_shipping

pytestmark = pytest.mark.django_db

WHO = ["owner", "manager", "staff", "buyer", "stranger", "platform", "dinas"]


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(order: Order, move: str) -> str:
    return f"/api/v1/orders/{order.number}/{move}/"


@pytest.fixture
def people(shop) -> dict:
    """Everyone of the roles table, by name; the dinas oversees Kota Cilegon (36.72), where
    the Posyantek is."""
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36.72")
    dinas_member = MembershipFactory(organization=dinas, role=Role.STAFF).user
    return {
        "owner": shop.owner,
        "manager": shop.manager,
        "staff": shop.staff,
        "buyer": shop.buyer,
        "stranger": shop.stranger,
        "platform": shop.platform,
        "dinas": dinas_member,
    }


def state(*orders: Order) -> dict:
    """Everything a move could change, to compare before and after a refused one."""
    numbers = [order.number for order in orders]
    return {
        "orders": list(
            Order.objects.filter(number__in=numbers)
            .order_by("pk")
            .values(
                "status",
                "carrier",
                "tracking_number",
                "accepted_at",
                "shipped_at",
                "delivered_at",
                "completed_at",
                "cancelled_at",
            )
        ),
        "events": list(
            OrderEvent.objects.filter(order__number__in=numbers).values_list(
                "pk", "kind", "to_status"
            )
        ),
        "refunds": list(Refund.objects.values_list("pk", "status", "total_amount")),
        "disputes": list(
            Dispute.objects.values_list("pk", "seller_response", "outcome", "resolved_at")
        ),
        "photos": DisputePhoto.objects.count(),
        "stock": dict(Product.objects.values_list("pk", "stock")),
        "payments": list(Payment.objects.values_list("pk", "status", "amount_due_amount")),
    }


def disputed(shop) -> Order:
    order = shop.delivered()
    order_report_problem(
        order=order, actor=shop.buyer, reason="damaged", description="Karung sobek, pakan basah."
    )
    return Order.objects.get(pk=order.pk)


def png(name: str = "foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Every move, every role -------------------------------------------------------------------

# move → (how to get an order it applies to, a valid body, the status after, who may)
MOVES = {
    "accept": (lambda shop: shop.paid(), {"note": "Siap diproses."}, "processing"),
    "ship": (lambda shop: shop.processing(), {"note": "Silakan diambil."}, "shipped"),
    "deliver": (lambda shop: shop.shipped(), {}, "delivered"),
    "cancel": (
        lambda shop: shop.paid(),
        {"reason": "Mesin rusak, tidak bisa dibuat."},
        "cancelled",
    ),
    "complete": (lambda shop: shop.delivered(), {"note": "Sudah diterima."}, "completed"),
    "report-problem": (
        lambda shop: shop.delivered(),
        {"reason": "damaged", "description": "Karung sobek."},
        "in_dispute",
    ),
    "dispute/respond": (disputed, {"response": "Kami kirim pengganti."}, "in_dispute"),
    "dispute/resolve": (
        disputed,
        {"outcome": "complete", "note": "Foto tidak menunjukkan kerusakan."},
        "completed",
    ),
}
ALLOWED = {
    "accept": {"owner", "manager", "staff", "platform"},
    "ship": {"owner", "manager", "staff", "platform"},
    "deliver": {"owner", "manager", "platform"},
    "cancel": {"owner", "manager", "platform"},
    "complete": {"buyer"},
    "report-problem": {"buyer"},
    "dispute/respond": {"owner", "manager", "platform"},
    "dispute/resolve": {"platform"},
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("move", list(MOVES))
def test_each_move_is_allowed_only_for_its_roles(shop, people, move, who):
    make, body, after = MOVES[move]
    order = make(shop)
    before_status = order.status
    before = state(order)
    user = people[who]

    response = client_for(user).post(url(order, move), body, format="json")

    order.refresh_from_db()
    if who in ALLOWED[move]:
        assert response.status_code == 200, response.json()
        assert response.json()["number"] == order.number
        assert response.json()["status"] == after
        assert order.status == after
        event = OrderEvent.objects.filter(order=order).last()
        assert event.actor == user
        if move == "dispute/respond":
            assert (event.kind, event.from_status, event.to_status) == (
                "dispute_answered",
                "in_dispute",
                "in_dispute",
            )
            assert order.dispute.seller_response == "Kami kirim pengganti."
            assert order.dispute.responded_by == user
        else:
            assert (event.kind, event.from_status, event.to_status) == (
                "status",
                before_status,
                after,
            )
            assert [e["to_status"] for e in response.json()["events"]][-1] == after
    else:
        # A stranger learns nothing about the order; everyone who may see it is refused.
        assert response.status_code == (404 if who == "stranger" else 403), response.json()
        assert state(order) == before


# --- Seller moves -----------------------------------------------------------------------------


def test_accept_and_ship_record_their_times_and_the_courier(shop):
    order = shop.paid()
    client = client_for(shop.staff)

    accepted = client.post(url(order, "accept"), {}, format="json")
    shipped = client.post(
        url(order, "ship"),
        {"carrier": "JNE", "tracking_number": "JNE 0012 3456", "note": "Dikirim pagi."},
        format="json",
    )

    assert accepted.status_code == 200 and accepted.json()["accepted_at"]
    assert shipped.status_code == 200, shipped.json()
    body = shipped.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == (
        "shipped",
        "JNE",
        "JNE00123456",
    )
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "JNE", "JNE00123456")
    assert order.accepted_at and order.shipped_at
    assert list(
        OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "note")
    )[-2:] == [("paid", "processing", ""), ("processing", "shipped", "Dikirim pagi.")]


@pytest.fixture
def two_sellers(shop):
    """One checkout from two Posyantek: a PKP one delivering itself (1.500.000 + 50.000 +
    PPN 170.500) and one sending by courier (2 × 250.000 + courier 60.000)."""
    pkp, plain = sellers_with_shipping()
    for organization in (pkp, plain):
        MembershipFactory(organization=organization, user=UserFactory(), role=Role.MANAGER)
    tool = ProductFactory(seller=pkp, name="Mesin Pencacah", price_amount=1_500_000, stock=3)
    feed = ProductFactory(
        seller=plain,
        name="Pakan Fermentasi",
        price_amount=250_000,
        weight_per_unit_kg="2.500",
        stock=10,
    )
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=tool, quantity=1)
    CartItem.objects.create(cart=cart, product=feed, quantity=2)
    body = checkout_body(
        pkp, shipping={"posyantek-pkp": "own_delivery", "posyantek-biasa": "courier"}
    )
    payment = checkout_place(user=shop.buyer, cart=cart, data=body)
    return {
        "payment": payment,
        "pkp_order": payment.orders.get(seller=pkp),
        "courier_order": payment.orders.get(seller=plain),
        "pkp_manager": pkp.memberships.get().user,
        "plain_manager": plain.memberships.get().user,
        "tool": tool,
        "feed": feed,
    }


def test_a_courier_order_ships_only_with_courier_and_tracking_number(shop, two_sellers):
    order = two_sellers["courier_order"]
    payment_mark_paid(payment=order.payment, actor=shop.platform)
    order = order_accept(order=order, actor=two_sellers["plain_manager"])
    before = state(order)
    client = client_for(two_sellers["plain_manager"])

    missing = client.post(url(order, "ship"), {"note": "Dikirim."}, format="json")

    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"carrier", "tracking_number"}
    assert state(order) == before

    shipped = client.post(
        url(order, "ship"), {"carrier": "J&T", "tracking_number": "JT123"}, format="json"
    )
    assert shipped.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "J&T", "JT123")


def test_seller_cancel_of_a_paid_order_requests_one_refund_split_into_parts(shop, two_sellers):
    order = two_sellers["pkp_order"]
    payment_mark_paid(payment=order.payment, actor=shop.platform)
    client = client_for(two_sellers["pkp_manager"])

    response = client.post(url(order, "cancel"), {"reason": "Mesin rusak."}, format="json")

    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancelled_at
    refund = Refund.objects.get()
    assert (refund.order, refund.status, refund.reason) == (order, "requested", "seller_cancelled")
    assert (
        refund.goods_amount,
        refund.shipping_amount,
        refund.ppn_amount,
        refund.total_amount,
    ) == (1_500_000, 50_000, 170_500, 1_720_500)
    assert refund.requested_by == two_sellers["pkp_manager"]
    assert [
        (r["status"], r["total_amount"], r["goods_amount"], r["shipping_amount"], r["ppn_amount"])
        for r in response.json()["refunds"]
    ] == [("requested", 1_720_500, 1_500_000, 50_000, 170_500)]
    two_sellers["tool"].refresh_from_db()
    assert two_sellers["tool"].stock == 3  # given back
    before = state(order)

    again = client.post(url(order, "cancel"), {"reason": "Sekali lagi."}, format="json")

    assert again.status_code == 409
    assert Refund.objects.count() == 1
    assert state(order) == before

    refund = shop.refund_ready(refund)
    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-1")
    order.refresh_from_db()
    assert order.status == "refunded"


def test_seller_cancel_of_a_paid_order_needs_a_reason(shop):
    order = shop.paid()
    before = state(order)

    response = client_for(shop.manager).post(url(order, "cancel"), {}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert state(order) == before


# --- Buyer cancel -----------------------------------------------------------------------------


def test_the_buyer_cancels_an_unpaid_order_and_its_payment(shop):
    order = shop.place(quantity=3)
    shop.product.refresh_from_db()
    assert shop.product.stock == 17

    response = client_for(shop.buyer).post(url(order, "cancel"), {}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    order.refresh_from_db()
    assert order.status == "cancelled"
    shop.product.refresh_from_db()
    assert shop.product.stock == 20
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.status, payment.amount_due_amount) == ("cancelled", 0)
    assert not Refund.objects.exists()


def test_the_buyer_cancels_one_order_of_a_two_posyantek_checkout(shop, two_sellers):
    pkp_order, courier_order = two_sellers["pkp_order"], two_sellers["courier_order"]
    payment = two_sellers["payment"]
    assert payment.amount_due_amount == 1_720_500 + 560_000
    client = client_for(shop.buyer)

    first = client.post(url(courier_order, "cancel"), {"reason": "Salah pilih."}, format="json")

    assert first.status_code == 200
    courier_order.refresh_from_db()
    pkp_order.refresh_from_db()
    payment.refresh_from_db()
    assert (courier_order.status, pkp_order.status) == ("cancelled", "pending_payment")
    assert (payment.status, payment.amount_due_amount) == ("pending", 1_720_500)
    two_sellers["feed"].refresh_from_db()
    two_sellers["tool"].refresh_from_db()
    assert (two_sellers["feed"].stock, two_sellers["tool"].stock) == (10, 2)

    second = client.post(url(pkp_order, "cancel"), {}, format="json")

    assert second.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.amount_due_amount) == ("cancelled", 0)
    assert not Refund.objects.exists()


def test_the_buyer_cannot_cancel_a_paid_order(shop):
    order = shop.paid()
    before = state(order)

    response = client_for(shop.buyer).post(url(order, "cancel"), {"reason": "x"}, format="json")

    assert response.status_code == 403
    assert state(order) == before


# --- Illegal moves: 409, nothing changed -------------------------------------------------------

ILLEGAL = [
    ("ship a paid order not yet accepted", lambda shop: shop.paid(), "ship", "staff", {}),
    ("accept twice", lambda shop: shop.processing(), "accept", "staff", {}),
    ("accept an unpaid order", lambda shop: shop.place(), "accept", "owner", {}),
    ("complete a processing order", lambda shop: shop.processing(), "complete", "buyer", {}),
    ("deliver a paid order", lambda shop: shop.paid(), "deliver", "manager", {}),
    ("cancel a shipped order", lambda shop: shop.shipped(), "cancel", "manager", {"reason": "x"}),
    ("buyer cancels a shipped order", lambda shop: shop.shipped(), "cancel", "buyer", {}),
    (
        "report a problem with a processing order",
        lambda shop: shop.processing(),
        "report-problem",
        "buyer",
        {"reason": "damaged", "description": "Rusak."},
    ),
    (
        "answer without a dispute",
        lambda shop: shop.delivered(),
        "dispute/respond",
        "manager",
        {"response": "Halo."},
    ),
    (
        "resolve without a dispute",
        lambda shop: shop.delivered(),
        "dispute/resolve",
        "platform",
        {"outcome": "complete", "note": "Selesai."},
    ),
]


@pytest.mark.parametrize(
    "make, move, who, body", [case[1:] for case in ILLEGAL], ids=[case[0] for case in ILLEGAL]
)
def test_illegal_moves_are_refused_with_409_and_change_nothing(shop, people, make, move, who, body):
    order = make(shop)
    before = state(order)

    response = client_for(people[who]).post(url(order, move), body, format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] in {"order_status", "no_open_dispute"}
    assert response.json()["detail"]
    assert state(order) == before


def test_a_dispute_is_resolved_only_once(shop):
    order = disputed(shop)
    client = client_for(shop.platform)
    first = client.post(
        url(order, "dispute/resolve"), {"outcome": "refund", "amount": 100_000, "note": "Sebagian."}
    )
    assert first.status_code == 200
    before = state(order)

    again = client.post(
        url(order, "dispute/resolve"), {"outcome": "complete", "note": "Ubah keputusan."}
    )
    respond = client_for(shop.manager).post(url(order, "dispute/respond"), {"response": "Telat."})

    assert (again.status_code, respond.status_code) == (409, 409)
    assert state(order) == before


# --- Bad bodies: 400, nothing changed ----------------------------------------------------------

BAD_BODIES = [
    ("note as a list", lambda shop: shop.paid(), "accept", "staff", {"note": ["a", "b"]}, "note"),
    ("note as an object", lambda shop: shop.paid(), "accept", "staff", {"note": {"a": 1}}, "note"),
    (
        "carrier as a list",
        lambda shop: shop.processing(),
        "ship",
        "staff",
        {"carrier": ["JNE"], "tracking_number": "1"},
        "carrier",
    ),
    ("reason as a number", lambda shop: shop.paid(), "cancel", "owner", {"reason": True}, "reason"),
    (
        "note too long",
        lambda shop: shop.shipped(),
        "deliver",
        "owner",
        {"note": "x" * 1001},
        "note",
    ),
    (
        "unknown problem kind",
        lambda shop: shop.delivered(),
        "report-problem",
        "buyer",
        {"reason": "bosan", "description": "Rusak."},
        "reason",
    ),
    (
        "problem without a description",
        lambda shop: shop.delivered(),
        "report-problem",
        "buyer",
        {"reason": "damaged"},
        "description",
    ),
    (
        "photos as a string",
        lambda shop: shop.delivered(),
        "report-problem",
        "buyer",
        {"reason": "damaged", "description": "Rusak.", "photos": "foto.png"},
        "photos",
    ),
    (
        "photos that are not files",
        lambda shop: shop.delivered(),
        "report-problem",
        "buyer",
        {"reason": "damaged", "description": "Rusak.", "photos": ["foto.png"]},
        "photos",
    ),
    ("empty answer", disputed, "dispute/respond", "manager", {"response": "  "}, "response"),
    (
        "amount not a number",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "refund", "amount": "abc", "note": "Sebagian."},
        "amount",
    ),
    (
        "amount as a list",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "refund", "amount": [1], "note": "Sebagian."},
        "amount",
    ),
    (
        "amount above the total",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "refund", "amount": 10**12, "note": "Semua."},
        "amount",
    ),
    (
        "refund without an amount",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "refund", "note": "Semua."},
        "amount",
    ),
    (
        "amount beyond 64 bits",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "refund", "amount": 2**70, "note": "Semua."},
        "amount",
    ),
    (
        "unknown outcome",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "maybe", "note": "Hm."},
        "outcome",
    ),
    (
        "resolution without a note",
        disputed,
        "dispute/resolve",
        "platform",
        {"outcome": "complete"},
        "note",
    ),
]


@pytest.mark.parametrize(
    "make, move, who, body, field",
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
def test_bad_bodies_are_400_by_field_and_change_nothing(shop, people, make, move, who, body, field):
    order = make(shop)
    before = state(order)

    response = client_for(people[who]).post(url(order, move), body, format="json")

    assert response.status_code == 400, response.json()
    assert field in {key.split(".")[0] for key in response.json()["errors"]}  # e.g. photos.0
    assert state(order) == before


def test_malformed_json_is_a_400(shop):
    order = shop.paid()
    before = state(order)

    response = client_for(shop.staff).post(
        url(order, "accept"), "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert state(order) == before


# --- Who reaches the endpoints ------------------------------------------------------------------


def test_a_stranger_gets_404_for_every_endpoint(shop):
    order = disputed(shop)
    before = state(order)
    client = client_for(shop.stranger)

    answers = [
        client.post(url(order, move), MOVES[move][1], format="json").status_code for move in MOVES
    ]
    answers.append(client.get(url(order, "dispute")).status_code)
    answers.append(
        client.post(url(order, "accept").replace(order.number, "MT-000000-NOPE")).status_code
    )

    assert answers == [404] * (len(MOVES) + 2)
    assert state(order) == before


def test_anonymous_and_session_without_csrf_are_refused(shop):
    order = shop.paid()
    before = state(order)

    anonymous = APIClient().post(url(order, "accept"), {}, format="json")
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(shop.staff)
    without_csrf = session.post(url(order, "accept"), {}, format="json")

    assert anonymous.status_code == 401
    assert without_csrf.status_code == 403
    assert state(order) == before


# --- Problem reports and disputes ---------------------------------------------------------------


def test_report_a_problem_with_photos(shop, people):
    order = shop.delivered()

    response = client_for(shop.buyer).post(
        url(order, "report-problem"),
        {
            "reason": "damaged",
            "description": "Karung sobek.",
            "photos": [png("a.png"), png("b.png")],
        },
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_dispute"
    order.refresh_from_db()
    assert order.status == "in_dispute"
    dispute = Dispute.objects.get(order=order)
    assert (dispute.reason, dispute.description, dispute.opened_by) == (
        "damaged",
        "Karung sobek.",
        shop.buyer,
    )
    photos = list(dispute.photos.all())
    assert len(photos) == 2
    assert all(photo.image.storage.exists(photo.image.name) for photo in photos)

    seen = client_for(shop.buyer).get(url(order, "dispute"))
    assert seen.status_code == 200
    body = seen.json()
    assert (body["reason"], body["photo_count"], body["photo_ids"]) == (
        "damaged",
        2,
        [photo.pk for photo in photos],
    )
    assert body["outcome"] == "" and body["is_resolved"] is False
    # The dispute is private to the two sides and platform staff; a dinas sees the order only.
    for who, expected in {
        "owner": 200,
        "staff": 200,
        "platform": 200,
        "dinas": 404,
        "stranger": 404,
    }.items():
        assert client_for(people[who]).get(url(order, "dispute")).status_code == expected, who


def test_report_a_problem_with_photos_under_the_brackets_name(shop):
    order = shop.delivered()

    response = client_for(shop.buyer).post(
        url(order, "report-problem"),
        {"reason": "wrong_item", "description": "Bukan pesanan saya.", "photos[]": [png()]},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert Dispute.objects.get(order=order).photos.count() == 1


def test_a_file_that_is_not_an_image_is_refused(shop):
    order = shop.delivered()
    before = state(order)
    text = SimpleUploadedFile("foto.png", b"not a picture at all", content_type="image/png")

    response = client_for(shop.buyer).post(
        url(order, "report-problem"),
        {"reason": "damaged", "description": "Rusak.", "photos": [png(), text]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert state(order) == before


def test_more_than_five_photos_are_refused(shop):
    order = shop.delivered()
    before = state(order)

    response = client_for(shop.buyer).post(
        url(order, "report-problem"),
        {
            "reason": "damaged",
            "description": "Rusak.",
            "photos": [png(f"{n}.png") for n in range(6)],
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert state(order) == before


def test_dispute_is_404_when_there_is_none(shop):
    order = shop.delivered()

    assert client_for(shop.buyer).get(url(order, "dispute")).status_code == 404


@pytest.mark.parametrize("amount, final", [(100_000, "partially_refunded"), (None, "refunded")])
def test_a_dispute_resolved_with_a_refund_stays_in_dispute_until_the_refund_succeeds(
    shop, amount, final
):
    order = disputed(shop)
    amount = amount or order.total_amount
    client_for(shop.manager).post(
        url(order, "dispute/respond"), {"response": "Kami minta maaf."}, format="json"
    )

    response = client_for(shop.platform).post(
        url(order, "dispute/resolve"),
        {"outcome": "refund", "amount": amount, "note": "Sebagian rusak."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_dispute"
    assert response.json()["next_actions"] == []
    order.refresh_from_db()
    assert order.status == "in_dispute"
    dispute = Dispute.objects.get(order=order)
    assert (dispute.outcome, dispute.refund_amount, dispute.resolved_by) == (
        "refund",
        amount,
        shop.platform,
    )
    assert dispute.seller_response == "Kami minta maaf."
    refund = Refund.objects.get(order=order)
    split = refund_split(
        amount=amount,
        goods_amount=order.goods_amount,
        shipping_amount=order.shipping_amount,
        ppn_amount=order.ppn_amount,
    )
    assert (refund.status, refund.reason, refund.total_amount) == ("requested", "dispute", amount)
    assert (refund.goods_amount, refund.shipping_amount, refund.ppn_amount) == (
        split.goods_amount,
        split.shipping_amount,
        split.ppn_amount,
    )
    assert OrderEvent.objects.filter(order=order).last().kind == "dispute_resolved"

    refund = shop.refund_ready(refund)
    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-9")

    order.refresh_from_db()
    assert order.status == final
    detail = client_for(shop.buyer).get(f"/api/v1/orders/{order.number}/").json()
    assert detail["status"] == final
    assert [(r["status"], r["total_amount"]) for r in detail["refunds"]] == [("succeeded", amount)]
    assert detail["refunds"][0]["succeeded_at"]


def test_a_dispute_resolved_without_refund_completes_the_order(shop):
    order = disputed(shop)

    response = client_for(shop.platform).post(
        url(order, "dispute/resolve"), {"outcome": "complete", "note": "Tidak terbukti."}
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "completed" and order.completed_at
    assert not Refund.objects.exists()
    seen = client_for(shop.owner).get(url(order, "dispute")).json()
    assert (seen["outcome"], seen["refund_amount"], seen["is_resolved"]) == ("complete", 0, True)
    assert seen["resolution_note"] == "Tidak terbukti."


def test_the_buyer_confirms_receipt_of_a_shipped_order(shop):
    order = shop.shipped()

    response = client_for(shop.buyer).post(url(order, "complete"), {}, format="json")

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "completed" and order.delivered_at and order.completed_at
    assert list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status"))[
        -2:
    ] == [("shipped", "delivered"), ("delivered", "completed")]


# --- What the order shows ---------------------------------------------------------------------


NEXT_ACTIONS = [
    ("place", "buyer", ["cancel"]),
    ("place", "owner", ["cancel"]),
    ("place", "staff", []),
    ("paid", "owner", ["accept", "cancel"]),
    ("paid", "staff", ["accept"]),
    ("paid", "platform", ["accept", "cancel"]),
    ("paid", "buyer", []),
    ("paid", "dinas", []),
    ("processing", "staff", ["ship"]),
    ("processing", "manager", ["ship", "cancel"]),
    ("shipped", "manager", ["deliver"]),
    ("shipped", "staff", []),
    ("shipped", "buyer", ["complete", "report_problem"]),
    ("delivered", "buyer", ["complete", "report_problem"]),
    ("delivered", "owner", []),
    ("disputed", "manager", ["dispute_respond"]),
    ("disputed", "platform", ["dispute_respond", "dispute_resolve"]),
    ("disputed", "buyer", []),
]


@pytest.mark.parametrize("step, who, actions", NEXT_ACTIONS)
def test_next_actions_are_the_moves_the_caller_may_make(shop, people, step, who, actions):
    order = disputed(shop) if step == "disputed" else getattr(shop, step)()

    detail = client_for(people[who]).get(f"/api/v1/orders/{order.number}/")

    assert detail.status_code == 200
    assert detail.json()["next_actions"] == actions


def test_the_detail_shows_the_timeline_with_names_not_e_mails(shop):
    order = shop.delivered()
    order_auto_complete(order_id=order.pk, now=order.delivered_at + datetime.timedelta(days=30))

    body = client_for(shop.buyer).get(f"/api/v1/orders/{order.number}/").json()

    assert body["status"] == "completed"
    assert body["status_display"]
    assert body["payment_terms"] == "prepaid"
    events = body["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "completed"),
    ]
    assert events[2]["actor_name"] == shop.staff.name
    assert events[4]["actor_name"] == shop.manager.name
    assert events[-1]["actor_name"] not in {"", shop.buyer.name}  # the system
    assert all("@" not in e["actor_name"] for e in events)
    assert all(e["kind"] == "status" and e["created_at"] for e in events)
