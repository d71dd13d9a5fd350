"""Personal data in the catalogue: a person named as a project's contact, and the projects
they created."""

from django.db.models import Q, QuerySet

from catalogue.models import Project, ProjectContact
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
