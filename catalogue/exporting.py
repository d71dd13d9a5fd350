"""Export of a catalogue search as JSON or CSV.

Contacts appear by name, role and organisation only: their email addresses and phone numbers
are never bulk-exported (a request reaches them through the platform instead). The CSV is
what a Swedish spreadsheet opens directly: UTF-8 with a byte-order mark, semicolons between
columns, and cells that would start a formula made inert.
"""

import csv
import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import renderers

from catalogue.models import Project

LIST_SEPARATOR = "; "
CSV_COLUMNS = (
    "slug",
    "title",
    "url",
    "owner",
    "municipality_code",
    "municipality",
    "participants",
    "partners",
    "themes",
    "tags",
    "status",
    "start_year",
    "end_year",
    "summary",
    "purpose",
    "method",
    "results",
    "lessons",
    "contacts",
    "links",
    "borrowed_from",
    "reuse_count",
    "updated_at",
)


def project_row(project: Project) -> dict[str, Any]:
    """One exported project (from ``selectors.project_export``, so without extra queries)."""
    return {
        "slug": project.slug,
        "title": project.title,
        "url": f"{settings.SITE_URL}/api/v1/catalogue/projects/{project.slug}/",
        "owner": project.owner.name,
        "municipality_code": project.municipality.code,
        "municipality": project.municipality.name,
        "participants": [organisation.name for organisation in project.participants.all()],
        "partners": list(project.partners),
        "themes": [theme.label for theme in project.themes.all()],
        "tags": [tag.name for tag in project.tags.all()],
        "status": str(project.get_status_display()),
        "start_year": project.start_year,
        "end_year": project.end_year,
        "summary": project.summary,
        "purpose": project.purpose,
        "method": project.method,
        "results": project.results,
        "lessons": project.lessons,
        "contacts": [
            {"name": contact.name, "role": contact.role, "organisation": contact.organisation}
            for contact in project.contacts.all()
        ],
        "links": [
            {"kind": link.kind, "url": link.url, "title": link.title}
            for link in project.links.all()
        ],
        "borrowed_from": project.borrowed_from.slug if project.borrowed_from else None,
        "reuse_count": getattr(project, "reuse_count", 0),
        "updated_at": project.updated_at.isoformat(),
    }


def _contact_cell(contact: dict[str, str]) -> str:
    details = ", ".join(part for part in (contact["role"], contact["organisation"]) if part)
    return f"{contact['name']} ({details})" if details else contact["name"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell starting with these runs as a formula in a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{text}"
    return text


def csv_cells(row: dict[str, Any]) -> list[str]:
    flat = dict(row)
    for name in ("participants", "partners", "themes", "tags"):
        flat[name] = LIST_SEPARATOR.join(row[name])
    flat["contacts"] = LIST_SEPARATOR.join(_contact_cell(c) for c in row["contacts"])
    flat["links"] = LIST_SEPARATOR.join(link["url"] for link in row["links"])
    return [_cell(flat[column]) for column in CSV_COLUMNS]


class CatalogueCSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in data:
            writer.writerow(csv_cells(row))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
