"""Announcements are public: what a municipality or association told its people anyone may
read. Making one is for the organisation's editors and admins."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import announcements
from notifications.models import Announcement
from notifications.serializers import (
    AnnouncementCreateSerializer,
    AnnouncementQuerySerializer,
    AnnouncementSerializer,
)
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.pagination import CursorPagination
from smartplatform.organisations.models import Organisation


class AnnouncementPagination(CursorPagination):
    ordering = "-id"


class AnnouncementViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AnnouncementSerializer
    pagination_class = AnnouncementPagination
    filter_backends = ()

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Announcement]:
        return Announcement.objects.select_related("organisation")

    @extend_schema(parameters=[AnnouncementQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Newest first; `?organisation=<slug>` for one organisation's."""
        query = AnnouncementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset()
        if "organisation" in query.validated_data:
            found = found.filter(organisation__slug=query.validated_data["organisation"])
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=AnnouncementCreateSerializer, responses={201: AnnouncementSerializer})
    @raises(announcements.NotAllowedToAnnounce)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tell everyone of the organisation (a municipality: also every resident living
        there), each in the app and by email as they chose."""
        data = AnnouncementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = get_object_or_404(Organisation, slug=data.validated_data["organisation"])
        made = announcements.announce(
            organisation=organisation,
            actor=signed_in_user(request),
            title=data.validated_data["title"],
            text=data.validated_data["text"],
        )
        fresh = self.get_queryset().get(pk=made.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
