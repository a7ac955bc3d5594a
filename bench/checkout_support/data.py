"""The checkout bench's world, in its own database: the catalogue bench's regions and
Posyantek (bench.catalog_support.data.world_create) plus the villages of the tests' subset,
pickup shipping for every Posyantek, products, and N buyers, each with an API token and a
cart — written with bulk inserts in a second or two.

Scenario "spread": buyer i buys 1 unit of its own product (stock ample): no two checkouts
touch the same row. Scenario "contended": every buyer buys 1 unit of the same product, whose
stock is smaller than the number of buyers.
"""

import binascii
import csv
import os

from django.db import transaction
from django.utils import timezone

from bench.catalog_support.data import REGIONS_FILE

VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon (in the tests' subset)
AMPLE_STOCK = 1_000_000


def villages_create() -> None:
    from regions.models import Village
    from regions.naming import display_name

    with REGIONS_FILE.open(newline="", encoding="utf-8") as file:
        rows = [(code, name) for code, name in csv.reader(file) if code.count(".") == 3]
    Village.objects.bulk_create(
        Village(code=code, name=name, display_name=display_name(name), district_id=code[:8])
        for code, name in rows
    )


@transaction.atomic
def shipping_create() -> list:
    """Pickup for every verified Posyantek; returns them."""
    from accounts.models import Organization
    from orders.models import ShippingSettings

    sellers = list(
        Organization.objects.filter(
            kind=Organization.Kind.POSYANTEK,
            verification_status=Organization.VerificationStatus.VERIFIED,
        ).order_by("id")
    )
    ShippingSettings.objects.bulk_create(
        ShippingSettings(organization=seller, pickup_enabled=True) for seller in sellers
    )
    return sellers


def _body(seller_slug: str) -> dict:
    return {
        "contact_name": "Pembeli Bench",
        "contact_phone": "081234567890",
        "contact_email": "pembeli@bench.test",
        "address_line": "Jl. Bench No. 1",
        "village": VILLAGE,
        "postal_code": "42431",
        "note": "",
        "payment_method": "bank_transfer",
        "shipping": {seller_slug: "pickup"},
    }


@transaction.atomic
def scenario_create(*, name: str, buyers: int, sellers: list, stock: int | None) -> tuple:
    """`buyers` buyers with tokens and carts. stock=None: one product per buyer with ample
    stock; else one product with that stock in every cart. Returns (buyer records for the
    load generator, the products' ids, their initial stock by id)."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from marketplace.models import Product
    from orders.models import Cart, CartItem

    now = timezone.now()
    count = buyers if stock is None else 1
    products = Product.objects.bulk_create(
        Product(
            seller=sellers[index % len(sellers)],
            kind=Product.Kind.TTG_TOOL,
            name=f"Kompor Biogas {name} {index}",
            slug=f"kompor-biogas-{name}-{index}",
            selling_unit="unit",
            price_amount=350_000 + 500 * (index % 40),
            weight_per_unit_kg="12.500",
            availability=Product.Availability.STOCK,
            stock=AMPLE_STOCK if stock is None else stock,
            status=Product.Status.PUBLISHED,
            published_at=now,
        )
        for index in range(count)
    )
    users = User.objects.bulk_create(
        User(
            email=f"pembeli-{name}-{index}@bench.test",
            name=f"Pembeli {index}",
            password=UNUSABLE_PASSWORD_PREFIX,  # the bench uses tokens
            email_verified_at=now,
        )
        for index in range(buyers)
    )
    tokens = Token.objects.bulk_create(
        Token(key=binascii.hexlify(os.urandom(20)).decode(), user=user) for user in users
    )
    carts = Cart.objects.bulk_create(Cart(user=user) for user in users)
    picks = [products[index if stock is None else 0] for index in range(buyers)]
    CartItem.objects.bulk_create(
        CartItem(cart=cart, product=product, quantity=1)
        for cart, product in zip(carts, picks, strict=True)
    )
    records = [
        {
            "token": token.key,
            "key": f"bench-{name}-{index}",
            "body": _body(product.seller.slug),
        }
        for index, (token, product) in enumerate(zip(tokens, picks, strict=True))
    ]
    return records, [product.pk for product in products], {p.pk: p.stock for p in products}


def sold_and_stock(product_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each product: (quantity on order lines, stock now)."""
    from django.db.models import Sum

    from marketplace.models import Product
    from orders.models import OrderLine

    sold = dict(
        OrderLine.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    stock = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "stock"))
    return {pk: (sold.get(pk, 0), stock[pk]) for pk in product_ids}
