"""The report figures, proven independently (issue 13, §5): the expected numbers are worked out
here in plain Python from the story's own records (tests/reports/factories.py) with
DESIGN.md's definitions, and compared with what `reports/revenue/` and `reports/summary/` say
for every grouping, for one Posyantek and for a region.

Definitions used (DESIGN.md, Dashboards; issue 13 contract):
- gross = goods + shipping (never PPN) of the orders paid (Order.paid_at) in the period,
  whatever their status now;
- refunds = goods + shipping (never PPN) of those sellers' refunds that succeeded in the period;
- platform fee = the fees of the orders paid in the period − the fees given back with the
  refunds that succeeded in the period; net = gross − refunds − platform fee;
- paid orders = orders paid in the period; average order = gross ÷ paid orders, rounded
  down (documented by reports.selectors.figures), 0 without orders;
- new buyer = a buyer (the buying organisation when the order was for one, else the user)
  whose first paid order with this Posyantek falls in the period; a region's figure is the
  sum over its Posyantek;
- orders by status = orders placed (created) in the period, by their status now;
- every moment is placed in its Asia/Jakarta day; weeks start on Monday.
"""

import datetime
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from orders.models import Dispute, LedgerEntry, Order, Refund
from orders.services.disputes import dispute_resolve, order_report_problem
from orders.services.ledger import ledger_record_refund, ledger_record_sale
from orders.services.lifecycle import order_deliver, order_ship
from tests.factories import MembershipFactory, OrderFactory, OrganizationFactory, UserFactory
from tests.reports.factories import (
    WIB,
    RefundMade,
    Sale,
    World,
    fee_of,
    ppn_of,
    split_refund,
    story_world,
    wib,
)

pytestmark = pytest.mark.django_db

REVENUE = "/api/v1/reports/revenue/"
SUMMARY = "/api/v1/reports/summary/"
MONEY = ("gross_amount", "refunds_amount", "platform_fee_amount", "net_amount", "paid_orders")
KPIS = (*MONEY[:4], "paid_orders", "average_order_amount", "new_buyers")
SETTLED = ("completed", "refunded", "partially_refunded")


# --- The independent expectation -------------------------------------------------------------


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(WIB).date()


def bucket_of(day: datetime.date, group_by: str) -> datetime.date:
    if group_by == "day":
        return day
    if group_by == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(start: datetime.date, end: datetime.date, group_by: str) -> list[datetime.date]:
    """Every bucket the period touches, by walking its days."""
    out: list[datetime.date] = []
    day = start
    while day <= end:
        key = bucket_of(day, group_by)
        if key not in out:
            out.append(key)
        day += datetime.timedelta(days=1)
    return out


def money(
    world: World, sellers: set[str], start: datetime.date, end: datetime.date
) -> dict[str, int]:
    def inside(moment) -> bool:
        return moment is not None and start <= local_day(moment) <= end

    paid = [s for s in world.sales if s.seller in sellers and inside(s.paid_at)]
    refunds = [r for r in world.refunds if r.seller in sellers and inside(r.succeeded_at)]
    gross = sum(s.goods + s.shipping for s in paid)
    refunded = sum(r.goods + r.shipping for r in refunds)
    fee = sum(s.fee for s in paid) - sum(r.fee_back for r in refunds)
    return {
        "gross_amount": gross,
        "refunds_amount": refunded,
        "platform_fee_amount": fee,
        "net_amount": gross - refunded - fee,
        "paid_orders": len(paid),
    }


def series(
    world: World, sellers: set[str], start: datetime.date, end: datetime.date, group_by: str
) -> list[dict]:
    """Each bucket's figures: the days of the bucket that lie inside the period."""
    days: dict[datetime.date, list[datetime.date]] = defaultdict(list)
    day = start
    while day <= end:
        days[bucket_of(day, group_by)].append(day)
        day += datetime.timedelta(days=1)
    return [
        {"start": key.isoformat(), **money(world, sellers, min(days[key]), max(days[key]))}
        for key in buckets(start, end, group_by)
    ]


def new_buyers(world: World, sellers: set[str], start: datetime.date, end: datetime.date) -> int:
    count = 0
    for seller in sellers:
        first: dict[tuple, datetime.datetime] = {}
        for sale in world.sales:
            if sale.seller != seller or sale.paid_at is None:
                continue
            if sale.buyer not in first or sale.paid_at < first[sale.buyer]:
                first[sale.buyer] = sale.paid_at
        count += sum(1 for moment in first.values() if start <= local_day(moment) <= end)
    return count


