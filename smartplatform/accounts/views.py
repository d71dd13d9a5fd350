import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smartplatform.accounts import selectors, services
from smartplatform.accounts.serializers import (
    MeSerializer,
    MeUpdateSerializer,
    PublicProfileSerializer,
)


class MeView(APIView):
    """The signed-in person's own account."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        changes = MeUpdateSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        user = services.update_profile(
            user=selectors.signed_in_user(request), **changes.validated_data
        )
        return Response(MeSerializer(user, context={"request": request}).data)


class PublicProfileView(generics.RetrieveAPIView):
    """Anyone's public profile: display name, municipality, member since."""

    permission_classes = (permissions.AllowAny,)
    serializer_class = PublicProfileSerializer

    def get_queryset(self) -> Any:
        return selectors.public_users()


def _auth_api_schema() -> dict[str, Any]:
    from allauth.headless.spec.internal.schema import get_schema

    # Through JSON and back: lazy (translatable) texts become plain strings.
    return json.loads(json.dumps(get_schema(), cls=DjangoJSONEncoder))


def auth_api_schema_json(request: HttpRequest) -> HttpResponse:
    """allauth's OpenAPI spec. Served here because allauth's own view cannot serialise the
    translatable labels of the platform's sign-up fields."""
    return JsonResponse(_auth_api_schema(), content_type="application/vnd.oai.openapi+json")


def auth_api_schema_yaml(request: HttpRequest) -> HttpResponse:
    import yaml

    return HttpResponse(
        yaml.safe_dump(_auth_api_schema(), allow_unicode=True, sort_keys=False),
        content_type="application/vnd.oai.openapi",
    )
