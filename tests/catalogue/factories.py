"""Catalogue projects for tests, written through the same service the API and import use, so
their search columns are analysed as in production."""

from datetime import date
from itertools import count
from typing import Any

from catalogue import services
from catalogue.models import Project, Theme
from smartplatform.organisations.models import Municipality, Organisation

_numbers = count(1)


def municipal_organisation(code: str = "1283") -> Organisation:
    return Organisation.objects.get(municipality_id=code)


def make_project(
    title: str | None = None,
    *,
    owner: Organisation | str = "1283",
    summary: str = "Ett projekt i kommunen.",
    themes: tuple[str, ...] = ("digitalisering",),
    tags: tuple[str, ...] = (),
    status: str = Project.Status.COMPLETED,
    start_year: int | None = 2020,
    end_year: int | None = None,
    published: bool = True,
    contacts: tuple[dict[str, Any], ...] = (),
    participants: tuple[Organisation, ...] = (),
    borrowed_from: Project | None = None,
    purpose: str = "",
    method: str = "",
    results: str = "",
    lessons: str = "",
    municipality: str | None = None,
) -> Project:
    if isinstance(owner, str):
        owner = municipal_organisation(owner)
    data = services.ProjectData(
        title=title or f"Projekt {next(_numbers)}",
        summary=summary,
        status=status,
        start_year=start_year,
        end_year=end_year,
        themes=list(Theme.objects.filter(slug__in=themes)),
        tags=list(tags),
        participants=list(participants),
        contacts=[
            services.ContactData(**{"last_confirmed": date(2025, 1, 1), **contact})
            for contact in contacts
        ],
        borrowed_from=borrowed_from,
        purpose=purpose,
        method=method,
        results=results,
        lessons=lessons,
        # Owners that are not a municipality say which one the project is in.
        municipality=Municipality.objects.get(code=municipality) if municipality else None,
    )
    data.given = {
        *services.SIMPLE_FIELDS,
        "themes",
        "tags",
        "participants",
        "contacts",
        "borrowed_from",
        *(["municipality"] if municipality else []),
    }
    project = Project(owner=owner, is_published=published)
    services.save_project(project, data, creating=True)
    return project
