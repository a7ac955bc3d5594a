"""The order lifecycle pages: the buyer's order page (cancel while unpaid, confirm receipt,
report a problem with photos), the Posyantek's order desk (list with the one next action,
the order's page with every action the role allows), the staff dispute desk (resolve, record
the refund) and the private problem photos. Each test checks the answer and the database.

Assertions use status codes, data attributes and the database, not wording (translations
come later)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import Organization, Role
from marketplace.models import Product
from orders.models import Dispute, DisputePhoto, Order, OrderEvent, Payment, Refund
from orders.services.disputes import dispute_resolve, order_report_problem
from orders.services.lifecycle import order_accept
from orders.services.payments import payment_mark_paid
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def jpeg(name: str = "rusak.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def detail(order: Order) -> str:
    return reverse("orders:order_detail", args=[order.number])


def desk(shop) -> str:
    return reverse("orders:desk", args=[shop.seller.slug])


def desk_detail(order: Order) -> str:
    return reverse("orders:desk_detail", args=[order.seller.slug, order.number])


def staff_review(order: Order) -> str:
    return reverse("order-staff:dispute-review", args=[order.number])


def as_user(client, user):
    client.force_login(user)
    return client


def dinas_user(shop):
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="36.72")
    user = UserFactory()
    MembershipFactory(user=user, organization=dinas, role=Role.STAFF)
    return user


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_urls_reverse():
    assert reverse("orders:desk", args=["pwk"]) == "/organisasi/pwk/pesanan/"
    assert reverse("orders:desk_detail", args=["pwk", "MT-1"]) == "/organisasi/pwk/pesanan/MT-1/"
    assert reverse("orders:problem_report", args=["MT-1"]) == "/pesanan/MT-1/masalah/"
    assert reverse("orders:problem_photo", args=["MT-1", 3]) == "/pesanan/MT-1/masalah/foto/3/"
    assert reverse("order-staff:dispute-queue") == "/staf/sengketa/"
    assert reverse("order-staff:dispute-review", args=["MT-1"]) == "/staf/sengketa/MT-1/"


# --- Buyer ------------------------------------------------------------------------------------


def test_buyer_list_filters_by_status_tab(client, shop):
    unpaid = shop.place()
    paid = shop.paid()
    as_user(client, shop.buyer)
    response = client.get(reverse("orders:order_list") + "?tab=unpaid")
    assert response.status_code == 200
    numbers = [order.number for order in response.context["page"].object_list]
    assert numbers == [unpaid.number]
    response = client.get(reverse("orders:order_list") + "?tab=active")
    assert [order.number for order in response.context["page"].object_list] == [paid.number]
    response = client.get(reverse("orders:order_list") + "?tab=nonsense")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_buyer_cancels_an_unpaid_order(client, shop):
    order = shop.place(quantity=3)
    stock = Product.objects.get(pk=shop.product.pk).stock
    as_user(client, shop.buyer)
    page = client.get(detail(order))
    assert page.status_code == 200
    assert b'name="action" value="cancel"' in page.content
    response = client.post(detail(order), {"action": "cancel", "reason": "Salah pesan"})
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.CANCELLED
    assert Payment.objects.get(pk=order.payment_id).status == Payment.Status.CANCELLED
    assert Product.objects.get(pk=shop.product.pk).stock == stock + 3


def test_buyer_cannot_cancel_a_paid_order_and_sees_why(client, shop):
    order = shop.paid()
    as_user(client, shop.buyer)
    response = client.post(detail(order), {"action": "cancel", "reason": "Berubah pikiran"})
    assert response.status_code == 403
    assert response.context["error"]
    assert fresh(order).status == Order.Status.PAID
    assert not Refund.objects.exists()


def test_buyer_confirms_receipt_of_a_shipped_order(client, shop):
    order = shop.shipped()
    as_user(client, shop.buyer)
    page = client.get(detail(order))
    assert b'data-status="shipped"' in page.content
    assert b'data-testid="confirm-receipt"' in page.content
    response = client.post(detail(order), {"action": "complete"})
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.COMPLETED
    moves = list(order.events.values_list("to_status", flat=True))
    assert moves[-2:] == [Order.Status.DELIVERED, Order.Status.COMPLETED]


def test_confirming_receipt_twice_is_a_conflict_not_an_error(client, shop):
    order = shop.shipped()
    as_user(client, shop.buyer)
    client.post(detail(order), {"action": "complete"})
    events = OrderEvent.objects.filter(order=order).count()
    response = client.post(detail(order), {"action": "complete"})
    assert response.status_code == 409
    assert response.context["error_action"] == "complete"
    assert OrderEvent.objects.filter(order=order).count() == events


def test_completed_order_lines_link_to_reviews(client, shop):
    order = shop.shipped()
    as_user(client, shop.buyer)
    before = client.get(detail(order))
    client.post(detail(order), {"action": "complete"})
    response = client.get(detail(order))

    assert b'data-testid="review-link"' not in before.content
    assert response.status_code == 200
    url = reverse("orders:product-reviews", args=[shop.product.slug])
    assert f'data-testid="review-link" href="{url}"'.encode() in response.content


def test_buyer_page_links_to_the_posyantek_on_whatsapp(client, shop):
    order = shop.place()
    as_user(client, shop.buyer)
    response = client.get(detail(order))
    assert f"https://wa.me/{shop.seller.whatsapp}?text=".encode() in response.content
    assert order.number.encode() in response.content


def test_buyer_reports_a_problem_with_photos(client, shop):
    order = shop.shipped()
    as_user(client, shop.buyer)
    url = reverse("orders:problem_report", args=[order.number])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reason": Dispute.Reason.DAMAGED,
            "description": "Karung sobek, pakan basah.",
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.IN_DISPUTE
    dispute = Dispute.objects.get(order=order)
    assert dispute.reason == Dispute.Reason.DAMAGED
    assert dispute.photos.count() == 2
    page = client.get(detail(order))
    assert b'id="dispute"' in page.content
    assert page.context["dispute_photos"] and len(page.context["dispute_photos"]) == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "", "description": "Rusak"}, "reason"),
        ({"reason": "damaged", "description": ""}, "description"),
        ({"reason": "nonsense", "description": "Rusak"}, "reason"),
    ],
)
def test_a_bad_problem_report_shows_the_error_and_changes_nothing(client, shop, data, field):
    order = shop.shipped()
    as_user(client, shop.buyer)
    response = client.post(reverse("orders:problem_report", args=[order.number]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert fresh(order).status == Order.Status.SHIPPED
    assert not Dispute.objects.exists()


def test_too_many_or_fake_photos_are_refused(client, shop):
    order = shop.shipped()
    as_user(client, shop.buyer)
    url = reverse("orders:problem_report", args=[order.number])
    data = {"reason": "damaged", "description": "Rusak"}
    response = client.post(url, {**data, "photos": [jpeg(f"{n}.jpg") for n in range(6)]})
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(url, {**data, "photos": [fake]})
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert fresh(order).status == Order.Status.SHIPPED
    assert not Dispute.objects.exists()


def test_problem_report_page_is_404_for_others(client, shop):
    order = shop.shipped()
    as_user(client, shop.stranger)
    assert client.get(reverse("orders:problem_report", args=[order.number])).status_code == 404
    as_user(client, shop.owner)  # the seller sees the order, but does not report problems
    url = reverse("orders:problem_report", args=[order.number])
    assert client.post(url, {"reason": "damaged", "description": "x"}).status_code == 404
    assert fresh(order).status == Order.Status.SHIPPED


# --- Problem photos ---------------------------------------------------------------------------


def disputed(shop) -> Order:
    order = shop.delivered()
    order_report_problem(
        order=order,
        actor=shop.buyer,
        reason=Dispute.Reason.DAMAGED,
        description="Karung sobek.",
        photos=[jpeg()],
    )
    return fresh(order)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("buyer", 200),
        ("owner", 200),
        ("staff", 200),
        ("platform", 200),
        ("stranger", 404),
        ("dinas", 404),
    ],
)
def test_problem_photos_are_private(client, shop, who, status):
    order = disputed(shop)
    photo = DisputePhoto.objects.get(dispute__order=order)
    user = dinas_user(shop) if who == "dinas" else getattr(shop, who)
    as_user(client, user)
    response = client.get(reverse("orders:problem_photo", args=[order.number, photo.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_a_photo_of_another_order_is_404(client, shop):
    order = disputed(shop)
    other = shop.place()
    photo = DisputePhoto.objects.get(dispute__order=order)
    as_user(client, shop.buyer)
    response = client.get(reverse("orders:problem_photo", args=[other.number, photo.pk]))
    assert response.status_code == 404


def test_anonymous_visitors_cannot_see_photos(client, shop):
    order = disputed(shop)
    photo = DisputePhoto.objects.get(dispute__order=order)
    response = client.get(reverse("orders:problem_photo", args=[order.number, photo.pk]))
    assert response.status_code == 302  # to the login page


# --- The Posyantek's order desk ---------------------------------------------------------------


def test_desk_shows_paid_orders_to_process_with_the_accept_action(client, shop):
    shop.place()  # unpaid: not to process
    paid = shop.paid()
    as_user(client, shop.staff)
    response = client.get(desk(shop))
    assert response.status_code == 200
    assert response.context["tab"].key == "todo"
    rows = response.context["rows"]
    assert [(row["order"].number, row["action"]) for row in rows] == [(paid.number, "accept")]
    assert b'data-action="accept"' in response.content
    counts = {tab.key: tab.count for tab in response.context["tabs"]}
    assert counts["todo"] == 1 and counts["all"] == 2


def test_desk_accept_from_the_list_goes_back_to_the_list(client, shop):
    order = shop.paid()
    as_user(client, shop.staff)
    response = client.post(desk_detail(order), {"action": "accept", "back": "list", "tab": "todo"})
    assert response.status_code == 302
    assert response["Location"] == desk(shop) + "?tab=todo"
    order = fresh(order)
    assert order.status == Order.Status.PROCESSING
    assert order.accepted_at is not None
    assert order.events.last().actor == shop.staff


def test_staff_member_ships_but_may_not_mark_delivered(client, shop):
    order = shop.processing()
    as_user(client, shop.staff)
    page = client.get(desk_detail(order))
    assert page.context["can_ship"] and not page.context["can_cancel"]
    response = client.post(desk_detail(order), {"action": "ship", "note": "Diantar sore"})
    assert response.status_code == 302
    assert fresh(order).status == Order.Status.SHIPPED
    page = client.get(desk_detail(order))
    assert not page.context["can_deliver"]
    response = client.post(desk_detail(order), {"action": "deliver"})
    assert response.status_code == 403
    assert response.context["error_action"] == "deliver"
    assert fresh(order).status == Order.Status.SHIPPED


def test_manager_marks_delivered_from_the_list(client, shop):
    order = shop.shipped()
    as_user(client, shop.manager)
    rows = client.get(desk(shop) + "?tab=shipped").context["rows"]
    assert [row["action"] for row in rows] == ["deliver"]
    response = client.post(desk_detail(order), {"action": "deliver", "back": "list"})
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.DELIVERED and order.delivered_at


def test_shipping_a_courier_order_without_tracking_is_refused_and_changes_nothing(client, shop):
    order = shop.processing()
    Order.objects.filter(pk=order.pk).update(shipping_method="courier")
    as_user(client, shop.staff)
    response = client.post(desk_detail(order), {"action": "ship", "carrier": "JNE"})
    assert response.status_code == 400
    form = response.context["ship_form"]
    assert "tracking_number" in form.errors
    order = fresh(order)
    assert order.status == Order.Status.PROCESSING
    assert order.carrier == "" and order.tracking_number == ""
    response = client.post(
        desk_detail(order),
        {"action": "ship", "carrier": "JNE", "tracking_number": "JNE 0012 3456"},
    )
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.SHIPPED
    assert (order.carrier, order.tracking_number) == ("JNE", "JNE00123456")
    as_user(client, shop.buyer)
    page = client.get(detail(order))
    assert b"JNE00123456" in page.content


def test_manager_cancels_a_paid_order_with_a_reason_and_a_refund_is_requested(client, shop):
    order = shop.paid()
    as_user(client, shop.manager)
    response = client.post(desk_detail(order), {"action": "cancel", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["cancel_form"].errors
    assert fresh(order).status == Order.Status.PAID
    response = client.post(desk_detail(order), {"action": "cancel", "reason": "Bahan habis"})
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.CANCELLED
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.REQUESTED
    assert refund.total_amount == order.total_amount


def test_staff_member_may_not_cancel_a_paid_order(client, shop):
    order = shop.paid()
    as_user(client, shop.staff)
    response = client.post(desk_detail(order), {"action": "cancel", "reason": "Bahan habis"})
    assert response.status_code == 403
    assert fresh(order).status == Order.Status.PAID
    assert not Refund.objects.exists()


def test_illegal_move_is_a_conflict(client, shop):
    order = shop.place()  # not paid yet
    as_user(client, shop.owner)
    response = client.post(desk_detail(order), {"action": "accept"})
    assert response.status_code == 409
    assert response.context["error"]
    assert fresh(order).status == Order.Status.PENDING_PAYMENT


def test_unknown_action_is_400(client, shop):
    order = shop.paid()
    as_user(client, shop.owner)
    assert client.post(desk_detail(order), {"action": "explode"}).status_code == 400
    assert fresh(order).status == Order.Status.PAID


def test_manager_answers_a_problem_report(client, shop):
    order = disputed(shop)
    as_user(client, shop.manager)
    rows = client.get(desk(shop) + "?tab=dispute").context["rows"]
    assert [row["action"] for row in rows] == ["answer"]
    page = client.get(desk_detail(order))
    assert page.context["can_answer"]
    assert len(page.context["dispute_photos"]) == 1
    response = client.post(desk_detail(order), {"action": "answer", "response": ""})
    assert response.status_code == 400
    response = client.post(
        desk_detail(order), {"action": "answer", "response": "Kami kirim ganti besok."}
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(order=order)
    assert dispute.seller_response == "Kami kirim ganti besok."
    assert dispute.responded_by == shop.manager


def test_desk_detail_shows_the_buyer_whatsapp(client, shop):
    order = shop.paid()
    as_user(client, shop.staff)
    response = client.get(desk_detail(order))
    assert response.context["buyer_whatsapp"].startswith("https://wa.me/6281234567890?text=")


def test_dinas_in_jurisdiction_sees_the_desk_without_buttons(client, shop):
    order = disputed(shop)
    paid = shop.paid()
    as_user(client, dinas_user(shop))
    response = client.get(desk(shop) + "?tab=all")
    assert response.status_code == 200
    assert all(row["action"] == "" for row in response.context["rows"])
    assert b'data-testid="desk-action"' not in response.content
    page = client.get(desk_detail(paid))
    assert page.status_code == 200
    for name in ("can_accept", "can_ship", "can_deliver", "can_cancel", "can_answer"):
        assert not page.context[name]
    assert b'name="action"' not in page.content
    # A dinas sees the order, not the problem report.
    page = client.get(desk_detail(order))
    assert page.context["dispute"] is None
    # And a post is refused by the service.
    response = client.post(desk_detail(paid), {"action": "accept"})
    assert response.status_code == 403
    assert fresh(paid).status == Order.Status.PAID


def test_dinas_outside_the_jurisdiction_gets_404(client, shop):
    order = shop.paid()
    dinas = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, jurisdiction="31")
    user = UserFactory()
    MembershipFactory(user=user, organization=dinas)
    as_user(client, user)
    assert client.get(desk(shop)).status_code == 404
    assert client.get(desk_detail(order)).status_code == 404


def test_strangers_and_buyers_get_404_on_the_desk(client, shop):
    order = shop.paid()
    for user in (shop.stranger, shop.buyer):
        as_user(client, user)
        assert client.get(desk(shop)).status_code == 404
        assert client.get(desk_detail(order)).status_code == 404
        assert client.post(desk_detail(order), {"action": "accept"}).status_code == 404
    assert fresh(order).status == Order.Status.PAID
    assert client.get("/organisasi/tidak-ada/pesanan/").status_code == 404


def test_an_order_of_another_posyantek_is_404_on_this_desk(client, shop):
    order = shop.paid()
    other = OrganizationFactory()
    MembershipFactory(user=shop.owner, organization=other)
    as_user(client, shop.owner)
    url = reverse("orders:desk_detail", args=[other.slug, order.number])
    assert client.get(url).status_code == 404


def test_platform_staff_may_act_on_the_desk(client, shop):
    order = shop.paid()
    as_user(client, shop.platform)
    assert client.get(desk(shop)).status_code == 200
    assert client.post(desk_detail(order), {"action": "accept"}).status_code == 302
    assert fresh(order).status == Order.Status.PROCESSING


def test_desk_list_query_count_does_not_grow_with_orders(client, shop):
    def paid_orders(count: int) -> None:
        for _ in range(count):
            order = shop.place(quantity=1)
            payment_mark_paid(payment=order.payment, actor=shop.platform)

    as_user(client, shop.owner)
    paid_orders(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(desk(shop)).status_code == 200
    paid_orders(12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(desk(shop))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The staff dispute desk -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "buyer", "owner", "stranger", "dinas"])
def test_dispute_desk_is_404_for_everyone_but_platform_staff(client, shop, who):
    order = disputed(shop)
    if who != "anonymous":
        as_user(client, dinas_user(shop) if who == "dinas" else getattr(shop, who))
    assert client.get(reverse("order-staff:dispute-queue")).status_code == 404
    assert client.get(staff_review(order)).status_code == 404
    response = client.post(
        staff_review(order),
        {"action": "resolve", "resolve-outcome": "complete", "resolve-note": "x"},
    )
    assert response.status_code == 404
    assert fresh(order).status == Order.Status.IN_DISPUTE


def test_dispute_desk_lists_open_disputes_oldest_first(client, shop):
    first = disputed(shop)
    second = disputed(shop)
    as_user(client, shop.platform)
    response = client.get(reverse("order-staff:dispute-queue"))
    assert response.status_code == 200
    numbers = [dispute.order.number for dispute in response.context["page"].object_list]
    assert numbers == [first.number, second.number]


def test_staff_review_page_for_an_order_without_dispute_is_404(client, shop):
    order = shop.paid()
    as_user(client, shop.platform)
    assert client.get(staff_review(order)).status_code == 404


def test_staff_resolve_without_refund_completes_the_order(client, shop):
    order = disputed(shop)
    as_user(client, shop.platform)
    page = client.get(staff_review(order))
    assert page.status_code == 200
    assert page.context["resolve_form"]["amount"].value() == order.total_amount
    response = client.post(
        staff_review(order),
        {"action": "resolve", "resolve-outcome": "complete", "resolve-note": "Foto tidak jelas."},
    )
    assert response.status_code == 302
    assert fresh(order).status == Order.Status.COMPLETED
    dispute = Dispute.objects.get(order=order)
    assert dispute.outcome == Dispute.Outcome.COMPLETE and dispute.is_resolved


def test_staff_resolve_with_a_refund_then_records_it(client, shop):
    order = disputed(shop)
    as_user(client, shop.platform)
    response = client.post(
        staff_review(order),
        {
            "action": "resolve",
            "resolve-outcome": "refund",
            "resolve-amount": "100000",
            "resolve-note": "Sebagian rusak.",
        },
    )
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Order.Status.IN_DISPUTE  # until the money is back
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.REQUESTED and refund.total_amount == 100_000
    listed = client.get(reverse("order-staff:dispute-queue")).context["awaiting_refund"]
    assert [dispute.order_id for dispute in listed] == [order.pk]
    page = client.get(staff_review(order))
    assert page.context["open_refund"] == refund
    # No account yet: the desk says so instead of offering to record a transfer.
    assert b'id="refund-waiting-account"' in page.content
    assert b'id="refund-form"' not in page.content
    refund = shop.refund_ready(refund)  # submitted, and the buyer gave an account
    page = client.get(staff_review(order))
    assert b'id="refund-form"' in page.content
    assert refund.account_number.encode() in page.content
    response = client.post(staff_review(order), {"action": "refund_succeeded"})
    assert response.status_code == 400
    assert "reference" in response.context["refund_form"].errors
    response = client.post(
        staff_review(order),
        {"action": "refund_succeeded", "refund-reference": "BCA-778899"},
    )
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_reference == "BCA-778899"
    assert fresh(order).status == Order.Status.PARTIALLY_REFUNDED
    as_user(client, shop.buyer)
    page = client.get(detail(order))
    assert page.context["dispute"].refund_amount == 100_000


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"resolve-outcome": "refund", "resolve-note": "x"}, "amount"),
        ({"resolve-outcome": "refund", "resolve-amount": "0", "resolve-note": "x"}, "amount"),
        (
            {"resolve-outcome": "refund", "resolve-amount": "999999999", "resolve-note": "x"},
            "amount",
        ),
        ({"resolve-outcome": "refund", "resolve-amount": "12.5", "resolve-note": "x"}, "amount"),
        ({"resolve-outcome": "complete", "resolve-note": ""}, "note"),
        ({"resolve-outcome": "maybe", "resolve-note": "x"}, "outcome"),
    ],
)
def test_bad_resolution_input_is_400_and_changes_nothing(client, shop, data, field):
    order = disputed(shop)
    as_user(client, shop.platform)
    response = client.post(staff_review(order), {"action": "resolve", **data})
    assert response.status_code == 400
    assert field in response.context["resolve_form"].errors
    assert fresh(order).status == Order.Status.IN_DISPUTE
    assert not Dispute.objects.get(order=order).is_resolved
    assert not Refund.objects.exists()


def test_resolving_twice_is_a_conflict(client, shop):
    order = disputed(shop)
    dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=5_000, note="x")
    as_user(client, shop.platform)
    page = client.get(staff_review(order))
    assert not page.context["can_resolve"]
    response = client.post(
        staff_review(order),
        {"action": "resolve", "resolve-outcome": "complete", "resolve-note": "lagi"},
    )
    assert response.status_code == 409
    assert Refund.objects.filter(order=order).count() == 1
    assert Dispute.objects.get(order=order).outcome == Dispute.Outcome.REFUND


def test_buyer_page_shows_the_resolution(client, shop):
    order = disputed(shop)
    dispute_resolve(order=order, actor=shop.platform, outcome="complete", note="Sudah sesuai.")
    as_user(client, shop.buyer)
    response = client.get(detail(order))
    assert b'data-outcome="complete"' in response.content
    assert b'data-status="completed"' in response.content


def test_order_timeline_names_the_system_for_automatic_moves(client, shop):
    order = shop.paid()
    order_accept(order=order, actor=shop.staff)
    OrderEvent.objects.filter(order=order, to_status=Order.Status.PAID).update(actor=None)
    as_user(client, shop.buyer)
    rows = client.get(detail(order)).context["timeline"]
    assert [row["event"].to_status for row in rows][-2:] == ["paid", "processing"]
    assert rows[-2]["who"]  # "System", translated
    assert rows[-1]["who"] == (shop.staff.name or shop.seller.name)
