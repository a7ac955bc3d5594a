"""Ranking the Posyantek for one need: hard filters in SQL, components in Python.

Hard filters, never violated (and applied in the database, so 100,000 products are never
loaded): the Posyantek is verified; the product is published and of a kind the need's kind
maps to (Need.PRODUCT_KINDS); every required certificate type is held valid
(Certification.objects.valid()) by the product or by its Posyantek; the product can answer
the need's unit (mitra.matching.units). Research and training are answered by the
Posyantek itself: it must hold the required certificates itself, and it is judged by its
published products (any kind) and its description.

Only candidates with something in common with the need are considered: a product in the
need's category tree (same, parent, child or sibling) or one containing a word of the need's
title (description words add to the relevance but find nothing on their own). Of those,
each Posyantek's best `PER_POSYANTEK` products by category and text (a window function in
SQL) are scored in full, and its best-scoring product represents it.

Queries per call are constant (5), whatever the number of candidates: related categories,
candidates, capacity bookings, track records (one statement), responsiveness (one query).
Cost grows with the number of candidate Posyantek (a few hundred rows scored in Python) and
with the products matching the title words (their relevance is computed in SQL); see
bench/matching.py.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from accounts.models import Organization
from marketplace import capacity
from marketplace.models import Category, Certification, Product
from marketplace.search import search_relevance
from mitra.matching import scoring, units
from mitra.models import Need, NeedNotification, Proposal
from orders.models import Order

PER_POSYANTEK = 3
RESPONSIVENESS_DAYS = 90
MAX_TITLE_WORDS = 8
TITLE_WEIGHT = 2.0
MAX_DESCRIPTION_WORDS = 10

# Words that describe the asker, the amount or the wish, not the thing asked for.
_STOPWORD_TEXT = """
    ada agar akan antara atau bagi bahan baku banyak besar bisa buah butuh campuran dalam dan
    dari dengan di dibutuhkan dikirim dapat desa hari ini itu jumlah juga kabupaten kami
    kecamatan kecil ke kebutuhan kelompok kg kirim kita koperasi kota liter mencari membeli
    membutuhkan minggu mitra oleh pabrik pada para per perlu perusahaan posyantek program
    pengiriman rutin saya secara sebagai sebulan seminggu serta setiap sendiri siap tahun
    tiap ton toko ukm unit untuk usaha yang ingin bulan binaan kualitas cari sama sudah
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class MatchResult:
    """One ranked Posyantek (with its best-fitting product, or None for research and
    training). `components` maps component names to [0, 1]; `facts` holds the figures the
    explanation is rendered from. Both are JSON-serialisable."""

    posyantek_id: int
    product_id: int | None
    score: int
    components: dict[str, float]
    facts: dict[str, Any] = field(default_factory=dict)


def need_words(need: Need) -> dict[str, float]:
    """The words that say what the need is about: the title's (weight 2) and the
    description's (weight 1), without stop words, numbers and short words."""
    words: dict[str, float] = {}
    for text, weight, limit in (
        (need.title, TITLE_WEIGHT, MAX_TITLE_WORDS),
        (need.description, 1.0, MAX_DESCRIPTION_WORDS),
    ):
        taken = 0
        for word in _WORD.findall((text or "").lower()):
            if word in STOPWORDS or word in words:
                continue
            words[word] = weight
            taken += 1
            if taken >= limit:
                break
    return words


def _word_overlap(words: dict[str, float], text: str) -> float:
    """The weighted share of `words` found in `text` (substring, case-insensitive)."""
    if not words or not text:
        return 0.0
    text = text.lower()
    return sum(weight for word, weight in words.items() if word in text) / sum(words.values())


# --- Candidates -------------------------------------------------------------------------------


def _category_tree(category_id: int) -> dict[int, tuple[int, int | None]]:
    """The need's category, its parent, its children and its siblings: (id, parent id) by id,
    in one query."""
    parent = Category.objects.filter(pk=category_id).values("parent_id")
    rows = Category.objects.filter(
        Q(pk=category_id)
        | Q(parent_id=category_id)
        | Q(pk__in=Subquery(parent))
        | Q(parent_id__in=Subquery(parent))
    ).values_list("pk", "parent_id")
    return {pk: (pk, parent_id) for pk, parent_id in rows}


