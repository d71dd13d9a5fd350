"""Personal data in the catalogue: a person named as a project's contact, the projects they
created, and the contact requests they sent, answered or received.

A contact request to a municipality is a public record the municipality must keep: the
request and its messages stay, with the person's name replaced; the account they point at is
anonymised by the account deletion itself."""

from django.db.models import Q, QuerySet

from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    Project,
    ProjectContact,
)
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User


def _contact_entries(user: User) -> QuerySet[ProjectContact]:
    # Linked to the account, or listed under one of the person's addresses.
    return ProjectContact.objects.filter(Q(user=user) | personal_data.any_address(user, "email"))


def _erase_contact_entries(user: User) -> None:
    # The entry goes with the person; requests about the project still reach the owning
    # organisation's contact address and editors.
    _contact_entries(user).delete()


personal_data.register(
    "catalogue_contacts",
    ProjectContact,
    export=lambda user: personal_data.rows(
        _contact_entries(user),
        "project__slug",
        "name",
        "role",
        "email",
        "phone",
        "organisation",
        "last_confirmed",
    ),
    erase=_erase_contact_entries,
)
personal_data.register(
    "catalogue_projects_created",
    Project,
    export=lambda user: personal_data.rows(
        Project.objects.filter(created_by=user), "slug", "title", "created_at"
    ),
    # The project belongs to its organisation; it names the creator only by the anonymised
    # account.
    erase=lambda user: None,
)


def _recipient_entries(user: User) -> QuerySet[ContactRequestRecipient]:
    return ContactRequestRecipient.objects.filter(
        Q(contact__user=user) | personal_data.any_address(user, "email")
    )


def _erase_recipient_entries(user: User) -> None:
    for recipient in _recipient_entries(user):
        recipient.name = personal_data.DELETED_NAME
        # Unique per request, and never a deliverable address.
        recipient.email = f"deleted-{recipient.pk}@invalid.invalid"
        recipient.contact = None
        recipient.save(update_fields=["name", "email", "contact"])


def _erase_message_authors(user: User) -> None:
    # The message stays (a public record); the name it was signed with goes.
    ContactRequestMessage.objects.filter(
        Q(author=user) | Q(recipient__in=_recipient_entries(user))
    ).update(author_name=personal_data.DELETED_NAME)


personal_data.register(
    "catalogue_contact_requests_sent",
    ContactRequest,
    export=lambda user: personal_data.rows(
        ContactRequest.objects.filter(sender=user),
        "project_title",
        "organisation__name",
        "kind",
        "message",
        "status",
        "created_at",
    ),
    # A public record of the receiving organisation: kept, pointing at the anonymised account.
    erase=lambda user: None,
)
personal_data.register(
    "catalogue_contact_request_messages",
    ContactRequestMessage,
    export=lambda user: personal_data.rows(
        ContactRequestMessage.objects.filter(author=user),
        "request__project_title",
        "body",
        "created_at",
    ),
    erase=lambda user: _erase_message_authors(user),
)
personal_data.register(
    "catalogue_contact_requests_received",
    ContactRequestRecipient,
    export=lambda user: personal_data.rows(
        _recipient_entries(user), "request__project_title", "name", "email", "kind"
    ),
    erase=_erase_recipient_entries,
)
