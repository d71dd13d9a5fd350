"""Listing search through the platform's Swedish analyser (the same as the catalogue's).

A listing keeps two analysed columns: its title, and the rest (description, tags, what it
offers or asks for, where, for whom). PostgreSQL matches with the GIN-indexed generated
tsvector and ranks with ``ts_rank`` (title over the rest); SQLite matches the same columns
with ``LIKE`` and ranks newer listings first.
"""

from django.db import connection
from django.db.models import FloatField, QuerySet, TextField, Value
from django.db.models.functions import Concat

from exchange.models import Listing
from smartplatform.core import analysis
from smartplatform.core.fulltext import Matches, Rank, padded_text_condition

# ts_rank weights in PostgreSQL's order {D, C, B, A}: the body D, the title A.
PG_WEIGHTS = (0.3, 0.3, 0.3, 1.0)


def search_columns(listing: Listing, *, tag_names: list[str] | None = None) -> dict[str, str]:
    """The analysed columns of a listing (its tags, organisation and municipality loaded or
    fetched here; ``tag_names`` for a listing not saved yet)."""
    if tag_names is None:
        tag_names = [tag.name for tag in listing.tags.all()]
    return {
        "search_title": analysis.index_text(listing.title),
        "search_body": analysis.index_text(
            listing.description,
            *tag_names,
            str(Listing.Category(listing.category).label),
            listing.availability,
            listing.organisation.name if listing.organisation else "",
            listing.municipality.name,
        ),
    }


def reindex(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(**search_columns(listing))


def apply(queryset: QuerySet[Listing], text: str) -> QuerySet[Listing]:
    """Listings matching every term of ``text``, annotated with ``rank`` (higher is better).
    A query of stop words only matches everything."""
    terms = analysis.query_terms(text)
    if not terms:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        tsquery = analysis.tsquery(terms)
        return queryset.filter(Matches(tsquery)).annotate(
            rank=Rank(tsquery, PG_WEIGHTS, cover_density=False)
        )
    padded = Concat(
        Value(" "), "search_title", Value(" "), "search_body", Value(" "), output_field=TextField()
    )
    # SQLite does not rank: relevance ordering falls back to the newest first there.
    return (
        queryset.annotate(search_padded=padded)
        .filter(padded_text_condition(terms))
        .annotate(rank=Value(0.0, output_field=FloatField()))
    )
