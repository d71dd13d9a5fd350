"""Read queries of the catalogue: the searchable list with its facets, the detail, similar
projects. Each runs a fixed number of queries whatever the page size."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
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
)
from django.db.models.functions import Coalesce, Least

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
    projects: QuerySet[Project]
    facets: dict[str, list[dict[str, Any]]]


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
    rows: QuerySet[Any],
    key: str,
    labels: dict[str, str],
    selected: list[str],
) -> list[dict[str, Any]]:
    counts = {row[key]: row["count"] for row in rows if row[key] is not None}
    for value in selected:
        counts.setdefault(value, 0)  # a chosen value stays visible, so it can be unchosen
    entries = [
        {"value": value, "label": labels.get(value, value), "count": count}
        for value, count in counts.items()
    ]
    entries.sort(key=lambda e: (-e["count"], sort_key(e["label"])))
    return entries


def _facets(
    base: QuerySet[Project], conditions: dict[str, Q], query: ProjectQuery
) -> dict[str, list[dict[str, Any]]]:
    """Counts per municipality, theme and status. Each counts over the projects every other
    filter lets through, so a user sees what widening their own choice would bring."""

    def counted(leaving_out: str, key: str) -> QuerySet[Any]:
        return (
            base.filter(_combined(conditions, leaving_out=leaving_out))
            .order_by()
            .values(key)
            .annotate(count=Count("pk", distinct=True))
        )

    municipality_names = dict(Municipality.objects.values_list("code", "name"))
    themes = {theme.slug: theme.label for theme in Theme.objects.all()}
    statuses = {str(value): str(label) for value, label in Project.Status.choices}
    return {
        "municipality": _facet(
            counted("municipality", "municipality_id"),
            "municipality_id",
            municipality_names,
            query.municipalities,
        ),
        "theme": _facet(counted("theme", "themes__slug"), "themes__slug", themes, query.themes),
        "status": _facet(counted("status", "status"), "status", statuses, query.statuses),
    }


def _with_list_data(projects: QuerySet[Project]) -> QuerySet[Project]:
    """What a list entry shows, in a fixed number of queries."""
    published_reuses = (
        Project.objects.filter(borrowed_from=OuterRef("pk"), is_published=True)
        .order_by()
        .values("borrowed_from")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        projects.select_related("owner", "municipality")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "name")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
        )
        .annotate(
            has_contact=Exists(ProjectContact.objects.filter(project=OuterRef("pk"))),
            reuse_count=Coalesce(Subquery(published_reuses), Value(0), output_field=IntegerField()),
        )
    )


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
    projects = _with_list_data(base.filter(_combined(conditions))).order_by(*_ordering(query))
    return SearchResult(projects=projects, facets=_facets(base, conditions, query))


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


def similar_projects(project: Project, *, limit: int = 6) -> list[Project]:
    """Published projects most like this one: shared themes and tags, and shared words in
    their titles and summaries. The matching engine refines this later."""
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
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]
    found = {p.pk: p for p in _with_list_data(Project.objects.filter(pk__in=best))}
    return [found[pk] for pk in best if pk in found]


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
