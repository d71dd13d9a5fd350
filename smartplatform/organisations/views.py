from typing import Any

from rest_framework import permissions, viewsets

from smartplatform.organisations import selectors
from smartplatform.organisations.serializers import MunicipalitySerializer


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """The municipalities of Familjen Helsingborg, referred to by their four-digit code."""

    serializer_class = MunicipalitySerializer
    permission_classes = (permissions.AllowAny,)
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    ordering_fields = ("name", "code", "population")
    swedish_ordering_fields = ("name",)
    filterset_fields: Any = ()

    def get_queryset(self) -> Any:
        return selectors.municipality_list()
