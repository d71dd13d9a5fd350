"""Timing an API list endpoint for the latency benchmarks (``make bench``), in one place."""

import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.test import Client


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def analyse(*tables: str) -> None:
    """What autovacuum does on a live database after a bulk load: fold GIN pending lists in
    and refresh the planner's statistics (inside a transaction only ANALYZE is possible).
    Every table the load wrote to: a stale estimate of one joined table (the owners, say)
    turns a hash join into thousands of index probes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in tables:
                cursor.execute(f"{verb} {connection.ops.quote_name(table)}")


def time_queries(
    url: str,
    queries: Iterable[dict[str, Any]],
    *,
    repeat: int,
    write: Callable[[str], Any],
    label: str,
) -> None:
    """Request ``url`` with each query ``repeat`` times as an anonymous visitor; write the
    median and p95 per query and overall."""
    client = Client()
    timings: list[float] = []
    for query in queries:
        times = []
        for _ in range(repeat):
            begin = time.perf_counter()
            response = client.get(url, query, HTTP_HOST="localhost")
            times.append((time.perf_counter() - begin) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{query}: {response.status_code}")
        timings += times
        write(
            f"{query!s:<75} {response.json()['count']:>7} hits  "
            f"median {statistics.median(times):6.1f} ms  p95 {p95(times):6.1f} ms"
        )
    write(
        f"overall ({connection.vendor}, {label}, {len(timings)} requests): "
        f"median {statistics.median(timings):.1f} ms, p95 {p95(timings):.1f} ms"
    )
