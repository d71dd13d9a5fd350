"""The in-app channel: your notifications, newest first, and marking them read."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import preferences
from notifications.models import Notification
from notifications.serializers import (
    MarkedSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
    PreferenceRowSerializer,
    PreferencesUpdateSerializer,
    UnreadCountSerializer,
)
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.pagination import CursorPagination


class NotificationPagination(CursorPagination):
    ordering = "-id"


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What the platform told you (`?unread=true`: only the unread), newest first."""

    serializer_class = NotificationSerializer
    permission_classes = (IsAuthenticated,)
    pagination_class = NotificationPagination
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(
            recipient=signed_in_user(self.request), shown_in_app=True
        )

    @extend_schema(parameters=[NotificationQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = NotificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.get_queryset()
        if query.validated_data.get("unread") == "true":
            found = found.filter(read_at__isnull=True)
        elif query.validated_data.get("unread") == "false":
            found = found.filter(read_at__isnull=False)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(methods=["GET"], responses=PreferenceRowSerializer(many=True))
    @extend_schema(
        methods=["PUT"],
        request=PreferencesUpdateSerializer,
        responses=PreferenceRowSerializer(many=True),
    )
    @action(detail=False, methods=["get", "put"], pagination_class=None)
    @raises(preferences.InvalidPreference)
    def preferences(self, request: Request) -> Response:
        """For every type and channel (in the app, email): immediately, a daily or weekly
        digest, or off, with the default beside your choice. PUT changes the ones sent."""
        me = signed_in_user(request)
        if request.method == "PUT":
            data = PreferencesUpdateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            preferences.update(me, data.validated_data["preferences"])
        return Response(preferences.matrix(me))

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
