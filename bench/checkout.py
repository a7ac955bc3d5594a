"""Checkout benchmark (issue 7, section 5): checkouts per second through the real API.

    make bench                                   # or: .venv/bin/python bench/checkout.py
    .venv/bin/python bench/checkout.py --buyers 1500 --contended 400 --stock 100 --keep

1. Creates its own PostgreSQL database (`mitra_ttg_bench_checkout`, dropped at the end unless
   `--keep`), migrates it, and adds the catalogue bench's regions and verified Posyantek
   (bench.catalog_support.data) with the tests' villages and pickup shipping
   (bench/checkout_support/data.py).
2. Two scenarios, each with its own buyers (a user, an API token and a cart of one item,
   inserted in bulk):
   (a) spread: `--buyers` buyers, each buying 1 unit of its own product (ample stock): no
       contention on any row;
   (b) contended: `--contended` buyers all buying 1 unit of the same product, which has only
       `--stock` units: exactly `--stock` checkouts may succeed, the rest must get 409.
3. Serves the app with gunicorn on loopback (sync workers; bench/catalog_support/settings.py:
   the production settings over plain HTTP, API throttles off) and drives it from a separate
   process (bench/checkout_support/loadgen.py): `--concurrency` clients, each buyer sending
   one `POST /api/v1/checkout/` with `Authorization: Token …` and its own Idempotency-Key,
   until the buyers run out or `--seconds` pass.
4. Prints checkouts/s, p50 and p95 latency, the number of 201 and 409 answers, and the
   oversell count: Σ max(0, quantity on order lines − initial stock) over the products, which
   must be 0; the stock left must equal the initial stock minus the quantity sold.

Exit status 1 for an oversell, a stock that does not add up, an unexpected answer (not 201
or 409, or a 409 in the spread scenario), a contended run that did not sell the whole stock,
or gunicorn tracebacks. Needs PostgreSQL and Redis on 127.0.0.1 (`--server`, `--redis` to
change them). Bounded to about a minute with the defaults.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

problems: list[str] = []


def say(text: str = "") -> None:
    print(text, flush=True)


def drive(options: argparse.Namespace, records: list[dict]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        for record in records:
            file.write(json.dumps(record) + "\n")
        path = file.name
    try:
        command = [
            sys.executable,
            "-m",
            "bench.checkout_support.loadgen",
            "--port",
            str(options.port),
            "--seconds",
            str(options.seconds),
            "--concurrency",
            str(options.concurrency),
            path,
        ]
        finished = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)
    return json.loads(finished.stdout)


def report(label: str, result: dict, product_ids: list[int], initial: dict[int, int]) -> dict:
    from bench.checkout_support import data

    statuses = result["statuses"]
    created, refused = statuses.get("201", 0), statuses.get("409", 0)
    others = {status: n for status, n in statuses.items() if status not in {"201", "409"}}
    counts = data.sold_and_stock(product_ids)
    sold = sum(quantity for quantity, _stock in counts.values())
    oversell = sum(max(0, quantity - initial[pk]) for pk, (quantity, _stock) in counts.items())
    mismatched = [pk for pk, (quantity, stock) in counts.items() if stock != initial[pk] - quantity]
    say(
        f"   {label:<11} {result['requests']:>6} {result['rps']:9.1f} {result['p50_ms']:8.1f} "
        f"{result['p95_ms']:8.1f} {created:>6} {refused:>6} {sum(others.values()):>6} "
        f"{sold:>6} {oversell:>9}"
    )
    if others:
        sample = result["samples"][0][:200] if result["samples"] else ""
        problems.append(f"{label}: unexpected answers {others}, e.g. {sample!r}")
    if oversell:
        problems.append(f"{label}: OVERSOLD by {oversell} units")
    if mismatched:
        problems.append(f"{label}: stock ≠ initial − sold for products {mismatched[:5]}")
    if sold != created:
        problems.append(f"{label}: {created} checkouts answered 201 but {sold} units sold")
    return {"created": created, "refused": refused, "sold": sold, "oversell": oversell}


def run(options: argparse.Namespace) -> None:
    import django

    from bench.catalog import configure, gunicorn
    from bench.catalog import problems as server_problems
    from bench.catalog_support import data as catalog_data

    configure(options)
    catalog_data.database_create(options.server, options.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.checkout_support import data

    say(
        f"== Checkout benchmark: gunicorn {options.workers} sync workers, "
        f"{options.concurrency} clients, {os.cpu_count()} cores; database {options.database}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    catalog_data.world_create()
    data.villages_create()
    sellers = data.shipping_create()
    spread, spread_ids, spread_stock = data.scenario_create(
        name="spread", buyers=options.buyers, sellers=sellers, stock=None
    )
    contended, contended_ids, contended_stock = data.scenario_create(
        name="contended", buyers=options.contended, sellers=sellers, stock=options.stock
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(
        f"   migrated; {len(sellers)} Posyantek, {options.buyers} + {options.contended} buyers "
        f"with tokens and carts: {time.perf_counter() - started:.1f} s"
    )
    connection.close()

    say(
        f"\n   {'scenario':<11} {'reqs':>6} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'201':>6} {'409':>6} {'other':>6} {'sold':>6} {'oversell':>9}"
    )
    with gunicorn(options):
        spread_result = drive(options, spread)
        spread_figures = report("(a) spread", spread_result, spread_ids, spread_stock)
        contended_result = drive(options, contended)
        contended_figures = report("(b) one row", contended_result, contended_ids, contended_stock)
    problems.extend(server_problems)

    if spread_figures["refused"]:
        problems.append(f"(a) spread: {spread_figures['refused']} checkouts refused (409)")
    if spread_result["unsent"]:
        say(f"   (a) spread: {spread_result['unsent']} buyers not sent within {options.seconds} s")
    if contended_result["unsent"]:
        problems.append(f"(b) one row: {contended_result['unsent']} buyers not sent in time")
    expected = min(options.stock, options.contended)
    if contended_figures["created"] != expected:
        problems.append(
            f"(b) one row: {contended_figures['created']} checkouts succeeded, "
            f"expected exactly {expected} (the stock)"
        )
    say(
        f"\n   oversell: {spread_figures['oversell'] + contended_figures['oversell']} "
        f"(must be 0); contended stock {options.stock}: {contended_figures['sold']} sold, "
        f"{contended_figures['refused']} refused with 409"
    )
    if contended_result["conflict_sample"]:
        say(f"   a 409 answer: {contended_result['conflict_sample'][:300]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Checkout benchmark: checkouts per second, with and without contention."
    )
    parser.add_argument("--buyers", type=int, default=600, help="(a) buyers, one product each")
    parser.add_argument("--contended", type=int, default=400, help="(b) buyers, one product")
    parser.add_argument("--stock", type=int, default=100, help="(b) the product's stock")
    parser.add_argument("--seconds", type=float, default=25, help="time limit per scenario")
    from bench.catalog import parse_server_options

    options = parse_server_options(
        parser, argv, port=8766, workers=4, database="mitra_ttg_bench_checkout"
    )

    started = time.perf_counter()
    try:
        run(options)
    except Exception as error:  # a broken run still cleans up and says why
        problems.append(f"{type(error).__name__}: {error}")
        raise
    finally:
        from bench.catalog_support import data as catalog_data

        if options.keep:
            say(f"\n   kept the database {options.database}")
        else:
            catalog_data.database_drop(options.server, options.database)
        say(f"   total {time.perf_counter() - started:.0f} s")
        if problems:
            say("\nBROKEN RUN:\n" + "\n".join(f"   - {problem}" for problem in problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
