"""Bookable cars and meeting spaces: a resource with its facts and booking rules, its opening
hours and blackouts, and the bookings that may never overlap.

Each booking blocks its resource from ``starts_at`` to ``blocked_until`` (its end plus the
resource's buffer). On PostgreSQL an exclusion constraint (migration 0008) refuses two
requested or confirmed bookings of one resource whose blocked ranges overlap, half-open
(``[)``), so back-to-back bookings are fine; the services also lock the resource's row, so
the constraint is the last guard, not the first.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchange.models.listings import Listing
from exchange.models.timebank import Hold

# Bookings in these states hold their slot.
ACTIVE_BOOKING_STATES = ("requested", "confirmed")


class Resource(models.Model):
    """The bookable side of a ``car`` or ``space`` offer."""

    class Fuel(models.TextChoices):
        ELECTRIC = "el", _("Electric")
        BIOGAS = "biogas", _("Biogas")
        PETROL = "bensin", _("Petrol")
        DIESEL = "diesel", _("Diesel")
        HYBRID = "hybrid", _("Hybrid")

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, related_name="resource", verbose_name=_("listing")
    )
    # A car's facts.
    seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    fuel = models.CharField(_("fuel"), max_length=10, choices=Fuel.choices, blank=True)
    range_km = models.PositiveIntegerField(_("range (km)"), null=True, blank=True)
    wheelchair_accessible = models.BooleanField(_("takes a wheelchair"), default=False)
    pickup_place = models.CharField(_("pick-up place"), max_length=200, blank=True)
    minimum_driver_age = models.PositiveSmallIntegerField(
        _("minimum driver age"),
        default=18,
        validators=[MinValueValidator(18), MaxValueValidator(99)],
    )
    # A space's facts.
    capacity = models.PositiveIntegerField(
        _("capacity (people)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    step_free = models.BooleanField(_("step-free"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    house_rules = models.TextField(_("house rules"), max_length=5000, blank=True)
    # Booking rules.
    instant_booking = models.BooleanField(
        _("instant booking"),
        default=False,
        help_text=_("Bookings are confirmed at once; otherwise the owner approves each."),
    )
    min_duration_minutes = models.PositiveIntegerField(
        _("shortest booking (minutes)"), default=60, validators=[MinValueValidator(15)]
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"), default=8 * 60, validators=[MinValueValidator(15)]
    )
    max_days_ahead = models.PositiveIntegerField(
        _("bookable this many days ahead"), default=90, validators=[MinValueValidator(1)]
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer after each booking (minutes)"), default=0
    )
    monthly_quota_hours = models.PositiveIntegerField(
        _("hours per person and month"), null=True, blank=True
    )
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("bookers cancel up to this many hours before"), default=24
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("bookable resource")
        verbose_name_plural = _("bookable resources")
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(max_duration_minutes__gte=models.F("min_duration_minutes")),
                name="exchange_resource_durations",
            ),
        ]

    def __str__(self) -> str:
        return str(self.listing)


class ResourceEquipment(models.Model):
    """What a space has: a projector, a kitchen, wifi..."""

    class Item(models.TextChoices):
        PROJECTOR = "projector", _("Projector")
        KITCHEN = "kitchen", _("Kitchen")
        WIFI = "wifi", _("Wifi")
        WHITEBOARD = "whiteboard", _("Whiteboard")
        SPEAKERS = "speakers", _("Speakers")
        COFFEE = "coffee", _("Coffee machine")
        PARKING = "parking", _("Parking")
        CHILD_SEAT = "child_seat", _("Child seat")
        TOWBAR = "towbar", _("Towbar")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="equipment")
    item = models.CharField(_("item"), max_length=20, choices=Item.choices)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["resource", "item"], name="exchange_equipment_once")
        ]

    def __str__(self) -> str:
        return str(self.get_item_display())


class OpeningHours(models.Model):
    """When a resource can be booked on a weekday (local time, Europe/Stockholm). A resource
    without any opening hours can be booked at any time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)], help_text=_("0 is Monday, 6 Sunday.")
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering: ClassVar = ["weekday", "opens"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="exchange_opening_hours_order"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="exchange_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Blackout(models.Model):
    """A period the resource cannot be booked (a service, a holiday)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("blackout")
        verbose_name_plural = _("blackouts")
        ordering: ClassVar = ["starts_at"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exchange_blackout_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("resource")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    blocked_until = models.DateTimeField(_("blocked until (end and buffer)"))
    series = models.UUIDField(_("series"), null=True, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2, null=True, blank=True)
    hold = models.OneToOneField(
        Hold,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booking",
        verbose_name=_("hours held"),
    )
    driver_confirmed_at = models.DateTimeField(
        _("driver confirmed age and licence"), null=True, blank=True
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined or cancelled by"),
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering: ClassVar = ["starts_at", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["resource", "starts_at"]),
            models.Index(fields=["booker", "starts_at"]),
            models.Index(fields=["state", "ends_at"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at"))
                & Q(blocked_until__gte=models.F("ends_at")),
                name="exchange_booking_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A private iCalendar feed a phone calendar subscribes to: a person's bookings, or all
    the bookings of a resource (for its owner's side). The secret token is in the URL; only
    its hash is kept. A revoked feed answers 404."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("owner"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("resource"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.resource_id or ''}".strip()


class Trip(models.Model):
    """A lift (samåkning): a car offer (seats for passengers) or request (a lift wanted)
    from one place to another, once or every week at the same local time."""

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, related_name="trip", verbose_name=_("listing")
    )
    from_municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    from_latitude = models.FloatField(_("from latitude"), null=True, blank=True)
    from_longitude = models.FloatField(_("from longitude"), null=True, blank=True)
    to_municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    to_latitude = models.FloatField(_("to latitude"), null=True, blank=True)
    to_longitude = models.FloatField(_("to longitude"), null=True, blank=True)
    departs_at = models.DateTimeField(_("departs"), help_text=_("The first departure."))
    flexibility_minutes = models.PositiveIntegerField(_("flexibility (minutes)"), default=0)
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    weekly = models.BooleanField(_("every week"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering: ClassVar = ["departs_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="exchange_trip_seats")
        ]

    def __str__(self) -> str:
        return str(self.listing)


class SeatBooking(models.Model):
    """Seats on one departure of a trip. The seats of a departure never oversell: booking
    locks the trip's row and counts."""

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="seat_bookings")
    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="seat_bookings",
        verbose_name=_("passenger"),
    )
    departure = models.DateTimeField(_("departure"))
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat booking")
        verbose_name_plural = _("seat bookings")
        ordering: ClassVar = ["departure", "pk"]
        indexes: ClassVar = [models.Index(fields=["trip", "departure", "state"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["trip", "passenger", "departure"],
                condition=Q(state="booked"),
                name="exchange_seat_booking_once_per_departure",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="exchange_seat_booking_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.trip} {self.departure:%Y-%m-%d %H:%M} x{self.seats}"


class ConditionReport(models.Model):
    """A car's condition at pick-up or return, in words and photos, so damage is reported
    rather than argued about."""

    class Stage(models.TextChoices):
        PICKUP = "pickup", _("Pick-up")
        RETURN = "return", _("Return")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="condition_reports")
    stage = models.CharField(_("when"), max_length=10, choices=Stage.choices)
    text = models.TextField(_("condition"), max_length=5000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="condition_reports",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("condition report")
        verbose_name_plural = _("condition reports")
        ordering: ClassVar = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.booking} {self.get_stage_display()}"


def condition_photo_path(photo: "ConditionPhoto", filename: str) -> str:
    return f"bookings/{photo.report.booking_id}/{uuid.uuid4().hex}.jpg"


class ConditionPhoto(models.Model):
    report = models.ForeignKey(ConditionReport, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=condition_photo_path)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("condition photo")
        verbose_name_plural = _("condition photos")
        ordering: ClassVar = ["pk"]

    def __str__(self) -> str:
        return self.image.name or ""
