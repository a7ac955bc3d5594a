"""A small world of Posyantek sales for the report figures, built through the real order
services (checkout, payment, cancellation, refund, dispute, terms) at chosen local moments.

Every step also writes a plain record (`Sale`, `RefundMade`) of what it did, with amounts
computed here from the inputs (price × quantity, the flat delivery fee, 11 % PPN, a 2,5 %
platform fee on goods rounded down) — not read back from the database — so that
tests/reports/test_figures.py can work out the expected figures on its own, from
DESIGN.md's definitions, and compare them with what the API says.

Timestamps: the services stamp `timezone.now()` on rows they create; the builder moves the
moments that matter to the story's local time (order placement, ledger entries, refund
creation) so the data looks as if it had happened then. Sales and refunds carry the moments
the services take as arguments (`paid_at`, `succeeded_at`).
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.test import override_settings
from django.utils import timezone

from accounts.models import Organization, Role, User
from marketplace.models import Product
from orders.models import (
    Cart,
    CartItem,
    LedgerEntry,
    Order,
    OwnDeliveryRate,
    Payment,
    Refund,
)
from orders.services.checkout import checkout_place
from orders.services.disputes import dispute_resolve, order_report_problem
from orders.services.late_payments import payment_late_resolve, payment_needs_review
from orders.services.lifecycle import (
    order_accept,
    order_cancel,
    order_complete,
    order_deliver,
    order_ship,
    payment_expire,
)
from orders.services.payments import payment_mark_paid
from orders.services.refunds import (
    refund_account_give,
    refund_fail,
    refund_mark_succeeded,
    refund_retry,
    refund_submit,
)
from orders.services.terms import TermsLine, order_place_on_terms
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
VILLAGE = "36.72.07.1004"  # Purwakarta, Kota Cilegon (36.72), Banten (36)
DELIVERY_FEE = 50_000  # own delivery to Kota Cilegon
FEE_PERCENT = "2.5"  # settings.PLATFORM_FEE_PERCENT while the world is built


def wib(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware moment given in Asia/Jakarta local time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=WIB)


# --- Money, computed independently from the inputs ------------------------------------------


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def ppn_of(base: int, pkp: bool) -> int:
    """11 % of goods + shipping (12 % of 11/12), half-up, for a PKP seller."""
    return half_up(11 * base, 100) if pkp else 0


def fee_of(goods: int) -> int:
    """2,5 % of goods, rounded down."""
    return goods * 25 // 1000


def split_refund(amount: int, goods: int, shipping: int, ppn: int) -> tuple[int, int, int]:
    """(goods, shipping, ppn) of a refund, in the order's proportions as DESIGN.md's money
    policy says: PPN first half-up, then shipping from the rest half-up, goods the remainder."""
    total = goods + shipping + ppn
    if amount == total:
        return goods, shipping, ppn
    ppn_part = half_up(amount * ppn, total)
    rest = amount - ppn_part
    shipping_part = half_up(rest * shipping, goods + shipping) if goods + shipping else 0
    return rest - shipping_part, shipping_part, ppn_part


# --- The records the expectations are computed from ------------------------------------------


@dataclass
class Sale:
    """One order of the story."""

    label: str
    order_id: int
    seller: str  # the Posyantek's slug
    buyer: tuple[str, int]  # ("org", id) when bought for an organisation, else ("user", id)
    placed_at: datetime.datetime
    goods: int
    shipping: int
    ppn: int
    fee: int
    status: str
    paid_at: datetime.datetime | None = None
    # product key → (quantity, line amount) of its lines
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.goods + self.shipping + self.ppn


@dataclass
class RefundMade:
    """A refund that succeeded."""

    label: str
    order_id: int
    seller: str
    succeeded_at: datetime.datetime
    goods: int
    shipping: int
    ppn: int
    fee_back: int  # platform fee no longer due on the goods refunded


@dataclass
class World:
    sellers: dict[str, Organization] = field(default_factory=dict)
    owners: dict[str, User] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    pkp: dict[str, bool] = field(default_factory=dict)
    sales: list[Sale] = field(default_factory=list)
    refunds: list[RefundMade] = field(default_factory=list)
    platform: User | None = None
    buyers: dict[str, User] = field(default_factory=dict)
    company: Organization | None = None

    def sale(self, label: str) -> Sale:
        return next(sale for sale in self.sales if sale.label == label)

    # --- Sellers and products ----------------------------------------------------------------

    def add_seller(self, slug: str, *, district: str, pkp: bool, delivery: bool) -> Organization:
        seller = OrganizationFactory(
            slug=slug, name=f"Posyantek {slug}", district_id=district, is_pkp=pkp
        )
        shipping = ShippingSettingsFactory(organization=seller, own_delivery_enabled=delivery)
        if delivery:
            OwnDeliveryRate.objects.create(
                settings=shipping, regency_id="36.72", fee_amount=DELIVERY_FEE
            )
        owner = UserFactory()
        MembershipFactory(user=owner, organization=seller, role=Role.OWNER)
        self.sellers[slug], self.owners[slug], self.pkp[slug] = seller, owner, pkp
        return seller

    def add_product(self, key: str, *, seller: str, price: int) -> Product:
        product = ProductFactory(
            seller=self.sellers[seller], price_amount=price, stock=10_000, name=f"Produk {key}"
        )
        self.products[key] = product
        return product

    # --- Placing -----------------------------------------------------------------------------

    def _body(self, shipping: dict[str, str], buying_for: Organization | None) -> dict:
        data = {
            "contact_name": "Budi Santoso",
            "contact_phone": "0812-3456-7890",
            "contact_email": "budi@contoh.id",
            "address_line": "Jl. Raya Anyer No. 10",
            "village": VILLAGE,
            "postal_code": "42431",
            "payment_method": "bank_transfer",
            "shipping": shipping,
        }
        if buying_for is not None:
            data["buyer_organization"] = buying_for.slug
        return data

    def _record(
        self,
        label: str,
        order: Order,
        *,
        seller: str,
        goods: int,
        shipping: int,
        buyer: User,
        buying_for: Organization | None,
        placed_at: datetime.datetime,
        lines: dict[str, tuple[int, int]],
    ) -> Sale:
        ppn = ppn_of(goods + shipping, self.pkp[seller])
        sale = Sale(
            label=label,
            order_id=order.pk,
            seller=seller,
            buyer=("org", buying_for.pk) if buying_for else ("user", buyer.pk),
            placed_at=placed_at,
            goods=goods,
            shipping=shipping,
            ppn=ppn,
            fee=fee_of(goods),
            status=order.status,
            lines=lines,
        )
        # The records are the test's own figures; the order must agree with them.
        assert (order.goods_amount, order.shipping_amount, order.ppn_amount) == (
            goods,
            shipping,
            ppn,
        ), f"{label}: the fixture's own arithmetic disagrees with checkout"
        assert order.platform_fee_amount == sale.fee, label
        Order.objects.filter(pk=order.pk).update(created_at=placed_at)
        Payment.objects.filter(pk=order.payment_id).update(created_at=placed_at)
        self.sales.append(sale)
        return sale

    def checkout(
        self,
        labels: list[str],
        buyer: User,
        lines: list[tuple[str, int]],
        *,
        placed_at: datetime.datetime,
        delivery: tuple[str, ...] = (),
        buying_for: Organization | None = None,
    ) -> list[Sale]:
        """One checkout of `lines` ((product key, quantity)); one order per seller, in the
        order the sellers first appear, named by `labels`. Sellers in `delivery` deliver
        (flat fee), the others are picked up."""
        cart, _created = Cart.objects.get_or_create(user=buyer)
        sellers: list[str] = []
        goods: dict[str, int] = {}
        bought: dict[str, dict[str, tuple[int, int]]] = {}
        for key, quantity in lines:
            product = self.products[key]
            CartItem.objects.create(cart=cart, product=product, quantity=quantity)
            slug = product.seller.slug
            if slug not in sellers:
                sellers.append(slug)
            goods[slug] = goods.get(slug, 0) + product.price_amount * quantity
            bought.setdefault(slug, {})[key] = (quantity, product.price_amount * quantity)
        shipping = {slug: "own_delivery" if slug in delivery else "pickup" for slug in sellers}
        payment = checkout_place(user=buyer, cart=cart, data=self._body(shipping, buying_for))
        orders = {order.seller.slug: order for order in payment.orders.select_related("seller")}
        assert len(orders) == len(sellers) == len(labels)
        return [
            self._record(
                label,
                orders[slug],
                seller=slug,
                goods=goods[slug],
                shipping=DELIVERY_FEE if slug in delivery else 0,
                buyer=buyer,
                buying_for=buying_for,
                placed_at=placed_at,
                lines=bought[slug],
            )
            for label, slug in zip(labels, sellers, strict=True)
        ]

    def on_terms(
        self,
        label: str,
        buyer: User,
        key: str,
        quantity: int,
        unit_price: int,
        *,
        buying_for: Organization,
        placed_at: datetime.datetime,
    ) -> Sale:
        """An order on net 14 days at an agreed price, picked up, accepted by the seller."""
        product = self.products[key]
        slug = product.seller.slug
        order = order_place_on_terms(
            user=buyer,
            data={**self._body({slug: "pickup"}, buying_for)},
            lines=[TermsLine(product=product, quantity=quantity, unit_price_amount=unit_price)],
            payment_terms="net_14",
        )
        sale = self._record(
            label,
            order,
            seller=slug,
            goods=unit_price * quantity,
            shipping=0,
            buyer=buyer,
            buying_for=buying_for,
            placed_at=placed_at,
            lines={key: (quantity, unit_price * quantity)},
        )
        order_accept(order=order, actor=self.owners[slug])
        sale.status = Order.Status.PROCESSING
        return sale

    # --- Moving ------------------------------------------------------------------------------

    def pay(self, *labels: str, at: datetime.datetime) -> None:
        """Staff confirm the payment covering these orders (all of its orders), paid at `at`;
        the sale's ledger entries are dated then too."""
        sales = [self.sale(label) for label in labels]
        order = Order.objects.get(pk=sales[0].order_id)
        payment_mark_paid(payment=order.payment, actor=self.platform, paid_at=at)
        for sale in sales:
            if sale.status == Order.Status.PENDING_PAYMENT:
                sale.status = Order.Status.PAID
            sale.paid_at = at
        LedgerEntry.objects.filter(
            order_id__in=[sale.order_id for sale in sales], refund__isnull=True
        ).update(created_at=at)

    def cancel_unpaid(self, label: str, *, by: User) -> None:
        sale = self.sale(label)
        order_cancel(order=Order.objects.get(pk=sale.order_id), actor=by, reason="Batal")
        sale.status = Order.Status.CANCELLED

    def expire(self, label: str) -> None:
        sale = self.sale(label)
        order = Order.objects.get(pk=sale.order_id)
        assert payment_expire(
            payment_id=order.payment_id, now=timezone.now() + datetime.timedelta(days=3)
        )
        sale.status = Order.Status.EXPIRED

    def pay_late(self, label: str, received: int, *, at: datetime.datetime) -> None:
        """Money for an expired order arrives at `at` (more than was due): staff record it,
        the late-payment service honours it (the order becomes paid at `at`) and refunds the
        excess as the payment's own refund (no order: never a seller's refund)."""
        sale = self.sale(label)
        payment = Order.objects.get(pk=sale.order_id).payment
        payment_needs_review(
            payment=payment,
            reason=Payment.ReviewReason.LATE,
            received_amount=received,
            reference=f"BRI-LATE-{payment.pk}",
            actor=self.platform,
            at=at,
        )
        payment_late_resolve(payment=payment, actor=self.platform)
        sale.status, sale.paid_at = Order.Status.PAID, at
        LedgerEntry.objects.filter(order_id=sale.order_id).update(created_at=at)

    def payment_refund_send(self, label: str, *, at: datetime.datetime, buyer: User) -> Refund:
        """Send the payment's own open refund (an excess): succeeded at `at`."""
        sale = self.sale(label)
        order = Order.objects.get(pk=sale.order_id)
        refund = Refund.objects.get(
            payment_id=order.payment_id, order__isnull=True, status__in=Refund.OPEN
        )
        refund_submit(refund_id=refund.pk)
        refund_account_give(
            refund=Refund.objects.get(pk=refund.pk),
            actor=buyer,
            bank_name="BRI",
            account_number="0123-01-987654-50-1",
            account_holder="Budi Santoso",
        )
        refund_mark_succeeded(
            refund=Refund.objects.get(pk=refund.pk),
            actor=self.platform,
            reference=f"TRF-{refund.pk}",
            succeeded_at=at,
        )
        return Refund.objects.get(pk=refund.pk)

    def cancel_paid(self, label: str, *, at: datetime.datetime) -> None:
        """The seller cancels a paid order; a refund of the whole total is requested."""
        sale = self.sale(label)
        order_cancel(
            order=Order.objects.get(pk=sale.order_id),
            actor=self.owners[sale.seller],
            reason="Stok rusak",
        )
        Order.objects.filter(pk=sale.order_id).update(cancelled_at=at)
        Refund.objects.filter(order_id=sale.order_id).update(created_at=at)
        sale.status = Order.Status.CANCELLED

    def refund_fails(self, label: str, *, at: datetime.datetime) -> None:
        """The order's open refund could not be sent (the account was closed): staff record
        it failed at `at` and request it again (a new refund, open)."""
        sale = self.sale(label)
        refund = Refund.objects.get(order_id=sale.order_id, status__in=Refund.OPEN)
        refund_submit(refund_id=refund.pk)
        refund_fail(
            refund=Refund.objects.get(pk=refund.pk), actor=self.platform, reason="Rekening tutup"
        )
        Refund.objects.filter(pk=refund.pk).update(updated_at=at)
        refund_retry(refund=Refund.objects.get(pk=refund.pk), actor=self.platform)

    def deliver(self, label: str) -> None:
        sale = self.sale(label)
        owner = self.owners[sale.seller]
        order = order_accept(order=Order.objects.get(pk=sale.order_id), actor=owner)
        order = order_ship(order=order, actor=owner)
        order_deliver(order=order, actor=owner)
        sale.status = Order.Status.DELIVERED

    def complete(self, label: str, *, by: User) -> None:
        sale = self.sale(label)
        order_complete(order=Order.objects.get(pk=sale.order_id), actor=by)
        sale.status = Order.Status.COMPLETED

    def dispute_refund(self, label: str, amount: int, *, by: User) -> None:
        """The buyer reports a problem; staff resolve it with a refund of `amount`."""
        sale = self.sale(label)
        order = Order.objects.get(pk=sale.order_id)
        order_report_problem(order=order, actor=by, reason="damaged", description="Rusak")
        dispute_resolve(
            order=order, actor=self.platform, outcome="refund", amount=amount, note="Rusak"
        )
        sale.status = Order.Status.IN_DISPUTE

    def refund_send(self, label: str, *, at: datetime.datetime, buyer: User) -> RefundMade:
        """Staff send the order's open bank transfer refund; it succeeds at `at`."""
        sale = self.sale(label)
        refund = Refund.objects.get(order_id=sale.order_id, status__in=Refund.OPEN)
        refund_submit(refund_id=refund.pk)
        refund_account_give(
            refund=Refund.objects.get(pk=refund.pk),
            actor=buyer,
            bank_name="BRI",
            account_number="0123-01-987654-50-1",
            account_holder="Budi Santoso",
        )
        refund_mark_succeeded(
            refund=Refund.objects.get(pk=refund.pk),
            actor=self.platform,
            reference=f"TRF-{refund.pk}",
            succeeded_at=at,
        )
        LedgerEntry.objects.filter(refund_id=refund.pk).update(created_at=at)
        refund.refresh_from_db()
        goods, shipping, ppn = split_refund(
            refund.total_amount, sale.goods, sale.shipping, sale.ppn
        )
        before = sum(made.goods for made in self.refunds if made.order_id == sale.order_id)
        fee_back = fee_of(sale.goods - before) - fee_of(sale.goods - before - goods)
        made = RefundMade(
            label=label,
            order_id=sale.order_id,
            seller=sale.seller,
            succeeded_at=at,
            goods=goods,
            shipping=shipping,
            ppn=ppn,
            fee_back=fee_back,
        )
        assert (refund.goods_amount, refund.shipping_amount, refund.ppn_amount) == (
            goods,
            shipping,
            ppn,
        ), f"{label}: the fixture's refund split disagrees with the refund services"
        whole = sum(
            r.goods + r.shipping + r.ppn for r in self.refunds if r.order_id == sale.order_id
        )
        whole += refund.total_amount
        if sale.status == Order.Status.CANCELLED or whole >= sale.total:
            sale.status = Order.Status.REFUNDED
        else:
            sale.status = Order.Status.PARTIALLY_REFUNDED
        self.refunds.append(made)
        return made


