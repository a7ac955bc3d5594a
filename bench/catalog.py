"""Catalogue benchmark (issue 6, section 4): the API against a hand-written baseline.

    make bench                                   # or: .venv/bin/python bench/catalog.py
    .venv/bin/python bench/catalog.py --products 100000 --seconds 10 --keep

1. Creates its own PostgreSQL database (`mitra_ttg_bench`, dropped at the end unless
   `--keep`), migrates it (the category tree is a data migration), adds a few regions and
   verified Posyantek, and generates products by SQL (bench/catalog_support/data.py); then
   `manage.py search_reindex` and ANALYZE.
2. Serves the app with gunicorn on loopback (sync workers, bench/catalog_support/settings.py:
   the production settings over plain HTTP, API throttles off, cache in Redis database 13).
3. Drives it from a separate process (bench/catalog_support/loadgen.py): a closed loop of
   `--concurrency` clients for `--seconds` per endpoint, and prints requests/s, p50 and p95,
   each as a ratio to the baseline's requests/s:
   the baseline (bench/catalog_support/baseline.py, `.values()` + `JsonResponse`), the
   catalogue's first page, a filtered page, and each search term (with its match count).
4. Search scaling: the same terms at `--small` products and at `--products`, and the plans
   of the queries the API runs for each term (EXPLAIN ANALYZE, BUFFERS): a GIN index used, no
   sequential scan on marketplace_product.

Targets (reported, never the exit status): the catalogue's requests/s at least 0.6 × the
baseline's; search time at `--products` at most 2 × at `--small`. The exit status is 1 only
for a broken run (failed requests, a search term with no matches or matching everything) or a
failed plan check (a search query on the products table without a GIN index or with a
sequential scan). Needs PostgreSQL and Redis on 127.0.0.1 (`--server`, `--redis` to change
them); `--help` lists the other options.
"""

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

SETTINGS = "bench.catalog_support.settings"
BASELINE = "/api/bench/products/"
CATALOGUE = "/api/v1/products/"
FILTERED = "/api/v1/products/?category=pakan-ternak&min_price=10000&ordering=price"
SEARCH_TERMS = ["pakan", "pengering ikan", "pencacah rumpt", "biogas", "kelapa"]
CATALOGUE_TARGET = 0.6  # × the baseline's requests/s
SCALING_TARGET = 2.0  # search time at --products ÷ at --small

problems: list[str] = []  # what makes the run broken (exit status 1)
failed_checks: list[str] = []  # query plans against the rule (exit status 1 too)


def say(text: str = "") -> None:
    print(text, flush=True)


def search_path(term: str) -> str:
    return f"{CATALOGUE}?{urllib.parse.urlencode({'q': term})}"


# --- Setup ------------------------------------------------------------------------------------


def configure(options: argparse.Namespace) -> None:
    """Point this process (and everything it starts) at the bench's own database and Redis
    database, whatever the caller's environment says."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = f"{options.server}/{options.database}"
    os.environ["REDIS_URL"] = options.redis
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])
    )


def search_available() -> bool:
    command = PROJECT / "marketplace" / "management" / "commands" / "search_reindex.py"
    return command.exists() and (PROJECT / "marketplace" / "search.py").exists()


def reindex() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("search_reindex", verbosity=0, stdout=io.StringIO())
    say(f"   search_reindex: {time.perf_counter() - started:.1f} s")


def load(*, first: int, last: int, with_search: bool) -> None:
    from bench.catalog_support import data

    started = time.perf_counter()
    inserted = data.products_add(first=first, last=last)
    say(f"   {inserted:,} products inserted in {time.perf_counter() - started:.1f} s")
    if with_search:
        reindex()
    started = time.perf_counter()
    data.analyze()
    say(f"   VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # Redis database 13 only (REDIS_URL), or this process's local memory


# --- Serving and load ---------------------------------------------------------------------------


def get_json(port: int, path: str) -> dict:
    url = f"http://127.0.0.1:{port}{path}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return json.load(response)


@contextmanager
def gunicorn(options: argparse.Namespace):
    log_path = Path(f"/tmp/bench-catalog-gunicorn-{os.getpid()}.log")  # noqa: S108
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{options.port}",
        "--workers",
        str(options.workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(PROJECT),
        "--log-level",
        "warning",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{options.port}/healthz", timeout=2)
                break
            except OSError:  # refused, reset, or a worker still booting (timed out)
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer /healthz within 30 s") from None
                time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line]
        if errors:
            problems.append(f"gunicorn logged {len(errors)} tracebacks (see {log_path})")
        else:
            log_path.unlink(missing_ok=True)


def measure(options: argparse.Namespace, path: str, seconds: float) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.catalog_support.loadgen",
        "--port",
        str(options.port),
        "--seconds",
        str(seconds),
        "--warmup",
        str(options.warmup),
        "--concurrency",
        str(options.concurrency),
        path,
    ]
    finished = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=True)
    result = json.loads(finished.stdout)
    if result["errors"] or not result["requests"]:
        problems.append(f"{path}: {result['errors']} failed requests {result['error_samples']}")
    return result


def row(label: str, result: dict, baseline_rps: float | None, extra: str = "") -> None:
    ratio = f"{result['rps'] / baseline_rps:5.2f}×" if baseline_rps else "   — "
    say(
        f"   {label:<34} {result['rps']:8.1f} {result['p50_ms']:8.1f} "
        f"{result['p95_ms']:8.1f}   {ratio}  {extra}"
    )


def header() -> None:
    say(f"   {'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}   vs baseline req/s")


def search_counts(port: int, total: int) -> dict[str, int]:
    """Each term's match count from the API; a term with none, or one that matches the whole
    catalogue (the search was ignored), breaks the run."""
    counts = {}
    for term in SEARCH_TERMS:
        body = get_json(port, search_path(term))
        counts[term] = body["count"]
        first = body["results"][0]["name"] if body["results"] else "—"
        say(f"   q={term!r:<18} {body['count']:>7,} matches; first: {first}")
        if body["count"] == 0:
            problems.append(f"search {term!r} found nothing")
        elif body["count"] >= total:
            problems.append(f"search {term!r} matched the whole catalogue: q ignored?")
    return counts


def measure_searches(options: argparse.Namespace, baseline_rps: float | None) -> dict:
    results = {}
    for term in SEARCH_TERMS:
        results[term] = measure(options, search_path(term), options.search_seconds)
        row(f"search q={term!r}", results[term], baseline_rps)
    return results


def search_time(results: dict) -> float:
    """One figure for "the search's time": the mean of the terms' median latencies."""
    return sum(result["p50_ms"] for result in results.values()) / len(results)


