"""Closed-loop HTTP load for a fixed time: `concurrency` threads, each sending the next GET as
soon as the previous answer is read (http.client, keep-alive when the server allows it; the
sync gunicorn workers close each connection, and http.client reopens it).

Run as its own process so the client's work is not timed inside the benchmark's process:
`python -m bench.catalog_support.loadgen --host 127.0.0.1 --port 8765 --seconds 8 PATH...`
(several paths are taken in turn). Prints one JSON object: requests, errors, requests/s and
latency percentiles in milliseconds.
"""

import argparse
import http.client
import json
import sys
import threading
import time


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def _worker(
    host: str,
    port: int,
    paths: list[str],
    offset: int,
    warm_until: float,
    stop_at: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
    turn = offset
    while True:
        path = paths[turn % len(paths)]
        turn += 1
        started = time.perf_counter()
        if started >= stop_at:
            break
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            errors.append(f"{path}: {type(error).__name__}: {error}")
            continue
        elapsed = time.perf_counter() - started
        if status != 200:
            errors.append(f"{path}: HTTP {status}")
        elif started >= warm_until:
            latencies.append(elapsed)
    connection.close()


def run(
    *, host: str, port: int, paths: list[str], seconds: float, concurrency: int, warmup: float
) -> dict:
    start = time.perf_counter()
    warm_until = start + warmup
    stop_at = warm_until + seconds
    per_thread: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=_worker,
            args=(host, port, paths, n, warm_until, stop_at, per_thread[n], errors),
            daemon=True,
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Requests still in flight at stop_at finish a little later; count the whole window.
    window = max(time.perf_counter() - warm_until, 1e-9)
    latencies = sorted(value for chunk in per_thread for value in chunk)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(window, 3),
        "rps": len(latencies) / window,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p95_ms": _percentile(latencies, 0.95) * 1000,
        "mean_ms": (sum(latencies) / len(latencies) * 1000) if latencies else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args(argv)
    result = run(
        host=options.host,
        port=options.port,
        paths=options.paths,
        seconds=options.seconds,
        concurrency=options.concurrency,
        warmup=options.warmup,
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
