"""Components of a match, each a pure function into [0, 1], and the score built from them.

WEIGHTS is the one place the weights live. A component that does not apply to a candidate
(no budget stated, no quantity, no product for research and training) is left out of
`components`, and the weighted mean runs over the components present; so adding a
component never moves the others' relative weight, and raising one never lowers the score.
"""

import math
import statistics
from collections.abc import Iterable, Mapping

CATEGORY = "category"
TEXT = "text"
DISTANCE = "distance"
CAPACITY = "capacity"
PRICE = "price"
TRACK_RECORD = "track_record"
RESPONSIVENESS = "responsiveness"

COMPONENTS = (CATEGORY, TEXT, DISTANCE, CAPACITY, PRICE, TRACK_RECORD, RESPONSIVENESS)

# Why the weights differ per need kind:
# - supply is recurring bulk (ampas tahu, pakan): what it is (text) and whether they can
#   deliver the volume (capacity) decide; distance matters because bulk goods are carried
#   every week and some spoil; the category is a weak signal because Posyantek file
#   by-products under "produk samping" while buyers file the need under their own use.
# - technology is bought once and shipped: what the machine is (text) dominates, then
#   budget and track record (a machine has to work and be serviced); distance counts less.
# - research and training are answered by the Posyantek itself: what it works on (text and
#   category of its products) and, for visits and on-site training, where it is.
WEIGHTS: dict[str, dict[str, float]] = {
    "supply": {
        CATEGORY: 0.10,
        TEXT: 0.25,
        DISTANCE: 0.15,
        CAPACITY: 0.20,
        PRICE: 0.10,
        TRACK_RECORD: 0.15,
        RESPONSIVENESS: 0.05,
    },
    "technology": {
        CATEGORY: 0.10,
        TEXT: 0.30,
        DISTANCE: 0.10,
        CAPACITY: 0.10,
        PRICE: 0.15,
        TRACK_RECORD: 0.20,
        RESPONSIVENESS: 0.05,
    },
    "research": {
        CATEGORY: 0.20,
        TEXT: 0.35,
        DISTANCE: 0.20,
        TRACK_RECORD: 0.20,
        RESPONSIVENESS: 0.05,
    },
    "training": {
        CATEGORY: 0.20,
        TEXT: 0.35,
        DISTANCE: 0.20,
        TRACK_RECORD: 0.20,
        RESPONSIVENESS: 0.05,
    },
}

# No figures to judge by: neither rewarded nor punished.
NEUTRAL = 0.5


def clamp(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def score_from_components(kind: str, components: Mapping[str, float]) -> int:
    """The 0–100 score: the weighted mean of the components present (each clamped to
    [0, 1]) with `WEIGHTS[kind]`, rounded. Components the kind does not weigh are ignored.
    Guaranteed: 0 ≤ score ≤ 100, and raising any one component never lowers it."""
    return round(100 * raw_score(kind, components))


def raw_score(kind: str, components: Mapping[str, float]) -> float:
    weights = WEIGHTS[kind]
    present = [
        (weights[name], clamp(value)) for name, value in components.items() if name in weights
    ]
    total = sum(weight for weight, _ in present)
    if total <= 0:
        return 0.0
    return clamp(sum(weight * value for weight, value in present) / total)


# --- Category ---------------------------------------------------------------------------------

CATEGORY_FIT = {"same": 1.0, "parent": 0.6, "child": 0.6, "sibling": 0.5, "none": 0.0}


def category_relation(
    *,
    need_category: tuple[int, int | None],
    product_category: tuple[int, int | None] | None,
) -> str:
    """How a product's category (id, parent id) stands to the need's: `same`, `parent` (the
    product's is the need's parent field), `child` (a sub-category of the need's field),
    `sibling` (the same field) or `none`."""
    if product_category is None:
        return "none"
    need_id, need_parent = need_category
    product_id, product_parent = product_category
    if product_id == need_id:
        return "same"
    if need_parent is not None and product_id == need_parent:
        return "parent"
    if product_parent is not None and product_parent == need_id:
        return "child"
    if need_parent is not None and product_parent == need_parent:
        return "sibling"
    return "none"


# --- Distance, from Kemendagri codes ----------------------------------------------------------

DISTANCE_FIT = {
    "district": 1.0,
    "regency": 0.75,
    "province": 0.45,
    "island": 0.2,
    "elsewhere": 0.0,
}


def distance_level(code_a: str, code_b: str) -> str:
    """Closeness of two kecamatan by their codes (`36.72.07`): the same kecamatan, the same
    kabupaten/kota (`36.72`), the same province (`36`), the same island group (the code's
    first digit: 1 Sumatra, 3 Java, 5 Bali–Nusa Tenggara, 6 Kalimantan, 7 Sulawesi,
    8 Maluku, 9 Papua), or elsewhere."""
    if not code_a or not code_b:
        return "elsewhere"
    if code_a == code_b:
        return "district"
    if code_a[:5] == code_b[:5]:
        return "regency"
    if code_a[:2] == code_b[:2]:
        return "province"
    if code_a[0] == code_b[0]:
        return "island"
    return "elsewhere"


# --- Capacity and price -----------------------------------------------------------------------


def capacity_fit(*, available: float, needed: float) -> float:
    """Share of the needed volume the candidate can deliver, capped at 1."""
    if needed <= 0:
        return 1.0
    return clamp(max(available, 0) / needed)


def price_fit(*, cost_amount: int, budget_amount: int) -> float:
    """1 within budget; falling linearly to 0 at 50 % over it."""
    if cost_amount <= budget_amount:
        return 1.0
    if budget_amount <= 0:
        return 0.0
    return clamp(1 - 2 * (cost_amount / budget_amount - 1))


# --- Track record and responsiveness ----------------------------------------------------------


def track_record_fit(
    *, completed: int, delivered: int, on_time: int, rating_sum: float, reviews: int
) -> float:
    """Completed orders (diminishing: 20 count fully), the on-time share of delivered orders
    and the products' average rating, each shrunk towards a neutral prior so that a new
    Posyantek sits between a good and a poor one: on time (on_time + 1) / (delivered + 2),
    rating (sum + 2 × 3.5) / (reviews + 2) on 1–5."""
    volume = min(math.log1p(max(completed, 0)) / math.log1p(20), 1.0)
    on_time_share = (max(on_time, 0) + 1) / (max(delivered, 0) + 2)
    rating = (max(rating_sum, 0) + 2 * 3.5) / (max(reviews, 0) + 2)
    return clamp(0.10 * volume + 0.55 * on_time_share + 0.35 * (rating - 1) / 4)


def median_hours(hours: Iterable[float]) -> float | None:
    values = [value for value in hours if value is not None]
    return statistics.median(values) if values else None


def responsiveness_fit(hours: float | None) -> float:
    """1 / (1 + hours/24): an order accepted at once 1, in a day 0.5; no data NEUTRAL."""
    if hours is None:
        return NEUTRAL
    return clamp(1 / (1 + max(hours, 0) / 24))
