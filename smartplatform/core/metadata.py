"""What OPTIONS answers on the API."""

from typing import TYPE_CHECKING

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # DRF reads the metadata class while it defines APIView
    from rest_framework.views import APIView


class EndpointMetadata(SimpleMetadata):
    """OPTIONS: the endpoint's name, description and formats. Its fields and rules are in the
    OpenAPI schema (/api/schema/); DRF's default would repeat them per method by looking up
    the object a PUT would change, which endpoints without an id in their address cannot."""

    def determine_metadata(self, request: Request, view: "APIView") -> dict[str, object]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
