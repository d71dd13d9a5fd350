"""Partners for a municipal need: for a request for expertise made for an organisation, the
catalogue projects that did what it asks, who ran them, and whom to contact ("Höganäs
kommun har byggt en digital tvilling: kontakta Karin Holm via katalogen").

Projects are profiled from their analysed catalogue columns (title twice, keywords, summary,
method, results and lessons), so nothing is analysed again per request. A quick look at the
words in common narrows the catalogue to the likeliest ``POOL`` projects before the engine
ranks them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Project, ProjectContact
from catalogue.selectors import projects_for_list
from exchange.models import Listing
from matching import engine, ranking
from smartplatform.core.errors import DomainError

POOL = 200
LIMIT = 5
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


def _project_profiles(query: engine.Profile) -> list[engine.Profile]:
    wanted = set(query.stems)
    rows = Project.objects.filter(is_published=True).values_list(
        "pk",
        "municipality__code",
        "search_title",
        "search_keywords",
        "search_summary",
        "search_body",
    )
    overlap = []
    for pk, municipality, title, keywords, summary, body in rows.iterator(chunk_size=2000):
        stems = title.split() * 2 + keywords.split() + summary.split() + body.split()
        shared = len(wanted & set(stems))
        if shared:
            overlap.append((shared, pk, municipality or "", stems))
    overlap.sort(key=lambda row: (-row[0], row[1]))
    return [
        engine.from_stems(
            key=str(pk),
            kind="offer",
            category="expertise",
            municipality=municipality,
            stems=stems,
        )
        for _shared, pk, municipality, stems in overlap[:POOL]
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
