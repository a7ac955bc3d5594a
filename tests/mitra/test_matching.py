"""The matching engine's rules: hard filters (property-tested over generated worlds), the
score (monotone, 0–100), unit conversion, distance, category fit, query counts and the
explanations in both languages."""

import datetime
import json
from dataclasses import asdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from marketplace import capacity
from marketplace.models import Certification, Product
from mitra.matching import WEIGHTS, explain, explain_text, need_rank, score_from_components, units
from mitra.matching.scoring import (
    category_relation,
    distance_level,
    price_fit,
    responsiveness_fit,
    track_record_fit,
)
from mitra.models import Need
from regions.models import District
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

# --- The score ----------------------------------------------------------------------------------

unit_values = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def kind_and_components(draw):
    kind = draw(st.sampled_from(sorted(WEIGHTS)))
    names = draw(st.sets(st.sampled_from(sorted(WEIGHTS[kind])), min_size=1))
    return kind, {name: draw(unit_values) for name in sorted(names)}


@given(kind_and_components(), st.data())
def test_raising_one_component_never_lowers_the_score(kind_components, data):
    kind, components = kind_components
    name = data.draw(st.sampled_from(sorted(components)))
    raised = data.draw(st.floats(min_value=components[name], max_value=1, allow_nan=False))
    before = score_from_components(kind, components)
    after = score_from_components(kind, {**components, name: raised})
    assert after >= before


@given(
    st.sampled_from(sorted(WEIGHTS)),
    st.dictionaries(
        st.sampled_from(["category", "text", "distance", "capacity", "price", "unknown"]),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    ),
)
def test_score_is_always_between_0_and_100(kind, components):
    assert 0 <= score_from_components(kind, components) <= 100


def test_score_is_the_weighted_mean_of_the_components_present():
    assert score_from_components("supply", {}) == 0
    assert score_from_components("supply", {"text": 1.0}) == 100
    weights = WEIGHTS["supply"]
    expected = (weights["text"] * 1 + weights["distance"] * 0) / (
        weights["text"] + weights["distance"]
    )
    assert score_from_components("supply", {"text": 1, "distance": 0}) == round(100 * expected)
    # research weighs no capacity or price: they are ignored there.
    assert score_from_components("research", {"text": 1.0, "capacity": 0.0}) == 100


def test_weights_cover_every_need_kind_and_sum_to_one():
    assert set(WEIGHTS) == set(Need.Kind.values)
    for weights in WEIGHTS.values():
        assert sum(weights.values()) == pytest.approx(1.0)


def test_component_functions():
    assert price_fit(cost_amount=100, budget_amount=100) == 1.0
    assert price_fit(cost_amount=125, budget_amount=100) == pytest.approx(0.5)
    assert price_fit(cost_amount=200, budget_amount=100) == 0.0
    assert responsiveness_fit(None) == 0.5
    assert responsiveness_fit(0) == 1.0
    assert responsiveness_fit(24) == pytest.approx(0.5)
    good = track_record_fit(completed=12, delivered=12, on_time=11, rating_sum=70.5, reviews=15)
    new = track_record_fit(completed=0, delivered=0, on_time=0, rating_sum=0, reviews=0)
    poor = track_record_fit(completed=10, delivered=10, on_time=3, rating_sum=19.2, reviews=8)
    assert good > new > poor


# --- Units, distance, category -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit", "selling_unit", "weight", "expected"),
    [
        ("5", "ton", "karung 50 kg", "50", 100),
        ("5", "ton", "karung 50 kg", "49", 103),  # rounded up
        ("120", "kg", "kg", "1", 120),
        ("1", "ton", "unit", None, None),  # no weight: cannot answer a mass need
        ("1", "ton", "unit", "0", None),
        ("200", "liter", "jeriken 5 liter", "4.6", 40),
        ("200", "liter", "botol 250 ml", "0.3", 800),
        ("3", "liter", "liter", None, 3),
        ("10", "liter", "galon 19 l", None, 1),
        ("200", "liter", "kg", "1", None),  # mass is never turned into volume
        ("200", "liter", "karung 25 kg", "25", None),
        ("3", "unit", "unit", "80", 3),
        ("3", "unit", "paket", None, 3),
        ("3", "unit", "lisensi", None, 3),
        ("3", "unit", "", None, 3),
        ("3", "unit", "karung 50 kg", "50", None),  # sold by weight, not per piece
        ("3", "unit", "botol 250 ml", "0.3", None),
        ("3", "unit", "bungkus 200 g", "0.2", None),
    ],
)
def test_units_per_delivery(quantity, unit, selling_unit, weight, expected):
    assert (
        units.units_per_delivery(
            quantity=Decimal(quantity),
            unit=unit,
            selling_unit=selling_unit,
            weight_per_unit_kg=Decimal(weight) if weight is not None else None,
        )
        == expected
    )