def _category_fit_expression(
    need_category: tuple[int, int | None], tree: dict[int, tuple[int, int | None]]
) -> Case:
    by_relation: dict[str, list[int]] = {}
    for pk, pair in tree.items():
        relation = scoring.category_relation(need_category=need_category, product_category=pair)
        by_relation.setdefault(relation, []).append(pk)
    whens = [
        When(category_id__in=ids, then=Value(scoring.CATEGORY_FIT[relation]))
        for relation, ids in by_relation.items()
        if relation != "none"
    ]
    return Case(*whens, default=Value(0.0), output_field=FloatField())


def _holding_certificates(
    queryset: QuerySet, types: list[str], *, on: datetime.date, with_product: bool
) -> QuerySet:
    valid = Certification.objects.valid(on=on)
    seller = "seller_id" if with_product else "pk"
    for certificate_type in sorted(set(types)):
        held = Q(organization_id=OuterRef(seller))
        if with_product:
            held |= Q(product_id=OuterRef("pk"))
        queryset = queryset.filter(Exists(valid.filter(held, type=certificate_type)))
    return queryset


def _asks_for_volume(need: Need) -> bool:
    """Whether the need asks the Posyantek for a quantity (unit filter, capacity). An offer
    states what the partner gives: it is matched by what it is about (category, text,
    distance, track record, responsiveness), never by volume or budget."""
    return need.direction == Need.Direction.NEED and need.quantity is not None and bool(need.unit)


def _unit_filter(unit: str) -> Q:
    if unit in {"kg", "ton"}:
        return Q(weight_per_unit_kg__gt=0)
    if unit == "unit":
        return ~Q(selling_unit__iregex=units.MEASURE_REGEX)
    if unit == "liter":
        return Q(selling_unit__iregex=units.VOLUME_REGEX)
    return Q()


CANDIDATE_FIELDS = (
    "pk",
    "seller_id",
    "category_id",
    "kind",
    "name",
    "selling_unit",
    "minimum_order",
    "price_amount",
    "weight_per_unit_kg",
    "availability",
    "stock",
    "monthly_capacity",
    "output_quantity_kg",
    "output_period",
    "search_relevance",
    "seller_district",
    "seller_description",
)


def _candidates(need: Need, *, on: datetime.date) -> tuple[list[SimpleNamespace], dict]:
    """The candidate products (annotated `search_relevance`, `category_fit`,
    `seller_district`, `seller_description`), at most PER_POSYANTEK per Posyantek."""
    tree = _category_tree(need.category_id)
    need_category = tree.get(need.category_id, (need.category_id, None))
    kinds = need.product_kinds
    weights = scoring.WEIGHTS[need.kind]
    queryset = Product.objects.filter(
        status=Product.Status.PUBLISHED,
        seller__kind=Organization.Kind.POSYANTEK,
        seller__verification_status=Organization.VerificationStatus.VERIFIED,
    )
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
        if _asks_for_volume(need):
            queryset = queryset.filter(_unit_filter(need.unit))
        queryset = _holding_certificates(
            queryset, need.required_certifications or [], on=on, with_product=True
        )
    else:
        queryset = queryset.filter(
            seller__in=_holding_certificates(
                Organization.objects.all(),
                need.required_certifications or [],
                on=on,
                with_product=False,
            ).values("pk")
        )
    # Title words find candidates; description words only add to the relevance (a common
    # description word such as "alat" would make half the catalogue a candidate).
    queryset = search_relevance(
        queryset,
        need_words(need),
        also=Q(category_id__in=list(tree)),
        finding_weight=TITLE_WEIGHT,
    )
    queryset = queryset.annotate(
        category_fit=_category_fit_expression(need_category, tree),
    ).annotate(
        prefit=F("category_fit") * Value(weights[scoring.CATEGORY])
        + F("search_relevance") * Value(weights[scoring.TEXT]),
        position=Window(
            RowNumber(),
            partition_by=[F("seller_id")],
            order_by=[F("prefit").desc(), F("pk").asc()],
        ),
        seller_district=F("seller__district_id"),
        seller_description=F("seller__description") if not kinds else Value(""),
    )
    per_posyantek = PER_POSYANTEK if kinds else 1
    # Plain rows, not model instances: a need may have hundreds of Posyantek as candidates.
    rows = [
        SimpleNamespace(**row)
        for row in queryset.filter(position__lte=per_posyantek).values(*CANDIDATE_FIELDS)
    ]
    return rows, tree


# --- Per-Posyantek aggregates -----------------------------------------------------------------


