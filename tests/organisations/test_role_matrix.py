"""The organisation role matrix: who may call each organisation endpoint, and what happens.

Actors, all relative to one fresh association:

- ``anonymous``: not signed in;
- ``outsider``: a verified user who is not a member;
- ``member``, ``editor``, ``admin``: verified users with that role;
- ``superuser``: a verified superuser who is not a member (superusers may do everything).

Every refusal is checked for the API's one error shape ``{code, message, fields}``.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from smartplatform.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from tests.factories import SuperuserFactory, UserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db

API = "/api/v1/organisations/"
ACTORS = ("anonymous", "outsider", "member", "editor", "admin", "superuser")
REFUSAL_CODES = {401: "not_authenticated", 403: "permission_denied"}


# --------------------------------------------------------------------------------------------
# Helpers and fixtures
# --------------------------------------------------------------------------------------------


def assert_error(
    response: Any, status: int, code: str, fields: set[str] | None = None
) -> dict[str, Any]:
    """A 4xx in the one error shape; ``fields`` names the fields a 400 must name."""
    assert response.status_code == status, response.content
    if status == 401:
        # "Who are you?" is a challenge, distinct from "you may not" (403).
        assert response.headers.get("WWW-Authenticate")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    if fields is None:
        assert body["fields"] == {}, body
    else:
        assert set(body["fields"]) == fields, body
        for messages in body["fields"].values():
            assert isinstance(messages, list)
            assert messages
    return body


def assert_status(response: Any, status: int) -> None:
    """The expected status; a 401/403 refusal must also have the error shape and code."""
    if status in REFUSAL_CODES:
        assert_error(response, status, REFUSAL_CODES[status])
    else:
        assert response.status_code == status, response.content


def assert_paginated(body: dict[str, Any]) -> None:
    assert set(body) == {"count", "next", "previous", "results"}, body
    assert isinstance(body["results"], list)


@pytest.fixture
def org(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Cykelköket Helsingborg",
        slug="cykelkoket-helsingborg",
        kind="association",
        description="We fix bikes.",
    )


@pytest.fixture
def people(org: Organisation) -> dict[str, Any]:
    people: dict[str, Any] = {
        "anonymous": None,
        "outsider": verified_user(),
        "member": verified_user(),
        "editor": verified_user(),
        "admin": verified_user(),
        "superuser": verified_user(SuperuserFactory),
    }
    for role in ("member", "editor", "admin"):
        Membership.objects.create(organisation=org, user=people[role], role=role)
    return people


@pytest.fixture
def as_(people: dict[str, Any]) -> Callable[[str], APIClient]:
    """``as_("editor")``: a client signed in as that actor (``"anonymous"``: not signed in)."""
    return lambda actor: client_for(people[actor])


@pytest.fixture
def second_admin(org: Organisation) -> Any:
    user = verified_user()
    Membership.objects.create(organisation=org, user=user, role="admin")
    return user


@pytest.fixture
def requester(org: Organisation) -> Any:
    return verified_user()


@pytest.fixture
def join_request(org: Organisation, requester: Any) -> JoinRequest:
    return JoinRequest.objects.create(organisation=org, user=requester, message="Let me in")


@pytest.fixture
def invitation(org: Organisation, people: dict[str, Any]) -> Invitation:
    return Invitation.objects.create(
        organisation=org,
        email="invited@example.se",
        role="member",
        code_hash=hashlib.sha256(b"fixture-code").hexdigest(),
        invited_by=people["admin"],
        expires_at=timezone.now() + timedelta(days=14),
    )


@pytest.fixture
def other_org(db: None) -> Organisation:
    """Another association, with an admin of its own (who is nobody in ``org``)."""
    other = Organisation.objects.create(
        name="Båstads Schackklubb", slug="bastads-schackklubb", kind="association"
    )
    Membership.objects.create(organisation=other, user=verified_user(), role="admin")
    return other


def url(org: Organisation | str, rest: str = "") -> str:
    slug = org if isinstance(org, str) else org.slug
    return f"{API}{slug}/{rest}"


def snapshot(org: Organisation) -> dict[str, Any]:
    org.refresh_from_db()
    return {
        field: getattr(org, field)
        for field in (
            "name",
            "slug",
            "kind",
            "municipality_id",
            "description",
            "website",
            "contact_email",
            "is_verified",
        )
    }


# --------------------------------------------------------------------------------------------
# GET organisations/ and organisations/{slug}/
# --------------------------------------------------------------------------------------------

MY_ROLE = {
    "anonymous": None,
    "outsider": None,
    "member": "member",
    "editor": "editor",
    "admin": "admin",
    "superuser": None,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_reads_the_directory_and_each_organisation(as_, org, actor):
    client = as_(actor)

    listing = client.get(API)
    assert listing.status_code == 200, listing.content
    assert_paginated(listing.json())
    assert org.slug in {o["slug"] for o in listing.json()["results"]}

    detail = client.get(url(org))
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["slug"] == org.slug
    assert body["kind"] == "association"
    assert body["member_count"] == 3
    assert body["my_role"] == MY_ROLE[actor]


def test_a_municipal_organisation_is_in_the_directory(api_client):
    response = api_client.get(url("helsingborg"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Helsingborgs stad"
    assert body["kind"] == "municipality"
    assert body["is_verified"] is True
    assert body["municipality"] == "1283"


# --------------------------------------------------------------------------------------------
# POST organisations/
# --------------------------------------------------------------------------------------------

CREATE = {
    "anonymous": 401,
    "outsider": 201,
    "member": 201,
    "editor": 201,
    "admin": 201,
    "superuser": 201,
}


@pytest.mark.parametrize(("actor", "expected"), CREATE.items())
def test_creating_an_organisation(as_, people, actor, expected):
    before = Organisation.objects.count()

    response = as_(actor).post(
        API,
        {
            "name": "Ängelholms Bokcirkel",
            "kind": "other",
            "description": "Books.",
            "website": "https://bokcirkel.example.se",
            "contact_email": "hej@bokcirkel.example.se",
        },
    )

    assert_status(response, expected)
    if expected != 201:
        assert Organisation.objects.count() == before
        return
    body = response.json()
    assert body["name"] == "Ängelholms Bokcirkel"
    assert body["kind"] == "other"
    assert body["my_role"] == "admin"
    assert body["member_count"] == 1
    assert body["is_verified"] is False
    membership = Membership.objects.get(organisation__slug=body["slug"])
    assert membership.user == people[actor]
    assert membership.role == "admin"


@pytest.mark.parametrize("email_verified", [None, False], ids=["no-address", "unverified"])
def test_a_user_without_a_verified_email_cannot_create_an_organisation(email_verified):
    user = UserFactory.create()
    if email_verified is not None:
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    before = Organisation.objects.count()

    response = client_for(user).post(API, {"name": "Klubben", "kind": "association"})

    assert_error(response, 403, "permission_denied")
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("kind", ["municipality", "region"])
def test_a_resident_cannot_create_a_municipality_or_region(as_, kind):
    before = Organisation.objects.count()

    response = as_("outsider").post(API, {"name": "Nya kommunen", "kind": kind})

    assert_error(response, 400, "invalid", {"kind"})
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(
    "extra",
    [
        {"is_verified": True},
        {"slug": "chosen-slug"},
        {"municipality": "1283"},
        {"member_count": 100},
        {"my_role": "admin"},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_creating_refuses_fields_a_resident_may_not_set(as_, extra):
    before = Organisation.objects.count()

    response = as_("outsider").post(API, {"name": "Klubben", "kind": "association", **extra})

    assert_error(response, 400, "invalid", set(extra))
    assert Organisation.objects.count() == before


# --------------------------------------------------------------------------------------------
# PATCH organisations/{slug}/
# --------------------------------------------------------------------------------------------

UPDATE = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 200,
    "admin": 200,
    "superuser": 200,
}


@pytest.mark.parametrize(("actor", "expected"), UPDATE.items())
def test_updating_an_organisation(as_, org, actor, expected):
    response = as_(actor).patch(url(org), {"description": "  Now we also fix prams.  "})

    assert_status(response, expected)
    org.refresh_from_db()
    if expected == 200:
        assert response.json()["description"] == "Now we also fix prams."
        assert response.json()["my_role"] == MY_ROLE[actor]
        assert org.description == "Now we also fix prams."
    else:
        assert org.description == "We fix bikes."


FORBIDDEN_ORG_FIELDS = {
    "is_verified": True,
    "kind": "company",
    "slug": "taken-over",
    "municipality": "1283",
    "member_count": 99,
    "my_role": "admin",
}


@pytest.mark.parametrize("actor", ["editor", "admin"])
@pytest.mark.parametrize("field", FORBIDDEN_ORG_FIELDS)
def test_editors_and_admins_cannot_mass_assign(as_, org, actor, field):
    before = snapshot(org)

    response = as_(actor).patch(
        url(org), {"description": "Changed", field: FORBIDDEN_ORG_FIELDS[field]}
    )

    assert_error(response, 400, "invalid", {field})
    assert snapshot(org) == before


@pytest.mark.parametrize("actor", ["editor", "admin"])
def test_every_refused_field_is_named_at_once(as_, org, actor):
    before = snapshot(org)

    response = as_(actor).patch(url(org), {"description": "Changed", **FORBIDDEN_ORG_FIELDS})

    assert_error(response, 400, "invalid", set(FORBIDDEN_ORG_FIELDS))
    assert snapshot(org) == before


def test_staff_verify_an_organisation(as_, org, people, events):
    response = as_("superuser").patch(url(org), {"is_verified": True})

    assert response.status_code == 200, response.content
    assert response.json()["is_verified"] is True
    org.refresh_from_db()
    assert org.is_verified is True
    assert events.of_type("organisation.verified") == [
        {"organisation": org.pk, "by": people["superuser"].pk}
    ]


@pytest.mark.parametrize("field", ["kind", "slug", "municipality", "member_count", "my_role"])
def test_staff_cannot_set_the_kind_or_slug(as_, org, field):
    before = snapshot(org)

    response = as_("superuser").patch(
        url(org), {"is_verified": True, field: FORBIDDEN_ORG_FIELDS[field]}
    )

    assert_error(response, 400, "invalid", {field})
    assert snapshot(org) == before


def test_no_one_deletes_or_replaces_an_organisation(as_, org):
    staff = as_("superuser")

    assert_error(staff.delete(url(org)), 405, "method_not_allowed")
    assert_error(staff.put(url(org), {"description": "x"}), 405, "method_not_allowed")
    assert Organisation.objects.filter(pk=org.pk).exists()


# --------------------------------------------------------------------------------------------
# GET organisations/{slug}/members/
# --------------------------------------------------------------------------------------------

SEE_MEMBERS = {
    "anonymous": 401,
    "outsider": 403,
    "member": 200,
    "editor": 200,
    "admin": 200,
    "superuser": 200,
}


@pytest.mark.parametrize(("actor", "expected"), SEE_MEMBERS.items())
def test_the_member_list(as_, org, people, actor, expected):
    response = as_(actor).get(url(org, "members/"))

    assert_status(response, expected)
    if expected != 200:
        return
    body = response.json()
    assert_paginated(body)
    assert body["count"] == 3
    for item in body["results"]:
        assert set(item) == {"user", "role", "is_coordinator", "created_at"}
        assert set(item["user"]) == {"id", "display_name"}
    roles = {item["user"]["id"]: item["role"] for item in body["results"]}
    assert roles == {people[role].pk: role for role in ("member", "editor", "admin")}


def test_the_member_list_shows_no_email_addresses(as_, org, people):
    nameless = verified_user(display_name="")
    Membership.objects.create(organisation=org, user=nameless, role="member")

    response = as_("member").get(url(org, "members/"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "@" not in text
    for user in (nameless, people["member"], people["editor"], people["admin"]):
        assert user.email not in text


# --------------------------------------------------------------------------------------------
# PATCH and DELETE organisations/{slug}/members/{user_id}/
# --------------------------------------------------------------------------------------------

MANAGE_MEMBERS_PATCH = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 200,
    "superuser": 200,
}


@pytest.mark.parametrize(("actor", "expected"), MANAGE_MEMBERS_PATCH.items())
def test_changing_a_members_role(as_, org, people, actor, expected):
    target = people["member"]

    response = as_(actor).patch(url(org, f"members/{target.pk}/"), {"role": "editor"})

    assert_status(response, expected)
    role = Membership.objects.get(organisation=org, user=target).role
    if expected == 200:
        body = response.json()
        assert set(body) == {"user", "role", "is_coordinator", "created_at"}
        assert body["user"] == {"id": target.pk, "display_name": target.display_name}
        assert body["role"] == "editor"
        assert role == "editor"
    else:
        assert role == "member"


def test_changing_a_role_refuses_other_fields(as_, org, people):
    target = people["member"]

    response = as_("admin").patch(
        url(org, f"members/{target.pk}/"), {"role": "admin", "user": people["outsider"].pk}
    )

    assert_error(response, 400, "invalid", {"user"})
    assert Membership.objects.get(organisation=org, user=target).role == "member"
    assert not Membership.objects.filter(organisation=org, user=people["outsider"]).exists()


def test_changing_a_role_to_an_unknown_role_is_refused(as_, org, people):
    target = people["member"]

    response = as_("admin").patch(url(org, f"members/{target.pk}/"), {"role": "owner"})

    assert_error(response, 400, "invalid", {"role"})
    assert Membership.objects.get(organisation=org, user=target).role == "member"


@pytest.mark.parametrize("actor", ["admin", "superuser"])
def test_the_sole_admin_cannot_be_demoted(as_, org, people, actor):
    admin = people["admin"]

    response = as_(actor).patch(url(org, f"members/{admin.pk}/"), {"role": "member"})

    assert_error(response, 409, "sole_admin")
    assert Membership.objects.get(organisation=org, user=admin).role == "admin"


def test_an_admin_steps_down_when_there_is_another_admin(as_, org, people, second_admin):
    admin = people["admin"]

    response = as_("admin").patch(url(org, f"members/{admin.pk}/"), {"role": "editor"})

    assert response.status_code == 200, response.content
    assert Membership.objects.get(organisation=org, user=admin).role == "editor"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_managing_a_non_member_is_404_not_a_member(as_, org, people, method):
    outsider = people["outsider"]

    response = getattr(as_("admin"), method)(
        url(org, f"members/{outsider.pk}/"), {"role": "editor"}
    )

    assert_error(response, 404, "not_a_member")
    assert not Membership.objects.filter(organisation=org, user=outsider).exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
@pytest.mark.parametrize("user_id", ["999999", "99999999999999999999999"])
def test_managing_an_unknown_user_is_404(as_, org, method, user_id):
    response = getattr(as_("admin"), method)(url(org, f"members/{user_id}/"), {"role": "editor"})

    assert_error(response, 404, "not_found")


MANAGE_MEMBERS_DELETE = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 204,
    "superuser": 204,
}


@pytest.mark.parametrize(("actor", "expected"), MANAGE_MEMBERS_DELETE.items())
def test_removing_a_member(as_, org, people, actor, expected):
    target = people["member"]

    response = as_(actor).delete(url(org, f"members/{target.pk}/"))

    assert_status(response, expected)
    still_member = Membership.objects.filter(organisation=org, user=target).exists()
    assert still_member is (expected != 204)


@pytest.mark.parametrize("actor", ["admin", "superuser"])
def test_the_sole_admin_cannot_be_removed(as_, org, people, actor):
    admin = people["admin"]

    response = as_(actor).delete(url(org, f"members/{admin.pk}/"))

    assert_error(response, 409, "sole_admin")
    assert Membership.objects.filter(organisation=org, user=admin, role="admin").exists()


def test_an_admin_is_removed_when_there_is_another_admin(as_, org, second_admin):
    response = as_("admin").delete(url(org, f"members/{second_admin.pk}/"))

    assert response.status_code == 204
    assert not Membership.objects.filter(organisation=org, user=second_admin).exists()


# --------------------------------------------------------------------------------------------
# POST organisations/{slug}/leave/
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["member", "editor"])
def test_a_member_or_editor_leaves(as_, org, people, actor):
    response = as_(actor).post(url(org, "leave/"))

    assert response.status_code == 204, response.content
    assert not Membership.objects.filter(organisation=org, user=people[actor]).exists()


def test_the_sole_admin_cannot_leave(as_, org, people):
    response = as_("admin").post(url(org, "leave/"))

    assert_error(response, 409, "sole_admin")
    assert Membership.objects.filter(organisation=org, user=people["admin"]).exists()


def test_an_admin_leaves_when_there_is_another_admin(as_, org, people, second_admin):
    response = as_("admin").post(url(org, "leave/"))

    assert response.status_code == 204
    assert not Membership.objects.filter(organisation=org, user=people["admin"]).exists()


@pytest.mark.parametrize("actor", ["outsider", "superuser"])
def test_a_non_member_cannot_leave(as_, actor):
    org_url = url("cykelkoket-helsingborg", "leave/")

    assert_error(as_(actor).post(org_url), 404, "not_a_member")


def test_leaving_needs_a_sign_in(as_, org):
    assert_error(as_("anonymous").post(url(org, "leave/")), 401, "not_authenticated")
    assert Membership.objects.filter(organisation=org).count() == 3


# --------------------------------------------------------------------------------------------
# GET and POST organisations/{slug}/join-requests/
# --------------------------------------------------------------------------------------------

SEE_JOIN_REQUESTS = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 200,
    "superuser": 200,
}


@pytest.mark.parametrize(("actor", "expected"), SEE_JOIN_REQUESTS.items())
def test_the_join_request_list(as_, org, join_request, requester, actor, expected):
    response = as_(actor).get(url(org, "join-requests/"))

    assert_status(response, expected)
    if expected != 200:
        return
    body = response.json()
    assert_paginated(body)
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == join_request.pk
    assert item["status"] == "pending"
    assert item["user"] == {"id": requester.pk, "display_name": requester.display_name}
    assert requester.email not in response.content.decode()


ASK_TO_JOIN = {
    "anonymous": (401, "not_authenticated"),
    "outsider": (201, None),
    "member": (409, "already_member"),
    "editor": (409, "already_member"),
    "admin": (409, "already_member"),
    "superuser": (201, None),
}


@pytest.mark.parametrize(("actor", "expected"), ASK_TO_JOIN.items())
def test_asking_to_join(as_, org, people, actor, expected):
    status, code = expected

    response = as_(actor).post(url(org, "join-requests/"), {"message": "  Hello!  "})

    if code is not None:
        assert_error(response, status, code)
        assert not JoinRequest.objects.filter(organisation=org).exists()
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["message"] == "Hello!"
    assert body["user"]["id"] == people[actor].pk
    assert body["decided_by"] is None
    assert JoinRequest.objects.get(pk=body["id"]).user == people[actor]


def test_asking_twice_is_409_join_request_pending(as_, org):
    client = as_("outsider")
    assert client.post(url(org, "join-requests/"), {"message": "First"}).status_code == 201

    response = client.post(url(org, "join-requests/"), {"message": "Second"})

    assert_error(response, 409, "join_request_pending")
    assert JoinRequest.objects.filter(organisation=org).count() == 1


def test_an_unverified_user_cannot_ask_to_join(org):
    response = client_for(UserFactory.create()).post(url(org, "join-requests/"), {})

    assert_error(response, 403, "permission_denied")
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"status": "approved"}, {"user": 1}, {"decided_by": 1}],
    ids=lambda extra: next(iter(extra)),
)
def test_asking_to_join_refuses_fields_the_asker_may_not_set(as_, org, extra):
    response = as_("outsider").post(url(org, "join-requests/"), {"message": "Hi", **extra})

    assert_error(response, 400, "invalid", set(extra))
    assert not JoinRequest.objects.exists()
    assert Membership.objects.filter(organisation=org).count() == 3


# --------------------------------------------------------------------------------------------
# POST organisations/{slug}/join-requests/{id}/approve|decline|withdraw/
# --------------------------------------------------------------------------------------------

DECIDE = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "requester": 403,
    "admin": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("decision", ["approve", "decline"])
@pytest.mark.parametrize(("actor", "expected"), DECIDE.items())
def test_deciding_a_join_request(people, org, join_request, requester, decision, actor, expected):
    user = requester if actor == "requester" else people[actor]

    response = client_for(user).post(url(org, f"join-requests/{join_request.pk}/{decision}/"))

    assert_status(response, expected)
    join_request.refresh_from_db()
    membership = Membership.objects.filter(organisation=org, user=requester).first()
    if expected != 200:
        assert join_request.status == "pending"
        assert membership is None
        return
    body = response.json()
    assert body["decided_by"]["id"] == user.pk
    assert body["decided_at"] is not None
    if decision == "approve":
        assert body["status"] == join_request.status == "approved"
        assert membership is not None
        assert membership.role == "member"
    else:
        assert body["status"] == join_request.status == "declined"
        assert membership is None


@pytest.mark.parametrize("first", ["approve", "decline", "withdraw"])
@pytest.mark.parametrize("second", ["approve", "decline"])
def test_a_join_request_is_decided_once(as_, org, join_request, requester, first, second):
    decider = client_for(requester) if first == "withdraw" else as_("admin")
    path = url(org, f"join-requests/{join_request.pk}/")
    assert decider.post(f"{path}{first}/").status_code == 200
    status_after_first = JoinRequest.objects.get(pk=join_request.pk).status

    response = as_("admin").post(f"{path}{second}/")

    assert_error(response, 409, "join_request_not_pending")
    assert JoinRequest.objects.get(pk=join_request.pk).status == status_after_first


WITHDRAW = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 403,
    "superuser": 403,
    "requester": 200,
}


@pytest.mark.parametrize(("actor", "expected"), WITHDRAW.items())
def test_withdrawing_a_join_request(people, org, join_request, requester, actor, expected):
    user = requester if actor == "requester" else people[actor]

    response = client_for(user).post(url(org, f"join-requests/{join_request.pk}/withdraw/"))

    assert_status(response, expected)
    join_request.refresh_from_db()
    if expected == 200:
        assert response.json()["status"] == join_request.status == "withdrawn"
    else:
        assert join_request.status == "pending"


def test_withdrawing_twice_is_409(org, join_request, requester):
    client = client_for(requester)
    path = url(org, f"join-requests/{join_request.pk}/withdraw/")
    assert client.post(path).status_code == 200

    assert_error(client.post(path), 409, "join_request_not_pending")


@pytest.mark.parametrize("decision", ["approve", "decline", "withdraw"])
@pytest.mark.parametrize("request_id", ["999999", "99999999999999999999999"])
def test_an_unknown_join_request_is_404(as_, org, decision, request_id):
    response = as_("admin").post(url(org, f"join-requests/{request_id}/{decision}/"))

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_an_admin_cannot_decide_another_organisations_join_request(as_, org, other_org, decision):
    asker = verified_user()
    foreign = JoinRequest.objects.create(organisation=other_org, user=asker)

    response = as_("admin").post(url(org, f"join-requests/{foreign.pk}/{decision}/"))

    assert_error(response, 404, "not_found")
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    assert not Membership.objects.filter(user=asker).exists()


# --------------------------------------------------------------------------------------------
# GET and POST organisations/{slug}/invitations/, DELETE .../invitations/{id}/
# --------------------------------------------------------------------------------------------

SEE_INVITATIONS = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 200,
    "superuser": 200,
}
INVITATION_KEYS = {
    "id",
    "email",
    "role",
    "status",
    "invited_by",
    "created_at",
    "expires_at",
    "answered_at",
}


@pytest.mark.parametrize(("actor", "expected"), SEE_INVITATIONS.items())
def test_the_invitation_list(as_, org, invitation, actor, expected):
    response = as_(actor).get(url(org, "invitations/"))

    assert_status(response, expected)
    if expected != 200:
        return
    body = response.json()
    assert_paginated(body)
    assert body["count"] == 1
    assert set(body["results"][0]) == INVITATION_KEYS
    assert body["results"][0]["id"] == invitation.pk
    assert invitation.code_hash not in response.content.decode()


INVITE = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 201,
    "superuser": 201,
}


@pytest.mark.parametrize(("actor", "expected"), INVITE.items())
def test_inviting_someone(as_, org, people, actor, expected, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_(actor).post(
            url(org, "invitations/"), {"email": "  New.Person@Example.se ", "role": "editor"}
        )

    assert_status(response, expected)
    if expected != 201:
        assert not Invitation.objects.exists()
        assert mail.outbox == []
        return
    body = response.json()
    assert set(body) == INVITATION_KEYS
    assert "code" not in body
    assert "code_hash" not in body
    assert body["email"] == "new.person@example.se"
    assert body["role"] == "editor"
    assert body["status"] == "pending"
    assert body["invited_by"]["id"] == people[actor].pk
    invitation = Invitation.objects.get(pk=body["id"])
    # The code is in the email alone: neither it nor its hash is in the answer.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.se"]
    codes = [
        line.strip()
        for line in mail.outbox[0].body.splitlines()
        if hashlib.sha256(line.strip().encode()).hexdigest() == invitation.code_hash
    ]
    assert len(codes) == 1
    text = response.content.decode()
    assert codes[0] not in text
    assert invitation.code_hash not in text


def test_inviting_a_member_is_409_already_member(as_, org, people):
    response = as_("admin").post(
        url(org, "invitations/"), {"email": people["editor"].email.upper(), "role": "admin"}
    )

    assert_error(response, 409, "already_member")
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("again", ["invited@example.se", "INVITED@Example.SE"])
def test_a_second_pending_invitation_is_409(as_, org, invitation, again):
    response = as_("admin").post(url(org, "invitations/"), {"email": again, "role": "member"})

    assert_error(response, 409, "invitation_pending")
    assert Invitation.objects.count() == 1


def test_pending_invitations_are_one_per_address_whatever_its_case(as_, org):
    admin = as_("admin")
    first = admin.post(url(org, "invitations/"), {"email": "Kim.Berg@Example.se"})
    assert first.status_code == 201, first.content

    response = admin.post(url(org, "invitations/"), {"email": "kim.berg@EXAMPLE.SE"})

    assert_error(response, 409, "invitation_pending")
    assert Invitation.objects.filter(organisation=org).count() == 1


def test_a_revoked_invitation_can_be_sent_again(as_, org, invitation):
    admin = as_("admin")
    assert admin.delete(url(org, f"invitations/{invitation.pk}/")).status_code == 204

    response = admin.post(url(org, "invitations/"), {"email": invitation.email})

    assert response.status_code == 201, response.content
    assert response.json()["role"] == "member"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"email": "x@example.se", "role": "owner"}, "role"),
        ({"email": "not-an-address", "role": "member"}, "email"),
        ({"email": "x@example.se", "role": "member", "status": "accepted"}, "status"),
        ({"email": "x@example.se", "role": "member", "code_hash": "0" * 64}, "code_hash"),
        ({"email": "x@example.se", "role": "member", "organisation": 1}, "organisation"),
    ],
    ids=["bad-role", "bad-email", "status", "code_hash", "organisation"],
)
def test_inviting_refuses_invalid_input(as_, org, data, named):
    response = as_("admin").post(url(org, "invitations/"), data)

    assert_error(response, 400, "invalid", {named})
    assert not Invitation.objects.exists()


REVOKE = {
    "anonymous": 401,
    "outsider": 403,
    "member": 403,
    "editor": 403,
    "admin": 204,
    "superuser": 204,
}


@pytest.mark.parametrize(("actor", "expected"), REVOKE.items())
def test_revoking_an_invitation(as_, org, invitation, actor, expected):
    response = as_(actor).delete(url(org, f"invitations/{invitation.pk}/"))

    assert_status(response, expected)
    invitation.refresh_from_db()
    assert invitation.status == ("revoked" if expected == 204 else "pending")


def test_revoking_twice_is_409(as_, org, invitation):
    admin = as_("admin")
    assert admin.delete(url(org, f"invitations/{invitation.pk}/")).status_code == 204

    response = admin.delete(url(org, f"invitations/{invitation.pk}/"))

    assert_error(response, 409, "invitation_not_pending")


@pytest.mark.parametrize("invitation_id", ["999999", "99999999999999999999999"])
def test_revoking_an_unknown_invitation_is_404(as_, org, invitation_id):
    response = as_("admin").delete(url(org, f"invitations/{invitation_id}/"))

    assert_error(response, 404, "not_found")


def test_an_admin_cannot_revoke_another_organisations_invitation(as_, org, other_org, people):
    foreign = Invitation.objects.create(
        organisation=other_org,
        email="someone@example.se",
        code_hash=hashlib.sha256(b"foreign").hexdigest(),
        expires_at=timezone.now() + timedelta(days=1),
    )

    response = as_("admin").delete(url(org, f"invitations/{foreign.pk}/"))

    assert_error(response, 404, "not_found")
    foreign.refresh_from_db()
    assert foreign.status == "pending"


# --------------------------------------------------------------------------------------------
# Every endpoint: an unknown slug, and the admin of another organisation
# --------------------------------------------------------------------------------------------


def every_endpoint(
    slug: str, people: dict[str, Any], join_request: JoinRequest, invitation: Invitation
) -> list[tuple[str, str, dict[str, Any] | None]]:
    member_id = people["member"].pk
    return [
        ("get", url(slug), None),
        ("patch", url(slug), {"description": "x"}),
        ("get", url(slug, "members/"), None),
        ("patch", url(slug, f"members/{member_id}/"), {"role": "editor"}),
        ("delete", url(slug, f"members/{member_id}/"), None),
        ("post", url(slug, "leave/"), None),
        ("get", url(slug, "join-requests/"), None),
        ("post", url(slug, "join-requests/"), {"message": "Hi"}),
        ("post", url(slug, f"join-requests/{join_request.pk}/approve/"), None),
        ("post", url(slug, f"join-requests/{join_request.pk}/decline/"), None),
        ("post", url(slug, f"join-requests/{join_request.pk}/withdraw/"), None),
        ("get", url(slug, "invitations/"), None),
        ("post", url(slug, "invitations/"), {"email": "new@example.se", "role": "member"}),
        ("delete", url(slug, f"invitations/{invitation.pk}/"), None),
    ]


ENDPOINT_IDS = [
    "retrieve",
    "update",
    "members",
    "change-role",
    "remove-member",
    "leave",
    "join-requests",
    "ask-to-join",
    "approve",
    "decline",
    "withdraw",
    "invitations",
    "invite",
    "revoke",
]


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_an_unknown_slug_is_404_not_found(as_, people, join_request, invitation, index):
    # Staff may do everything, so nothing but the slug can stand in the way.
    slug = "no-such-organisation"
    method, path, data = every_endpoint(slug, people, join_request, invitation)[index]

    response = getattr(as_("superuser"), method)(path, data)

    assert_error(response, 404, "not_found")


# What the admin of another organisation gets here: nothing more than an outsider.
OTHER_ADMIN = {
    "retrieve": 200,
    "update": 403,
    "members": 403,
    "change-role": 403,
    "remove-member": 403,
    "leave": 404,
    "join-requests": 403,
    "ask-to-join": 201,
    "approve": 403,
    "decline": 403,
    "withdraw": 403,
    "invitations": 403,
    "invite": 403,
    "revoke": 403,
}


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_an_admin_of_another_organisation_is_an_outsider_here(
    org, people, join_request, invitation, other_org, index
):
    other_admin = Membership.objects.get(organisation=other_org).user
    method, path, data = every_endpoint(org.slug, people, join_request, invitation)[index]
    before = (
        snapshot(org),
        sorted(Membership.objects.filter(organisation=org).values_list("user_id", "role")),
        JoinRequest.objects.get(pk=join_request.pk).status,
        Invitation.objects.filter(organisation=org).count(),
    )

    response = getattr(client_for(other_admin), method)(path, data)

    expected = OTHER_ADMIN[ENDPOINT_IDS[index]]
    if expected == 404:
        assert_error(response, 404, "not_a_member")
    else:
        assert_status(response, expected)
    if expected in (403, 404):
        after = (
            snapshot(org),
            sorted(Membership.objects.filter(organisation=org).values_list("user_id", "role")),
            JoinRequest.objects.get(pk=join_request.pk).status,
            Invitation.objects.filter(organisation=org).count(),
        )
        assert after == before


# --------------------------------------------------------------------------------------------
# List endpoints cost a constant number of queries
# --------------------------------------------------------------------------------------------


def test_the_directory_costs_constant_queries(assert_constant_queries, org, people):
    viewer = people["member"]
    made = iter(range(1000))

    def make_rows(n: int) -> None:
        for _ in range(n):
            i = next(made)
            extra = Organisation.objects.create(
                name=f"Förening {i}", slug=f"forening-{i}", kind="association"
            )
            Membership.objects.create(
                organisation=extra, user=viewer, role=("member", "editor", "admin")[i % 3]
            )
            Membership.objects.create(organisation=extra, user=verified_user(), role="admin")

    assert_constant_queries(client_for(viewer), API, make_rows)


def test_the_member_list_costs_constant_queries(assert_constant_queries, org, people):
    def make_rows(n: int) -> None:
        for i in range(n):
            Membership.objects.create(
                organisation=org, user=verified_user(), role=("member", "editor")[i % 2]
            )

    assert_constant_queries(client_for(people["admin"]), url(org, "members/"), make_rows)


def test_the_join_request_list_costs_constant_queries(assert_constant_queries, org, people):
    def make_rows(n: int) -> None:
        for _ in range(n):
            JoinRequest.objects.create(organisation=org, user=verified_user(), message="Hi")

    assert_constant_queries(client_for(people["admin"]), url(org, "join-requests/"), make_rows)


def test_the_invitation_list_costs_constant_queries(assert_constant_queries, org, people):
    made = iter(range(1000))

    def make_rows(n: int) -> None:
        for _ in range(n):
            i = next(made)
            Invitation.objects.create(
                organisation=org,
                email=f"guest{i}@example.se",
                code_hash=hashlib.sha256(f"code-{i}".encode()).hexdigest(),
                invited_by=people["admin"],
                expires_at=timezone.now() + timedelta(days=14),
            )

    assert_constant_queries(client_for(people["admin"]), url(org, "invitations/"), make_rows)
