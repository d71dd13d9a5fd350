"""Writes to the catalogue: projects, their contacts and links.

Every write re-analyses the project's search columns in the same transaction, so search never
sees a project half-indexed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from catalogue import permissions, search
from catalogue.models import Project, ProjectContact, ProjectLink, Tag, Theme
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.core.images import replace_picture
from smartplatform.organisations.models import Municipality, Organisation

MAX_TAGS = 20
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length or 50


class NotAProjectEditor(DomainError):
    status_code = 403
    code = "not_a_project_editor"
    default_message = _("Only the editors of the owning organisation may do this.")


class MunicipalityRequired(DomainError):
    code = "municipality_required"
    default_message = _(
        "Say which municipality the project belongs to: the owner is not a municipality."
    )


class InvalidLineage(DomainError):
    code = "invalid_lineage"
    default_message = _("A project cannot borrow its method from itself or from a later copy.")


class YearsOutOfOrder(DomainError):
    code = "years_out_of_order"
    default_message = _("The end year cannot be before the start year.")


class ProjectAlreadyInThatState(ConflictError):
    code = "project_publication_unchanged"
    default_message = _("The project is already in that state.")


class UnknownContact(DomainError):
    code = "unknown_contact"
    default_message = _("This contact does not belong to the project.")


@dataclass
class ContactData:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    organisation: str = ""
    last_confirmed: date | None = None
    id: int | None = None


@dataclass
class LinkData:
    kind: str
    url: str
    title: str = ""


@dataclass
class ProjectData:
    """Everything a project says, as validated by a serializer or an import row. On update,
    only the names in ``given`` are changed."""

    title: str = ""
    summary: str = ""
    purpose: str = ""
    method: str = ""
    results: str = ""
    lessons: str = ""
    status: str = Project.Status.IDEA
    start_year: int | None = None
    end_year: int | None = None
    municipality: Municipality | None = None
    themes: Sequence[Theme] = ()
    tags: Sequence[str] = ()
    participants: Sequence[Organisation] = ()
    partners: Sequence[str] = ()
    contacts: Sequence[ContactData] = ()
    links: Sequence[LinkData] = ()
    borrowed_from: Project | None = None
    external_id: str | None = None
    slug: str = ""
    given: set[str] = field(default_factory=set)


SIMPLE_FIELDS = (
    "title",
    "summary",
    "purpose",
    "method",
    "results",
    "lessons",
    "status",
    "start_year",
    "end_year",
    "external_id",
)


def normalised_tags(names: Iterable[str]) -> list[str]:
    """Tags in lower case, trimmed, each once, in the order given."""
    tags = (" ".join(name.split()).lower()[:TAG_MAX_LENGTH] for name in names)
    return list(dict.fromkeys(tag for tag in tags if tag))[:MAX_TAGS]


def unique_slug(title: str, *, exclude_pk: int | None = None, wanted: str = "") -> str:
    base = slugify(wanted or title)[:200] or "projekt"
    slug, counter = base, 2
    taken = Project.objects.exclude(pk=exclude_pk) if exclude_pk else Project.objects.all()
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _check_years(project: Project) -> None:
    if project.start_year and project.end_year and project.end_year < project.start_year:
        raise YearsOutOfOrder(fields={"end_year": [str(YearsOutOfOrder.default_message)]})


def _check_lineage(project: Project, source: Project | None) -> None:
    """A project may not borrow from itself or from a project that (transitively) borrowed
    from it: the lineage is a tree, shown both ways."""
    seen: set[int] = set()
    current = source
    while current is not None:
        if project.pk is not None and current.pk == project.pk:
            raise InvalidLineage(fields={"borrowed_from": [str(InvalidLineage.default_message)]})
        if current.pk in seen:
            break
        seen.add(current.pk)
        current = current.borrowed_from


def _set_tags(project: Project, names: Iterable[str]) -> None:
    tags = []
    for name in normalised_tags(names):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    project.tags.set(tags)


def _sync_contacts(project: Project, contacts: Sequence[ContactData]) -> None:
    """Contacts with an id are updated, new ones created, the rest removed: reply links sent
    to a kept contact stay valid."""
    existing = {contact.pk: contact for contact in project.contacts.all()}
    keep: set[int] = set()
    for position, data in enumerate(contacts):
        values = {
            "name": data.name,
            "role": data.role,
            "email": data.email,
            "phone": data.phone,
            "organisation": data.organisation,
            "last_confirmed": data.last_confirmed,
            "position": position,
        }
        if data.id is not None:
            contact = existing.get(data.id)
            if contact is None:
                raise UnknownContact(fields={"contacts": [str(UnknownContact.default_message)]})
            for name, value in values.items():
                setattr(contact, name, value)
            contact.save()
            keep.add(contact.pk)
        else:
            keep.add(ProjectContact.objects.create(project=project, **values).pk)
    project.contacts.exclude(pk__in=keep).delete()


def _set_links(project: Project, links: Sequence[LinkData]) -> None:
    project.links.all().delete()
    ProjectLink.objects.bulk_create(
        ProjectLink(project=project, kind=link.kind, url=link.url, title=link.title, position=i)
        for i, link in enumerate(links)
    )


def save_project(project: Project, data: ProjectData, *, creating: bool) -> None:
    """Write ``data`` into a project and re-index it, without a permission check: for the
    callers that checked already (the services below) or are trusted (the import)."""
    given = data.given if not creating else set(data.given) | set(SIMPLE_FIELDS)
    for name in SIMPLE_FIELDS:
        if name in given:
            setattr(project, name, getattr(data, name))
    if "municipality" in given or creating:
        owner_municipality = project.owner.municipality
        municipality = owner_municipality or data.municipality
        if municipality is None:
            raise MunicipalityRequired(
                fields={"municipality": [str(MunicipalityRequired.default_message)]}
            )
        project.municipality = municipality
    if "partners" in given:
        project.partners = [p.strip() for p in data.partners if p.strip()]
    if "borrowed_from" in given:
        _check_lineage(project, data.borrowed_from)
        project.borrowed_from = data.borrowed_from
    if "slug" in given and data.slug:
        project.slug = unique_slug(project.title, exclude_pk=project.pk, wanted=data.slug)
    elif creating:
        project.slug = unique_slug(project.title)
    _check_years(project)
    project.save()
    if "themes" in given:
        project.themes.set(data.themes)
    if "tags" in given:
        _set_tags(project, data.tags)
    if "participants" in given:
        project.participants.set([o for o in data.participants if o.pk != project.owner_id])
    if "contacts" in given:
        _sync_contacts(project, data.contacts)
    if "links" in given:
        _set_links(project, data.links)
    search.reindex([project.pk])


def set_lineage(project: Project, source: Project | None) -> None:
    """Say (or unsay) which project's method this one borrowed (trusted callers)."""
    _check_lineage(project, source)
    Project.objects.filter(pk=project.pk).update(borrowed_from=source)
    project.borrowed_from = source


