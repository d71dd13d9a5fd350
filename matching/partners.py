"""Partners for a municipal need: for a request for expertise made for an organisation, the
catalogue projects that did what it asks, who ran them, and whom to contact ("Höganäs
kommun har byggt en digital tvilling: kontakta Karin Holm via katalogen").

Projects are profiled from their analysed catalogue columns (title twice, keywords, summary,
method, results and lessons), so nothing is analysed again per request. A quick look at the
words in common narrows the catalogue to the likeliest ``POOL`` projects before the engine
ranks them."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Project, ProjectContact
from catalogue.search import PG_WEIGHTS
from catalogue.selectors import projects_for_list, similar_candidates
from exchange.models import Listing
from matching import engine, ranking
from smartplatform.core import analysis
from smartplatform.core.errors import DomainError
from smartplatform.core.fulltext import Matches, Rank

POOL = 200
LIMIT = 5
MAX_QUERY_STEMS = 64
# Below this a project only shares a word or two in passing (text is scaled to the best one).
MIN_SCORE = 0.3


class NotAMunicipalNeed(DomainError):
    code = "not_a_municipal_need"
    default_message = gettext_lazy(
        "Partners are suggested for requests for expertise made for an organisation."
    )


@dataclass
class Partner:
    project: Project
    scored: engine.Scored
    contacts: list[tuple[str, str]]  # name and role: the way to them is a contact request


def is_municipal_need(listing: Listing) -> bool:
    return (
        listing.kind == Listing.Kind.REQUEST
        and listing.category == Listing.Category.EXPERTISE
        and listing.organisation_id is not None
    )


def _stems(title: str, keywords: str, summary: str, body: str) -> list[str]:
    return title.split() * 2 + keywords.split() + summary.split() + body.split()


def _project_profiles(
    query: engine.Profile, *, exclude: int | None = None, also: Iterable[int] = ()
) -> list[engine.Profile]:
    """The published projects sharing the most stems with ``query`` (and those in ``also``),
    as profiles."""
    wanted = set(query.stems)
    extra = set(also)
    published = Project.objects.filter(is_published=True)
    if exclude is not None:
        published = published.exclude(pk=exclude)
    if connection.vendor == "postgresql" and wanted:
        # The catalogue's own index finds the projects holding any of the words, best first;
        # only those are read (SQLite, the embedded setup with a small catalogue, reads all).
        any_word = analysis.any_of_tsquery(sorted(wanted)[:MAX_QUERY_STEMS])
        found = list(
            published.filter(Matches(any_word))
            .annotate(rank=Rank(any_word, PG_WEIGHTS, cover_density=False))
            .order_by("-rank", "pk")
            .values_list("pk", flat=True)[:POOL]
        )
        published = published.filter(pk__in=[*found, *extra])
    rows = published.values_list(
        "pk",
        "municipality__code",
        "search_title",
        "search_keywords",
        "search_summary",
        "search_body",
    )
    overlap = []
    for pk, municipality, title, keywords, summary, body in rows.iterator(chunk_size=2000):
        stems = _stems(title, keywords, summary, body)
        shared = len(wanted & set(stems))
        if shared or pk in extra:
            overlap.append((shared + (1000 if pk in extra else 0), pk, municipality or "", stems))
    overlap.sort(key=lambda row: (-row[0], row[1]))
    return [
        engine.from_stems(
            key=str(pk),
            kind="offer",
            category="expertise",
            municipality=municipality,
            stems=stems,
        )
        for _shared, pk, municipality, stems in overlap[: POOL + len(extra)]
    ]


def partners_for(listing: Listing, *, limit: int = LIMIT) -> list[Partner]:
    if not is_municipal_need(listing):
        raise NotAMunicipalNeed
    query = ranking.profile_of(listing)
    ranked = [
        scored
        for scored in engine.rank(query, _project_profiles(query), limit=limit)
        if scored.score >= MIN_SCORE
    ]
    ids = [int(scored.key) for scored in ranked]
    projects = {str(project.pk): project for project in projects_for_list(ids)}
    contacts: dict[int, list[tuple[str, str]]] = {}
    for project_id, name, role in (
        ProjectContact.objects.filter(project_id__in=ids)
        .order_by("position", "pk")
        .values_list("project_id", "name", "role")
    ):
        contacts.setdefault(project_id, []).append((name, role))
    return [
        Partner(projects[s.key], s, contacts.get(int(s.key), []))
        for s in ranked
        if s.key in projects
    ]


def suggestion(project: Project, contacts: list[tuple[str, str]]) -> str:
    """One sentence: who did it and whom to contact."""
    who = project.owner.name
    if contacts:
        name, role = contacts[0]
        person = f"{name} ({role})" if role else name
        return _("%(who)s has done %(project)s: contact %(person)s through the catalogue.") % {
            "who": who,
            "project": project.title,
            "person": person,
        }
    return _("%(who)s has done %(project)s: contact them through the catalogue.") % {
        "who": who,
        "project": project.title,
    }


def similar_projects(project: Project, *, limit: int = 6) -> list[Project]:
    """Published projects like this one: what the catalogue already weighs (themes and tags
    in common, words of title and summary) refined by the engine's text and topics, so a
    project about the same thing under other themes is found too."""
    shared = similar_candidates(project)
    query = engine.from_stems(
        key=str(project.pk),
        kind="request",
        category="expertise",
        municipality="",
        stems=_stems(
            project.search_title,
            project.search_keywords,
            project.search_summary,
            project.search_body,
        ),
    )
    ranked = engine.rank(
        query,
        _project_profiles(query, exclude=project.pk, also=shared),
    )
    prior = max(shared.values(), default=0.0) or 1.0
    combined = {
        int(scored.key): scored.score + shared.get(int(scored.key), 0.0) / prior
        for scored in ranked
        if scored.score >= MIN_SCORE or int(scored.key) in shared
    }
    best = sorted(combined, key=lambda pk: (-combined[pk], -pk))[:limit]
    return projects_for_list(best)
