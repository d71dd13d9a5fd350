"""Preferences: per notification type and channel, immediately, as a daily or weekly digest,
or off. In the app a notice is shown or not: there, only immediately or off."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel, Frequency, NotificationPreference
from notifications.types import TYPES
from smartplatform.accounts.models import User
from smartplatform.core.errors import DomainError

IN_APP_CHOICES = (Frequency.IMMEDIATELY, Frequency.OFF)


class InvalidPreference(DomainError):
    code = "invalid_preference"
    default_message = _("In the app a notification is either shown at once or off.")


def default(type_name: str, channel: str) -> str:
    if channel == Channel.IN_APP:
        return Frequency.IMMEDIATELY
    return TYPES[type_name].default_email


def matrix(user: User) -> list[dict[str, Any]]:
    """Every type and channel with the person's choice (or the default)."""
    chosen = {
        (row.type, row.channel): row.frequency
        for row in NotificationPreference.objects.filter(user=user)
    }
    return [
        {
            "type": name,
            "channel": channel,
            "frequency": chosen.get((name, channel), default(name, channel)),
            "default": default(name, channel),
        }
        for name in TYPES
        for channel in Channel.values
    ]


@transaction.atomic
def update(user: User, changes: Iterable[dict[str, str]]) -> None:
    for change in changes:
        if change["channel"] == Channel.IN_APP and change["frequency"] not in IN_APP_CHOICES:
            raise InvalidPreference(
                fields={"preferences": [str(InvalidPreference.default_message)]}
            )
        NotificationPreference.objects.update_or_create(
            user=user,
            type=change["type"],
            channel=change["channel"],
            defaults={"frequency": change["frequency"]},
        )


def choices_of(user_ids: Iterable[int], type_name: str) -> dict[tuple[int, str], str]:
    """For each of ``user_ids`` and each channel, how often they want ``type_name`` (one
    query; the type's default where they chose nothing)."""
    ids = list(user_ids)
    chosen = {
        (user_id, channel): frequency
        for user_id, channel, frequency in NotificationPreference.objects.filter(
            user_id__in=ids, type=type_name
        ).values_list("user_id", "channel", "frequency")
    }
    return {
        (user_id, channel): chosen.get((user_id, channel), default(type_name, channel))
        for user_id in ids
        for channel in Channel.values
    }


def email_off(user: User, scope: str) -> list[str]:
    """Stop emails of one type, or (scope ``digest:daily`` / ``digest:weekly``) every type
    that now comes in that digest. Returns the types turned off."""
    if scope.startswith("digest:"):
        frequency = scope.split(":", 1)[1]
        current = {
            row["type"]: row["frequency"] for row in matrix(user) if row["channel"] == "email"
        }
        types = [name for name, chosen in current.items() if chosen == frequency]
    else:
        types = [scope] if scope in TYPES else []
    update(
        user,
        [{"type": name, "channel": Channel.EMAIL, "frequency": Frequency.OFF} for name in types],
    )
    return types
