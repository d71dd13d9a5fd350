"""Full-text search over the catalogue, through the platform's Swedish analyser.

Every project keeps four analysed columns (``search_title``, ``search_keywords``,
``search_summary``, ``search_body``), written by ``reindex()`` whenever the project, its
themes, tags or organisations change. A query matches a project when *every* query term is in
one of them (by its whole stem or all of its compound parts).

- PostgreSQL matches with a GIN-indexed, weighted ``tsvector`` generated from the columns and
  ranks with ``ts_rank_cd``: cover density, which rewards query words that stand close
  together, weighted title > keywords (tags, themes, organisations) > summary > the rest.
- SQLite matches the same columns with ``LIKE`` and ranks in Python the same way in spirit:
  weighted term counts plus a bonus for the smallest window holding every term.
"""

import math
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import (
    Case,
    FloatField,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat

from catalogue.models import Project
from smartplatform.core import analysis
from smartplatform.core.fulltext import Matches, Rank, padded_text_condition

# ts_rank_cd weights, in PostgreSQL's order {D, C, B, A}: body, summary, keywords, title.
WEIGHTS = {"body": 0.2, "summary": 0.4, "keywords": 0.6, "title": 1.0}
PG_WEIGHTS = (WEIGHTS["body"], WEIGHTS["summary"], WEIGHTS["keywords"], WEIGHTS["title"])
# The largest number of matches SQLite ranks in Python; beyond it the newest are kept.
SQLITE_RANK_LIMIT = 5000


def search_columns(project: Project) -> dict[str, str]:
    """The analysed columns of a project (its themes, tags and organisations prefetched or
    fetched here)."""
    organisations = [project.owner.name, *(o.name for o in project.participants.all())]
    keywords = [
        *(tag.name for tag in project.tags.all()),
        *(f"{theme.name} {theme.name_en}" for theme in project.themes.all()),
        *organisations,
        project.municipality.name,
        *project.partners,
    ]
    return {
        "search_title": analysis.index_text(project.title),
        "search_keywords": analysis.index_text(*keywords),
        "search_summary": analysis.index_text(project.summary),
        "search_body": analysis.index_text(
            project.purpose, project.method, project.results, project.lessons
        ),
    }


def reindex(project_ids: Iterable[int]) -> None:
    """Rewrite the analysed columns of these projects."""
    projects = (
        Project.objects.filter(pk__in=list(project_ids))
        .select_related("owner", "municipality")
        .prefetch_related("participants", "tags", "themes")
    )
    for project in projects:
        Project.objects.filter(pk=project.pk).update(**search_columns(project))


def _padded() -> Concat:
    return Concat(
        Value(" "),
        "search_title",
        Value(" "),
        "search_keywords",
        Value(" "),
        "search_summary",
        Value(" "),
        "search_body",
        Value(" "),
        output_field=TextField(),
    )


def _python_rank(terms: Sequence[analysis.Term], columns: dict[str, str]) -> float:
    """Weighted term counts (each capped, so repetition does not win) plus a bonus when the
    terms stand close together in one column."""
    score = 0.0
    for name, text in columns.items():
        stems = text.split()
        if not stems:
            continue
        column_score = 0.0
        positions: list[list[int]] = []
        for term in terms:
            hits = [
                i
                for i, stem in enumerate(stems)
                if stem == term.whole or (term.parts and stem in term.parts)
            ]
            positions.append(hits)
            column_score += WEIGHTS[name] * min(len(hits), 3)
        if len(terms) > 1 and all(positions):
            window = _smallest_window(positions)
            column_score += WEIGHTS[name] * 2 * len(terms) / window
        # Each column is damped by its own length: a long text does not win by length.
        score += column_score / (1 + math.log(1 + len(stems)) / 10)
    return score


def _smallest_window(positions: list[list[int]]) -> int:
    """Length of the smallest span of positions holding one hit of every list."""
    events = sorted((pos, index) for index, hits in enumerate(positions) for pos in hits)
    counts = [0] * len(positions)
    covered = 0
    best = math.inf
    left = 0
    for right_pos, right_index in events:
        if counts[right_index] == 0:
            covered += 1
        counts[right_index] += 1
        while covered == len(positions):
            left_pos, left_index = events[left]
            best = min(best, right_pos - left_pos + 1)
            counts[left_index] -= 1
            if counts[left_index] == 0:
                covered -= 1
            left += 1
    return int(best) if best != math.inf else 1_000_000


def apply(queryset: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Projects matching every term of ``text``, annotated with ``rank`` (higher is better).
    A query of stop words only matches everything, with rank 0."""
    terms = analysis.query_terms(text)
    if not terms:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        tsquery = analysis.tsquery(terms)
        return queryset.filter(Matches(tsquery)).annotate(rank=Rank(tsquery, PG_WEIGHTS))
    matching = queryset.annotate(search_padded=_padded()).filter(padded_text_condition(terms))
    rows = matching.order_by("-updated_at").values_list(
        "pk", "search_title", "search_keywords", "search_summary", "search_body"
    )[:SQLITE_RANK_LIMIT]
    ranks = {
        pk: _python_rank(
            terms, {"title": title, "keywords": keywords, "summary": summary, "body": body}
        )
        for pk, title, keywords, summary, body in rows
    }
    if not ranks:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    return queryset.filter(pk__in=list(ranks)).annotate(
        rank=Case(
            *(When(pk=pk, then=Value(rank)) for pk, rank in ranks.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
