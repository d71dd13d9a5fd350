"""Reads of listings: the search behind ``/api/v1/listings/``."""

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import ACos, Coalesce, Cos, Greatest, Least, Radians, Sin

from exchange import permissions, search
from exchange.models import Listing, ListingImage, ListingTag

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
    municipality's centre when it has none."""
    lat = Radians(Coalesce("latitude", "municipality__latitude"))
    lon = Radians(Coalesce("longitude", "municipality__longitude"))
    here_lat, here_lon = math.radians(latitude), math.radians(longitude)
    cosine = Sin(lat) * Value(math.sin(here_lat)) + Cos(lat) * Value(math.cos(here_lat)) * Cos(
        lon - Value(here_lon)
    )
    # Rounding can push the cosine a hair past 1; ACos would fail there.
    return ACos(Greatest(Value(-1.0), Least(Value(1.0), cosine))) * Value(EARTH_RADIUS_KM)


def listing_search(*, viewer: Any, query: ListingQuery) -> QuerySet[Listing]:
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
        listings = listings.filter(municipality__code__in=query.municipalities)
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
            listings = listings.filter(distance_km__lte=query.radius_km)
    ordering = query.ordering or ("relevance" if query.search else "newest")
    if ordering == "relevance" and not query.search:
        ordering = "newest"
    if ordering == "nearest" and query.near is None:
        ordering = "newest"
    return with_list_data(listings).order_by(*ORDERINGS[ordering])


def with_list_data(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    return listings.select_related("owner", "organisation", "municipality").prefetch_related(
        Prefetch("tags", queryset=ListingTag.objects.order_by("name")),
        Prefetch("images", queryset=ListingImage.objects.order_by("position", "pk")),
    )


def listing_detail_queryset(*, viewer: Any) -> QuerySet[Listing]:
    return with_list_data(Listing.objects.filter(permissions.visible_condition(viewer)))
