"""One response checked the way the contract run checks it: schemathesis' own validation of
status code, content type, headers and body against the served OpenAPI schema.

Each failure the contract run finds becomes a test in the suite that calls
``assert_conforms`` on the response that failed, before it is fixed.
"""

import functools
import json
from typing import Any

import requests
import schemathesis
from django.http import HttpResponse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.schemas import OpenApiSchema

BASE_URL = "http://testserver"


@functools.cache
def api_schema() -> OpenApiSchema:
    with GENERATOR_STATS.silence():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as it is served: lazy translations and tuples become plain JSON.
    raw = json.loads(OpenApiJsonRenderer().render(generated))
    schema = schemathesis.openapi.from_dict(raw)
    assert isinstance(schema, OpenApiSchema)
    return schema


def as_schemathesis_response(response: HttpResponse) -> Response:
    request = response.wsgi_request  # type: ignore[attr-defined]
    return Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(request.method, BASE_URL + request.get_full_path()).prepare(),
        elapsed=0.0,
        verify=False,
    )


def assert_conforms(response: Any, path_template: str) -> None:
    """``response`` (from Django's or DRF's test client) is what the schema says
    ``<its method> path_template`` answers."""
    method = response.wsgi_request.method
    operation = api_schema().find_operation_by_label(f"{method} {path_template}")
    assert operation is not None, f"{method} {path_template} is not in the schema"
    operation.validate_response(as_schemathesis_response(response))
