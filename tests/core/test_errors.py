"""Every 4xx (and the 500) under /api/ answers in one JSON shape:
``{"code": ..., "message": ..., "fields": {...}}``.

The probe URLconf (tests/core/probe.py) adds a small authenticated POST with a serializer and
a domain conflict; the municipalities list stands in for a public, paginated list.
"""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from smartplatform.core import health
from smartplatform.core.errors import DomainError, api_exception_handler
from smartplatform.organisations.views import MunicipalityViewSet
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PROBE = "/api/v1/test-probe/"
STAFF_PROBE = "/api/v1/test-probe/staff/"
LIST = "/api/v1/municipalities/"
DETAIL = "/api/v1/municipalities/1283/"

probe_urls = pytest.mark.urls("tests.core.probe")


@pytest.fixture
def client_en() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def user_client_en(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post_json(client: APIClient, path: str, raw: Any, **extra):
    """POST a body exactly as given (not re-encoded by the test client)."""
    return client.generic("POST", path, raw, content_type="application/json", **extra)


def assert_error(response, status: int, body: dict) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


# --- 400: validation -------------------------------------------------------------------------


@probe_urls
def test_validation_errors_map_each_field_to_its_messages(user_client_en, events):
    response = user_client_en.post(PROBE, {"name": "x" * 21, "hours": 0}, format="json")

    assert_error(
        response,
        400,
        error(
            "invalid",
            "The data sent is not valid.",
            {
                "name": ["Ensure this field has no more than 20 characters."],
                "hours": ["Ensure this value is greater than or equal to 1."],
            },
        ),
    )
    assert events.all() == []


@probe_urls
def test_a_missing_field_is_named(user_client_en):
    response = user_client_en.post(PROBE, {"name": "a"}, format="json")

    assert_error(
        response,
        400,
        error("invalid", "The data sent is not valid.", {"hours": ["This field is required."]}),
    )


@probe_urls
def test_errors_not_tied_to_a_field_go_under_non_field_errors(user_client_en):
    response = post_json(user_client_en, PROBE, "[1, 2]")

    assert_error(
        response,
        400,
        error(
            "invalid",
            "The data sent is not valid.",
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
    )


def test_a_validation_error_with_a_plain_message_is_a_non_field_error():
    response = api_exception_handler(ValidationError("Nope."), {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == error(
        "invalid", "The data sent is not valid.", {"non_field_errors": ["Nope."]}
    )


def test_a_domain_error_carries_its_code_status_fields_and_extra():
    class OutOfHours(DomainError):
        status_code = 409
        code = "out_of_hours"
        default_message = "Not enough hours."

    exc = OutOfHours(fields={"hours": ["Too many."]}, extra={"balance": 2})
    response = api_exception_handler(exc, {})

    assert response is not None
    assert response.status_code == 409
    assert response.data == {
        "code": "out_of_hours",
        "message": "Not enough hours.",
        "fields": {"hours": ["Too many."]},
        "balance": 2,
    }
    with_message = api_exception_handler(OutOfHours("Only 1 hour left."), {})
    assert with_message is not None
    assert with_message.data["message"] == "Only 1 hour left."


# --- 400: malformed bodies ---------------------------------------------------------------------


@probe_urls
@pytest.mark.parametrize("raw", ['{"name": ', "{'name': 'a'}", '{"hours": NaN}', "\xff"])
def test_malformed_json_is_a_parse_error(user_client_en, raw, events):
    response = post_json(user_client_en, PROBE, raw.encode("latin-1"))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error")
    assert body["fields"] == {}
    assert events.all() == []


@probe_urls
@pytest.mark.parametrize("depth", [900, 100_000])
@pytest.mark.parametrize("idempotency_key", [None, "deep-1"])
def test_deeply_nested_json_is_a_parse_error_not_a_500(user_client_en, depth, idempotency_key):
    # Python's JSON decoder and encoder recurse: a deep enough array is a RecursionError in
    # the parser, or (when the parser just managed) later when the body is hashed for the
    # Idempotency-Key. Both would be 500s for something any client can send.
    raw = "[" * depth + "]" * depth
    extra = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}

    response = post_json(user_client_en, PROBE, raw, **extra)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error")


@probe_urls
def test_json_nested_up_to_the_limit_is_read(user_client_en):
    def body(depth: int) -> str:
        # The object itself is the first level.
        nested = "[" * (depth - 1) + "]" * (depth - 1)
        return '{"name": "a", "hours": 1, "nested": ' + nested + "}"

    assert post_json(user_client_en, PROBE, body(100)).status_code == 201
    response = post_json(user_client_en, PROBE, body(101))
    assert_error(
        response, 400, error("parse_error", "JSON parse error - nested more than 100 levels deep.")
    )


@probe_urls
@pytest.mark.parametrize("charset", ["rot13", "zlib", "base64", "hex"])
def test_a_charset_that_is_not_a_text_encoding_is_refused(user_client_en, charset, events):
    # Such codecs are found by codecs.lookup, so Django keeps them as the request encoding;
    # decoding JSON with them fails with a TypeError or decompresses a body past its limit.
    response = user_client_en.generic(
        "POST",
        PROBE,
        b'{"name": "a", "hours": 1}',
        content_type=f"application/json; charset={charset}",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert events.all() == []


@probe_urls
def test_a_body_in_another_text_encoding_is_read(user_client_en):
    response = user_client_en.generic(
        "POST",
        PROBE,
        '{"name": "Åsa", "hours": 2}'.encode("latin-1"),
        content_type="application/json; charset=iso-8859-1",
    )

    assert response.status_code == 201
    assert response.json()["name"] == "Åsa"


# --- 400: characters the database cannot store -------------------------------------------------

INVALID_CHARACTERS = error(
    "invalid_characters",
    "The request contains characters that cannot be stored (such as NUL bytes).",
)
INVALID_ENCODING = error("invalid_encoding", "The request is not valid UTF-8.")


@pytest.mark.parametrize(
    "path",
    [
        LIST + "?search=a%00b",
        LIST + "?ordering=%00",
        LIST + "?a=1&b=\x00",
        "/api/v1/municipalities/12%0083/",
    ],
)
def test_a_nul_byte_in_the_url_is_refused(client_en, path):
    assert_error(client_en.get(path), 400, INVALID_CHARACTERS)


@probe_urls
@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "a\\u0000b", "hours": 1}',
        '{"name": "a", "hours": 1, "note\\u0000": 1}',
        '{"name": "a", "hours": 1, "tags": [{"deep": ["x\\u0000"]}]}',
        '{"name": "\\ud800", "hours": 1}',
        '{"name": "a\\udfffb", "hours": 1}',
    ],
    ids=["nul", "nul-in-key", "nul-nested", "lone-high-surrogate", "lone-low-surrogate"],
)
def test_unstorable_text_in_a_json_body_is_refused(user_client_en, raw, events):
    assert_error(post_json(user_client_en, PROBE, raw), 400, INVALID_CHARACTERS)
    assert events.all() == []


@probe_urls
def test_a_surrogate_pair_is_an_ordinary_character(user_client_en):
    response = post_json(user_client_en, PROBE, '{"name": "\\ud83d\\ude00", "hours": 1}')

    assert response.status_code == 201
    assert response.json()["name"] == "\N{GRINNING FACE}"


@pytest.mark.parametrize(
    "query",
    ["search=%FF", "search=%C3", "search=%ED%A0%80", "ordering=name&search=%E5ngelholm"],
)
def test_a_query_string_that_is_not_utf8_is_refused(client_en, query):
    assert_error(client_en.get(f"{LIST}?{query}"), 400, INVALID_ENCODING)


def test_percent_encoded_utf8_in_the_query_string_is_fine(client_en):
    response = client_en.get(LIST + "?search=%C3%A4ngelholm&ordering=name")

    assert response.status_code == 200


def test_edge_refusals_keep_their_code_in_every_language():
    sv = APIClient(HTTP_ACCEPT_LANGUAGE="sv").get(LIST + "?search=%00")
    en = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(LIST + "?search=%00")

    assert sv.json()["code"] == en.json()["code"] == "invalid_characters"
    assert sv.json()["message"] == (
        "Begäran innehåller tecken som inte kan sparas (till exempel NUL-tecken)."
    )
    assert en.json()["message"] == INVALID_CHARACTERS["message"]
    assert (sv["Content-Language"], en["Content-Language"]) == ("sv", "en")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "Det finns ingen sådan adress i API:et."),  # Swedish first
        ("sv", "Det finns ingen sådan adress i API:et."),
        ("en", "There is no such address in the API."),
        ("en-GB,en;q=0.9", "There is no such address in the API."),
        ("de", "Det finns ingen sådan adress i API:et."),  # not offered: the default
    ],
)
def test_the_platforms_own_messages_follow_accept_language(language, message):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}

    response = APIClient(**headers).get("/api/v1/no-such-thing/")

    assert response.json() == {"code": "not_found", "message": message, "fields": {}}


