from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from exchange import lifts, listings, moderation, resources, selectors
from exchange.booking_serializers import (
    ResourceSerializer,
    ResourceWriteSerializer,
    TripSerializer,
    TripWriteSerializer,
)
from exchange.models import Block, Listing, Report, Resource, Trip
from exchange.serializers import (
    BlockCreateSerializer,
    BlockSerializer,
    ListingImageUploadSerializer,
    ListingQuerySerializer,
    ListingSerializer,
    ListingWriteSerializer,
    ReportCreateSerializer,
    ReportSerializer,
)
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.images import InvalidImage
from smartplatform.core.pagination import LoadedByKeys

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
        page = self.paginate_queryset(
            LoadedByKeys(found.ordered, found.for_list, count_with_page=found.count_with_page)  # type: ignore[arg-type]
        )
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

    @extend_schema(
        request={"multipart/form-data": ListingImageUploadSerializer},
        responses={201: ListingSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    @raises(*TRANSITION_ERRORS, listings.TooManyImages, InvalidImage)
    def images(self, request: Request, pk: str) -> Response:
        """Add a picture (multipart field `image`; JPEG, PNG, WebP or GIF; at most six)."""
        data = ListingImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = self.get_object()
        listings.add_image(actor=request.user, listing=listing, upload=data.validated_data["image"])
        return self._current(listing, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["delete"], url_path=r"images/(?P<image_id>[0-9]+)")
    @raises(*TRANSITION_ERRORS, listings.UnknownImage)
    def remove_image(self, request: Request, pk: str, image_id: str) -> Response:
        listing = self.get_object()
        listings.remove_image(actor=request.user, listing=listing, image_id=int(image_id))
        return self._current(listing)

    @extend_schema(request=ResourceWriteSerializer, responses=ResourceSerializer)
    @action(detail=True, methods=["put"])
    @raises(*TRANSITION_ERRORS, resources.NotBookableKind)
    def resource(self, request: Request, pk: str) -> Response:
        """Make a car or space offer bookable, or change how: its facts, booking rules,
        equipment and opening hours (these two replaced as a whole; no opening hours:
        bookable at any time)."""
        listing = self.get_object()
        existing = Resource.objects.filter(listing=listing).first()
        data = ResourceWriteSerializer(instance=existing, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        facts = dict(data.validated_data)
        equipment = facts.pop("equipment", None)
        opening_hours = facts.pop("opening_hours", None)
        made = resources.describe(
            actor=signed_in_user(request),
            listing=listing,
            facts=facts,
            equipment=equipment,
            opening_hours=opening_hours,
        )
        shown = Resource.objects.prefetch_related("equipment", "opening_hours").get(pk=made.pk)
        return Response(ResourceSerializer(shown).data)

    @extend_schema(request=TripWriteSerializer, responses=TripSerializer)
    @action(detail=True, methods=["put"])
    @raises(*TRANSITION_ERRORS, lifts.NotACarListing)
    def trip(self, request: Request, pk: str) -> Response:
        """Make a car listing a lift: from and to, the first departure (weekly: the same
        local time every week), its flexibility and the seats."""
        listing = self.get_object()
        data = TripWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = lifts.describe_trip(
            actor=signed_in_user(request), listing=listing, facts=dict(data.validated_data)
        )
        return Response(TripSerializer(Trip.objects.select_related("listing").get(pk=made.pk)).data)


class ReportViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Reports: anyone signed in reports what does not belong (a listing, a message of one of
    their exchanges, a review; once per item) and follows what became of their reports.
    Three open reports hide the item until a moderator looks."""

    serializer_class = ReportSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Report]:
        return Report.objects.filter(reporter=signed_in_user(self.request)).select_related(
            "content_type"
        )

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    @raises(moderation.AlreadyReported, moderation.CannotReportOwnItem)
    def create(self, request: Request) -> Response:
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        item = get_object_or_404(
            selectors.reportable(kind, viewer=request.user), pk=data.validated_data["item"]
        )
        made = moderation.report(
            reporter=signed_in_user(request),
            kind=kind,
            item_id=item.pk,
            reason=data.validated_data["reason"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(
            ReportSerializer(self.get_queryset().get(pk=made.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class BlockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """People you blocked: neither of you sees the other's listings."""

    serializer_class = BlockSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()
    lookup_field = "user"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Block]:
        return (
            Block.objects.filter(blocker=signed_in_user(self.request))
            .select_related("blocked")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=BlockCreateSerializer, responses={201: BlockSerializer})
    @raises(moderation.CannotBlockOneself)
    def create(self, request: Request) -> Response:
        data = BlockCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = get_object_or_404(get_user_model(), pk=data.validated_data["user"])
        made = moderation.block(blocker=signed_in_user(request), blocked=other)
        return Response(BlockSerializer(made).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, user: str) -> Response:
        moderation.unblock(blocker=request.user, blocked_id=int(user))
        return Response(status=status.HTTP_204_NO_CONTENT)
