"""Who may do what in the catalogue: the one place these rules live.

- Anyone, without an account, reads published projects.
- Editors (and admins) of an organisation create its projects, edit them, publish and
  unpublish them, and see their drafts and their contacts' email and phone.
- Staff see drafts (to moderate); superusers may do everything.
- Any verified user sends a contact request about a published project. Its receivers are the
  owning organisation's editors and the project's contacts who have an account (contacts
  without one answer through their signed link); receivers answer and set its status. The
  sender sees it and its status, and may follow it up.
"""

from typing import Any

from django.db.models import Q

from catalogue.models import ContactRequest, Project, ProjectContact
from smartplatform.organisations.models import Membership, Organisation, Role
from smartplatform.organisations.permissions import has_role, is_staff, is_superuser

EDITOR_ROLES = (Role.EDITOR, Role.ADMIN)


def visible_projects_condition(user: Any) -> Q:
    """The projects a user may read: published ones, and drafts of their organisations."""
    if is_staff(user):
        return Q()
    if not user.is_authenticated:
        return Q(is_published=True)
    return Q(is_published=True) | Q(
        owner__in=Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values("organisation")
    )


def can_create_for(user: Any, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.EDITOR)


def can_edit(user: Any, project: Project) -> bool:
    return is_superuser(user) or has_role(user, project.owner, Role.EDITOR)


def can_see_contact_details(user: Any, project: Project) -> bool:
    """Email and phone of a project's contacts: never public, never bulk-exported."""
    return can_edit(user, project)


def can_see(user: Any, project: Project) -> bool:
    return project.is_published or is_staff(user) or can_edit(user, project)


def received_requests_condition(user: Any) -> Q:
    """The contact requests ``user`` receives: their organisations' and their projects'."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_superuser(user):
        return Q()
    return Q(
        organisation__in=Membership.objects.filter(user=user, role__in=EDITOR_ROLES).values(
            "organisation"
        )
    ) | Q(project__in=ProjectContact.objects.filter(user=user).values("project"))


def visible_requests_condition(user: Any) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(sender=user) | received_requests_condition(user)


def can_answer(user: Any, request: ContactRequest) -> bool:
    if not user.is_authenticated:
        return False
    if is_superuser(user) or has_role(user, request.organisation, Role.EDITOR):
        return True
    return request.project_id is not None and (
        ProjectContact.objects.filter(project_id=request.project_id, user=user).exists()
    )
