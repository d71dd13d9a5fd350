"""An organisation's webhooks, for its admins: list, register (the secret is in that answer
and in a renewal's, never in a list), renew the secret, remove. Anyone else, members and
editors included, is refused; outsiders do not learn which webhooks exist."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import webhooks
from notifications.models import WebhookEndpoint
from notifications.serializers import (
    WebhookCreateSerializer,
    WebhookSerializer,
    WebhookWithSecretSerializer,
)
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.organisations import permissions as org_permissions
from smartplatform.organisations.models import Organisation


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookSerializer
    permission_classes = (IsAuthenticated,)
    filter_backends = ()

    def organisation(self) -> Organisation:
        organisation = get_object_or_404(Organisation, slug=self.kwargs["organisation_slug"])
        if not org_permissions.can_administer(self.request.user, organisation):
            raise PermissionDenied()
        return organisation

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(organisation=self.organisation()).order_by("pk")

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookWithSecretSerializer})
    @raises(
        webhooks.InvalidWebhookAddress,
        webhooks.WebhookAddressNotAllowed,
        webhooks.WebhookAlreadyRegistered,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register an https:// address that receives the organisation's notifications as
        signed JSON (see the webhooks documentation for the signature)."""
        organisation = self.organisation()
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.register(
            organisation=organisation,
            url=data.validated_data["url"],
            description=data.validated_data.get("description", ""),
            actor=signed_in_user(request),
        )
        return Response(WebhookWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WebhookWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new signing secret; the old one stops working at once."""
        endpoint = webhooks.rotate_secret(self.get_object())
        return Response(WebhookWithSecretSerializer(endpoint).data)