def test_selling_units_read_for_pieces_and_volumes():
    for piece in ["unit", "buah", "paket", "set", "lisensi", "Unit", "botol", "galon"]:
        assert units.is_sold_per_piece(piece), piece
    for measure in ["kg", "karung 50 kg", "kemasan 250 g", "1 ton", "botol 250ml", "5 L"]:
        assert not units.is_sold_per_piece(measure), measure
    assert units.volume_liters("jeriken 5 liter") == 5
    assert units.volume_liters("botol 250 ml") == Decimal("0.25")
    assert units.volume_liters("Botol 1,5 L") == Decimal("1.5")
    assert units.volume_liters("liter") == 1
    assert units.volume_liters("botol") is None
    assert units.volume_liters("karung 50 kg") is None
    assert units.deliveries_per_month("weekly") == Decimal(52) / 12
    assert units.deliveries_per_month("monthly") == units.deliveries_per_month("once") == 1


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("36.72.07", "36.72.07", "district"),
        ("36.72.07", "36.72.04", "regency"),
        ("36.72.07", "36.04.05", "province"),
        ("36.72.07", "33.75.03", "island"),  # Banten and Jawa Tengah: Java
        ("31.71.05", "31.72.05", "province"),  # two kota of DKI Jakarta
        ("64.71.03", "64.72.03", "province"),
        ("36.72.07", "64.71.03", "elsewhere"),  # Java and Kalimantan
        ("", "36.72.07", "elsewhere"),
    ],
)
def test_distance_from_the_code_hierarchy(a, b, level):
    assert distance_level(a, b) == level
    assert distance_level(b, a) == level


def test_category_relation():
    need = (10, 1)  # a sub-category of field 1
    assert category_relation(need_category=need, product_category=(10, 1)) == "same"
    assert category_relation(need_category=need, product_category=(1, None)) == "parent"
    assert category_relation(need_category=need, product_category=(11, 1)) == "sibling"
    assert category_relation(need_category=need, product_category=(20, 2)) == "none"
    assert category_relation(need_category=need, product_category=None) == "none"
    field = (1, None)  # a top-level field
    assert category_relation(need_category=field, product_category=(10, 1)) == "child"
    assert category_relation(need_category=field, product_category=(2, None)) == "none"


# --- need_rank ----------------------------------------------------------------------------------


def make_need(category, **fields) -> Need:
    defaults = {
        "organization": OrganizationFactory(kind=Organization.Kind.INDUSTRY),
        "created_by": UserFactory(),
        "kind": "supply",
        "title": "Ampas tahu untuk pakan sapi",
        "description": "",
        "category": category,
        "delivery_district": District.objects.get(code="36.72.07"),
        "status": Need.Status.OPEN,
    }
    return Need.objects.create(**{**defaults, **fields})


def ampas_tahu(category, **fields) -> Product:
    defaults = {
        "category": category,
        "kind": "byproduct",
        "name": "Ampas Tahu Basah",
        "description": "Ampas tahu segar setiap hari.",
        "specs": [],
        "selling_unit": "karung 50 kg",
        "weight_per_unit_kg": "50",
        "price_amount": 35_000,
        "availability": "recurring_output",
        "stock": 0,
        "output_quantity_kg": 1_200,
        "output_period": "day",
    }
    return ProductFactory(**{**defaults, **fields})


