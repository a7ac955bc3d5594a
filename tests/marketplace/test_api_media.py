"""Photos, user guides and certificates through the API: uploads checked by content, private
scans only for the seller's members and platform staff, every write refused to the wrong
people with nothing changed."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace import services
from marketplace.models import Certification, ProductImage
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory
from tests.marketplace import test_api
from tests.marketplace.test_api import REFUSED, client_for, snapshot, url

# The same people and product as the rest of the API tests.
people = test_api.people
product = test_api.product

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def photo(name="foto.jpg") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (60, 40), (40, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="panduan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def text_as(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"ini bukan berkas yang benar", content_type="image/jpeg")


# --- Photos -----------------------------------------------------------------------------------


def test_manager_adds_and_removes_a_photo(people, product):
    response = people["manager"].post(
        url(product.slug, "images"),
        {"image": photo(), "alt_text": "Mesin dari depan"},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["alt_text"] == "Mesin dari depan" and body["position"] == 1
    assert body["url"].startswith("http://testserver/media/") and body["url"].endswith(".jpg")
    image = ProductImage.objects.get(pk=body["id"])
    assert image.product == product
    card = people["anonymous"].get("/api/v1/products/").json()["results"][0]
    assert card["thumbnail_url"] == body["thumbnail_url"]

    removed = people["owner"].delete(url(product.slug, f"images/{image.pk}"))

    assert removed.status_code == 204
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize("upload", [text_as("foto.jpg"), text_as("foto.png"), pdf("foto.jpg")])
def test_a_file_that_is_not_a_photo_is_refused(people, product, upload):
    before = snapshot(product)

    response = people["manager"].post(
        url(product.slug, "images"), {"image": upload}, format="multipart"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_image"
    assert body["errors"]["image"] == [
        "This file is not a photo we can use. Upload a JPEG, PNG or WebP image."
    ]
    assert snapshot(product) == before


def test_a_photo_too_large_is_refused(people, product, monkeypatch):
    monkeypatch.setattr(services, "IMAGE_MAX_BYTES", 100)
    before = snapshot(product)

    response = people["manager"].post(
        url(product.slug, "images"), {"image": photo()}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert "image" in response.json()["errors"]
    assert snapshot(product) == before


def test_a_photo_is_required(people, product):
    response = people["manager"].post(url(product.slug, "images"), {}, format="multipart")

    assert response.status_code == 400
    assert "image" in response.json()["errors"]
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_photo_writes_refused(people, product, who, status_code):
    image = services.product_image_add(
        product=product, actor=people["users"]["manager"], file=photo()
    )
    before = snapshot(product)

    added = people[who].post(url(product.slug, "images"), {"image": photo()}, format="multipart")
    removed = people[who].delete(url(product.slug, f"images/{image.pk}"))

    assert (added.status_code, removed.status_code) == (status_code, status_code)
    assert snapshot(product) == before


def test_removing_another_products_photo_is_404(people, product):
    elsewhere = ProductFactory(seller=product.seller)
    image = services.product_image_add(
        product=elsewhere, actor=people["users"]["manager"], file=photo()
    )

    response = people["manager"].delete(url(product.slug, f"images/{image.pk}"))

    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=image.pk).exists()


# --- User guide -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "post"])
def test_manager_sets_and_removes_the_user_guide(people, product, method):
    response = getattr(people["manager"], method)(
        url(product.slug, "guide"), {"user_guide": pdf()}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["user_guide_url"].endswith(".pdf")
    product.refresh_from_db()
    assert product.user_guide.name.endswith(".pdf")

    removed = people["manager"].delete(url(product.slug, "guide"))

    assert removed.status_code == 204
    product.refresh_from_db()
    assert not product.user_guide


def test_a_guide_that_is_not_a_pdf_is_refused(people, product):
    before = snapshot(product)

    response = people["manager"].put(
        url(product.slug, "guide"), {"user_guide": text_as("panduan.pdf")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file"
    assert response.json()["errors"]["user_guide"] == ["The user guide must be a PDF file."]
    assert snapshot(product) == before


def test_a_guide_too_large_is_refused(people, product, monkeypatch):
    monkeypatch.setattr(services, "GUIDE_MAX_BYTES", 10)
    before = snapshot(product)

    response = people["manager"].put(
        url(product.slug, "guide"), {"user_guide": pdf()}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert snapshot(product) == before


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_guide_writes_refused(people, product, who, status_code):
    services.product_guide_set(product=product, actor=people["users"]["manager"], file=pdf())
    before = snapshot(product)

    put = people[who].put(url(product.slug, "guide"), {"user_guide": pdf()}, format="multipart")
    removed = people[who].delete(url(product.slug, "guide"))

    assert (put.status_code, removed.status_code) == (status_code, status_code)
    assert snapshot(product) == before


# --- Product certificates ---------------------------------------------------------------------


def certificate_body(**changes) -> dict:
    return {
        "type": "npp",
        "number": "NPP 12.34.5678",
        "issuer": "Kementerian Pertanian",
        "valid_until": "2030-12-31",
        "scan": pdf("scan.pdf"),
        **changes,
    }


def test_manager_records_a_certificate_with_a_private_scan(people, product):
    response = people["manager"].post(
        url(product.slug, "certifications"), certificate_body(), format="multipart"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["type"], body["number"], body["valid_until"]) == (
        "npp",
        "NPP 12.34.5678",
        "2030-12-31",
    )
    assert body["is_valid"] is True and body["held_by"] == "product"
    certification = Certification.objects.get(pk=body["id"])
    assert certification.product == product and certification.added_by is not None
    assert "/media/" not in body["scan_url"]  # served by a permission-checked view
    scan = people["staff"].get(body["scan_url"])
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content) == PDF
    assert scan["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "changes, field, code",
    [
        ({"scan": text_as("scan.pdf")}, "scan", "invalid_file"),
        ({"scan": text_as("scan.jpg")}, "scan", "invalid_file"),
        ({"type": "iso"}, "type", "invalid"),
        ({"number": ""}, "number", "invalid"),
        ({"valid_until": "besok"}, "valid_until", "invalid"),
    ],
)
def test_bad_certificates_are_refused(people, product, changes, field, code):
    before = snapshot(product)

    response = people["manager"].post(
        url(product.slug, "certifications"), certificate_body(**changes), format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert snapshot(product) == before


def test_a_scan_too_large_is_refused(people, product, monkeypatch):
    monkeypatch.setattr(services, "SCAN_MAX_BYTES", 10)
    before = snapshot(product)

    response = people["manager"].post(
        url(product.slug, "certifications"), certificate_body(), format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert snapshot(product) == before


def _certificate(product, **fields) -> Certification:
    certification = Certification(product=product, type="pirt", number="P-IRT 1", **fields)
    certification.scan.save("pirt.pdf", ContentFile(PDF), save=False)
    certification.save()
    return certification


def test_certificate_list_valid_for_everyone_all_for_the_desk(people, product):
    valid = _certificate(product)
    expired = _certificate(product, valid_until="2020-01-01")

    public = people["anonymous"].get(url(product.slug, "certifications"))
    desk = people["staff"].get(url(product.slug, "certifications"))

    assert public.status_code == 200
    assert [(c["id"], c["scan_url"]) for c in public.json()] == [(valid.pk, None)]
    assert {c["id"] for c in desk.json()} == {valid.pk, expired.pk}
    assert all(c["scan_url"] for c in desk.json())
    assert next(c for c in desk.json() if c["id"] == expired.pk)["is_valid"] is False


@pytest.mark.parametrize(
    "who, status_code",
    [("owner", 200), ("staff", 200), ("platform", 200), ("stranger", 404), ("other_owner", 404),
     ("anonymous", 401)],
)  # fmt: skip
def test_scans_only_for_the_desk(people, product, who, status_code):
    certification = _certificate(product)

    response = people[who].get(url(product.slug, f"certifications/{certification.pk}/scan"))

    assert response.status_code == status_code


def test_scan_of_another_products_certificate_is_404(people, product):
    certification = _certificate(ProductFactory(seller=product.seller))

    response = people["owner"].get(url(product.slug, f"certifications/{certification.pk}/scan"))

    assert response.status_code == 404


def test_manager_removes_a_certificate(people, product):
    certification = _certificate(product)

    response = people["manager"].delete(url(product.slug, f"certifications/{certification.pk}"))

    assert response.status_code == 204
    assert not Certification.objects.exists()


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_certificate_writes_refused(people, product, who, status_code):
    certification = _certificate(product)
    before = snapshot(product)

    added = people[who].post(
        url(product.slug, "certifications"), certificate_body(), format="multipart"
    )
    removed = people[who].delete(url(product.slug, f"certifications/{certification.pk}"))

    assert (added.status_code, removed.status_code) == (status_code, status_code)
    assert snapshot(product) == before


def test_media_of_another_organisations_draft_is_404(people, seller):
    draft = ProductFactory(seller=seller, status="draft")
    before = snapshot(draft)

    responses = [
        people["other_owner"].post(url(draft.slug, "images"), {"image": photo()}, "multipart"),
        people["other_owner"].put(url(draft.slug, "guide"), {"user_guide": pdf()}, "multipart"),
        people["other_owner"].post(
            url(draft.slug, "certifications"), certificate_body(), format="multipart"
        ),
        people["other_owner"].get(url(draft.slug, "certifications")),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert snapshot(draft) == before


# --- Posyantek certificates -------------------------------------------------------------------


def org_url(slug: str = "pwk", rest: str = "") -> str:
    return f"/api/v1/organizations/{slug}/certifications/" + (f"{rest}/" if rest else "")


def test_posyantek_certificate_counts_for_its_products(people, product):
    response = people["owner"].post(org_url(), certificate_body(type="halal"), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["held_by"] == "organization"
    assert people["staff"].get(body["scan_url"]).status_code == 200
    assert people["stranger"].get(body["scan_url"]).status_code == 404
    detail = people["anonymous"].get(url(product.slug)).json()
    assert [(c["type"], c["held_by"]) for c in detail["certifications"]] == [
        ("halal", "organization")
    ]
    public = people["anonymous"].get(org_url()).json()
    assert [(c["id"], c["scan_url"]) for c in public] == [(body["id"], None)]

    removed = people["manager"].delete(org_url(rest=str(body["id"])))

    assert removed.status_code == 204
    assert not Certification.objects.exists()


@pytest.mark.parametrize("who, status_code", REFUSED)
def test_posyantek_certificate_writes_refused(people, product, who, status_code):
    certification = Certification.objects.create(
        organization=product.seller, type="sni", number="SNI 1"
    )
    before = snapshot(product)

    added = people[who].post(org_url(), certificate_body(), format="multipart")
    removed = people[who].delete(org_url(rest=str(certification.pk)))

    assert (added.status_code, removed.status_code) == (status_code, status_code)
    assert snapshot(product) == before


def test_posyantek_certificates_only_for_a_posyantek(people, regions):
    industry = OrganizationFactory(slug="pabrik", code="PBK", kind="industry", posyantek_level="")
    client = client_for(MembershipFactory(organization=industry, role="owner").user)

    response = client.post(org_url("pabrik"), certificate_body(), format="multipart")

    assert response.status_code == 403
    assert not Certification.objects.exists()
