"""A small API used only by the tests of the shared machinery (errors, idempotency).

Its POST validates input, can fail with a domain conflict, and has one effect: it publishes a
``probe.created`` event, so "nothing happened twice" is a count of outbox rows.
"""

import time
from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smartplatform.core.errors import ConflictError, raises
from smartplatform.core.events import publish
from smartplatform.core.idempotency import idempotent
from smartplatform.core.models import Event
from smartplatform.core.pagination import CursorPagination
from smartplatform.urls import urlpatterns as platform_urlpatterns


class ProbeTaken(ConflictError):
    code = "probe_taken"
    default_message = gettext_lazy("That name is taken.")


class ProbeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    hours = serializers.IntegerField(min_value=1, max_value=10)


class ProbeView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.pk})

    @idempotent
    @raises(ProbeTaken)
    def post(self, request: Request) -> Response:
        data = ProbeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["name"] == "taken":
            raise ProbeTaken()
        event = publish("probe.created", dict(data.validated_data))
        # Widens the window in which concurrent retries arrive while this one is in flight.
        delay = float(request.query_params.get("delay", "0"))
        if delay:
            time.sleep(delay)
        body: dict[str, Any] = {"event_id": event.pk, **data.validated_data}
        headers = {"Location": f"/p/{event.pk}"}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class FeedItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ("id", "payload")


class EventFeedView(generics.ListAPIView):
    """A feed that grows without end: cursor pagination, one fixed unique order."""

    permission_classes = (permissions.AllowAny,)
    pagination_class = CursorPagination
    queryset = Event.objects.filter(event_type="feed.item")
    serializer_class = FeedItemSerializer


class StaffProbeView(APIView):
    permission_classes = (permissions.IsAdminUser,)

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test-probe/", ProbeView.as_view()),
    path("api/v1/test-probe/staff/", StaffProbeView.as_view()),
    path("api/v1/test-probe/feed/", EventFeedView.as_view()),
    *platform_urlpatterns,
]