def story_world() -> World:
    """The story the figures tests read (all local times, Asia/Jakarta; 2,5 % platform fee).

    Posyantek: `pwk` (Purwakarta, Banten, PKP, delivers for Rp 50.000), `cbb` (Cibeber,
    Banten, not PKP, pickup only), `pkl` (Pekalongan Utara, Jawa Tengah: outside Banten).
    Buyers: Ani, Budi, Citra, Fajar (themselves), PT Pakan Maju (bought for by Dedi and
    Eko, two members: one buyer).

    Order  seller  buyer  what                                  placed        paid / after
    s30    pwk     Citra  1 × 40.000 pickup                      30/9 20:00    30/9 23:30 (before)
    o1a    pwk     Ani    1 × 1.000.000 delivered } one checkout 31/10 21:00   31/10 23:30
    o1b    cbb     Ani    2 × 150.000 pickup      }                            (month's last
                                                                               half hour)
    o2     pwk     Budi   3 × 40.000 pickup                      31/10 23:50   1/11 00:30
    o5     pwk     Budi   1 × 1.000.000 delivered                15/10 09:00   15/10 10:00,
                                           cancelled by the seller 20/10, refunded 2/11 09:00
    of     cbb     Citra  1 × 150.000 pickup                     5/10 09:00    5/10 10:00,
                  cancelled by the seller 6/10; the refund fails 7/10, is requested again
                  and succeeds 3/11 09:00
    o8     pwk     PT     10 × 38.000 net 14, pickup, accepted   25/10 10:00   5/11 10:00
    o7     pwk     PT     1 × 40.000 pickup (Eko)                8/11 23:00    Sun 8/11 23:30
    o6     pwk     PT     5 × 40.000 delivered (Dedi)            8/11 23:40    Mon 9/11 00:30,
                                  delivered, dispute, Rp 100.000 refunded 20/11 14:00
    o3     pwk     Ani    1 × 40.000                             2/11 10:00    cancelled unpaid
    o4     pwk     Citra  2 × 40.000                             3/11 10:00    expired
    o12    pwk     Fajar  1 × 40.000 pickup                      3/11 11:00    expired, then
                  Rp 50.000 arrives late 4/11 09:00: honoured (paid 4/11 09:00), the excess
                  (5.600) refunded to Fajar 6/11 09:00 as the payment's own refund
    o9     pwk     Ani    1 × 40.000 pickup, completed           15/11 11:00   15/11 12:00
    o11    pwk     Citra  1 × 40.000 pickup                      25/11 08:00   25/11 09:00
    oc     pkl     Ani    1 × 200.000 pickup                     10/11 09:00   10/11 10:00
    ob1    cbb     Budi   1 × 150.000 pickup                     30/11 23:00   30/11 23:30
    ob2    cbb     Budi   1 × 150.000 pickup                     30/11 23:40   1/12 00:30 (after)
    """
    with override_settings(PLATFORM_FEE_PERCENT=FEE_PERCENT):
        return _story()


