from typing import Any

from django.db.models import Case, CharField, Count, OuterRef, QuerySet, Subquery, Value, When

from smartplatform.core.swedish import SwedishOrder
from smartplatform.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Municipality,
    Organisation,
    Role,
)


def municipality_list() -> QuerySet[Municipality]:
    """The municipalities in Swedish alphabetical order (Å, Ä, Ö last)."""
    return Municipality.objects.order_by(SwedishOrder("name"))


def organisation_list(*, viewer: Any) -> QuerySet[Organisation]:
    """Every organisation, with its member count and the viewer's own role (or null), in a
    constant number of queries whatever the page size."""
    my_role: Any = Value(None, output_field=CharField())
    if viewer.is_authenticated:
        my_role = Subquery(
            Membership.objects.filter(organisation=OuterRef("pk"), user=viewer).values("role")[:1]
        )
    return (
        Organisation.objects.select_related("municipality")
        .annotate(member_count=Count("memberships", distinct=True))
        .annotate(my_role=my_role)
        .order_by(SwedishOrder("name"), "pk")
    )


def members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        # Admins first, then editors, then members; by name within each.
        .order_by(
            Case(
                When(role=Role.ADMIN, then=Value(0)),
                When(role=Role.EDITOR, then=Value(1)),
                default=Value(2),
            ),
            SwedishOrder("user__display_name"),
            "pk",
        )
    )


def join_requests(organisation: Organisation) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(organisation=organisation)
        .select_related("user", "decided_by")
        .order_by("-created_at", "-pk")
    )


def invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
