"""Demo history for the dashboards: six months of orders, refunds, payouts and partnerships
across the demo Posyantek, so the dashboard and the dinas overview on `make run` tell a story.

- Posyantek Kecamatan Purwakarta (PWK) grows month after month: fermented feed from tofu waste
  catches on after a training, PT Mitra Pakan Cilegon starts buying feed in bulk every month,
  Untirta buys a press for its research, a pellet machine goes to the feed company; its money
  is paid out monthly.
- Posyantek Mitra Pantura (MPN) sells dried anchovies, shrimp paste and fish crackers: busy in
  the dry months, then the west monsoon (musim barat) keeps the fishermen ashore and sales dip.
  It cancels a smoker after payment (the firebox cracked in testing) and, in the monsoon, an
  anchovy order it can no longer fill: both refunded in full.
- Posyantek Balikpapan Utara (BPU) sells amplang and coconut-shell briquettes steadily, the
  briquettes to PT Bahari Samudra Olahan; a parcel of amplang arrives crushed and the dispute is
  settled with a partial refund.
- Posyantek Cempaka Putih (CPT) sells biopore drills and composters to its neighbours.
- Posyantek Samarinda Ulu (SMU) sold twice five months ago and has been quiet since: no order,
  no product change, no login for more than 90 days — the inactive one on the Kalimantan Timur
  dinas overview. The dinas has proposed a revitalisation programme, still unanswered.
- Partnerships in every state: a completed training (BSO with BPU), an active CSR programme
  (MPC with PDM), a declined lab test (FTU with KBJ), the proposal to SMU.

Everything goes through the real services (checkout, transfer confirmation, lifecycle, expiry,
cancellation, disputes, refunds, payouts, partnerships), each called with the clock set to the
moment it happened (`django.utils.timezone.now` patched), so every timestamp agrees: an order's
paid_at, its ledger sale and its invoice; a refund's succeeded_at, its ledger entry and credit
note; the events. The ledger invariant holds. Nobody is e-mailed about this history.

Idempotent: the history is written once, when the first demo buyer below has no order yet; a
partnership is found by its parties and title.
"""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organization, Role, User
from marketplace.demo import CATALOGUE
from marketplace.models import Product, StockMovement
from marketplace.services import stock_set
from mitra.models import Partnership
from mitra.services.partnerships import (
    milestone_done,
    partnership_accept,
    partnership_complete,
    partnership_decline,
    partnership_propose,
)
from orders.models import Cart, CartItem, LedgerEntry, Order, Refund, ShippingMethod
from orders.services import lifecycle
from orders.services.checkout import checkout_place
from orders.services.disputes import dispute_resolve, dispute_respond, order_report_problem
from orders.services.payments import payment_mark_paid
from orders.services.payouts import payout_record
from orders.services.refunds import refund_account_give, refund_mark_succeeded, refund_submit
from orders.services.transfers import payment_transfer_confirm
from regions.models import Village
from reports.periods import local_zone, month_start, next_month

DOMAIN = "mitra-ttg.test"
MONTHS = 6  # the current month and the five before it
SEED = 13  # the history is the same on every machine (but for today's date)
QUIET = "SMU"  # the inactive Posyantek: nothing of it in the last INACTIVE_DAYS
INACTIVE_DAYS = 90


@dataclass(frozen=True)
class DemoBuyer:
    name: str
    local: str  # e-mail local part
    village: str  # Kemendagri code (all in the test subset of regions)
    phone: str


# The first one is the marker: the history exists once it has an order.
BUYERS = {
    "dedi": DemoBuyer("Dedi Kurniawan", "peternak.dedi", "36.72.07.1003", "081311110001"),
    "sri": DemoBuyer("Sri Wahyuni", "kelompoktani.sri", "36.72.07.1005", "081311110002"),
    "yanti": DemoBuyer("Yanti Susanti", "warung.yanti", "31.71.05.1002", "081311110003"),
    "budi": DemoBuyer("Budi Santoso", "nelayan.budi", "33.75.03.1009", "081311110004"),
}
# Buyers for an organisation: its owner buys on its name.
ORGANIZATION_BUYERS = {"mpc": "MPC", "bso": "BSO", "ftu": "FTU"}

