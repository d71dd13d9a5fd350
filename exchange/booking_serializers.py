"""Bookable resources and bookings in the API. Times are ISO 8601 with their offset, shown
in Europe/Stockholm."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchange.bookings import local
from exchange.models import (
    Blackout,
    Booking,
    ConditionReport,
    Listing,
    OpeningHours,
    Resource,
    ResourceEquipment,
    SeatBooking,
    Trip,
)
from exchange.serializers import ChoiceValueSerializer, PointField
from smartplatform.core.serializers import (
    QuerySerializer,
    StrictInputModelSerializer,
    StrictInputSerializer,
)
from smartplatform.organisations.serializers import MunicipalityKeyField


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"}
)
class ClockTimeField(serializers.TimeField):
    """A time of day as a clock shows it, ``HH:MM``, in and out (JSON Schema's ``time``
    format would demand seconds and a zone)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class OpeningHoursSerializer(serializers.ModelSerializer):
    opens = ClockTimeField()
    closes = ClockTimeField()

    class Meta:
        model = OpeningHours
        fields = ("weekday", "opens", "closes")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A window is whole even inside a partial update of its resource (DRF hands the
        # parent's partial=True down to it).
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        if attrs["closes"] <= attrs["opens"]:
            raise serializers.ValidationError({"closes": [_("Closes after it opens.")]})
        return attrs


class BlackoutSerializer(StrictInputModelSerializer):
    class Meta:
        model = Blackout
        fields = ("id", "starts_at", "ends_at", "reason")
        read_only_fields = ("id",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": [_("Ends after it starts.")]})
        return attrs


RESOURCE_FACTS = (
    "seats",
    "fuel",
    "range_km",
    "wheelchair_accessible",
    "pickup_place",
    "minimum_driver_age",
    "capacity",
    "step_free",
    "hearing_loop",
    "accessible_toilet",
    "house_rules",
)
RESOURCE_RULES = (
    "instant_booking",
    "min_duration_minutes",
    "max_duration_minutes",
    "max_days_ahead",
    "buffer_minutes",
    "monthly_quota_hours",
    "cancellation_deadline_hours",
)


class ResourceListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    municipality = serializers.CharField()
    compensation = serializers.CharField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


class ResourceSerializer(serializers.ModelSerializer):
    """A bookable car or space: its facts, its booking rules and its opening hours (none:
    bookable at any time). With time credits, ``listing.hours`` is the price per booked
    hour."""

    listing = serializers.SerializerMethodField()
    equipment = serializers.SerializerMethodField()
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Resource
        fields = ("id", "listing", *RESOURCE_FACTS, "equipment", *RESOURCE_RULES, "opening_hours")

    @extend_schema_field(ResourceListingSerializer)
    def get_listing(self, resource: Resource) -> dict[str, Any]:
        listing = resource.listing
        return {
            "id": listing.pk,
            "title": listing.title,
            "category": listing.category,
            "municipality": listing.municipality_id,
            "compensation": listing.compensation,
            "hours": None if listing.hours is None else f"{listing.hours:.2f}",
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_equipment(self, resource: Resource) -> list[str]:
        return sorted(item.item for item in resource.equipment.all())


class ResourceWriteSerializer(StrictInputSerializer, serializers.ModelSerializer):
    """The owner's description of a bookable resource; ``opening_hours`` and ``equipment``
    are replaced as a whole."""

    equipment = serializers.ListField(
        child=serializers.ChoiceField(choices=ResourceEquipment.Item.choices),
        required=False,
        max_length=20,
    )
    opening_hours = OpeningHoursSerializer(many=True, required=False)

    class Meta:
        model = Resource
        fields = (*RESOURCE_FACTS, "equipment", *RESOURCE_RULES, "opening_hours")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low = attrs.get("min_duration_minutes", getattr(self.instance, "min_duration_minutes", 60))
        high = attrs.get(
            "max_duration_minutes", getattr(self.instance, "max_duration_minutes", 480)
        )
        if high < low:
            raise serializers.ValidationError(
                {"max_duration_minutes": [_("At least the shortest booking.")]}
            )
        return attrs


class AvailabilityQuerySerializer(QuerySerializer):
    """``from`` and ``to`` (ISO 8601 with an offset), at most 31 days apart."""

    def get_fields(self) -> dict[str, Any]:
        # "from" is a Python keyword: the fields are named here.
        return {
            "from": serializers.DateTimeField(help_text="ISO 8601, with an offset."),
            "to": serializers.DateTimeField(help_text="At most 31 days after from."),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from exchange.availability import MAX_RANGE

        if attrs["to"] <= attrs["from"]:
            raise serializers.ValidationError({"to": [_("After from.")]})
        if attrs["to"] - attrs["from"] > MAX_RANGE:
            raise serializers.ValidationError({"to": [_("At most 31 days after from.")]})
        return attrs


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BusySerializer(IntervalSerializer):
    reason = serializers.ChoiceField(choices=["booked", "buffer", "blackout"])


class AvailabilitySerializer(serializers.Serializer):
    timezone = serializers.CharField()
    free = IntervalSerializer(many=True)
    busy = BusySerializer(many=True)


class RepeatSerializer(StrictInputSerializer):
    every_weeks = serializers.ChoiceField(choices=[(1, "1"), (2, "2")], help_text="1 or 2.")
    count = serializers.IntegerField(min_value=2, max_value=52, help_text="Occurrences in all.")


class BookingCreateSerializer(StrictInputSerializer):
    resource = serializers.IntegerField(min_value=1)
    start = serializers.DateTimeField(help_text="ISO 8601 with an offset.")
    end = serializers.DateTimeField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    driver_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Cars: you confirm you are at least the owner's minimum age (18 or more) "
        "and hold a valid driving licence.",
    )
    repeat = RepeatSerializer(required=False, help_text="A weekly or fortnightly series.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("After the start.")]})
        return attrs


class BookingResourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()


class BookerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _local(moment: datetime) -> str:
    return local(moment).isoformat()


class BookingSerializer(serializers.ModelSerializer):
    """A booking as its booker or the resource's owner sees it. ``address`` is the exact
    address of the car or space: the owner's side always, the booker once confirmed."""

    resource = serializers.SerializerMethodField()
    booker = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = (
            "id",
            "resource",
            "booker",
            "start",
            "end",
            "state",
            "series",
            "hours",
            "note",
            "reason",
            "address",
            "driver_confirmed_at",
            "created_at",
        )

    @extend_schema_field(BookingResourceSerializer)
    def get_resource(self, booking: Booking) -> dict[str, Any]:
        listing: Listing = booking.resource.listing
        return {
            "id": booking.resource_id,
            "listing": listing.pk,
            "title": listing.title,
            "category": listing.category,
        }

    @extend_schema_field(BookerSerializer)
    def get_booker(self, booking: Booking) -> dict[str, Any]:
        return {"id": booking.booker_id, "name": booking.booker.display_name}

    @extend_schema_field(serializers.DateTimeField())
    def get_start(self, booking: Booking) -> str:
        return _local(booking.starts_at)

    @extend_schema_field(serializers.DateTimeField())
    def get_end(self, booking: Booking) -> str:
        return _local(booking.ends_at)

    @extend_schema_field(ChoiceValueSerializer)
    def get_state(self, booking: Booking) -> dict[str, str]:
        return {"value": booking.state, "label": str(booking.get_state_display())}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, booking: Booking) -> str | None:
        viewer = self.context.get("subject") or self.context["request"].user
        listing = booking.resource.listing
        edits = self.context.get("edits", set())
        owner_side = listing.owner_id == viewer.pk or listing.organisation_id in edits
        booker_sees = booking.booker_id == viewer.pk and booking.state in (
            Booking.State.CONFIRMED,
            Booking.State.COMPLETED,
        )
        return (listing.address or None) if owner_side or booker_sees else None


class BookingSeriesSerializer(serializers.Serializer):
    series = serializers.UUIDField(allow_null=True)
    bookings = BookingSerializer(many=True)


class BookingQuerySerializer(QuerySerializer):
    role = serializers.ChoiceField(
        choices=[("booker", "booker"), ("owner", "owner")],
        required=False,
        help_text="booker: your bookings; owner: bookings of your resources.",
    )
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=Booking.State.choices), required=False
    )


YES_NO = (("true", "true"), ("false", "false"))


class ResourceQuerySerializer(QuerySerializer):
    """Search bookable resources by facts and, with ``free_from`` and ``free_to``, by free
    time: only resources a booking of that whole interval would be accepted on (opening
    hours, blackouts, bookings and buffers, and the resource's rules)."""

    category = serializers.ListField(
        child=serializers.ChoiceField(choices=[("car", "car"), ("space", "space")]),
        required=False,
    )
    municipality = serializers.ListField(
        child=MunicipalityKeyField(), required=False, help_text="Code or slug."
    )
    capacity_min = serializers.IntegerField(min_value=1, required=False)
    seats_min = serializers.IntegerField(min_value=1, required=False)
    fuel = serializers.ListField(
        child=serializers.ChoiceField(choices=Resource.Fuel.choices), required=False
    )
    step_free = serializers.ChoiceField(choices=YES_NO, required=False)
    hearing_loop = serializers.ChoiceField(choices=YES_NO, required=False)
    accessible_toilet = serializers.ChoiceField(choices=YES_NO, required=False)
    wheelchair = serializers.ChoiceField(choices=YES_NO, required=False)
    equipment = serializers.ListField(
        child=serializers.ChoiceField(choices=ResourceEquipment.Item.choices),
        required=False,
        help_text="Repeatable: resources with all of them.",
    )
    near = PointField(required=False, help_text="latitude,longitude")
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=500)
    free_from = serializers.DateTimeField(required=False, help_text="ISO 8601 with an offset.")
    free_to = serializers.DateTimeField(required=False)

    def validate_municipality(self, values: list[str]) -> list[str]:
        from smartplatform.organisations.serializers import municipality_codes

        return municipality_codes(values)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("near" in attrs) != ("radius_km" in attrs):
            raise serializers.ValidationError({"radius_km": [_("Give near= and radius_km=.")]})
        if ("free_from" in attrs) != ("free_to" in attrs):
            raise serializers.ValidationError({"free_to": [_("Give free_from= and free_to=.")]})
        if "free_from" in attrs and attrs["free_to"] <= attrs["free_from"]:
            raise serializers.ValidationError({"free_to": [_("After free_from.")]})
        return attrs

    def query(self) -> Any:
        from exchange.selectors import ResourceQuery

        data = self.validated_data

        def yes(name: str) -> bool | None:
            return None if name not in data else data[name] == "true"

        return ResourceQuery(
            categories=data.get("category", []),
            municipalities=data.get("municipality", []),
            capacity_min=data.get("capacity_min"),
            seats_min=data.get("seats_min"),
            fuels=data.get("fuel", []),
            step_free=yes("step_free"),
            hearing_loop=yes("hearing_loop"),
            accessible_toilet=yes("accessible_toilet"),
            wheelchair=yes("wheelchair"),
            equipment=list(dict.fromkeys(data.get("equipment", []))),
            near=data.get("near"),
            radius_km=data.get("radius_km"),
            free_from=data.get("free_from"),
            free_to=data.get("free_to"),
        )


