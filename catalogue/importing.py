"""Importing the catalogue from the municipalities' spreadsheet (CSV or XLSX).

The column layout is documented in ``docs/catalogue-import.md``. Each row is upserted by its
``external_id`` (or, without one, its slug) inside its own savepoint: a bad row is reported
with its line number and reason and leaves nothing behind, the good rows are imported, and a
row that says what the catalogue already says is left untouched, so a second run of the same
file changes nothing.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from catalogue import services
from catalogue.models import Project, ProjectLink, Theme
from smartplatform.core.analysis import fold
from smartplatform.organisations.models import Municipality, Organisation

CONTACT_FIELDS = ("name", "role", "email", "phone", "organisation", "confirmed")
MAX_CONTACTS = 5
LIST_SEPARATOR = ";"
COLUMNS = (
    "external_id",
    "title",
    "slug",
    "owner",
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
    *(f"contact_{name}" for name in CONTACT_FIELDS),
    *(f"contact{n}_{name}" for n in range(2, MAX_CONTACTS + 1) for name in CONTACT_FIELDS),
    "link_report",
    "link_website",
    "link_video",
    "borrowed_from",
    "published",
)
REQUIRED = ("title", "owner", "themes", "status", "summary")
STATUS_NAMES = {
    **{fold(str(label)): value for value, label in Project.Status.choices},
    **{value: value for value in Project.Status.values},
    "ide": "idea",
    "planerad": "planned",
    "pagaende": "ongoing",
    "genomford": "completed",
    "pausad": "paused",
    "avbruten": "cancelled",
}
YES = {"ja", "j", "yes", "y", "true", "1", "x", "publicerad"}
NO = {"nej", "n", "no", "false", "0", "", "utkast"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, unknown columns)."""


class RowError(Exception):
    pass


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


