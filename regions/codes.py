"""Kemendagri region codes: `36` (province), `36.72` (regency), `36.72.07` (district),
`36.72.07.1004` (village), and what follows from their shape alone."""

import re
from enum import IntEnum

from django.utils.translation import gettext_lazy as _


class Level(IntEnum):
    PROVINCE = 1
    REGENCY = 2
    DISTRICT = 3
    VILLAGE = 4

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    Level.PROVINCE: _("province"),
    Level.REGENCY: _("regency/city"),
    Level.DISTRICT: _("district (kecamatan)"),
    Level.VILLAGE: _("village"),
}

CODE_PATTERNS = {
    Level.PROVINCE: re.compile(r"^\d{2}$"),
    Level.REGENCY: re.compile(r"^\d{2}\.\d{2}$"),
    Level.DISTRICT: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    Level.VILLAGE: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}
CODE_EXAMPLES = {
    Level.PROVINCE: "36",
    Level.REGENCY: "36.72",
    Level.DISTRICT: "36.72.07",
    Level.VILLAGE: "36.72.07.1004",
}


def level_of(code: str) -> Level | None:
    """The level a well-formed code belongs to, or None if it is not a region code."""
    for level, pattern in CODE_PATTERNS.items():
        if pattern.match(code or ""):
            return level
    return None


def parent_code(code: str) -> str | None:
    """`36.72.07` → `36.72`; a province has no parent."""
    return code.rsplit(".", 1)[0] if "." in code else None


class Closeness(IntEnum):
    """How near two places are by the administrative hierarchy; higher is nearer."""

    ELSEWHERE = 0
    SAME_PROVINCE = 1
    SAME_REGENCY = 2
    SAME_DISTRICT = 3


def closeness(code_a: str, code_b: str) -> Closeness:
    """Compare two region codes of any level (a village and a district, say).

    Two places are in the same district only if both codes go down to a district and agree
    there; likewise for regency and province.
    """
    parts_a, parts_b = code_a.split("."), code_b.split(".")
    shared = 0
    for part_a, part_b in zip(parts_a[:3], parts_b[:3], strict=False):
        if part_a != part_b:
            break
        shared += 1
    return Closeness(shared)