# Filler orders, per Posyantek: (product, buyers, quantities, weight).
MIX = {
    "PWK": [
        ("Pakan Ternak dari Ampas Tahu", ["dedi", "sri"], [2, 4, 6, 8, 10], 5),
        ("Starter Fermentasi Pakan", ["dedi", "sri", "budi"], [1, 2, 3], 3),
        ("Kompor Biomassa Hemat Energi", ["sri", "yanti"], [1, 2], 2),
        ("Pupuk Organik Cair dari Whey Tahu", ["sri", "dedi"], [2, 4, 6], 2),
    ],
    "MPN": [
        ("Ikan Teri Kering Pekalongan", ["budi", "yanti", "dedi"], [2, 4, 6], 4),
        ("Terasi Udang Rebon", ["yanti", "budi"], [4, 8, 12], 3),
        ("Kerupuk Ikan Tenggiri", ["yanti", "sri"], [5, 10, 20], 3),
        ("Tepung Ikan Sisa Olahan", ["budi"], [25, 50, 100], 1),
    ],
    "BPU": [
        ("Amplang Ikan Pipih", ["yanti", "budi"], [4, 8, 12], 3),
        ("Briket Arang Tempurung Kelapa", ["bso"], [20, 40, 60], 2),
    ],
    "CPT": [
        ("Bor Lubang Resapan Biopori", ["yanti", "dedi"], [1, 2], 2),
        ("Komposter Rumah Tangga", ["yanti"], [1, 2], 2),
        ("Pupuk Kompos Organik", ["yanti", "sri"], [2, 4], 2),
    ],
}
# Filler orders a month, oldest month first; the last is a whole month's worth, scaled down
# to the days of the current month gone by.
# Kept small: the whole history costs `make run` a few seconds on SQLite.
PER_MONTH = {
    "PWK": [2, 3, 3, 4, 5, 6],  # growing
    "MPN": [4, 4, 3, 1, 1, 1],  # the west monsoon from October
    "BPU": [1, 1, 2, 1, 1, 1],  # steady
    "CPT": [1, 0, 1, 0, 1, 1],
}
SECOND_LINE = 0.4  # the share of filler orders with a second product


@dataclass(frozen=True)
class Featured:
    """An order that carries the story: (month index from the oldest, day of month)."""

    seller: str
    product: str
    buyer: str
    quantity: int
    month: int
    day: int
    ending: str = "completed"  # completed | expired | cancelled | seller_cancelled | dispute
    reason: str = ""


