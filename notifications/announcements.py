"""Announcements: an organisation tells all its people at once. For a municipality that is
its members and every resident whose home municipality it is; for any other organisation,
its members. The fan-out is the notifications app's bulk path: a few thousand notifications
per insert, and their emails queued in chunks."""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.models import Announcement
from notifications.services import chunks, notify
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError
from smartplatform.core.events import publish
from smartplatform.organisations import permissions as org_permissions
from smartplatform.organisations.models import Organisation, Role

FAN_OUT_CHUNK = 2000


class NotAllowedToAnnounce(DomainError):
    status_code = 403
    code = "not_allowed_to_announce"
    default_message = _("Only the organisation's editors and admins make announcements.")


@transaction.atomic
def announce(*, organisation: Organisation, actor: User, title: str, text: str) -> Announcement:
    if not org_permissions.has_role(actor, organisation, Role.EDITOR):
        raise NotAllowedToAnnounce
    announcement = Announcement.objects.create(
        organisation=organisation, title=title.strip(), text=text.strip(), created_by=actor
    )
    publish("organisation.announced", {"announcement": announcement.pk})
    return announcement


def audience(organisation: Organisation) -> "Q":
    people = Q(memberships__organisation=organisation)
    if organisation.municipality_id is not None:
        people |= Q(home_municipality_id=organisation.municipality_id)
    return people


def _audience_ids(organisation: Organisation) -> list[int]:
    return list(
        User.objects.filter(audience(organisation), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _people(ids: list[int]) -> Iterator[list[User]]:
    for chunk in chunks(ids, FAN_OUT_CHUNK):
        yield list(
            User.objects.filter(pk__in=chunk).only("pk", "email", "is_active", "preferred_language")
        )


def tell_everyone(announcement: Announcement, *, dedupe_key: str) -> int:
    """Notify the whole audience, in chunks; safe to run again (the dedupe key)."""
    organisation = announcement.organisation
    told = 0
    for people in _people(_audience_ids(organisation)):
        told += notify(
            recipients=people,
            type_name="organisation_announcement",
            subject_id=announcement.pk,
            data={
                "organisation": organisation.name,
                "title": announcement.title,
                "text": announcement.text,
            },
            dedupe_key=dedupe_key,
        )
    Announcement.objects.filter(pk=announcement.pk).update(told=told)
    return told
