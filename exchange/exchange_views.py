"""Exchanges: answering a listing and every move after it. A coordinator acts for a
resident with ``X-On-Behalf-Of``; each such act is recorded for the resident."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from exchange import exchanges, permissions, reviews, selectors, threads, timebank
from exchange.exchange_serializers import (
    ExchangeCreateSerializer,
    ExchangeQuerySerializer,
    ExchangeSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ReadReceiptSerializer,
    ReasonSerializer,
    RequiredReasonSerializer,
    ReviewCreateSerializer,
    ReviewQuerySerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)
from exchange.listings import NotAnEditorOfThatOrganisation
from exchange.models import Exchange, Message, Review
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.assistance.acting import Subject, subject_of, supports_acting_on_behalf
from smartplatform.core.errors import raises
from smartplatform.core.idempotency import idempotent
from smartplatform.core.pagination import CursorPagination
from smartplatform.organisations.models import Organisation

MOVE_ERRORS = (exchanges.ExchangeTransitionNotAllowed, exchanges.NotYourMove)


def exchanges_for(viewer: Any) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(permissions.exchanges_visible_condition(viewer))
        .select_related(
            "listing",
            "listing__owner",
            "listing__organisation",
            "responder",
            "responder_organisation",
        )
        .order_by("-created_at", "-pk")
    )


class ThreadPagination(CursorPagination):
    """A thread pages by cursor, newest first: new messages do not shift older pages."""

    ordering = "-id"


class ExchangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your exchanges: answers to your listings and your answers to others'. Moderators also
    see the disputed exchanges of their municipalities."""

    serializer_class = ExchangeSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()

    def _subject(self) -> Subject:
        if "_subject_cache" not in self.__dict__:
            self.__dict__["_subject_cache"] = subject_of(self.request)
        subject: Subject = self.__dict__["_subject_cache"]
        return subject

    def get_serializer_context(self) -> Any:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return context
        return {**context, "subject": self._subject().user}

    def get_queryset(self) -> QuerySet[Exchange]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks anonymously
            return Exchange.objects.none()
        return exchanges_for(self._subject().user)

    @extend_schema(parameters=[ExchangeQuerySerializer])
    @supports_acting_on_behalf
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ExchangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset()
        subject = self._subject().user
        if states := query.validated_data.get("state"):
            found = found.filter(state__in=states)
        edits = permissions.organisations_edited_by(subject)
        if query.validated_data.get("role") == "listing":
            found = found.filter(Q(listing__owner=subject) | Q(listing__organisation__in=edits))
        elif query.validated_data.get("role") == "responder":
            found = found.filter(Q(responder=subject) | Q(responder_organisation__in=edits))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @supports_acting_on_behalf
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    def _answer(self, exchange: Exchange, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=exchange.pk)).data, status=code
        )

    @extend_schema(request=ExchangeCreateSerializer, responses={201: ExchangeSerializer})
    @raises(
        exchanges.ListingNotOpen,
        exchanges.CannotAnswerOwnListing,
        exchanges.AlreadyAnswered,
        exchanges.HoursOnlyForTimeCredits,
        timebank.InvalidHours,
        NotAnEditorOfThatOrganisation,
    )
    @supports_acting_on_behalf
    def create(self, request: Request) -> Response:
        """Answer a published listing: the exchange starts as proposed, with your message."""
        data = ExchangeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = self._subject()
        listing = get_object_or_404(
            selectors.listing_detail_queryset(viewer=subject.user),
            pk=data.validated_data["listing"],
        )
        organisation = None
        if slug := data.validated_data.get("organisation"):
            organisation = get_object_or_404(Organisation, slug=slug)
        with transaction.atomic():  # the answer and the record of a coordinator's act
            made = exchanges.propose(
                actor=subject.user,
                listing=listing,
                message=data.validated_data["message"],
                hours=data.validated_data.get("hours"),
                organisation=organisation,
            )
            subject.record("exchange.proposed", exchange=made.pk)
        return self._answer(made, status.HTTP_201_CREATED)

    def _move(
        self, request: Request, name: str, move: Callable[..., Exchange], **args: Any
    ) -> Response:
        exchange = self.get_object()
        subject = self._subject()
        with transaction.atomic():
            moved = move(actor=subject.user, exchange=exchange, **args)
            subject.record(f"exchange.{name}", exchange=exchange.pk)
        return self._answer(moved)

    @extend_schema(request=None, responses=ExchangeSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    @raises(*MOVE_ERRORS, timebank.NotEnoughHours)
    @supports_acting_on_behalf
    def accept(self, request: Request, pk: str) -> Response:
        """The listing's side says yes. For time credits the hours are held from the side
        that receives the service (409 `credit_floor_reached` beyond its floor)."""
        return self._move(request, "accepted", exchanges.accept)

    @extend_schema(request=ReasonSerializer, responses=ExchangeSerializer)
    @action(detail=True, methods=["post"])
    @raises(*MOVE_ERRORS)
    @supports_acting_on_behalf
    def decline(self, request: Request, pk: str) -> Response:
        """The listing's side says no (a reason is optional)."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._move(
            request, "declined", exchanges.decline, reason=data.validated_data.get("reason", "")
        )

    @extend_schema(request=ReasonSerializer, responses=ExchangeSerializer)
    @action(detail=True, methods=["post"])
    @raises(*MOVE_ERRORS)
    @supports_acting_on_behalf
    def cancel(self, request: Request, pk: str) -> Response:
        """Either side calls it off before completion; held hours go back."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._move(
            request, "cancelled", exchanges.cancel, reason=data.validated_data.get("reason", "")
        )

    @extend_schema(request=None, responses=ExchangeSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    @raises(*MOVE_ERRORS)
    @supports_acting_on_behalf
    def confirm(self, request: Request, pk: str) -> Response:
        """Your side says it is done. Both sides: it completes and held hours are paid to
        the provider. One side only: it completes by itself after 14 days of silence from the
        other, unless they dispute it."""
        return self._move(request, "confirmed", exchanges.confirm)

    @extend_schema(request=RequiredReasonSerializer, responses=ExchangeSerializer)
    @action(detail=True, methods=["post"])
    @raises(*MOVE_ERRORS, exchanges.ReasonRequired)
    @supports_acting_on_behalf
    def dispute(self, request: Request, pk: str) -> Response:
        """It did not happen as agreed: the moderators of the listing's municipality decide."""
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._move(
            request, "disputed", exchanges.dispute, reason=data.validated_data["reason"]
        )

    # --- The thread -------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=MessageSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=MessageCreateSerializer, responses={201: MessageSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=ThreadPagination)
    @raises(threads.ThreadClosed, exchanges.NotAParty)
    @supports_acting_on_behalf
    def messages(self, request: Request, pk: str) -> Response:
        """The exchange's private thread, newest first (cursor pages). Both sides write; a
        message hidden after reports shows without its text."""
        exchange = self.get_object()
        subject = self._subject()
        context = {
            **self.get_serializer_context(),
            "moderating": not permissions.is_party(subject.user, exchange),
        }
        if request.method == "POST":
            data = MessageCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            with transaction.atomic():
                made = threads.write(
                    actor=subject.user, exchange=exchange, body=data.validated_data["body"]
                )
                subject.record("exchange.message_sent", exchange=exchange.pk, message=made.pk)
            made = Message.objects.select_related("sender").get(pk=made.pk)
            return Response(
                MessageSerializer(made, context=context).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(
            Message.objects.filter(exchange=exchange).select_related("sender")
        )
        return self.get_paginated_response(MessageSerializer(page, many=True, context=context).data)

    @extend_schema(request=None, responses=ReadReceiptSerializer)
    @action(detail=True, methods=["post"], url_path="messages/read")
    @raises(exchanges.NotAParty)
    @supports_acting_on_behalf
    def read(self, request: Request, pk: str) -> Response:
        """You have read the thread: every message the other side wrote is marked read (the
        writer sees when)."""
        marked = threads.mark_read(actor=self._subject().user, exchange=self.get_object())
        return Response({"marked": marked})

    # --- Reviews ----------------------------------------------------------------------------

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    @raises(exchanges.NotAParty, reviews.ExchangeNotCompleted, reviews.AlreadyReviewed)
    @supports_acting_on_behalf
    def review(self, request: Request, pk: str) -> Response:
        """Review the other side once the exchange is completed: 1 to 5 and a text, which
        you can change for 48 hours."""
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = self._subject()
        with transaction.atomic():
            made = reviews.write(
                actor=subject.user,
                exchange=self.get_object(),
                rating=data.validated_data["rating"],
                text=data.validated_data.get("text", ""),
            )
            subject.record("exchange.reviewed", review=made.pk)
        return Response(
            ReviewSerializer(reviews_shown().get(pk=made.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def reviews_shown() -> QuerySet[Review]:
    return Review.objects.filter(hidden_at__isnull=True).select_related("author", "subject")


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews people wrote about each other after exchanges. Anyone reads them (those
    hidden after reports excepted); their writer changes one for 48 hours."""

    serializer_class = ReviewSerializer
    filter_backends = ()

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [drf_permissions.AllowAny()]
        return [IsVerifiedUser()]

    def get_queryset(self) -> QuerySet[Review]:
        return reviews_shown().order_by("-created_at", "-pk")

    @extend_schema(parameters=[ReviewQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The reviews about one person, newest first (`?user=` is required)."""
        query = ReviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset().filter(subject_id=query.validated_data["user"])
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewSerializer)
    @raises(reviews.NotYourReview, reviews.EditWindowClosed)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = ReviewUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = reviews.edit(
            actor=signed_in_user(request), review=self.get_object(), **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=changed.pk)).data)