def kpis(world: World, sellers: set[str], start: datetime.date, end: datetime.date) -> dict:
    figures = money(world, sellers, start, end)
    paid = figures["paid_orders"]
    figures["average_order_amount"] = figures["gross_amount"] // paid if paid else 0
    figures["new_buyers"] = new_buyers(world, sellers, start, end)
    return figures


def change(current: int, previous: int) -> float | None:
    return None if previous == 0 else round((current - previous) * 100 / abs(previous), 1)


def statuses(world: World, sellers: set[str], start: datetime.date, end: datetime.date) -> dict:
    counts = Counter(
        str(s.status)
        for s in world.sales
        if s.seller in sellers and start <= local_day(s.placed_at) <= end
    )
    return dict(counts)


def top_products(
    world: World, sellers: set[str], start: datetime.date, end: datetime.date
) -> list[tuple[int, int, int]]:
    """(product id, quantity, goods) of the products sold in orders paid in the period, by
    goods, at most five."""
    quantity: Counter = Counter()
    goods: Counter = Counter()
    for sale in world.sales:
        if sale.seller in sellers and sale.paid_at and start <= local_day(sale.paid_at) <= end:
            for key, (count, amount) in sale.lines.items():
                quantity[key] += count
                goods[key] += amount
    ranked = sorted(goods, key=lambda key: -goods[key])[:5]
    return [(world.products[key].pk, quantity[key], goods[key]) for key in ranked]


def ledger(world: World, seller: str) -> dict:
    """A Posyantek's balance now, from the story: + order total and − fee at payment, − refund
    total and + fee given back at refund; available once the order is settled."""
    pending = available = 0
    for sale in world.sales:
        if sale.seller != seller or sale.paid_at is None:
            continue
        amount = sale.total - sale.fee
        for made in world.refunds:
            if made.order_id == sale.order_id:
                amount += -(made.goods + made.shipping + made.ppn) + made.fee_back
        if str(sale.status) in SETTLED:
            available += amount
        else:
            pending += amount
    return {
        "pending_amount": pending,
        "available_amount": available,
        "balance_amount": pending + available,
    }


