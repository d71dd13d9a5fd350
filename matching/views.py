"""Matches, for the people on a listing's side: the owner, or an editor of the organisation
it is for. Anyone else is told the listing or match does not exist."""

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from exchange import permissions as listing_permissions
from exchange.models import Listing
from matching import partners, saved_searches, services
from matching.models import Match, SavedSearch
from matching.serializers import (
    MatchSerializer,
    PartnerSerializer,
    SavedSearchCreateSerializer,
    SavedSearchSerializer,
)
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.pagination import PageNumberPagination


def matches_for(user: Any) -> QuerySet[Match]:
    """Undismissed matches of the listings on the user's side, whose other listing the user
    may see on the marketplace, best first."""
    mine = Q(listing__owner=user) | Q(
        listing__organisation_id__in=listing_permissions.organisations_edited_by(user)
    )
    shown = listing_permissions.shown_publicly(user)
    visible_others = Listing.objects.filter(shown).values("pk")
    return (
        Match.objects.filter(mine, dismissed_at__isnull=True, other__in=visible_others)
        .select_related("listing__municipality", "other__municipality")
        .order_by("-score", "pk")
    )


class MatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MatchSerializer
    permission_classes = (IsAuthenticated,)
    pagination_class = PageNumberPagination
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Match]:
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return matches_for(signed_in_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The matches of all your listings (and your organisations'), best first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=MatchSerializer)
    def dismiss(self, request: Request, pk: str) -> Response:
        """Not interested: the match is hidden and never told again."""
        match = services.dismiss(match=self.get_object())
        return Response(self.get_serializer(match).data)

    @extend_schema(responses=MatchSerializer(many=True))
    def for_listing(self, request: Request, listing_id: str) -> Response:
        """The matches of one of your listings, best first."""
        me = signed_in_user(request)
        listing = get_object_or_404(Listing.objects.select_related("organisation"), pk=listing_id)
        if not listing_permissions.on_listing_side_of(me, listing):
            raise NotFound()
        found = self.get_queryset().filter(listing=listing)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PartnerView(GenericAPIView):
    """Catalogue projects that did what a municipal need asks (a request for expertise made
    for an organisation), best first, with whom to contact: for the need's side only."""

    permission_classes = (IsAuthenticated,)
    serializer_class = PartnerSerializer
    pagination_class = None
    filter_backends = ()

    @extend_schema(responses=PartnerSerializer(many=True))
    @raises(partners.NotAMunicipalNeed)
    def get(self, request: Request, listing_id: int) -> Response:
        me = signed_in_user(request)
        listing = get_object_or_404(
            Listing.objects.select_related("organisation", "municipality"), pk=listing_id
        )
        if not listing_permissions.on_listing_side_of(me, listing):
            raise NotFound()
        found = partners.partners_for(listing)
        rows = [
            {
                "project": partner.project,
                "contacts": [{"name": name, "role": role} for name, role in partner.contacts],
                "score": partner.scored.score,
                "suggestion": partners.suggestion(partner.project, partner.contacts),
                "explanation": services.explain(partner.scored.why),
                "reasons": services.reasons(partner.scored.why),
            }
            for partner in found
        ]
        return Response(self.get_serializer(rows, many=True).data)


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your saved listing searches; each newly published listing one of them finds is told
    to you (in the daily digest by default)."""

    serializer_class = SavedSearchSerializer
    permission_classes = (IsAuthenticated,)
    pagination_class = PageNumberPagination
    filter_backends = ()

    def get_queryset(self) -> QuerySet[SavedSearch]:
        if getattr(self, "swagger_fake_view", False):
            return SavedSearch.objects.none()
        return SavedSearch.objects.filter(user=signed_in_user(self.request)).order_by("-pk")

    @extend_schema(request=SavedSearchCreateSerializer, responses={201: SavedSearchSerializer})
    @raises(saved_searches.TooManySavedSearches, saved_searches.EmptySavedSearch)
    def create(self, request: Request) -> Response:
        data = SavedSearchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            made = saved_searches.save(
                user=signed_in_user(request),
                name=data.validated_data["name"],
                params=data.validated_data["search"],
            )
        except ValidationError as exc:
            raise ValidationError({"search": exc.detail}) from exc
        return Response(self.get_serializer(made).data, status=201)