# --- Query plans --------------------------------------------------------------------------------


def gin_indexes() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'marketplace_product' "
            "AND indexdef ILIKE '%%USING gin%%'"
        )
        return [name for (name,) in cursor.fetchall()]


def shortened(statement: str) -> str:
    """The SQL without its long column list."""
    main_from = statement.find(' FROM "marketplace_product" ')
    if main_from > 200:
        return f"{statement[:120]} …{statement[main_from:]}"
    return statement


def explain_searches(print_term: str) -> None:
    """Runs each search through the API in this process, captures its SQL, and explains every
    query that reads marketplace_product. Prints the plans of `print_term` and of any term
    whose plan breaks the rule (a GIN index used, no sequential scan on the products)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    indexes = gin_indexes()
    say(f"   GIN indexes on marketplace_product: {', '.join(indexes) or 'none'}")
    client = Client()
    for term in SEARCH_TERMS:
        clear_cache()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CATALOGUE, {"q": term}, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            problems.append(f"explain {term!r}: HTTP {response.status_code}")
            continue
        statements = [
            query["sql"]
            for query in captured.captured_queries
            if '"marketplace_product"' in query["sql"] and query["sql"].startswith("SELECT")
        ]
        used, scans, plans = set(), 0, []
        for statement in statements:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
                plan = "\n".join(line for (line,) in cursor.fetchall())
            plans.append((statement, plan))
            used |= {name for name in indexes if name in plan}
            scans += plan.count("Seq Scan on marketplace_product")
        verdict = "ok" if used and not scans else "FAILED"
        if term == print_term or verdict != "ok":
            for number, (statement, plan) in enumerate(plans, start=1):
                say(f"\n   -- q={term!r}, query {number} of {len(plans)}:")
                say(f"   {shortened(statement)}\n")
                say("\n".join(f"   {line}" for line in plan.splitlines()))
            say("")
        say(
            f"   plan q={term!r:<18} {len(statements)} queries on products; GIN used: "
            f"{', '.join(sorted(used)) or 'none'}; Seq Scan on marketplace_product: {scans}"
            f"  {verdict}"
        )
        if not used:
            failed_checks.append(f"the plan for q={term!r} uses no GIN index")
        if scans:
            failed_checks.append(f"the plan for q={term!r} scans marketplace_product sequentially")


# --- The run ------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> None:
    import django

    from bench.catalog_support import data

    configure(options)
    data.database_create(options.server, options.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    with_search = search_available()
    small = options.small if with_search and 0 < options.small < options.products else 0
    say(
        f"== Catalogue benchmark: {options.products:,} products, gunicorn {options.workers} sync "
        f"workers, {options.concurrency} clients, {options.seconds:g} s per endpoint "
        f"({options.search_seconds:g} s per search term), {os.cpu_count()} cores"
    )
    say(f"   database {options.database} on {options.server}, cache {options.redis}")
    if not with_search:
        say("   search not available yet (no marketplace/search.py or search_reindex): skipped")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    data.world_create()
    clear_cache()
    say(f"   migrated, regions and sellers: {time.perf_counter() - started:.1f} s")

    small_results: dict = {}
    if small:
        say(f"\n== {small:,} products")
        load(first=1, last=small, with_search=True)
        with gunicorn(options):
            search_counts(options.port, small)
            header()
            small_results = measure_searches(options, None)
    elif with_search:
        say(f"\n   search scaling skipped: --small ({options.small:,}) not in 1..--products")

    say(f"\n== {options.products:,} products")
    load(first=small + 1, last=options.products, with_search=with_search)
    clear_cache()
    with gunicorn(options):
        baseline_page = get_json(options.port, BASELINE)
        catalogue_page = get_json(options.port, CATALOGUE)
        filtered_page = get_json(options.port, FILTERED)
        same = baseline_page["results"] == catalogue_page["results"]
        say(
            f"   first page: {len(catalogue_page['results'])} cards, count "
            f"{catalogue_page['count']:,} (baseline: {len(baseline_page['results'])} cards, "
            f"estimated count {baseline_page['count']:,}); the same cards, every field, in the "
            f"same order: {'yes' if same else 'NO: the baseline no longer matches the API'}"
        )
        if not same:
            problems.append("the baseline's first page differs from the API's: fix the baseline")
        say(f"   filtered page {FILTERED}: count {filtered_page['count']:,}")
        if not catalogue_page["results"] or not filtered_page["results"]:
            problems.append("the catalogue or the filtered page is empty")
        total = catalogue_page["count"]
        if with_search:
            search_counts(options.port, total)
        say("")
        header()
        baseline = measure(options, BASELINE, options.seconds)
        row("baseline (.values + JsonResponse)", baseline, baseline["rps"])
        catalogue = measure(options, CATALOGUE, options.seconds)
        row("API first page", catalogue, baseline["rps"])
        filtered = measure(options, FILTERED, options.seconds)
        row("API filtered page", filtered, baseline["rps"], FILTERED.split("?")[1])
        large_results = measure_searches(options, baseline["rps"]) if with_search else {}

    if with_search:
        say("\n== Search query plans (EXPLAIN ANALYZE, BUFFERS), at the full size")
        explain_searches(print_term="pengering ikan")

    say("\n== Targets")
    ratio = catalogue["rps"] / baseline["rps"] if baseline["rps"] else 0.0
    verdict = "met" if ratio >= CATALOGUE_TARGET else "TARGET MISSED"
    say(
        f"   catalogue API first page: {ratio:.2f} × the baseline's requests/s "
        f"(target ≥ {CATALOGUE_TARGET}): {verdict}"
    )
    if small_results:
        for term in SEARCH_TERMS:
            before, after = small_results[term]["p50_ms"], large_results[term]["p50_ms"]
            say(
                f"   search q={term!r:<18} p50 {before:7.1f} ms at {small:,} → {after:7.1f} ms "
                f"at {options.products:,}: {after / before:5.2f}×"
            )
        scaling = search_time(large_results) / search_time(small_results)
        verdict = "met" if scaling <= SCALING_TARGET else "TARGET MISSED"
        say(
            f"   search time (mean of the terms' p50) at {options.products:,} ÷ at {small:,}: "
            f"{scaling:.2f}× (target ≤ {SCALING_TARGET:g}×): {verdict}"
        )
    elif not with_search:
        say("   search scaling: not measured (search not available yet)")
    connection.close()


def parse_server_options(
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    *,
    port: int,
    workers: int,
    database: str,
) -> argparse.Namespace:
    """The options every benchmark that serves the app shares (clients, gunicorn, its own
    database and Redis), added to `parser`, then parsed; never one of the project's own
    databases."""
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--database", default=database)
    parser.add_argument(
        "--server",
        default=os.environ.get("POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL, without a database name",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args(argv)
    if options.database in {"mitra_ttg", "test_mitra_ttg", "postgres"}:
        parser.error(f"refusing to use the database {options.database!r}")
    return options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Catalogue benchmark: the products API against a hand-written baseline."
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument(
        "--small", type=int, default=10_000, help="catalogue size for search scaling (0: skip)"
    )
    parser.add_argument("--seconds", type=float, default=8, help="load per endpoint")
    parser.add_argument("--search-seconds", type=float, default=5, help="load per search term")
    parser.add_argument("--warmup", type=float, default=1, help="unmeasured seconds first")
    options = parse_server_options(parser, argv, port=8765, workers=2, database="mitra_ttg_bench")

    started = time.perf_counter()
    try:
        run(options)
    except Exception as error:  # a broken run still cleans up and says why
        problems.append(f"{type(error).__name__}: {error}")
        raise
    finally:
        from bench.catalog_support import data

        if options.keep:
            say(f"\n   kept the database {options.database}")
        else:
            data.database_drop(options.server, options.database)
        say(f"   total {time.perf_counter() - started:.0f} s")
        if failed_checks:
            say("\nPLAN CHECK FAILED:\n" + "\n".join(f"   - {check}" for check in failed_checks))
        if problems:
            say("\nBROKEN RUN:\n" + "\n".join(f"   - {problem}" for problem in problems))
    return 1 if problems or failed_checks else 0


if __name__ == "__main__":
    sys.exit(main())
