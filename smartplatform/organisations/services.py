"""Writes to organisations, memberships, join requests and invitations.

Lock discipline: every change to who belongs to an organisation (roles, removals, approvals,
accepted invitations) first takes a row lock on the organisation, so concurrent changes to
one organisation run one after the other and "at least one admin" cannot be broken by two
admins demoting each other at once. On SQLite, immediate transactions serialise writers.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.core.images import replace_picture
from smartplatform.organisations.models import (
    ROLE_RANK,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Role,
)

INVITATION_VALID_FOR = timedelta(days=14)


class AlreadyMember(ConflictError):
    code = "already_member"
    default_message = _("This person is already a member of the organisation.")


class JoinRequestPending(ConflictError):
    code = "join_request_pending"
    default_message = _("You have already asked to join; an admin will answer.")


class JoinRequestNotPending(ConflictError):
    code = "join_request_not_pending"
    default_message = _("This join request has already been answered or withdrawn.")


class SoleAdmin(ConflictError):
    code = "sole_admin"
    default_message = _(
        "The organisation would be left without an admin. Make someone else an admin first."
    )


class OrganisationNotVerified(ConflictError):
    code = "organisation_not_verified"
    default_message = _(
        "Only a verified organisation can have coordinators. Staff verify organisations."
    )


class NotAMember(DomainError):
    status_code = 404
    code = "not_a_member"
    default_message = _("This person is not a member of the organisation.")


class InvitationPending(ConflictError):
    code = "invitation_pending"
    default_message = _("This address already has an invitation waiting.")


class InvitationNotFound(DomainError):
    status_code = 404
    code = "invitation_not_found"
    default_message = _("No invitation has this code.")


class InvitationNotPending(ConflictError):
    code = "invitation_not_pending"
    default_message = _("This invitation has already been answered or revoked.")


class InvitationExpired(ConflictError):
    code = "invitation_expired"
    default_message = _("This invitation has expired. Ask the organisation for a new one.")


class InvitationForAnotherAddress(DomainError):
    status_code = 403
    code = "invitation_for_another_address"
    default_message = _(
        "This invitation was sent to another email address. Sign in with that address, or "
        "add and verify it on your account."
    )


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_organisation(*, creator: User, name: str, kind: str, **profile: Any) -> Organisation:
    """A new organisation, with its creator as its first admin."""
    organisation = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    name=name.strip(), slug=_unique_slug(name), kind=kind, **profile
                )
            break
        except IntegrityError:  # the same name taken at the same moment: try the next slug
            continue
    if organisation is None:
        raise ConflictError()
    Membership.objects.create(organisation=organisation, user=creator, role=Role.ADMIN)
    publish("organisation.created", {"organisation": organisation.pk, "by": creator.pk})
    return organisation


@transaction.atomic
def update_organisation(*, organisation: Organisation, actor: User, **changes: Any) -> Organisation:
    was_verified, old_name = organisation.is_verified, organisation.name
    for field, value in changes.items():
        setattr(organisation, field, value.strip() if isinstance(value, str) else value)
    organisation.full_clean(exclude=["slug", "logo"])
    organisation.save()
    if organisation.is_verified and not was_verified:
        publish("organisation.verified", {"organisation": organisation.pk, "by": actor.pk})
    if organisation.name != old_name:
        organisation_renamed(organisation)
    return organisation


def organisation_renamed(organisation: Organisation) -> None:
    """Tell the apps that show or search by the name (the catalogue indexes it)."""
    publish("organisation.renamed", {"organisation": organisation.pk, "name": organisation.name})


def _admins_left_after(organisation: Organisation, *, without: User) -> int:
    return (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .exclude(user=without)
        .count()
    )


@transaction.atomic
def update_membership(
    *,
    organisation: Organisation,
    member: User,
    actor: User,
    role: Role | None = None,
    is_coordinator: bool | None = None,
) -> Membership:
    """Change a member's role, or grant or take away the coordinator (ombud) role."""
    organisation = _lock(organisation)
    membership = Membership.objects.filter(organisation=organisation, user=member).first()
    if membership is None:
        raise NotAMember()
    if role is not None:
        demoting_an_admin = membership.role == Role.ADMIN and role != Role.ADMIN
        if demoting_an_admin and _admins_left_after(organisation, without=member) == 0:
            raise SoleAdmin()
        membership.role = role
    if is_coordinator is not None:
        if is_coordinator and not organisation.is_verified:
            raise OrganisationNotVerified()
        membership.is_coordinator = is_coordinator
    membership.save(update_fields=["role", "is_coordinator"])
    publish(
        "organisation.membership_changed",
        {
            "organisation": organisation.pk,
            "user": member.pk,
            "role": membership.role,
            "is_coordinator": membership.is_coordinator,
            "by": actor.pk,
        },
    )
    return membership


