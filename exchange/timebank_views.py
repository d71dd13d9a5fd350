"""The time bank's endpoints: one's account and statement, and gifts of hours.

Whose account: the signed-in member's; a coordinator's for the resident named in
``X-On-Behalf-Of``; with ``?organisation=<slug>``, that organisation's (its editors and
admins only)."""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange import timebank
from exchange.models import Entry, TimeAccount, Transfer
from exchange.timebank_serializers import (
    EntrySerializer,
    TimeAccountSerializer,
    TransferCreateSerializer,
    TransferSerializer,
)
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.assistance.acting import subject_of, supports_acting_on_behalf
from smartplatform.core.errors import raises
from smartplatform.core.idempotency import idempotent
from smartplatform.core.pagination import CursorPagination
from smartplatform.organisations.models import Organisation, Role
from smartplatform.organisations.permissions import has_role

ORGANISATION = OpenApiParameter(
    "organisation",
    str,
    description="An organisation's slug: its account (its editors and admins only).",
)
LEG_HOLDERS = ("account__user", "account__organisation")


def account_asked_for(request: Request) -> TimeAccount:
    slug = request.query_params.get("organisation")
    if slug:
        organisation = get_object_or_404(Organisation, slug=slug)
        if not has_role(request.user, organisation, Role.EDITOR):
            raise PermissionDenied()
        return timebank.account_of_organisation(organisation)
    return timebank.account_of_user(subject_of(request).user)


class TimeAccountView(APIView):
    """Your hours: the balance, the hours held for accepted exchanges, and what is available
    down to the credit floor. New members start at 0."""

    permission_classes = (IsVerifiedUser,)

    @extend_schema(parameters=[ORGANISATION], responses=TimeAccountSerializer)
    @supports_acting_on_behalf
    def get(self, request: Request) -> Response:
        account = account_asked_for(request)
        account = TimeAccount.objects.select_related("user", "organisation").get(pk=account.pk)
        return Response(TimeAccountSerializer(account).data)


class EntryListView(generics.ListAPIView):
    """Your statement: every ledger entry of your account, newest first."""

    permission_classes = (IsVerifiedUser,)
    serializer_class = EntrySerializer
    pagination_class = CursorPagination

    def get_queryset(self) -> QuerySet[Entry]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks anonymously
            return Entry.objects.none()
        return (
            Entry.objects.filter(account=account_asked_for(self.request))
            .select_related("transfer")
            .prefetch_related(
                Prefetch("transfer__entries", queryset=Entry.objects.select_related(*LEG_HOLDERS))
            )
        )

    @extend_schema(parameters=[ORGANISATION])
    @supports_acting_on_behalf
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def transfer_for_response(transfer: Transfer) -> Transfer:
    return Transfer.objects.prefetch_related(
        Prefetch("entries", queryset=Entry.objects.select_related(*LEG_HOLDERS))
    ).get(pk=transfer.pk)


class TransferCreateView(APIView):
    """Give hours to another member (a gift), within your credit floor. Send an
    ``Idempotency-Key`` so that a retry never gives twice."""

    permission_classes = (IsVerifiedUser,)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    @idempotent
    @raises(
        timebank.NotEnoughHours,
        timebank.CannotTransferToOneself,
        timebank.RecipientUnavailable,
        timebank.InvalidHours,
    )
    @supports_acting_on_behalf
    def post(self, request: Request) -> Response:
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():  # the gift and the record of a coordinator's act together
            subject = subject_of(request)
            made = timebank.give_hours(
                giver=subject.user,
                recipient_id=data.validated_data["to"],
                hours=data.validated_data["hours"],
                note=data.validated_data.get("note", ""),
            )
            subject.record("timebank.gift", transfer=made.pk)
        return Response(
            TransferSerializer(transfer_for_response(made)).data, status=status.HTTP_201_CREATED
        )
