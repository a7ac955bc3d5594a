"""The reports bench's sales history, written by SQL (`INSERT … SELECT … generate_series`).

Two years of paid orders (2024-12-01 to 2026-11-30, Asia/Jakarta; fixed dates, so a kept
database measures the same thing on any day) for a handful of verified Posyantek, most of
them at the first one, with 1–5 lines each (three on average): ~1,000,000 order lines from
~340,000 orders by default. Every order has its own payment; 4 % of the orders were never paid
(expired, no `paid_at`); 2.5 % were refunded in full after a seller cancellation and 2.5 % in
part after a dispute (a succeeded Refund with `succeeded_at`); every paid order has its ledger
sale and platform fee (2.5 % of goods), every refund its ledger refund and the fee given back.
The first Posyantek is PKP (its orders carry PPN, which revenue leaves out). Buyers are
20,000 users arriving over the two years (each month brings new buyers), 30 % of them
buying for one of 200 companies.

Everything is derived from the order number (Knuth's multiplicative hash, as in
bench/catalog_support/data.py): the same options give the same rows. The rows respect every
constraint of orders/models.py (total = goods + shipping + PPN, line = price × quantity, the
ledger's signs and once-per-order/refund rules, the refund's total = its parts).
"""

import datetime
import json
import zoneinfo

from django.db import connection, transaction

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
HISTORY_START = datetime.datetime(2024, 12, 1, tzinfo=JAKARTA)
HISTORY_END = datetime.datetime(2026, 12, 1, tzinfo=JAKARTA)  # exclusive
DATA_VERSION = "2"  # bump when the generated rows change: a kept database is then rebuilt
BUYERS = 20_000
BUYER_COMPANIES = 200
FEE_PER_MILLE = 25  # 2.5 % of goods
VILLAGE = "36.72.07.1004"

META_TABLE = "bench_reports_meta"


def fingerprint(options) -> str:
    return json.dumps(
        {
            "version": DATA_VERSION,
            "orders": options.orders,
            "sellers": options.sellers,
            "main_share": options.main_share,
            "products": options.products,
        },
        sort_keys=True,
    )


def loaded(key: str = "fingerprint") -> str | None:
    """What the database holds under `key` (fingerprint: the options of the complete load;
    missing: the declared indexes that were missing after it), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def indexes_missing() -> list[str]:
    """Indexes the models declare that the database lacks (a migration edited after the
    load: the kept database is then rebuilt)."""
    from orders.models import LedgerEntry, Order, OrderLine, Payment, Refund

    declared = {
        index.name
        for model in (Order, OrderLine, Payment, Refund, LedgerEntry)
        for index in model._meta.indexes
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        present = {name for (name,) in cursor.fetchall()}
    return sorted(declared - present)


def counts() -> dict[str, int]:
    tables = {
        "orders": "orders_order",
        "lines": "orders_orderline",
        "payments": "orders_payment",
        "refunds": "orders_refund",
        "ledger": "orders_ledgerentry",
    }
    out = {}
    with connection.cursor() as cursor:
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            out[key] = cursor.fetchone()[0]
    return out


def sellers(count: int) -> list:
    """The first `count` verified Posyantek of the catalogue bench's world, by id."""
    from accounts.models import Organization

    return list(
        Organization.objects.filter(
            kind=Organization.Kind.POSYANTEK,
            verification_status=Organization.VerificationStatus.VERIFIED,
        ).order_by("pk")[:count]
    )


