"""Personal data in notifications: what the platform told a person (exported; deleted with
the account), and the person's name in what others were told (replaced)."""

from typing import Any

from notifications.models import (
    Announcement,
    Digest,
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User

# The data fields that name a person, beside the field with that person's id.
NAMED = (("person", "person_id"), ("sender_name", "sender_id"))


def _delete(user: User) -> None:
    Notification.objects.filter(recipient=user).delete()
    # What others were told about the person keeps the event, not the name.
    for name_field, id_field in NAMED:
        for notice in Notification.objects.filter(**{f"data__{id_field}": user.pk}):
            notice.title, notice.body, notice.data = _without_name(
                notice.title, notice.body, notice.data, name_field
            )
            notice.save(update_fields=["title", "body", "data"])
        for delivery in WebhookDelivery.objects.filter(**{f"payload__data__{id_field}": user.pk}):
            payload = delivery.payload
            payload["title"], payload["body"], payload["data"] = _without_name(
                payload["title"], payload["body"], payload["data"], name_field
            )
            delivery.save(update_fields=["payload"])


def _without_name(
    title: str, body: str, data: dict[str, Any], name_field: str
) -> tuple[str, str, dict[str, Any]]:
    name = data.get(name_field) or ""
    if name:
        title = title.replace(name, personal_data.DELETED_NAME)
        body = body.replace(name, personal_data.DELETED_NAME)
    return title, body, {**data, name_field: personal_data.DELETED_NAME}


personal_data.register(
    "notifications",
    Notification,
    export=lambda user: personal_data.rows(
        Notification.objects.filter(recipient=user).order_by("pk"),
        "type",
        "title",
        "body",
        "created_at",
        "read_at",
    ),
    erase=_delete,
)

personal_data.register(
    "notification_preferences",
    NotificationPreference,
    export=lambda user: personal_data.rows(
        NotificationPreference.objects.filter(user=user).order_by("pk"),
        "type",
        "channel",
        "frequency",
    ),
    erase=lambda user: _delete_preferences(user),
)


def _delete_preferences(user: User) -> None:
    NotificationPreference.objects.filter(user=user).delete()


personal_data.register(
    "notification_digests",
    Digest,
    export=lambda user: personal_data.rows(
        Digest.objects.filter(user=user).order_by("pk"),
        "frequency",
        "period",
        "status",
        "sent_at",
    ),
    erase=lambda user: _delete_digests(user),
)


def _delete_digests(user: User) -> None:
    Digest.objects.filter(user=user).delete()


personal_data.register(
    "webhooks_created",
    WebhookEndpoint,
    export=lambda user: personal_data.rows(
        WebhookEndpoint.objects.filter(created_by=user).order_by("pk"),
        "url",
        "created_at",
    ),
    # The webhook is the organisation's: it stays, without the name of who made it.
    erase=lambda user: _forget_webhook_creator(user),
)


def _forget_webhook_creator(user: User) -> None:
    WebhookEndpoint.objects.filter(created_by=user).update(created_by=None)


personal_data.register(
    "announcements_made",
    Announcement,
    export=lambda user: personal_data.rows(
        Announcement.objects.filter(created_by=user).order_by("pk"), "title", "created_at"
    ),
    # The announcement is the organisation's: it stays, without who wrote it.
    erase=lambda user: _forget_announcer(user),
)


def _forget_announcer(user: User) -> None:
    Announcement.objects.filter(created_by=user).update(created_by=None)
