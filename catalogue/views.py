from typing import Any

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue import permissions as catalogue_permissions
from catalogue import selectors, services
from catalogue.models import Project, Theme
from catalogue.serializers import (
    ProjectDetailSerializer,
    ProjectListSerializer,
    ProjectPageSerializer,
    ProjectQuerySerializer,
    ProjectWriteSerializer,
    ThemeSerializer,
)
from smartplatform.accounts.permissions import IsVerifiedUser
from smartplatform.accounts.selectors import signed_in_user
from smartplatform.core.errors import raises


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

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve", "similar"):
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
        page = self.paginate_queryset(result.projects)
        paginated = self.get_paginated_response(
            ProjectListSerializer(page, many=True, context=self.get_serializer_context()).data
        )
        return Response({**paginated.data, "facets": result.facets})

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
        """Published projects like this one (shared themes, tags and words)."""
        projects = selectors.similar_projects(self.get_object())
        return Response(
            ProjectListSerializer(projects, many=True, context=self.get_serializer_context()).data
        )
