"""The engine on the database: the candidates a published listing may be matched with, made
into profiles and ranked. The API, the tasks and ``evaluate_matching`` all rank here."""

from collections.abc import Collection

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from exchange.models import Exchange, Listing
from exchange.search import PG_WEIGHTS
from matching import engine, taxonomy
from smartplatform.core import analysis
from smartplatform.core.fulltext import Matches, Rank

# On PostgreSQL the engine ranks at most this many candidates, the likeliest by the
# full-text index, asked for the listing's rarest terms and its topics' rarest words (rare
# words tell most; each term more makes the index's work longer).
PREFILTER = 200
OWN_TERMS = 24
TOPIC_TERMS = 16


def candidates(listing: Listing) -> QuerySet[Listing]:
    """Published listings of the other kind and the same category, not the owner's own."""
    other = Listing.Kind.OFFER if listing.kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
    return Listing.objects.filter(
        state=Listing.State.PUBLISHED, kind=other, category=listing.category
    ).exclude(owner_id=listing.owner_id)


def profile_of(listing: Listing, *, use_taxonomy: bool = True) -> engine.Profile:
    """A listing's profile (its tags and municipality loaded, or fetched here)."""
    point = (
        (listing.latitude, listing.longitude)
        if listing.latitude is not None and listing.longitude is not None
        else None
    )
    published = listing.published_at
    return engine.profile(
        key=str(listing.pk),
        kind=listing.kind,
        category=listing.category,
        municipality=listing.municipality.code,
        title=listing.title,
        description=listing.description,
        tags=[tag.name for tag in listing.tags.all()],
        remote=listing.remote,
        point=point,
        use_taxonomy=use_taxonomy,
        availability=listing.availability,
        age_days=None if published is None else (timezone.now() - published).days,
        completed=getattr(listing, "owner_completed", 0) or 0,
    )


def rank_for(
    listing: Listing,
    *,
    limit: int | None = None,
    use_taxonomy: bool = True,
    within: Collection[int] | None = None,
) -> list[engine.Scored]:
    """The listing's candidates (only those in ``within``, when given), best first
    (``Scored.key`` is a listing id as text)."""
    query = profile_of(listing, use_taxonomy=use_taxonomy)
    found = candidates(listing)
    if within is not None:
        found = found.filter(pk__in=list(within))
    if connection.vendor == "postgresql":
        found = _narrowed(found, query)
    pool = [
        profile_of(candidate, use_taxonomy=use_taxonomy)
        for candidate in found.annotate(owner_completed=_completed_by_owner())
        .select_related("municipality")
        .prefetch_related("tags")
        .order_by("pk")
    ]
    return engine.rank(query, pool, limit=limit)


def _narrowed(found: QuerySet[Listing], query: engine.Profile) -> QuerySet[Listing]:
    """The ``PREFILTER`` candidates holding the most of the query's stems or of its topics'
    words, found through the listings' full-text index; the engine ranks only those. A
    marketplace smaller than that is ranked whole."""
    own = _rarest(set(query.stems), OWN_TERMS)
    topical: set[str] = set()
    for topic in query.topics:
        topical |= taxonomy.topic_stems().get(topic, frozenset())
    terms = own + _rarest(topical - set(own), TOPIC_TERMS)
    if not terms:
        return found
    any_term = analysis.any_of_tsquery(terms)
    best = (
        found.filter(Matches(any_term))
        .annotate(rank=Rank(any_term, PG_WEIGHTS, cover_density=False))
        .order_by("-rank", "pk")
        .values_list("pk", flat=True)[:PREFILTER]
    )
    return found.filter(pk__in=list(best))


def _rarest(stems: set[str], count: int) -> list[str]:
    """The ``count`` least common stems in Swedish (unknown ones first), ties by name."""
    return sorted(stems, key=lambda stem: (analysis.zipf(stem), stem))[:count]


def _completed_by_owner() -> Subquery:
    """Exchanges the listing's owner has completed, on either side."""
    return Subquery(
        Exchange.objects.filter(state=Exchange.State.COMPLETED)
        .filter(Q(listing__owner=OuterRef("owner_id")) | Q(responder=OuterRef("owner_id")))
        .order_by()
        .values("state")
        .annotate(count=Count("pk"))
        .values("count")[:1],
        output_field=IntegerField(),
    )
