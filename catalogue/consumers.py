"""The catalogue's own events told through the notifications app.

Contact requests must reach people who have no account (a project's contacts, an
organisation's shared mailbox): they are told by email at their address; the sender and an
organisation's editors, who have accounts, are told in the app and by email as they chose.
Each consumer reads the current state (the payload carries ids) and is safe to run twice: the
event's id is the dedupe key of what it tells. What an email needs beyond a notice's title
(the request's text, a recipient's own answer link) is read when it is rendered
(``_email_context``), so no answer link is stored.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from catalogue import contact_requests, services
from catalogue.models import (
    ContactRequest,
    ContactRequestMessage,
    ContactRequestRecipient,
    ProjectContact,
)
from notifications.emails import email_context
from notifications.models import Notification
from notifications.services import AddressRecipient, notify, notify_addresses
from smartplatform.accounts.adapter import email_language
from smartplatform.core.events import consumer
from smartplatform.core.models import Event
from smartplatform.organisations.models import Organisation, Role

_REQUEST_RELATIONS = ("project", "organisation", "sender", "sender_organisation")


def _key(event: Event) -> str:
    return f"event:{event.pk}"


def _language(user: Any) -> str:
    return email_language(user, None) if user is not None else settings.LANGUAGE_CODE


def _request(pk: Any) -> ContactRequest | None:
    return ContactRequest.objects.select_related(*_REQUEST_RELATIONS).filter(pk=pk).first()


def _sender_name(request: ContactRequest) -> str:
    sender = request.sender.display_name
    if request.sender_organisation is not None:
        sender = f"{sender} ({request.sender_organisation.name})"
    return sender


def _facts(request: ContactRequest, language: str) -> dict[str, Any]:
    """The request's words for a notice's title and body, in ``language``."""
    with translation.override(language):
        return {
            "project_title": request.project_title,
            "kind": str(ContactRequest.Kind(request.kind).label),
            "status": str(ContactRequest.Status(request.status).label),
            "sender_name": _sender_name(request),
            "sender_id": request.sender_id,
            "organisation": request.organisation.name,
        }


def _tell_recipients(event: Event, request: ContactRequest, type_name: str, **ids: int) -> None:
    recipients = request.recipients.select_related("contact__user")
    told = []
    for recipient in recipients:
        language = _language(recipient.contact.user if recipient.contact else None)
        data = {**_facts(request, language), "recipient": recipient.pk, **ids}
        told.append(AddressRecipient(email=recipient.email, language=language, data=data))
    notify_addresses(
        recipients=told, type_name=type_name, subject_id=request.pk, dedupe_key=_key(event)
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


def _tell_people(
    event: Event,
    request: ContactRequest,
    type_name: str,
    people: list[Any],
    **extra: Any,
) -> None:
    # One notify per person: each notice's words are in that person's language.
    for person in people:
        notify(
            recipients=[person],
            type_name=type_name,
            subject_id=request.pk,
            data={**_facts(request, _language(person)), **extra},
            dedupe_key=_key(event),
        )


@consumer("catalogue.contact_request_sent", name="catalogue.email_contact_request")
def tell_of_contact_request(event: Event) -> None:
    request = _request(event.payload["request"])
    if request is not None:
        _tell_recipients(event, request, "contact_request_received")


@consumer("catalogue.contact_request_reminder_due", name="catalogue.email_contact_reminder")
def remind_of_contact_request(event: Event) -> None:
    request = _request(event.payload["request"])
    if request is not None and request.status == ContactRequest.Status.NEW:
        _tell_recipients(event, request, "contact_request_reminder")


@consumer("catalogue.contact_request_escalated", name="catalogue.email_contact_escalation")
def escalate_contact_request(event: Event) -> None:
    request = _request(event.payload["request"])
    if request is None or request.status != ContactRequest.Status.NEW:
        return
    _tell_people(event, request, "contact_request_escalated", _editors(request.organisation))


@consumer("catalogue.contact_request_message", name="catalogue.email_contact_message")
def tell_of_contact_message(event: Event) -> None:
    request = _request(event.payload["request"])
    message = ContactRequestMessage.objects.filter(pk=event.payload["message"]).first()
    if request is None or message is None:
        return
    if message.side == ContactRequestMessage.Side.RECEIVER:
        _tell_people(
            event,
            request,
            "contact_request_answered",
            [request.sender],
            author=message.author_name,
            message=message.pk,
        )
    else:
        _tell_recipients(event, request, "contact_request_follow_up", message=message.pk)


@consumer("catalogue.contact_request_status_changed", name="catalogue.email_contact_request_status")
def tell_of_contact_request_status(event: Event) -> None:
    request = _request(event.payload["request"])
    if request is None or request.status != event.payload["status"]:
        return  # changed again since: the later event tells
    _tell_people(event, request, "contact_request_status", [request.sender])


@consumer("catalogue.contact_confirmation_due", name="catalogue.email_contact_confirmation")
def ask_to_confirm_contacts(event: Event) -> None:
    organisation = Organisation.objects.filter(pk=event.payload["organisation"]).first()
    if organisation is None or not event.payload["contacts"]:
        return
    data = {
        "organisation": organisation.name,
        "organisation_slug": organisation.slug,
        "contacts": list(event.payload["contacts"]),
    }
    editors = _editors(organisation)
    if editors:
        notify(
            recipients=editors,
            type_name="catalogue_contacts_to_confirm",
            subject_id=organisation.pk,
            data=data,
            dedupe_key=_key(event),
        )
    elif organisation.contact_email:
        # Without editors the organisation's own mailbox is asked, so the check is not skipped.
        notify_addresses(
            recipients=[
                AddressRecipient(
                    email=organisation.contact_email,
                    language=settings.LANGUAGE_CODE,
                    data={**data, "name": organisation.name},
                )
            ],
            type_name="catalogue_contacts_to_confirm",
            subject_id=organisation.pk,
            dedupe_key=_key(event),
        )


# --- What the emails show -----------------------------------------------------------------------


@email_context(
    "contact_request_received",
    "contact_request_reminder",
    "contact_request_follow_up",
    "contact_request_escalated",
    "contact_request_answered",
    "contact_request_status",
)
def _email_context(notification: Notification) -> dict[str, Any]:
    request = _request(notification.subject_id)
    if request is None:
        return {}
    data = notification.data
    context: dict[str, Any] = {
        "request": request,
        "project_title": request.project_title,
        "kind": ContactRequest.Kind(request.kind).label,
        "status": ContactRequest.Status(request.status).label,
        "sender_name": _sender_name(request),
        "organisation": request.organisation.name,
        "recipients": list(request.recipients.values_list("name", flat=True)),
    }
    if "message" in data:
        context["message"] = ContactRequestMessage.objects.filter(pk=data["message"]).first()
    recipient = ContactRequestRecipient.objects.filter(pk=data.get("recipient"), request=request)
    found = recipient.select_related("contact").first()
    if found is not None:
        context.update(
            name=found.name,
            for_organisation=found.kind == ContactRequestRecipient.Kind.ORGANISATION,
            answer_url=contact_requests.answer_url(found),
            url=contact_requests.answer_url(found),
        )
    return context


@email_context("catalogue_contacts_to_confirm")
def _contacts_context(notification: Notification) -> dict[str, Any]:
    contacts = list(
        ProjectContact.objects.filter(pk__in=notification.data.get("contacts", []))
        .select_related("project")
        .order_by("project__title", "position", "pk")
    )
    context: dict[str, Any] = {
        "organisation": notification.data.get("organisation", ""),
        "contacts": contacts,
    }
    if notification.recipient is None:
        context["name"] = notification.data.get("name", "")
    return context


@consumer("organisation.renamed", name="catalogue.reindex_renamed_organisation")
def reindex_renamed_organisation(event: Event) -> None:
    services.reindex_projects_naming(organisation_id=event.payload["organisation"])


@consumer("catalogue.search_labels_changed", name="catalogue.reindex_renamed_labels")
def reindex_renamed_labels(event: Event) -> None:
    services.reindex_projects_naming(
        theme_id=event.payload.get("theme"), tag_id=event.payload.get("tag")
    )
