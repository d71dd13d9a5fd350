"""Reads: the listing search behind ``/api/v1/listings/``, what a listing shows, what a
viewer may report, and the search of bookable resources by facts and free time."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ACos, Coalesce, Cos, Greatest, Least, Radians, Sin

from exchange import permissions, search
from exchange.models import (
    ACTIVE_BOOKING_STATES,
    Blackout,
    Booking,
    Exchange,
    Listing,
    ListingImage,
    ListingTag,
    Message,
    OpeningHours,
    Resource,
    ResourceEquipment,
    Review,
)
from smartplatform.organisations.models import Municipality

EARTH_RADIUS_KM = 6371.0

ORDERINGS: dict[str, tuple[Any, ...]] = {
    # Plain DESC/ASC (NULLS FIRST/LAST as PostgreSQL's defaults) so the (-published_at, -id)
    # index serves the newest-first page; only drafts, seen in ?mine=true, lack the date.
    "relevance": (F("rank").desc(), "-published_at", "-pk"),
    "newest": ("-published_at", "-pk"),
    "oldest": ("published_at", "pk"),
    "nearest": ("distance_km", "-pk"),
    "expires": (F("expires_at").asc(nulls_last=True), "pk"),
}


@dataclass
class ListingQuery:
    search: str = ""
    kinds: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # codes
    tags: list[str] = field(default_factory=list)
    compensations: list[str] = field(default_factory=list)
    remote: bool | None = None
    organisation: str | None = None  # slug
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    mine: bool = False
    ordering: str | None = None


def _distance_km(latitude: float, longitude: float) -> Any:
    """Great-circle distance from a point to the listing's own coordinates, or to its
    municipality's centre when it has none (``distance_km`` computes the same in Python)."""
    lat = Radians(Coalesce("latitude", "municipality__latitude"))
    lon = Radians(Coalesce("longitude", "municipality__longitude"))
    here_lat, here_lon = math.radians(latitude), math.radians(longitude)
    cosine = Sin(lat) * Value(math.sin(here_lat)) + Cos(lat) * Value(math.cos(here_lat)) * Cos(
        lon - Value(here_lon)
    )
    # Rounding can push the cosine a hair past 1; ACos would fail there.
    return ACos(Greatest(Value(-1.0), Least(Value(1.0), cosine))) * Value(EARTH_RADIUS_KM)


