"""The embedded setup's beat.

With a broker, ``celery beat`` runs the periodic work of ``CELERY_BEAT_SCHEDULE`` (digests at
07:00, expiring listings, booking reminders, the sweeps). Without one (``make run``) there is
no beat process, so ``manage.py serve`` runs the same schedule in a thread of the web process,
each task in-process at the times beat would have run it. A task that fails is logged and
tried again at its next time, as under beat.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    name: str
    task: str
    args: tuple[Any, ...]
    schedule: BaseSchedule
    last_run_at: datetime


def entries(now: datetime | None = None) -> list[Entry]:
    """The beat schedule, each entry counted as last run at ``now`` (as beat starts)."""
    started = now or timezone.now()
    found = []
    beat: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    for name, spec in beat.items():
        every = spec["schedule"]
        when = (
            every if isinstance(every, BaseSchedule) else schedule(timedelta(seconds=float(every)))
        )
        when.app = current_app
        found.append(Entry(name, str(spec["task"]), tuple(spec.get("args", ())), when, started))
    return found


def run_due(due_entries: list[Entry], now: datetime) -> list[str]:
    """Run every entry that is due at ``now``; returns their names."""
    ran = []
    for entry in due_entries:
        is_due, _next = entry.schedule.is_due(entry.last_run_at)
        if not is_due:
            continue
        entry.last_run_at = now
        ran.append(entry.name)
        try:
            current_app.tasks[entry.task].apply(args=entry.args, throw=True)
        except Exception:
            logger.exception("periodic task %s failed; it runs again at its next time", entry.name)
        finally:
            close_old_connections()
    return ran


def run_in_process_scheduler(*, stop: threading.Event, tick: float = 30.0) -> None:
    current_app.loader.import_default_modules()  # every app's tasks registered
    schedule_entries = entries()
    while not stop.wait(tick):
        run_due(schedule_entries, timezone.now())
