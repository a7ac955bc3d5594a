"""How a need's quantity turns into a product's selling units (DESIGN.md, marketplace "Units").

A need states `kg`, `ton`, `liter` or `unit`; orders and capacity count selling units.

- `kg` / `ton`: through `weight_per_unit_kg`. A product without a weight (or weighing 0)
  cannot answer a mass need.
- `unit`: only products **sold per piece** — their selling unit names no measure of mass or
  volume ("unit", "buah", "paket", "lisensi", "set" are pieces; "kg", "karung 50 kg",
  "botol 250 ml", "jeriken 5 liter" are not: a bottle of 250 ml is bought for its
  millilitres). A blank selling unit is a piece (the catalogue's default is "unit").
- `liter`: products have no volume field, so only products whose selling unit states a volume
  answer it: "liter" (1 l), "jeriken 5 liter", "botol 250 ml", "galon 19 l". The volume is
  read from the selling unit; anything else (a mass, a piece) cannot answer a volume need,
  and mass is never converted to volume (densities differ).

Frequencies: a weekly need asks 52/12 deliveries a month; monthly and once, one.
"""

import math
import re
from decimal import Decimal

# Measures in a selling unit. Used by the database (`iregex`, PostgreSQL and SQLite alike:
# no word-boundary escapes, which the two dialects spell differently) and by Python.
_MASS = r"kg|kilo|kilogram|g|gr|gram|ons|ton|t"
_VOLUME = r"ml|cc|l|lt|ltr|liter|litre"
MEASURE_REGEX = rf"(^|[^a-z])({_MASS}|{_VOLUME})([^a-z]|$)"
VOLUME_REGEX = rf"(^|[^a-z])({_VOLUME})([^a-z]|$)"
_VOLUME_AMOUNT = re.compile(rf"(?:^|[^a-z0-9.,])(\d+(?:[.,]\d+)?)?\s*({_VOLUME})(?![a-z])", re.I)

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
KG_PER_TON = Decimal(1000)


def is_sold_per_piece(selling_unit: str) -> bool:
    """True when the selling unit names no mass or volume (see the module docstring)."""
    return re.search(MEASURE_REGEX, selling_unit or "", re.I) is None


MIN_VOLUME_LITERS = Decimal("0.001")
MAX_VOLUME_LITERS = Decimal("100000")


def volume_liters(selling_unit: str) -> Decimal | None:
    """The volume of one selling unit in litres, read from its name ("jeriken 5 liter" → 5,
    "botol 250 ml" → 0.25, "liter" → 1); None when it states no volume."""
    match = _VOLUME_AMOUNT.search(f" {selling_unit or ''}")
    if match is None:
        return None
    amount = Decimal((match.group(1) or "1").replace(",", "."))
    unit = match.group(2).lower()
    liters = amount / 1000 if unit in {"ml", "cc"} else amount
    # A selling unit is a bottle, a jerrycan, a drum or a tank: anything outside these bounds
    # is a typo, and would make absurd capacities out of free text.
    if not MIN_VOLUME_LITERS <= liters <= MAX_VOLUME_LITERS:
        return None
    return liters


def units_per_delivery(
    *, quantity: Decimal, unit: str, selling_unit: str, weight_per_unit_kg: Decimal | None
) -> int | None:
    """Whole selling units (rounded up) that deliver `quantity` `unit` once; None when the
    product cannot answer a need stated in `unit` (the hard filter)."""
    quantity = Decimal(quantity)
    if unit in {"kg", "ton"}:
        if not weight_per_unit_kg or Decimal(weight_per_unit_kg) <= 0:
            return None
        kilograms = quantity * KG_PER_TON if unit == "ton" else quantity
        return math.ceil(kilograms / Decimal(weight_per_unit_kg))
    if unit == "liter":
        volume = volume_liters(selling_unit)
        return None if volume is None else math.ceil(quantity / volume)
    if unit == "unit":
        return math.ceil(quantity) if is_sold_per_piece(selling_unit) else None
    raise ValueError(f"unknown need unit {unit!r}")


def need_unit_per_selling_unit(
    *, unit: str, selling_unit: str, weight_per_unit_kg: Decimal | None
) -> Decimal | None:
    """How much of the need's unit one selling unit holds (e.g. 0.05 t for "karung 50 kg"),
    to state capacity in the need's own unit; None when not convertible."""
    if unit in {"kg", "ton"}:
        if not weight_per_unit_kg or Decimal(weight_per_unit_kg) <= 0:
            return None
        kilograms = Decimal(weight_per_unit_kg)
        return kilograms / KG_PER_TON if unit == "ton" else kilograms
    if unit == "liter":
        return volume_liters(selling_unit)
    if unit == "unit":
        return Decimal(1) if is_sold_per_piece(selling_unit) else None
    return None


def deliveries_per_month(frequency: str) -> Decimal:
    return WEEKS_PER_MONTH if frequency == "weekly" else Decimal(1)