def buyers_add() -> None:
    """20,000 buyer users (by SQL) and 200 buying companies, and the orders' village."""
    from django.utils import timezone

    from accounts.models import Organization, User
    from regions.models import Village

    owner = User.objects.get(email="bench@mitra-ttg.test")
    Village.objects.get_or_create(
        code=VILLAGE,
        defaults={"name": "Purwakarta", "display_name": "Purwakarta", "district_id": "36.72.07"},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, last_login, is_superuser, email, name, phone,
                                       is_staff, is_active, date_joined, email_verified_at)
            SELECT '!', NULL, false, 'pembeli' || g || '@bench-reports.test', 'Pembeli ' || g,
                   '', false, true, %(start)s, %(start)s
            FROM generate_series(1, %(count)s) AS g
            """,
            {"start": HISTORY_START, "count": BUYERS},
        )
    now = timezone.now()
    Organization.objects.bulk_create(
        Organization(
            kind=Organization.Kind.INDUSTRY,
            name=f"PT Pembeli Bench {number}",
            slug=f"pt-pembeli-bench-{number}",
            code=f"PB{number:04d}",
            district_id="36.72.07",
            verification_status=Organization.VerificationStatus.VERIFIED,
            verified_at=now,
            created_by=owner,
        )
        for number in range(1, BUYER_COMPANIES + 1)
    )


# Step 1: the orders without their amounts. h and k are two pseudo-random numbers per order;
# each choice takes its own slice of one of them.
_ORDERS = """
CREATE TEMPORARY TABLE bench_orders ON COMMIT DROP AS
WITH source AS (
    SELECT g.i, (g.i::bigint * 2654435761) %% 4294967296 AS h,
           (g.i::bigint * 40503 + 12345) %% 2147483647 AS k
    FROM generate_series(1, %(orders)s) AS g(i)
), chosen AS (
    SELECT s.*,
           %(start)s::timestamptz + make_interval(
               secs => (s.i - 1) * %(span)s::double precision / %(orders)s + (s.h / 3) %% 3600
           ) AS moment,
           CASE WHEN (s.h / 7) %% 100 < %(main_share)s OR cardinality(%(sellers)s::bigint[]) = 1
                THEN 1
                ELSE 2 + (s.h / 701) %% (cardinality(%(sellers)s::bigint[]) - 1)
           END AS seller_pos,
           -- buyers arrive over the two years: order i picks one of the first
           -- buyer_count × i / orders buyers, so every month has new buyers
           1 + (s.k / 11) %% greatest(100, %(buyer_count)s::bigint * s.i / %(orders)s)
               AS buyer_pos,
           CASE WHEN s.i %% 25 = 0 THEN 'expired'
                WHEN s.i %% 40 = 7 THEN 'refunded'
                WHEN s.i %% 40 = 19 THEN 'partially_refunded'
                ELSE 'paid'
           END AS fate,
           (s.h / 13) %% 3 AS shipping_pos
    FROM source s
)
SELECT c.i, c.h, c.k,
       (%(sellers)s::bigint[])[c.seller_pos] AS seller_id,
       c.seller_pos = 1 AS seller_is_pkp,
       (%(buyers)s::bigint[])[c.buyer_pos] AS buyer_id,
       CASE WHEN c.buyer_pos %% 10 < 3
            THEN (%(companies)s::bigint[])[1 + c.buyer_pos %% cardinality(%(companies)s::bigint[])]
       END AS buyer_organization_id,
       c.moment - make_interval(secs => 60 + (c.k / 7) %% 3600) AS created,
       CASE WHEN c.fate <> 'expired' THEN c.moment END AS paid_at,
       CASE WHEN c.fate = 'expired' THEN 'expired'
            WHEN c.fate <> 'paid' THEN c.fate
            WHEN c.moment > %(end)s::timestamptz - interval '3 days' THEN 'paid'
            WHEN c.moment > %(end)s::timestamptz - interval '10 days' THEN 'processing'
            ELSE 'completed'
       END AS status,
       (ARRAY['pickup', 'own_delivery', 'courier'])[1 + c.shipping_pos] AS shipping_method,
       CASE c.shipping_pos WHEN 0 THEN 0
                           WHEN 1 THEN 15000 + (c.k / 17) %% 8 * 5000
                           ELSE 20000 + (c.k / 19) %% 27 * 5000
       END AS shipping_amount,
       1 + (c.k / 3) %% 5 AS line_count,
       p.product_count
FROM chosen c
JOIN (
    SELECT seller_id, count(*) AS product_count FROM bench_products GROUP BY seller_id
) p ON p.seller_id = (%(sellers)s::bigint[])[c.seller_pos]
"""

_PRODUCTS = """
CREATE TEMPORARY TABLE bench_products ON COMMIT DROP AS
SELECT p.seller_id, row_number() OVER (PARTITION BY p.seller_id ORDER BY p.id) - 1 AS idx,
       p.id, p.name, p.selling_unit, p.availability, p.price_amount,
       coalesce(round(p.weight_per_unit_kg * 1000), 0)::bigint AS grams
FROM marketplace_product p
WHERE p.seller_id = ANY(%(sellers)s::bigint[])
"""

_LINES = """
CREATE TEMPORARY TABLE bench_lines ON COMMIT DROP AS
SELECT o.i, l.n, p.id AS product_id, p.name, p.selling_unit, p.availability,
       p.price_amount, 1 + (o.k / 23 + l.n * 7) %% 4 AS quantity, p.grams, o.created
FROM bench_orders o
CROSS JOIN LATERAL generate_series(1, o.line_count) AS l(n)
JOIN bench_products p
  ON p.seller_id = o.seller_id AND p.idx = (o.h / 37 + l.n * 7919) %% o.product_count
