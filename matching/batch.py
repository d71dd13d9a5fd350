"""The nightly path: every published listing ranked, a category at a time, with the same
result as the online path (``ranking.rank_for``) gives each listing on its own.

The online path asks the database, per listing, for its candidates' rows and for the
prefilter's choice among them; for 100,000 listings that is 100,000 round trips of each. Here a
category's published listings are read once, each made into its profile once, and each
listing's lexemes (PostgreSQL's own, from the stored vector) go into an inverted index of
integer arrays. The prefilter's choice is then the same whole-number sum the database
computes (``ranking._narrowed``), with the same ties by id, so the engine ranks the same pool
in the same order and gives the same scores.

Memory is bounded by the largest category (its profiles and its index), not by the
marketplace: one category is held at a time.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Avg, Count
from django.db.models.expressions import RawSQL

from exchange import reviews
from exchange.models import Exchange, Listing
from matching import engine, ranking

NO_STANDING = ranking.Standing()


@dataclass
class _Side:
    """The published listings of one kind in a category, in id order, with what the
    prefilter needs of each."""

    ids: list[int]
    owners: np.ndarray
    profiles: list[engine.Profile]
    anywhere: dict[str, np.ndarray]  # lexeme -> positions of the listings holding it
    in_title: dict[str, np.ndarray]  # lexeme -> positions of those holding it in the title


def rank_all(*, now: datetime, limit: int) -> Iterator[tuple[int, list[engine.Scored]]]:
    """Every published listing's id with its best ``limit`` candidates, as
    ``ranking.rank_for(listing, limit=limit)`` would rank them at ``now``."""
    categories = (
        Listing.objects.filter(state=Listing.State.PUBLISHED)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )
    standings = _standings()
    for category in list(categories):
        sides = {kind: _side(category, kind, now=now, standings=standings) for kind in Listing.Kind}
        for kind, side in sides.items():
            other = sides[
                Listing.Kind.OFFER if kind == Listing.Kind.REQUEST else Listing.Kind.REQUEST
            ]
            for position, listing_id in enumerate(side.ids):
                query = side.profiles[position]
                owner = int(side.owners[position])
                pool = [other.profiles[i] for i in _pool(query, owner, other)]
                yield listing_id, engine.rank(query, pool, limit=limit)
        del sides


def _pool(query: engine.Profile, owner: int, side: _Side) -> list[int]:
    """Positions in ``side`` of the candidates the online path would rank, in id order."""
    allowed = side.owners != owner
    # The online path ranks the whole pool on SQLite, and when there is nothing to ask for.
    terms = ranking.prefilter_terms(query) if connection.vendor == "postgresql" else []
    if not terms:
        return [int(i) for i in np.flatnonzero(allowed)]
    overlap = np.zeros(len(side.ids), dtype=np.int32)
    for term in terms:
        holders = side.anywhere.get(term)
        if holders is not None:
            overlap[holders] += ranking.ELSEWHERE
            titled = side.in_title.get(term)
            if titled is not None:
                overlap[titled] += ranking.IN_TITLE - ranking.ELSEWHERE
    overlap[~allowed] = 0
    chosen = np.flatnonzero(overlap)
    if len(chosen) > ranking.PREFILTER:
        # Most overlap first, ties by id (positions are in id order), as the database orders.
        order = np.lexsort((chosen, -overlap[chosen]))[: ranking.PREFILTER]
        chosen = np.sort(chosen[order])
    return [int(i) for i in chosen]


def _side(
    category: str, kind: str, *, now: datetime, standings: dict[int, ranking.Standing]
) -> _Side:
    listings = (
        Listing.objects.filter(state=Listing.State.PUBLISHED, category=category, kind=kind)
        .select_related(*ranking.RELATED)
        .order_by("pk")
    )
    tags = _tags(category, kind)
    vendor_lexemes = connection.vendor == "postgresql"
    if vendor_lexemes:
        listings = listings.annotate(
            lexemes=RawSQL('tsvector_to_array("exchange_listing"."search_vector")', ()),
            title_lexemes=RawSQL(
                """tsvector_to_array(ts_filter("exchange_listing"."search_vector", '{a}'))""",
                (),
            ),
        )
    ids: list[int] = []
    owners: list[int] = []
    profiles: list[engine.Profile] = []
    anywhere: dict[str, list[int]] = defaultdict(list)
    in_title: dict[str, list[int]] = defaultdict(list)
    for position, listing in enumerate(listings.iterator(chunk_size=2000)):
        ids.append(listing.pk)
        owners.append(listing.owner_id)
        profiles.append(
            ranking.profile_of(
                listing,
                now=now,
                tag_names=tags.get(listing.pk, []),
                standing=standings.get(listing.owner_id, NO_STANDING),
            )
        )
        if vendor_lexemes:
            for word in listing.lexemes:  # type: ignore[attr-defined]
                anywhere[word].append(position)
            for word in listing.title_lexemes:  # type: ignore[attr-defined]
                in_title[word].append(position)
    return _Side(
        ids=ids,
        owners=np.array(owners, dtype=np.int64),
        profiles=profiles,
        anywhere={word: np.array(found, dtype=np.int32) for word, found in anywhere.items()},
        in_title={word: np.array(found, dtype=np.int32) for word, found in in_title.items()},
    )


def _tags(category: str, kind: str) -> dict[int, list[str]]:
    """Tag names per listing, by name as ``listing.tags.all()`` orders them."""
    through = Listing.tags.through
    rows = (
        through.objects.filter(
            listing__state=Listing.State.PUBLISHED,
            listing__category=category,
            listing__kind=kind,
        )
        .order_by("listing_id", "listingtag__name")
        .values_list("listing_id", "listingtag__name")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for listing_id, name in rows.iterator(chunk_size=5000):
        names[listing_id].append(name)
    return names


def _standings() -> dict[int, ranking.Standing]:
    """Every owner's standing (``ranking.standing_annotations``, for all at once)."""
    done = Exchange.objects.filter(state=Exchange.State.COMPLETED).order_by()
    completed: dict[int, int] = defaultdict(int)
    for side in ("listing__owner_id", "responder_id"):
        for person, count in done.values(side).annotate(n=Count("pk")).values_list(side, "n"):
            completed[person] += count
    rated = {
        person: (average, count)
        for person, average, count in reviews.shown()
        .order_by()
        .values("subject")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .values_list("subject", "average", "count")
    }
    standings = {}
    for person in completed.keys() | rated.keys():
        rating, count = rated.get(person, (None, 0))
        standings[person] = ranking.Standing(
            completed=completed.get(person, 0), rating=rating, reviews=count
        )
    return standings
