"""Reports benchmark (issue 13): revenue over ~1,000,000 order lines, one month vs one year.

    make bench                                   # or: .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --repeat 9 --plans      # --rebuild, --drop

1. Uses its own PostgreSQL database (`mitra_bench_reports` on 127.0.0.1, created if missing
   and migrated) and KEEPS it afterwards, unlike the other benches, so the next run reuses
   the data (`--drop` drops it at the end, `--rebuild` reloads it). The first run loads two
   years of sales (bench/reports_support/data.py: 340,000 orders with 1,020,000 lines, 80 %
   of them at one PKP Posyantek, with payments, refunds and ledger entries) by SQL in one
   transaction — secondary indexes dropped and rebuilt after, foreign keys checked by one
   anti-join each instead of a trigger per row — then VACUUM ANALYZE: about 1 minute on
   2 cores (plus ~20 s of migrations). A later run finds the same data (a fingerprint of the
   options in the table `bench_reports_meta`) and skips the load; it reloads when an index
   the orders models declare is missing (a migration edited after the load).
2. For the main Posyantek, times (median and best of `--repeat` runs after one warm-up, in
   this process, through the ORM) `reports.selectors.figures.revenue_series` for November
   2026 by day and for December 2025 – November 2026 by month and by week, `money_figures`
   and `report_summary` for the same month and year; and, in the same run, the baseline: one
   hand-written SQL statement (SUM of goods + shipping and COUNT of the orders paid in the
   period, grouped by `date_trunc(…, paid_at AT TIME ZONE 'Asia/Jakarta')`, or not grouped
   for the totals). Prints each time with its query count and its ratio to the baseline of
   the same period and grouping, then year ÷ month for each (the year holds 12× the rows).
   When the server's `jit` is on, everything is measured a second time with `jit = off`.
3. EXPLAIN (ANALYZE, BUFFERS) of the baseline and of the selectors' queries (revenue year by
   month and month by day, money_figures for the month): whether the (seller_id, paid_at)
   index `orders_orde_seller__3ccaf6_idx` serves them, the scans, the time, and JIT; the
   whole plan of the main revenue query (`--plans`: every plan, report_summary's too).

What to read: year ÷ month of revenue_series (the issue's figure; the year holds 12× the rows,
so a query that only scales with them is at most 12×), and ours ÷ the baseline as the price of
what the selectors do beyond the baseline's one SUM (refunds, fees given back, credits; the
summary also new buyers, the ledger balance, best sellers and the lists) — no target. The
exit status is 1 only for a broken run: the selectors' gross or paid-order count differs from
the baseline's, or a foreign key of the loaded rows points at nothing. Skips (exit 0, with a
message) when PostgreSQL is unreachable (`--server`). Needs no Redis (local-memory cache).
About 4 minutes with the load, 3 without.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SETTINGS = "bench.catalog_support.settings"
INDEX = "orders_orde_seller__3ccaf6_idx"
PROTECTED_DATABASES = {"mitra_ttg", "test_mitra_ttg", "postgres", "mitra_ttg_bench"}
GROWTH_BOUND = 12.0  # year ÷ month: the year holds 12× the month's rows

MONTH = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
YEAR = (datetime.date(2025, 12, 1), datetime.date(2026, 11, 30))

problems: list[str] = []
notes: list[str] = []


def say(text: str = "") -> None:
    print(text, flush=True)


def configure(options: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = f"{options.server}/{options.database}"
    os.environ["REDIS_URL"] = ""  # local-memory cache: the figures are not cached in Redis
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])
    )


def server_reachable(server: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3, autocommit=True):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def database_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


# --- The data -----------------------------------------------------------------------------------


def migrate() -> None:
    from django.core.management import call_command

    # skip_checks: the URL configuration is not needed here (nothing is served).
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)


def prepare(options: argparse.Namespace) -> None:
    """Reuse the data when its fingerprint matches, else (re)build it and print the times."""
    from django.db import connection

    from bench.catalog_support import data as world
    from bench.reports_support import data

    wanted = data.fingerprint(options)
    started = time.perf_counter()
    migrate()
    say(f"   migrated: {time.perf_counter() - started:.1f} s")
    # An index the models declare but the database lacks: a migration was edited after the
    # load (migrate cannot add it again). Rebuild once; if the fresh migrations do not create
    # it either, the load records it and later runs only warn.
    missing = data.indexes_missing()
    if missing and ",".join(missing) == data.loaded("missing"):
        notes.append(f"the models declare indexes no migration creates: {', '.join(missing)}")
        missing = []
    elif missing:
        say(f"   indexes the models declare are missing ({', '.join(missing)}): rebuilding")
    if not options.rebuild and not missing and data.loaded() == wanted:
        found = data.counts()
        say(
            f"   reusing the loaded data: {found['orders']:,} orders, {found['lines']:,} lines, "
            f"{found['refunds']:,} refunds, {found['ledger']:,} ledger entries "
            "(--rebuild to load again)"
        )
        return
    from accounts.models import User

    if missing or User.objects.exists():  # another load, or an older schema: start afresh
        say("   the database holds other data: recreating it")
        connection.close()
        world.database_create(options.server, options.database)
        started = time.perf_counter()
        migrate()
        say(f"   migrated: {time.perf_counter() - started:.1f} s")

    say(f"   loading (first run, or the options changed) — {options.orders:,} orders …")
    load_started = time.perf_counter()
    started = time.perf_counter()
    world.world_create()
    data.buyers_add()
    world.products_add(first=1, last=options.products)
    say(
        f"   regions, {options.sellers} of 12 Posyantek, {data.BUYERS:,} buyers, "
        f"{options.products:,} products: {time.perf_counter() - started:.1f} s"
    )
    seller_ids = [seller.pk for seller in data.sellers(options.sellers)]
    seconds = data.history_add(options, seller_ids)
    say("   " + ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items()))
    started = time.perf_counter()
    checked, broken = data.foreign_keys_check()
    say(
        f"   {checked} foreign keys of the loaded tables checked (anti-joins): "
        f"{'all hold' if not broken else 'BROKEN'}: {time.perf_counter() - started:.1f} s"
    )
    if broken:
        problems.extend(broken)
        return
    started = time.perf_counter()
    data.analyze()
    say(f"   VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    data.mark_loaded(wanted)
    found = data.counts()
    say(
        f"   loaded {found['orders']:,} orders, {found['lines']:,} lines, "
        f"{found['payments']:,} payments, {found['refunds']:,} refunds, {found['ledger']:,} "
        f"ledger entries in {time.perf_counter() - load_started:.1f} s"
    )


def describe(seller) -> None:
    from django.db import connection

    from bench.reports_support.data import HISTORY_END, HISTORY_START

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(DISTINCT o.id), count(l.id)
            FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
            WHERE o.seller_id = %s
            """,
            [seller.pk],
        )
        orders, lines = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('orders_order')), "
            "pg_size_pretty(pg_total_relation_size('orders_orderline'))"
        )
        order_size, line_size = cursor.fetchone()
    say(
        f"   main Posyantek {seller.name} (id {seller.pk}, PKP): {orders:,} orders, "
        f"{lines:,} lines, {HISTORY_START:%Y-%m-%d} to {HISTORY_END:%Y-%m-%d} (exclusive); "
        f"orders_order {order_size}, orders_orderline {line_size}"
    )