def _story() -> World:
    world = World(platform=UserFactory(is_staff=True))
    world.add_seller("pwk", district="36.72.07", pkp=True, delivery=True)
    world.add_seller("cbb", district="36.72.01", pkp=False, delivery=False)
    world.add_seller("pkl", district="33.75.03", pkp=False, delivery=False)
    world.add_product("tool", seller="pwk", price=1_000_000)
    world.add_product("feed", seller="pwk", price=40_000)
    world.add_product("bran", seller="cbb", price=150_000)
    world.add_product("batik", seller="pkl", price=200_000)

    ani, budi, citra, dedi, eko, fajar = (UserFactory() for _n in range(6))
    company = OrganizationFactory(kind="industry", name="PT Pakan Maju", slug="pt-pakan-maju")
    for member in (dedi, eko):
        MembershipFactory(user=member, organization=company, role=Role.MANAGER)
    world.buyers = {
        "ani": ani,
        "budi": budi,
        "citra": citra,
        "dedi": dedi,
        "eko": eko,
        "fajar": fajar,
    }
    world.company = company

    world.checkout(["s30"], citra, [("feed", 1)], placed_at=wib(2026, 9, 30, 20))
    world.pay("s30", at=wib(2026, 9, 30, 23, 30))

    world.checkout(["o5"], budi, [("tool", 1)], placed_at=wib(2026, 10, 15, 9), delivery=("pwk",))
    world.pay("o5", at=wib(2026, 10, 15, 10))
    world.cancel_paid("o5", at=wib(2026, 10, 20, 9))

    world.checkout(["of"], citra, [("bran", 1)], placed_at=wib(2026, 10, 5, 9))
    world.pay("of", at=wib(2026, 10, 5, 10))
    world.cancel_paid("of", at=wib(2026, 10, 6, 9))
    world.refund_fails("of", at=wib(2026, 10, 7, 9))

    world.on_terms(
        "o8", dedi, "feed", 10, 38_000, buying_for=company, placed_at=wib(2026, 10, 25, 10)
    )

    world.checkout(
        ["o1a", "o1b"],
        ani,
        [("tool", 1), ("bran", 2)],
        placed_at=wib(2026, 10, 31, 21),
        delivery=("pwk",),
    )
    world.pay("o1a", "o1b", at=wib(2026, 10, 31, 23, 30))

    world.checkout(["o2"], budi, [("feed", 3)], placed_at=wib(2026, 10, 31, 23, 50))
    world.pay("o2", at=wib(2026, 11, 1, 0, 30))

    world.refund_send("o5", at=wib(2026, 11, 2, 9), buyer=budi)

    world.refund_send("of", at=wib(2026, 11, 3, 9), buyer=citra)

    world.checkout(["o3"], ani, [("feed", 1)], placed_at=wib(2026, 11, 2, 10))
    world.cancel_unpaid("o3", by=ani)
    world.checkout(["o4"], citra, [("feed", 2)], placed_at=wib(2026, 11, 3, 10))
    world.expire("o4")

    world.checkout(["o12"], fajar, [("feed", 1)], placed_at=wib(2026, 11, 3, 11))
    world.expire("o12")
    world.pay_late("o12", 50_000, at=wib(2026, 11, 4, 9))
    world.payment_refund_send("o12", at=wib(2026, 11, 6, 9), buyer=fajar)

    world.pay("o8", at=wib(2026, 11, 5, 10))

    world.checkout(["o7"], eko, [("feed", 1)], placed_at=wib(2026, 11, 8, 23), buying_for=company)
    world.pay("o7", at=wib(2026, 11, 8, 23, 30))
    world.checkout(
        ["o6"],
        dedi,
        [("feed", 5)],
        placed_at=wib(2026, 11, 8, 23, 40),
        delivery=("pwk",),
        buying_for=company,
    )
    world.pay("o6", at=wib(2026, 11, 9, 0, 30))
    world.deliver("o6")
    world.dispute_refund("o6", 100_000, by=dedi)
    world.refund_send("o6", at=wib(2026, 11, 20, 14), buyer=dedi)

    world.checkout(["oc"], ani, [("batik", 1)], placed_at=wib(2026, 11, 10, 9))
    world.pay("oc", at=wib(2026, 11, 10, 10))

    world.checkout(["o9"], ani, [("feed", 1)], placed_at=wib(2026, 11, 15, 11))
    world.pay("o9", at=wib(2026, 11, 15, 12))
    world.deliver("o9")
    world.complete("o9", by=ani)

    world.checkout(["o11"], citra, [("feed", 1)], placed_at=wib(2026, 11, 25, 8))
    world.pay("o11", at=wib(2026, 11, 25, 9))

    world.checkout(["ob1"], budi, [("bran", 1)], placed_at=wib(2026, 11, 30, 23))
    world.pay("ob1", at=wib(2026, 11, 30, 23, 30))
    world.checkout(["ob2"], budi, [("bran", 1)], placed_at=wib(2026, 11, 30, 23, 40))
    world.pay("ob2", at=wib(2026, 12, 1, 0, 30))
    return world
