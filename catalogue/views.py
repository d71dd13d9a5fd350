from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from catalogue import contact_requests, selectors, services
from catalogue import permissions as catalogue_permissions
from catalogue.exporting import CatalogueCSVRenderer
from catalogue.models import ContactRequest, Project, Theme
from catalogue.serializers import (
    ConfirmContactsSerializer,
    ContactRequestCreateSerializer,
    ContactRequestMessageInputSerializer,
    ContactRequestQuerySerializer,
    ContactRequestSerializer,
    ContactRequestStatusSerializer,
    CoverUploadSerializer,
    ProjectDetailSerializer,
    ProjectExportSerializer,
    ProjectListSerializer,
    ProjectPageSerializer,
    ProjectQuerySerializer,
    ProjectWriteSerializer,
    ThemeSerializer,
)
from matching.partners import similar_projects
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises
from smartplatform.core.images import InvalidImage
from smartplatform.core.pagination import LoadedByKeys


class ThemeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The themes of the catalogue, with how many published projects each has."""

    serializer_class = ThemeSerializer
    permission_classes = (permissions.AllowAny,)
    pagination_class = None
    filter_backends = ()

    def get_queryset(self) -> QuerySet[Theme]:
        return Theme.objects.annotate(
            project_count=Count("projects", filter=Q(projects__is_published=True))
        ).order_by("position", "name")


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The open catalogue of smart-society projects: anyone reads what is published; the
    owning organisation's editors write."""

    lookup_field = "slug"
    filter_backends = ()
    serializer_class = ProjectDetailSerializer
    throttle_scope: str | None = None  # set per action where a scoped limit applies

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve", "similar", "export"):
            return [permissions.AllowAny()]
        return [IsVerifiedUser()]

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_detail_queryset(viewer=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        project = getattr(self, "_project", None)
        context["show_contact_details"] = bool(
            project and catalogue_permissions.can_see_contact_details(self.request.user, project)
        )
        return context

    def get_object(self) -> Project:
        self._project: Project = super().get_object()
        return self._project

    def _detail(self, project: Project, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=project.pk)
        self._project = fresh
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(parameters=[ProjectQuerySerializer], responses=ProjectPageSerializer)
    def list(self, request: Request) -> Response:
        """Search and filter the catalogue. `facets` counts, for municipality, theme and
        status, the projects every *other* filter lets through."""
        query = ProjectQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.project_search(viewer=request.user, query=query.query())
        found = LoadedByKeys(result.ranked, selectors.projects_for_list, count=result.count)
        page = self.paginate_queryset(found)  # type: ignore[arg-type]
        paginated = self.get_paginated_response(
            ProjectListSerializer(page, many=True, context=self.get_serializer_context()).data
        )
        return Response({**paginated.data, "facets": result.facets})

    @extend_schema(
        parameters=[ProjectQuerySerializer], responses=ProjectExportSerializer(many=True)
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, CatalogueCSVRenderer],
    )
    def export(self, request: Request) -> Response:
        """Every project of a search (same filters as the list), as JSON or, with
        `?format=csv`, as a CSV a Swedish spreadsheet opens directly. Contacts by name, role
        and organisation only: no email addresses or phone numbers."""
        query = ProjectQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        projects = selectors.project_export(viewer=request.user, query=query.query())
        response = Response(ProjectExportSerializer(projects, many=True).data)
        extension = request.accepted_renderer.format
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="projektkatalog-{day}.{extension}"'
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Errors are JSON in the one error shape, even when a CSV was asked for, and so is
        # what OPTIONS says of the endpoint: only the export itself is a CSV.
        answers_with_export = response.status_code < 400 and request.method == "GET"
        if not answers_with_export and isinstance(
            getattr(response, "accepted_renderer", None), CatalogueCSVRenderer
        ):
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectDetailSerializer})
    @raises(
        services.NotAProjectEditor,
        services.MunicipalityRequired,
        services.InvalidLineage,
        services.YearsOutOfOrder,
    )
    def create(self, request: Request) -> Response:
        """A new project, saved as a draft: publish it with `publish/`."""
        data = ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.create_project(
            actor=signed_in_user(request),
            owner=data.validated_data["owner"],
            data=data.project_data(),
        )
        return self._detail(project, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectWriteSerializer, responses=ProjectDetailSerializer)
    @raises(
        services.NotAProjectEditor,
        services.MunicipalityRequired,
        services.InvalidLineage,
        services.YearsOutOfOrder,
        services.UnknownContact,
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        project = self.get_object()
        if not catalogue_permissions.can_edit(request.user, project):
            raise PermissionDenied()
        data = ProjectWriteSerializer(instance=project, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "owner" in data.validated_data:
            raise PermissionDenied()
        services.update_project(
            actor=signed_in_user(request), project=project, data=data.project_data()
        )
        return self._detail(project)

    @raises(services.NotAProjectEditor)
    def destroy(self, request: Request, slug: str) -> Response:
        services.delete_project(actor=signed_in_user(request), project=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    @raises(services.NotAProjectEditor, services.ProjectAlreadyInThatState)
    def publish(self, request: Request, slug: str) -> Response:
        """Publish a draft: it appears in the open catalogue."""
        project = services.set_published(
            actor=signed_in_user(request), project=self.get_object(), published=True
        )
        return self._detail(project)

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    @raises(services.NotAProjectEditor, services.ProjectAlreadyInThatState)
    def unpublish(self, request: Request, slug: str) -> Response:
        """Take a project back to draft: only its editors and staff see it."""
        project = services.set_published(
            actor=signed_in_user(request), project=self.get_object(), published=False
        )
        return self._detail(project)

    @extend_schema(responses=ProjectListSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def similar(self, request: Request, slug: str) -> Response:
        """Published projects like this one: shared themes, tags and words, refined by the
        matching engine's text and everyday topics."""
        projects = similar_projects(self.get_object())
        return Response(
            ProjectListSerializer(projects, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=ContactRequestCreateSerializer, responses={201: ContactRequestSerializer}
    )
    # Each request emails real people: a few per hour and person.
    @action(
        detail=True,
        methods=["post"],
        url_path="contact-requests",
        throttle_classes=[UserRateThrottle, ScopedRateThrottle],
        throttle_scope="contact_requests",
    )
    @raises(
        contact_requests.ProjectNotOpenForRequests, contact_requests.NotAMemberOfThatOrganisation
    )
    def send_contact_request(self, request: Request, slug: str) -> Response:
        """Ask the people behind a project: to borrow the method, to learn more, or to work
        together. It reaches the project's contacts and the owning organisation's contact
        address by email; follow it under `/catalogue/contact-requests/`."""
        data = ContactRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = contact_requests.send_contact_request(
            sender=signed_in_user(request),
            project=self.get_object(),
            kind=data.validated_data["kind"],
            message=data.validated_data["message"],
            sender_organisation=data.validated_data.get("organisation"),
        )
        return Response(
            ContactRequestSerializer(
                selectors.contact_requests_for(viewer=request.user).get(pk=sent.pk),
                context=self.get_serializer_context(),
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["PUT"],
        request={"multipart/form-data": CoverUploadSerializer},
        responses=ProjectDetailSerializer,
    )
    # A DELETE that answers with the project as it now is (200), not an empty 204.
    @extend_schema(methods=["DELETE"], request=None, responses={200: ProjectDetailSerializer})
    @action(detail=True, methods=["put", "delete"], parser_classes=[MultiPartParser])
    @raises(services.NotAProjectEditor, InvalidImage)
    def cover(self, request: Request, slug: str) -> Response:
        """The project's cover image (editors): PUT a file (multipart field `image`), or
        DELETE it."""
        project = self.get_object()
        upload = None
        if request.method == "PUT":
            data = CoverUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            upload = data.validated_data["image"]
        services.set_cover_image(actor=request.user, project=project, upload=upload)
        return self._detail(project)

    @extend_schema(request=ConfirmContactsSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-contacts")
    @raises(services.NotAProjectEditor, services.UnknownContact)
    def confirm_contacts(self, request: Request, slug: str) -> Response:
        """Editors confirm that the project's contacts (all, or those named) are still right
        today; editors are asked to once a year."""
        data = ConfirmContactsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = self.get_object()
        services.confirm_contacts(
            actor=request.user, project=project, contact_ids=data.validated_data.get("contacts")
        )
        return self._detail(project)


class ContactRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Contact requests the signed-in user sent, or receives as an editor of the owning
    organisation or as a contact of the project. Nobody else sees them."""

    serializer_class = ContactRequestSerializer
    permission_classes = (IsVerifiedUser,)
    filter_backends = ()

    def get_queryset(self) -> QuerySet[ContactRequest]:
        return selectors.contact_requests_for(viewer=self.request.user)

    def _current(self, contact_request: ContactRequest) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=contact_request.pk)).data)

    @extend_schema(parameters=[ContactRequestQuerySerializer])
    def list(self, request: Request) -> Response:
        query = ContactRequestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        requests = selectors.contact_requests_for(viewer=request.user, **query.validated_data)
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ContactRequestStatusSerializer, responses=ContactRequestSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    @raises(
        contact_requests.NotAContactRequestReceiver,
        contact_requests.ContactRequestTransitionNotAllowed,
    )
    def set_status(self, request: Request, pk: str) -> Response:
        """Mark the request answered or closed (receivers only); a closed one can be opened
        again as answered. The sender is told."""
        data = ContactRequestStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact_request = contact_requests.change_status(
            request=self.get_object(), status=data.validated_data["status"], by=request.user
        )
        return self._current(contact_request)

    @extend_schema(
        request=ContactRequestMessageInputSerializer, responses={201: ContactRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    @raises(contact_requests.NotAContactRequestReceiver, contact_requests.ContactRequestClosed)
    def messages(self, request: Request, pk: str) -> Response:
        """Write in the request's conversation: a receiver's answer goes to the sender, a
        sender's follow-up to every recipient, by email, without showing addresses."""
        data = ContactRequestMessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact_request = self.get_object()
        contact_requests.write_message(
            request=contact_request, body=data.validated_data["body"], by=request.user
        )
        response = self._current(contact_request)
        response.status_code = status.HTTP_201_CREATED
        return response
