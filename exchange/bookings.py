"""Bookings of cars and meeting spaces: the rules, the moves, and never a double booking.

    requested --approve--> confirmed --complete--> completed
        |                    |  \\--no_show--> no_show
        |--decline--> declined
        \\--cancel (booker before the deadline; owner with a reason)--> cancelled

Instant-booking resources skip ``requested``. For resources paid in time credits the
listing's hours per booked hour are held from the booker when the booking is confirmed, paid
to the listing's side on completion and released otherwise.

Lock discipline: booking takes ``FOR UPDATE`` on the resource's row first (every booking of
one resource is serialised there), then the booker's time account. On PostgreSQL an
exclusion constraint refuses overlapping active bookings even so; a violation becomes a 409,
never a 500. On SQLite immediate transactions serialise every writer.
"""

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions, timebank
from exchange.models import (
    ACTIVE_BOOKING_STATES,
    Booking,
    ConditionPhoto,
    ConditionReport,
    Listing,
    Resource,
    TimeAccount,
)
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.core.images import normalised_jpeg

STOCKHOLM = ZoneInfo("Europe/Stockholm")
State = Booking.State
MAX_OCCURRENCES = 52


# --- Errors ---------------------------------------------------------------------------------


class InvalidInterval(DomainError):
    code = "invalid_interval"
    default_message = _("A booking ends after it starts, and starts in the future.")


class DurationOutOfRange(DomainError):
    code = "booking_duration_out_of_range"
    default_message = _("The booking is shorter or longer than this resource allows.")


class TooFarAhead(DomainError):
    code = "booking_too_far_ahead"
    default_message = _("This resource cannot be booked that far ahead.")


class OutsideOpeningHours(DomainError):
    code = "outside_opening_hours"
    default_message = _("The booking is outside the resource's opening hours.")


class DuringBlackout(ConflictError):
    code = "resource_blacked_out"
    default_message = _("The resource is not available then.")


class QuotaExceeded(ConflictError):
    code = "booking_quota_exceeded"
    default_message = _("This would take you over the hours per month you may book here.")


class DriverConfirmationRequired(DomainError):
    code = "driver_confirmation_required"
    default_message = _(
        "Confirm that you are old enough and hold a valid driving licence to book a car."
    )


class BookingConflict(ConflictError):
    code = "booking_conflict"
    default_message = _("The resource is already booked then.")


class NotBookable(ConflictError):
    code = "resource_not_bookable"
    default_message = _("This resource is not open for bookings.")


class CannotBookOwnResource(ConflictError):
    code = "cannot_book_own_resource"
    default_message = _("You cannot book your own resource.")


class CancellationDeadlinePassed(ConflictError):
    code = "cancellation_deadline_passed"
    default_message = _("It is too late to cancel this booking; ask the owner.")


class BookingTransitionNotAllowed(ConflictError):
    code = "booking_transition_not_allowed"
    default_message = _("The booking cannot do that in its current state.")


class NotYourMove(DomainError):
    status_code = 403
    code = "booking_not_your_move"
    default_message = _("This move belongs to the other side of the booking.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason: the other side is told it.")


# --- Rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "start": self.starts_at.astimezone(STOCKHOLM).isoformat(),
            "end": self.ends_at.astimezone(STOCKHOLM).isoformat(),
        }


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def within_opening_hours(resource: Resource, slot: Slot, windows: Any = None) -> bool:
    """The whole slot lies inside one opening window of its local day (a resource without
    opening hours is always open)."""
    hours = list(resource.opening_hours.all()) if windows is None else windows
    if not hours:
        return True
    start, end = local(slot.starts_at), local(slot.ends_at)
    if end.date() != start.date():
        return False
    return any(
        window.weekday == start.weekday()
        and window.opens <= start.time()
        and end.time() <= window.closes
        for window in hours
    )


def _month(moment: datetime) -> tuple[datetime, datetime]:
    start = local(moment).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following.replace(tzinfo=STOCKHOLM)


def _hours(slot: Slot) -> Decimal:
    return Decimal((slot.ends_at - slot.starts_at).total_seconds()) / Decimal(3600)


