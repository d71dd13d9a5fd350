"""Making notifications: one per recipient and event, in the recipient's language."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from notifications.models import Channel, Notification
from notifications.preferences import turned_off
from notifications.types import LINKS, TYPES, render
from smartplatform.accounts.models import User


def notify(
    *,
    recipients: Iterable[User],
    type_name: str,
    subject_id: int,
    data: dict[str, Any],
    dedupe_key: str,
) -> int:
    """Tell each active recipient who has not turned the type off once (a second call with
    the same ``dedupe_key`` changes nothing: the unique constraint per recipient drops it).
    Written in one bulk insert. Returns how many were told (or already had been)."""
    kind = TYPES[type_name]
    wanted = {user.pk: user for user in recipients if user.is_active}
    for user_id in turned_off(wanted, type_name, Channel.IN_APP):
        del wanted[user_id]
    rows = []
    for user in wanted.values():
        language = user.preferred_language or settings.LANGUAGE_CODE
        title, body = render(kind, language, data)
        rows.append(
            Notification(
                recipient=user,
                type=kind.name,
                language=language,
                title=title[:300],
                body=body,
                subject_type=kind.subject,
                subject_id=subject_id,
                link=LINKS[kind.subject].format(id=subject_id),
                data=data,
                dedupe_key=dedupe_key,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)
