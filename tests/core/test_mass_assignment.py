"""Mass assignment, swept over every operation that takes a body: its input serializer
refuses what the client may not set (a 400 naming the field, never silently dropped), and no
writable field is one that must come from the server (owners, states, balances, staff and
verification flags, roles), except where a reason below says why that operation sets it."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import build_mock_request
from rest_framework import serializers

from smartplatform.core.serializers import StrictInputSerializer

# Names that, writable, would let a client set what only the server decides.
SERVER_SIDE = {
    "owner",
    "user",
    "author",
    "state",
    "status",
    "balance",
    "held",
    "is_staff",
    "is_superuser",
    "is_active",
    "verified",
    "is_verified",
    "role",
    "is_coordinator",
    "created_by",
}
# (operation, field): why a client sets it there.
ALLOWED = {
    ("POST /api/v1/blocks/", "user"): "the person one blocks; the blocker is the caller",
    ("POST /api/v1/catalogue/projects/", "owner"): "the editor picks which of the "
    "organisations they edit for owns the project; the service checks they edit for it",
    ("PATCH /api/v1/catalogue/projects/{slug}/", "owner"): "the same serializer; an edit "
    "naming an owner is refused with a 403 (catalogue/views.py)",
    ("POST /api/v1/catalogue/projects/", "status"): "the project's own progress (planned, "
    "ongoing, finished), not its publication, which has its own actions",
    ("PATCH /api/v1/catalogue/projects/{slug}/", "status"): "the same, on an edit",
    ("POST /api/v1/catalogue/contact-requests/{id}/status/", "status"): "the recipient "
    "answers the request by setting its status; only the recipient reaches it",
    ("POST /api/v1/organisations/{slug}/invitations/", "role"): "an organisation's admins "
    "invite with a role; only admins reach it",
    ("PATCH /api/v1/organisations/{slug}/members/{user_id}/", "role"): "an organisation's "
    "admins change members' roles; only admins reach it, and never the last admin away",
    ("PATCH /api/v1/organisations/{slug}/members/{user_id}/", "is_coordinator"): "admins "
    "name the coordinators who act for assisted residents",
}


def request_bodies() -> list[tuple[str, Any]]:
    """Every operation with a body, and its input serializer (None for file uploads)."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.request = build_mock_request(method, path, view, None)
        view.schema.method, view.schema.path, view.schema.path_regex = method, path, path_regex
        body = view.schema.get_request_serializer()
        if body is None:
            continue  # an action without a body
        if isinstance(body, dict):
            found.append((f"{method} {path}", None))  # multipart: a file, checked by content
            continue
        instance = body() if isinstance(body, type) else body
        if isinstance(instance, serializers.ListSerializer):
            instance = instance.child
        found.append((f"{method} {path}", instance))
    return found


@pytest.fixture(scope="module")
def bodies(django_db_setup: Any, django_db_blocker: Any) -> list[tuple[str, Any]]:
    with django_db_blocker.unblock():
        return request_bodies()


def test_the_sweep_sees_the_api(bodies: list[tuple[str, Any]]) -> None:
    operations = {operation for operation, _ in bodies}
    assert len(bodies) > 40
    assert "POST /api/v1/listings/" in operations
    assert "PATCH /api/v1/me/" in operations


def test_every_input_refuses_fields_it_does_not_take(bodies: list[tuple[str, Any]]) -> None:
    lenient = [
        f"{operation} ({type(body).__name__})"
        for operation, body in bodies
        if body is not None and not isinstance(body, StrictInputSerializer)
    ]
    assert lenient == []


def test_no_input_lets_a_client_set_what_the_server_decides(
    bodies: list[tuple[str, Any]],
) -> None:
    settable = [
        (operation, name)
        for operation, body in bodies
        if body is not None
        for name, field in body.fields.items()
        if not field.read_only and name in SERVER_SIDE and (operation, name) not in ALLOWED
    ]
    assert settable == []


def test_every_allowance_still_names_a_writable_field(bodies: list[tuple[str, Any]]) -> None:
    writable = {
        (operation, name)
        for operation, body in bodies
        if body is not None
        for name, field in body.fields.items()
        if not field.read_only
    }
    assert set(ALLOWED) <= writable
