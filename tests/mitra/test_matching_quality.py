"""The matching engine against the hand-judged cases of tests/mitra/fixtures/matching_cases.py
(issue 11 §3): the relevant Posyantek is in the top 3 for at least 90 % of the needs, and the
plain category-plus-distance baseline misses at least a third of them (which proves the
cases are not trivial). Each case is built in its own world (a savepoint rolled back
afterwards), through the factories and the real regions subset.

Runs on SQLite (word-overlap relevance) and on PostgreSQL (full text, `indonesian`).
"""

import datetime
import importlib
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.utils import timezone

from marketplace.models import Category
from mitra.matching import need_rank
from mitra.matching.scoring import (
    CATEGORY_FIT,
    DISTANCE_FIT,
    category_relation,
    distance_level,
)
from mitra.models import Need
from orders.models import Order
from regions.models import District
from tests.factories import (
    CertificationFactory,
    OrderFactory,
    OrganizationFactory,
    PaymentFactory,
    ProductFactory,
    UserFactory,
)
from tests.mitra.fixtures.matching_cases import CASES, RECORDS, Case, Offer

TOP = 3
TARGET_HIT_RATE = 0.9


def category_tree() -> dict[str, Category]:
    """The real category tree (migration 0002), created where a test database lacks it."""
    tree = importlib.import_module("marketplace.migrations.0002_category_tree").TREE
    categories: dict[str, Category] = {}
    for slug, name, children in tree:
        parent, _created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": None}
        )
        categories[slug] = parent
        for child_slug, child_name in children:
            categories[child_slug], _created = Category.objects.get_or_create(
                slug=child_slug, defaults={"name": child_name, "parent": parent}
            )
    return categories


def orders_for(posyantek, record_name: str, *, buyer, payment) -> None:
    """Completed orders matching the record profile: `on_time` of them delivered on their
    promised date, the rest five days late; each accepted `response_hours` after payment."""
    record = RECORDS[record_name]
    now = timezone.now()
    today = timezone.localdate()
    orders = []
    for index in range(record.completed):
        promised = today - datetime.timedelta(days=20 + index)
        late = index >= record.on_time
        delivered_on = promised + datetime.timedelta(days=5 if late else 0)
        delivered_at = timezone.make_aware(
            datetime.datetime.combine(delivered_on, datetime.time(12, 0))
        )
        paid_at = now - datetime.timedelta(days=30 + index)
        accepted_at = (
            paid_at + datetime.timedelta(hours=record.response_hours)
            if record.response_hours is not None
            else None
        )
        orders.append(
            OrderFactory.build(
                payment=payment,
                buyer=buyer,
                seller=posyantek,
                status=Order.Status.COMPLETED,
                promised_date=promised,
                paid_at=paid_at,
                accepted_at=accepted_at,
                delivered_at=delivered_at,
                completed_at=delivered_at + datetime.timedelta(days=2),
            )
        )
    Order.objects.bulk_create(orders)


def build_offer(offer: Offer, *, categories: dict[str, Category], buyer, payment) -> int:
    today = timezone.localdate()
    record = RECORDS[offer.record]
    posyantek = OrganizationFactory(
        district=District.objects.get(code=offer.district),
        description=offer.posyantek_description,
    )
    product = ProductFactory(
        seller=posyantek,
        category=categories[offer.category],
        kind=offer.kind,
        name=offer.name,
        description=offer.description or offer.name,
        specs=[],
        selling_unit=offer.selling_unit,
        weight_per_unit_kg=offer.weight_kg,
        price_amount=offer.price,
        availability=offer.availability,
        stock=offer.stock,
        monthly_capacity=offer.monthly_capacity,
        output_quantity_kg=offer.output_kg,
        output_period=offer.output_period,
        rating_average=record.rating,
        rating_count=record.reviews,
    )
    for name, category, kind in offer.also:
        ProductFactory(
            seller=posyantek,
            category=categories[category],
            kind=kind,
            name=name,
            description=name,
            specs=[],
        )
    for certificate_type in offer.certs:
        CertificationFactory(product=product, type=certificate_type)
    for certificate_type in offer.org_certs:
        CertificationFactory(product=None, organization=posyantek, type=certificate_type)
    for certificate_type in offer.expired_certs:
        CertificationFactory(
            product=product,
            type=certificate_type,
            valid_until=today - datetime.timedelta(days=30),
        )
    orders_for(posyantek, offer.record, buyer=buyer, payment=payment)
    return posyantek.pk


def build_need(case: Case, *, categories: dict[str, Category], partner, user) -> Need:
    return Need.objects.create(
        organization=partner,
        created_by=user,
        kind=case.kind,
        title=case.title,
        description=case.description,
        category=categories[case.category],
        quantity=case.quantity,
        unit=case.unit,
        frequency=case.frequency,
        budget_amount=case.budget,
        required_certifications=list(case.certs),
        delivery_district=District.objects.get(code=case.district),
        status=Need.Status.OPEN,
        published_at=timezone.now(),
    )


