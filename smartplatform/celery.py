"""The Celery app: JSON only, acknowledged late, retried with back-off and jitter.

Configuration lives in Django settings under the ``CELERY_`` prefix. Tasks take ids, never
objects, and must be idempotent: with ``acks_late`` a task whose worker dies is delivered again.
"""

import os
from typing import Any

from celery import Celery, Task, current_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartplatform.settings")


class PlatformTask(Task):
    """Defaults for every task of the platform.

    A task that raises one of ``autoretry_for`` is retried with exponential back-off and
    jitter. The back-off is capped well below the broker's visibility timeout: a countdown
    longer than that would make Redis hand the task to a second worker while the first one
    still waits.
    """

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for: tuple[type[BaseException], ...] = ()
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8
    default_retry_delay = 30


app = Celery("smartplatform", task_cls=PlatformTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_configured() -> bool:
    """Whether tasks go to a broker (True) or run in the calling process (False)."""
    return not current_app.conf.task_always_eager


@app.task(bind=True, name="core.ping")
def ping(self: Any) -> str:
    """Answers "pong": lets health checks and tests see a worker consume a task."""
    return "pong"
