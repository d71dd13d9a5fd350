"""Contact requests: the path from a reader of the catalogue to the people behind a project.

A request is stored with a status (new, answered, closed) and emailed to every contact of the
project with an address and to the owning organisation's own contact address, each with a
signed link to answer and set the status without an account, so no request dies in the
mailbox of someone who left. Replies travel by email through the platform; neither side sees
the other's address. Five working days without an answer, the recipients are reminded; a few
working days later the owning organisation's editors are told.

Every change publishes a domain event in its transaction; ``catalogue.consumers`` turns the
events into emails.

Lock discipline: every change of a request's state takes ``FOR UPDATE`` on the request row
first, so a reply through a link and a status change through the API are serialised.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue import permissions
from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    Project,
)
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.core.swedish import add_working_days
from smartplatform.organisations.models import Membership, Organisation

Status = ContactRequest.Status

# Which status a receiver may set after which: a request is answered or closed, and a closed
# one can be opened again as answered. Nothing goes back to "new".
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ANSWERED, Status.CLOSED}),
    Status.ANSWERED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.ANSWERED}),
}

ANSWER_LINK_SALT = "catalogue.contact-request-answer"


class ProjectNotOpenForRequests(ConflictError):
    code = "project_not_published"
    default_message = _("Only published projects take contact requests.")


class NotAMemberOfThatOrganisation(DomainError):
    code = "not_a_member_of_that_organisation"
    default_message = _("You can only write for an organisation you are a member of.")


class ContactRequestTransitionNotAllowed(ConflictError):
    code = "contact_request_transition_not_allowed"
    default_message = _("The request cannot go from its current status to that one.")


class ContactRequestClosed(ConflictError):
    code = "contact_request_closed"
    default_message = _("The request is closed: open it again to write in it.")


class NotAContactRequestReceiver(DomainError):
    status_code = 403
    code = "not_a_contact_request_receiver"
    default_message = _("Only the people the request was sent to may do this.")


class InvalidAnswerLink(DomainError):
    status_code = 404
    code = "invalid_answer_link"
    default_message = _("This link is not valid, or it is too old. Ask for a new one.")


# --- Signed answer links ------------------------------------------------------------------


def answer_token(recipient: ContactRequestRecipient) -> str:
    return signing.dumps({"r": recipient.pk}, salt=ANSWER_LINK_SALT, compress=True)


def answer_url(recipient: ContactRequestRecipient) -> str:
    from django.urls import reverse

    path = reverse("catalogue-contact-request-answer", args=[answer_token(recipient)])
    return f"{settings.SITE_URL}{path}"


def recipient_for_token(token: str) -> ContactRequestRecipient:
    """The recipient a link was made for; links stay valid for
    ``CATALOGUE_ANSWER_LINK_DAYS`` days after the email that carried them."""
    try:
        data = signing.loads(
            token,
            salt=ANSWER_LINK_SALT,
            max_age=settings.CATALOGUE_ANSWER_LINK_DAYS * 24 * 3600,
        )
        recipient_id = int(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidAnswerLink() from exc
    recipient = (
        ContactRequestRecipient.objects.select_related("request", "request__organisation")
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None:
        raise InvalidAnswerLink()
    return recipient


# --- Sending ------------------------------------------------------------------------------


def _recipients_for(project: Project) -> list[tuple[str, Any, str, str]]:
    """(kind, contact, name, email) of everyone a request about ``project`` goes to: the
    contacts with an address, then the owning organisation's address, each address once."""
    found: dict[str, tuple[str, Any, str, str]] = {}
    for contact in project.contacts.select_related("user"):
        email = contact.email or (contact.user.email if contact.user else "")
        if email and email.lower() not in found:
            found[email.lower()] = (
                ContactRequestRecipient.Kind.CONTACT,
                contact,
                contact.name,
                email,
            )
    owner = project.owner
    if owner.contact_email and owner.contact_email.lower() not in found:
        found[owner.contact_email.lower()] = (
            ContactRequestRecipient.Kind.ORGANISATION,
            None,
            owner.name,
            owner.contact_email,
        )
    return list(found.values())


@transaction.atomic
def send_contact_request(
    *,
    sender: Any,
    project: Project,
    kind: str,
    message: str,
    sender_organisation: Organisation | None = None,
) -> ContactRequest:
    if not project.is_published:
        raise ProjectNotOpenForRequests()
    if (
        sender_organisation is not None
        and not Membership.objects.filter(organisation=sender_organisation, user=sender).exists()
    ):
        raise NotAMemberOfThatOrganisation()
    request = ContactRequest.objects.create(
        project=project,
        project_title=project.title,
        organisation=project.owner,
        sender=sender,
        sender_organisation=sender_organisation,
        kind=kind,
        message=message.strip(),
    )
    ContactRequestRecipient.objects.bulk_create(
        ContactRequestRecipient(request=request, kind=kind, contact=contact, name=name, email=email)
        for kind, contact, name, email in _recipients_for(project)
    )
    publish(
        "catalogue.contact_request_sent",
        {"request": request.pk, "project": project.pk, "organisation": project.owner_id},
    )
    return request