def baseline_rank(case: Case, categories: dict[str, Category]) -> list[str]:
    """Plain category-plus-distance ranking of the offers that pass the hard filters, ties
    broken in favour of the relevant Posyantek (so "baseline wrong" is a conservative
    count). For research and training, the best category among the Posyantek's products."""
    need_category = categories[case.category]
    need_pair = (need_category.pk, need_category.parent_id)

    def fit(slug: str) -> float:
        category = categories[slug]
        relation = category_relation(
            need_category=need_pair, product_category=(category.pk, category.parent_id)
        )
        return CATEGORY_FIT[relation]

    scored = []
    for offer in case.offers:
        if not offer.passes:
            continue
        slugs = [offer.category]
        if case.kind in {"research", "training"}:
            slugs += [slug for _name, slug, _kind in offer.also]
        category = max(fit(slug) for slug in slugs)
        distance = DISTANCE_FIT[distance_level(offer.district, case.district)]
        scored.append((-(category + distance), offer.key != case.relevant, offer.key))
    return [key for *_ignored, key in sorted(scored)]


@dataclass
class Outcome:
    case: Case
    engine: list[str]  # offer keys, best first
    baseline: list[str]
    scores: dict[str, int]

    @property
    def hit(self) -> bool:
        return self.case.relevant in self.engine[:TOP]

    @property
    def baseline_hit(self) -> bool:
        return self.case.relevant in self.baseline[:TOP]


def run_case(case: Case, *, categories, partner, user, buyer, payment) -> Outcome:
    with transaction.atomic():
        keys = {
            build_offer(offer, categories=categories, buyer=buyer, payment=payment): offer.key
            for offer in case.offers
        }
        need = build_need(case, categories=categories, partner=partner, user=user)
        results = need_rank(need)
        transaction.set_rollback(True)
    engine = [keys[result.posyantek_id] for result in results if result.posyantek_id in keys]
    scores = {keys[result.posyantek_id]: result.score for result in results}
    # Hard filters: nothing that should fail them is ever ranked; everything else is there.
    failing = {offer.key for offer in case.offers if not offer.passes}
    assert not failing & set(engine), (case.key, failing & set(engine))
    assert len(results) >= 6, (case.key, engine)
    return Outcome(case, engine, baseline_rank(case, categories), scores)


def report(outcomes: list[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        lines.append(
            ("ok  " if outcome.hit else "MISS ")
            + ("base-ok   " if outcome.baseline_hit else "base-MISS ")
            + f"{outcome.case.key}: relevant={outcome.case.relevant} "
            + " ".join(f"{key}:{outcome.scores.get(key)}" for key in outcome.engine[:6])
        )
    return "\n".join(lines)


def run_all(regions) -> list[Outcome]:
    categories = category_tree()
    user = UserFactory()
    partner = OrganizationFactory(kind="industry", name="PT Mitra Uji")
    buyer = UserFactory()
    payment = PaymentFactory(buyer=buyer)
    return [
        run_case(
            case, categories=categories, partner=partner, user=user, buyer=buyer, payment=payment
        )
        for case in CASES
    ]


def test_fixture_shape():
    assert len(CASES) >= 30
    for case in CASES:
        keys = [offer.key for offer in case.offers]
        assert len(keys) == len(set(keys)), case.key
        assert case.relevant in keys, case.key
        assert sum(offer.passes for offer in case.offers) >= 6, case.key
    notes = " ".join(offer.note for case in CASES for offer in case.offers)
    for distractor in ("far away", "expired", "too little", "poor track record"):
        assert distractor in notes
    assert sum(case.baseline_wrong for case in CASES) * 3 >= len(CASES)


@pytest.mark.slow
def test_relevant_posyantek_in_top_3_and_baseline_misses_a_third(regions):
    outcomes = run_all(regions)
    hits = sum(outcome.hit for outcome in outcomes)
    baseline_misses = sum(not outcome.baseline_hit for outcome in outcomes)
    summary = (
        f"{connection.vendor}: engine top-{TOP} {hits}/{len(outcomes)}, "
        f"baseline misses {baseline_misses}/{len(outcomes)}\n{report(outcomes)}"
    )
    print(summary)  # the report's figures, shown with -s
    assert hits >= TARGET_HIT_RATE * len(outcomes), summary
    assert baseline_misses * 3 >= len(outcomes), summary
    # The hand judgement of which needs the baseline gets wrong holds for most of them.
    judged = [outcome for outcome in outcomes if outcome.case.baseline_wrong]
    agreed = sum(not outcome.baseline_hit for outcome in judged)
    assert agreed >= 0.8 * len(judged), summary


@pytest.mark.postgres
def test_postgresql_relevance_uses_the_indonesian_stemmer(regions):
    """On PostgreSQL the text component stems: a need for "pengeringan ikan" finds "Alat
    Pengering Ikan", which plain substring matching would not."""
    categories = category_tree()
    posyantek = ProductFactory(
        name="Alat Pengering Ikan",
        description="Pengering ikan tenaga surya.",
        category=categories["lain-lain"],
        specs=[],
    ).seller
    need = Need.objects.create(
        organization=OrganizationFactory(kind="industry"),
        created_by=UserFactory(),
        kind="technology",
        title="Mengeringkan ikan",
        description="",
        category=categories["budidaya-ikan"],
        delivery_district=District.objects.get(code="36.72.07"),
        status=Need.Status.OPEN,
    )
    results = need_rank(need)
    assert [result.posyantek_id for result in results] == [posyantek.pk]
    assert results[0].components["text"] > 0.5
