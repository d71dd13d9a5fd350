from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import SearchFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from smartplatform.accounts.models import User
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.assistance.acting import only_for, subject_of, supports_acting_on_behalf
from smartplatform.core.errors import raises
from smartplatform.core.filters import OrderingFilter
from smartplatform.core.images import InvalidImage
from smartplatform.organisations import permissions as org_permissions
from smartplatform.organisations import selectors, services
from smartplatform.organisations.models import Municipality, Organisation, Role
from smartplatform.organisations.serializers import (
    InvitationCodeSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    LogoUploadSerializer,
    MembershipSerializer,
    MemberUpdateSerializer,
    MunicipalitySerializer,
    OrganisationCreateSerializer,
    OrganisationSerializer,
    OrganisationUpdateSerializer,
    StaffOrganisationUpdateSerializer,
)


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """The municipalities of Familjen Helsingborg, referred to by their four-digit code."""

    serializer_class = MunicipalitySerializer
    permission_classes = (permissions.AllowAny,)
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering_fields = ("name", "code", "population")
    swedish_ordering_fields = ("name",)
    filterset_fields: Any = ()

    def get_queryset(self) -> QuerySet[Municipality]:
        return selectors.municipality_list()


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueOrFalseFilter(filters.TypedChoiceFilter):
    """``true`` or ``false``, and nothing else (a BooleanFilter reads ``null`` as no filter)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=(("true", "true"), ("false", "false")),
            coerce=lambda value: value == "true",
            **kwargs,
        )


class OrganisationFilter(filters.FilterSet):
    municipality = filters.CharFilter(field_name="municipality__code")
    # "true" or "false" and nothing else: a boolean filter would read ?is_verified=null as
    # no filter at all.
    is_verified = TrueOrFalseFilter(field_name="is_verified")

    class Meta:
        model = Organisation
        fields = ("kind", "municipality", "is_verified")


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The public directory of organisations, and each one's members, join requests and
    invitations (for its members and admins)."""

    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    filter_backends = (filters.DjangoFilterBackend, SearchFilter, OrderingFilter)
    filterset_class = OrganisationFilter
    search_fields = ("name",)
    throttle_scope: str | None = None  # set per action where a scoped limit applies
    ordering_fields = ("name", "created_at", "member_count")
    swedish_ordering_fields = ("name",)

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        if self.action in ("create", "join_requests") and self.request.method == "POST":
            return [IsVerifiedUser()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list(viewer=self.request.user)

    def _organisation(self, *, at_least: Role | None) -> Organisation:
        organisation = self.get_object()
        if at_least is not None and not org_permissions.has_role(
            self.request.user, organisation, at_least
        ):
            raise PermissionDenied()
        return organisation

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The directory's filters, search and ordering are the list's: an organisation's
        members, join requests and invitations are not filtered by them."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _page(self, queryset: QuerySet[Any], serializer: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer(page, many=True).data)

    def _fresh(self, organisation: Organisation) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=organisation.pk)
        return dict(self.get_serializer(fresh).data)

    @extend_schema(request=OrganisationCreateSerializer, responses={201: OrganisationSerializer})
    def create(self, request: Request) -> Response:
        data = OrganisationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.create_organisation(
            creator=signed_in_user(request), **data.validated_data
        )
        return Response(self._fresh(organisation), status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationUpdateSerializer, responses=OrganisationSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        organisation = self.get_object()
        if not org_permissions.can_edit(request.user, organisation):
            raise PermissionDenied()
        input_class = (
            StaffOrganisationUpdateSerializer
            if org_permissions.is_staff(request.user)
            else OrganisationUpdateSerializer
        )
        data = input_class(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_organisation(
            organisation=organisation, actor=signed_in_user(request), **data.validated_data
        )
        return Response(self._fresh(organisation))

    @extend_schema(
        methods=["PUT"],
        request={"multipart/form-data": LogoUploadSerializer},
        responses=OrganisationSerializer,
    )
    @extend_schema(methods=["DELETE"], request=None, responses={200: OrganisationSerializer})
    @action(detail=True, methods=["put", "delete"], parser_classes=[MultiPartParser])
    @raises(InvalidImage)
    def logo(self, request: Request, slug: str) -> Response:
        """The organisation's logo (editors): PUT a file (multipart field ``logo``), or DELETE."""
        organisation = self._organisation(at_least=Role.EDITOR)
        if request.method == "DELETE":
            services.remove_logo(organisation=organisation)
        else:
            data = LogoUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.set_logo(organisation=organisation, upload=data.validated_data["logo"])
        return Response(self._fresh(organisation))

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=())
    def members(self, request: Request, slug: str) -> Response:
        organisation = self._organisation(at_least=Role.MEMBER)
        return self._page(selectors.members(organisation), MembershipSerializer)

    @extend_schema(request=MemberUpdateSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<user_id>[0-9]+)")
    @raises(services.SoleAdmin, services.NotAMember, services.OrganisationNotVerified)
    def member(self, request: Request, slug: str, user_id: str) -> Response:
        organisation = self._organisation(at_least=Role.ADMIN)
        member = get_object_or_404(User, pk=user_id)
        actor = signed_in_user(request)
        if request.method == "DELETE":
            services.remove_member(organisation=organisation, member=member, actor=actor)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.update_membership(
            organisation=organisation, member=member, actor=actor, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    @raises(services.SoleAdmin, services.NotAMember)
    def leave(self, request: Request, slug: str) -> Response:
        organisation = self._organisation(at_least=None)
        me = signed_in_user(request)
        services.remove_member(organisation=organisation, member=me, actor=me)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=JoinRequestSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=JoinRequestCreateSerializer,
        responses={201: JoinRequestSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="join-requests", filter_backends=())
    @raises(services.AlreadyMember, services.JoinRequestPending)
    @only_for("POST")  # asking to join, for a resident; the list is the admins' own
    @supports_acting_on_behalf
    def join_requests(self, request: Request, slug: str) -> Response:
        if request.method == "GET":
            organisation = self._organisation(at_least=Role.ADMIN)
            return self._page(selectors.join_requests(organisation), JoinRequestSerializer)
        organisation = self._organisation(at_least=None)
        data = JoinRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():  # the act and its record commit together
            subject = subject_of(request)
            join_request = services.request_to_join(
                organisation=organisation,
                user=subject.user,
                message=data.validated_data.get("message", ""),
            )
            subject.record("organisation.join_requested", organisation=organisation.slug)
        return Response(JoinRequestSerializer(join_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=JoinRequestSerializer,
        operation_id="v1_organisations_join_requests_decide",
        description="Approve or decline (an admin), or withdraw (the person who asked).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"join-requests/(?P<request_id>[0-9]+)/(?P<decision>approve|decline|withdraw)",
    )
    @raises(services.JoinRequestNotPending)
    def decide_join_request(
        self, request: Request, slug: str, request_id: str, decision: str
    ) -> Response:
        organisation = self._organisation(at_least=None)
        join_request = get_object_or_404(selectors.join_requests(organisation), pk=request_id)
        me = signed_in_user(request)
        if decision == "withdraw":
            if join_request.user_id != me.pk:
                raise PermissionDenied()
            join_request = services.withdraw_join_request(join_request=join_request)
        else:
            if not org_permissions.can_administer(me, organisation):
                raise PermissionDenied()
            join_request = services.decide_join_request(
                join_request=join_request, actor=me, approve=decision == "approve"
            )
        return Response(JoinRequestSerializer(join_request).data)

    @extend_schema(methods=["GET"], responses=InvitationSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=InvitationCreateSerializer, responses={201: InvitationSerializer}
    )
    # Invitations send email to any address: a few per hour and person, not a spam cannon.
    @action(
        detail=True,
        methods=["get", "post"],
        throttle_classes=[UserRateThrottle, ScopedRateThrottle],
        throttle_scope="invitations",
        filter_backends=(),
    )
    @raises(services.AlreadyMember, services.InvitationPending)
    def invitations(self, request: Request, slug: str) -> Response:
        organisation = self._organisation(at_least=Role.ADMIN)
        if request.method == "GET":
            return self._page(selectors.invitations(organisation), InvitationSerializer)
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite(
            organisation=organisation,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            actor=signed_in_user(request),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"invitations/(?P<invitation_id>[0-9]+)")
    @raises(services.InvitationNotPending)
    def revoke_invitation(self, request: Request, slug: str, invitation_id: str) -> Response:
        organisation = self._organisation(at_least=Role.ADMIN)
        invitation = get_object_or_404(selectors.invitations(organisation), pk=invitation_id)
        services.revoke_invitation(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnswerInvitationView(APIView):
    """Accept or decline an invitation with the code from its email, signed in with the
    address it was sent to."""

    permission_classes = (IsVerifiedUser,)
    decision = "accept"

    @extend_schema(request=InvitationCodeSerializer, responses={200: MembershipSerializer})
    @raises(
        services.InvitationNotFound,
        services.InvitationNotPending,
        services.InvitationExpired,
        services.InvitationForAnotherAddress,
    )
    def post(self, request: Request) -> Response:
        data = InvitationCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = signed_in_user(request)
        if self.decision == "decline":
            services.decline_invitation(code=data.validated_data["code"], user=me)
            return Response(status=status.HTTP_204_NO_CONTENT)
        membership = services.accept_invitation(code=data.validated_data["code"], user=me)
        return Response(MembershipSerializer(membership).data)
