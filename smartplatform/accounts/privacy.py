"""The personal data held by the accounts core, django-allauth and Django itself.

Imported when Django starts (every app's ``privacy`` module is): registering is the import.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from smartplatform.accounts import personal_data, suspension
from smartplatform.accounts.models import User
from smartplatform.accounts.personal_data import rows
from smartplatform.core.models import IdempotencyRecord


def _export_sessions(user: User) -> list[dict[str, Any]]:
    return rows(
        UserSession.objects.filter(user=user), "created_at", "last_seen_at", "ip", "user_agent"
    )


def _erase_admin_mentions(user: User) -> None:
    # What staff did stays (the audit trail points at the anonymised account); what the
    # log says about this person as an edited object loses their name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=personal_data.DELETED_NAME)


personal_data.register_rows(
    "email_addresses", EmailAddress, fields=("email", "verified", "primary")
)
personal_data.register(
    "sessions", UserSession, export=_export_sessions, erase=suspension.end_sessions
)
personal_data.register_rows(
    "sign_in_providers", SocialAccount, fields=("provider", "uid", "date_joined")
)
personal_data.register_rows(
    "two_factor_authenticators", Authenticator, fields=("type", "created_at", "last_used_at")
)
personal_data.register_rows(
    "idempotency_records", IdempotencyRecord, fields=("method", "path", "key", "created_at")
)
personal_data.register_rows(
    "admin_actions",
    LogEntry,
    fields=("action_time", "object_repr", "change_message"),
    erase=_erase_admin_mentions,
)


def _axes_rows(user: User) -> list[Any]:
    # The admin's sign-in attempts are kept by the address typed, not by account.
    return [
        model.objects.filter(username__iexact=user.email)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    ]


def _export_admin_sign_ins(user: User) -> list[dict[str, Any]]:
    return [
        row
        for queryset in _axes_rows(user)
        for row in rows(queryset, "ip_address", "user_agent", "attempt_time")
    ]


def _erase_admin_sign_ins(user: User) -> None:
    for queryset in _axes_rows(user):
        queryset.delete()


personal_data.register(
    "admin_sign_in_attempts",
    AccessAttempt,
    AccessFailureLog,
    AccessLog,
    export=_export_admin_sign_ins,
    erase=_erase_admin_sign_ins,
)
