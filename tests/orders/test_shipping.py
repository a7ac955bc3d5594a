"""Shipping settings (service and `organizations/{slug}/shipping/`) and the shipping fee."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organization, Role
from core.errors import InvalidInput
from orders.models import CourierRate, OwnDeliveryRate, ShippingMethod, ShippingSettings
from orders.services.shipping import (
    courier_fee,
    order_weight_grams,
    shipping_fee,
    shipping_options,
    shipping_settings_get,
    shipping_settings_update,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def seller(regions):
    return OrganizationFactory(name="Posyantek Purwakarta", slug="pwk", code="PWK")


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def member(organization, role) -> APIClient:
    return client_for(MembershipFactory(organization=organization, role=role).user)


URL = "/api/v1/organizations/pwk/shipping/"
FULL = {
    "pickup_enabled": True,
    "pickup_note": "Kantor kecamatan, Senin–Jumat 08–15",
    "own_delivery_enabled": True,
    "courier_enabled": True,
    "courier_minimum_amount": 15_000,
    "delivery_rates": [{"regency": "36.72", "fee_amount": 20_000}],
    "courier_rates": [
        {"province": "36", "rate_per_kg_amount": 9_000},
        {"province": "31", "rate_per_kg_amount": 12_000},
    ],
}


def configured(seller) -> ShippingSettings:
    owner = MembershipFactory(organization=seller, role=Role.OWNER).user
    return shipping_settings_update(organization=seller, actor=owner, data=dict(FULL))


# --- Fee rules (the module docstring's vectors) -----------------------------------------------


@pytest.mark.parametrize(
    ("grams", "fee"),
    [(2_300, 27_000), (400, 15_000), (0, 15_000), (2_000, 18_000), (2_001, 27_000), (1, 15_000)],
)
def test_courier_fee_vectors(grams, fee):
    assert courier_fee(rate_per_kg_amount=9_000, minimum_amount=15_000, weight_grams=grams) == fee


def test_order_weight_in_whole_grams():
    lines = [
        SimpleNamespace(quantity=3, product=SimpleNamespace(weight_per_unit_kg=Decimal("0.4505"))),
        SimpleNamespace(quantity=2, product=SimpleNamespace(weight_per_unit_kg="45.000")),
        SimpleNamespace(quantity=9, product=SimpleNamespace(weight_per_unit_kg=None)),
    ]

    assert order_weight_grams(lines) == 3 * 451 + 2 * 45_000


def test_options_and_fees_by_destination(seller):
    configured(seller)

    cilegon = shipping_options(
        seller=seller, regency_code="36.72", province_code="36", weight_grams=2_300
    )
    serang = shipping_options(
        seller=seller, regency_code="36.04", province_code="36", weight_grams=400
    )
    jakarta = shipping_options(
        seller=seller, regency_code="31.71", province_code="31", weight_grams=3_000
    )
    pekalongan = shipping_options(
        seller=seller, regency_code="33.75", province_code="33", weight_grams=1
    )

    assert [(o.method, o.fee_amount) for o in cilegon] == [
        (ShippingMethod.PICKUP, 0),
        (ShippingMethod.OWN_DELIVERY, 20_000),
        (ShippingMethod.COURIER, 27_000),
    ]
    assert [(o.method, o.fee_amount) for o in serang] == [("pickup", 0), ("courier", 15_000)]
    assert [(o.method, o.fee_amount) for o in jakarta] == [("pickup", 0), ("courier", 36_000)]
    assert [o.method for o in pekalongan] == ["pickup"]
    assert (
        shipping_fee(
            seller=seller,
            method="own_delivery",
            regency_code="36.72",
            province_code="36",
            weight_grams=0,
        )
        == 20_000
    )
    with pytest.raises(InvalidInput) as error:
        shipping_fee(
            seller=seller,
            method="courier",
            regency_code="33.75",
            province_code="33",
            weight_grams=1,
        )
    assert "shipping_method" in error.value.fields


def test_defaults_are_pickup_only(seller):
    settings = shipping_settings_get(organization=seller)

    assert settings.pk is None and settings.pickup_enabled
    assert not settings.own_delivery_enabled and not settings.courier_enabled
    options = shipping_options(
        seller=seller, regency_code="36.72", province_code="36", weight_grams=1
    )
    assert [(o.method, o.fee_amount) for o in options] == [("pickup", 0)]


# --- API: reading -----------------------------------------------------------------------------


def test_anyone_reads_a_verified_posyantek_settings(api_client, seller):
    configured(seller)

    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["pickup_enabled"] and body["courier_minimum_amount"] == 15_000
    assert body["delivery_rates"] == [
        {
            "regency": "36.72",
            "regency_name": body["delivery_rates"][0]["regency_name"],
            "province": "36",
            "fee_amount": 20_000,
        }
    ]
    assert {row["province"] for row in body["courier_rates"]} == {"31", "36"}
    assert set(body) == {
        "pickup_enabled",
        "pickup_note",
        "own_delivery_enabled",
        "courier_enabled",
        "courier_minimum_amount",
        "delivery_rates",
        "courier_rates",
    }


def test_defaults_are_shown_without_saving(api_client, seller):
    response = api_client.get(URL)

    assert response.status_code == 200
    assert response.json()["pickup_enabled"] is True and response.json()["delivery_rates"] == []
    assert not ShippingSettings.objects.exists()


def test_unverified_organisation_is_a_404_to_strangers(api_client, regions):
    OrganizationFactory(
        slug="baru", code="BARU", verification_status=Organization.VerificationStatus.PENDING
    )

    assert api_client.get("/api/v1/organizations/baru/shipping/").status_code == 404
    assert api_client.get("/api/v1/organizations/tidak-ada/shipping/").status_code == 404


# --- API: writing by role ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [(Role.OWNER, 200), (Role.MANAGER, 200), (Role.STAFF, 403)]
)
def test_members_by_role(seller, role, status):
    response = member(seller, role).put(URL, FULL, format="json")

    assert response.status_code == status
    assert ShippingSettings.objects.filter(organization=seller).exists() == (status == 200)
    if status == 200:
        assert response.json()["courier_enabled"] is True
        assert OwnDeliveryRate.objects.get().fee_amount == 20_000
        assert CourierRate.objects.count() == 2


def test_platform_staff_may_write(seller):
    staff = UserFactory(is_staff=True)

    assert (
        client_for(staff).patch(URL, {"courier_minimum_amount": 1}, format="json").status_code
        == 200
    )
    assert ShippingSettings.objects.get().courier_minimum_amount == 1


def test_outsiders_and_anonymous_may_not_write(api_client, seller):
    outsider = client_for(UserFactory())

    assert outsider.put(URL, FULL, format="json").status_code == 403
    assert api_client.put(URL, FULL, format="json").status_code in (401, 403)
    assert not ShippingSettings.objects.exists()


def test_unverified_organisation_write_by_stranger_is_404(regions):
    OrganizationFactory(
        slug="baru", code="BARU", verification_status=Organization.VerificationStatus.PENDING
    )

    response = client_for(UserFactory()).put(
        "/api/v1/organizations/baru/shipping/", FULL, format="json"
    )

    assert response.status_code == 404


def test_patch_changes_only_what_is_sent_and_a_list_replaces_the_list(seller):
    configured(seller)
    owner = member(seller, Role.OWNER)

    response = owner.patch(
        URL, {"courier_rates": [{"province": "33", "rate_per_kg_amount": 5_000}]}, format="json"
    )

    assert response.status_code == 200
    assert list(CourierRate.objects.values_list("province_id", "rate_per_kg_amount")) == [
        ("33", 5_000)
    ]
    assert OwnDeliveryRate.objects.count() == 1
    assert ShippingSettings.objects.get().pickup_note == FULL["pickup_note"]


def test_put_empties_what_is_left_out(seller):
    configured(seller)

    response = member(seller, Role.OWNER).put(
        URL,
        {"pickup_enabled": True, "own_delivery_enabled": False, "courier_enabled": False},
        format="json",
    )

    assert response.status_code == 200
    settings = ShippingSettings.objects.get()
    assert settings.pickup_note == "" and settings.courier_minimum_amount == 0
    assert not OwnDeliveryRate.objects.exists() and not CourierRate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"courier_minimum_amount": "lima belas ribu"}, "courier_minimum_amount"),
        ({"courier_minimum_amount": 10**30}, "courier_minimum_amount"),
        ({"courier_minimum_amount": -1}, "courier_minimum_amount"),
        ({"pickup_enabled": "mungkin"}, "pickup_enabled"),
        ({"pickup_note": "x" * 301}, "pickup_note"),
        ({"delivery_rates": [{"regency": "99.99", "fee_amount": 1}]}, "delivery_rates"),
        ({"delivery_rates": [{"regency": "36.72", "fee_amount": "gratis"}]}, "delivery_rates"),
        ({"delivery_rates": [{"regency": "36.72", "fee_amount": 10**20}]}, "delivery_rates"),
        ({"delivery_rates": [{"regency": "36.72", "fee_amount": 1}] * 2}, "delivery_rates"),
        ({"delivery_rates": "36.72"}, "delivery_rates"),
        ({"delivery_rates": [5]}, "delivery_rates"),
        ({"courier_rates": [{"province": "99", "rate_per_kg_amount": 1}]}, "courier_rates"),
        ({"courier_rates": [{"province": "36"}]}, "courier_rates"),
        (
            {"pickup_enabled": False, "own_delivery_enabled": False, "courier_enabled": False},
            "pickup_enabled",
        ),
        ({"own_delivery_enabled": True, "delivery_rates": []}, "delivery_rates"),
        ({"courier_enabled": True, "courier_rates": []}, "courier_rates"),
    ],
)
def test_bad_input_is_a_400_by_field_and_changes_nothing(seller, changes, field):
    configured(seller)
    before = (
        list(ShippingSettings.objects.values()),
        list(OwnDeliveryRate.objects.values("regency_id", "fee_amount")),
        list(CourierRate.objects.values("province_id", "rate_per_kg_amount")),
    )

    response = member(seller, Role.MANAGER).patch(URL, changes, format="json")

    assert response.status_code == 400, response.content
    # Nested fields are named by path, e.g. "delivery_rates.0.fee_amount".
    assert any(name.split(".")[0] == field for name in response.json()["errors"]), response.json()
    after = (
        list(ShippingSettings.objects.values()),
        list(OwnDeliveryRate.objects.values("regency_id", "fee_amount")),
        list(CourierRate.objects.values("province_id", "rate_per_kg_amount")),
    )
    assert after == before


@pytest.mark.parametrize("body", [[1, 2], "teks", 7])
def test_a_body_that_is_not_an_object_is_a_400(seller, body):
    response = member(seller, Role.OWNER).put(URL, body, format="json")

    assert response.status_code == 400
    assert not ShippingSettings.objects.exists()


def test_a_new_organisation_refused_write_leaves_no_row(seller):
    response = member(seller, Role.OWNER).put(
        URL,
        {"pickup_enabled": False, "own_delivery_enabled": False, "courier_enabled": False},
        format="json",
    )

    assert response.status_code == 400
    assert not ShippingSettings.objects.exists()