def check_rules(
    resource: Resource,
    booker: User,
    slots: list[Slot],
    *,
    now: datetime,
    driver_confirmed: bool,
) -> None:
    """Every rule of the resource except overlaps (``_conflicts``), for every slot."""
    is_car = resource.listing.category == Listing.Category.CAR
    if is_car and not driver_confirmed:
        raise DriverConfirmationRequired(
            fields={"driver_confirmed": [str(DriverConfirmationRequired.default_message)]},
            extra={"minimum_driver_age": resource.minimum_driver_age},
        )
    windows = list(resource.opening_hours.all())
    for slot in slots:
        if slot.ends_at <= slot.starts_at or slot.starts_at <= now:
            raise InvalidInterval(extra={"slot": slot.as_dict()})
        minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
        if not resource.min_duration_minutes <= minutes <= resource.max_duration_minutes:
            raise DurationOutOfRange(
                extra={
                    "min_minutes": resource.min_duration_minutes,
                    "max_minutes": resource.max_duration_minutes,
                }
            )
        if slot.starts_at > now + timedelta(days=resource.max_days_ahead):
            raise TooFarAhead(extra={"max_days_ahead": resource.max_days_ahead})
        if not within_opening_hours(resource, slot, windows):
            raise OutsideOpeningHours(
                extra={
                    "slot": slot.as_dict(),
                    "opening_hours": [
                        {
                            "weekday": w.weekday,
                            "opens": w.opens.isoformat("minutes"),
                            "closes": w.closes.isoformat("minutes"),
                        }
                        for w in windows
                    ],
                }
            )
        blackout = resource.blackouts.filter(
            starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
        ).first()
        if blackout is not None:
            raise DuringBlackout(
                extra={
                    "slot": slot.as_dict(),
                    "blackout": Slot(blackout.starts_at, blackout.ends_at).as_dict(),
                }
            )
    if resource.monthly_quota_hours is not None:
        _check_quota(resource, booker, slots)


def _check_quota(resource: Resource, booker: User, slots: list[Slot]) -> None:
    quota = Decimal(resource.monthly_quota_hours or 0)
    months: dict[datetime, Decimal] = {}
    for slot in slots:
        month = _month(slot.starts_at)[0]
        months[month] = months.get(month, Decimal(0)) + _hours(slot)
    for month, asked in months.items():
        start, end = _month(month)
        booked = sum(
            (
                _hours(Slot(s, e))
                for s, e in Booking.objects.filter(
                    resource=resource,
                    booker=booker,
                    state__in=(*ACTIVE_BOOKING_STATES, State.COMPLETED),
                    starts_at__gte=start,
                    starts_at__lt=end,
                ).values_list("starts_at", "ends_at")
            ),
            Decimal(0),
        )
        if booked + asked > quota:
            raise QuotaExceeded(
                extra={
                    "month": start.strftime("%Y-%m"),
                    "quota_hours": int(quota),
                    "booked_hours": f"{booked:.2f}",
                }
            )


def _conflicts(resource: Resource, blocked: list[Slot]) -> list[Slot]:
    """The active bookings of ``resource`` whose blocked ranges overlap any of ``blocked``."""
    overlapping = Q()
    for slot in blocked:
        overlapping |= Q(starts_at__lt=slot.ends_at, blocked_until__gt=slot.starts_at)
    found = (
        Booking.objects.filter(resource=resource, state__in=ACTIVE_BOOKING_STATES)
        .filter(overlapping)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    return [Slot(start, end) for start, end in found]


# --- Booking --------------------------------------------------------------------------------


def weekly_slots(first: Slot, *, every_weeks: int, count: int) -> list[Slot]:
    """``count`` occurrences ``every_weeks`` apart at the same local (Stockholm) time of day,
    whatever daylight saving does in between."""
    start, end = local(first.starts_at), local(first.ends_at)
    length = end - start
    slots = []
    for number in range(count):
        day: date = start.date() + timedelta(weeks=every_weeks * number)
        begins = datetime.combine(day, time(start.hour, start.minute), tzinfo=STOCKHOLM)
        # The length in local wall-clock time: 10:00-12:00 stays 10:00-12:00.
        ends_local = datetime.combine(day, time(start.hour, start.minute)) + length
        slots.append(Slot(begins, ends_local.replace(tzinfo=STOCKHOLM)))
    return slots


def price_in_hours(resource: Resource, slot: Slot) -> Decimal | None:
    listing = resource.listing
    if listing.compensation != Listing.Compensation.TIME_CREDITS or listing.hours is None:
        return None
    return (listing.hours * _hours(slot)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def book(
    *,
    booker: User,
    resource: Resource,
    slots: list[Slot],
    note: str = "",
    driver_confirmed: bool = False,
    now: datetime | None = None,
) -> list[Booking]:
    """Book one slot, or a series (all or nothing). Instant-booking resources confirm at
    once; the others wait for the owner. A slot that overlaps an active booking (with the
    buffer) is a 409 listing every conflicting interval."""
    now = now or timezone.now()
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("listing", "listing__owner", "listing__organisation")
        .get(pk=resource.pk)
    )
    listing = resource.listing
    if listing.state != Listing.State.PUBLISHED or not listing.owner.is_active:
        raise NotBookable()
    if permissions.on_listing_side_of(booker, listing):
        raise CannotBookOwnResource()
    check_rules(resource, booker, slots, now=now, driver_confirmed=driver_confirmed)
    buffer = timedelta(minutes=resource.buffer_minutes)
    blocked = [Slot(slot.starts_at, slot.ends_at + buffer) for slot in slots]
    # The new slots must not overlap each other either (a series with a long buffer).
    ordered = sorted(blocked, key=lambda slot: slot.starts_at)
    if any(a.ends_at > b.starts_at for a, b in itertools.pairwise(ordered)):
        raise InvalidInterval()
    conflicts = _conflicts(resource, blocked)
    if conflicts:
        raise BookingConflict(extra={"conflicts": [slot.as_dict() for slot in conflicts]})
    series = uuid.uuid4() if len(slots) > 1 else None
    state = State.CONFIRMED if resource.instant_booking else State.REQUESTED
    try:
        with transaction.atomic():
            made = [
                Booking.objects.create(
                    resource=resource,
                    booker=booker,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    blocked_until=slot.ends_at + buffer,
                    series=series,
                    state=State.REQUESTED,
                    note=note.strip(),
                    hours=price_in_hours(resource, slot),
                    driver_confirmed_at=now if driver_confirmed else None,
                )
                for slot in slots
            ]
    except IntegrityError as exc:  # the exclusion constraint: someone was faster
        conflicts = _conflicts(resource, blocked)
        raise BookingConflict(extra={"conflicts": [slot.as_dict() for slot in conflicts]}) from exc
    for booking in made:
        if state == State.CONFIRMED:
            _confirm(booking)
        else:
            _event("requested", booking)
    return made


def _confirm(booking: Booking) -> None:
    hold = None
    if booking.hours is not None:
        hold = timebank.reserve(
            account=timebank.account_of_user(booking.booker), hours=booking.hours
        )
    booking.state = State.CONFIRMED
    booking.hold = hold
    booking.save(update_fields=["state", "hold", "updated_at"])
    _event("confirmed", booking)


def _event(name: str, booking: Booking, **extra: Any) -> None:
    publish(
        f"booking.{name}",
        {
            "booking": booking.pk,
            "resource": booking.resource_id,
            "booker": booking.booker_id,
            "owner": booking.resource.listing.owner_id,
            "starts_at": booking.starts_at.isoformat(),
            **extra,
        },
    )


# --- Moves ----------------------------------------------------------------------------------


def _locked(booking: Booking, *allowed: str) -> Booking:
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource__listing__owner", "resource__listing__organisation", "booker")
        .get(pk=booking.pk)
    )
    if allowed and locked.state not in allowed:
        raise BookingTransitionNotAllowed(extra={"state": locked.state})
    return locked


