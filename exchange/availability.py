"""When a resource is free: its opening windows (or all the time, without opening hours),
less blackouts and the blocked ranges of active bookings (each booking's time and the
buffer after it). Times in Europe/Stockholm."""

from datetime import datetime, timedelta
from typing import Any

from exchange.bookings import STOCKHOLM, Slot, local
from exchange.models import ACTIVE_BOOKING_STATES, Booking, Resource

# How long a window one question may cover.
MAX_RANGE = timedelta(days=31)


def _opening_windows(resource: Resource, start: datetime, end: datetime) -> list[Slot]:
    hours = list(resource.opening_hours.all())
    if not hours:
        return [Slot(start, end)]
    windows = []
    day = local(start).date()
    while datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM) < end:
        for window in hours:
            if window.weekday == day.weekday():
                opens = datetime.combine(day, window.opens, tzinfo=STOCKHOLM)
                closes = datetime.combine(day, window.closes, tzinfo=STOCKHOLM)
                if closes > start and opens < end:
                    windows.append(Slot(max(opens, start), min(closes, end)))
        day += timedelta(days=1)
    return sorted(windows, key=lambda slot: slot.starts_at)


def _subtract(free: list[Slot], taken: Slot) -> list[Slot]:
    left = []
    for slot in free:
        if taken.ends_at <= slot.starts_at or taken.starts_at >= slot.ends_at:
            left.append(slot)
            continue
        if slot.starts_at < taken.starts_at:
            left.append(Slot(slot.starts_at, taken.starts_at))
        if taken.ends_at < slot.ends_at:
            left.append(Slot(taken.ends_at, slot.ends_at))
    return left


def availability(resource: Resource, start: datetime, end: datetime) -> dict[str, Any]:
    """``free``: the intervals a booking may use (rules such as the shortest booking aside);
    ``busy``: what takes time away, with why (``booked``, ``buffer``, ``blackout``). Who
    booked is never said."""
    busy: list[tuple[Slot, str]] = []
    for blackout in resource.blackouts.filter(starts_at__lt=end, ends_at__gt=start):
        busy.append((Slot(blackout.starts_at, blackout.ends_at), "blackout"))
    bookings = Booking.objects.filter(
        resource=resource,
        state__in=ACTIVE_BOOKING_STATES,
        starts_at__lt=end,
        blocked_until__gt=start,
    ).values_list("starts_at", "ends_at", "blocked_until")
    for starts_at, ends_at, blocked_until in bookings:
        busy.append((Slot(starts_at, ends_at), "booked"))
        if blocked_until > ends_at:
            busy.append((Slot(ends_at, blocked_until), "buffer"))
    free = _opening_windows(resource, start, end)
    for slot, _why in busy:
        free = _subtract(free, slot)
    return {
        "timezone": "Europe/Stockholm",
        "from": local(start).isoformat(),
        "to": local(end).isoformat(),
        "free": [slot.as_dict() for slot in free],
        "busy": [
            {**slot.as_dict(), "reason": why}
            for slot, why in sorted(busy, key=lambda item: item[0].starts_at)
        ],
    }
