from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from exchange import listings, selectors
from exchange.models import Listing
from exchange.serializers import ListingQuerySerializer, ListingSerializer, ListingWriteSerializer
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises

TRANSITION_ERRORS = (listings.NotYourListing, listings.ListingTransitionNotAllowed)


class ListingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The marketplace: offers and requests of expertise, services, cars and spaces. Anyone
    reads what is published; verified users create listings and manage their own."""

    serializer_class = ListingSerializer
    filter_backends = ()

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [IsVerifiedUser()]

    def get_queryset(self) -> QuerySet[Listing]:
        return selectors.listing_detail_queryset(viewer=self.request.user)

    def _current(self, listing: Listing, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=listing.pk)).data, status=code
        )

    @extend_schema(parameters=[ListingQuerySerializer])
    def list(self, request: Request) -> Response:
        """Published listings (`?mine=true`: your own, in every state), searched through the
        Swedish analyser and filtered."""
        query = ListingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.listing_search(viewer=request.user, query=query.query())
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ListingWriteSerializer, responses={201: ListingSerializer})
    @raises(listings.NotAnEditorOfThatOrganisation)
    def create(self, request: Request) -> Response:
        """A new listing, saved as a draft: `publish/` puts it out (or up for review)."""
        data = ListingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listings.create_listing(actor=signed_in_user(request), data=data.listing_data())
        return self._current(listing, status.HTTP_201_CREATED)

    @extend_schema(request=ListingWriteSerializer, responses=ListingSerializer)
    @raises(*TRANSITION_ERRORS, listings.NotAnEditorOfThatOrganisation)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edit. A published listing goes through the moderation rules again."""
        listing = self.get_object()
        data = ListingWriteSerializer(instance=listing, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        listings.update_listing(actor=request.user, listing=listing, data=data.listing_data())
        return self._current(listing)

    @raises(*TRANSITION_ERRORS)
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a draft (anything once shown is closed instead)."""
        listings.delete_listing(actor=request.user, listing=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _move(self, request: Request, move: Any) -> Response:
        listing = move(actor=request.user, listing=self.get_object())
        return self._current(listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*TRANSITION_ERRORS)
    def publish(self, request: Request, pk: str) -> Response:
        """Publish a draft (or a rejected listing after editing it): at once for established
        residents and verified organisations, otherwise after a moderator's review."""
        return self._move(request, listings.publish_listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*TRANSITION_ERRORS)
    def pause(self, request: Request, pk: str) -> Response:
        return self._move(request, listings.pause_listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*TRANSITION_ERRORS)
    def resume(self, request: Request, pk: str) -> Response:
        return self._move(request, listings.resume_listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*TRANSITION_ERRORS)
    def close(self, request: Request, pk: str) -> Response:
        return self._move(request, listings.close_listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"])
    @raises(*TRANSITION_ERRORS)
    def renew(self, request: Request, pk: str) -> Response:
        """Ninety more days (a closed listing is published again, through the rules)."""
        return self._move(request, listings.renew_listing)
