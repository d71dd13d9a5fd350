"""The catalogue's own events turned into emails.

Contact requests must reach people who have no account, so these consumers email them
directly; in-app notices for people with an account are the notifications app's work.
Each consumer reads the current state (the payload carries ids) and is safe to run twice:
the emails of a retried delivery carry the same Message-IDs.
"""

from typing import Any

from django.contrib.auth import get_user_model

from catalogue import contact_requests, services
from catalogue.emails import Outgoing, language_of, send_all
from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    ProjectContact,
)
from smartplatform.core.events import consumer
from smartplatform.core.models import Event
from smartplatform.organisations.models import Organisation, Role

_REQUEST_RELATIONS = ("project", "organisation", "sender", "sender_organisation")


def _request(event: Event) -> ContactRequest | None:
    return (
        ContactRequest.objects.select_related(*_REQUEST_RELATIONS)
        .filter(pk=event.payload["request"])
        .first()
    )


def _common(request: ContactRequest) -> dict[str, Any]:
    sender = request.sender.display_name
    if request.sender_organisation is not None:
        sender = f"{sender} ({request.sender_organisation.name})"
    return {
        "request": request,
        "project_title": request.project_title,
        "kind": ContactRequest.Kind(request.kind).label,
        "sender_name": sender,
        "organisation": request.organisation.name,
    }


def _recipient_emails(request: ContactRequest, template: str, **extra: Any) -> list[Outgoing]:
    recipients = request.recipients.select_related("contact__user")
    return [
        Outgoing(
            to=recipient.email,
            language=language_of(recipient.contact.user if recipient.contact else None),
            template=template,
            context={
                **_common(request),
                **extra,
                "name": recipient.name,
                "for_organisation": recipient.kind == ContactRequestRecipient.Kind.ORGANISATION,
                "answer_url": contact_requests.answer_url(recipient),
            },
        )
        for recipient in recipients
    ]


def _sender_email(request: ContactRequest, template: str, **extra: Any) -> Outgoing:
    return Outgoing(
        to=request.sender.email,
        language=language_of(request.sender),
        template=template,
        context={**_common(request), **extra, "name": request.sender.display_name},
    )


def _editors(organisation: Organisation) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=(Role.EDITOR, Role.ADMIN),
            is_active=True,
        )
        .order_by("pk")
    )


@consumer("catalogue.contact_request_sent", name="catalogue.email_contact_request")
def email_contact_request(event: Event) -> None:
    request = _request(event)
    if request is not None:
        send_all(_recipient_emails(request, "request"), key=f"catalogue.event{event.pk}")


@consumer("catalogue.contact_request_reminder_due", name="catalogue.email_contact_reminder")
def email_contact_reminder(event: Event) -> None:
    request = _request(event)
    if request is not None and request.status == ContactRequest.Status.NEW:
        send_all(_recipient_emails(request, "reminder"), key=f"catalogue.event{event.pk}")


@consumer("catalogue.contact_request_escalated", name="catalogue.email_contact_escalation")
def email_contact_escalation(event: Event) -> None:
    request = _request(event)
    if request is None or request.status != ContactRequest.Status.NEW:
        return
    outgoing = [
        Outgoing(
            to=editor.email,
            language=language_of(editor),
            template="escalation",
            context={
                **_common(request),
                "name": editor.display_name,
                "recipients": list(request.recipients.values_list("name", flat=True)),
            },
        )
        for editor in _editors(request.organisation)
    ]
    send_all(outgoing, key=f"catalogue.event{event.pk}")


@consumer("catalogue.contact_request_message", name="catalogue.email_contact_message")
def email_contact_message(event: Event) -> None:
    request = _request(event)
    message = ContactRequestMessage.objects.filter(pk=event.payload["message"]).first()
    if request is None or message is None:
        return
    if message.side == ContactRequestMessage.Side.RECEIVER:
        outgoing = [_sender_email(request, "reply", message=message)]
    else:
        outgoing = _recipient_emails(request, "follow_up", message=message)
    send_all(outgoing, key=f"catalogue.event{event.pk}")


@consumer("catalogue.contact_request_status_changed", name="catalogue.email_contact_request_status")
def email_contact_request_status(event: Event) -> None:
    request = _request(event)
    if request is None or request.status != event.payload["status"]:
        return  # changed again since: the later event tells
    send_all(
        [_sender_email(request, "status", status=ContactRequest.Status(request.status).label)],
        key=f"catalogue.event{event.pk}",
    )


@consumer("catalogue.contact_confirmation_due", name="catalogue.email_contact_confirmation")
def email_contact_confirmation(event: Event) -> None:
    organisation = Organisation.objects.filter(pk=event.payload["organisation"]).first()
    contacts = list(
        ProjectContact.objects.filter(pk__in=event.payload["contacts"])
        .select_related("project")
        .order_by("project__title", "position", "pk")
    )
    if organisation is None or not contacts:
        return
    editors = _editors(organisation)
    # Without editors the organisation's own mailbox is asked, so the check is not skipped.
    addressees: list[tuple[str, Any]] = [(editor.email, editor) for editor in editors] or (
        [(organisation.contact_email, None)] if organisation.contact_email else []
    )
    context = {"organisation": organisation.name, "contacts": contacts}
    send_all(
        [
            Outgoing(
                to=address,
                language=language_of(person),
                template="confirm_contacts",
                context={**context, "name": person.display_name if person else organisation.name},
            )
            for address, person in addressees
        ],
        key=f"catalogue.event{event.pk}",
    )


@consumer("organisation.renamed", name="catalogue.reindex_renamed_organisation")
def reindex_renamed_organisation(event: Event) -> None:
    services.reindex_projects_naming(organisation_id=event.payload["organisation"])


@consumer("catalogue.search_labels_changed", name="catalogue.reindex_renamed_labels")
def reindex_renamed_labels(event: Event) -> None:
    services.reindex_projects_naming(
        theme_id=event.payload.get("theme"), tag_id=event.payload.get("tag")
    )
