"""The admin changes statuses only through actions that call the services."""

import pytest

from marketplace.models import Product, StockMovement
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_hide_asks_for_a_reason_then_hides_through_the_service(regions, admin_client):
    product = ProductFactory(status="published")
    url = "/admin/marketplace/product/"
    selection = {"action": "hide_selected", "_selected_action": [product.pk]}

    asked = admin_client.post(url, selection)
    assert asked.status_code == 200
    product.refresh_from_db()
    assert product.status == "published"

    admin_client.post(url, selection | {"apply": "1", "reason": "Produk tiruan."})

    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("hidden", "Produk tiruan.")
    assert product.events.last().to_status == "hidden"

    admin_client.post(url, {"action": "unhide_selected", "_selected_action": [product.pk]})
    product.refresh_from_db()
    assert (product.status, product.hidden_reason) == ("draft", "")


def test_status_and_stock_are_read_only_in_the_form(regions, admin_client):
    product = ProductFactory(status="published", stock=4)

    page = admin_client.get(f"/admin/marketplace/product/{product.pk}/change/")

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields and "stock" not in form.fields
    assert "price_amount" in form.fields


def test_stock_movements_are_read_only(regions, admin_client):
    product = ProductFactory(stock=4)
    movement = StockMovement.objects.create(
        product=product, delta=4, reason="restock", stock_after=4
    )

    assert admin_client.get("/admin/marketplace/stockmovement/").status_code == 200
    page = admin_client.get(f"/admin/marketplace/stockmovement/{movement.pk}/change/")
    assert page.status_code == 200
    assert "adminform" not in page.context or not page.context["has_change_permission"]
    assert admin_client.get("/admin/marketplace/stockmovement/add/").status_code == 403
    assert Product.objects.get(pk=product.pk).stock == 4