# --- Answering ----------------------------------------------------------------------------


def _locked(request: ContactRequest) -> ContactRequest:
    return ContactRequest.objects.select_for_update().get(pk=request.pk)


def _set_status(request: ContactRequest, status: str) -> None:
    request.status = status
    request.status_changed_at = timezone.now()
    request.save(update_fields=["status", "status_changed_at"])


def _receiver_name(user: Any, request: ContactRequest) -> str:
    if Membership.objects.filter(organisation=request.organisation, user=user).exists():
        return f"{user.display_name}, {request.organisation.name}"
    return str(user.display_name)


def _sender_name(request: ContactRequest) -> str:
    name = str(request.sender.display_name)
    if request.sender_organisation is not None:
        return f"{name}, {request.sender_organisation.name}"
    return name


@transaction.atomic
def change_status(
    *,
    request: ContactRequest,
    status: str,
    by: Any = None,
    recipient: ContactRequestRecipient | None = None,
) -> ContactRequest:
    """A receiver (a signed-in ``by``, or the holder of ``recipient``'s link) sets the
    status; the sender is told."""
    if recipient is None and not permissions.can_answer(by, request):
        raise NotAContactRequestReceiver()
    request = _locked(request)
    if status not in TRANSITIONS[request.status]:
        raise ContactRequestTransitionNotAllowed()
    _set_status(request, status)
    publish(
        "catalogue.contact_request_status_changed",
        {"request": request.pk, "status": status},
    )
    return request


@transaction.atomic
def write_message(
    *,
    request: ContactRequest,
    body: str,
    by: Any = None,
    recipient: ContactRequestRecipient | None = None,
) -> ContactRequestMessage:
    """A reply from a receiver (signed in, or through ``recipient``'s link) or a follow-up
    from the sender, relayed by email to the other side. A receiver's first reply marks the
    request answered."""
    request = _locked(request)
    if recipient is not None:
        side, author_name = ContactRequestMessage.Side.RECEIVER, recipient.name
    elif by is not None and by.pk == request.sender_id:
        side, author_name = ContactRequestMessage.Side.SENDER, _sender_name(request)
    elif permissions.can_answer(by, request):
        side, author_name = ContactRequestMessage.Side.RECEIVER, _receiver_name(by, request)
    else:
        raise NotAContactRequestReceiver()
    if request.status == Status.CLOSED:
        raise ContactRequestClosed()
    message = ContactRequestMessage.objects.create(
        request=request,
        side=side,
        author=by,
        recipient=recipient,
        author_name=author_name[:200],
        body=body.strip(),
    )
    if side == ContactRequestMessage.Side.RECEIVER and request.status == Status.NEW:
        _set_status(request, Status.ANSWERED)
    publish(
        "catalogue.contact_request_message",
        {"request": request.pk, "message": message.pk, "side": side},
    )
    return message


# --- Following up -------------------------------------------------------------------------


def _due(since: datetime, working_days: int, today: date) -> bool:
    return add_working_days(timezone.localdate(since), working_days) <= today


@transaction.atomic
def follow_up_unanswered(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the recipients of requests still new after ``CATALOGUE_REMINDER_WORKING_DAYS``
    working days; tell the owning organisation's editors about those still new
    ``CATALOGUE_ESCALATION_WORKING_DAYS`` working days after the reminder.

    Each step happens once per request (``reminded_at`` and ``escalated_at`` are its
    guards, checked under the row lock), so overlapping runs do it once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminder_days = settings.CATALOGUE_REMINDER_WORKING_DAYS
    escalation_days = settings.CATALOGUE_ESCALATION_WORKING_DAYS
    # n working days are at least n calendar days: the database narrows by calendar days,
    # the calendar of holidays decides.
    candidates = (
        ContactRequest.objects.select_for_update(skip_locked=True)
        .filter(status=Status.NEW)
        .filter(
            Q(reminded_at__isnull=True, created_at__lte=now - timedelta(days=reminder_days))
            | Q(
                reminded_at__isnull=False,
                escalated_at__isnull=True,
                reminded_at__lte=now - timedelta(days=escalation_days),
            )
        )
        .order_by("pk")
    )
    reminded = escalated = 0
    for request in candidates:
        if request.reminded_at is None:
            if _due(request.created_at, reminder_days, today):
                request.reminded_at = now
                request.save(update_fields=["reminded_at"])
                publish("catalogue.contact_request_reminder_due", {"request": request.pk})
                reminded += 1
        elif _due(request.reminded_at, escalation_days, today):
            request.escalated_at = now
            request.save(update_fields=["escalated_at"])
            publish("catalogue.contact_request_escalated", {"request": request.pk})
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}