CRACKED = "Tungku pengasap retak saat uji akhir; pesanan dibatalkan, dana dikembalikan penuh."
MONSOON = "Musim barat: nelayan tidak melaut, stok teri habis. Dana dikembalikan penuh."
FEATURED = [
    Featured("PWK", "Mesin Pres Ampas Tahu", "ftu", 1, 0, 9),
    Featured("PWK", "Pelatihan Fermentasi Pakan Ampas Tahu", "sri", 1, 1, 6),
    Featured("PWK", "Starter Fermentasi Pakan", "dedi", 2, 2, 12, "cancelled", "Salah pilih."),
    Featured("PWK", "Pakan Ternak dari Ampas Tahu", "mpc", 20, 2, 15),
    Featured("PWK", "Pakan Ternak dari Ampas Tahu", "mpc", 30, 3, 14),
    Featured("PWK", "Mesin Pencacah Rumput", "dedi", 1, 3, 20),
    Featured("PWK", "Pakan Ternak dari Ampas Tahu", "mpc", 40, 4, 13),
    Featured("PWK", "Mesin Pencetak Pelet Pakan", "mpc", 1, 4, 24),
    Featured("PWK", "Pakan Ternak dari Ampas Tahu", "mpc", 40, 5, 2),
    Featured("MPN", "Alat Pengering Ikan Tenaga Surya", "bso", 1, 0, 16),
    Featured("MPN", "Mesin Pengasap Ikan", "budi", 1, 2, 8, "seller_cancelled", CRACKED),
    Featured("MPN", "Terasi Udang Rebon", "yanti", 8, 3, 10, "expired"),
    Featured("MPN", "Ikan Teri Kering Pekalongan", "yanti", 6, 4, 5, "seller_cancelled", MONSOON),
    Featured("BPU", "Amplang Ikan Pipih", "budi", 8, 1, 21, "expired"),
    Featured("BPU", "Amplang Ikan Pipih", "yanti", 12, 4, 3, "dispute"),
    Featured("CPT", "Komposter Rumah Tangga", "yanti", 1, 3, 7, "cancelled", "Sudah beli."),
    Featured("SMU", "Tas Anyaman Manik Dayak", "yanti", 2, 0, 4),
    Featured("SMU", "Sarung Tenun Samarinda", "yanti", 1, 0, 11, "expired"),
]
DISPUTE_REFUND_UNITS = 3  # of the amplang parcel, crushed on the way


@dataclass
class Plan:
    seller: str
    lines: list[tuple[str, int]]  # (product name, quantity)
    buyer: str
    placed_at: datetime.datetime
    ending: str = "completed"
    reason: str = ""


# --- The clock --------------------------------------------------------------------------------


@contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `moment`: every timestamp they write is `moment`."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=local_zone())


# --- The plan ---------------------------------------------------------------------------------


def _months(today: datetime.date) -> list[datetime.date]:
    first = month_start(today)
    months = [first]
    for _ in range(MONTHS - 1):
        months.insert(0, month_start(months[0] - datetime.timedelta(days=1)))
    return months


def _placed(
    rng: random.Random, month: datetime.date, day: int | None, now: datetime.datetime
) -> datetime.datetime | None:
    """A moment in `month` (on `day` when given), in shop hours, before `now` — or, in the
    current month, spread over the days gone by; None when that is not yet."""
    last = next_month(month) - datetime.timedelta(days=1)
    if month_start(timezone.localtime(now, local_zone()).date()) == month:
        if day is not None:
            return None
        start = _local(month, 0)
        span = (now - datetime.timedelta(hours=2)) - start
        if span <= datetime.timedelta(hours=1):  # the month's first hours
            span = (now - start) / 2
        return start + span * rng.uniform(0.05, 0.95)
    day = day or rng.randint(1, last.day)
    return _local(month.replace(day=min(day, last.day)), rng.randint(7, 19), rng.randint(0, 59))


def _plans(today: datetime.date, now: datetime.datetime) -> list[Plan]:
    rng = random.Random(SEED)  # noqa: S311 - a story, not a secret
    months = _months(today)
    elapsed = (today - months[-1]).days + 1
    share = elapsed / (next_month(months[-1]) - months[-1]).days
    plans = []
    for code, counts in PER_MONTH.items():
        products, weights = MIX[code], [entry[3] for entry in MIX[code]]
        for index, (month, count) in enumerate(zip(months, counts, strict=True)):
            if index == MONTHS - 1:
                count = max(round(count * share), 2 if code == "PWK" else 0)
            for _ in range(count):
                name, buyers, quantities, _weight = rng.choices(products, weights)[0]
                buyer = rng.choice(buyers)
                lines = [(name, rng.choice(quantities))]
                others = [entry for entry in products if entry[0] != name and buyer in entry[1]]
                if others and rng.random() < SECOND_LINE:
                    other = rng.choice(others)
                    lines.append((other[0], rng.choice(other[2])))
                placed = _placed(rng, month, None, now)
                if placed is not None:
                    plans.append(Plan(code, lines, buyer, placed))
    for featured in FEATURED:
        month = months[featured.month]
        placed = _placed(rng, month, featured.day, now)
        if month == months[-1]:  # the current month: early in it, if that has passed
            placed = _local(month.replace(day=min(featured.day, today.day)), 9)
            if placed >= now - datetime.timedelta(hours=6):
                continue
        plans.append(
            Plan(
                featured.seller,
                [(featured.product, featured.quantity)],
                featured.buyer,
                placed,
                featured.ending,
                featured.reason,
            )
        )
    plans.sort(key=lambda plan: plan.placed_at)
    return plans


