"""Evaluating the engine on a judged set through the database, as the product runs it: every
listing is saved (one throwaway owner each, published) inside a transaction that is rolled
back, and each judged request is ranked by ``matching.ranking`` against the offers of its
category."""

from collections.abc import Collection, Sequence
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from exchange import search
from exchange.models import Listing, ListingTag
from matching import metrics, ranking
from matching.devset import SetListing
from smartplatform.accounts.models import User
from smartplatform.organisations.models import Municipality

SPLITS = ("all", "odd", "even")


class _RolledBack(Exception):
    pass


def in_split(query: str, split: str) -> bool:
    """Requests split by the number in their id, a rule fixed before any tuning."""
    if split == "all":
        return True
    digits = "".join(ch for ch in query if ch.isdigit())
    odd = bool(digits) and int(digits) % 2 == 1
    return odd if split == "odd" else not odd


def evaluate(
    listings: Sequence[SetListing],
    qrels: dict[str, dict[str, int]],
    *,
    use_taxonomy: bool = True,
    splits: Collection[str] = ("all",),
) -> dict[str, dict[str, float]]:
    rankings: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            saved = _save(listings)
            by_pk = {str(listing.pk): key for key, listing in saved.items()}
            saved_pks = [listing.pk for listing in saved.values()]
            for query in qrels:
                if query in saved:
                    # Among the set's own listings: the database may hold others.
                    ranked = ranking.rank_for(
                        saved[query], use_taxonomy=use_taxonomy, within=set(saved_pks)
                    )
                    rankings[query] = [by_pk[scored.key] for scored in ranked]
            raise _RolledBack
    except _RolledBack:
        pass
    return {
        split: metrics.evaluate(
            rankings, {query: grades for query, grades in qrels.items() if in_split(query, split)}
        )
        for split in splits
    }


def _save(listings: Sequence[SetListing]) -> dict[str, Listing]:
    municipalities = {m.code: m for m in Municipality.objects.all()}
    unknown = sorted({item.municipality for item in listings} - set(municipalities))
    if unknown:
        raise ValueError(f"Unknown municipality codes: {', '.join(unknown)}")
    password = make_password(None)
    owners = User.objects.bulk_create(
        [
            User(
                email=f"evaluation-{item.id}@evaluation.invalid",
                display_name=item.id,
                password=password,
            )
            for item in listings
        ]
    )
    now = timezone.now()
    rows = []
    for item, owner in zip(listings, owners, strict=True):
        listing = Listing(
            owner=owner,
            kind=item.kind,
            category=item.category,
            title=item.title[:150],
            description=item.description[:5000],
            municipality=municipalities[item.municipality],
            state=Listing.State.PUBLISHED,
            published_at=now,
            state_changed_at=now,
            expires_at=now + timedelta(days=90),
        )
        # The analysed search columns, as the listing services keep them.
        columns = search.search_columns(listing, tag_names=list(item.tags))
        listing.search_title = columns["search_title"]
        listing.search_body = columns["search_body"]
        rows.append(listing)
    made = Listing.objects.bulk_create(rows)
    names = sorted({tag.lower()[:50] for item in listings for tag in item.tags})
    ListingTag.objects.bulk_create([ListingTag(name=name) for name in names], ignore_conflicts=True)
    tags = dict(ListingTag.objects.filter(name__in=names).values_list("name", "pk"))
    Listing.tags.through.objects.bulk_create(
        [
            Listing.tags.through(listing_id=listing.pk, listingtag_id=tags[tag.lower()[:50]])
            for item, listing in zip(listings, made, strict=True)
            for tag in dict.fromkeys(item.tags)
        ],
        ignore_conflicts=True,
    )
    return {item.id: listing for item, listing in zip(listings, made, strict=True)}
