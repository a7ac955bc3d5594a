"""Checkout load: each buyer (a token and a JSON body, one per line of a JSON-lines file)
sends exactly one `POST /api/v1/checkout/` with its own Idempotency-Key; `concurrency`
threads take the next buyer as soon as their previous answer is read (a closed loop), until
the buyers run out or `--seconds` pass.

Run as its own process so the client's work is not timed inside the benchmark's process:
`python -m bench.checkout_support.loadgen --port 8766 --seconds 30 --concurrency 16 FILE`.
Prints one JSON object: requests, checkouts per second, latency percentiles (ms), and the
count of each HTTP status, with a few samples of unexpected answers.
"""

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter

from bench.catalog_support.loadgen import _percentile

PATH = "/api/v1/checkout/"


def _worker(host, port, buyers, lock, stop_at, latencies, statuses, samples, conflicts) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    while True:
        with lock:
            if not buyers or time.perf_counter() >= stop_at:
                break
            buyer = buyers.pop()
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            "Content-Type": "application/json",
            "Authorization": f"Token {buyer['token']}",
            "Idempotency-Key": buyer["key"],
        }
        body = json.dumps(buyer["body"])
        started = time.perf_counter()
        try:
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            statuses["error"] += 1
            samples.append(f"{type(error).__name__}: {error}")
            continue
        latencies.append(time.perf_counter() - started)
        statuses[str(status)] += 1
        if status not in (201, 409) and len(samples) < 5:
            samples.append(f"HTTP {status}: {content[:300].decode(errors='replace')}")
        elif status == 409 and not conflicts:
            conflicts.append(content[:300].decode(errors="replace"))
    connection.close()


def run(*, host: str, port: int, buyers: list[dict], seconds: float, concurrency: int) -> dict:
    lock = threading.Lock()
    pending = list(reversed(buyers))
    latencies: list[float] = []
    statuses: Counter = Counter()
    samples: list[str] = []
    conflicts: list[str] = []
    start = time.perf_counter()
    stop_at = start + seconds
    threads = [
        threading.Thread(
            target=_worker,
            args=(host, port, pending, lock, stop_at, latencies, statuses, samples, conflicts),
            daemon=True,
        )
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window = max(time.perf_counter() - start, 1e-9)
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "seconds": round(window, 3),
        "rps": len(ordered) / window,
        "p50_ms": _percentile(ordered, 0.50) * 1000,
        "p95_ms": _percentile(ordered, 0.95) * 1000,
        "statuses": dict(statuses),
        "samples": samples[:5],
        "conflict_sample": conflicts[0] if conflicts else "",
        "unsent": len(pending),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("buyers", help="JSON lines: {token, key, body}")
    options = parser.parse_args(argv)
    with open(options.buyers, encoding="utf-8") as file:
        buyers = [json.loads(line) for line in file if line.strip()]
    result = run(
        host=options.host,
        port=options.port,
        buyers=buyers,
        seconds=options.seconds,
        concurrency=options.concurrency,
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