class CalendarFeedCreateSerializer(StrictInputSerializer):
    resource = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="A resource of yours: a feed of all its bookings. Without: your bookings.",
    )


class CalendarFeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.IntegerField(source="resource_id", allow_null=True)
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class CreatedCalendarFeedSerializer(CalendarFeedSerializer):
    url = serializers.URLField(help_text="Subscribe to this; it is shown only now.")


# --- Lifts ------------------------------------------------------------------------------------

TRIP_FIELDS = (
    "from_municipality",
    "from_latitude",
    "from_longitude",
    "to_municipality",
    "to_latitude",
    "to_longitude",
    "departs_at",
    "flexibility_minutes",
    "seats",
    "weekly",
)


class TripSerializer(serializers.ModelSerializer):
    """A lift: where from and to (municipality codes, and points when given), the first
    departure (weekly: the same local time every week), its flexibility and seats."""

    listing = serializers.SerializerMethodField()
    from_municipality = serializers.CharField(source="from_municipality_id")
    to_municipality = serializers.CharField(source="to_municipality_id")
    departs_at = serializers.SerializerMethodField()

    class Meta:
        model = Trip
        fields = ("id", "listing", *TRIP_FIELDS)

    @extend_schema_field(ResourceListingSerializer)
    def get_listing(self, trip: Trip) -> dict[str, Any]:
        listing = trip.listing
        return {
            "id": listing.pk,
            "title": listing.title,
            "category": listing.kind,
            "municipality": listing.municipality_id,
            "compensation": listing.compensation,
            "hours": None if listing.hours is None else f"{listing.hours:.2f}",
        }

    @extend_schema_field(serializers.DateTimeField())
    def get_departs_at(self, trip: Trip) -> str:
        return _local(trip.departs_at)


