"""Explanations of a match, rendered from its stored facts in the ACTIVE language.

Nothing here is translated at import time: every part is a gettext call made when `explain`
runs, so the same Match row reads "Kategori sama · satu kabupaten · …" to an Indonesian
viewer and "Same category · same regency · …" to an English one. Numbers use the active
locale's formatting; money goes through core.money.format_rupiah.
"""

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.money import format_rupiah
from mitra.matching import scoring

# Certificate types by their official short names (acronyms are not translated).
CERTIFICATE_NAMES = {
    "pirt": "PIRT",
    "halal": "Halal",
    "sni": "SNI",
    "bpom_md": "BPOM MD",
    "npp": "NPP",
    "hki": "HKI",
}
GOOD_TEXT = 0.5  # text relevance from which "matches the need's words" is said


# Stored facts come from sellers' figures; never let one make a page fail to render.
MAX_SHOWN_QUANTITY = Decimal("1e12")


def _quantity(value: float, unit: str) -> str:
    amount = Decimal(str(value))
    if not amount.is_finite():
        amount = Decimal(0)
    amount = min(max(amount, -MAX_SHOWN_QUANTITY), MAX_SHOWN_QUANTITY)
    places = 0 if amount == amount.to_integral_value() or amount >= 100 else 1
    number = number_format(round(amount, places), decimal_pos=places, use_l10n=True)
    if unit == "ton":
        return f"{number} t"
    if unit == "kg":
        return f"{number} kg"
    if unit == "liter":
        return f"{number} l"
    return _("%(number)s units") % {"number": number}


def _category(facts: dict[str, Any]) -> str | None:
    relation = facts.get(scoring.CATEGORY, {}).get("relation")
    return {
        "same": _("Same category"),
        "parent": _("Same field"),
        "child": _("Sub-category of the field"),
        "sibling": _("Related category"),
    }.get(relation)


def _text(components: dict[str, float]) -> str | None:
    if components.get(scoring.TEXT, 0) >= GOOD_TEXT:
        return _("matches what is asked for")
    return None


def _distance(facts: dict[str, Any]) -> str | None:
    level = facts.get(scoring.DISTANCE, {}).get("level")
    return {
        "district": _("same kecamatan"),
        "regency": _("same regency"),
        "province": _("same province"),
        "island": _("same island"),
        "elsewhere": _("another island"),
    }.get(level)


def _capacity(facts: dict[str, Any]) -> str | None:
    figures = facts.get(scoring.CAPACITY)
    if not figures:
        return None
    values = {
        "available": _quantity(figures["available"], figures["unit"]),
        "needed": _quantity(figures["needed"], figures["unit"]),
    }
    enough = figures["available_units"] >= figures["needed_units"]
    if figures["mode"] == "stock":
        if enough:
            return _("%(available)s in stock ≥ %(needed)s") % values
        return _("only %(available)s in stock for %(needed)s") % values
    frequency = figures.get("frequency")
    if frequency == "weekly":
        if enough:
            return _("capacity %(available)s/week ≥ %(needed)s") % values
        return _("capacity only %(available)s/week for %(needed)s") % values
    if enough:
        return _("capacity %(available)s/month ≥ %(needed)s") % values
    return _("capacity only %(available)s/month for %(needed)s") % values


def _price(facts: dict[str, Any]) -> str | None:
    figures = facts.get(scoring.PRICE)
    if not figures:
        return None
    values = {
        "cost": format_rupiah(figures["cost_amount"]),
        "budget": format_rupiah(figures["budget_amount"]),
    }
    if figures["cost_amount"] <= figures["budget_amount"]:
        return _("%(cost)s within the budget") % values
    return _("%(cost)s, over the budget of %(budget)s") % values


def _track_record(facts: dict[str, Any]) -> str | None:
    figures = facts.get(scoring.TRACK_RECORD)
    if not figures:
        return None
    if not figures.get("completed"):
        return _("no completed orders yet")
    part = _("%(count)s orders completed") % {"count": figures["completed"]}
    if figures.get("delivered"):
        share = round(100 * figures["on_time"] / figures["delivered"])
        part += ", " + _("%(share)s%% on time") % {"share": share}
    if figures.get("rating") is not None:
        rating = number_format(figures["rating"], decimal_pos=1, use_l10n=True)
        part += ", " + _("rated %(rating)s") % {"rating": rating}
    return part


def _responsiveness(facts: dict[str, Any]) -> str | None:
    figures = facts.get(scoring.RESPONSIVENESS, {})
    hours = figures.get("median_hours")
    if hours is None:
        return None
    # The median also counts the hours from being told about a need to proposing for it.
    orders, proposals = figures.get("orders"), figures.get("proposals") or 0
    if proposals and not orders:
        if hours < 1:
            return _("answers partner needs within the hour")
        return _("answers partner needs in about %(hours)s h") % {"hours": round(hours)}
    if proposals:
        if hours < 1:
            return _("answers orders and partner needs within the hour")
        return _("answers orders and partner needs in about %(hours)s h") % {"hours": round(hours)}
    if hours < 1:
        return _("accepts orders within the hour")
    return _("accepts orders in about %(hours)s h") % {"hours": round(hours)}


def _certifications(facts: dict[str, Any]) -> str | None:
    types = facts.get("certifications") or []
    if not types:
        return None
    names = ", ".join(CERTIFICATE_NAMES.get(code, code.upper()) for code in types)
    return _("%(types)s valid") % {"types": names}


def explain(match: Any, *, need: Any = None) -> list[str]:
    """The explanation of a Match row or a MatchResult, as parts in the active language (the
    templates join them with " · "). Built only from `components` and `facts`; parts whose
    figures are missing are left out. `need` is accepted for callers that have it (and for
    future parts); the facts already carry what the text needs."""
    components = dict(getattr(match, "components", None) or {})
    facts = dict(getattr(match, "facts", None) or {})
    parts = [
        _category(facts),
        _text(components),
        _distance(facts),
        _capacity(facts),
        _price(facts),
        _certifications(facts),
        _track_record(facts),
        _responsiveness(facts),
    ]
    return [part for part in parts if part]


def explain_text(match: Any, *, need: Any = None, separator: str = " · ") -> str:
    """`explain` joined into one line."""
    return separator.join(explain(match, need=need))