"""

# Step 2: the amounts, from the lines (PPN and DPP as core.money: half-up).
_TOTALS = """
CREATE TEMPORARY TABLE bench_totals ON COMMIT DROP AS
SELECT o.*, g.goods, g.grams,
       CASE WHEN o.seller_is_pkp THEN ((g.goods + o.shipping_amount) * 11 * 2 + 12) / 24
            ELSE 0 END AS dpp,
       CASE WHEN o.seller_is_pkp THEN ((g.goods + o.shipping_amount) * 11 + 50) / 100
            ELSE 0 END AS ppn,
       g.goods * %(fee)s / 1000 AS fee,
       CASE o.status WHEN 'refunded' THEN o.paid_at + interval '2 days'
                     WHEN 'partially_refunded' THEN o.paid_at + interval '12 days'
       END AS refunded_at
FROM bench_orders o
JOIN (
    SELECT i, sum(price_amount * quantity) AS goods, sum(grams * quantity) AS grams
    FROM bench_lines GROUP BY i
) g ON g.i = o.i
"""

_PAYMENTS = """
INSERT INTO orders_payment (
    id, created_at, updated_at, code, method, status, amount_due_amount, currency, expires_at,
    paid_at, buyer_id, due_date, expiry_remaining_seconds, received_amount, received_at,
    received_reference, review_reason
)
SELECT t.i, t.created, coalesce(t.refunded_at, t.paid_at, t.created + interval '1 day'),
       'BR' || lpad(t.i::text, 9, '0'), 'bank_transfer',
       CASE t.status WHEN 'expired' THEN 'expired'
                     WHEN 'refunded' THEN 'refunded'
                     WHEN 'partially_refunded' THEN 'partially_refunded'
                     ELSE 'paid' END,
       t.goods + t.shipping_amount + t.ppn, 'IDR', t.created + interval '1 day', t.paid_at,
       t.buyer_id, NULL, NULL,
       CASE WHEN t.paid_at IS NULL THEN 0 ELSE t.goods + t.shipping_amount + t.ppn END,
       t.paid_at, CASE WHEN t.paid_at IS NULL THEN '' ELSE 'TRF' || t.i END, ''
FROM bench_totals t
"""

_ORDERS_INSERT = """
INSERT INTO orders_order (
    id, created_at, updated_at, number, status, payment_terms, contact_name, contact_phone,
    contact_email, address_line, postal_code, note, shipping_method, shipping_weight_grams,
    seller_is_pkp, goods_amount, shipping_amount, dpp_amount, ppn_amount, total_amount,
    platform_fee_amount, promised_date, expires_at, paid_at, buyer_id, buyer_organization_id,
    district_id, province_id, regency_id, seller_id, village_id, payment_id, accepted_at,
    cancelled_at, carrier, completed_at, delivered_at, due_date, shipped_at, tracking_number
)
SELECT t.i, t.created, coalesce(t.refunded_at, t.paid_at, t.created + interval '1 day'),
       'MT-BR-' || lpad(t.i::text, 9, '0'), t.status, 'prepaid', 'Pembeli Bench',
       '6281234567890', 'pembeli@bench-reports.test', 'Jl. Bench No. 1', '42411', '',
       t.shipping_method, t.grams, t.seller_is_pkp, t.goods, t.shipping_amount, t.dpp, t.ppn,
       t.goods + t.shipping_amount + t.ppn, t.fee,
       ((t.created AT TIME ZONE 'Asia/Jakarta') + interval '7 days')::date,
       t.created + interval '1 day', t.paid_at, t.buyer_id, t.buyer_organization_id,
       '36.72.07', '36', '36.72', t.seller_id, %(village)s, t.i,
       CASE WHEN t.status IN ('processing', 'completed', 'partially_refunded')
            THEN t.paid_at + interval '2 hours' END,
       CASE WHEN t.status = 'refunded' THEN t.paid_at + interval '1 day' END,
       CASE WHEN t.shipping_method = 'courier' AND t.status IN ('completed', 'partially_refunded')
            THEN 'JNE' ELSE '' END,
       CASE WHEN t.status = 'completed' THEN t.paid_at + interval '6 days' END,
       CASE WHEN t.status IN ('completed', 'partially_refunded')
            THEN t.paid_at + interval '4 days' END,
       NULL,
       CASE WHEN t.status IN ('completed', 'partially_refunded')
            THEN t.paid_at + interval '2 days' END,
       CASE WHEN t.shipping_method = 'courier' AND t.status IN ('completed', 'partially_refunded')
            THEN 'JNE' || t.i ELSE '' END
