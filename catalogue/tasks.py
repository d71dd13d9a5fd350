"""Celery wrappers of the catalogue's periodic work. Thin: they call a service."""

from celery import shared_task

from catalogue import contact_requests, services


@shared_task(name="catalogue.follow_up_contact_requests", ignore_result=True)
def follow_up_contact_requests() -> dict[str, int]:
    """Hourly: reminders and escalations of unanswered contact requests (each once)."""
    return contact_requests.follow_up_unanswered()


@shared_task(name="catalogue.request_contact_confirmations", ignore_result=True)
def request_contact_confirmations() -> int:
    """Daily: ask editors to confirm the contacts due for their yearly check."""
    return services.request_contact_confirmations()