@transaction.atomic
def remove_member(*, organisation: Organisation, member: User, actor: User) -> None:
    """An admin removes a member, or a member leaves (``actor`` is ``member``)."""
    organisation = _lock(organisation)
    membership = Membership.objects.filter(organisation=organisation, user=member).first()
    if membership is None:
        raise NotAMember()
    if membership.role == Role.ADMIN and _admins_left_after(organisation, without=member) == 0:
        raise SoleAdmin()
    membership.delete()
    publish(
        "organisation.member_removed",
        {"organisation": organisation.pk, "user": member.pk, "by": actor.pk},
    )


def sole_admin_of(user: User) -> list[Organisation]:
    """The organisations that would be left without an admin if ``user`` went."""
    return [
        membership.organisation
        for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related(
            "organisation"
        )
        if _admins_left_after(membership.organisation, without=user) == 0
    ]


@transaction.atomic
def request_to_join(*, organisation: Organisation, user: User, message: str = "") -> JoinRequest:
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise AlreadyMember()
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                organisation=organisation, user=user, message=message.strip()
            )
    except IntegrityError as exc:  # the one-pending-request constraint
        raise JoinRequestPending() from exc
    publish(
        "organisation.join_requested",
        {"organisation": organisation.pk, "join_request": join_request.pk, "user": user.pk},
    )
    return join_request


@transaction.atomic
def decide_join_request(*, join_request: JoinRequest, actor: User, approve: bool) -> JoinRequest:
    organisation = _lock(join_request.organisation)
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise JoinRequestNotPending()
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        Membership.objects.get_or_create(
            organisation=organisation, user=join_request.user, defaults={"role": Role.MEMBER}
        )
    publish(
        "organisation.join_request_decided",
        {
            "organisation": organisation.pk,
            "join_request": join_request.pk,
            "user": join_request.user_id,
            "approved": approve,
            "by": actor.pk,
        },
    )
    return join_request


@transaction.atomic
def withdraw_join_request(*, join_request: JoinRequest) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise JoinRequestNotPending()
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.save(update_fields=["status"])
    return join_request


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


@transaction.atomic
def invite(*, organisation: Organisation, email: str, role: Role, actor: User) -> Invitation:
    """Invite someone by email. The code is in the email only; the database keeps its hash."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise AlreadyMember()
    # An invitation that expired unanswered no longer holds the address.
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        status=Invitation.Status.PENDING,
        expires_at__lte=timezone.now(),
    ).update(status=Invitation.Status.REVOKED)
    code = secrets.token_urlsafe(16)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                code_hash=_code_hash(code),
                invited_by=actor,
                expires_at=timezone.now() + INVITATION_VALID_FOR,
            )
    except IntegrityError as exc:  # the one-pending-invitation constraint
        raise InvitationPending() from exc
    _send_invitation_email(invitation, code)
    publish(
        "organisation.invitation_sent",
        {"organisation": organisation.pk, "invitation": invitation.pk, "by": actor.pk},
    )
    return invitation


def _send_invitation_email(invitation: Invitation, code: str) -> None:
    from django.core.mail import EmailMessage

    from smartplatform.accounts.adapter import email_language
    from smartplatform.accounts.services import send_email_after_commit

    recipient = User.objects.filter(email__iexact=invitation.email).first()
    context = {
        "organisation": invitation.organisation.name,
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
        "role": invitation.get_role_display,
        "code": code,
        "accept_path": "/api/v1/invitations/accept/",
        "frontend_url": settings.FRONTEND_URL,
        "expires_at": invitation.expires_at,
    }
    with translation.override(email_language(recipient, None)):
        subject = render_to_string("organisations/email/invitation_subject.txt", context)
        body = render_to_string("organisations/email/invitation_message.txt", context)
    send_email_after_commit(
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[invitation.email])
    )


def _answerable_invitation(code: str, user: User) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(code_hash=_code_hash(code))
        .first()
    )
    if invitation is None:
        raise InvitationNotFound()
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationNotPending()
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired()
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise InvitationForAnotherAddress()
    return invitation


@transaction.atomic
def accept_invitation(*, code: str, user: User) -> Membership:
    invitation = _answerable_invitation(code, user)
    organisation = _lock(invitation.organisation)
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": invitation.role}
    )
    if not created and ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.status = Invitation.Status.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    publish(
        "organisation.invitation_accepted",
        {"organisation": organisation.pk, "invitation": invitation.pk, "user": user.pk},
    )
    return membership


@transaction.atomic
def decline_invitation(*, code: str, user: User) -> Invitation:
    invitation = _answerable_invitation(code, user)
    invitation.status = Invitation.Status.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationNotPending()
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    return invitation


LOGO_SIDE = 512


@transaction.atomic
def set_logo(*, organisation: Organisation, upload: Any) -> Organisation:
    replace_picture(organisation, "logo", upload, max_side=LOGO_SIDE)
    return organisation


@transaction.atomic
def remove_logo(*, organisation: Organisation) -> Organisation:
    replace_picture(organisation, "logo", None, max_side=LOGO_SIDE)
    return organisation
