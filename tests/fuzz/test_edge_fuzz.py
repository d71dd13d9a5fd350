"""Fuzzing the API's edge: whatever bytes arrive in the path, the query string, the headers
or the body, the answer is never a 500, and every 4xx under /api/ has the one error shape.

CI runs a few hundred examples; ``make fuzz`` runs thousands (``FUZZ_EXAMPLES``).
"""

import json
import os
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # CI: the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]

raw = st.binary(max_size=40)
query = st.lists(st.tuples(raw, raw), max_size=6).map(
    lambda pairs: "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs)
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
paths = st.sampled_from(
    ["/api/v1/municipalities/", "/api/v1/municipalities/{}/", "/api/v1/test-probe/"]
)
methods = st.sampled_from(["get", "post", "put", "patch", "delete", "options", "head"])


def check(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if (
        400 <= response.status_code < 500
        and response.content  # HEAD answers carry no body
        and response.get("Content-Type", "").startswith("application/json")
    ):
        body = response.json()
        assert set(body) >= {"code", "message", "fields"}, body
        assert isinstance(body["code"], str)
        assert body["code"]


@pytest.fixture
def clients():
    signed_in = APIClient(raise_request_exception=False)
    signed_in.force_login(UserFactory.create())
    return [APIClient(raise_request_exception=False), signed_in]


@FUZZ
@given(
    method=methods,
    path=paths,
    segment=raw,
    qs=query,
    body=json_values,
    who=st.integers(0, 1),
    language=st.sampled_from(["sv", "en", "de", "", "sv;q=x", "\x00"]),
)
def test_structured_input_never_breaks_the_api(
    clients, method, path, segment, qs, body, who, language
):
    url = path.format(quote_from_bytes(segment, safe="")) + (f"?{qs}" if qs else "")
    response = clients[who].generic(
        method.upper(),
        url,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    check(response)


@FUZZ
@given(
    method=st.sampled_from(["post", "put", "patch"]),
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "",
        ]
    ),
    key=st.text(max_size=300),
    # What a real server can hand over: header bytes read as latin-1; and Django's cookie
    # parser unescapes quoted octals like "\\000" into real characters.
    session=st.one_of(
        st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
        st.binary(max_size=12).map(lambda b: '"' + "".join(f"\\{c:03o}" for c in b) + '"'),
    ),
)
def test_raw_bodies_and_headers_never_break_the_api(
    clients, method, body, content_type, key, session
):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key.isascii() and "\n" not in key else {}
    headers["HTTP_COOKIE"] = f"sessionid={session}"
    headers["HTTP_X_SESSION_TOKEN"] = session.strip('"')
    response = clients[1].generic(
        method.upper(), "/api/v1/test-probe/", data=body, content_type=content_type, **headers
    )
    check(response)
