"""Acting on someone's behalf in the API: the ``X-On-Behalf-Of`` header.

A coordinator sends ``X-On-Behalf-Of: <resident id>``; views that support it act for the
resident and record the act, which the resident sees in ``/api/v1/me/assisted-acts/``.
Without the header a view acts for the signed-in person, as always.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from smartplatform.accounts.models import User
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.assistance import services
from smartplatform.core.errors import raises
from smartplatform.organisations.models import Organisation

HEADER = "X-On-Behalf-Of"


@dataclass(frozen=True)
class Subject:
    """Whom a request acts for, and, when that is someone else, who acts and through which
    organisation."""

    user: User
    coordinator: User | None = None
    organisation: Organisation | None = None

    def record(self, action: str, **details: Any) -> None:
        """Record the act if it was done on someone's behalf."""
        if self.coordinator is not None and self.organisation is not None:
            services.record_act(
                resident=self.user,
                coordinator=self.coordinator,
                organisation=self.organisation,
                action=action,
                details=details,
            )


def subject_of(request: Request) -> Subject:
    me = signed_in_user(request)
    raw = request.headers.get(HEADER)
    if raw is None:
        return Subject(user=me)
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        raise ValidationError({HEADER: [_("A resident's id: a whole number.")]})
    resident = User.objects.filter(pk=int(raw), is_active=True).first()
    if resident is None or resident.pk == me.pk:
        raise NotFound()
    organisation = services.acting_organisation(coordinator=me, resident=resident)
    return Subject(user=resident, coordinator=me, organisation=organisation)


_F = TypeVar("_F", bound=Callable[..., Any])


def supports_acting_on_behalf(handler: _F) -> _F:
    """Mark a view handler that honours ``X-On-Behalf-Of`` (documented in the schema)."""
    handler.on_behalf = True  # type: ignore[attr-defined]
    return raises(services.NoConsent)(handler)


def only_for(*methods: str) -> Callable[[_F], _F]:
    """Of a handler that serves several methods and acts on someone's behalf, the methods
    that do (the others refuse the header, as any handler that does not)."""

    def mark(handler: _F) -> _F:
        handler.on_behalf_methods = frozenset(methods)  # type: ignore[attr-defined]
        return handler

    return mark


def acts_on_behalf(handler: Any, method: str) -> bool:
    """Whether ``handler`` honours ``X-On-Behalf-Of`` when called with ``method``."""
    methods = getattr(handler, "on_behalf_methods", None)
    return bool(getattr(handler, "on_behalf", False)) and (
        methods is None or method.upper() in methods
    )
