"""The engine on the database: the candidates a published listing may be matched with, made
into profiles and ranked. The API, the tasks and ``evaluate_matching`` all rank here."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from exchange import reviews
from exchange.models import Exchange, Listing
from matching import engine, taxonomy
from smartplatform.core import analysis
from smartplatform.core.fulltext import HoldsAny, Overlap

# On PostgreSQL the engine ranks at most this many candidates, the likeliest by the
# full-text index (``prefilter_terms``).
PREFILTER = 200
OWN_TERMS = 24
TOPIC_TERMS = 16
# What a prefilter term is worth in a candidate's title and elsewhere (whole numbers: see
# ``_narrowed``).
IN_TITLE = 3
ELSEWHERE = 1


@dataclass(frozen=True)
class Standing:
    """What a listing's owner has done: exchanges completed, and reviews received."""

    completed: int = 0
    rating: float | None = None  # the shown reviews' average
    reviews: int = 0


# What a candidate's profile reads besides the listing.
RELATED = ("municipality", "trip__from_municipality", "trip__to_municipality")


def candidates(listing: Listing) -> QuerySet[Listing]:
    """Published listings of the other kind and the same category, not the owner's own."""
    other = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    return Listing.objects.filter(
        state=Listing.State.PUBLISHED, kind=other, category=listing.category
    ).exclude(owner_id=listing.owner_id)


def profile_of(
    listing: Listing,
    *,
    use_taxonomy: bool = True,
    now: datetime | None = None,
    tag_names: list[str] | None = None,
    standing: Standing | None = None,
) -> engine.Profile:
    """A listing's profile: its tags (``tag_names``, or fetched here), municipality and (a
    lift) trip, its age in whole days to ``now``, and its owner's ``standing`` (or the
    annotations ``rank_for`` makes; none: a listing ranked for, whose own does not count)."""
    if standing is None:
        standing = Standing(
            completed=getattr(listing, "owner_completed", None) or 0,
            rating=getattr(listing, "owner_rating", None),
            reviews=getattr(listing, "owner_reviews", None) or 0,
        )
    point = _point(listing.latitude, listing.longitude)
    published = listing.published_at
    return engine.profile(
        key=str(listing.pk),
        kind=listing.kind,
        category=listing.category,
        municipality=listing.municipality.code,
        title=listing.title,
        description=listing.description,
        tags=tag_names if tag_names is not None else [tag.name for tag in listing.tags.all()],
        remote=listing.remote,
        point=point,
        use_taxonomy=use_taxonomy,
        availability=listing.availability,
        age_days=None if published is None else ((now or timezone.now()) - published).days,
        completed=standing.completed,
        rating=None if standing.rating is None else float(standing.rating),
        reviews=standing.reviews,
        trip=trip_of(listing),
    )


def trip_of(listing: Listing) -> engine.Trip | None:
    """A lift's trip (loaded with ``select_related("trip")``, or fetched here)."""
    if listing.category != Listing.Category.CAR:
        return None
    trip = getattr(listing, "trip", None)  # a car or space without a route has none
    if trip is None:
        return None
    return engine.Trip(
        origin=trip.from_municipality.code,
        destination=trip.to_municipality.code,
        departs_at=trip.departs_at,
        flexibility=trip.flexibility_minutes,
        weekly=trip.weekly,
        origin_point=_point(trip.from_latitude, trip.from_longitude),
        destination_point=_point(trip.to_latitude, trip.to_longitude),
    )


def _point(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    return None if latitude is None or longitude is None else (latitude, longitude)


def rank_for(
    listing: Listing,
    *,
    limit: int | None = None,
    use_taxonomy: bool = True,
    within: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[engine.Scored]:
    """The listing's candidates (only those in ``within``, when given), best first
    (``Scored.key`` is a listing id as text), with ages counted to ``now``."""
    now = now or timezone.now()
    query = profile_of(listing, use_taxonomy=use_taxonomy, now=now)
    found = candidates(listing)
    if within is not None:
        found = found.filter(pk__in=list(within))
    if connection.vendor == "postgresql":
        found = _narrowed(found, query)
    pool = [
        profile_of(candidate, use_taxonomy=use_taxonomy, now=now)
        for candidate in found.annotate(**standing_annotations())
        .select_related(*RELATED)
        .prefetch_related("tags")
        .order_by("pk")
    ]
    return engine.rank(query, pool, limit=limit)


def prefilter_terms(query: engine.Profile) -> list[str]:
    """The terms the full-text prefilter asks for: the listing's ``OWN_TERMS`` rarest stems
    and its topics' ``TOPIC_TERMS`` rarest words (rare words tell most; each term more makes
    the index's work longer)."""
    own = _rarest(set(query.stems), OWN_TERMS)
    topical: set[str] = set()
    for topic in query.topics:
        topical |= taxonomy.topic_stems().get(topic, frozenset())
    return own + _rarest(topical - set(own), TOPIC_TERMS)


def _narrowed(found: QuerySet[Listing], query: engine.Profile) -> QuerySet[Listing]:
    """The ``PREFILTER`` candidates holding most of the query's prefilter terms (a term in
    the title counts ``IN_TITLE``, elsewhere ``ELSEWHERE``; ties by id), found through the
    listings' full-text index; the engine ranks only those. A marketplace smaller than that
    is ranked whole. ``matching.batch`` computes the same choice from the same lexemes."""
    terms = prefilter_terms(query)
    if not terms:
        return found
    best = (
        found.filter(HoldsAny(terms))
        .annotate(overlap=Overlap(terms, in_title=IN_TITLE, elsewhere=ELSEWHERE))
        .order_by("-overlap", "pk")
        .values_list("pk", flat=True)[:PREFILTER]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Seeing the sum's cost, the planner sends two parallel workers over the whole table;
        # one process reading the category's rows through their index takes a third of that.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        chosen = list(best)
    return found.filter(pk__in=chosen)


def _rarest(stems: set[str], count: int) -> list[str]:
    """The ``count`` least common stems in Swedish (unknown ones first), ties by name."""
    return sorted(stems, key=lambda stem: (analysis.zipf(stem), stem))[:count]


def standing_annotations() -> dict[str, Subquery]:
    """A listing's owner's exchanges completed (on either side) and shown reviews' average
    and count, as ``profile_of`` reads them."""
    about_owner = reviews.shown().filter(subject=OuterRef("owner_id")).order_by()
    return {
        "owner_completed": Subquery(
            Exchange.objects.filter(state=Exchange.State.COMPLETED)
            .filter(Q(listing__owner=OuterRef("owner_id")) | Q(responder=OuterRef("owner_id")))
            .order_by()
            .values("state")
            .annotate(count=Count("pk"))
            .values("count")[:1],
            output_field=IntegerField(),
        ),
        "owner_rating": Subquery(
            about_owner.values("subject").annotate(average=Avg("rating")).values("average")[:1]
        ),
        "owner_reviews": Subquery(
            about_owner.values("subject").annotate(count=Count("pk")).values("count")[:1],
            output_field=IntegerField(),
        ),
    }
