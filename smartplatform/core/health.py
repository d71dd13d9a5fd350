"""Health checks: one each for the database, Redis, the broker and the event relay."""

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from smartplatform.core import events

logger = logging.getLogger(__name__)


@dataclass
class Check:
    ok: bool
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _unreachable(name: str) -> Check:
    # The exception goes to the log, not the answer: it can name hosts, users and ports,
    # and this report is public.
    logger.exception("health: %s unreachable", name)
    return Check(ok=False, detail="unreachable")


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return _unreachable("database")
    return Check(ok=True, detail=connection.vendor)


def check_redis() -> Check:
    if not settings.REDIS_URL:
        return Check(ok=True, detail="not configured: local-memory cache")
    from django_redis import get_redis_connection

    try:
        get_redis_connection("default").ping()
    except Exception:
        return _unreachable("redis")
    return Check(ok=True, detail="answering")


def check_broker() -> Check:
    from celery import current_app

    from smartplatform.celery import broker_configured

    if not broker_configured():
        return Check(ok=True, detail="not configured: tasks run in-process")
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return _unreachable("broker")
    return Check(ok=True, detail="answering")


def check_event_relay() -> Check:
    try:
        backlog = events.backlog()
    except Exception:
        return _unreachable("event relay backlog")
    data = asdict(backlog)
    if backlog.oldest_wait_seconds > settings.EVENT_RELAY_MAX_LAG_SECONDS:
        return Check(
            ok=False,
            detail=f"an event has waited {backlog.oldest_wait_seconds:.0f} s "
            f"(limit {settings.EVENT_RELAY_MAX_LAG_SECONDS} s)",
            data=data,
        )
    if backlog.failed:
        return Check(ok=False, detail=f"{backlog.failed} deliveries failed for good", data=data)
    return Check(ok=True, detail="keeping up", data=data)


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "event_relay": check_event_relay,
}


def dependency_report() -> tuple[bool, dict[str, Any]]:
    results = {name: check() for name, check in CHECKS.items()}
    down = [name for name, result in results.items() if not result.ok]
    report = {
        "status": "ok" if not down else "unavailable",
        "down": down,
        "checks": {name: asdict(result) for name, result in results.items()},
    }
    return not down, report