def test_rank_the_cilegon_ampas_tahu_need_and_explain_it(regions):
    category = CategoryFactory(name="Pakan Ternak")
    product = ampas_tahu(category, seller__district=District.objects.get(code="36.72.04"))
    CertificationFactory(product=None, organization=product.seller, type="npp")
    need = make_need(
        category,
        quantity=Decimal("5"),
        unit="ton",
        frequency="weekly",
        budget_amount=4_000_000,
        required_certifications=["npp"],
    )
    [result] = need_rank(need)
    assert result.posyantek_id == product.seller_id
    assert result.product_id == product.pk
    json.dumps(asdict(result))  # what need_match_compute stores
    assert set(result.components) == {
        "category",
        "text",
        "distance",
        "capacity",
        "price",
        "track_record",
        "responsiveness",
    }
    assert result.components["category"] == 1.0
    assert result.components["distance"] == 0.75
    assert result.components["capacity"] == 1.0
    assert result.components["price"] == 1.0  # 100 karung × Rp 35.000 ≤ Rp 4.000.000
    month = capacity.this_month()
    weekly = Decimal(1_200 * capacity.days_in_month(month) // 50) * Decimal("0.05") * 12 / 52
    assert result.facts["capacity"]["available"] == pytest.approx(float(weekly), abs=0.001)
    assert result.facts["price"] == {
        "cost_amount": 3_500_000,
        "budget_amount": 4_000_000,
        "units": 100,
    }

    with translation.override("en"):
        parts = explain(result, need=need)
    available = f"{weekly:.1f}"
    assert parts[:6] == [
        "Same category",
        "matches what is asked for",
        "same regency",
        f"capacity {available} t/week ≥ 5 t",
        "Rp 3.500.000 within the budget",
        "NPP valid",
    ]
    assert parts[6] == "no completed orders yet"
    with translation.override("id"):
        parts = explain(result, need=need)
        assert parts[0] == gettext("Same category")
        assert parts[2] == gettext("same regency")
        assert parts[5] == gettext("%(types)s valid") % {"types": "NPP"}
        # Numbers and money in the Indonesian form, whatever the wording.
        assert f"{available.replace('.', ',')} t" in parts[3]
        assert "Rp 3.500.000" in parts[4]
        assert explain_text(result, need=need) == " · ".join(parts)


def test_an_offer_is_matched_by_what_it_is_about_not_by_volume_or_budget(regions):
    """A partner offering ampas tahu gives it: no Posyantek has to deliver 5 t or stay within
    a budget, and a product sold per piece is not filtered out by the offer's unit."""
    category = CategoryFactory(name="Pakan Ternak")
    by_weight = ampas_tahu(category)
    per_piece = ampas_tahu(
        category, name="Ampas Tahu Fermentasi", selling_unit="paket", weight_per_unit_kg=None
    )
    need = make_need(
        category,
        direction="offer",
        quantity=Decimal("5"),
        unit="ton",
        frequency="weekly",
        budget_amount=1,
    )
    results = need_rank(need)
    assert {r.posyantek_id for r in results} == {by_weight.seller_id, per_piece.seller_id}
    for result in results:
        assert "capacity" not in result.components and "price" not in result.components


def test_capacity_already_booked_counts_against_the_need(regions):
    category = CategoryFactory()
    product = ampas_tahu(category, output_quantity_kg=100)  # 100 kg a day: ~60 karung a month
    month = capacity.this_month()
    full = capacity.monthly_capacity(product, month)
    capacity.capacity_book(
        product=product, month=month, quantity=full - 6, source_type="order", source_id="1"
    )
    need = make_need(category, quantity=Decimal("600"), unit="kg", frequency="monthly")
    [result] = need_rank(need)
    assert result.facts["capacity"]["available_units"] == 6
    assert result.components["capacity"] == pytest.approx(0.5)  # 6 karung of the 12 needed
    with translation.override("en"):
        assert "capacity only 300 kg/month for 600 kg" in explain(result, need=need)


def test_research_is_answered_by_the_posyantek_itself(regions):
    category = CategoryFactory()
    product = ProductFactory(category=category, name="Mesin Pengering Gabah", specs=[])
    need = make_need(
        category,
        kind="research",
        title="Riset pengering gabah",
        required_certifications=["hki"],
    )
    assert need_rank(need) == []  # the Posyantek holds no HKI
    CertificationFactory(product=product, type="hki")  # a product's does not count here
    assert need_rank(need) == []
    CertificationFactory(product=None, organization=product.seller, type="hki")
    [result] = need_rank(need)
    assert (result.posyantek_id, result.product_id) == (product.seller_id, None)
    assert "capacity" not in result.components
    assert "price" not in result.components


def test_best_product_represents_its_posyantek_once(regions):
    category = CategoryFactory()
    seller = OrganizationFactory()
    ampas_tahu(category, seller=seller, name="Ampas Tahu Kering", output_quantity_kg=10)
    best = ampas_tahu(category, seller=seller)
    need = make_need(category, quantity=Decimal("2"), unit="ton", frequency="monthly")
    results = need_rank(need)
    assert [(result.posyantek_id, result.product_id) for result in results] == [
        (seller.pk, best.pk)
    ]


def _world(category, sellers: int) -> None:
    for index in range(sellers):
        product = ampas_tahu(category, name=f"Ampas Tahu {index}")
        ampas_tahu(category, seller=product.seller, name=f"Ampas Tahu Kering {index}")
        CertificationFactory(product=product, type="npp")


def test_queries_do_not_grow_with_the_number_of_candidates(regions):
    category = CategoryFactory()
    need = make_need(
        category,
        quantity=Decimal("1"),
        unit="ton",
        frequency="weekly",
        budget_amount=1_000_000,
        required_certifications=["npp"],
    )
    _world(category, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(need_rank(need)) == 2
    _world(category, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(need_rank(need)) == 14
    assert len(many.captured_queries) == len(few.captured_queries) <= 6


# --- Hard filters, over generated worlds ------------------------------------------------------

SELLING_UNITS = [
    ("unit", "45"),
    ("paket", None),
    ("karung 50 kg", "50"),
    ("kg", "1"),
    ("kg", None),
    ("jeriken 5 liter", "4.6"),
    ("botol 250 ml", None),
]
CERTIFICATE_TYPES = ["pirt", "halal", "npp"]

PRODUCT_KINDS = ["ttg_tool", "method", "processed", "byproduct"]


def product_specs(need_kind: str):
    """Products that mostly fit the need's kind, so that many worlds have candidates."""
    fitting = list(Need.PRODUCT_KINDS[need_kind]) or PRODUCT_KINDS
    return st.fixed_dictionaries(
        {
            "verified": st.sampled_from([True, True, True, False]),
            "status": st.sampled_from(["published"] * 5 + ["draft", "archived", "hidden"]),
            "kind": st.sampled_from(fitting * 3 + PRODUCT_KINDS),
            "unit": st.sampled_from(SELLING_UNITS),
            "product_certs": st.lists(
                st.tuples(st.sampled_from(CERTIFICATE_TYPES), st.sampled_from([True, True, False])),
                max_size=3,
            ),
            "org_certs": st.lists(
                st.tuples(st.sampled_from(CERTIFICATE_TYPES), st.sampled_from([True, True, False])),
                max_size=2,
            ),
        }
    )


need_specs = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(Need.Kind.values),
        "unit": st.sampled_from(["", "kg", "ton", "liter", "unit"]),
        "certs": st.sampled_from([[], [], ["pirt"], ["npp"], ["pirt", "halal"]]),
    }
)


def _build_world(category, specs) -> None:
    expired = timezone.localdate() - datetime.timedelta(days=1)
    for spec in specs:
        selling_unit, weight = spec["unit"]
        seller = OrganizationFactory(
            verification_status=(
                Organization.VerificationStatus.VERIFIED
                if spec["verified"]
                else Organization.VerificationStatus.PENDING
            )
        )
        product = ProductFactory(
            seller=seller,
            category=category,
            kind=spec["kind"],
            status=spec["status"],
            hidden_reason="Dicek" if spec["status"] == "hidden" else "",
            selling_unit=selling_unit,
            weight_per_unit_kg=weight,
        )
        for certificate_type, valid in spec["product_certs"]:
            CertificationFactory(
                product=product, type=certificate_type, valid_until=None if valid else expired
            )
        for certificate_type, valid in spec["org_certs"]:
            CertificationFactory(
                product=None,
                organization=seller,
                type=certificate_type,
                valid_until=None if valid else expired,
            )


def _passes(need: Need, product: Product) -> bool:
    """The hard filters, written out plainly."""
    seller = product.seller
    if not seller.is_verified or product.status != Product.Status.PUBLISHED:
        return False
    valid = Certification.objects.valid()
    if need.product_kinds:
        if product.kind not in need.product_kinds:
            return False
        held = set(valid.filter(product=product).values_list("type", flat=True)) | set(
            valid.filter(organization=seller).values_list("type", flat=True)
        )
        if need.unit and (
            units.units_per_delivery(
                quantity=need.quantity,
                unit=need.unit,
                selling_unit=product.selling_unit,
                weight_per_unit_kg=product.weight_per_unit_kg,
            )
            is None
        ):
            return False
    else:
        held = set(valid.filter(organization=seller).values_list("type", flat=True))
    return set(need.required_certifications) <= held


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(need_spec=need_specs, data=st.data())
def test_hard_filters_are_never_violated(regions, need_spec, data):
    specs = data.draw(st.lists(product_specs(need_spec["kind"]), min_size=1, max_size=8))
    with transaction.atomic():
        category = CategoryFactory()
        _build_world(category, specs)
        need = make_need(
            category,
            kind=need_spec["kind"],
            quantity=Decimal("10") if need_spec["unit"] else None,
            unit=need_spec["unit"],
            required_certifications=need_spec["certs"],
        )
        results = need_rank(need)
        expected = {
            product.seller_id
            for product in Product.objects.filter(category=category).select_related("seller")
            if _passes(need, product)
        }
        ranked = {result.posyantek_id for result in results}
        event(f"ranked: {min(len(ranked), 3)}{'+' if len(ranked) > 3 else ''}")
        for result in results:
            assert 0 <= result.score <= 100
            if need.product_kinds:
                product = Product.objects.select_related("seller").get(pk=result.product_id)
                assert product.seller_id == result.posyantek_id
                assert _passes(need, product)
            else:
                assert result.product_id is None
        # Every Posyantek that passes is ranked (all share the need's category), once.
        assert ranked == expected
        assert len(results) == len(ranked)
        transaction.set_rollback(True)


def test_track_record_and_responsiveness_aggregates(regions):
    from mitra.matching.engine import response_hours, track_records
    from orders.models import Order
    from tests.factories import OrderFactory

    seller = OrganizationFactory()
    quiet = OrganizationFactory()
    ProductFactory(seller=seller, rating_average="4.00", rating_count=2)
    ProductFactory(seller=seller, rating_average="5.00", rating_count=2)
    ProductFactory(seller=seller, rating_average="1.00", rating_count=5, status="draft")
    now = timezone.now()
    today = timezone.localdate()
    late_evening = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 30)))
    for status, delivered_at, paid_hours_ago, accepted_after in [
        ("completed", late_evening, 50, 2),  # delivered on the promised day: on time
        # Half past midnight the next day in Jakarta (still "today" in UTC): late.
        ("completed", late_evening + datetime.timedelta(hours=1), 40, 4),
        ("delivered", late_evening, 30, 10),
        ("processing", None, 24 * 100, 1),  # paid more than 90 days ago: not counted
    ]:
        paid_at = now - datetime.timedelta(hours=paid_hours_ago)
        OrderFactory(
            seller=seller,
            status=status,
            promised_date=today,
            delivered_at=delivered_at,
            paid_at=paid_at,
            accepted_at=paid_at + datetime.timedelta(hours=accepted_after),
        )
    records = track_records([seller.pk, quiet.pk])
    assert records[seller.pk] == {
        "completed": 2,
        "delivered": 3,
        "on_time": 2,
        "rating_sum": pytest.approx(18.0),  # published products only
        "reviews": 4,
    }
    assert records[quiet.pk] == {
        "completed": 0,
        "delivered": 0,
        "on_time": 0,
        "rating_sum": 0.0,
        "reviews": 0,
    }
    hours = response_hours([seller.pk, quiet.pk], now=now)
    assert hours[seller.pk] == pytest.approx(4.0)  # median of 2, 4 and 10
    assert hours[quiet.pk] is None
    assert Order.objects.count() == 4


