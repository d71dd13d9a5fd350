"""Two reference rankings the engine is measured against, over the same evaluation set:

- ``bm25-whitespace``: BM25 over the lowercased whitespace tokens of title, description and
  tags;
- ``bm25-stems``: BM25 over Snowball Swedish stems without stop words, with offers beyond a
  neighbouring municipality put last for cars and spaces.

Each ranks every offer of the request's category."""

from collections.abc import Callable, Sequence

import Stemmer

from matching import places
from matching.bm25 import BM25
from matching.devset import SetListing
from smartplatform.core import analysis

_stemmer = Stemmer.Stemmer("swedish")
PLACE_BOUND = ("car", "space")


def _text(listing: SetListing) -> str:
    return " ".join((listing.title, listing.description, *listing.tags))


def whitespace_tokens(listing: SetListing) -> list[str]:
    return _text(listing).lower().split()


def stem_tokens(listing: SetListing) -> list[str]:
    words = analysis.written_words(_text(listing))
    return [
        _stemmer.stemWord(word) for word in words if analysis.fold(word) not in analysis.STOP_WORDS
    ]


def rank(
    listings: Sequence[SetListing],
    tokens: Callable[[SetListing], list[str]],
    *,
    place_last: bool,
) -> dict[str, list[str]]:
    """For every request, the ids of the offers of its category, best first."""
    offers = [listing for listing in listings if listing.kind == "offer"]
    rankings = {}
    for category in {listing.category for listing in listings}:
        pool = [offer for offer in offers if offer.category == category]
        index = BM25({offer.id: tokens(offer) for offer in pool})
        for request in listings:
            if request.kind != "request" or request.category != category:
                continue
            scores = index.scores(tokens(request))
            bound = place_last and category in PLACE_BOUND
            scored = [
                (
                    bound and not places.neighbouring(request.municipality, offer.municipality),
                    -scores[offer.id],
                    offer.id,
                )
                for offer in pool
            ]
            rankings[request.id] = [offer_id for _far, _score, offer_id in sorted(scored)]
    return rankings


BASELINES: dict[str, Callable[[Sequence[SetListing]], dict[str, list[str]]]] = {
    "bm25-whitespace": lambda listings: rank(listings, whitespace_tokens, place_last=False),
    "bm25-stems": lambda listings: rank(listings, stem_tokens, place_last=True),
}
