"""The overview for the dinas and platform staff: every Posyantek in a region, province →
regency → kecamatan, with what it lists, sells and partners on, when it last did anything, a
ranking by gross, and the inactive ones (DESIGN.md, Dashboards).

One query reads every Posyantek of the scope with what it lists and partners on and its
activity as correlated subqueries (products, partnerships, last product change, last order,
last member login); the money (gross, refunds, platform fee, net, orders paid) comes from
reports.selectors.figures.money_by_posyantek — the dashboard's own definitions, grouped by
Posyantek in four queries — so a region's totals match its summary. Whatever the number of
Posyantek or orders, the query count is fixed. The tree, subtotals and ranking are then built
in Python from those already-aggregated rows — never from orders.

Inactive = no product change, order received or member login in the last INACTIVE_DAYS days
(a Posyantek that never did any of these is inactive too).

Unverified Posyantek are listed too, marked `verified: False`: a dinas wants to see who is not
verified yet (they cannot sell until they are, so they rank low by themselves).
"""

import datetime

from django.db.models import (
    BigIntegerField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, Organization
from marketplace.models import Product
from mitra.models import Partnership
from orders.models import Order
from reports.periods import Period, local_midnight
from reports.scope import Scope
from reports.selectors.figures import money_by_posyantek

INACTIVE_DAYS = 90

FIGURES = (
    "products_published",
    "paid_orders",
    "gross_amount",
    "refunds_amount",
    "platform_fee_amount",
    "net_amount",
    "partnerships_active",
)
NO_MONEY = dict.fromkeys(
    ("paid_orders", "gross_amount", "refunds_amount", "platform_fee_amount", "net_amount"), 0
)


def _scalar(queryset: QuerySet, function: str, expression, output_field) -> Subquery:
    """One aggregate over the correlated rows, as a subquery (no GROUP BY: one row)."""
    return Subquery(
        queryset.order_by()
        .annotate(value=Func(expression, function=function, output_field=output_field))
        .values("value")[:1],
        output_field=output_field,
    )


def _count(queryset: QuerySet) -> Coalesce:
    return Coalesce(_scalar(queryset, "COUNT", F("pk"), IntegerField()), Value(0))


def _sum(queryset: QuerySet, expression) -> Coalesce:
    return Coalesce(
        _scalar(queryset, "SUM", expression, BigIntegerField()),
        Value(0),
        output_field=BigIntegerField(),
    )


def _latest(queryset: QuerySet, field: str) -> Subquery:
    return _scalar(queryset, "MAX", F(field), DateTimeField())


def _posyanteks_with_activity(scope: Scope) -> QuerySet:
    org = OuterRef("pk")
    return (
        scope.posyanteks()
        .select_related("district__regency__province")
        .annotate(
            products_published=_count(
                Product.objects.filter(seller=org, status=Product.Status.PUBLISHED)
            ),
            partnerships_active=_count(
                Partnership.objects.filter(
                    Q(posyantek=org) | Q(partner=org), status=Partnership.Status.ACTIVE
                )
            ),
            last_product_change=_latest(Product.objects.filter(seller=org), "updated_at"),
            last_order=_latest(Order.objects.filter(seller=org), "created_at"),
            last_member_login=_latest(
                Membership.objects.filter(organization=org), "user__last_login"
            ),
        )
        .order_by(
            "district__regency__province__display_name",
            "district__regency__display_name",
            "district__display_name",
            "name",
            "pk",
        )
    )


def _region(region) -> dict:
    return {"code": region.code, "name": region.display_name}


def _row(organization: Organization, money: dict, active_since: datetime.datetime) -> dict:
    district = organization.district
    moments = [
        moment
        for moment in (
            organization.last_product_change,
            organization.last_order,
            organization.last_member_login,
        )
        if moment is not None
    ]
    last_activity = max(moments) if moments else None
    return {
        "slug": organization.slug,
        "name": organization.name,
        "code": organization.code,
        "level": organization.posyantek_level,
        "level_label": str(organization.get_posyantek_level_display())
        if organization.posyantek_level
        else "",
        "verified": organization.is_verified,
        "verification_status": organization.verification_status,
        "province": _region(district.regency.province),
        "regency": _region(district.regency),
        "district": _region(district),
        "products_published": organization.products_published,
        "paid_orders": money["paid_orders"],
        "gross_amount": money["gross_amount"],
        "refunds_amount": money["refunds_amount"],
        "platform_fee_amount": money["platform_fee_amount"],
        "net_amount": money["net_amount"],
        "partnerships_active": organization.partnerships_active,
        "last_product_change": organization.last_product_change,
        "last_order": organization.last_order,
        "last_member_login": organization.last_member_login,
        "last_activity": last_activity,
        "inactive": last_activity is None or last_activity < active_since,
        "rank": 0,
    }


def _totals(rows: list[dict]) -> dict:
    totals = {name: sum(row[name] for row in rows) for name in FIGURES}
    totals["posyanteks"] = len(rows)
    totals["verified"] = sum(1 for row in rows if row["verified"])
    totals["unverified"] = totals["posyanteks"] - totals["verified"]
    totals["inactive"] = sum(1 for row in rows if row["inactive"])
    return totals


def _tree(rows: list[dict]) -> list[dict]:
    """Province → regency → kecamatan, in the rows' order (by name), each with subtotals."""
    provinces: dict[str, dict] = {}
    for row in rows:
        province = provinces.setdefault(
            row["province"]["code"], {**row["province"], "regencies": {}}
        )
        regency = province["regencies"].setdefault(
            row["regency"]["code"], {**row["regency"], "districts": {}}
        )
        district = regency["districts"].setdefault(
            row["district"]["code"], {**row["district"], "posyanteks": []}
        )
        district["posyanteks"].append(row)
    tree = []
    for province in provinces.values():
        regencies = []
        province_rows: list[dict] = []
        for regency in province["regencies"].values():
            districts = []
            regency_rows: list[dict] = []
            for district in regency["districts"].values():
                district["totals"] = _totals(district["posyanteks"])
                regency_rows += district["posyanteks"]
                districts.append(district)
            regency["districts"] = districts
            regency["totals"] = _totals(regency_rows)
            province_rows += regency_rows
            regencies.append(regency)
        province["regencies"] = regencies
        province["totals"] = _totals(province_rows)
        tree.append(province)
    return tree


def _ranking_key(row: dict):
    return (-row["gross_amount"], -row["paid_orders"], row["name"].casefold(), row["slug"])


def posyantek_overview(*, scope: Scope, period: Period, today: datetime.date | None = None) -> dict:
    """Every Posyantek in the scope with its figures for the period; see the module docstring.

    Shape: {"scope", "period", "today", "inactive_days", "active_since" (the first local day
    that still counts as recent), "totals", "ranking" (rows by rank), "tree" (provinces →
    "regencies" → "districts" → "posyanteks" rows, each level with "code", "name", "totals"),
    "inactive" (rows, longest idle first)}. A row: slug, name, code, level, level_label,
    verified, verification_status, province/regency/district {code, name}, products_published,
    paid_orders, gross_amount, refunds_amount, platform_fee_amount, net_amount,
    partnerships_active, last_product_change,
    last_order, last_member_login, last_activity (aware datetimes or None), inactive, rank.
    """
    today = today or timezone.localdate()
    active_since_day = today - datetime.timedelta(days=INACTIVE_DAYS)
    active_since = local_midnight(active_since_day)
    money = money_by_posyantek(scope=scope, period=period)
    rows = [
        _row(org, money.get(org.pk, NO_MONEY), active_since)
        for org in _posyanteks_with_activity(scope)
    ]

    ranking = sorted(rows, key=_ranking_key)
    for position, row in enumerate(ranking, start=1):
        row["rank"] = position
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    inactive = sorted(
        (row for row in rows if row["inactive"]),
        key=lambda row: (row["last_activity"] or epoch, row["name"].casefold(), row["slug"]),
    )
    return {
        "scope": scope.as_dict(),
        "period": period.as_dict(),
        "today": today.isoformat(),
        "inactive_days": INACTIVE_DAYS,
        "active_since": active_since_day.isoformat(),
        "totals": _totals(rows),
        "ranking": ranking,
        "tree": _tree(rows),
        "inactive": inactive,
    }
