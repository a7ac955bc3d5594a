"""The seller's product pages: every page with success, anonymous, another organisation's
member, too low a role, platform staff (hide only) and bad input — asserting the status, the
redirect and the database (never the English or Indonesian wording)."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import Organization, Role
from core.templatetags.money import rupiah
from marketplace.models import (
    Certification,
    Product,
    ProductEvent,
    ProductImage,
    StockMovement,
)
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BACKEND = "accounts.backends.EmailBackend"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def jpeg(name: str = "foto.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def fake_jpeg() -> SimpleUploadedFile:
    """A PDF that claims to be a photo."""
    return SimpleUploadedFile("foto.jpg", PDF, content_type="image/jpeg")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert f"next={path}" in response.url


@pytest.fixture
def people(seller):
    """Clients for an owner, a manager and a staff member of `seller`, an owner of another
    Posyantek, a stranger, platform staff and an anonymous visitor."""
    other = OrganizationFactory(name="Posyantek Lain", slug="posyantek-lain", code="LAIN")
    users = {
        "owner": MembershipFactory(organization=seller, role=Role.OWNER).user,
        "manager": MembershipFactory(organization=seller, role=Role.MANAGER).user,
        "staff": MembershipFactory(organization=seller, role=Role.STAFF).user,
        "other_owner": MembershipFactory(organization=other, role=Role.OWNER).user,
        "stranger": UserFactory(),
        "platform": UserFactory(is_staff=True),
        "anonymous": None,
    }
    return {name: client_for(user) for name, user in users.items()} | {"users": users}


@pytest.fixture
def draft(seller, category):
    return ProductFactory(
        seller=seller,
        category=category,
        name="Pakan Ternak dari Ampas Tahu",
        slug="pakan-ternak-dari-ampas-tahu-pwk",
        selling_unit="karung 50 kg",
        weight_per_unit_kg="50.000",
        price_amount=150_000,
        stock=20,
        status="draft",
        published_at=None,
    )


def snapshot(product: Product) -> dict:
    product.refresh_from_db()
    return {
        "product": {f.name: getattr(product, f.name) for f in Product._meta.concrete_fields},
        "images": ProductImage.objects.count(),
        "certifications": Certification.objects.count(),
        "movements": StockMovement.objects.count(),
        "events": ProductEvent.objects.count(),
    }


def manage_url(product: Product) -> str:
    return reverse("marketplace:manage", args=[product.slug])


def post_action(client: Client, product: Product, action: str, **data):
    return client.post(manage_url(product), {"action": action, **data})


def product_form_data(in_category, /, **overrides) -> dict:
    data = {
        "name": "Mesin Pencacah Rumput",
        "kind": "ttg_tool",
        "category": in_category.pk,
        "description": "Mencacah rumput gajah untuk pakan sapi dan kambing.",
        "selling_unit": "unit",
        "price_amount": "4.500.000",
        "minimum_order": "1",
        "order_step": "1",
        "weight_per_unit_kg": "45,5",
        "availability": "stock",
        "stock": "3",
        "lead_time_days": "",
        "monthly_capacity": "",
        "output_quantity_kg": "",
        "output_period": "",
        "specs": "Kapasitas: 200 kg/jam\nMesin: bensin 6,5 PK",
        "innovator": "",
        "awards": "",
        "patent_number": "",
    }
    return {**data, **overrides}


# --- Money ------------------------------------------------------------------------------------


def test_rupiah_is_shown_with_dots_between_thousands():
    assert rupiah(1_500_000) == "Rp 1.500.000"
    assert rupiah(0) == "Rp 0"
    assert rupiah(999) == "Rp 999"
    assert rupiah(None) == ""


# --- Product desk of an organisation ----------------------------------------------------------


def test_desk_lists_all_of_the_organisations_products_for_members_and_staff(people, seller, draft):
    published = ProductFactory(seller=seller, name="Alat Pengering Ikan", price_amount=1_500_000)
    hidden = ProductFactory(seller=seller, status="hidden", hidden_reason="Foto tidak sesuai")
    foreign = ProductFactory(seller=OrganizationFactory())
    url = reverse("marketplace:desk", args=[seller.slug])
    for who in ("owner", "manager", "staff", "platform"):
        response = people[who].get(url)
        assert response.status_code == 200, who
        shown = {product.pk for product in response.context["page"].object_list}
        assert shown == {draft.pk, published.pk, hidden.pk}, who
        assert foreign.pk not in shown
    body = people["manager"].get(url).content.decode()
    assert "Rp 1.500.000" in body
    assert reverse("marketplace:manage", args=[published.slug]) in body
    assert reverse("marketplace:create", args=[seller.slug]) in body
    # Members who cannot manage are not offered the new-product form.
    assert (
        reverse("marketplace:create", args=[seller.slug])
        not in people["staff"].get(url).content.decode()
    )


def test_desk_filters_by_status(people, seller, draft):
    published = ProductFactory(seller=seller)
    url = reverse("marketplace:desk", args=[seller.slug])
    response = people["manager"].get(url, {"status": "published"})
    assert [product.pk for product in response.context["page"].object_list] == [published.pk]
    response = people["manager"].get(url, {"status": "draft"})
    assert [product.pk for product in response.context["page"].object_list] == [draft.pk]
    # A made-up status is ignored, not an error.
    response = people["manager"].get(url, {"status": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_desk_is_hidden_from_everyone_else(people, seller, draft):
    url = reverse("marketplace:desk", args=[seller.slug])
    assert_login_redirect(people["anonymous"].get(url), url)
    assert people["other_owner"].get(url).status_code == 404
    assert people["stranger"].get(url).status_code == 404
    assert people["manager"].get(reverse("marketplace:desk", args=["tidak-ada"])).status_code == 404


def test_desk_query_count_does_not_grow_with_the_products(
    people, seller, category, django_assert_max_num_queries
):
    url = reverse("marketplace:desk", args=[seller.slug])
    client = people["manager"]
    client.get(url)  # warm up the session and the content types

    def queries_for(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    ProductFactory.create_batch(2, seller=seller, category=category)
    few = queries_for(2)
    for product in ProductFactory.create_batch(8, seller=seller, category=category):
        ProductImage.objects.create(product=product, image="a.jpg", thumbnail="a-thumb.jpg")
    many = queries_for(10)
    assert many == few
    with django_assert_max_num_queries(10):
        client.get(url)


# --- Add a product with a photo in one form ---------------------------------------------------


def test_manager_adds_a_product_with_a_photo_in_one_form(people, seller, category):
    url = reverse("marketplace:create", args=[seller.slug])
    assert people["manager"].get(url).status_code == 200
    response = people["manager"].post(url, {**product_form_data(category), "photo": jpeg()})

    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == manage_url(product)
    assert product.seller == seller
    assert product.status == Product.Status.DRAFT
    assert product.price_amount == 4_500_000
    assert str(product.weight_per_unit_kg) == "45.500"
    assert product.specs == [
        {"key": "Kapasitas", "value": "200 kg/jam"},
        {"key": "Mesin", "value": "bensin 6,5 PK"},
    ]
    assert product.stock == 3
    assert StockMovement.objects.get(product=product).delta == 3
    image = product.images.get()
    assert image.thumbnail.name and image.image.name
    # The desk page it lands on shows it.
    assert people["manager"].get(response.url).status_code == 200


@pytest.mark.parametrize("price", ["15000", "15.000", "Rp 15.000", "rp15.000", " 15 000 "])
def test_price_is_accepted_as_a_person_types_it(people, seller, category, price):
    url = reverse("marketplace:create", args=[seller.slug])
    response = people["owner"].post(url, product_form_data(category, price_amount=price))
    assert response.status_code == 302
    assert Product.objects.get().price_amount == 15_000


def test_made_to_order_and_recurring_output_keep_their_own_fields(people, seller, category):
    url = reverse("marketplace:create", args=[seller.slug])
    people["manager"].post(
        url,
        product_form_data(
            category,
            name="Digester Biogas",
            availability="made_to_order",
            lead_time_days="14",
            monthly_capacity="4",
            stock="",
        ),
    )
    people["manager"].post(
        url,
        product_form_data(
            category,
            name="Ampas Tahu Basah",
            kind="byproduct",
            selling_unit="karung 50 kg",
            weight_per_unit_kg="50",
            availability="recurring_output",
            output_quantity_kg="500",
            output_period="day",
            stock="",
        ),
    )
    biogas = Product.objects.get(name="Digester Biogas")
    assert (biogas.availability, biogas.lead_time_days, biogas.monthly_capacity) == (
        "made_to_order",
        14,
        4,
    )
    ampas = Product.objects.get(name="Ampas Tahu Basah")
    assert (ampas.availability, ampas.output_quantity_kg, ampas.output_period) == (
        "recurring_output",
        500,
        "day",
    )
    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price_amount": "abc"}, "price_amount"),
        ({"price_amount": "-5000"}, "price_amount"),
        ({"price_amount": "15,5"}, "price_amount"),
        ({"order_step": "0"}, "order_step"),
        ({"minimum_order": "0"}, "minimum_order"),
        ({"name": ""}, "name"),
        ({"kind": "senjata"}, "kind"),
        ({"category": "999999"}, "category"),
        ({"weight_per_unit_kg": "berat"}, "weight_per_unit_kg"),
        ({"availability": "kadang"}, "availability"),
        ({"specs": "tanpa titik dua"}, "specs"),
        ({"stock": "-1"}, "stock"),
    ],
)
def test_bad_input_re_renders_the_form_and_creates_nothing(
    people, seller, category, changes, field
):
    url = reverse("marketplace:create", args=[seller.slug])
    response = people["manager"].post(
        url, {**product_form_data(category, **changes), "photo": jpeg()}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Product.objects.count() == 0
    assert ProductImage.objects.count() == 0


def test_a_photo_that_is_not_a_photo_leaves_nothing_behind(people, seller, category):
    url = reverse("marketplace:create", args=[seller.slug])
    response = people["manager"].post(url, {**product_form_data(category), "photo": fake_jpeg()})
    assert response.status_code == 400
    assert "photo" in response.context["form"].errors
    assert Product.objects.count() == 0
    assert StockMovement.objects.count() == 0
    assert ProductEvent.objects.count() == 0


def test_unverified_posyantek_may_add_drafts(people, seller, category):
    Organization.objects.filter(pk=seller.pk).update(
        verification_status=Organization.VerificationStatus.UNVERIFIED
    )
    url = reverse("marketplace:create", args=[seller.slug])
    response = people["manager"].post(url, product_form_data(category))
    assert response.status_code == 302
    assert Product.objects.get().status == Product.Status.DRAFT


def test_only_owners_and_managers_add_products(people, seller, category):
    url = reverse("marketplace:create", args=[seller.slug])
    data = product_form_data(category)
    assert_login_redirect(people["anonymous"].post(url, data), url)
    for who in ("staff", "platform"):
        assert people[who].get(url).status_code == 403, who
        assert people[who].post(url, data).status_code == 403, who
    for who in ("other_owner", "stranger"):
        assert people[who].get(url).status_code == 404, who
        assert people[who].post(url, data).status_code == 404, who
    assert Product.objects.count() == 0


def test_a_non_posyantek_cannot_add_products(people, category):
    company = OrganizationFactory(kind=Organization.Kind.INDUSTRY, slug="pt-maju", code="PTM")
    owner = MembershipFactory(organization=company, role=Role.OWNER).user
    url = reverse("marketplace:create", args=[company.slug])
    assert client_for(owner).post(url, product_form_data(category)).status_code == 403
    assert Product.objects.count() == 0


# --- The desk of one product ------------------------------------------------------------------


def test_product_desk_shows_the_product_to_its_members_and_staff(people, draft):
    url = manage_url(draft)
    for who in ("owner", "manager", "staff", "platform"):
        response = people[who].get(url)
        assert response.status_code == 200, who
    assert people["manager"].get(url).context["may_manage"] is True
    staff_page = people["staff"].get(url)
    assert staff_page.context["may_manage"] is False
    assert 'name="action" value="save"' not in staff_page.content.decode()
    platform_page = people["platform"].get(url).content.decode()
    assert 'value="hide"' in platform_page and 'value="save"' not in platform_page
    assert_login_redirect(people["anonymous"].get(url), url)
    assert people["other_owner"].get(url).status_code == 404
    assert people["stranger"].get(url).status_code == 404


def test_product_desk_of_a_published_product_is_still_private(people, seller):
    product = ProductFactory(seller=seller)
    assert people["stranger"].get(manage_url(product)).status_code == 404
    assert people["other_owner"].get(manage_url(product)).status_code == 404


def test_manager_edits_the_fields(people, draft, category):
    data = product_form_data(category, name="Pakan Ternak Ampas Tahu", price_amount="160.000")
    response = post_action(people["manager"], draft, "save", **data)
    assert response.status_code == 302 and response.url == manage_url(draft)
    draft.refresh_from_db()
    assert (draft.name, draft.price_amount) == ("Pakan Ternak Ampas Tahu", 160_000)
    assert draft.slug == "pakan-ternak-dari-ampas-tahu-pwk"  # links keep working


def test_editing_with_bad_input_changes_nothing(people, draft, category):
    before = snapshot(draft)
    for changes in ({"price_amount": "abc"}, {"order_step": "0"}, {"price_amount": "-1"}):
        response = post_action(
            people["manager"], draft, "save", **product_form_data(category, **changes)
        )
        assert response.status_code == 400
        assert set(changes) <= set(response.context["product_form"].errors)
    assert snapshot(draft) == before


def test_a_published_product_must_stay_complete(people, seller, category):
    product = ProductFactory(seller=seller, category=category)
    before = snapshot(product)
    data = product_form_data(category, price_amount="0")
    response = post_action(people["manager"], product, "save", **data)
    assert response.status_code == 400
    assert "price_amount" in response.context["product_form"].errors
    assert snapshot(product) == before


@pytest.mark.parametrize("who", ["staff", "platform", "other_owner", "stranger", "anonymous"])
def test_others_cannot_change_a_product(people, draft, category, who):
    before = snapshot(draft)
    client = people[who]
    attempts = [
        ("save", product_form_data(category, name="Diubah")),
        ("publish", {}),
        ("archive", {}),
        ("stock", {"stock": "99"}),
        ("certificate_add", {"type": "pirt", "number": "123"}),
        ("guide_remove", {}),
    ]
    expected = {"staff": 403, "platform": 403, "other_owner": 404, "stranger": 404}
    for action, data in attempts:
        response = post_action(client, draft, action, **data)
        if who == "anonymous":
            assert_login_redirect(response, manage_url(draft))
        else:
            assert response.status_code == expected[who], (who, action)
    assert snapshot(draft) == before


def test_publish_back_to_draft_and_archive(people, draft):
    url = manage_url(draft)
    response = post_action(people["manager"], draft, "publish")
    assert response.status_code == 302 and response.url == url
    draft.refresh_from_db()
    assert draft.status == Product.Status.PUBLISHED and draft.published_at
    post_action(people["owner"], draft, "unpublish")
    draft.refresh_from_db()
    assert draft.status == Product.Status.DRAFT
    post_action(people["manager"], draft, "archive")
    draft.refresh_from_db()
    assert draft.status == Product.Status.ARCHIVED
    assert list(
        ProductEvent.objects.filter(product=draft, kind="status").values_list(
            "from_status", "to_status"
        )
    ) == [("draft", "published"), ("published", "draft"), ("draft", "archived")]


def test_an_unverified_posyantek_cannot_publish(people, seller, draft):
    Organization.objects.filter(pk=seller.pk).update(
        verification_status=Organization.VerificationStatus.PENDING
    )
    before = snapshot(draft)
    response = post_action(people["manager"], draft, "publish")
    assert response.status_code == 409
    assert response.context["error"]
    assert snapshot(draft) == before


def test_an_incomplete_product_cannot_be_published(people, seller):
    product = ProductFactory(
        seller=seller, status="draft", category=None, price_amount=0, description=""
    )
    before = snapshot(product)
    response = post_action(people["manager"], product, "publish")
    assert response.status_code == 400
    assert len(response.context["error_fields"]) >= 3
    assert snapshot(product) == before


def test_an_illegal_move_is_refused(people, seller):
    product = ProductFactory(seller=seller)  # published
    before = snapshot(product)
    response = post_action(people["manager"], product, "publish")
    assert response.status_code == 409
    assert snapshot(product) == before
    assert post_action(people["manager"], product, "nonsense").status_code == 400
    assert snapshot(product) == before


def test_platform_staff_hide_with_a_reason_and_unhide(people, seller):
    product = ProductFactory(seller=seller)
    before = snapshot(product)
    assert post_action(people["platform"], product, "hide", reason="  ").status_code == 400
    assert snapshot(product) == before
    assert post_action(people["manager"], product, "hide", reason="Saya sendiri").status_code == 403
    assert snapshot(product) == before

    response = post_action(people["platform"], product, "hide", reason="Foto milik orang lain")
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("hidden", "Foto milik orang lain")
    # The seller cannot publish it again on its own.
    assert post_action(people["manager"], product, "publish").status_code == 409
    assert post_action(people["manager"], product, "unhide").status_code == 403
    product.refresh_from_db()
    assert product.status == Product.Status.HIDDEN

    assert post_action(people["platform"], product, "unhide").status_code == 302
    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("draft", "")


def test_photos_are_added_and_removed(people, draft):
    response = people["manager"].post(
        manage_url(draft), {"action": "photo_add", "photo": jpeg(), "alt_text": "Karung"}
    )
    assert response.status_code == 302
    image = draft.images.get()
    assert image.alt_text == "Karung"

    other = ProductImage.objects.create(
        product=ProductFactory(seller=OrganizationFactory()), image="b.jpg", thumbnail="b-t.jpg"
    )
    before = snapshot(draft)
    response = people["manager"].post(
        manage_url(draft), {"action": "photo_add", "photo": fake_jpeg()}
    )
    assert response.status_code == 400
    assert "photo" in response.context["photo_form"].errors
    response = people["manager"].post(manage_url(draft), {"action": "photo_add"})
    assert response.status_code == 400
    assert post_action(people["staff"], draft, "photo_remove", image=image.pk).status_code == 403
    assert post_action(people["manager"], draft, "photo_remove", image="x").status_code == 404
    assert post_action(people["manager"], draft, "photo_remove", image=other.pk).status_code == 404
    assert snapshot(draft) == before

    assert post_action(people["manager"], draft, "photo_remove", image=image.pk).status_code == 302
    assert not draft.images.exists()


def test_the_user_guide_must_be_a_pdf(people, draft):
    bad = SimpleUploadedFile("panduan.pdf", b"not a pdf", content_type="application/pdf")
    response = people["manager"].post(manage_url(draft), {"action": "guide_set", "user_guide": bad})
    assert response.status_code == 400
    assert "user_guide" in response.context["guide_form"].errors
    draft.refresh_from_db()
    assert not draft.user_guide

    guide = SimpleUploadedFile("panduan.pdf", PDF, content_type="application/pdf")
    response = people["manager"].post(
        manage_url(draft), {"action": "guide_set", "user_guide": guide}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.user_guide.name.endswith(".pdf")
    assert post_action(people["manager"], draft, "guide_remove").status_code == 302
    draft.refresh_from_db()
    assert not draft.user_guide


def test_certificates_are_recorded_shown_by_validity_and_removed(people, seller, draft):
    scan = SimpleUploadedFile("npp.pdf", PDF, content_type="application/pdf")
    response = people["manager"].post(
        manage_url(draft),
        {
            "action": "certificate_add",
            "type": "npp",
            "number": "NPP 12.34.567",
            "issuer": "Kementan",
            "valid_until": "2099-12-31",
            "scan": scan,
        },
    )
    assert response.status_code == 302
    valid = Certification.objects.get(product=draft)
    assert (valid.type, valid.valid_until) == ("npp", datetime.date(2099, 12, 31))
    expired = CertificationFactory(product=draft, valid_until=datetime.date(2020, 1, 1))
    own = CertificationFactory(product=None, organization=seller, type="halal")

    page = people["staff"].get(manage_url(draft))
    assert page.context["valid_ids"] == {valid.pk, own.pk}
    assert expired.pk not in page.context["valid_ids"]

    # The scan is private: members and staff only.
    scan_url = reverse("marketplace:certification-scan", args=[draft.slug, valid.pk])
    response = people["staff"].get(scan_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert people["stranger"].get(scan_url).status_code == 404
    assert people["anonymous"].get(scan_url).status_code == 404

    count = Certification.objects.count()
    bad = {"action": "certificate_add", "type": "pirt", "number": "1", "valid_until": "besok"}
    assert people["manager"].post(manage_url(draft), bad).status_code == 400
    bad_scan = {
        "action": "certificate_add",
        "type": "pirt",
        "number": "1",
        "scan": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00", content_type="application/pdf"),
    }
    response = people["manager"].post(manage_url(draft), bad_scan)
    assert response.status_code == 400
    assert "scan" in response.context["certificate_form"].errors
    assert Certification.objects.count() == count

    response = post_action(people["manager"], draft, "certificate_remove", certification=expired.pk)
    assert response.status_code == 302
    assert not Certification.objects.filter(pk=expired.pk).exists()
    # The Posyantek's own certificate is not removed from a product's desk.
    response = post_action(people["manager"], draft, "certificate_remove", certification=own.pk)
    assert response.status_code == 404
    assert Certification.objects.filter(pk=own.pk).exists()


def test_stock_is_set_with_a_note(people, draft):
    response = post_action(people["manager"], draft, "stock", stock="35", note="Produksi baru")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.stock == 35
    movement = StockMovement.objects.get(product=draft)
    assert (movement.delta, movement.note, movement.stock_after) == (15, "Produksi baru", 35)

    before = snapshot(draft)
    for value in ("abc", "-1", ""):
        response = post_action(people["manager"], draft, "stock", stock=value)
        assert response.status_code == 400
        assert "stock" in response.context["stock_form"].errors
    assert snapshot(draft) == before


def test_stock_of_a_made_to_order_product_is_refused(people, seller):
    product = ProductFactory(seller=seller, availability="made_to_order", monthly_capacity=5)
    before = snapshot(product)
    response = post_action(people["manager"], product, "stock", stock="5")
    assert response.status_code == 409
    assert snapshot(product) == before


# --- The public product page ------------------------------------------------------------------


def test_a_published_product_is_public(people, seller):
    product = ProductFactory(seller=seller, price_amount=1_500_000, selling_unit="unit")
    CertificationFactory(product=product, type="sni", number="SNI 7777")
    CertificationFactory(product=product, number="OLD", valid_until=datetime.date(2020, 1, 1))
    url = reverse("marketplace:detail", args=[product.slug])
    response = people["anonymous"].get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rp 1.500.000" in body
    assert reverse("organizations:detail", args=[seller.slug]) in body
    assert [c.number for c in response.context["certifications"]] == ["SNI 7777"]
    assert "200 kg/jam" in body  # the specs
    assert reverse("marketplace:manage", args=[product.slug]) not in body


def test_a_product_that_is_not_public_is_shown_only_to_desk_viewers(people, seller, draft):
    hidden = ProductFactory(seller=seller, status="hidden", hidden_reason="Salah kategori")
    unverified = OrganizationFactory(
        verification_status=Organization.VerificationStatus.PENDING, slug="pending", code="PND"
    )
    of_unverified = ProductFactory(seller=unverified)
    for product in (draft, hidden):
        url = reverse("marketplace:detail", args=[product.slug])
        for who in ("anonymous", "stranger", "other_owner"):
            assert people[who].get(url).status_code == 404, (who, product.status)
        for who in ("staff", "manager", "platform"):
            response = people[who].get(url)
            assert response.status_code == 200
            assert reverse("marketplace:manage", args=[product.slug]) in response.content.decode()
    url = reverse("marketplace:detail", args=[of_unverified.slug])
    assert people["anonymous"].get(url).status_code == 404
    assert (
        people["anonymous"].get(reverse("marketplace:detail", args=["tidak-ada"])).status_code
        == 404
    )


def test_organisation_page_links_to_the_product_desk(people, seller):
    desk = reverse("marketplace:desk", args=[seller.slug])
    page = reverse("organizations:detail", args=[seller.slug])
    assert desk in people["manager"].get(page).content.decode()
    assert desk not in people["stranger"].get(page).content.decode()


def test_category_is_a_grouped_select(people, seller):
    field = CategoryFactory(parent=None, slug="peternakan-uji", name="Peternakan")
    CategoryFactory(parent=field, slug="pakan-uji", name="Pakan ternak")
    response = people["manager"].get(reverse("marketplace:create", args=[seller.slug]))
    body = response.content.decode()
    assert '<optgroup label="Peternakan">' in body