def _owners_move(actor: User, booking: Booking) -> None:
    if not permissions.on_listing_side_of(actor, booking.resource.listing):
        raise NotYourMove()


def _end(booking: Booking, state: str, *, by: User | None, reason: str = "") -> None:
    if booking.hold is not None and booking.hold.state == "active":
        timebank.release(hold=booking.hold)
    booking.state = state
    booking.reason = reason.strip()
    booking.ended_by = by
    booking.save(update_fields=["state", "reason", "ended_by", "updated_at"])


@transaction.atomic
def approve(*, actor: User, booking: Booking) -> Booking:
    booking = _locked(booking, State.REQUESTED)
    _owners_move(actor, booking)
    _confirm(booking)
    return booking


@transaction.atomic
def decline(*, actor: User, booking: Booking, reason: str) -> Booking:
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    booking = _locked(booking, State.REQUESTED)
    _owners_move(actor, booking)
    _end(booking, State.DECLINED, by=actor, reason=reason)
    _event("declined", booking, reason=reason.strip())
    return booking


@transaction.atomic
def cancel(
    *, actor: User, booking: Booking, reason: str = "", now: datetime | None = None
) -> Booking:
    """The booker cancels up to the resource's deadline; the owner at any time before the
    end, with a reason. Both are told; held hours go back."""
    now = now or timezone.now()
    booking = _locked(booking, *ACTIVE_BOOKING_STATES)
    if booking.booker_id == actor.pk:
        deadline = booking.starts_at - timedelta(hours=booking.resource.cancellation_deadline_hours)
        if now > deadline:
            raise CancellationDeadlinePassed(extra={"deadline": local(deadline).isoformat()})
    elif permissions.on_listing_side_of(actor, booking.resource.listing):
        if not reason.strip():
            raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
        if now >= booking.ends_at:
            raise BookingTransitionNotAllowed(extra={"state": booking.state})
    else:
        raise NotYourMove()
    _end(booking, State.CANCELLED, by=actor, reason=reason)
    _event("cancelled", booking, by=actor.pk, reason=reason.strip())
    return booking


