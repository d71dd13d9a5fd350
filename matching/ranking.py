"""The engine on the database: the candidates a published listing may be matched with, made
into profiles and ranked. The API, the tasks and ``evaluate_matching`` all rank here."""

from collections.abc import Collection

from django.db.models import QuerySet

from exchange.models import Listing
from matching import engine


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
    found = candidates(listing)
    if within is not None:
        found = found.filter(pk__in=list(within))
    pool = [
        profile_of(candidate, use_taxonomy=use_taxonomy)
        for candidate in found.select_related("municipality")
        .prefetch_related("tags")
        .order_by("pk")
    ]
    return engine.rank(profile_of(listing, use_taxonomy=use_taxonomy), pool, limit=limit)
