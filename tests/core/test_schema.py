"""The OpenAPI schema: valid, and every operation documents its error answers and codes."""

import json
import re
from collections.abc import Iterator

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = {"$ref": "#/components/schemas/Error"}
# What any request can be refused with, before or beside what the operation does.
EVERY_OPERATION = {
    400: ["invalid_characters", "invalid_encoding", "bad_request"],
    406: ["not_acceptable"],
    429: ["throttled"],
}
# Every operation that does not act on someone's behalf refuses the X-On-Behalf-Of header.
NOT_ON_BEHALF = "on_behalf_not_supported"
# An address too long for the web server in front: its answer, not the API's (no JSON).
WEB_SERVER_REFUSAL = 414


@pytest.fixture
def clean_generator_stats() -> Iterator[None]:
    # drf-spectacular counts warnings process-wide and the command never resets them: a
    # warning from another test's schema (the probe's views have no serializer) would fail
    # --fail-on-warn here, and this test's warnings must not leak out either.
    GENERATOR_STATS.reset()
    yield
    GENERATOR_STATS.reset()


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    GENERATOR_STATS.reset()
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(path),
    )
    GENERATOR_STATS.reset()
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def probe_schema() -> dict:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generated = SchemaGenerator(urlconf="tests.core.probe").get_schema(
            request=None, public=True
        )
    GENERATOR_STATS.reset()
    return generated


def operations(schema: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "patch", "post", "delete", "head", "options", "trace"}:
                yield path, method, operation


def documented_errors(operation: dict) -> dict[int, list[str]]:
    """Status -> documented codes, checking each error answer has the Error shape."""
    errors = {}
    for status, response in operation["responses"].items():
        if int(status) < 400 or int(status) == WEB_SERVER_REFUSAL:
            continue
        schema = response["content"]["application/json"]["schema"]
        assert schema["allOf"][0] == ERROR_REF, (status, schema)
        enum = schema["allOf"][1]["properties"]["code"]
        assert enum["type"] == "string"
        for code in enum["enum"]:
            assert f"`{code}`" in response["description"]
        errors[int(status)] = enum["enum"]
    return errors


def test_the_schema_validates_without_a_single_warning(clean_generator_stats, tmp_path):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    assert not GENERATOR_STATS
    generated = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert generated["openapi"].startswith("3.")
    assert "/api/v1/municipalities/" in generated["paths"]