FROM bench_totals t
"""

_LINES_INSERT = """
INSERT INTO orders_orderline (
    created_at, updated_at, product_name, selling_unit, availability, unit_price_amount,
    quantity, line_amount, weight_per_unit_grams, order_id, product_id
)
SELECT l.created, l.created, l.name, l.selling_unit, l.availability, l.price_amount,
       l.quantity, l.price_amount * l.quantity, l.grams, l.i, l.product_id
FROM bench_lines l
ORDER BY l.i, l.n
"""

# Full refunds: goods, shipping and PPN; partial ones: half the goods and half the PPN.
_REFUNDS = """
INSERT INTO orders_refund (
    id, created_at, updated_at, status, reason, note, provider, provider_reference,
    goods_amount, shipping_amount, ppn_amount, total_amount, succeeded_at, order_id, payment_id,
    requested_by_id, account_bank_name, account_given_at, account_holder, account_number,
    failure_reason, other_amount
)
SELECT r.i, r.refunded_at - interval '1 day', r.refunded_at, 'succeeded', r.reason, '',
       'bank_transfer', 'RF' || r.i, r.goods, r.shipping, r.ppn, r.goods + r.shipping + r.ppn,
       r.refunded_at, r.i, r.i, NULL, 'BRI', r.refunded_at - interval '1 day', 'Pembeli Bench',
       '0123456789', '', 0
FROM (
    SELECT t.i, t.refunded_at,
           CASE WHEN t.status = 'refunded' THEN 'seller_cancelled' ELSE 'dispute' END AS reason,
           CASE WHEN t.status = 'refunded' THEN t.goods ELSE t.goods / 2 END AS goods,
           CASE WHEN t.status = 'refunded' THEN t.shipping_amount ELSE 0 END AS shipping,
           CASE WHEN t.status = 'refunded' THEN t.ppn ELSE t.ppn / 2 END AS ppn
    FROM bench_totals t
    WHERE t.status IN ('refunded', 'partially_refunded')
) r
"""

# The ledger: a sale (+ total) and its fee (−) per paid order, pending until completed (or
# refunded); a refund (−) and the fee given back (+) per refund.
_LEDGER = """
INSERT INTO orders_ledgerentry (
    created_at, updated_at, kind, status, amount, available_at, note, order_id,
    organization_id, refund_id, payout_id
)
SELECT e.created, e.created, e.kind, e.status, e.amount,
       CASE WHEN e.status = 'available' THEN e.available END, '', e.order_id, e.seller_id,
       e.refund_id, NULL
FROM (
    SELECT t.paid_at AS created, x.kind, x.amount, t.i AS order_id, t.seller_id,
           NULL::bigint AS refund_id,
           CASE WHEN t.status IN ('completed', 'refunded', 'partially_refunded')
                THEN 'available' ELSE 'pending' END AS status,
           coalesce(t.refunded_at, t.paid_at + interval '6 days') AS available
    FROM bench_totals t
    CROSS JOIN LATERAL (VALUES ('sale', t.goods + t.shipping_amount + t.ppn),
                               ('platform_fee', -t.fee)) AS x(kind, amount)
    WHERE t.paid_at IS NOT NULL AND x.amount <> 0
    UNION ALL
    SELECT r.succeeded_at, x.kind, x.amount, r.order_id, t.seller_id, r.id, 'available',
           r.succeeded_at
    FROM orders_refund r
    JOIN bench_totals t ON t.i = r.order_id
    CROSS JOIN LATERAL (
        VALUES ('refund', -r.total_amount),
               ('platform_fee', CASE WHEN r.goods_amount = t.goods THEN t.fee
                                     ELSE r.goods_amount * %(fee)s / 1000 END)
    ) AS x(kind, amount)
    WHERE x.amount <> 0
) e
ORDER BY e.created
"""

LOADED_TABLES = (
    "orders_payment",
    "orders_order",
    "orders_orderline",
    "orders_refund",
    "orders_ledgerentry",
)

_SEQUENCES = [("orders_payment", "id"), ("orders_order", "id"), ("orders_refund", "id")]


def _indexes_drop(cursor) -> list[str]:
    """Drops the loaded tables' indexes other than primary keys (a bulk load then builds
    each index once, sorted, instead of updating it row by row) and returns the statements
    that rebuild them. Unique indexes are rebuilt too, so uniqueness is checked all the same."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (
              SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p'
          )
        ORDER BY i.tablename, i.indexname
        """,
        [list(LOADED_TABLES)],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        constraint = _owning_constraint(cursor, name)
        if constraint:
            table, constraint_name = constraint
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint_name}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')
    statements = []
    for name, definition in rows:
        statements.append(definition)
        constraint = _unique_constraints.get(name)
        if constraint:
            statements.append(
                f'ALTER TABLE {constraint} ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"'
            )
    return statements


_unique_constraints: dict[str, str] = {}


def _owning_constraint(cursor, index_name: str) -> tuple[str, str] | None:
    """(table, constraint) when the index backs a UNIQUE constraint (remembered so the
    constraint is added back on the rebuilt index)."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE conname = %s AND contype = 'u'",
        [index_name],
    )
    row = cursor.fetchone()
    if row:
        _unique_constraints[index_name] = row[0]
    return row


