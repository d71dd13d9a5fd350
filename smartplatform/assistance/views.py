from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from smartplatform.accounts.models import User
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.assistance import services
from smartplatform.assistance.models import Act, Consent
from smartplatform.assistance.serializers import (
    ActSerializer,
    ClaimAccountSerializer,
    ClaimStartedSerializer,
    ConfirmClaimSerializer,
    ConsentSerializer,
    GiveConsentSerializer,
    LoginCodeSerializer,
    RegisteredResidentSerializer,
    RegisterResidentSerializer,
    ResidentSerializer,
)
from smartplatform.core.errors import raises
from smartplatform.core.pagination import CursorPagination
from smartplatform.organisations.models import Organisation


def _coordinated(request: Request, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    services.require_coordinator(request.user, organisation)
    return organisation


def _resident_of(organisation: Organisation, resident_id: str) -> User:
    """A resident whose consent to ``organisation`` is in force (404 otherwise)."""
    return get_object_or_404(
        User.objects.filter(
            assistance_consents__organisation=organisation,
            assistance_consents__withdrawn_at__isnull=True,
        ),
        pk=resident_id,
    )


class ResidentsView(generics.GenericAPIView):
    """An organisation's coordinators register residents without email, and list the
    residents whose consent to the organisation is in force."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = ResidentSerializer
    queryset = User.objects.none()  # for the schema; the handlers pick the rows

    @extend_schema(responses=ResidentSerializer(many=True))
    @raises(services.NotACoordinator)
    def get(self, request: Request, slug: str) -> Response:
        organisation = _coordinated(request, slug)
        residents: QuerySet[User] = (
            User.objects.filter(
                assistance_consents__organisation=organisation,
                assistance_consents__withdrawn_at__isnull=True,
            )
            .select_related("home_municipality")
            .order_by("display_name", "pk")
        )
        page = self.paginate_queryset(residents)
        return self.get_paginated_response(ResidentSerializer(page, many=True).data)

    @extend_schema(
        request=RegisterResidentSerializer, responses={201: RegisteredResidentSerializer}
    )
    @raises(services.NotACoordinator)
    def post(self, request: Request, slug: str) -> Response:
        organisation = _coordinated(request, slug)
        data = RegisterResidentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resident, code = services.register_resident(
            coordinator=signed_in_user(request), organisation=organisation, **data.validated_data
        )
        body = RegisteredResidentSerializer({"resident": resident, "login_code": code}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ResidentLoginCodeView(APIView):
    """A new one-time code for a resident who lost theirs; the old one stops working."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(request=None, responses={201: LoginCodeSerializer})
    @raises(services.NotACoordinator, services.HasOwnLogin)
    def post(self, request: Request, slug: str, resident_id: str) -> Response:
        organisation = _coordinated(request, slug)
        resident = _resident_of(organisation, resident_id)
        if not services.is_unclaimed(resident, organisation):
            raise services.HasOwnLogin()
        me = signed_in_user(request)
        code = services.new_login_code(resident=resident, created_by=me)
        services.record_act(
            resident=resident, coordinator=me, organisation=organisation, action="login_code.issued"
        )
        return Response({"login_code": code}, status=status.HTTP_201_CREATED)


class ResidentConsentView(APIView):
    """A coordinator records that a resident withdrew their consent (said in person)."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(request=None, responses={200: ConsentSerializer})  # the withdrawn consent
    @raises(services.NotACoordinator, services.NoActiveConsent)
    def delete(self, request: Request, slug: str, resident_id: str) -> Response:
        organisation = _coordinated(request, slug)
        resident = _resident_of(organisation, resident_id)
        consent = services.withdraw_consent(
            resident=resident, organisation=organisation, by=signed_in_user(request)
        )
        return Response(ConsentSerializer(consent).data)


class MyConsentsView(generics.GenericAPIView):
    """The signed-in person's consents to assistance: list, give, withdraw."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = ConsentSerializer
    queryset = Consent.objects.none()  # for the schema; the handlers pick the rows

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request: Request) -> Response:
        consents = (
            Consent.objects.filter(resident=signed_in_user(request))
            .select_related("organisation", "recorded_by", "withdrawn_by")
            .order_by("-given_at", "-pk")
        )
        page = self.paginate_queryset(consents)
        return self.get_paginated_response(ConsentSerializer(page, many=True).data)

    @extend_schema(request=GiveConsentSerializer, responses={201: ConsentSerializer})
    @raises(services.ConsentAlreadyGiven)
    def post(self, request: Request) -> Response:
        data = GiveConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = signed_in_user(request)
        consent = services.give_consent(resident=me, recorded_by=me, **data.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class MyConsentView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(request=None, responses={200: ConsentSerializer})  # the withdrawn consent
    @raises(services.NoActiveConsent)
    def delete(self, request: Request, consent_id: str) -> Response:
        me = signed_in_user(request)
        consent = get_object_or_404(Consent, pk=consent_id, resident=me)
        withdrawn = services.withdraw_consent(
            resident=me, organisation=consent.organisation, by=me, consent_id=consent.pk
        )
        return Response(ConsentSerializer(withdrawn).data)


class MyAssistedActsView(generics.ListAPIView):
    """Everything coordinators did on the signed-in person's behalf, newest first."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = ActSerializer
    pagination_class = CursorPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks anonymously
            return Act.objects.none()
        return Act.objects.filter(resident=signed_in_user(self.request)).select_related(
            "coordinator", "organisation"
        )


class ClaimAccountView(APIView):
    """A resident registered by a coordinator takes over their account, in two steps: the
    printed code with the address and password they choose (a code is emailed to that
    address), then both codes together. Until then the account does not change."""

    permission_classes = (permissions.AllowAny,)
    # Each answer says whether an address is taken: few tries per client and hour.
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "assisted_claim"

    @extend_schema(request=ClaimAccountSerializer, responses={202: ClaimStartedSerializer})
    @raises(services.LoginCodeInvalid, services.EmailTaken)
    def post(self, request: Request) -> Response:
        data = ClaimAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.start_claim(**data.validated_data)
        body = {"email_code_sent_to": data.validated_data["email"].strip().lower()}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ConfirmClaimView(APIView):
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "assisted_claim"

    @extend_schema(request=ConfirmClaimSerializer, responses={204: None})
    @raises(services.LoginCodeInvalid, services.EmailCodeInvalid, services.EmailTaken)
    def post(self, request: Request) -> Response:
        data = ConfirmClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.confirm_claim(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