def test_a_warning_fails_the_schema_command(clean_generator_stats, settings, tmp_path):
    # The command's --fail-on-warn is what CI relies on: prove it bites with this setup.
    settings.ROOT_URLCONF = "tests.core.probe"

    with pytest.raises(Exception, match="warnings"):
        call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_the_error_component_is_the_documented_shape(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["type"] == "object"
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert set(error["required"]) == {"code", "message", "fields"}
    assert error["properties"]["code"]["type"] == "string"
    assert error["properties"]["fields"]["type"] == "object"


def test_session_authentication_is_a_documented_security_scheme(schema):
    assert schema["components"]["securitySchemes"] == {
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        "sessionToken": {"type": "apiKey", "in": "header", "name": "X-Session-Token"},
    }


def test_every_api_operation_documents_its_error_answers(schema):
    api_operations = [op for op in operations(schema) if op[0].startswith("/api/v1/")]
    assert api_operations

    for path, method, operation in api_operations:
        errors = documented_errors(operation)
        for status, codes in EVERY_OPERATION.items():
            assert set(codes) <= set(errors.get(status, [])), (path, method, status)


def test_every_operation_documents_the_web_servers_refusal_of_a_long_address(schema):
    for path, method, operation in operations(schema):
        assert operation["responses"]["414"] == {
            "description": "The address (path and query) is too long"
        }, (path, method)


def test_a_public_detail_documents_not_found(schema):
    operation = schema["paths"]["/api/v1/municipalities/{code}/"]["get"]

    assert documented_errors(operation) == {
        **EVERY_OPERATION,
        400: [*EVERY_OPERATION[400], NOT_ON_BEHALF],
        404: ["not_found"],
    }


def test_a_public_list_documents_invalid_filters_and_pages(schema):
    operation = schema["paths"]["/api/v1/municipalities/"]["get"]

    assert documented_errors(operation) == {
        400: [*EVERY_OPERATION[400], "invalid", NOT_ON_BEHALF],
        404: ["not_found"],
        406: ["not_acceptable"],
        429: ["throttled"],
    }
    assert {p["name"] for p in operation["parameters"]} >= {"page", "page_size", "ordering"}


def test_an_idempotent_post_documents_its_domain_and_idempotency_errors(probe_schema):
    operation = probe_schema["paths"]["/api/v1/test-probe/"]["post"]

    assert documented_errors(operation) == {
        400: [
            *EVERY_OPERATION[400],
            "invalid",
            "parse_error",
            "invalid_content_length",
            NOT_ON_BEHALF,
            "invalid_idempotency_key",
        ],
        401: ["not_authenticated", "authentication_failed"],
        403: ["permission_denied", "csrf_failed"],
        406: ["not_acceptable"],
        404: ["not_found"],
        409: ["probe_taken", "idempotency_request_in_flight", "idempotency_lease_expired"],
        413: ["request_too_large"],
        415: ["unsupported_media_type"],
        422: ["idempotency_key_reused"],
        429: ["throttled"],
        503: ["database_busy"],
    }
    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [(p["name"], p.get("required", False)) for p in headers] == [("Idempotency-Key", False)]
    assert headers[0]["schema"] == {"type": "string", "pattern": "^[ -~]{1,255}$"}


def test_a_read_needing_a_login_documents_401_and_403_and_no_idempotency_key(probe_schema):
    operation = probe_schema["paths"]["/api/v1/test-probe/"]["get"]

    assert documented_errors(operation) == {
        **EVERY_OPERATION,
        400: [*EVERY_OPERATION[400], NOT_ON_BEHALF],
        401: ["not_authenticated", "authentication_failed"],
        403: ["permission_denied"],
    }
    assert all(p["name"] != "Idempotency-Key" for p in operation.get("parameters", []))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "content_type"),
    [("", "application/vnd.oai.openapi"), ("?format=json", "application/vnd.oai.openapi+json")],
)
def test_the_schema_is_served(client, query, content_type):
    response = client.get(f"/api/schema/{query}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = response.content.decode()
    served = json.loads(body) if "json" in content_type else yaml.safe_load(body)
    assert "/api/v1/municipalities/{code}/" in served["paths"]


ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", re.I)


@pytest.mark.django_db
def test_the_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(a.endswith("/swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:  # the static bundles, and the page's own script from its own URL
        assert asset.startswith(("/static/", "/api/docs/?script")), asset
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html, re.I)


@pytest.mark.django_db
def test_the_docs_assets_are_served(client):
    html = client.get("/api/docs/").content.decode()
    assets = ASSET.findall(html)
    bundle = next(a for a in assets if a.endswith("/swagger-ui-bundle.js"))

    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content, asset
    bundle_response = client.get(bundle)
    assert "javascript" in bundle_response["Content-Type"]
    assert b"SwaggerUIBundle" in b"".join(bundle_response.streaming_content)


def test_every_request_body_refuses_fields_it_does_not_name(schema):
    """Every input refuses unknown fields (400): its schema says so, so a client generated
    from it does not send them."""
    components = schema["components"]["schemas"]
    checked = 0
    for path, method, operation in operations(schema):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            ref = content["schema"].get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                assert components[name].get("additionalProperties") is False, (path, method)
                checked += 1
    assert checked > 40


def test_page_and_page_size_say_their_bounds(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/listings/"]["get"]["parameters"]
    }

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