# --- 400: page size ------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["0", "101", "abc", "-1", "1.5", "1e2"])
def test_page_size_outside_1_to_100_is_refused(client_en, page_size):
    response = client_en.get(f"{LIST}?page_size={page_size}")

    assert_error(
        response,
        400,
        error(
            "invalid",
            "The data sent is not valid.",
            {"page_size": ["Must be a whole number from 1 to 100."]},
        ),
    )


@pytest.mark.parametrize(("page_size", "count"), [("1", 1), ("100", 11), ("", 11)])
def test_page_size_from_1_to_100_is_served(client_en, page_size, count):
    response = client_en.get(f"{LIST}?page_size={page_size}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_a_page_past_the_end_is_not_found(client_en):
    response = client_en.get(f"{LIST}?page=99")

    assert_error(response, 404, error("not_found", "Invalid page."))


# --- 401, 403 ------------------------------------------------------------------------------------


@probe_urls
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_are_asked_who_they_are(client_en, method, events):
    response = getattr(client_en, method)(PROBE, {"name": "a", "hours": 1}, format="json")

    assert_error(
        response, 401, error("not_authenticated", "Authentication credentials were not provided.")
    )
    assert response["WWW-Authenticate"] == 'Session realm="api"'
    assert events.all() == []


@probe_urls
def test_a_signed_in_non_staff_user_may_not_use_a_staff_endpoint(user_client_en):
    response = user_client_en.get(STAFF_PROBE)

    assert_error(
        response,
        403,
        error("permission_denied", "You do not have permission to perform this action."),
    )
    assert "WWW-Authenticate" not in response


@probe_urls
def test_staff_may_use_the_staff_endpoint(client_en):
    client_en.force_login(StaffFactory())

    response = client_en.get(STAFF_PROBE)

    assert response.status_code == 200
    assert response.json() == {"ok": True}


@probe_urls
def test_a_missing_csrf_token_is_a_json_403(user):
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)

    response = client.post(PROBE, {"name": "a", "hours": 1}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "csrf_failed"
    assert body["message"].startswith("CSRF Failed")
    assert body["fields"] == {}


# --- 404 -----------------------------------------------------------------------------------------

NO_SUCH_ADDRESS = error("not_found", "There is no such address in the API.")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/nope/", "/api/", "/api/v2/municipalities/", "/api/v1/municipalities/1283/x/"],
)
def test_an_unknown_api_url_is_a_json_404(settings, client_en, path, debug):
    settings.DEBUG = debug

    assert_error(client_en.get(path), 404, NO_SUCH_ADDRESS)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_api_url_is_a_json_404_for_every_method(client_en, method):
    assert_error(getattr(client_en, method)("/api/v1/nope/"), 404, NO_SUCH_ADDRESS)