def distance_km(here: tuple[float, float], there: tuple[float, float]) -> float:
    """The distance ``_distance_km`` computes in SQL, for the few listings of one page."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*here, *there))
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(
        lon2 - lon1
    )
    return math.acos(max(-1.0, min(1.0, cosine))) * EARTH_RADIUS_KM


def _within_box(latitude: float, longitude: float, radius_km: float) -> Q:
    """A cheap, indexable first cut for a radius: the listings whose point (or, without one,
    whose municipality's centre) lies in the box around the circle. The exact distance then
    filters the few left, instead of being computed for every listing."""
    half_height = math.degrees(radius_km / EARTH_RADIUS_KM)
    box = Q(latitude__range=(latitude - half_height, latitude + half_height))
    centres = Q(latitude__range=(latitude - half_height, latitude + half_height))
    cos_lat = math.cos(math.radians(min(89.0, abs(latitude) + half_height)))
    half_width = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    if abs(longitude) + half_width < 180:  # no box across the antimeridian: latitude only
        box &= Q(longitude__range=(longitude - half_width, longitude + half_width))
        centres &= Q(longitude__range=(longitude - half_width, longitude + half_width))
    return box | Q(
        latitude__isnull=True,
        municipality__in=Municipality.objects.filter(centres).values("code"),
    )


# Orderings computed per match (rank, distance): every match is read to sort them anyway,
# so the page's own query counts them too. The others are served by an index in order and
# read only one page's rows; a separate count is cheaper for them.
COMPUTED_ORDERINGS = frozenset({"relevance", "nearest"})


@dataclass
class ListingSearch:
    ordered: QuerySet[Listing, int]  # the ids found, in order; load a page with ``for_list``
    count_with_page: bool
    near: tuple[float, float] | None
    viewer: Any

    def for_list(self, ids: list[int]) -> list[Listing]:
        return listings_for_list(ids, near=self.near, viewer=self.viewer)


def listing_search(*, viewer: Any, query: ListingQuery) -> ListingSearch:
    if query.mine:
        listings = (
            Listing.objects.filter(owner=viewer)
            if viewer.is_authenticated
            else Listing.objects.none()
        )
    else:
        listings = Listing.objects.filter(permissions.shown_publicly(viewer))
    if query.search:
        listings = search.apply(listings, query.search)
    if query.kinds:
        listings = listings.filter(kind__in=query.kinds)
    if query.categories:
        listings = listings.filter(category__in=query.categories)
    if query.municipalities:
        # The column holds the code: no join to the municipalities.
        listings = listings.filter(municipality_id__in=query.municipalities)
    for tag in query.tags:
        listings = listings.filter(
            pk__in=Listing.tags.through.objects.filter(listingtag__name=tag).values("listing_id")
        )
    if query.compensations:
        listings = listings.filter(compensation__in=query.compensations)
    if query.remote is not None:
        listings = listings.filter(remote=query.remote)
    if query.organisation:
        listings = listings.filter(organisation__slug=query.organisation)
    if query.near is not None:
        latitude, longitude = query.near
        listings = listings.annotate(distance_km=_distance_km(latitude, longitude))
        if query.radius_km is not None:
            listings = listings.filter(
                _within_box(latitude, longitude, query.radius_km),
                distance_km__lte=query.radius_km,
            )
    ordering = query.ordering or ("relevance" if query.search else "newest")
    if ordering == "relevance" and not query.search:
        ordering = "newest"
    if ordering == "nearest" and query.near is None:
        ordering = "newest"
    return ListingSearch(
        ordered=listings.order_by(*ORDERINGS[ordering]).values_list("pk", flat=True),
        count_with_page=ordering in COMPUTED_ORDERINGS,
        near=query.near,
        viewer=viewer,
    )


def with_list_data(listings: QuerySet[Listing], viewer: Any) -> QuerySet[Listing]:
    """What a listing in the API shows: its owner, organisation, municipality, tags and
    pictures, and whether its exact address is open to the viewer as the other party
    (``address_opened``: an accepted answer or a confirmed booking)."""
    loaded = listings.select_related("owner", "organisation", "municipality").prefetch_related(
        Prefetch("tags", queryset=ListingTag.objects.order_by("name")),
        Prefetch("images", queryset=ListingImage.objects.order_by("position", "pk")),
    )
    if viewer is not None and viewer.is_authenticated:
        loaded = loaded.annotate(
            address_opened=Exists(
                Listing.objects.filter(permissions.address_opened(viewer), pk=OuterRef("pk"))
            )
        )
    return loaded


def listings_for_list(
    ids: list[int], *, near: tuple[float, float] | None, viewer: Any
) -> list[Listing]:
    """The listings of one page, in the order of ``ids``, with what a list entry shows (and,
    for a search near a point, ``distance_km``)."""
    found = {
        listing.pk: listing
        for listing in with_list_data(Listing.objects.filter(pk__in=ids), viewer)
    }
    page = [found[pk] for pk in ids if pk in found]
    if near is not None:
        for listing in page:
            there = (
                (listing.latitude, listing.longitude)
                if listing.latitude is not None and listing.longitude is not None
                else (listing.municipality.latitude, listing.municipality.longitude)
            )
            listing.distance_km = distance_km(near, there)  # type: ignore[attr-defined]
    return page


def listing_detail_queryset(*, viewer: Any) -> QuerySet[Listing]:
    return with_list_data(Listing.objects.filter(permissions.visible_condition(viewer)), viewer)


def reportable(kind: str, *, viewer: Any) -> QuerySet[Any]:
    """What ``viewer`` can see, and so report, of one reportable kind: listings they may
    read, messages of exchanges they may read, reviews that are shown."""
    if kind == "message":
        return Message.objects.filter(
            exchange__in=Exchange.objects.filter(permissions.exchanges_visible_condition(viewer))
        )
    if kind == "review":
        return Review.objects.filter(hidden_at__isnull=True)
    return listing_detail_queryset(viewer=viewer)


# --- Bookable resources ---------------------------------------------------------------------


@dataclass
class ResourceQuery:
    categories: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # codes
    capacity_min: int | None = None
    seats_min: int | None = None
    fuels: list[str] = field(default_factory=list)
    step_free: bool | None = None
    hearing_loop: bool | None = None
    accessible_toilet: bool | None = None
    wheelchair: bool | None = None
    equipment: list[str] = field(default_factory=list)  # all of them
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    free_from: datetime | None = None
    free_to: datetime | None = None


def _free_condition(start: datetime, end: datetime, now: datetime) -> Any:
    """Resources a booking of exactly [start, end) would be accepted on: its rules (length,
    days ahead), opening hours, blackouts, and active bookings with their buffers. The new
    booking's own buffer (it must not run into the next booking) is ``_tail_conflicts``'s."""
    from exchange.bookings import STOCKHOLM

    minutes = (end - start).total_seconds() / 60
    days_ahead = math.ceil(max(0.0, (start - now).total_seconds()) / 86400)
    condition: Any = Q(
        min_duration_minutes__lte=minutes,
        max_duration_minutes__gte=minutes,
        max_days_ahead__gte=days_ahead,
    )
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    has_hours = Exists(OpeningHours.objects.filter(resource=OuterRef("pk")))
    if local_start.date() == local_end.date():
        fits = Exists(
            OpeningHours.objects.filter(
                resource=OuterRef("pk"),
                weekday=local_start.weekday(),
                opens__lte=local_start.time(),
                closes__gte=local_end.time(),
            )
        )
        condition &= ~has_hours | fits
    else:
        condition &= ~has_hours
    condition &= ~Exists(
        Blackout.objects.filter(resource=OuterRef("pk"), starts_at__lt=end, ends_at__gt=start)
    )
    condition &= ~Exists(
        Booking.objects.filter(
            resource=OuterRef("pk"),
            state__in=ACTIVE_BOOKING_STATES,
            starts_at__lt=end,
            blocked_until__gt=start,
        )
    )
    return condition if start > now else Q(pk__in=[])


def _tail_conflicts(candidates: QuerySet[Resource], end: datetime) -> set[int]:
    """Candidates where a booking ending at ``end`` would, with the resource's buffer after
    it, run into the next booking. Two small queries whatever the number of candidates (a
    per-row buffer in SQL date arithmetic is not portable to SQLite)."""
    longest = candidates.aggregate(longest=Max("buffer_minutes"))["longest"] or 0
    if not longest:
        return set()
    following = Booking.objects.filter(
        resource__in=candidates.filter(buffer_minutes__gt=0).values("pk"),
        state__in=ACTIVE_BOOKING_STATES,
        starts_at__gte=end,
        starts_at__lt=end + timedelta(minutes=longest),
    ).values_list("resource_id", "starts_at", "resource__buffer_minutes")
    return {
        resource_id
        for resource_id, starts_at, buffer in following
        if starts_at < end + timedelta(minutes=buffer)
    }


def resource_search(*, viewer: Any, query: ResourceQuery, now: datetime) -> QuerySet[Resource]:
    """Bookable resources of the listings ``viewer`` may read, by their facts and, with
    ``free_from`` and ``free_to``, only those free for that whole interval."""
    listings = Listing.objects.filter(permissions.shown_publicly(viewer))
    if query.categories:
        listings = listings.filter(category__in=query.categories)
    if query.municipalities:
        listings = listings.filter(municipality_id__in=query.municipalities)
    if query.near is not None and query.radius_km is not None:
        latitude, longitude = query.near
        listings = listings.annotate(distance_km=_distance_km(latitude, longitude)).filter(
            _within_box(latitude, longitude, query.radius_km), distance_km__lte=query.radius_km
        )
    found = Resource.objects.filter(listing__in=listings.values("pk"))
    if query.capacity_min is not None:
        found = found.filter(capacity__gte=query.capacity_min)
    if query.seats_min is not None:
        found = found.filter(seats__gte=query.seats_min)
    if query.fuels:
        found = found.filter(fuel__in=query.fuels)
    for name in ("step_free", "hearing_loop", "accessible_toilet"):
        wanted = getattr(query, name)
        if wanted is not None:
            found = found.filter(**{name: wanted})
    if query.wheelchair is not None:
        found = found.filter(wheelchair_accessible=query.wheelchair)
    for item in query.equipment:
        found = found.filter(
            Exists(ResourceEquipment.objects.filter(resource=OuterRef("pk"), item=item))
        )
    if query.free_from is not None and query.free_to is not None:
        found = found.filter(_free_condition(query.free_from, query.free_to, now))
        found = found.exclude(pk__in=_tail_conflicts(found, query.free_to))
    return (
        found.select_related("listing")
        .prefetch_related("equipment", "opening_hours")
        .order_by("pk")
    )
