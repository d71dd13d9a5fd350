"""System checks for configuration that would break a promise silently."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_task_timing(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every countdown, retry back-off and task time limit stays below the broker's visibility
    timeout: Redis hands a task that is not acknowledged by then to a second worker, so a
    longer wait or a longer run would execute it twice."""
    from smartplatform.celery import PlatformTask

    visibility = settings.CELERY_VISIBILITY_TIMEOUT
    limits = {
        "CELERY_TASK_TIME_LIMIT": settings.CELERY_TASK_TIME_LIMIT,
        "the tasks' retry_backoff_max": PlatformTask.retry_backoff_max,
        "the tasks' default_retry_delay": PlatformTask.default_retry_delay,
        "NOTIFICATION_RETRY_MAX_SECONDS": settings.NOTIFICATION_RETRY_MAX_SECONDS,
    }
    errors = [
        Error(
            f"{name} ({value} s) must stay below CELERY_VISIBILITY_TIMEOUT ({visibility} s).",
            hint="Raise CELERY_VISIBILITY_TIMEOUT or lower the other value.",
            id="smartplatform.E001",
        )
        for name, value in limits.items()
        if value >= visibility
    ]
    if settings.EVENT_DELIVERY_LEASE_SECONDS <= settings.CELERY_TASK_TIME_LIMIT:
        # The relay would hand a delivery out again while its first run may still be going.
        errors.append(
            Error(
                f"EVENT_DELIVERY_LEASE_SECONDS ({settings.EVENT_DELIVERY_LEASE_SECONDS} s) must "
                f"exceed CELERY_TASK_TIME_LIMIT ({settings.CELERY_TASK_TIME_LIMIT} s).",
                id="smartplatform.E002",
            )
        )
    if settings.NOTIFICATION_SEND_LEASE_SECONDS <= settings.CELERY_TASK_TIME_LIMIT:
        # A second task would send an email or webhook while the first may still be sending.
        errors.append(
            Error(
                f"NOTIFICATION_SEND_LEASE_SECONDS ({settings.NOTIFICATION_SEND_LEASE_SECONDS} s) "
                f"must exceed CELERY_TASK_TIME_LIMIT ({settings.CELERY_TASK_TIME_LIMIT} s).",
                id="smartplatform.E003",
            )
        )
    return errors
