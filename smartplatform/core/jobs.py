"""Queueing background work from a service: after the commit, never inside it."""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` once the current transaction commits.

    Pass ids, not objects. A rolled-back transaction queues nothing. A broker that is away at
    that moment, or an in-process task that fails (the embedded setup), is logged and never
    raised into the request: its write has already committed and a 500 would invite the
    client to repeat it. Work that must not be lost when the broker is away goes through a
    domain event (``smartplatform.core.events.publish``) instead.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            logger.exception("could not run or queue %s after commit", task.name)

    transaction.on_commit(send)
