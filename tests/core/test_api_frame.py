"""The API frame every later endpoint relies on: error bodies, auth, pagination, throttles,
and the OpenAPI document."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_api_frame")]


def test_anonymous_gets_401_json_with_message(api_client):
    response = api_client.post("/api/v1/test/echo/", {"name": "x"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_token_authentication(user, api_client):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.post("/api/v1/test/echo/", {"name": "Budi"})

    assert response.status_code == 200
    assert response.json() == {"name": "Budi"}


def test_bad_token_is_401_not_500(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.post("/api/v1/test/echo/", {"name": "Budi"})

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_authentication(user, client):
    client.force_login(user)

    response = client.post("/api/v1/test/echo/", {"name": "Siti"}, content_type="application/json")

    assert response.status_code == 200


def test_validation_errors_by_field_with_one_message(user_client):
    response = user_client.post(
        "/api/v1/test/echo/", {"name": "a much too long name", "lines": [{"quantity": 2}, {}]}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"name", "lines.1.quantity"}
    assert body["detail"]


def test_single_field_error_names_the_field(user_client):
    response = user_client.post("/api/v1/test/echo/", {})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("name: ")
    assert list(response.json()["errors"]) == ["name"]


def test_malformed_json_is_400(user_client):
    response = user_client.post(
        "/api/v1/test/echo/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_application_error_maps_to_its_status_and_code(api_client):
    response = api_client.post("/api/v1/test/conflict/")

    assert response.status_code == 409
    assert response.json() == {"detail": "Pesanan ini sudah dikirim.", "code": "illegal_transition"}


def test_django_validation_error_is_400_by_field(api_client):
    response = api_client.get("/api/v1/test/django-errors/")

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["Nomor tidak valid."]}


def test_http404_is_json_404(api_client):
    response = api_client.get("/api/v1/test/django-errors/?kind=404")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_pagination_shape_and_page_size(api_client):
    UserFactory.create_batch(25)

    first = api_client.get("/api/v1/test/users/").json()
    small = api_client.get("/api/v1/test/users/?page_size=5&page=2").json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None and first["next"]
    assert len(small["results"]) == 5 and small["previous"]


def test_page_out_of_range_is_404_not_500(api_client):
    response = api_client.get("/api/v1/test/users/?page=99")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_ordering_parameter(api_client):
    UserFactory(email="b@contoh.id")
    UserFactory(email="a@contoh.id")

    response = api_client.get("/api/v1/test/users/?ordering=email")

    assert [row["email"] for row in response.json()["results"]] == ["a@contoh.id", "b@contoh.id"]


def test_anonymous_throttle(api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once, at import: set them on the class for this test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "9/min"})
    cache.clear()

    statuses = [api_client.get("/api/v1/test/users/").status_code for _ in range(3)]
    cache.clear()

    assert statuses == [200, 200, 429]


def test_api_root_is_public_and_links_the_docs(api_client):
    response = api_client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json()["docs"].endswith("/api/docs/")


@pytest.mark.smoke
def test_schema_is_served(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_is_served_without_internet(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html