def history_add(options, seller_ids: list[int]) -> dict[str, float]:
    """The orders, lines, payments, refunds and ledger, in one transaction. Returns seconds
    per step."""
    import time

    from accounts.models import Organization, User

    buyers = list(
        User.objects.filter(email__endswith="@bench-reports.test")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    companies = list(
        Organization.objects.filter(slug__startswith="pt-pembeli-bench-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    params = {
        "orders": options.orders,
        "start": HISTORY_START,
        "end": HISTORY_END,
        "span": (HISTORY_END - HISTORY_START).total_seconds(),
        "sellers": seller_ids,
        "main_share": options.main_share,
        "buyers": buyers,
        "buyer_count": len(buyers),
        "companies": companies,
        "fee": FEE_PER_MILLE,
        "village": VILLAGE,
    }
    steps = [
        ("products", _PRODUCTS),
        ("orders (plan)", _ORDERS),
        ("lines (plan)", _LINES),
        ("totals (plan)", _TOTALS),
        ("payments", _PAYMENTS),
        ("orders", _ORDERS_INSERT),
        ("order lines", _LINES_INSERT),
        ("refunds", _REFUNDS),
        ("ledger", _LEDGER),
    ]
    seconds = {}
    with transaction.atomic(), connection.cursor() as cursor:
        Organization.objects.filter(pk=seller_ids[0]).update(is_pkp=True)
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Foreign keys here are deferred triggers: millions of single-row checks at COMMIT
        # (ten minutes on 2 cores). As a superuser, skip them while loading and check every
        # foreign key of the loaded tables afterwards in one anti-join each (foreign_keys_check);
        # CHECK and UNIQUE constraints hold as always.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        started = time.perf_counter()
        indexes = _indexes_drop(cursor)
        seconds["drop indexes"] = time.perf_counter() - started
        for name, statement in steps:
            started = time.perf_counter()
            cursor.execute(statement, params)
            if name.endswith("(plan)") or name == "products":
                cursor.execute(f"ANALYZE bench_{name.split()[0]}")
            seconds[name] = time.perf_counter() - started
        started = time.perf_counter()
        for statement in indexes:
            cursor.execute(statement)
        seconds[f"{len(indexes)} indexes rebuilt"] = time.perf_counter() - started
        for table, column in _SEQUENCES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                f"(SELECT max({column}) FROM {table}))"
            )
    return seconds


_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
  AND c.conrelid::regclass::text = ANY(%s)
ORDER BY 1, 2
"""


def foreign_keys_check() -> tuple[int, list[str]]:
    """Every single-column foreign key of the loaded tables: rows pointing at nothing.
    Returns how many keys were checked and the broken ones."""
    broken = []
    with connection.cursor() as cursor:
        cursor.execute(_FOREIGN_KEYS, [list(LOADED_TABLES)])
        keys = cursor.fetchall()
        for table, column, target, target_column in keys:
            cursor.execute(
                f'SELECT count(*) FROM {table} c WHERE c."{column}" IS NOT NULL AND NOT EXISTS '  # noqa: S608
                f'(SELECT 1 FROM {target} t WHERE t."{target_column}" = c."{column}")'
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                broken.append(f"{table}.{column} → {target}: {orphans:,} rows point at nothing")
    return len(keys), broken


def mark_loaded(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text)"
        )
        for key, text in (("fingerprint", value), ("missing", ",".join(indexes_missing()))):
            cursor.execute(
                f"INSERT INTO {META_TABLE} VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, text],
            )


def analyze() -> None:
    with connection.cursor() as cursor:
        for table in (
            "orders_order",
            "orders_orderline",
            "orders_payment",
            "orders_refund",
            "orders_ledgerentry",
            "accounts_user",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