def test_an_unknown_api_url_is_a_json_404_even_without_a_csrf_token(user):
    # A browser session POSTing to a mistyped URL must see the API's 404, not Django's
    # HTML "CSRF verification failed" page.
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)

    assert_error(client.post("/api/v1/nope/", {}, format="json"), 404, NO_SUCH_ADDRESS)
    assert_error(
        client.post("/api/v1/municipalities", {}, format="json"),
        404,
        error(
            "not_found",
            "There is no such address in the API. Did you mean /api/v1/municipalities/?",
        ),
    )


def test_a_missing_object_is_a_json_404(client_en):
    assert_error(
        client_en.get("/api/v1/municipalities/9999/"), 404, error("not_found", "Not found.")
    )


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("/api/v1/municipalities", "/api/v1/municipalities/"),
        ("/api/v1/municipalities/1283", "/api/v1/municipalities/1283/"),
        ("/api/docs", "/api/docs/"),
    ],
)
def test_a_missing_trailing_slash_gets_a_hint(settings, client_en, path, suggestion, debug):
    settings.DEBUG = debug

    response = client_en.get(path)

    assert_error(
        response,
        404,
        error("not_found", f"There is no such address in the API. Did you mean {suggestion}?"),
    )


def test_the_hint_holds_behind_a_script_prefix(client_en):
    response = client_en.get("/api/v1/municipalities", SCRIPT_NAME="/smart")

    assert_error(
        response,
        404,
        error(
            "not_found",
            "There is no such address in the API. Did you mean /smart/api/v1/municipalities/?",
        ),
    )


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/municipalities/1283/x"])
def test_no_hint_when_the_slash_would_not_help(client_en, path):
    assert_error(client_en.get(path), 404, NO_SUCH_ADDRESS)


