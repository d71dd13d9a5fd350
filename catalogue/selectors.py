"""Read queries of the catalogue: the searchable list with its facets, the detail, similar
projects. Each runs a fixed number of queries whatever the page size."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Least

from catalogue import permissions, search
from catalogue.models import ContactRequest, Project, ProjectContact, Tag, Theme
from smartplatform.core.swedish import SwedishOrder, sort_key
from smartplatform.organisations.models import Municipality, Organisation

# A project whose method others borrowed is the original to find: each published reuse (up
# to five) adds this share to its text rank.
REUSE_BOOST = 0.15
MAX_BOOSTED_REUSES = 5

# ?ordering= values and what they sort by; "relevance" needs a search.
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "relevance": (
        ExpressionWrapper(
            F("rank") * (1 + REUSE_BOOST * Least(F("reuse_count"), MAX_BOOSTED_REUSES)),
            output_field=FloatField(),
        ).desc(),
        "-updated_at",
        "-pk",
    ),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "title": (SwedishOrder("title").asc(), "pk"),
    "-title": (SwedishOrder("title").desc(), "-pk"),
    "start_year": (F("start_year").asc(nulls_last=True), "pk"),
    "-start_year": (F("start_year").desc(nulls_last=True), "-pk"),
}
FACETS = ("municipality", "theme", "status")
# How many projects sharing a theme or tag are compared word by word for "similar".
SIMILAR_CANDIDATES = 300


@dataclass
class ProjectQuery:
    """A validated search of the catalogue (see ``ProjectQuerySerializer``)."""

    search: str = ""
    municipalities: list[str] = field(default_factory=list)  # codes
    themes: list[str] = field(default_factory=list)  # slugs
    statuses: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    has_contact: bool | None = None
    owner: str | None = None  # organisation slug
    ordering: str | None = None


@dataclass
class SearchResult:
    # The ids of the projects found, in order: a narrow query to page through; load a
    # page's projects with ``projects_for_list``.
    ranked: QuerySet[Project, int]
    facets: dict[str, list[dict[str, Any]]]
    count: int | None = None  # the number found, when the facets already told it


def _filters(query: ProjectQuery) -> dict[str, Q]:
    """One condition per filter, keyed by the facet it narrows (others by their own name)."""
    conditions: dict[str, Q] = {}
    if query.municipalities:
        conditions["municipality"] = Q(municipality__code__in=query.municipalities)
    if query.themes:
        conditions["theme"] = Q(
            pk__in=Project.themes.through.objects.filter(theme__slug__in=query.themes).values(
                "project_id"
            )
        )
    if query.statuses:
        conditions["status"] = Q(status__in=query.statuses)
    if query.tags:
        tagged = Q()
        for tag in query.tags:
            tagged &= Q(
                pk__in=Project.tags.through.objects.filter(tag__name=tag).values("project_id")
            )
        conditions["tag"] = tagged
    # Years overlap the range: a project without an end year is still running, one without
    # a start year is left out of any year filter.
    if query.year_to is not None:
        conditions["year_to"] = Q(start_year__lte=query.year_to)
    if query.year_from is not None:
        conditions["year_from"] = Q(start_year__isnull=False) & (
            Q(end_year__gte=query.year_from) | Q(end_year__isnull=True)
        )
    if query.has_contact is not None:
        has = Exists(ProjectContact.objects.filter(project=OuterRef("pk")))
        conditions["has_contact"] = Q(has) if query.has_contact else ~Q(has)
    if query.owner:
        conditions["owner"] = Q(owner__slug=query.owner)
    return conditions


def _combined(conditions: dict[str, Q], *, leaving_out: str | None = None) -> Q:
    combined = Q()
    for name, condition in conditions.items():
        if name != leaving_out:
            combined &= condition
    return combined


def _facet(
    rows: list[tuple[str, int]], labels: dict[str, str], selected: list[str]
) -> list[dict[str, Any]]:
    counts = dict(rows)
    for value in selected:
        counts.setdefault(value, 0)  # a chosen value stays visible, so it can be unchosen
    ordered = sorted(
        counts.items(), key=lambda item: (-item[1], sort_key(labels.get(item[0], item[0])))
    )
    return [
        {"value": value, "label": labels.get(value, value), "count": count}
        for value, count in ordered
    ]


FACETS = ("municipality", "theme", "status")
_FACET_COLUMNS = {"municipality": "municipality_id", "status": "status"}


def _facet_counts(
    projects: QuerySet[Project], facets: list[str]
) -> dict[str, list[tuple[str, int]]]:
    """(value, count) rows of several facets over one set of projects, in one statement:
    the set is matched once (a common table expression), then grouped per facet."""
    counts: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facets}
    try:
        inner, params = (
            projects.order_by().values("pk", "municipality_id", "status").query.sql_with_params()
        )
    except EmptyResultSet:  # a condition that can match nothing, e.g. no search hit on SQLite
        return counts
    through = Project.themes.through._meta.db_table
    # Only table names from the models and the fixed facet names are put into this SQL; the
    # query's values travel as parameters of the inner statement.
    groupings = []
    for facet in facets:
        if facet == "theme":
            # By id: grouping the narrow link rows is cheaper than joining the slugs in.
            groupings.append(
                "SELECT 'theme', CAST(pt.theme_id AS VARCHAR(20)), COUNT(*) FROM matched"  # noqa: S608
                f" JOIN {through} pt ON pt.project_id = matched.pk GROUP BY pt.theme_id"
            )
        else:
            column = _FACET_COLUMNS[facet]
            groupings.append(
                f"SELECT '{facet}', matched.{column}, COUNT(*) FROM matched"  # noqa: S608
                f" GROUP BY matched.{column}"
            )
    sql = f"WITH matched AS ({inner}) {' UNION ALL '.join(groupings)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, count in cursor.fetchall():
            counts[facet].append((str(value), int(count)))
    return counts


def _facets(
    base: QuerySet[Project], conditions: dict[str, Q], query: ProjectQuery
) -> tuple[dict[str, list[dict[str, Any]]], int | None]:
    """Counts per municipality, theme and status, and the number of projects found.

    Each facet counts over the projects every other filter lets through, so a user sees
    what widening their own choice would bring. The facets whose own filter is not in use
    share the fully filtered set and are counted in one statement; as every project has
    exactly one municipality and one status, such a facet's counts add up to the number
    found (None when both of those filters are in use)."""
    by_set: dict[str | None, list[str]] = {}
    for facet in FACETS:
        by_set.setdefault(facet if facet in conditions else None, []).append(facet)
    counts: dict[str, list[tuple[str, int]]] = {}
    for leaving_out, sharing in by_set.items():
        matched = base.filter(_combined(conditions, leaving_out=leaving_out))
        counts.update(_facet_counts(matched, sharing))
    total = next(
        (
            sum(count for _value, count in counts[facet])
            for facet in ("status", "municipality")
            if facet not in conditions
        ),
        None,
    )
    municipality_names = dict(Municipality.objects.values_list("code", "name"))
    all_themes = list(Theme.objects.all())
    themes = {theme.slug: theme.label for theme in all_themes}
    slugs = {str(theme.pk): theme.slug for theme in all_themes}
    counts["theme"] = [(slugs[pk], count) for pk, count in counts["theme"] if pk in slugs]
    statuses = {str(value): str(label) for value, label in Project.Status.choices}
    entries = {
        "municipality": _facet(counts["municipality"], municipality_names, query.municipalities),
        "theme": _facet(counts["theme"], themes, query.themes),
        "status": _facet(counts["status"], statuses, query.statuses),
    }
    return entries, total


# Long texts a list entry does not show: not read for a page of results.
LIST_DEFERRED = (
    "purpose",
    "method",
    "results",
    "lessons",
    "partners",
    "search_title",
    "search_keywords",
    "search_summary",
    "search_body",
)


def _reuse_count() -> Case:
    """How many published projects borrowed the method (ranks reused projects higher).

    Counted only for the few projects anyone borrowed from: the database looks those up once
    (a hashed set) instead of counting for every project of a broad search."""
    published_reuses = Project.objects.filter(is_published=True, borrowed_from__isnull=False)
    counted = (
        published_reuses.filter(borrowed_from=OuterRef("pk"))
        .order_by()
        .values("borrowed_from")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(pk__in=published_reuses.values("borrowed_from"), then=Subquery(counted)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _with_list_data(projects: QuerySet[Project]) -> QuerySet[Project]:
    """What a list entry shows, in a fixed number of queries."""
    return (
        projects.select_related("owner", "municipality")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "name")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
        )
        .annotate(
            has_contact=Exists(ProjectContact.objects.filter(project=OuterRef("pk"))),
            reuse_count=_reuse_count(),
        )
    )


def projects_for_list(ids: list[int]) -> list[Project]:
    """The projects of one page, with what a list entry shows, in the order of ``ids``.

    A page is read in five small queries (the rows with owner and municipality; theme and
    tag links; contacts; reuses) that cost less than one query with correlated subqueries
    and two prefetches: the extras are set as ``list_themes``, ``list_tags``,
    ``has_contact`` and ``reuse_count``."""
    found = {
        project.pk: project
        for project in Project.objects.filter(pk__in=ids)
        .select_related("owner", "municipality")
        .defer(*LIST_DEFERRED)
    }
    themes = {theme.pk: theme for theme in Theme.objects.all()}  # in position, name order
    theme_order = {pk: index for index, pk in enumerate(themes)}
    theme_links: dict[int, list[int]] = {}
    for project_id, theme_id in Project.themes.through.objects.filter(
        project_id__in=ids
    ).values_list("project_id", "theme_id"):
        theme_links.setdefault(project_id, []).append(theme_id)
    tags: dict[int, list[str]] = {}
    for project_id, name in Project.tags.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "tag__name"
    ):
        tags.setdefault(project_id, []).append(name)
    with_contact = set(
        ProjectContact.objects.filter(project_id__in=ids).values_list("project_id", flat=True)
    )
    reuses = dict(
        Project.objects.filter(borrowed_from_id__in=ids, is_published=True)
        .order_by()
        .values("borrowed_from_id")
        .annotate(n=Count("pk"))
        .values_list("borrowed_from_id", "n")
    )
    for pk, project in found.items():
        linked = sorted(theme_links.get(pk, []), key=theme_order.__getitem__)
        project.list_themes = [themes[theme_id] for theme_id in linked]  # type: ignore[attr-defined]
        project.list_tags = sorted(tags.get(pk, []))  # type: ignore[attr-defined]
        project.has_contact = pk in with_contact  # type: ignore[attr-defined]
        project.reuse_count = reuses.get(pk, 0)  # type: ignore[attr-defined]
    return [found[pk] for pk in ids if pk in found]


def _searched(viewer: Any, query: ProjectQuery) -> QuerySet[Project]:
    base = Project.objects.filter(permissions.visible_projects_condition(viewer))
    if query.search:
        base = search.apply(base, query.search)
    return base


def _ordering(query: ProjectQuery) -> list[Any]:
    ordering = query.ordering or ("relevance" if query.search else "-updated")
    if ordering == "relevance" and not query.search:
        ordering = "-updated"
    return list(ORDERINGS[ordering])


def project_search(*, viewer: Any, query: ProjectQuery) -> SearchResult:
    base = _searched(viewer, query)
    conditions = _filters(query)
    ranked = (
        base.filter(_combined(conditions))
        .annotate(reuse_count=_reuse_count())
        .order_by(*_ordering(query))
        .values_list("pk", flat=True)
    )
    facets, count = _facets(base, conditions, query)
    return SearchResult(ranked=ranked, facets=facets, count=count)


def project_export(*, viewer: Any, query: ProjectQuery) -> QuerySet[Project]:
    """Every project of a search, in its order, with everything an export row holds."""
    return (
        _with_list_data(_searched(viewer, query).filter(_combined(_filters(query))))
        .select_related("borrowed_from")
        .prefetch_related(
            Prefetch("participants", queryset=Organisation.objects.order_by("name")),
            "contacts",
            "links",
        )
        .order_by(*_ordering(query))
    )


def project_detail_queryset(*, viewer: Any) -> QuerySet[Project]:
    """Projects the viewer may read, with everything the detail shows."""
    lineage = Project.objects.filter(is_published=True).select_related("owner", "municipality")
    return (
        _with_list_data(Project.objects.filter(permissions.visible_projects_condition(viewer)))
        .select_related("borrowed_from__owner", "borrowed_from__municipality")
        .prefetch_related(
            "participants",
            "contacts",
            "links",
            Prefetch("reused_by", queryset=lineage.order_by("start_year", "pk")),
        )
    )


def similar_candidates(project: Project) -> dict[int, float]:
    """Published projects sharing themes, tags or words with this one, each with a score of
    what it shares (themes 1, tags 1.5, words up to 4)."""
    published_others = {"project__is_published": True}
    scores: dict[int, float] = {}
    theme_rows = (
        Project.themes.through.objects.filter(
            theme_id__in=project.themes.values("pk"), **published_others
        )
        .exclude(project_id=project.pk)
        .values_list("project_id", flat=True)
    )
    for pk in theme_rows:
        scores[pk] = scores.get(pk, 0.0) + 1.0
    tag_rows = (
        Project.tags.through.objects.filter(
            tag_id__in=project.tags.values("pk"), **published_others
        )
        .exclude(project_id=project.pk)
        .values_list("project_id", flat=True)
    )
    for pk in tag_rows:
        scores[pk] = scores.get(pk, 0.0) + 1.5
    own_words = set(f"{project.search_title} {project.search_summary}".split())
    if scores and own_words:
        candidates = sorted(scores, key=lambda pk: -scores[pk])[:SIMILAR_CANDIDATES]
        texts = Project.objects.filter(pk__in=candidates).values_list(
            "pk", "search_title", "search_summary"
        )
        for pk, title, summary in texts:
            words = set(f"{title} {summary}".split())
            scores[pk] += 4.0 * len(own_words & words) / len(own_words | words)
    return scores


def contact_requests_for(
    *, viewer: Any, role: str | None = None, status: str | None = None
) -> QuerySet[ContactRequest]:
    """The contact requests ``viewer`` sent or receives, newest first."""
    if role == "sender":
        condition = Q(sender=viewer)
    elif role == "receiver":
        condition = permissions.received_requests_condition(viewer)
    else:
        condition = permissions.visible_requests_condition(viewer)
    requests = ContactRequest.objects.filter(condition)
    if status:
        requests = requests.filter(status=status)
    return (
        requests.select_related("project", "organisation", "sender", "sender_organisation")
        .prefetch_related("recipients", "messages")
        .order_by("-created_at", "-pk")
    )
