"""Saved searches: a person keeps a listing search, and is told of each newly published
listing it would find, once per search and listing.

A search is kept as the listing list's own parameters and checked by the listing list's
own selector, so "found by the saved search" means exactly "found by that search now"
(blocks, suspensions and all)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from exchange.models import Listing
from exchange.selectors import listing_search
from exchange.serializers import ListingQuerySerializer
from matching.models import SavedSearch
from notifications.services import notify
from smartplatform.accounts.models import User
from smartplatform.core import analysis
from smartplatform.core.errors import ConflictError, DomainError

MAX_PER_PERSON = 20
# What a saved search may hold: the list's filters, not its paging, ordering or "mine".
KEPT = (
    "search",
    "kind",
    "category",
    "municipality",
    "tag",
    "compensation",
    "remote",
    "organisation",
    "near",
    "radius_km",
)


class TooManySavedSearches(ConflictError):
    code = "too_many_saved_searches"
    default_message = _("You can keep at most 20 saved searches. Remove one first.")


class EmptySavedSearch(DomainError):
    code = "empty_saved_search"
    default_message = _("A saved search needs words to search for or at least one filter.")


def _query(params: dict[str, Any]) -> Any:
    query = ListingQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    return query.query()


@transaction.atomic
def save(*, user: User, name: str, params: dict[str, Any]) -> SavedSearch:
    kept = {key: value for key, value in params.items() if key in KEPT and value not in ("", [])}
    if not kept:
        raise EmptySavedSearch
    _query(kept)  # refused here, with the list's own messages, if the list would refuse it
    User.objects.select_for_update().filter(pk=user.pk).first()  # one count at a time
    if SavedSearch.objects.filter(user=user).count() >= MAX_PER_PERSON:
        raise TooManySavedSearches
    return SavedSearch.objects.create(user=user, name=name.strip(), params=kept)


def finds(search: SavedSearch, listing: Listing) -> bool:
    found = listing_search(viewer=search.user, query=_query(search.params))
    return found.ordered.filter(pk=listing.pk).exists()


def tell_searchers(listing_id: int) -> int:
    """Tell everyone whose saved search finds this newly published listing (not its own
    owner), once per search and listing. Returns how many searches found it."""
    listing = (
        Listing.objects.select_related("owner")
        .filter(pk=listing_id, state=Listing.State.PUBLISHED)
        .first()
    )
    if listing is None:
        return 0
    searches = SavedSearch.objects.select_related("user").exclude(user=listing.owner_id)
    found = 0
    for search in searches.filter(user__is_active=True).iterator(chunk_size=500):
        if not _may_find(search.params, listing) or not finds(search, listing):
            continue
        found += 1
        notify(
            recipients=[search.user],
            type_name="saved_search_match",
            subject_id=listing.pk,
            data={"search": search.name, "listing": listing.title},
            dedupe_key=f"saved-search:{search.pk}:{listing.pk}",
        )
    return found


def _may_find(params: dict[str, Any], listing: Listing) -> bool:
    """A cheap first look before the search itself runs: kind, category, and the search's
    words in the listing's analysed columns (every term by its whole stem or all its parts,
    the rule the search applies). Most searches end here, with no query."""
    kinds, categories = params.get("kind") or [], params.get("category") or []
    if (kinds and listing.kind not in kinds) or (categories and listing.category not in categories):
        return False
    terms = analysis.query_terms(params.get("search") or "")
    if not terms:
        return True
    held = set(f"{listing.search_title} {listing.search_body}".split())
    return all(analysis.matches(term, held) for term in terms)