# --- The baseline -------------------------------------------------------------------------------

_BASELINE_GROUPED = """
SELECT date_trunc(%(unit)s, o.paid_at AT TIME ZONE 'Asia/Jakarta')::date AS bucket,
       sum(o.goods_amount + o.shipping_amount) AS gross, count(*) AS paid_orders
FROM orders_order o
WHERE o.seller_id = %(seller)s AND o.paid_at >= %(start)s AND o.paid_at < %(end)s
GROUP BY 1
ORDER BY 1
"""

_BASELINE_TOTAL = """
SELECT coalesce(sum(o.goods_amount + o.shipping_amount), 0) AS gross, count(*) AS paid_orders
FROM orders_order o
WHERE o.seller_id = %(seller)s AND o.paid_at >= %(start)s AND o.paid_at < %(end)s
"""


def baseline_params(seller, period, group_by: str | None) -> dict:
    return {
        "unit": group_by,
        "seller": seller.pk,
        "start": period.start_at,
        "end": period.end_at,
    }


def baseline(seller, period, group_by: str | None = None) -> list[tuple]:
    from django.db import connection

    statement = _BASELINE_GROUPED if group_by else _BASELINE_TOTAL
    with connection.cursor() as cursor:
        cursor.execute(statement, baseline_params(seller, period, group_by))
        return cursor.fetchall()