class TripWriteSerializer(StrictInputSerializer):
    from_municipality = MunicipalityKeyField(help_text="Code or slug.")
    to_municipality = MunicipalityKeyField(help_text="Code or slug.")
    from_latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    from_longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    to_latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    to_longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    departs_at = serializers.DateTimeField()
    flexibility_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    seats = serializers.IntegerField(min_value=1, max_value=8)
    weekly = serializers.BooleanField(default=False)

    def _municipality(self, value: str) -> Any:
        from smartplatform.organisations.models import Municipality
        from smartplatform.organisations.serializers import municipality_codes

        (code,) = municipality_codes([value]) or [""]
        return Municipality.objects.get(code=code)

    def validate_from_municipality(self, value: str) -> Any:
        return self._municipality(value)

    def validate_to_municipality(self, value: str) -> Any:
        return self._municipality(value)


class DepartureSerializer(serializers.Serializer):
    departure = serializers.DateTimeField()
    seats_left = serializers.IntegerField()


class SeatBookingCreateSerializer(StrictInputSerializer):
    departure = serializers.DateTimeField(help_text="One of the trip's departures.")
    seats = serializers.IntegerField(min_value=1, max_value=8, default=1)


class SeatBookingSerializer(serializers.ModelSerializer):
    passenger = serializers.SerializerMethodField()
    departure = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = SeatBooking
        fields = ("id", "trip", "passenger", "departure", "seats", "state", "created_at")

    @extend_schema_field(BookerSerializer)
    def get_passenger(self, made: SeatBooking) -> dict[str, Any]:
        return {"id": made.passenger_id, "name": made.passenger.display_name}

    @extend_schema_field(serializers.DateTimeField())
    def get_departure(self, made: SeatBooking) -> str:
        return _local(made.departure)

    @extend_schema_field(ChoiceValueSerializer)
    def get_state(self, made: SeatBooking) -> dict[str, str]:
        return {"value": made.state, "label": str(made.get_state_display())}


class ConditionReportCreateSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=ConditionReport.Stage.choices)
    text = serializers.CharField(max_length=5000)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=6, help_text="At most six."
    )


class ConditionReportSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ConditionReport
        fields = ("id", "stage", "text", "written_by", "created_at", "photos")

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, report: ConditionReport) -> list[str]:
        request = self.context.get("request")
        urls = [photo.image.url for photo in report.photos.all()]
        return [request.build_absolute_uri(url) for url in urls] if request else urls
