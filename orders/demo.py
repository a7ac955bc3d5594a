"""Demo world of the orders app: shipping settings for every demo Posyantek, and the demo
buyer's orders with Posyantek Kecamatan Purwakarta in every step of their life — so the
order desk on `make run` has a new paid order to accept, one to ship, one in dispute, and a
reviewed one; the staff transfer desk a proof to check; the refund desk a refund waiting to
be sent; and the Posyantek's finances a sale available, a payout and invoices. Made through
the real services (checkout, transfer proof and confirmation, lifecycle, disputes, refunds,
payouts, reviews), idempotently."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Organization, Role, User
from marketplace.models import Product
from orders.models import Cart, CartItem, Order, Refund, ShippingSettings
from orders.services import lifecycle
from orders.services.checkout import checkout_place
from orders.services.disputes import order_report_problem
from orders.services.ledger import ledger_balance
from orders.services.payouts import payout_record
from orders.services.refunds import refund_account_give, refund_submit
from orders.services.reviews import review_create
from orders.services.shipping import shipping_settings_update
from orders.services.transfers import payment_proof_upload, payment_transfer_confirm
from regions.models import Province

DOMAIN = "mitra-ttg.test"
BUYER_VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon
# Courier rates per kg to these provinces (Banten, DKI Jakarta, Jawa Barat, Jawa Tengah,
# Kalimantan Timur) from every demo Posyantek.
COURIER_PROVINCES = ["36", "31", "32", "33", "64"]

STARTER = "Starter Fermentasi Pakan"
STOVE = "Kompor Biomassa Hemat Energi"

# (product, quantity, shipping method, the steps after placing it)
DEMO_ORDERS = [
    (STARTER, 2, "pickup", []),
    (STARTER, 1, "pickup", ["proof"]),
    (STOVE, 1, "own_delivery", ["paid"]),
    (STARTER, 4, "pickup", ["paid", "accepted"]),
    (STOVE, 1, "own_delivery", ["paid", "accepted", "shipped"]),
    (STARTER, 3, "own_delivery", ["paid", "accepted", "shipped", "delivered"]),
    (STOVE, 1, "own_delivery", ["paid", "accepted", "shipped", "delivered", "completed"]),
    (STARTER, 2, "own_delivery", ["paid", "accepted", "shipped", "delivered", "disputed"]),
    (STOVE, 1, "pickup", ["paid", "cancelled"]),
]
# What the demo staff pays out to the Posyantek from its available balance.
DEMO_PAYOUT = 200_000


def transfer_receipt(code: str, amount: int) -> SimpleUploadedFile:
    """A small picture of a transfer receipt, as a buyer would photograph one."""
    image = Image.new("RGB", (360, 200), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "BUKTI TRANSFER",
        "Bank BCA",
        f"Berita: {code}",
        f"Jumlah: Rp {amount:,}".replace(",", "."),
    ]
    for row, text in enumerate(lines):
        draw.text((20, 20 + row * 40), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("bukti-transfer.png", buffer.getvalue(), content_type="image/png")


def _member(organization: Organization, *roles: str) -> User:
    return (
        organization.memberships.filter(role__in=roles)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )


def _shipping(posyantek: Organization) -> None:
    if ShippingSettings.objects.filter(organization=posyantek).exists():
        return
    regency = posyantek.district.regency_id
    shipping_settings_update(
        organization=posyantek,
        actor=_member(posyantek, Role.OWNER),
        data={
            "pickup_enabled": True,
            "pickup_note": "Kantor Posyantek, Senin–Jumat 08.00–15.00",
            "own_delivery_enabled": True,
            "delivery_rates": [{"regency": regency, "fee_amount": 25_000}],
            "courier_enabled": True,
            "courier_minimum_amount": 20_000,
            "courier_rates": [
                {"province": code, "rate_per_kg_amount": 6_000}
                for code in Province.objects.filter(code__in=COURIER_PROVINCES).values_list(
                    "code", flat=True
                )
            ],
        },
    )


def _place(buyer: User, product: Product, quantity: int, method: str) -> Order:
    cart, _created = Cart.objects.get_or_create(user=buyer)
    CartItem.objects.filter(cart=cart).delete()
    CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    payment = checkout_place(
        user=buyer,
        cart=cart,
        data={
            "contact_name": buyer.name,
            "contact_phone": "081298765432",
            "contact_email": buyer.email,
            "address_line": "Jl. Ki Hajar Dewantara No. 12",
            "village": BUYER_VILLAGE,
            "postal_code": "42431",
            "payment_method": "bank_transfer",
            "shipping": {product.seller.slug: method},
        },
    )
    return payment.orders.get()


def seed(*, password: str) -> list[tuple[str, str]]:
    for posyantek in Organization.objects.filter(
        kind=Organization.Kind.POSYANTEK, memberships__role=Role.OWNER
    ).distinct():
        _shipping(posyantek)

    buyer = User.objects.filter(email=f"pembeli@{DOMAIN}").first()
    seller = Organization.objects.filter(code="PWK").first()
    if buyer is None or seller is None or Order.objects.filter(buyer=buyer).exists():
        return []
    staff = User.objects.filter(email=f"staf@{DOMAIN}").first()
    manager = _member(seller, Role.MANAGER, Role.OWNER)
    member = _member(seller, Role.STAFF, Role.MANAGER, Role.OWNER)
    products = {product.name: product for product in Product.objects.filter(seller=seller)}
    for name, quantity, method, steps in DEMO_ORDERS:
        order = _place(buyer, products[name], quantity, method)
        for step in steps:
            payment = order.payment
            if step in ("proof", "paid"):
                payment_proof_upload(
                    payment=payment,
                    actor=buyer,
                    file=transfer_receipt(payment.code, payment.amount_due_amount),
                    sender_bank="BCA",
                    sender_name=buyer.name,
                )
            if step == "paid":
                payment_transfer_confirm(
                    payment=payment,
                    actor=staff,
                    amount=payment.amount_due_amount,
                    reference=f"BCA-{payment.code}",
                    received_on=timezone.localdate(),
                    note="Transfer BCA diterima",
                )
            elif step == "cancelled":
                lifecycle.order_cancel(
                    order=order, actor=manager, reason="Mesin sedang diperbaiki, stok tertunda."
                )
                refund = Refund.objects.get(order=order)
                refund_submit(refund_id=refund.pk)
                refund.refresh_from_db()
                refund_account_give(
                    refund=refund,
                    actor=buyer,
                    bank_name="BCA",
                    account_number="1234567890",
                    account_holder=buyer.name,
                )
            elif step == "accepted":
                lifecycle.order_accept(order=order, actor=member)
            elif step == "shipped":
                lifecycle.order_ship(order=order, actor=member, note="Diantar Selasa pagi")
            elif step == "delivered":
                lifecycle.order_deliver(order=order, actor=manager)
            elif step == "completed":
                lifecycle.order_complete(order=order, actor=buyer)
                review_create(
                    author=buyer,
                    product=products[name],
                    rating=5,
                    text="Nyala stabil, hemat sekam. Diantar tepat waktu.",
                )
            elif step == "disputed":
                order_report_problem(
                    order=order,
                    actor=buyer,
                    reason="incomplete",
                    description="Yang datang hanya 1 botol, seharusnya 2.",
                )
            order.refresh_from_db()
    if (
        ledger_balance(organization=seller).available >= DEMO_PAYOUT
        and seller.payout_account_number
    ):
        payout_record(
            organization=seller,
            actor=staff,
            amount=DEMO_PAYOUT,
            reference="BRI-PAYOUT-0001",
            paid_on=timezone.localdate(),
            note="Pencairan pertama",
        )
    return []