# --- People -----------------------------------------------------------------------------------


def _user(buyer: DemoBuyer, password: str) -> User:
    email = f"{buyer.local}@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=buyer.name)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def _member(organization: Organization, *roles: str) -> User:
    return (
        organization.memberships.filter(role__in=roles)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )


@dataclass
class Party:
    user: User
    organization: Organization | None
    village: Village
    phone: str


def _village(organization: Organization, fallback: str) -> Village:
    villages = Village.objects.order_by("code")
    return (
        organization.village
        or villages.filter(district=organization.district).first()
        or villages.filter(district__regency=organization.district.regency_id).first()
        or villages.get(code=fallback)
    )


# --- One order's life -------------------------------------------------------------------------


class World:
    def __init__(self, *, password: str, now: datetime.datetime):
        self.now = now
        self.rng = random.Random(SEED + 1)  # noqa: S311
        self.staff = User.objects.get(email=f"staf@{DOMAIN}")
        self.sellers = {
            organization.code: organization
            for organization in Organization.objects.filter(code__in=[*PER_MONTH, QUIET])
        }
        self.products = {
            (product.seller.code, product.name): product
            for product in Product.objects.filter(seller__in=self.sellers.values()).select_related(
                "seller"
            )
        }
        self.managers: dict[int, User] = {}
        self.parties: dict[str, Party] = {}
        for key, buyer in BUYERS.items():
            self.parties[key] = Party(
                _user(buyer, password), None, Village.objects.get(code=buyer.village), buyer.phone
            )
        for key, code in ORGANIZATION_BUYERS.items():
            organization = Organization.objects.get(code=code)
            self.parties[key] = Party(
                _member(organization, Role.OWNER),
                organization,
                _village(organization, fallback="36.72.07.1001"),
                organization.whatsapp or "081311110009",
            )
        self.initial_stock = {
            (code, demo.name): demo.stock for code, demos in CATALOGUE.items() for demo in demos
        }

    def manager(self, seller: Organization) -> User:
        if seller.pk not in self.managers:
            self.managers[seller.pk] = _member(seller, Role.OWNER, Role.MANAGER)
        return self.managers[seller.pk]

    def later(self, moment: datetime.datetime, low: float, high: float) -> datetime.datetime:
        """A moment `low`–`high` hours after `moment`, moved into shop hours."""
        later = moment + datetime.timedelta(hours=self.rng.uniform(low, high))
        local = timezone.localtime(later, local_zone())
        if local.hour < 7 or local.hour >= 20:
            day = local.date() + datetime.timedelta(days=1 if local.hour >= 20 else 0)
            later = _local(day, self.rng.randint(7, 10), self.rng.randint(0, 59))
        return later

    def due(self, moment: datetime.datetime) -> bool:
        return moment < self.now

    # Placing ---------------------------------------------------------------------------------

    def method(self, seller: Organization, party: Party, products: list[Product]) -> str:
        weights = [product.weight_per_unit_kg for product in products]
        if party.village.district.regency_id == seller.district.regency_id:
            return ShippingMethod.OWN_DELIVERY if all(weights) else ShippingMethod.PICKUP
        if not all(weights) or max(weights) > 10:
            return ShippingMethod.PICKUP  # collected: a courier costs more than it is worth
        return ShippingMethod.COURIER

    def restock(self, product: Product, quantity: int, at: datetime.datetime) -> None:
        product.refresh_from_db(fields=["stock"])
        if product.stock >= quantity:
            return
        wanted = max(self.initial_stock.get((product.seller.code, product.name)) or 0, quantity)
        with _at(at - datetime.timedelta(hours=1)):
            stock_set(
                product=product,
                actor=self.manager(product.seller),
                stock=wanted + quantity,
                note="Produksi baru",
            )

    def place(self, plan: Plan) -> Order:
        seller = self.sellers[plan.seller]
        party = self.parties[plan.buyer]
        lines = [(self.products[(plan.seller, name)], quantity) for name, quantity in plan.lines]
        for product, quantity in lines:
            if product.availability == Product.Availability.STOCK:
                self.restock(product, quantity, plan.placed_at)
        with _at(plan.placed_at):
            cart, _created = Cart.objects.get_or_create(user=party.user)
            CartItem.objects.filter(cart=cart).delete()
            CartItem.objects.bulk_create(
                CartItem(cart=cart, product=product, quantity=quantity)
                for product, quantity in lines
            )
            data = {
                "contact_name": party.user.name,
                "contact_phone": party.phone,
                "contact_email": party.user.email,
                "address_line": party.organization.address
                if party.organization and party.organization.address
                else "Jl. Melati No. 7",
                "village": party.village.code,
                "payment_method": "bank_transfer",
                "shipping": {
                    seller.slug: self.method(seller, party, [product for product, _q in lines])
                },
            }
            if party.organization is not None:
                data["buyer_organization"] = party.organization.slug
            payment = checkout_place(user=party.user, cart=cart, data=data)
        return payment.orders.get()

    # Moving ----------------------------------------------------------------------------------

    def live(self, plan: Plan) -> None:
        order = self.place(plan)
        party = self.parties[plan.buyer]
        at = plan.placed_at
        if plan.ending == "expired":
            at = order.payment.expires_at + datetime.timedelta(minutes=5)
            if self.due(at):
                with _at(at):
                    lifecycle.payment_expire(payment_id=order.payment_id, now=at)
            return
        if plan.ending == "cancelled":
            at = self.later(at, 1, 8)
            if self.due(at):
                with _at(at):
                    lifecycle.order_cancel(order=order, actor=party.user, reason=plan.reason)
            return

        # Paid: the transfer arrived and staff confirmed it. In the current month, even the
        # newest order is paid (the dashboard's month is never empty).
        at = self.later(at, 1, 6)
        if not self.due(at):
            at = plan.placed_at + (self.now - plan.placed_at) / 2
        with _at(at):
            if plan.ending == "completed":  # the quick way for the many
                payment_mark_paid(
                    payment=order.payment,
                    actor=self.staff,
                    paid_at=at,
                    reference=f"BRI-{order.payment.code}",
                    note="Transfer diterima",
                )
            else:
                payment_transfer_confirm(
                    payment=order.payment,
                    actor=self.staff,
                    amount=order.payment.amount_due_amount,
                    reference=f"BRI-{order.payment.code}",
                    received_on=timezone.localdate(at),
                    note="Transfer diterima",
                )
        steps = [(self.later(at, 3, 30), "accept")]
        if plan.ending == "seller_cancelled":
            steps.append((self.later(steps[-1][0], 24, 96), "seller_cancel"))
        else:
            steps.append((self.later(steps[-1][0], 24, 96), "ship"))
            if plan.ending == "dispute":
                steps.append((self.later(steps[-1][0], 20, 72), "deliver"))
                steps.append((self.later(steps[-1][0], 4, 24), "report"))
                steps.append((self.later(steps[-1][0], 4, 24), "respond"))
                steps.append((self.later(steps[-1][0], 24, 72), "resolve"))
            else:
                # The buyer confirms receipt: delivered and completed at once.
                steps.append((self.later(steps[-1][0], 30, 120), "complete"))
        for at, step in steps:
            if not self.due(at):
                return
            with _at(at):  # each service locks and reads the order afresh
                self.step(order, step, plan, at)

    def step(self, order: Order, step: str, plan: Plan, at: datetime.datetime) -> None:
        seller = order.seller
        buyer = self.parties[plan.buyer].user
        manager = self.manager(seller)
        if step == "accept":
            lifecycle.order_accept(order=order, actor=manager)
        elif step == "ship":
            courier = order.shipping_method == ShippingMethod.COURIER
            lifecycle.order_ship(
                order=order,
                actor=manager,
                carrier="JNE" if courier else "",
                tracking_number=f"JNE{order.pk:010d}" if courier else "",
            )
        elif step == "deliver":
            lifecycle.order_deliver(order=order, actor=manager)
        elif step == "complete":
            lifecycle.order_complete(order=order, actor=buyer)
        elif step == "seller_cancel":
            lifecycle.order_cancel(order=order, actor=manager, reason=plan.reason)
            self.refund(order, buyer, at)
        elif step == "report":
            order_report_problem(
                order=order,
                actor=buyer,
                reason="damaged",
                description=f"{DISPUTE_REFUND_UNITS} pak hancur di perjalanan, kemasan sobek.",
            )
        elif step == "respond":
            dispute_respond(
                order=order,
                actor=manager,
                response="Mohon maaf, kami setuju mengganti yang hancur dengan pengembalian dana.",
            )
        elif step == "resolve":
            line = order.lines.order_by("pk").first()
            dispute_resolve(
                order=order,
                actor=self.staff,
                outcome="refund",
                amount=line.unit_price_amount * DISPUTE_REFUND_UNITS,
                note=f"Pengembalian dana untuk {DISPUTE_REFUND_UNITS} pak yang hancur.",
            )
            self.refund(order, buyer, at)

    def refund(self, order: Order, buyer: User, at: datetime.datetime) -> None:
        """The refund just requested goes out: the buyer gives an account, staff send the
        money two days later."""
        refund = Refund.objects.get(order=order, status=Refund.Status.REQUESTED)
        refund_submit(refund_id=refund.pk)
        refund.refresh_from_db()
        refund_account_give(
            refund=refund,
            actor=buyer,
            bank_name="BRI",
            account_number="0021-01-555123-50-1",
            account_holder=buyer.name,
        )
        sent = self.later(at, 30, 54)
        if not self.due(sent):
            return
        with _at(sent):
            refund_mark_succeeded(
                refund=refund,
                actor=self.staff,
                reference=f"BRI-RF-{refund.pk:06d}",
                note="Dana dikembalikan ke rekening pembeli",
            )


