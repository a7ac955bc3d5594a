"""Running work at the same moment in several threads, each with its own database connection
(CONVENTIONS.md: concurrency tests need real connections and a barrier)."""

import threading
from collections.abc import Callable

from django.db import connection


def race(works: list[Callable[[], object]]) -> list[object]:
    """Run each of `works` in its own thread and connection, released together by a barrier;
    returns each one's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