@transaction.atomic
def create_project(
    *, actor: Any, owner: Organisation, data: ProjectData, publish_now: bool = False
) -> Project:
    """A new project of ``owner``, a draft unless ``publish_now``."""
    if not permissions.can_create_for(actor, owner):
        raise NotAProjectEditor()
    project = Project(owner=owner, created_by=actor if actor.is_authenticated else None)
    save_project(project, data, creating=True)
    if publish_now:
        set_published(actor=actor, project=project, published=True)
    return project


@transaction.atomic
def update_project(*, actor: Any, project: Project, data: ProjectData) -> Project:
    if not permissions.can_edit(actor, project):
        raise NotAProjectEditor()
    project = Project.objects.select_for_update().select_related("owner").get(pk=project.pk)
    save_project(project, data, creating=False)
    return project


@transaction.atomic
def set_published(*, actor: Any, project: Project, published: bool) -> Project:
    """Publish a draft (it appears in the open catalogue) or take a project back to draft."""
    if not permissions.can_edit(actor, project):
        raise NotAProjectEditor()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.is_published == published:
        raise ProjectAlreadyInThatState()
    change_publication(project, published=published)
    return project


def change_publication(project: Project, *, published: bool) -> bool:
    """Publish or unpublish without a permission check (the admin, the import); says whether
    anything changed. Publishing tells the rest of the platform through an event."""
    changed = (
        Project.objects.filter(pk=project.pk)
        .exclude(is_published=published)
        .update(is_published=published, updated_at=timezone.now())
    )
    project.is_published = published
    if changed:
        publish(
            "catalogue.project_published" if published else "catalogue.project_unpublished",
            {"project_id": project.pk, "owner_id": project.owner_id},
        )
    return bool(changed)