@probe_urls
def test_the_hint_names_a_post_endpoint_too(user_client_en, events):
    response = user_client_en.post(PROBE.rstrip("/"), {"name": "a", "hours": 1}, format="json")

    assert_error(
        response,
        404,
        error("not_found", f"There is no such address in the API. Did you mean {PROBE}?"),
    )
    assert events.all() == []


# --- 405, 406 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "verb"), [("delete", "DELETE"), ("put", "PUT")])
def test_a_method_the_endpoint_does_not_have_is_a_405(client_en, method, verb):
    response = getattr(client_en, method)(DETAIL)

    assert_error(response, 405, error("method_not_allowed", f'Method "{verb}" not allowed.'))
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_an_accept_header_the_api_cannot_satisfy_is_a_406(client_en):
    response = client_en.get(LIST, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response.json() == error(
        "not_acceptable", "Could not satisfy the request Accept header."
    )


# --- 409 -----------------------------------------------------------------------------------------


@probe_urls
def test_a_domain_conflict_is_a_409_with_its_own_code(user_client_en, events):
    response = user_client_en.post(PROBE, {"name": "taken", "hours": 1}, format="json")

    assert_error(response, 409, error("probe_taken", "That name is taken."))
    assert events.all() == []


@probe_urls
def test_the_probe_succeeds_otherwise(user_client_en, events):
    response = user_client_en.post(PROBE, {"name": "free", "hours": 3}, format="json")

    assert response.status_code == 201
    assert response.json() == {"event_id": events.all()[0].pk, "name": "free", "hours": 3}


# --- 413 -----------------------------------------------------------------------------------------

TOO_LARGE = error("request_too_large", "The request body is too large.")


@probe_urls
def test_a_body_larger_than_the_limit_is_a_413(settings, user_client_en, events):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    raw = json.dumps({"name": "a", "hours": 1, "padding": "x" * 200})

    response = post_json(user_client_en, PROBE, raw)

    assert_error(response, 413, TOO_LARGE)
    assert events.all() == []


@probe_urls
def test_the_size_limit_is_checked_before_authentication(settings, client_en):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = post_json(client_en, PROBE, json.dumps({"padding": "x" * 200}))

    assert_error(response, 413, TOO_LARGE)


@probe_urls
def test_a_body_exactly_at_the_limit_is_read(settings, user_client_en):
    raw = json.dumps({"name": "a", "hours": 1})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(raw)

    assert post_json(user_client_en, PROBE, raw).status_code == 201
    assert post_json(user_client_en, PROBE, raw + " ").status_code == 413


@probe_urls
def test_a_content_length_that_is_not_a_number_is_refused(user_client_en):
    response = post_json(user_client_en, PROBE, "{}", CONTENT_LENGTH="lots")

    assert_error(
        response,
        400,
        error("invalid_content_length", "The Content-Length header is not a number."),
    )


# --- 415 -----------------------------------------------------------------------------------------


@probe_urls
@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/x-www-form-urlencoded", "name=a&hours=1"),
        ("text/plain", '{"name": "a", "hours": 1}'),
    ],
)
def test_a_body_that_is_not_json_is_a_415(user_client_en, content_type, raw, events):
    response = user_client_en.generic("POST", PROBE, raw, content_type=content_type)

    assert_error(
        response,
        415,
        error("unsupported_media_type", f'Unsupported media type "{content_type}" in request.'),
    )
    assert events.all() == []


@probe_urls
def test_a_multipart_body_is_a_415(user_client_en, events):
    response = user_client_en.post(PROBE, {"name": "a", "hours": "1"}, format="multipart")

    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert body["message"].startswith('Unsupported media type "multipart/form-data')
    assert events.all() == []


# --- 429 -----------------------------------------------------------------------------------------


