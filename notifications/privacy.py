"""Personal data in notifications: what the platform told a person. Exported; deleted with
the account (it is about the person, and nobody else needs it)."""

from notifications.models import Notification, NotificationPreference
from smartplatform.accounts import personal_data
from smartplatform.accounts.models import User


def _delete(user: User) -> None:
    Notification.objects.filter(recipient=user).delete()


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