# --- Payouts, stock, the quiet Posyantek ------------------------------------------------------


def _payouts(world: World, months: list[datetime.date]) -> None:
    """Purwakarta's money is paid out on the 5th of every month: 80 % of what had become
    available by then, in whole Rp 50.000."""
    seller = world.sellers["PWK"]
    if not seller.payout_account_number:
        return
    paid = 0
    for month in months[1:]:
        at = _local(month.replace(day=5), 10)
        if not world.due(at):
            continue
        available = (
            LedgerEntry.objects.filter(
                organization=seller,
                status=LedgerEntry.Status.AVAILABLE,
                available_at__lte=at,
            )
            .exclude(kind=LedgerEntry.Kind.PAYOUT)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        amount = (available - paid) * 80 // 100 // 50_000 * 50_000
        if amount < 100_000:
            continue
        with _at(at):
            payout_record(
                organization=seller,
                actor=world.staff,
                amount=amount,
                reference=f"BJB-PO-{month:%Y%m}",
                paid_on=timezone.localdate(at),
                note="Pencairan bulanan",
            )
        paid += amount


def _stock_back(world: World) -> None:
    """Every stock product is back to at least its demo stock, so the other demo flows and
    the end-to-end tests can buy it (the quiet Posyantek's shelf stays as it was)."""
    for (code, name), product in world.products.items():
        initial = world.initial_stock.get((code, name)) or 0
        if code == QUIET or product.availability != Product.Availability.STOCK or not initial:
            continue
        product.refresh_from_db()
        if product.stock < initial:
            stock_set(
                product=product, actor=world.manager(product.seller), stock=initial, note="Restok"
            )


def _quiet(world: World, months: list[datetime.date]) -> None:
    """The quiet Posyantek's catalogue dates from before its first sale, its owner last
    logged in then: nothing of it in the last INACTIVE_DAYS days."""
    seller = world.sellers.get(QUIET)
    if seller is None:
        return
    listed = _local(months[0] - datetime.timedelta(days=20), 10)
    last = (
        Order.objects.filter(seller=seller).order_by("-created_at").values_list(
            "created_at", flat=True
        ).first()
        or listed
    )  # fmt: skip
    products = Product.objects.filter(seller=seller)
    products.filter(created_at__gt=listed).update(created_at=listed)
    products.filter(updated_at__gt=last).update(updated_at=last)
    # The opening stock was counted when the catalogue was listed.
    StockMovement.objects.filter(
        product__seller=seller, reason=StockMovement.Reason.RESTOCK, created_at__gt=listed
    ).update(created_at=listed, updated_at=listed)
    User.objects.filter(memberships__organization=seller).update(last_login=last)


def _logins(world: World) -> None:
    """The active Posyantek's people log in; nobody's login is ever set later than now."""
    for code, days in {"PWK": 1, "MPN": 3, "BPU": 9, "CPT": 16}.items():
        seller = world.sellers.get(code)
        if seller is None:
            continue
        at = world.now - datetime.timedelta(days=days, hours=2)
        User.objects.filter(memberships__organization=seller, last_login__isnull=True).update(
            last_login=at
        )


# --- Partnerships -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPartnership:
    partner: str
    posyantek: str
    kind: str
    title: str
    terms: str
    month: int  # proposed in, from the oldest month
    day: int
    ending: str  # active | completed | declined | proposed
    milestones: tuple[tuple[str, int], ...] = ()  # (title, due in days from the start)
    note: str = ""


PARTNERSHIPS = [
    DemoPartnership(
        "BSO", "BPU", Partnership.Kind.TRAINING,
        "Pelatihan pengolahan amplang higienis untuk istri nelayan mitra",
        "Posyantek Balikpapan Utara melatih 30 istri nelayan pemasok PT Bahari Samudra Olahan "
        "membuat amplang higienis; PT Bahari Samudra Olahan menanggung bahan dan konsumsi.",
        0, 12, "completed",
        (("Angkatan pertama (15 orang)", 30), ("Angkatan kedua (15 orang)", 75)),
    ),
    DemoPartnership(
        "MPC", "PDM", Partnership.Kind.CSR,
        "CSR lampu jalan tenaga surya untuk kampung nelayan Pademangan",
        "PT Mitra Pakan Cilegon mendanai 40 lampu jalan tenaga surya buatan Posyantek "
        "Pademangan untuk kampung nelayan, dipasang bertahap dengan warga.",
        3, 6, "active",
        (("Survei titik lampu bersama warga", 14), ("20 lampu pertama terpasang", 60),
         ("40 lampu terpasang dan serah terima", 120)),
    ),
    DemoPartnership(
        "FTU", "KBJ", Partnership.Kind.TECHNOLOGY,
        "Uji kinerja mesin pemarut kelapa di laboratorium Untirta",
        "Fakultas Teknik Untirta menguji kapasitas, konsumsi listrik dan keamanan Mesin "
        "Pemarut dan Pemeras Kelapa; hasilnya dipakai untuk pengajuan SNI.",
        4, 18, "declined", note="Belum ada tenaga untuk mendampingi uji bulan ini.",
    ),
    DemoPartnership(
        "DPKT", "SMU", Partnership.Kind.TRAINING,
        "Pendampingan revitalisasi Posyantek Samarinda Ulu",
        "DPMPD Provinsi Kalimantan Timur mendampingi Posyantek Samarinda Ulu menghidupkan "
        "kembali katalog dan penjualannya: pelatihan foto produk, harga, dan pemasaran daring.",
        4, 25, "proposed",
        (("Kunjungan dan pemetaan produk", 21), ("Katalog diperbarui", 60)),
    ),
]  # fmt: skip


def _partnerships(world: World, months: list[datetime.date]) -> None:
    for demo in PARTNERSHIPS:
        partner = Organization.objects.filter(code=demo.partner).first()
        posyantek = Organization.objects.filter(code=demo.posyantek).first()
        if partner is None or posyantek is None:
            continue
        if Partnership.objects.filter(partner=partner, posyantek=posyantek, title=demo.title):
            continue
        proposed = _local(months[demo.month].replace(day=demo.day), 10)
        if not world.due(proposed):
            continue
        start = proposed.date() + datetime.timedelta(days=7)
        with _at(proposed):
            partnership = partnership_propose(
                organization=partner,
                actor=_member(partner, Role.OWNER),
                data={
                    "with": posyantek.slug,
                    "kind": demo.kind,
                    "title": demo.title,
                    "terms": demo.terms,
                    "start_date": start.isoformat(),
                    "end_date": (start + datetime.timedelta(days=150)).isoformat(),
                    "milestones": [
                        {
                            "title": title,
                            "due_date": (start + datetime.timedelta(days=days)).isoformat(),
                        }
                        for title, days in demo.milestones
                    ],
                },
            )
        if demo.ending == "proposed":
            continue
        answered = proposed + datetime.timedelta(days=3, hours=2)
        manager = _member(posyantek, Role.OWNER)
        with _at(answered):
            if demo.ending == "declined":
                partnership_decline(partnership=partnership, actor=manager, note=demo.note)
                continue
            partnership = partnership_accept(partnership=partnership, actor=manager)
        ended = answered
        for milestone in partnership.milestones.order_by("due_date", "pk"):
            done = _local(milestone.due_date, 15)
            if not world.due(done):
                break
            with _at(done):
                milestone_done(milestone=milestone, actor=manager, organization=posyantek)
            ended = done + datetime.timedelta(days=2)
        if demo.ending == "completed" and world.due(ended):
            with _at(ended):
                partnership_complete(
                    partnership=partnership,
                    actor=_member(partner, Role.OWNER),
                    organization=partner,
                    note="Dua angkatan selesai; 28 peserta kini memproduksi amplang.",
                )


# --- Seed -------------------------------------------------------------------------------------


def seed(*, password: str) -> list[tuple[str, str]]:
    if not Organization.objects.filter(code="PWK").exists() or not User.objects.filter(
        email=f"staf@{DOMAIN}"
    ):
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    months = _months(today)
    with transaction.atomic():
        # History is not news: what the services queue for after the commit (e-mails about
        # months-old orders, proposals and payouts) is dropped, not sent.
        queued = len(connection.run_on_commit)
        world = World(password=password, now=now)
        marker = world.parties["dedi"].user
        if not Order.objects.filter(buyer=marker).exists():
            before = dict(Product.objects.values_list("pk", "updated_at"))
            for plan in _plans(today, now):
                world.live(plan)
            _payouts(world, months)
            # A sale's stock movement wrote its (past) time on the product: put back the
            # products' own last change.
            for pk, updated_at in before.items():
                Product.objects.filter(pk=pk, updated_at__lt=updated_at).update(
                    updated_at=updated_at
                )
            _stock_back(world)
            _quiet(world, months)
            _logins(world)
        _partnerships(world, months)
        del connection.run_on_commit[queued:]
    return [(f"buyer ({buyer.name})", f"{buyer.local}@{DOMAIN}") for buyer in BUYERS.values()]
