"""Everything the platform holds about a person: exported on request, erased on deletion.

Each app registers, for every model of its own that points at a user, how to export those
rows and how to erase them (delete, anonymise, close or keep with the anonymised account),
in a ``personal_data`` module that is imported when Django starts. A test walks every model
with a link to users and fails when one has no handler, so a new model cannot slip through.

Deleting an account anonymises it in place (its id stays, so what others need to keep, such
as messages and ledger entries, still points somewhere) and frees its email address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from smartplatform.accounts.models import User
from smartplatform.core.events import publish

DELETED_NAME = "borttagen användare"

Export = Callable[[User], Any]
Erase = Callable[[User], None]


Check = Callable[[User], None]


@dataclass(frozen=True)
class Handler:
    label: str
    models: tuple[type[models.Model], ...]
    export: Export
    erase: Erase
    check: Check | None = None


_handlers: list[Handler] = []


def register(
    label: str,
    *handled: type[models.Model],
    export: Export,
    erase: Erase,
    check: Check | None = None,
) -> None:
    """Register how the rows of ``handled`` models about a user are exported and erased.

    ``check`` runs before anything is erased and raises a DomainError when the account
    cannot go yet (the sole admin of an organisation must hand over first).
    """
    if any(h.label == label for h in _handlers):
        raise ValueError(f"Two personal-data handlers are labelled {label!r}.")
    _handlers.append(Handler(label, handled, export, erase, check))


def register_rows(
    label: str,
    model: type[models.Model],
    *,
    fields: tuple[str, ...],
    user_field: str = "user",
    erase: Erase | None = None,
    check: Check | None = None,
) -> None:
    """The common case: the rows of ``model`` whose ``user_field`` is the user, exported
    with ``fields`` and, unless ``erase`` says otherwise, deleted."""

    def mine(user: User) -> Any:
        return model._default_manager.filter(**{user_field: user})

    def delete(user: User) -> None:
        mine(user).delete()

    register(
        label,
        model,
        export=lambda user: rows(mine(user), *fields),
        erase=erase or delete,
        check=check,
    )


def addresses(user: User) -> set[str]:
    """Every email address of the account (lower case). Captured when a deletion starts, so
    handlers that run after the addresses are erased still find rows by them."""
    cached = getattr(user, "_erasure_addresses", None)
    if cached is not None:
        return set(cached)
    from allauth.account.models import EmailAddress

    found = {user.email.lower()}
    others = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    found |= {address.lower() for address in others}
    return found


def any_address(user: User, field: str) -> models.Q:
    """A filter: ``field`` is one of the person's email addresses (any case)."""
    query = models.Q(pk__in=[])
    for address in addresses(user):
        query |= models.Q(**{f"{field}__iexact": address})
    return query


def handled_models() -> set[type[models.Model]]:
    """The account itself, and every model a handler covers."""
    return {User} | {model for handler in _handlers for model in handler.models}


def export_user(user: User) -> dict[str, Any]:
    """One JSON document with every row about ``user``."""
    document: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": export_account(user),
    }
    for handler in _handlers:
        document[handler.label] = handler.export(user)
    return document


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Erase ``user``: every check passes first, then every app's handler erases its rows,
    and last the account row itself is anonymised in place (handlers still see the email
    address and name they may need to find rows by)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    for handler in _handlers:
        if handler.check is not None:
            handler.check(user)
    user._erasure_addresses = addresses(user)  # type: ignore[attr-defined]
    names = [user.display_name, *user._erasure_addresses]  # type: ignore[attr-defined]
    for handler in _handlers:
        handler.erase(user)
    anonymise(user)
    _scrub_admin_log(names)
    publish("account.deleted", {"user": user.pk})


def _scrub_admin_log(names: list[str]) -> None:
    """The admin's log keeps each changed object's text at the time (a membership reads
    "Gunvor · Syföreningen"): what staff did stays, the person's name and addresses go."""
    from django.contrib.admin.models import LogEntry

    for name in {n for n in names if len(n) >= 3}:
        for entry in LogEntry.objects.filter(object_repr__icontains=name):
            entry.object_repr = _replace_ignoring_case(entry.object_repr, name, DELETED_NAME)
            entry.save(update_fields=["object_repr"])


def _replace_ignoring_case(text: str, old: str, new: str) -> str:
    import re

    return re.sub(re.escape(old), new, text, flags=re.IGNORECASE)


def anonymise(user: User) -> None:
    """The account row itself: nothing left that names the person; the id stays."""
    if user.avatar:
        # After the commit: a deletion that rolls back keeps the picture it points at.
        picture, storage = str(user.avatar.name), user.avatar.storage
        transaction.on_commit(lambda: storage.delete(picture))
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.phone = ""
    user.bio = ""
    user.avatar = ""
    user.home_municipality = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.password = make_password(None)  # unusable: nobody can log in
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.moderated_municipalities.clear()


def export_account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "home_municipality": user.home_municipality_id,
        "preferred_language": user.preferred_language,
        "phone": user.phone,
        "bio": user.bio,
        "avatar": user.avatar.name or None,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "is_staff": user.is_staff,
        "moderated_municipalities": list(
            user.moderated_municipalities.values_list("code", flat=True)
        ),
    }


def rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    """Rows as plain JSON-able dicts."""
    return [
        {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row}
        for row in (r.items() for r in queryset.values(*fields))
    ]