@pytest.fixture
def low_throttle_rates(settings, monkeypatch):
    rates = {"anon": "2/min", "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # The throttle classes copied the rates when they were defined; DRF's reload on
    # setting_changed does not reach that copy.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    assert rates == SimpleRateThrottle.THROTTLE_RATES
    return rates


def test_too_many_anonymous_requests_are_throttled(low_throttle_rates):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")

    assert [client.get(LIST).status_code for _ in range(2)] == [200, 200]
    response = client.get(LIST)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["message"].startswith("Request was throttled. Expected available in ")
    assert body["fields"] == {}
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address has its own budget.
    assert APIClient(REMOTE_ADDR="203.0.113.8").get(LIST).status_code == 200


@probe_urls
def test_too_many_requests_from_one_user_are_throttled(low_throttle_rates, user_client_en):
    statuses = [
        user_client_en.post(PROBE, {"name": "a", "hours": 1}, format="json").status_code
        for _ in range(4)
    ]

    assert statuses == [201, 201, 201, 429]


# --- 500, 503 ------------------------------------------------------------------------------------


def test_a_locked_database_is_a_503_asking_to_retry(monkeypatch, client_en):
    def locked(self, request, *args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(MunicipalityViewSet, "list", locked)

    response = client_en.get(LIST)

    assert_error(
        response,
        503,
        error("database_busy", "The service is busy. Please try again in a moment."),
    )
    assert response["Retry-After"] == "2"


def test_a_django_validation_error_from_a_service_is_a_400(monkeypatch, client_en):
    def invalid(self, request, *args, **kwargs):
        raise DjangoValidationError({"population": ["Must be positive."]})

    monkeypatch.setattr(MunicipalityViewSet, "list", invalid)

    assert_error(
        client_en.get(LIST),
        400,
        error("invalid", "The data sent is not valid.", {"population": ["Must be positive."]}),
    )


@pytest.mark.parametrize(
    "exc", [RuntimeError("boom"), OperationalError("connection refused")], ids=repr
)
def test_a_bug_under_api_is_a_json_500(settings, monkeypatch, exc):
    settings.DEBUG = False

    def broken(self, request, *args, **kwargs):
        raise exc

    monkeypatch.setattr(MunicipalityViewSet, "list", broken)
    client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(LIST)

    assert_error(
        response,
        500,
        error("server_error", "Something went wrong on our side. It has been logged."),
    )


def test_a_bug_under_api_is_a_json_500_behind_a_script_prefix(settings, monkeypatch):
    settings.DEBUG = False

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(MunicipalityViewSet, "list", broken)
    client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(LIST, SCRIPT_NAME="/smart")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_a_bug_outside_api_keeps_djangos_page(settings, monkeypatch):
    settings.DEBUG = False

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(health, "check_database", broken)
    client = APIClient(raise_request_exception=False)

    response = client.get("/healthz")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


# --- 400s Django raises before any view ----------------------------------------------------------


def test_too_many_query_parameters_are_a_json_400(settings, client_en):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{i}=1" for i in range(11))

    response = client_en.get(f"{LIST}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request"
    assert body["fields"] == {}
    assert body["message"]


def test_a_host_not_served_is_a_json_400_under_api(client_en):
    response = client_en.get(LIST, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_host_not_served_keeps_djangos_400_elsewhere(client_en):
    response = client_en.get("/admin/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- Translation ---------------------------------------------------------------------------------


@probe_urls
@pytest.mark.parametrize(
    ("method", "path", "status", "code", "sv", "en"),
    [
        (
            "get",
            PROBE,
            401,
            "not_authenticated",
            "Autentiseringsuppgifter ej tillhandahållna.",
            "Authentication credentials were not provided.",
        ),
        (
            "delete",
            DETAIL,
            405,
            "method_not_allowed",
            'Metoden "DELETE" tillåts inte.',
            'Method "DELETE" not allowed.',
        ),
        ("get", "/api/v1/municipalities/9999/", 404, "not_found", "Hittades inte.", "Not found."),
    ],
)
def test_messages_follow_accept_language_and_codes_do_not(method, path, status, code, sv, en):
    answers = {
        language: getattr(APIClient(HTTP_ACCEPT_LANGUAGE=language), method)(path)
        for language in ("sv", "en")
    }

    for language, message in (("sv", sv), ("en", en)):
        assert_error(answers[language], status, error(code, message))
        assert answers[language]["Content-Language"] == language


def test_swedish_is_the_default_language():
    response = APIClient().delete(DETAIL)

    assert response.json()["message"] == 'Metoden "DELETE" tillåts inte.'


@pytest.mark.parametrize("path", [LIST, "/admin/login/"])
def test_a_nul_byte_in_the_session_cookie_is_no_session_not_a_500(path):
    client = APIClient()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/notifications/preferences/", "/api/v1/municipalities/", "/api/v1/me/"]
)
def test_options_names_the_endpoint_without_looking_up_an_object(user_client_en, path):
    """OPTIONS answers what the endpoint is and which formats it speaks; the schema at
    /api/schema/ describes its fields, so OPTIONS neither repeats them nor fetches objects."""
    response = user_client_en.options(path)

    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}
