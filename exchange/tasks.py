"""Celery wrappers of the exchange's periodic work. Thin: they call a service."""

from celery import shared_task

from exchange import bookings, exchanges, listings, moderation


@shared_task(name="exchange.expire_listings", ignore_result=True)
def expire_listings() -> dict[str, int]:
    """Daily: a week's notice before a listing expires, and closing it on the day."""
    return listings.expire_listings()


@shared_task(name="exchange.tell_moderators_of_waiting_items", ignore_result=True)
def tell_moderators_of_waiting_items() -> int:
    """Daily: moderators whose queue has items waiting more than a day are told."""
    return moderation.tell_moderators_of_waiting_items()


@shared_task(name="exchange.complete_silent_exchanges", ignore_result=True)
def complete_silent_exchanges() -> int:
    """Hourly: exchanges one side confirmed long enough ago, the other silent, complete."""
    return exchanges.complete_silent_exchanges()


@shared_task(name="exchange.complete_past_bookings", ignore_result=True)
def complete_past_bookings() -> int:
    """Hourly: confirmed bookings the owner left unmarked two days after their end complete."""
    return bookings.complete_past_bookings()


@shared_task(name="exchange.remind_tomorrows_bookings", ignore_result=True)
def remind_tomorrows_bookings() -> int:
    """Daily: bookers of tomorrow's bookings are reminded (once each)."""
    return bookings.remind_tomorrows_bookings()