@transaction.atomic
def delete_project(*, actor: Any, project: Project) -> None:
    """Remove a project. Projects that borrowed its method keep their text but lose the
    link."""
    if not permissions.can_edit(actor, project):
        raise NotAProjectEditor()
    project.delete()


# --- Keeping contacts current --------------------------------------------------------------


@transaction.atomic
def confirm_contacts(
    *, actor: Any, project: Project, contact_ids: Sequence[int] | None = None
) -> int:
    """An editor says the project's contacts (all, or those named) are still right today."""
    if not permissions.can_edit(actor, project):
        raise NotAProjectEditor()
    contacts = project.contacts.all()
    if contact_ids is not None:
        unknown = set(contact_ids) - set(contacts.values_list("pk", flat=True))
        if unknown:
            raise UnknownContact(fields={"contacts": [str(UnknownContact.default_message)]})
        contacts = contacts.filter(pk__in=contact_ids)
    return contacts.update(last_confirmed=timezone.localdate())


@transaction.atomic
def request_contact_confirmations(*, now: datetime | None = None) -> int:
    """Ask each organisation's editors, once a year, to confirm the contacts of its
    published projects: people leave their jobs, and a request to a closed mailbox dies.

    A contact is due when it was last confirmed (or never) more than
    ``CATALOGUE_CONTACT_CONFIRMATION_DAYS`` ago and was not asked about within that time;
    ``confirmation_requested_at``, set under the row lock, makes each ask happen once.
    Publishes one event per organisation; returns how many contacts were asked about.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CATALOGUE_CONTACT_CONFIRMATION_DAYS)
    due = list(
        ProjectContact.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("project")
        .filter(project__is_published=True)
        .filter(Q(last_confirmed__isnull=True) | Q(last_confirmed__lte=cutoff.date()))
        .filter(
            Q(confirmation_requested_at__isnull=True) | Q(confirmation_requested_at__lte=cutoff)
        )
        .order_by("project__owner_id", "project_id", "position", "pk")
    )
    by_organisation: dict[int, list[int]] = {}
    for contact in due:
        by_organisation.setdefault(contact.project.owner_id, []).append(contact.pk)
    ProjectContact.objects.filter(pk__in=[contact.pk for contact in due]).update(
        confirmation_requested_at=now
    )
    for organisation_id, contact_ids in by_organisation.items():
        publish(
            "catalogue.contact_confirmation_due",
            {"organisation": organisation_id, "contacts": contact_ids},
        )
    return len(due)


# --- Cover image ---------------------------------------------------------------------------

COVER_SIDE = 1600


@transaction.atomic
def set_cover_image(*, actor: Any, project: Project, upload: Any | None) -> Project:
    """Replace the project's cover image (None removes it): checked, shrunk to at most
    ``COVER_SIDE`` pixels a side and re-encoded without the camera's metadata."""
    if not permissions.can_edit(actor, project):
        raise NotAProjectEditor()
    replace_picture(project, "cover_image", upload, max_side=COVER_SIDE)
    return project


# --- Names the search text holds -----------------------------------------------------------


REINDEX_BATCH = 500


def search_labels_changed(*, theme: Theme | None = None, tag: Tag | None = None) -> None:
    """A theme or tag was renamed: its projects are re-indexed in the background."""
    publish(
        "catalogue.search_labels_changed",
        {"theme": theme.pk if theme else None, "tag": tag.pk if tag else None},
    )


def reindex_projects_naming(
    *,
    organisation_id: int | None = None,
    theme_id: int | None = None,
    tag_id: int | None = None,
) -> int:
    """Re-analyse the search text of every project that holds one of these names."""
    condition = Q(pk__in=[])
    if organisation_id is not None:
        condition |= Q(owner_id=organisation_id) | Q(participants__id=organisation_id)
    if theme_id is not None:
        condition |= Q(themes__id=theme_id)
    if tag_id is not None:
        condition |= Q(tags__id=tag_id)
    ids = list(Project.objects.filter(condition).values_list("pk", flat=True).distinct())
    for start in range(0, len(ids), REINDEX_BATCH):
        with transaction.atomic():
            search.reindex(ids[start : start + REINDEX_BATCH])
    return len(ids)
