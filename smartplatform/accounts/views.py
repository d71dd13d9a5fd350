import json
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smartplatform.accounts import personal_data, selectors, services
from smartplatform.accounts.serializers import (
    AvatarUploadSerializer,
    DeleteAccountSerializer,
    MeSerializer,
    MeUpdateSerializer,
    PublicProfileSerializer,
)
from smartplatform.assistance.acting import subject_of, supports_acting_on_behalf
from smartplatform.core.errors import raises
from smartplatform.core.images import InvalidImage
from smartplatform.organisations.privacy import SoleAdminMustHandOver


class MeView(APIView):
    """The signed-in person's own account."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=MeSerializer)
    @supports_acting_on_behalf
    def get(self, request: Request) -> Response:
        subject = subject_of(request)
        return Response(MeSerializer(subject.user, context={"request": request}).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    @supports_acting_on_behalf
    def patch(self, request: Request) -> Response:
        changes = MeUpdateSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        # The act and its record commit together, or not at all.
        with transaction.atomic():
            subject = subject_of(request)
            user = services.update_profile(user=subject.user, **changes.validated_data)
            subject.record("profile.updated", fields=sorted(changes.validated_data))
        return Response(MeSerializer(user, context={"request": request}).data)

    @extend_schema(request=DeleteAccountSerializer, responses={204: None})
    @raises(
        services.ReauthenticationRequired,
        services.WrongPassword,
        SoleAdminMustHandOver,
    )
    def delete(self, request: Request) -> Response:
        """Delete the account: it is anonymised in place, its email address freed, and every
        app erases or closes what it holds about the person."""
        data = DeleteAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.delete_own_account(
            user=selectors.signed_in_user(request),
            session=request_session(request),
            password=data.validated_data.get("password"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def request_session(request: Request) -> SessionBase:
    """The session this request signed in with: the app client's token session, or the
    browser's cookie session."""
    return request.auth if isinstance(request.auth, SessionBase) else request._request.session


class AvatarView(APIView):
    """The signed-in person's picture: PUT a file (multipart field ``avatar``), or DELETE."""

    permission_classes = (permissions.IsAuthenticated,)
    parser_classes = (MultiPartParser,)

    @extend_schema(
        request={"multipart/form-data": AvatarUploadSerializer},
        responses=MeSerializer,
    )
    @raises(InvalidImage)
    def put(self, request: Request) -> Response:
        data = AvatarUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.set_avatar(
            user=selectors.signed_in_user(request), upload=data.validated_data["avatar"]
        )
        return Response(MeSerializer(user, context={"request": request}).data)

    # A DELETE that answers with the changed account (200), not an empty 204.
    @extend_schema(request=None, responses={200: MeSerializer})
    def delete(self, request: Request) -> Response:
        user = services.remove_avatar(user=selectors.signed_in_user(request))
        return Response(MeSerializer(user, context={"request": request}).data)


class ExportView(APIView):
    """Everything the platform holds about the signed-in person, as one JSON document."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        document = personal_data.export_user(selectors.signed_in_user(request))
        response = Response(document)
        response["Content-Disposition"] = 'attachment; filename="smart-samhalle-export.json"'
        return response


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