@transaction.atomic
def cancel_all_ahead(*, booker: User) -> int:
    """Cancel every booking ``booker`` still has ahead, deadlines or not: the account is
    being deleted. Owners are told; held hours go back."""
    ahead = Booking.objects.filter(
        booker=booker, state__in=ACTIVE_BOOKING_STATES, starts_at__gt=timezone.now()
    ).values_list("pk", flat=True)
    cancelled = 0
    for pk in ahead:
        booking = _locked(Booking(pk=pk), *ACTIVE_BOOKING_STATES)
        _end(booking, State.CANCELLED, by=booker)
        _event("cancelled", booking, by=booker.pk, reason="")
        cancelled += 1
    return cancelled


def _provider(booking: Booking) -> TimeAccount:
    listing = booking.resource.listing
    if listing.organisation is not None:
        return timebank.account_of_organisation(listing.organisation)
    return timebank.account_of_user(listing.owner)


def _complete(booking: Booking, *, by: User | None) -> None:
    if booking.hold is not None:
        timebank.settle(
            hold=booking.hold,
            to=_provider(booking),
            created_by=by,
            note=str(booking.resource.listing.title)[:500],
        )
    booking.state = State.COMPLETED
    booking.save(update_fields=["state", "updated_at"])
    _event("completed", booking)


@transaction.atomic
def complete(*, actor: User, booking: Booking, now: datetime | None = None) -> Booking:
    """The owner says it went as booked (after its start); held hours are paid."""
    booking = _locked(booking, State.CONFIRMED)
    _owners_move(actor, booking)
    if (now or timezone.now()) < booking.starts_at:
        raise BookingTransitionNotAllowed(extra={"state": booking.state})
    _complete(booking, by=actor)
    return booking


@transaction.atomic
def no_show(*, actor: User, booking: Booking, now: datetime | None = None) -> Booking:
    """The owner says the booker never came (after the start); held hours go back."""
    booking = _locked(booking, State.CONFIRMED)
    _owners_move(actor, booking)
    if (now or timezone.now()) < booking.starts_at:
        raise BookingTransitionNotAllowed(extra={"state": booking.state})
    _end(booking, State.NO_SHOW, by=actor)
    _event("no_show", booking)
    return booking


# --- In the background ----------------------------------------------------------------------

# A confirmed booking the owner did not mark is taken as done this long after its end.
COMPLETE_AFTER = timedelta(hours=48)


def complete_past_bookings(*, now: datetime | None = None, batch: int = 100) -> int:
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            due = list(
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=State.CONFIRMED, ends_at__lte=now - COMPLETE_AFTER)
                .select_related("resource__listing__owner", "resource__listing__organisation")
                .order_by("pk")[:batch]
            )
            for booking in due:
                _complete(booking, by=None)
            done += len(due)
        if len(due) < batch:
            return done


def remind_tomorrows_bookings(*, now: datetime | None = None) -> int:
    """The day before: every confirmed booking starting tomorrow (Stockholm) reminds its
    booker once (``booking.reminder`` event; ``reminded_at`` is the once-only guard)."""
    now = now or timezone.now()
    tomorrow = local(now).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=STOCKHOLM)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
    reminded = 0
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=State.CONFIRMED,
                reminded_at__isnull=True,
                starts_at__gte=start,
                starts_at__lt=end,
            )
            .select_related("resource__listing")
        )
        for booking in due:
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            _event("reminder", booking)
            reminded += 1
    return reminded


# --- A car's condition at pick-up and return ----------------------------------------------

MAX_CONDITION_PHOTOS = 6
CONDITION_PHOTO_SIDE = 1600


class ConditionReportNotPossible(ConflictError):
    code = "condition_report_not_possible"
    default_message = _("A condition report is written for a confirmed car booking.")


class TooManyPhotos(DomainError):
    code = "too_many_photos"
    default_message = _("At most six photos per report.")


@transaction.atomic
def report_condition(
    *, actor: User, booking: Booking, stage: str, text: str, photos: list[Any]
) -> ConditionReport:
    """The booker or the owner's side notes the car's condition at pick-up or return, with
    photos (re-encoded without their metadata), so damage is reported, not argued about."""
    booking = _locked(booking)
    listing = booking.resource.listing
    if booking.booker_id != actor.pk and not permissions.on_listing_side_of(actor, listing):
        raise NotYourMove()
    if listing.category != Listing.Category.CAR or booking.state not in (
        State.CONFIRMED,
        State.COMPLETED,
    ):
        raise ConditionReportNotPossible(extra={"state": booking.state})
    if len(photos) > MAX_CONDITION_PHOTOS:
        raise TooManyPhotos()
    report = ConditionReport.objects.create(
        booking=booking, stage=stage, text=text.strip(), written_by=actor
    )
    for upload in photos:
        photo = ConditionPhoto(report=report)
        photo.image.save(
            "photo.jpg", normalised_jpeg(upload, max_side=CONDITION_PHOTO_SIDE), save=False
        )
        photo.save()
    _event("condition_reported", booking, stage=stage, by=actor.pk)
    return report
