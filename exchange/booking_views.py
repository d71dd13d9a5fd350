"""Bookable resources (cars and spaces), their availability, and bookings."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from exchange import (
    availability,
    bookings,
    calendars,
    lifts,
    permissions,
    resources,
    selectors,
)
from exchange.booking_serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BlackoutSerializer,
    BookingCreateSerializer,
    BookingQuerySerializer,
    BookingSerializer,
    BookingSeriesSerializer,
    CalendarFeedCreateSerializer,
    CalendarFeedSerializer,
    ConditionReportCreateSerializer,
    ConditionReportSerializer,
    CreatedCalendarFeedSerializer,
    DepartureSerializer,
    ResourceQuerySerializer,
    ResourceSerializer,
    SeatBookingCreateSerializer,
    SeatBookingSerializer,
    TripSerializer,
)
from exchange.exchange_serializers import ReasonSerializer, RequiredReasonSerializer
from exchange.listings import NotYourListing
from exchange.models import (
    Booking,
    CalendarFeed,
    Listing,
    OpeningHours,
    Resource,
    SeatBooking,
    Trip,
)
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.idempotency import idempotent
from smartplatform.core.serializers import QuerySerializer
from smartplatform.organisations.serializers import MunicipalityKeyField

BOOKING_RULE_ERRORS = (
    bookings.InvalidInterval,
    bookings.DurationOutOfRange,
    bookings.TooFarAhead,
    bookings.OutsideOpeningHours,
    bookings.DuringBlackout,
    bookings.QuotaExceeded,
    bookings.DriverConfirmationRequired,
    bookings.BookingConflict,
    bookings.NotBookable,
    bookings.CannotBookOwnResource,
)
MOVE_ERRORS = (bookings.BookingTransitionNotAllowed, bookings.NotYourMove)


def resources_shown(viewer: Any) -> QuerySet[Resource]:
    """Resources of the listings ``viewer`` may read (published ones for everyone)."""
    return (
        Resource.objects.filter(
            listing__in=Listing.objects.filter(permissions.visible_condition(viewer))
        )
        .select_related("listing")
        .prefetch_related(
            "equipment", Prefetch("opening_hours", queryset=OpeningHours.objects.all())
        )
        .order_by("pk")
    )


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookable cars and meeting spaces: their facts, rules and opening hours, and when they
    are free."""

    serializer_class = ResourceSerializer
    filter_backends = ()

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve", "availability"):
            return [drf_permissions.AllowAny()]
        return [IsVerifiedUser()]

    def get_queryset(self) -> QuerySet[Resource]:
        return resources_shown(self.request.user)

    @extend_schema(parameters=[ResourceQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Search by facts ("a step-free room for 20 in Klippan") and free time ("on
        Thursday 18-20": `free_from` and `free_to`)."""
        query = ResourceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.resource_search(
            viewer=request.user, query=query.query(), now=timezone.now()
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=AvailabilitySerializer)
    @action(detail=True, methods=["get"])
    def availability(self, request: Request, pk: str) -> Response:
        """Free and busy intervals between `from` and `to` (at most 31 days), in
        Europe/Stockholm: opening hours, blackouts, bookings and the buffer after each."""
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        resource = self.get_object()
        return Response(
            availability.availability(
                resource, query.validated_data["from"], query.validated_data["to"]
            )
        )

    @extend_schema(methods=["GET"], responses=BlackoutSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=BlackoutSerializer, responses={201: BlackoutSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # one list
    @raises(NotYourListing)
    def blackouts(self, request: Request, pk: str) -> Response:
        """Periods the resource cannot be booked (its owner's side adds them)."""
        resource = self.get_object()
        if request.method == "GET":
            if not permissions.can_manage(request.user, resource.listing):
                raise NotYourListing()
            return Response(BlackoutSerializer(resource.blackouts.all(), many=True).data)
        data = BlackoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = resources.add_blackout(
            actor=signed_in_user(request), resource=resource, **data.validated_data
        )
        return Response(BlackoutSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"blackouts/(?P<blackout_id>[0-9]+)")
    @raises(NotYourListing, resources.UnknownBlackout)
    def remove_blackout(self, request: Request, pk: str, blackout_id: str) -> Response:
        resources.remove_blackout(
            actor=signed_in_user(request),
            resource=self.get_object(),
            blackout_id=int(blackout_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def bookings_for(viewer: Any) -> QuerySet[Booking]:
    """Bookings ``viewer`` made, and the bookings of resources on their side."""
    edits = permissions.organisations_edited_by(viewer)
    return (
        Booking.objects.filter(
            Q(booker=viewer)
            | Q(resource__listing__owner=viewer)
            | Q(resource__listing__organisation__in=edits)
        )
        .select_related("resource__listing", "booker")
        .order_by("starts_at", "pk")
    )


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your bookings, and the bookings of your cars and spaces."""

    serializer_class = BookingSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Booking]:
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return bookings_for(self.request.user)

    def get_serializer_context(self) -> Any:
        context = dict(super().get_serializer_context())
        if self.request.user.is_authenticated:
            context["edits"] = permissions.organisations_edited_by(self.request.user)
        return context

    @extend_schema(parameters=[BookingQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = BookingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset()
        me = signed_in_user(request)
        if query.validated_data.get("role") == "booker":
            found = found.filter(booker=me)
        elif query.validated_data.get("role") == "owner":
            found = found.exclude(booker=me)
        if states := query.validated_data.get("state"):
            found = found.filter(state__in=states)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSeriesSerializer})
    @idempotent
    @raises(*BOOKING_RULE_ERRORS)
    def create(self, request: Request) -> Response:
        """Book a car or space (send an `Idempotency-Key`). Instant-booking resources confirm
        at once, the others wait for the owner. `repeat` books a weekly or fortnightly series
        at the same local time, all or nothing; a 409 `booking_conflict` lists every
        conflicting interval in `conflicts`."""
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        resource = get_object_or_404(resources_shown(request.user), pk=values["resource"])
        first = bookings.Slot(values["start"], values["end"])
        repeat = values.get("repeat")
        slots = (
            bookings.weekly_slots(
                first, every_weeks=int(repeat["every_weeks"]), count=repeat["count"]
            )
            if repeat
            else [first]
        )
        made = bookings.book(
            booker=signed_in_user(request),
            resource=resource,
            slots=slots,
            note=values.get("note", ""),
            driver_confirmed=values["driver_confirmed"],
        )
        shown = list(self.get_queryset().filter(pk__in=[b.pk for b in made]))
        body = {
            "series": str(made[0].series) if made[0].series else None,
            "bookings": self.get_serializer(shown, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    def _answer(self, booking: Booking) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=booking.pk)).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    @raises(*MOVE_ERRORS)
    def approve(self, request: Request, pk: str) -> Response:
        """The owner's side confirms a requested booking (hours are held for time credits)."""
        return self._answer(
            bookings.approve(actor=signed_in_user(request), booking=self.get_object())
        )

    @extend_schema(request=RequiredReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*MOVE_ERRORS, bookings.ReasonRequired)
    def decline(self, request: Request, pk: str) -> Response:
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            bookings.decline(
                actor=signed_in_user(request),
                booking=self.get_object(),
                reason=data.validated_data["reason"],
            )
        )

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*MOVE_ERRORS, bookings.CancellationDeadlinePassed, bookings.ReasonRequired)
    def cancel(self, request: Request, pk: str) -> Response:
        """The booker cancels before the resource's deadline; the owner's side at any time
        before the end, with a reason."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            bookings.cancel(
                actor=signed_in_user(request),
                booking=self.get_object(),
                reason=data.validated_data.get("reason", ""),
            )
        )

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    @raises(*MOVE_ERRORS)
    def complete(self, request: Request, pk: str) -> Response:
        """The owner's side says it went as booked; hours for time credits are paid."""
        return self._answer(
            bookings.complete(actor=signed_in_user(request), booking=self.get_object())
        )

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ConditionReportCreateSerializer},
        responses={201: ConditionReportSerializer},
    )
    @extend_schema(methods=["GET"], responses=ConditionReportSerializer(many=True))
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,  # at most two reports, pick-up and return: one list
    )
    @raises(bookings.NotYourMove, bookings.ConditionReportNotPossible, bookings.TooManyPhotos)
    def condition(self, request: Request, pk: str) -> Response:
        """A car's condition at pick-up and at return (multipart: `stage`, `text`, `photos`
        up to six), written by the booker or the owner's side; both read them."""
        booking = self.get_object()
        if request.method == "GET":
            reports = booking.condition_reports.prefetch_related("photos")
            return Response(
                ConditionReportSerializer(reports, many=True, context={"request": request}).data
            )
        data = ConditionReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = bookings.report_condition(
            actor=signed_in_user(request),
            booking=booking,
            stage=data.validated_data["stage"],
            text=data.validated_data["text"],
            photos=data.validated_data.get("photos", []),
        )
        return Response(
            ConditionReportSerializer(made, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "text/calendar"): bytes})
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: str) -> HttpResponse:
        """The booking as an iCalendar file, to add to a calendar (a stable UID: adding it
        again after a change updates the same event)."""
        booking = self.get_object()
        body = calendars.render(
            [booking], viewer=signed_in_user(request), name=booking.resource.listing.title
        )
        return _calendar_response(body, f"bokning-{booking.pk}.ics")

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    @raises(*MOVE_ERRORS)
    def no_show(self, request: Request, pk: str) -> Response:
        """The owner's side says the booker never came; held hours go back."""
        return self._answer(
            bookings.no_show(actor=signed_in_user(request), booking=self.get_object())
        )


class CalendarFeedViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Private calendar feeds (iCalendar) of your bookings, or of all bookings of a resource
    of yours. The address holds a secret: it is shown once, when the feed is made; revoke a
    feed (DELETE) and its address answers 404."""

    serializer_class = CalendarFeedSerializer
    lookup_value_regex = "[0-9]+"  # any other id is no feed: the router's 404
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()
    pagination_class = None

    def get_queryset(self) -> QuerySet[CalendarFeed]:
        if getattr(self, "swagger_fake_view", False):
            return CalendarFeed.objects.none()
        return CalendarFeed.objects.filter(owner=signed_in_user(self.request), revoked_at=None)

    @extend_schema(
        request=CalendarFeedCreateSerializer, responses={201: CreatedCalendarFeedSerializer}
    )
    @raises(NotYourListing)
    def create(self, request: Request) -> Response:
        data = CalendarFeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resource = None
        if "resource" in data.validated_data:
            resource = get_object_or_404(
                resources_shown(request.user), pk=data.validated_data["resource"]
            )
        feed, token = calendars.create_feed(owner=signed_in_user(request), resource=resource)
        body = {**CalendarFeedSerializer(feed).data, "url": calendars.feed_url(token)}
        return Response(body, status=status.HTTP_201_CREATED)

    @raises(calendars.UnknownFeed)
    def destroy(self, request: Request, pk: str) -> Response:
        calendars.revoke_feed(owner=signed_in_user(request), feed_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps: no login, the token is the key."""
    feed = calendars.feed_for_token(token)
    if feed is None or not feed.owner.is_active:
        raise Http404
    name = str(feed.resource) if feed.resource_id else str(_("My bookings"))
    body = calendars.render(calendars.bookings_in(feed), viewer=feed.owner, name=name)
    return _calendar_response(body, "smartsamhalle.ics")


