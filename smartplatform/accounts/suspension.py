"""Suspending an account: the person cannot sign in, and what they published is hidden
until the suspension is lifted.

Apps register what "hidden" means for their content (listings, reviews...) in their
``privacy`` module; lifting the suspension calls the matching ``show``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import transaction

from smartplatform.accounts.models import User
from smartplatform.core.events import publish

Hook = Callable[[User], None]


@dataclass(frozen=True)
class ContentHooks:
    label: str
    hide: Hook
    show: Hook


_hooks: list[ContentHooks] = []


def register(label: str, *, hide: Hook, show: Hook) -> None:
    if any(h.label == label for h in _hooks):
        raise ValueError(f"Two suspension hooks are labelled {label!r}.")
    _hooks.append(ContentHooks(label, hide, show))


def unregister(label: str) -> None:
    _hooks[:] = [h for h in _hooks if h.label != label]


def end_sessions(user: User) -> None:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()


@transaction.atomic
def suspend(*, user: User, actor: User) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
    for hooks in _hooks:
        hooks.hide(user)
    publish("account.suspended", {"user": user.pk, "by": actor.pk})


@transaction.atomic
def lift_suspension(*, user: User, actor: User) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    for hooks in _hooks:
        hooks.show(user)
    publish("account.suspension_lifted", {"user": user.pk, "by": actor.pk})