# --- Timing -------------------------------------------------------------------------------------


def timed(function, repeat: int) -> dict:
    """One warm-up (its queries counted), then `repeat` runs: median and best seconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return {
        "median": statistics.median(times),
        "best": min(times),
        "queries": len(captured.captured_queries),
        "sql": [query["sql"] for query in captured.captured_queries],
        "result": result,
    }


def header() -> None:
    say(f"   {'measure':<44} {'median ms':>10} {'best ms':>9} {'queries':>8}   vs baseline")


def row(label: str, timing: dict, base: dict | None) -> None:
    if base is None or timing is base:
        ratio = "  1.00×" if timing is base else "    —"
    else:
        ratio = f"{timing['median'] / base['median']:6.2f}×"
    say(
        f"   {label:<44} {timing['median'] * 1000:10.1f} {timing['best'] * 1000:9.1f} "
        f"{timing['queries']:8d}   {ratio}"
    )


def figures_module():
    try:
        from reports.selectors import figures
    except ImportError as error:
        return None, str(error)
    missing = [
        name
        for name in ("revenue_series", "money_figures", "report_summary")
        if not hasattr(figures, name)
    ]
    if missing:
        return figures, f"missing {', '.join(missing)}"
    return figures, None


def check_revenue(label: str, revenue: dict, rows: list[tuple]) -> None:
    """The selector's gross and paid orders against the baseline's, bucket by bucket (the
    baseline has no row for a bucket without sales)."""
    by_start = {bucket.isoformat(): (gross, count) for bucket, gross, count in rows}
    mismatched = []
    for result in revenue["results"]:
        gross, count = by_start.pop(result["start"], (0, 0))
        if (result["gross_amount"], result["paid_orders"]) != (gross, count):
            mismatched.append(result["start"])
    mismatched += [start for start, (gross, _count) in by_start.items() if gross]
    if mismatched:
        problems.append(
            f"{label}: gross or paid orders differ from the baseline in {len(mismatched)} "
            f"buckets (first {mismatched[0]})"
        )


def check_totals(label: str, figures: dict, total: list[tuple]) -> None:
    gross, count = total[0]
    if (figures.get("gross_amount"), figures.get("paid_orders")) != (gross, count):
        problems.append(
            f"{label}: gross {figures.get('gross_amount')} / paid orders "
            f"{figures.get('paid_orders')} differ from the baseline's {gross} / {count}"
        )


# --- Plans --------------------------------------------------------------------------------------


def explain(statement: str, params=None) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
        return [line for (line,) in cursor.fetchall()]


SCAN = re.compile(
    r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan))"
    r"(?: Backward)?(?: using (\S+))? on (\S+)"
)


def plan_summary(plan: list[str]) -> str:
    """Which index, the scans (kind, index, table; Bitmap Index Scans name the index alone),
    the execution time, and whether JIT compiled the plan."""
    text = "\n".join(plan)
    scans = []
    for line in plan:
        match = SCAN.search(line)
        if match:
            kind, index, table = match.groups()
            scans.append(f"{kind} {index or ''} on {table}".replace("  ", " "))
    execution = next((line.strip() for line in plan if line.startswith("Execution Time")), "")
    return (
        f"{INDEX} {'used' if INDEX in text else 'NOT used'}; {execution}"
        f"{'; JIT' if 'JIT:' in text else ''}\n      scans: {'; '.join(scans) or '—'}"
    )


def explain_queries(label: str, sql_list: list[str], full: set[int] = frozenset()) -> None:
    """EXPLAIN ANALYZE of every captured SELECT that reads an orders_ table: a summary each,
    the whole plan for the query numbers in `full`."""
    for number, statement in enumerate(sql_list, start=1):
        if not statement.lstrip().upper().startswith("SELECT") or '"orders_' not in statement:
            continue
        plan = explain(statement)
        table = re.search(r'FROM "(\w+)"', statement)
        say(
            f"   {label}, query {number} (FROM {table.group(1) if table else '?'}): "
            f"{plan_summary(plan)}"
        )
        if number in full:
            say(f"      {statement[:600]}{' …' if len(statement) > 600 else ''}")
            say("\n".join(f"      {line}" for line in plan))
        if (
            'FROM "orders_order"' in statement
            and '"paid_at" >=' in statement
            and (INDEX not in "\n".join(plan))
        ):
            notes.append(f"{label}, query {number} does not use {INDEX}")


@contextmanager
def jit_off():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


def setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def measure_all(figures, scope, seller, periods: dict, repeat: int) -> dict[tuple, dict]:
    """Times the baseline and the selectors for each period and grouping; prints a row each."""
    timings: dict[tuple, dict] = {}
    header()
    for name, group_by in (("month", "day"), ("year", "month"), ("year", "week")):
        period = periods[name]
        base = timed(lambda p=period, g=group_by: baseline(seller, p, g), repeat)
        timings[("baseline", name, group_by)] = base
        row(f"baseline SQL, {name} by {group_by}", base, base)
        if figures is not None and hasattr(figures, "revenue_series"):
            ours = timed(
                lambda p=period, g=group_by: figures.revenue_series(
                    scope=scope, period=p, group_by=g
                ),
                repeat,
            )
            timings[("revenue_series", name, group_by)] = ours
            row(f"revenue_series, {name} by {group_by}", ours, base)
            check_revenue(f"revenue_series {name} by {group_by}", ours["result"], base["result"])
    for name, period in periods.items():
        base = timed(lambda p=period: baseline(seller, p), repeat)
        timings[("baseline", name, None)] = base
        row(f"baseline SQL, {name} total", base, base)
        if figures is not None and hasattr(figures, "money_figures"):
            ours = timed(lambda p=period: figures.money_figures(scope=scope, period=p), repeat)
            timings[("money_figures", name, None)] = ours
            row(f"money_figures, {name}", ours, base)
            check_totals(f"money_figures {name}", ours["result"], base["result"])
        if figures is not None and hasattr(figures, "report_summary"):
            ours = timed(
                lambda p=period: figures.report_summary(scope=scope, period=p, today=p.end),
                repeat,
            )
            timings[("report_summary", name, None)] = ours
            row(f"report_summary, {name}", ours, base)
            kpis = ours["result"].get("kpis", {})
            if "gross_amount" in kpis and "paid_orders" in kpis:
                check_totals(
                    f"report_summary {name}",
                    {
                        "gross_amount": kpis["gross_amount"]["current"],
                        "paid_orders": kpis["paid_orders"]["current"],
                    },
                    base["result"],
                )
    return timings


def summarize(timings: dict[tuple, dict]) -> None:
    say("\n   Year ÷ month (the year holds 12× the month's orders)")
    pairs = [
        ("baseline SQL", "baseline", ("year", "month"), ("month", "day")),
        ("baseline SQL", "baseline", ("year", "week"), ("month", "day")),
        ("baseline SQL, totals", "baseline", ("year", None), ("month", None)),
        ("revenue_series", "revenue_series", ("year", "month"), ("month", "day")),
        ("revenue_series", "revenue_series", ("year", "week"), ("month", "day")),
        ("money_figures", "money_figures", ("year", None), ("month", None)),
        ("report_summary", "report_summary", ("year", None), ("month", None)),
    ]
    for label, key, (big, big_group), (small, small_group) in pairs:
        large, little = timings.get((key, big, big_group)), timings.get((key, small, small_group))
        if not large or not little:
            continue
        growth = large["median"] / little["median"]
        grouping = (
            f"{big} by {big_group} ÷ {small} by {small_group}" if big_group else "year ÷ month"
        )
        verdict = "" if growth <= GROWTH_BOUND else "  (more than the rows grow)"
        say(
            f"   {label:<22} {grouping:<32} {large['median'] * 1000:8.1f} ms ÷ "
            f"{little['median'] * 1000:7.1f} ms = {growth:5.2f}×{verdict}"
        )
    say("\n   Ours ÷ the baseline of the same period and grouping (the baseline sums gross only)")
    for (key, name, group_by), timing in timings.items():
        if key == "baseline":
            continue
        base = timings[("baseline", name, group_by)]
        ratio = timing["median"] / base["median"]
        what = f"{key}, {name}" + (f" by {group_by}" if group_by else "")
        say(f"   {what:<36} {ratio:6.2f}× the baseline")


# --- The run ------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> None:
    import django

    from bench.catalog_support import data as world

    configure(options)
    if not database_exists(options.server, options.database):
        world.database_create(options.server, options.database)
        say(f"   created the database {options.database}")
    django.setup()

    from django.db import connection

    from reports.periods import Period
    from reports.scope import scope_for_posyantek

    say(
        f"== Reports benchmark: {options.orders:,} orders (~3 lines each), "
        f"{options.sellers} Posyantek ({options.main_share} % at the first), median of "
        f"{options.repeat} runs after a warm-up, {os.cpu_count()} cores"
    )
    say(f"   database {options.database} on {options.server} (kept; --drop to drop it)")
    prepare(options)

    from bench.reports_support.data import sellers

    seller = sellers(options.sellers)[0]
    describe(seller)
    scope = scope_for_posyantek(seller)
    month, year = Period(*MONTH), Period(*YEAR)
    periods = {"month": month, "year": year}

    figures, missing = figures_module()
    if missing:
        say(f"\n   reports.selectors.figures not ready ({missing}): the baseline alone")

    say(
        f"\n== Timings: month = {month.start} … {month.end}, year = {year.start} … {year.end} "
        f"(Asia/Jakarta); jit = {setting('jit')}"
    )
    timings = measure_all(figures, scope, seller, periods, options.repeat)
    summarize(timings)
    jit_timings = {}
    if setting("jit") == "on" and figures is not None:
        say("\n== The same with jit = off (PostgreSQL's JIT compiles plans above jit_above_cost)")
        with jit_off():
            jit_timings = measure_all(figures, scope, seller, periods, options.repeat)
        summarize(jit_timings)

    say("\n== Plans (EXPLAIN ANALYZE, BUFFERS; each query run once more)")
    plan = explain(_BASELINE_GROUPED, baseline_params(seller, year, "month"))
    say(f"   baseline SQL, year by month: {plan_summary(plan)}")
    if options.plans:
        say("\n".join(f"      {line}" for line in plan))
    explained = [
        ("revenue_series", "year", "month"),
        ("revenue_series", "month", "day"),
        ("money_figures", "month", None),
    ]
    if options.plans:
        explained.append(("report_summary", "month", None))
    for key, name, group_by in explained:
        timing = timings.get((key, name, group_by))
        if not timing:
            continue
        label = f"{key}, {name}" + (f" by {group_by}" if group_by else "")
        main_plan = {1} if (key, name, group_by) == explained[0] else set()
        explain_queries(
            label, timing["sql"], full=set(range(1, 99)) if options.plans else main_plan
        )
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=340_000, help="orders (~3 lines each)")
    parser.add_argument("--sellers", type=int, default=5, help="Posyantek with sales (≤ 12)")
    parser.add_argument("--main-share", type=int, default=80, help="%% of orders at the first")
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plans", action="store_true", help="print the full plans")
    parser.add_argument("--database", default="mitra_bench_reports")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--rebuild", action="store_true", help="load the data again")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    options = parser.parse_args(argv)
    if options.database in PROTECTED_DATABASES:
        parser.error(f"refusing to use the database {options.database!r}")
    if not 1 <= options.sellers <= 12:
        parser.error("--sellers: 1 to 12 (the catalogue bench's verified Posyantek)")
    why = server_reachable(options.server)
    if why:
        say(f"== Reports benchmark skipped: PostgreSQL not reachable at {options.server} ({why})")
        return 0
    try:
        run(options)
    finally:
        if options.drop:
            from django.db import connections

            connections.close_all()
            from bench.catalog_support import data

            data.database_drop(options.server, options.database)
            say(f"\n   dropped the database {options.database}")
    for note in notes:
        say(f"   NOTE: {note}")
    for problem in problems:
        say(f"   PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