# --- Fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """The story, built once for the module inside a transaction rolled back at its end (each
    test runs in a savepoint within it)."""
    from regions.services import regions_load
    from tests.conftest import REGIONS_SUBSET

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            regions_load(path=REGIONS_SUBSET)
            yield story_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def get(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def money_only(row: dict) -> dict:
    return {key: row[key] for key in MONEY}


def revenue_rows(body: dict) -> list[dict]:
    return [{"start": row["start"], **money_only(row)} for row in body["results"]]


def status_counts(body: dict) -> dict:
    return {row["status"]: row["count"] for row in body["orders_by_status"] if row["count"]}


OCT_1, OCT_31 = datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


# --- The story is what the tests think it is ---------------------------------------------------


def test_the_story_matches_the_database(world):
    """The records the expectations use agree with the rows the services wrote."""
    for sale in world.sales:
        order = Order.objects.get(pk=sale.order_id)
        assert order.status == sale.status, sale.label
        assert order.paid_at == sale.paid_at, sale.label
        assert order.created_at == sale.placed_at, sale.label
        assert order.seller.slug == sale.seller
    for made in world.refunds:
        refund = Refund.objects.get(order_id=made.order_id, status=Refund.Status.SUCCEEDED)
        assert refund.succeeded_at == made.succeeded_at
        back = LedgerEntry.objects.filter(refund=refund, kind="platform_fee").first()
        assert (back.amount if back else 0) == made.fee_back
    # o12's excess went back to Fajar as the payment's own refund (no order).
    excess = Refund.objects.get(order__isnull=True)
    assert (excess.status, excess.total_amount) == (Refund.Status.SUCCEEDED, 50_000 - 44_400)
    assert excess.payment_id == Order.objects.get(pk=world.sale("o12").order_id).payment_id
    # The boundary moments really straddle the UTC day: both paid on 31/10 in UTC.
    o1a, o2 = world.sale("o1a"), world.sale("o2")
    assert o1a.paid_at.astimezone(datetime.UTC).date() == datetime.date(2026, 10, 31)
    assert o2.paid_at.astimezone(datetime.UTC).date() == datetime.date(2026, 10, 31)
    assert (
        o1a.paid_at.astimezone(datetime.UTC).hour,
        o2.paid_at.astimezone(datetime.UTC).hour,
    ) == (
        16,
        17,
    )
    # PKP: PPN is part of the order and the refund, never of the figures.
    assert world.sale("o1a").ppn == 115_500 and world.refunds[0].ppn == 115_500


def test_hand_worked_figures_for_the_posyantek(world):
    """A few numbers worked out by hand from the table in story_world, so the expectation
    code itself is checked too."""
    pwk = {"pwk"}
    # October: o5 (1.050.000) and o1a (1.050.000) paid; nothing refunded yet.
    assert kpis(world, pwk, OCT_1, OCT_31) == {
        "gross_amount": 2_100_000,
        "refunds_amount": 0,
        "platform_fee_amount": 50_000,
        "net_amount": 2_050_000,
        "paid_orders": 2,
        "average_order_amount": 1_050_000,
        "new_buyers": 2,  # Budi (o5, refunded later: still his first paid order), Ani
    }
    # November: o2 120.000, o12 40.000 (late, honoured 4/11), o8 380.000 (terms, paid 5/11),
    # o7 40.000, o6 250.000, o9 40.000, o11 40.000 = 910.000; refunds o5 1.050.000 (2/11) +
    # o6 72.072 + 18.018 (o12's excess is the payment's, not the seller's); fee 3.000 + 1.000
    # + 9.500 + 1.000 + 5.000 + 1.000 + 1.000 − 25.000 − 1.802 = −5.302.
    assert kpis(world, pwk, NOV_1, NOV_30) == {
        "gross_amount": 910_000,
        "refunds_amount": 1_140_090,
        "platform_fee_amount": -5_302,
        "net_amount": 910_000 - 1_140_090 + 5_302,
        "paid_orders": 7,
        "average_order_amount": 130_000,
        "new_buyers": 2,  # PT Pakan Maju (o8, o7, o6: two people, one buyer), Fajar (o12)
    }
    assert statuses(world, pwk, NOV_1, NOV_30) == {
        "cancelled": 1,
        "expired": 1,
        "paid": 3,
        "partially_refunded": 1,
        "completed": 1,
    }
    assert statuses(world, pwk, OCT_1, OCT_31) == {"refunded": 1, "processing": 1, "paid": 2}
    # Weeks: Sunday 8/11 23:30 (o7) in the week of 2/11, Monday 9/11 00:30 (o6) in the next.
    weeks = {row["start"]: row for row in series(world, pwk, NOV_1, NOV_30, "week")}
    assert weeks["2026-11-02"]["gross_amount"] == 40_000 + 380_000 + 40_000  # o12, o8, o7
    assert weeks["2026-11-09"]["gross_amount"] == 250_000 + 40_000  # o6, o9 (Sun 15/11)
    # The first week bucket starts 26/10 but counts from 1/11 only: o2, not o1a.
    assert weeks["2026-10-26"]["gross_amount"] == 120_000
    # Region Banten, October: Ani is new with both Posyantek (a checkout with two sellers):
    # Budi, Ani (pwk) + Ani, Citra (cbb) = 4, the sum over the region's Posyantek.
    assert new_buyers(world, {"pwk", "cbb"}, OCT_1, OCT_31) == 4
    # Top products: October sold 2 tools (o5, o1a); November 22 bags of feed.
    tool, feed = world.products["tool"].pk, world.products["feed"].pk
    assert top_products(world, pwk, OCT_1, OCT_31) == [(tool, 2, 2_000_000)]
    assert top_products(world, pwk, NOV_1, NOV_30) == [(feed, 22, 860_000)]
    # Cibeber, November: the refund of `of` counts when it succeeded (3/11), not when it was
    # requested or failed (October); the failed one never.
    assert money(world, {"cbb"}, NOV_1, NOV_30)["refunds_amount"] == 150_000
    assert money(world, {"cbb"}, OCT_1, OCT_31)["refunds_amount"] == 0


# --- Revenue, per grouping ---------------------------------------------------------------------


@pytest.mark.parametrize("group_by", ["day", "week", "month"])
def test_revenue_of_a_posyantek_for_its_owner(world, client_for, group_by):
    client = client_for(world.owners["pwk"])
    body = get(
        client,
        REVENUE,
        organization="pwk",
        group_by=group_by,
        **{"from": "2026-10-01", "to": "2026-11-30"},
    )
    expected = series(world, {"pwk"}, OCT_1, NOV_30, group_by)
    assert body["group_by"] == group_by
    assert body["period"] == {"from": "2026-10-01", "to": "2026-11-30"}
    assert body["scope"]["organization"] == "pwk"
    assert [row["start"] for row in body["results"]] == [row["start"] for row in expected]
    for got, want in zip(revenue_rows(body), expected, strict=True):
        assert got == want, want["start"]
    assert money_only(body["totals"]) == money(world, {"pwk"}, OCT_1, NOV_30)


@pytest.mark.parametrize("group_by", ["day", "week", "month"])
def test_revenue_of_a_region_for_platform_staff(world, client_for, group_by):
    """Banten (36): Purwakarta and Cibeber, not Pekalongan. The first week bucket (from Mon
    28/9) and the last (to Sun 6/12) hold sales outside the period (30/9 23:30, 1/12 00:30)
    that must not count."""
    client = client_for(world.platform)
    start, end = datetime.date(2026, 10, 1), datetime.date(2026, 11, 30)
    body = get(
        client,
        REVENUE,
        region="36",
        group_by=group_by,
        **{"from": "2026-10-01", "to": "2026-11-30"},
    )
    banten = {"pwk", "cbb"}
    expected = series(world, banten, start, end, group_by)
    assert body["scope"]["region"] == "36"
    assert revenue_rows(body) == expected
    assert money_only(body["totals"]) == money(world, banten, start, end)
    # The region is the sum of its Posyantek, and Pekalongan's sale is not in it.
    each = [money(world, {slug}, start, end) for slug in banten]
    assert body["totals"]["gross_amount"] == sum(f["gross_amount"] for f in each)
    assert money(world, {"pkl"}, start, end)["gross_amount"] == 200_000


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-10-31", "2026-10-31"),  # o1a/o1b at 23:30 WIB belong to the 31st
        ("2026-11-01", "2026-11-01"),  # o2 at 00:30 WIB to the 1st
        ("2026-11-08", "2026-11-08"),  # Sunday: o7 only
        ("2026-11-09", "2026-11-15"),  # from Monday: o6, o9, and no o7
        ("2026-11-30", "2026-11-30"),  # ob1 at 23:30; ob2 (1/12 00:30) is not
    ],
)
def test_boundaries_at_half_past_eleven_wib(world, client_for, start, end):
    client = client_for(world.platform)
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    for scope in ({"organization": "pwk"}, {"organization": "cbb"}, {"region": "36"}):
        sellers = {scope["organization"]} if "organization" in scope else {"pwk", "cbb"}
        body = get(client, REVENUE, group_by="day", **scope, **{"from": start, "to": end})
        assert revenue_rows(body) == series(world, sellers, first, last, "day"), scope
        assert money_only(body["totals"]) == money(world, sellers, first, last), scope


# --- Summary ------------------------------------------------------------------------------------


def assert_summary(body: dict, world: World, sellers: set[str], start, end, previous) -> None:
    now = kpis(world, sellers, start, end)
    before = kpis(world, sellers, *previous)
    assert body["period"] == {"from": start.isoformat(), "to": end.isoformat()}
    assert body["previous_period"] == {
        "from": previous[0].isoformat(),
        "to": previous[1].isoformat(),
    }
    for name in KPIS:
        assert body["kpis"][name]["current"] == now[name], name
        assert body["kpis"][name]["previous"] == before[name], name
        want = change(now[name], before[name])
        got = body["kpis"][name]["change_percent"]
        assert got == (pytest.approx(want) if want is not None else None), name
    assert status_counts(body) == statuses(world, sellers, start, end)
    assert [
        (row["product_id"], row["quantity"], row["gross_amount"]) for row in body["top_products"]
    ] == top_products(world, sellers, start, end)


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        (NOV_1, NOV_30, (OCT_1, OCT_31)),
        # Nothing in December against a November with a negative platform fee.
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), (NOV_1, NOV_30)),
    ],
)
def test_summary_of_a_month_against_the_one_before(world, client_for, start, end, previous):
    client = client_for(world.owners["pwk"])
    body = get(
        client, SUMMARY, organization="pwk", **{"from": start.isoformat(), "to": end.isoformat()}
    )
    assert_summary(body, world, {"pwk"}, start, end, previous)
    assert body["ledger"] == ledger(world, "pwk")


def test_summary_of_a_week_against_the_week_before(world, client_for):
    """2–8 Nov against 26 Oct–1 Nov: the comparison week holds o1a (Sat 31/10 23:30) and o2
    (Sun 1/11 00:30); o7 (Sun 8/11 23:30) is this week, o6 (Mon 9/11 00:30) is not."""
    client = client_for(world.owners["pwk"])
    body = get(client, SUMMARY, organization="pwk", **{"from": "2026-11-02", "to": "2026-11-08"})
    start, end = datetime.date(2026, 11, 2), datetime.date(2026, 11, 8)
    previous = (datetime.date(2026, 10, 26), datetime.date(2026, 11, 1))
    assert_summary(body, world, {"pwk"}, start, end, previous)


def test_summary_of_a_month_so_far_against_the_same_days_before(world, client_for):
    """1–8 Nov (a month so far) against 1–8 Oct, for Banten: Cibeber's `of` was paid 5/10 and
    refunded 3/11; Purwakarta sold nothing in those October days."""
    client = client_for(world.platform)
    body = get(client, SUMMARY, region="36", **{"from": "2026-11-01", "to": "2026-11-08"})
    start, end = NOV_1, datetime.date(2026, 11, 8)
    previous = (OCT_1, datetime.date(2026, 10, 8))
    assert_summary(body, world, {"pwk", "cbb"}, start, end, previous)
    assert body["kpis"]["gross_amount"]["previous"] == 150_000


def test_summary_of_october_against_september(world, client_for):
    client = client_for(world.owners["cbb"])
    body = get(client, SUMMARY, organization="cbb", **{"from": "2026-10-01", "to": "2026-10-31"})
    previous = (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    assert_summary(body, world, {"cbb"}, OCT_1, OCT_31, previous)
    assert body["ledger"] == ledger(world, "cbb")


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        (NOV_1, NOV_30, (OCT_1, OCT_31)),
        (OCT_1, OCT_31, (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))),
    ],
)
def test_summary_of_a_region_for_platform_staff(world, client_for, start, end, previous):
    """Banten: Purwakarta + Cibeber. In October Ani's one checkout made her a new buyer of
    both Posyantek: two new buyers for the region (the sum over its Posyantek)."""
    client = client_for(world.platform)
    body = get(client, SUMMARY, region="36", **{"from": start.isoformat(), "to": end.isoformat()})
    assert body["scope"]["region"] == "36"
    assert_summary(body, world, {"pwk", "cbb"}, start, end, previous)


@pytest.mark.parametrize("group_by", ["day", "week", "month"])
def test_a_dinas_sees_its_own_region_without_naming_it(world, client_for, group_by):
    """A member of the Kota Cilegon dinas (jurisdiction 36.72) asks with no scope: its region,
    Purwakarta + Cibeber."""
    dinas = OrganizationFactory(kind="government", name="Dinas Cilegon", jurisdiction="36.72")
    officer = UserFactory()
    MembershipFactory(user=officer, organization=dinas, role=Role.STAFF)
    body = get(
        client_for(officer),
        REVENUE,
        group_by=group_by,
        **{"from": "2026-10-01", "to": "2026-11-30"},
    )
    assert body["scope"]["region"] == "36.72"
    assert revenue_rows(body) == series(world, {"pwk", "cbb"}, OCT_1, NOV_30, group_by)
    summary = get(client_for(officer), SUMMARY, **{"from": "2026-11-01", "to": "2026-11-30"})
    assert_summary(summary, world, {"pwk", "cbb"}, NOV_1, NOV_30, (OCT_1, OCT_31))


def test_everything_for_platform_staff_includes_other_provinces(world, client_for):
    client = client_for(world.platform)
    body = get(client, REVENUE, group_by="month", **{"from": "2026-10-01", "to": "2026-11-30"})
    everyone = {"pwk", "cbb", "pkl"}
    assert revenue_rows(body) == series(world, everyone, OCT_1, NOV_30, "month")


# --- A property: buckets add up to the totals, and both to the direct sums ----------------------


@pytest.fixture
def market(regions, settings):
    settings.PLATFORM_FEE_PERCENT = "2.5"
    staff = UserFactory(is_staff=True)
    # Cempaka Putih (DKI): no Posyantek of the story's is there.
    sellers = [OrganizationFactory(district_id="31.71.05", is_pkp=pkp) for pkp in (True, False)]
    buyers = [UserFactory() for _n in range(3)]
    return staff, sellers, buyers


# Moments within a few days of the ends of October, and anywhere between.
MOMENT = st.one_of(
    st.datetimes(
        min_value=datetime.datetime(2026, 9, 26), max_value=datetime.datetime(2026, 12, 4)
    ),
    st.sampled_from(
        [datetime.datetime(2026, 10, 31, 23, 30), datetime.datetime(2026, 11, 1, 0, 30)]
    ),
).map(lambda naive: naive.replace(tzinfo=WIB))

ORDER = st.fixed_dictionaries(
    {
        "seller": st.integers(0, 1),
        "buyer": st.integers(0, 2),
        "goods": st.integers(1, 5_000_000),
        "shipping": st.sampled_from([0, 0, 15_000, 50_000]),
        "paid_at": MOMENT,
        "refund": st.one_of(
            st.none(), st.tuples(st.floats(0.0001, 1.0), st.integers(0, 40 * 24 * 60))
        ),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    orders=st.lists(ORDER, min_size=1, max_size=8),
    group_by=st.sampled_from(["day", "week", "month"]),
)
def test_buckets_add_up_to_the_totals_and_the_direct_sums(market, client_for, orders, group_by):
    staff, sellers, buyers = market
    client = client_for(staff)
    sid = transaction.savepoint()
    try:
        world = World()
        for n, drawn in enumerate(orders):
            seller = sellers[drawn["seller"]]
            goods, shipping = drawn["goods"], drawn["shipping"]
            ppn = ppn_of(goods + shipping, seller.is_pkp)
            order = OrderFactory(
                seller=seller,
                buyer=buyers[drawn["buyer"]],
                payment__buyer=buyers[drawn["buyer"]],
                status="paid",
                seller_is_pkp=seller.is_pkp,
                goods_amount=goods,
                shipping_amount=shipping,
                ppn_amount=ppn,
                total_amount=goods + shipping + ppn,
                platform_fee_amount=fee_of(goods),
                paid_at=drawn["paid_at"],
            )
            ledger_record_sale(order=order, at=drawn["paid_at"])
            world.sales.append(
                Sale(
                    label=str(n),
                    order_id=order.pk,
                    seller=seller.slug,
                    buyer=("user", buyers[drawn["buyer"]].pk),
                    placed_at=drawn["paid_at"],
                    goods=goods,
                    shipping=shipping,
                    ppn=ppn,
                    fee=fee_of(goods),
                    status="paid",
                    paid_at=drawn["paid_at"],
                )
            )
            if drawn["refund"] is not None:
                share, minutes = drawn["refund"]
                total = goods + shipping + ppn
                amount = max(1, min(total, int(total * share)))
                g, s, p = split_refund(amount, goods, shipping, ppn)
                at = drawn["paid_at"] + datetime.timedelta(minutes=minutes)
                refund = Refund.objects.create(
                    order=order,
                    payment=order.payment,
                    status=Refund.Status.SUCCEEDED,
                    reason=Refund.Reason.DISPUTE,
                    provider="bank_transfer",
                    goods_amount=g,
                    shipping_amount=s,
                    ppn_amount=p,
                    total_amount=amount,
                    succeeded_at=at,
                )
                ledger_record_refund(refund=refund, at=at)
                world.refunds.append(
                    RefundMade(
                        label=str(n),
                        order_id=order.pk,
                        seller=seller.slug,
                        succeeded_at=at,
                        goods=g,
                        shipping=s,
                        ppn=p,
                        fee_back=fee_of(goods) - fee_of(goods - g),
                    )
                )
        slugs = {seller.slug for seller in sellers}
        body = get(
            client,
            REVENUE,
            region="31.71.05",
            group_by=group_by,
            **{"from": "2026-10-01", "to": "2026-11-30"},
        )
        rows = revenue_rows(body)
        assert rows == series(world, slugs, OCT_1, NOV_30, group_by)
        for key in MONEY:
            assert sum(row[key] for row in rows) == body["totals"][key], key
        assert money_only(body["totals"]) == money(world, slugs, OCT_1, NOV_30)
    finally:
        transaction.savepoint_rollback(sid)


# --- A dispute on a terms order before it is paid: a credit, not a refund ------------------------


def test_a_terms_order_credited_before_payment_counts_what_was_sold(world, client_for):
    """A net-14 order of 5 × Rp 100.000 (not PKP, pickup) is delivered; a dispute is resolved
    (18/11) with Rp 100.000 back while it is still unpaid, so the amount owed drops to
    Rp 400.000 (orders.services.disputes: a credit instead of a Refund) and the order is
    partially refunded; it is paid on 20/11. The seller sold 400.000: its ledger has the sale
    400.000 and the fee on the goods left, 10.000. Over a period holding the order's whole
    life the figures must say the same, whether the credit shows as less gross or as a
    refund: gross − refunds = 400.000, platform fee = 10.000, net = 390.000 = the ledger
    balance."""
    local = World(platform=world.platform)
    buyer = world.buyers["dedi"]
    with override_settings(PLATFORM_FEE_PERCENT="2.5"):
        local.add_seller("crd", district="36.72.02", pkp=False, delivery=False)
        local.add_product("crate", seller="crd", price=100_000)
        local.on_terms(
            "t1", buyer, "crate", 5, 100_000, buying_for=world.company, placed_at=wib(2026, 11, 10)
        )
        owner = local.owners["crd"]
        order = Order.objects.get(pk=local.sale("t1").order_id)
        order_deliver(order=order_ship(order=order, actor=owner), actor=owner)
        order_report_problem(order=order, actor=buyer, reason="damaged", description="Rusak")
        dispute_resolve(
            order=order, actor=world.platform, outcome="refund", amount=100_000, note="Rusak"
        )
        Dispute.objects.filter(order=order).update(resolved_at=wib(2026, 11, 18, 9))
        local.pay("t1", at=wib(2026, 11, 20, 9))
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert order.payment.received_amount == 400_000
    entries = dict(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))
    assert entries == {"sale": 400_000, "platform_fee": -10_000}

    body = get(
        client_for(owner), SUMMARY, organization="crd", **{"from": "2026-11-01", "to": "2026-11-30"}
    )
    now = {name: figure["current"] for name, figure in body["kpis"].items()}
    assert body["ledger"]["balance_amount"] == 390_000
    assert now["gross_amount"] - now["refunds_amount"] == 400_000
    assert now["platform_fee_amount"] == 10_000
    assert now["net_amount"] == 390_000 == body["ledger"]["balance_amount"]


# --- A buyer is an organisation or a user, never confused by their ids ---------------------------


def test_an_organisation_and_a_user_with_the_same_id_are_two_buyers(world, client_for):
    """User #7.000.001 buys for herself in October; organisation #7.000.001 (someone buying on
    its name) first buys in November: it is a new buyer in November."""
    same = 7_000_001
    person = UserFactory(id=same)
    firm = OrganizationFactory(id=same, kind="industry", name="CV Sama", slug="cv-sama")
    member = UserFactory()
    MembershipFactory(user=member, organization=firm, role=Role.MANAGER)
    local = World(
        sellers=world.sellers,
        owners=world.owners,
        products=world.products,
        pkp=world.pkp,
        platform=world.platform,
    )
    with override_settings(PLATFORM_FEE_PERCENT="2.5"):
        local.checkout(["u1"], person, [("feed", 1)], placed_at=wib(2026, 10, 10, 9))
        local.pay("u1", at=wib(2026, 10, 10, 10))
        local.checkout(
            ["f1"], member, [("feed", 1)], placed_at=wib(2026, 11, 12, 9), buying_for=firm
        )
        local.pay("f1", at=wib(2026, 11, 12, 10))
    both = World(products=world.products, sales=world.sales + local.sales, refunds=world.refunds)
    assert new_buyers(both, {"pwk"}, NOV_1, NOV_30) == new_buyers(world, {"pwk"}, NOV_1, NOV_30) + 1

    body = get(
        client_for(world.owners["pwk"]),
        SUMMARY,
        organization="pwk",
        **{"from": "2026-11-01", "to": "2026-11-30"},
    )
    assert body["kpis"]["new_buyers"]["current"] == new_buyers(both, {"pwk"}, NOV_1, NOV_30)
    assert body["kpis"]["new_buyers"]["previous"] == new_buyers(both, {"pwk"}, OCT_1, OCT_31)
