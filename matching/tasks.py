"""Celery wrappers of matching's periodic work. Thin: they call a service."""

from celery import shared_task

from matching import services


@shared_task(name="matching.recompute_all", ignore_result=True)
def recompute_all() -> int:
    """Nightly: every published listing's matches with the current engine."""
    return services.recompute_all()
