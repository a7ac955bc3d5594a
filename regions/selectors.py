"""Reads of the region tables: lists for the API and the picker, and a code's chain."""

from django.db.models import QuerySet

from regions.codes import Level, level_of
from regions.models import MODEL_BY_LEVEL, PARENT_FIELD_BY_LEVEL, Region


def region_list(*, level: Level, parent: str | None = None) -> QuerySet:
    """Active (not retired) regions of one level, by name, under `parent` if given."""
    queryset = MODEL_BY_LEVEL[level].objects.active()
    if parent and level in PARENT_FIELD_BY_LEVEL:
        queryset = queryset.filter(**{f"{PARENT_FIELD_BY_LEVEL[level]}_id": parent})
    return queryset.order_by("display_name", "code")


def region_get(code: str) -> Region | None:
    """The region with this code at whatever level the code says, retired or not."""
    level = level_of(code)
    if level is None:
        return None
    return MODEL_BY_LEVEL[level].objects.filter(code=code).first()


def region_chain_codes(code: str) -> dict[Level, str]:
    """`36.72.07` → {PROVINCE: "36", REGENCY: "36.72", DISTRICT: "36.72.07"}."""
    level = level_of(code)
    if level is None:
        return {}
    parts = code.split(".")
    return {Level(depth): ".".join(parts[:depth]) for depth in range(1, level + 1)}