# --- Lifts ------------------------------------------------------------------------------------


class TripQuerySerializer(QuerySerializer):
    from_municipality = MunicipalityKeyField(required=False, help_text="Code or slug.")
    to_municipality = MunicipalityKeyField(required=False, help_text="Code or slug.")


class TripViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lifts (samåkning): trips offered or asked for, their departures with the seats left,
    and booking seats."""

    serializer_class = TripSerializer
    filter_backends = ()

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve", "departures"):
            return [drf_permissions.AllowAny()]
        return [IsVerifiedUser()]

    def get_queryset(self) -> QuerySet[Trip]:
        return (
            Trip.objects.filter(
                listing__in=Listing.objects.filter(permissions.visible_condition(self.request.user))
            )
            .select_related("listing")
            .order_by("departs_at", "pk")
        )

    @extend_schema(parameters=[TripQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from smartplatform.organisations.serializers import municipality_codes

        query = TripQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset()
        for name in ("from_municipality", "to_municipality"):
            if value := query.validated_data.get(name):
                found = found.filter(**{f"{name}_id__in": municipality_codes([value])})
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[AvailabilityQuerySerializer], responses=DepartureSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None)  # a window, not pages
    def departures(self, request: Request, pk: str) -> Response:
        """Departures between `from` and `to` with the seats left on each."""
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        trip = self.get_object()
        moments = lifts.departures(trip, query.validated_data["from"], query.validated_data["to"])
        taken = lifts.seats_taken_on(trip, moments)
        return Response(
            [
                {
                    "departure": bookings.local(moment).isoformat(),
                    "seats_left": trip.seats - taken.get(moment, 0),
                }
                for moment in moments
            ]
        )

    @extend_schema(request=SeatBookingCreateSerializer, responses={201: SeatBookingSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    @raises(
        lifts.SeatsSoldOut,
        lifts.NoSuchDeparture,
        lifts.AlreadyOnBoard,
        lifts.CannotRideOwnTrip,
        lifts.TripNotOpen,
    )
    def seats(self, request: Request, pk: str) -> Response:
        """Book seats on one departure (send an `Idempotency-Key`); never more than the trip
        has, whatever arrives at once (409 `seats_sold_out` with `seats_left`)."""
        data = SeatBookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = lifts.book_seats(
            passenger=signed_in_user(request),
            trip=self.get_object(),
            departure=data.validated_data["departure"],
            seats=data.validated_data["seats"],
        )
        made = SeatBooking.objects.select_related("passenger").get(pk=made.pk)
        return Response(SeatBookingSerializer(made).data, status=status.HTTP_201_CREATED)


class SeatBookingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your seats on lifts, and the seats booked on your trips."""

    serializer_class = SeatBookingSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()

    def get_queryset(self) -> QuerySet[SeatBooking]:
        if getattr(self, "swagger_fake_view", False):
            return SeatBooking.objects.none()
        me = signed_in_user(self.request)
        edits = permissions.organisations_edited_by(me)
        return (
            SeatBooking.objects.filter(
                Q(passenger=me)
                | Q(trip__listing__owner=me)
                | Q(trip__listing__organisation__in=edits)
            )
            .select_related("passenger")
            .order_by("departure", "pk")
        )

    @extend_schema(request=None, responses=SeatBookingSerializer)
    @action(detail=True, methods=["post"])
    @raises(lifts.NotYourSeats, lifts.SeatsNotBooked)
    def cancel(self, request: Request, pk: str) -> Response:
        made = lifts.cancel_seats(actor=signed_in_user(request), seat_booking=self.get_object())
        return Response(SeatBookingSerializer(made).data)