def test_an_ignored_order_counts_with_the_time_it_waited(regions):
    """A seller who never accepts must not look more responsive than one who accepts slowly."""
    from mitra.matching.engine import response_hours
    from tests.factories import OrderFactory

    slow, ignoring = OrganizationFactory(), OrganizationFactory()
    now = timezone.now()
    for hours_ago in (50, 60, 70):
        paid_at = now - datetime.timedelta(hours=hours_ago)
        OrderFactory(
            seller=slow,
            status="processing",
            paid_at=paid_at,
            accepted_at=paid_at + datetime.timedelta(hours=30),
        )
    paid_at = now - datetime.timedelta(hours=80)
    OrderFactory(seller=ignoring, status="paid", paid_at=paid_at)  # still waiting: 80 h
    OrderFactory(  # cancelled by the seller after 40 h without accepting it
        seller=ignoring,
        status="cancelled",
        paid_at=paid_at,
        cancelled_at=paid_at + datetime.timedelta(hours=40),
    )
    OrderFactory(seller=ignoring, status="paid", paid_at=now - datetime.timedelta(hours=100))
    hours = response_hours([slow.pk, ignoring.pk], now=now)
    assert hours[slow.pk] == pytest.approx(30.0)
    assert hours[ignoring.pk] == pytest.approx(80.0)  # median of 80, 40 and 100
    assert responsiveness_fit(hours[ignoring.pk]) < responsiveness_fit(hours[slow.pk])


def test_absurd_volumes_in_a_selling_unit_answer_nothing_and_never_break_a_page():
    assert units.volume_liters("jeriken " + "9" * 30 + " liter") is None
    assert units.volume_liters("tangki 200000 liter") is None
    assert units.volume_liters("botol 0,0001 ml") is None
    assert units.volume_liters("drum 200 liter") == 200
    from mitra.matching.explain import _quantity

    with translation.override("en"):
        assert _quantity(1e31, "liter")  # rendered, capped, no InvalidOperation
        assert _quantity(float("inf"), "kg") == "0 kg"