def track_records(posyantek_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each Posyantek, in one statement (two grouped scans joined by UNION ALL, no
    per-Posyantek subqueries): completed orders, orders delivered, those delivered by the
    promised date (the delivery day in the current time zone, Asia/Jakarta), and its
    published products' rating sum and review count."""
    if not posyantek_ids:
        return {}
    zero = Value(0, output_field=IntegerField())
    delivered = Q(delivered_at__isnull=False)
    orders = (
        Order.objects.filter(seller_id__in=posyantek_ids)
        .order_by()
        .values("seller_id")
        .annotate(
            completed=Count("pk", filter=Q(status=Order.Status.COMPLETED)),
            delivered=Count("pk", filter=delivered),
            on_time=Count(
                "pk",
                filter=delivered
                & Q(LessThanOrEqual(TruncDate("delivered_at"), F("promised_date"))),
            ),
            rating_sum=Value(0.0, output_field=FloatField()),
            reviews=zero,
        )
        .values_list("seller_id", "completed", "delivered", "on_time", "rating_sum", "reviews")
    )
    ratings = (
        Product.objects.filter(
            seller_id__in=posyantek_ids, status=Product.Status.PUBLISHED, rating_count__gt=0
        )
        .order_by()
        .values("seller_id")
        .annotate(
            completed=zero,
            delivered=zero,
            on_time=zero,
            rating_sum=Sum(F("rating_average") * F("rating_count"), output_field=FloatField()),
            reviews=Sum("rating_count"),
        )
        .values_list("seller_id", "completed", "delivered", "on_time", "rating_sum", "reviews")
    )
    records: dict[int, dict[str, Any]] = {
        pk: {"completed": 0, "delivered": 0, "on_time": 0, "rating_sum": 0.0, "reviews": 0}
        for pk in posyantek_ids
    }
    for seller_id, completed, delivered_count, on_time, rating_sum, reviews in orders.union(
        ratings, all=True
    ):
        record = records[seller_id]
        record["completed"] += completed or 0
        record["delivered"] += delivered_count or 0
        record["on_time"] += on_time or 0
        record["rating_sum"] += float(rating_sum or 0)
        record["reviews"] += reviews or 0
    return records


@dataclass(frozen=True)
class Responsiveness:
    """A Posyantek's median response time in hours (None without anything to answer) and how
    many paid orders and answered need notifications it was taken over."""

    median_hours: float | None = None
    orders: int = 0
    proposals: int = 0


# The durations of both kinds of answer, one row each: (posyantek, kind, from, to).
_RESPONSE_MEDIAN_SQL = """
SELECT u.pid, percentile_cont(0.5) WITHIN GROUP (
           ORDER BY GREATEST(EXTRACT(EPOCH FROM (u.answered_at - u.asked_at)), 0)),
       COUNT(*) FILTER (WHERE u.kind = 'order'), COUNT(*) FILTER (WHERE u.kind = 'need')
FROM ({union}) AS u (pid, kind, asked_at, answered_at)
GROUP BY u.pid
"""


def _response_rows(posyantek_ids: list[int], *, now: datetime.datetime) -> QuerySet:
    """One UNION ALL: each order paid in the last RESPONSIVENESS_DAYS days with the moment
    the seller answered it (accepted; or cancelled, or still waiting now — ignoring orders
    never looks better than accepting them slowly), and each need the Posyantek was told
    about in those days and answered with a proposal, with its first proposal's moment."""
    since = now - datetime.timedelta(days=RESPONSIVENESS_DAYS)
    orders = (
        # A terms order is answered before it is paid: only prepaid orders wait on the seller.
        Order.objects.filter(
            seller_id__in=posyantek_ids,
            paid_at__gte=since,
            payment_terms=Order.PaymentTerms.PREPAID,
        )
        .annotate(
            kind=Value("order"),
            answered_at=Coalesce(
                "accepted_at", "cancelled_at", Value(now, output_field=DateTimeField())
            ),
        )
        .order_by()
        .values_list("seller_id", "kind", "paid_at", "answered_at")
    )
    first_proposal = (
        Proposal.objects.filter(need_id=OuterRef("need_id"), posyantek_id=OuterRef("posyantek_id"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    needs = (
        NeedNotification.objects.filter(posyantek_id__in=posyantek_ids, sent_at__gte=since)
        .annotate(
            kind=Value("need"),
            answered_at=Subquery(first_proposal, output_field=DateTimeField()),
        )
        .filter(answered_at__isnull=False)
        .order_by()
        .values_list("posyantek_id", "kind", "sent_at", "answered_at")
    )
    return orders.union(needs, all=True)


def response_figures(
    posyantek_ids: list[int], *, now: datetime.datetime
) -> dict[int, Responsiveness]:
    """Per Posyantek, the median hours it takes to answer (one query): from an order being
    paid to accepting it, and from being told about a need to proposing for it, over the
    last RESPONSIVENESS_DAYS days. PostgreSQL computes the medians; elsewhere the durations
    are read and the median taken here."""
    if not posyantek_ids:
        return {}
    figures = {pk: Responsiveness() for pk in posyantek_ids}
    rows = _response_rows(posyantek_ids, now=now)
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_RESPONSE_MEDIAN_SQL.format(union=sql), params)
            for pid, median, orders, proposals in cursor.fetchall():
                figures[pid] = Responsiveness(
                    median_hours=max(median, 0) / 3600, orders=orders, proposals=proposals
                )
        return figures
    hours: dict[int, list[float]] = {}
    counts: dict[int, dict[str, int]] = {}
    for pid, kind, asked_at, answered_at in rows:
        hours.setdefault(pid, []).append(max((answered_at - asked_at).total_seconds(), 0) / 3600)
        per_kind = counts.setdefault(pid, {"order": 0, "need": 0})
        per_kind[kind] += 1
    for pid, values in hours.items():
        figures[pid] = Responsiveness(
            median_hours=scoring.median_hours(values),
            orders=counts[pid]["order"],
            proposals=counts[pid]["need"],
        )
    return figures


def response_hours(posyantek_ids: list[int], *, now: datetime.datetime) -> dict[int, float | None]:
    """The median hours of `response_figures`, per Posyantek (None without anything
    answered or waiting)."""
    return {
        pk: figure.median_hours for pk, figure in response_figures(posyantek_ids, now=now).items()
    }


# --- Ranking ----------------------------------------------------------------------------------


def _float(value: Decimal | float) -> float:
    return round(float(value), 3)


def _capacity(
    need: Need, product: SimpleNamespace, *, per_delivery: int, booked: dict[int, int], month
) -> tuple[float, dict[str, Any]]:
    per_month = Decimal(per_delivery) * units.deliveries_per_month(need.frequency)
    needed_units = per_month if need.frequency != "once" else Decimal(per_delivery)
    free = capacity.monthly_capacity(product, month)
    if free is None:
        mode, available_units = "stock", Decimal(product.stock)
    else:
        mode, available_units = "capacity", Decimal(max(free - booked.get(product.pk, 0), 0))
    size = units.need_unit_per_selling_unit(
        unit=need.unit,
        selling_unit=product.selling_unit,
        weight_per_unit_kg=product.weight_per_unit_kg,
    ) or Decimal(1)
    # Stated per need period: capacity per week for a weekly need, per month otherwise.
    per_period = units.deliveries_per_month(need.frequency) if mode == "capacity" else Decimal(1)
    facts = {
        "mode": mode,
        "available": _float(available_units * size / per_period),
        "needed": _float(Decimal(need.quantity)),
        "unit": need.unit,
        "frequency": need.frequency,
        "available_units": int(available_units),
        "needed_units": _float(needed_units),
    }
    if mode == "stock" and need.frequency != "once":
        facts["needed"] = _float(needed_units * size)  # a month's worth
    fit = scoring.capacity_fit(available=float(available_units), needed=float(needed_units))
    return fit, facts


def _evaluate_product(
    need: Need,
    product: SimpleNamespace,
    *,
    booked: dict[int, int],
    month: datetime.date,
) -> tuple[dict[str, float], dict[str, Any]] | None:
    """Components and facts of the product-specific parts; None if the product cannot answer
    the need's unit after all (a volume that cannot be read from the selling unit)."""
    components: dict[str, float] = {}
    facts: dict[str, Any] = {
        "product": {"name": product.name, "selling_unit": product.selling_unit},
    }
    per_delivery: int | None = None
    if _asks_for_volume(need):
        per_delivery = units.units_per_delivery(
            quantity=need.quantity,
            unit=need.unit,
            selling_unit=product.selling_unit,
            weight_per_unit_kg=product.weight_per_unit_kg,
        )
        if per_delivery is None:
            return None
        fit, facts[scoring.CAPACITY] = _capacity(
            need, product, per_delivery=per_delivery, booked=booked, month=month
        )
        components[scoring.CAPACITY] = fit
    if need.direction == Need.Direction.NEED and need.budget_amount is not None:
        ordered = max(per_delivery or 0, product.minimum_order or 1)
        cost = ordered * product.price_amount
        components[scoring.PRICE] = scoring.price_fit(
            cost_amount=cost, budget_amount=need.budget_amount
        )
        facts[scoring.PRICE] = {
            "cost_amount": cost,
            "budget_amount": need.budget_amount,
            "units": ordered,
        }
    return components, facts


def need_rank(need: Need, *, now: datetime.datetime | None = None) -> list[MatchResult]:
    """The Posyantek that may answer `need`, best first (score, then the unrounded score,
    then id), each once, with its best-fitting product (None for research and training).
    Read-only. Every result passes the hard filters (module docstring); scores are 0–100
    from `scoring.WEIGHTS[need.kind]`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = capacity.month_start(today)
    rows, tree = _candidates(need, on=today)
    if not rows:
        return []
    seller_ids = sorted({row.seller_id for row in rows})
    booked = capacity.capacity_booked_by_product(
        product_ids=[row.pk for row in rows if row.availability != Product.Availability.STOCK],
        month=month,
    )
    records = track_records(seller_ids)
    responsiveness = response_figures(seller_ids, now=now)
    need_district = need.delivery_district_id
    words = need_words(need)
    with_products = bool(need.product_kinds)
    certificates = sorted(set(need.required_certifications or []))
    need_category = tree.get(need.category_id, (need.category_id, None))

    # What depends on the Posyantek alone is computed once per Posyantek.
    per_posyantek: dict[int, tuple[dict[str, float], dict[str, Any]]] = {}

    def posyantek_parts(row: SimpleNamespace) -> tuple[dict[str, float], dict[str, Any]]:
        if row.seller_id in per_posyantek:
            return per_posyantek[row.seller_id]
        level = scoring.distance_level(row.seller_district or "", need_district or "")
        record = records.get(row.seller_id, {})
        reviews = record.get("reviews", 0)
        response = responsiveness.get(row.seller_id) or Responsiveness()
        median = response.median_hours
        components = {
            scoring.DISTANCE: scoring.DISTANCE_FIT[level],
            scoring.TRACK_RECORD: scoring.track_record_fit(
                completed=record.get("completed", 0),
                delivered=record.get("delivered", 0),
                on_time=record.get("on_time", 0),
                rating_sum=record.get("rating_sum", 0.0),
                reviews=reviews,
            ),
            scoring.RESPONSIVENESS: scoring.responsiveness_fit(median),
        }
        facts = {
            scoring.DISTANCE: {"level": level, "from": row.seller_district, "to": need_district},
            scoring.TRACK_RECORD: {
                "completed": record.get("completed", 0),
                "delivered": record.get("delivered", 0),
                "on_time": record.get("on_time", 0),
                "rating": round(record["rating_sum"] / reviews, 2) if reviews else None,
                "reviews": reviews,
            },
            scoring.RESPONSIVENESS: {
                "median_hours": None if median is None else round(median, 1),
                "orders": response.orders,
                "proposals": response.proposals,
            },
            "certifications": certificates,
        }
        per_posyantek[row.seller_id] = (components, facts)
        return components, facts

    best: dict[int, tuple[float, SimpleNamespace, dict[str, float], dict[str, Any]]] = {}
    for row in rows:
        relation = scoring.category_relation(
            need_category=need_category, product_category=tree.get(row.category_id)
        )
        text = float(row.search_relevance or 0.0)
        if not with_products:
            text = max(text, _word_overlap(words, row.seller_description or ""))
        shared_components, shared_facts = posyantek_parts(row)
        components = {
            scoring.CATEGORY: scoring.CATEGORY_FIT[relation],
            scoring.TEXT: scoring.clamp(text),
            **shared_components,
        }
        facts: dict[str, Any] = {
            scoring.CATEGORY: {"relation": relation},
            scoring.TEXT: {"relevance": _float(text)},
            **shared_facts,
        }
        if with_products:
            evaluated = _evaluate_product(need, row, booked=booked, month=month)
            if evaluated is None:
                continue
            components.update(evaluated[0])
            facts.update(evaluated[1])
        components = {name: round(value, 4) for name, value in components.items()}
        raw = scoring.raw_score(need.kind, components)
        current = best.get(row.seller_id)
        if current is None or raw > current[0]:
            best[row.seller_id] = (raw, row, components, facts)
    ranked = sorted(best.values(), key=lambda entry: (-entry[0], entry[1].seller_id))
    results = [
        MatchResult(
            posyantek_id=row.seller_id,
            product_id=row.pk if with_products else None,
            score=round(100 * raw),
            components=components,
            facts=facts,
        )
        for raw, row, components, facts in ranked
    ]
    # Sorted by the unrounded score, so by the rounded one too (rounding is monotone).
    return results
