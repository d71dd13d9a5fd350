"""Real threads started together behind a barrier, for the rules that must hold under any
concurrency ("never twice", "never below the floor"). PostgreSQL only: on SQLite writers are
serialised anyway. At most ~40 threads: each holds a connection of PostgreSQL's 100."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

MAX_THREADS = 40


def run_together(count: int, target: Callable[[], Any]) -> list[Any]:
    """Run ``target`` in ``count`` threads released at once; return what each returned (an
    exception a thread raised is returned as the exception)."""
    if count > MAX_THREADS:
        raise ValueError(f"At most {MAX_THREADS} threads at once.")
    barrier = threading.Barrier(count)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                outcome = target()
            except Exception as exc:
                outcome = exc
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