def read_rows(stream: IO[bytes], filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV or XLSX file; the header is line 1."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(stream)
    elif suffix in (".csv", ".txt"):
        yield from _csv_rows(stream)
    else:
        raise ImportFileError(f"Unknown file type {suffix or '(none)'}: use .csv or .xlsx.")


def _check_header(header: list[str]) -> list[str]:
    names = [str(name or "").strip().lower() for name in header]
    if not any(names):
        raise ImportFileError("The file has no header row.")
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise ImportFileError(f"Unknown columns: {', '.join(unknown)}.")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(f"Missing columns: {', '.join(missing)}.")
    return names


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's "CSV" on a Swedish Windows machine
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = _check_header(next(reader, []))
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield reader.line_num, dict(zip(header, (cell.strip() for cell in row), strict=False))


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(stream.read()), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportFileError(f"Not a readable XLSX file: {error}") from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = _check_header([str(cell or "") for cell in next(rows, ())])
    for line, row in enumerate(rows, start=2):
        cells = ["" if cell is None else _cell_text(cell) for cell in row]
        if any(cells):
            yield line, dict(zip(header, cells, strict=False))
    workbook.close()


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.strftime("%Y-%m-%d")
    return str(cell).strip()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


class _Resolver:
    """Looks names up once per import: organisations, municipalities, themes."""

    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        for organisation in Organisation.objects.select_related("municipality"):
            for key in (organisation.name, organisation.slug):
                self.organisations[fold(key)] = organisation
        for municipality in Municipality.objects.all():
            municipal = next(
                (o for o in self.organisations.values() if o.municipality_id == municipality.code),
                None,
            )
            if municipal:
                for key in (municipality.name, municipality.code, municipality.slug):
                    self.organisations.setdefault(fold(key), municipal)
        self.themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for key in (theme.slug, theme.name, theme.name_en):
                if key:
                    self.themes[fold(key)] = theme

    def organisation(self, name: str, column: str) -> Organisation:
        found = self.organisations.get(fold(name))
        if found is None:
            raise RowError(f"{column}: no organisation or municipality called {name!r}")
        return found

    def theme(self, name: str) -> Theme:
        found = self.themes.get(fold(name)) or self.themes.get(slugify(name))
        if found is None:
            raise RowError(f"themes: unknown theme {name!r}")
        return found


def _year(row: dict[str, str], column: str) -> int | None:
    value = row.get(column, "")
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2200:
        raise RowError(f"{column}: {value!r} is not a year")
    return int(value)


def _contacts(row: dict[str, str]) -> list[services.ContactData]:
    contacts = []
    for prefix in ("contact_", *(f"contact{n}_" for n in range(2, MAX_CONTACTS + 1))):
        values = {name: row.get(prefix + name, "") for name in CONTACT_FIELDS}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise RowError(f"{prefix}name: a contact needs a name")
        if values["email"]:
            try:
                EmailValidator()(values["email"])
            except ValidationError as error:
                raise RowError(
                    f"{prefix}email: {values['email']!r} is not an email address"
                ) from error
        confirmed = None
        if values["confirmed"]:
            try:
                confirmed = date.fromisoformat(values["confirmed"][:10])
            except ValueError as error:
                raise RowError(
                    f"{prefix}confirmed: {values['confirmed']!r} is not a date (YYYY-MM-DD)"
                ) from error
        contacts.append(
            services.ContactData(
                name=values["name"][:150],
                role=values["role"][:150],
                email=values["email"],
                phone=values["phone"][:40],
                organisation=values["organisation"][:200],
                last_confirmed=confirmed,
            )
        )
    return contacts


def _links(row: dict[str, str]) -> list[services.LinkData]:
    links = []
    for kind in (ProjectLink.Kind.REPORT, ProjectLink.Kind.WEBSITE, ProjectLink.Kind.VIDEO):
        url = row.get(f"link_{kind}", "")
        if url:
            try:
                URLValidator()(url)
            except ValidationError as error:
                raise RowError(f"link_{kind}: {url!r} is not a web address") from error
            links.append(services.LinkData(kind=kind, url=url))
    return links


@dataclass
class ParsedRow:
    line: int
    owner: Organisation
    data: services.ProjectData
    published: bool
    borrowed_from: str


def parse_row(line: int, row: dict[str, str], resolver: _Resolver) -> ParsedRow:
    """Every check of a row, before anything is written."""
    missing = [column for column in REQUIRED if not row.get(column)]
    if missing:
        raise RowError(f"missing {', '.join(missing)}")
    status = STATUS_NAMES.get(fold(row["status"]))
    if status is None:
        raise RowError(
            f"status: {row['status']!r} is not one of idé, planerad, pågående, genomförd, "
            "pausad, avbruten"
        )
    published_text = fold(row.get("published", "ja") or "ja")
    if published_text not in YES | NO:
        raise RowError(f"published: {row['published']!r} is neither ja nor nej")
    limits = {
        "title": 200,
        "summary": 2000,
        "purpose": 5000,
        "method": 10000,
        "results": 5000,
        "lessons": 5000,
        "external_id": 64,
    }
    for column, limit in limits.items():
        if len(row.get(column, "")) > limit:
            raise RowError(f"{column}: longer than {limit} characters")
    owner = resolver.organisation(row["owner"], "owner")
    data = services.ProjectData(
        title=row["title"],
        summary=row["summary"],
        purpose=row.get("purpose", ""),
        method=row.get("method", ""),
        results=row.get("results", ""),
        lessons=row.get("lessons", ""),
        status=status,
        start_year=_year(row, "start_year"),
        end_year=_year(row, "end_year"),
        municipality=owner.municipality,
        themes=[resolver.theme(name) for name in _split(row["themes"])],
        tags=services.normalised_tags(_split(row.get("tags", ""))),
        participants=[
            resolver.organisation(n, "participants") for n in _split(row.get("participants", ""))
        ],
        partners=_split(row.get("partners", "")),
        contacts=_contacts(row),
        links=_links(row),
        external_id=row.get("external_id") or None,
        slug=slugify(row.get("slug", "")),
    )
    if not data.themes:
        raise RowError("themes: at least one theme")
    if owner.municipality is None:
        raise RowError("owner: the owner must be a municipality (or its organisation)")
    if data.start_year and data.end_year and data.end_year < data.start_year:
        raise RowError("end_year: before start_year")
    data.given = {
        *services.SIMPLE_FIELDS,
        "municipality",
        "themes",
        "tags",
        "participants",
        "partners",
        "contacts",
        "links",
    } | ({"slug"} if data.slug else set())
    return ParsedRow(line, owner, data, published_text in YES, row.get("borrowed_from", ""))


def _existing(parsed: ParsedRow) -> Project | None:
    data = parsed.data
    if data.external_id:
        return Project.objects.filter(external_id=data.external_id).first()
    if data.slug:
        return Project.objects.filter(slug=data.slug).first()
    return None


def _state(project: Project) -> dict[str, Any]:
    """What an import row can say about a project, to tell whether it would change."""
    return {
        **{name: getattr(project, name) for name in services.SIMPLE_FIELDS},
        "owner": project.owner_id,
        "is_published": project.is_published,
        "municipality": project.municipality_id,
        "themes": sorted(t.pk for t in project.themes.all()),
        "tags": sorted(t.name for t in project.tags.all()),
        "participants": sorted(o.pk for o in project.participants.all()),
        "partners": list(project.partners),
        "contacts": [
            (c.name, c.role, c.email, c.phone, c.organisation, c.last_confirmed)
            for c in project.contacts.all()
        ],
        "links": [(link.kind, link.url) for link in project.links.all()],
        "slug": project.slug,
    }


def _wanted_state(parsed: ParsedRow, current: Project) -> dict[str, Any]:
    data = parsed.data
    return {
        **{name: getattr(data, name) for name in services.SIMPLE_FIELDS},
        "owner": parsed.owner.pk,
        "is_published": parsed.published,
        "municipality": parsed.owner.municipality_id,
        "themes": sorted({t.pk for t in data.themes}),
        "tags": sorted(data.tags),
        "participants": sorted({o.pk for o in data.participants if o.pk != parsed.owner.pk}),
        "partners": list(data.partners),
        "contacts": [
            (c.name, c.role, c.email, c.phone, c.organisation, c.last_confirmed)
            for c in data.contacts
        ],
        "links": [(link.kind, link.url) for link in data.links],
        "slug": data.slug or current.slug,
    }


def _save(parsed: ParsedRow) -> str:
    """Create or update one project; 'created', 'updated' or 'unchanged'."""
    project = _existing(parsed)
    if project is not None and _state(project) == _wanted_state(parsed, project):
        return "unchanged"
    outcome = "created" if project is None else "updated"
    if project is None:
        project = Project(owner=parsed.owner)
    else:
        project.owner = parsed.owner
        # Keep the contacts that stay, so their reply links still work.
        by_name = {c.name: c.pk for c in project.contacts.all()}
        for contact in parsed.data.contacts:
            contact.id = by_name.get(contact.name)
    was_published = project.is_published
    services.save_project(project, parsed.data, creating=outcome == "created")
    if parsed.published != was_published:
        services.change_publication(project, published=parsed.published)
    return outcome


def _set_lineage(parsed_rows: list[ParsedRow], outcomes: dict[int, str]) -> list[RowProblem]:
    """Second pass: a row may borrow from a project further down the file."""
    problems = []
    for parsed in parsed_rows:
        project = _existing(parsed)
        if project is None:
            continue
        reference = parsed.borrowed_from
        source = None
        if reference:
            source = Project.objects.filter(Q(external_id=reference) | Q(slug=reference)).first()
            if source is None:
                problems.append(RowProblem(parsed.line, f"borrowed_from: no project {reference!r}"))
                continue
        if project.borrowed_from_id == (source.pk if source else None):
            continue
        try:
            with transaction.atomic():
                services.set_lineage(project, source)
        except services.InvalidLineage:
            problems.append(RowProblem(parsed.line, f"borrowed_from: {reference!r} makes a loop"))
            continue
        if outcomes[parsed.line] == "unchanged":
            outcomes[parsed.line] = "updated"
    return problems


def import_catalogue(
    rows: Iterator[tuple[int, dict[str, str]]],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows; with ``dry_run`` everything is checked and counted, then rolled back."""
    report = ImportReport(dry_run=dry_run)
    resolver = _Resolver()
    seen: dict[str, int] = {}
    parsed_rows: list[ParsedRow] = []
    outcomes: dict[int, str] = {}
    with transaction.atomic():
        for count, (line, row) in enumerate(rows, start=1):
            try:
                parsed = parse_row(line, row, resolver)
                key = parsed.data.external_id or parsed.data.slug or ""
                if key and key in seen:
                    raise RowError(f"external_id: {key!r} is already on line {seen[key]}")
                if key:
                    seen[key] = line
                with transaction.atomic():
                    outcome = _save(parsed)
            except RowError as error:
                report.problems.append(RowProblem(line, str(error)))
            except services.DomainError as error:
                report.problems.append(RowProblem(line, error.get_message()))
            else:
                parsed_rows.append(parsed)
                outcomes[line] = outcome
            if progress:
                progress(count)
        report.problems += _set_lineage(parsed_rows, outcomes)
        for outcome in outcomes.values():
            setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    report.problems.sort(key=lambda problem: problem.line)
    return report
