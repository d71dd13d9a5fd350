"""Assisted use (ombud): a coordinator registers a resident who has no email address, acts
for them with their consent, and the resident sees who acted; nobody else can."""

import re
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from smartplatform.accounts.models import User
from smartplatform.assistance.models import Act, Consent, LoginCode
from smartplatform.organisations.models import JoinRequest, Membership, Organisation
from tests.accounts.clients import PASSWORD, AuthClient
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db

CONSENT = "Jag vill att personalen på Träffpunkten hjälper mig med tjänsterna på Smart samhälle."


@pytest.fixture
def meeting_place() -> Organisation:
    return Organisation.objects.create(
        name="Träffpunkten Åstorp", slug="traffpunkten", kind="association", is_verified=True
    )


@pytest.fixture
def coordinator(meeting_place) -> User:
    user = verified_user(email="kerstin@traffpunkten.se", display_name="Kerstin")
    Membership.objects.create(
        organisation=meeting_place, user=user, role="member", is_coordinator=True
    )
    return user


def register(coordinator, organisation, **extra):
    return client_for(coordinator).post(
        f"/api/v1/organisations/{organisation.slug}/residents/",
        {
            "display_name": "Elsa",
            "home_municipality": "1277",
            "consent_statement": CONSENT,
            **extra,
        },
        format="json",
    )


def test_an_admin_makes_a_member_a_coordinator(meeting_place):
    admin = verified_user(email="admin@traffpunkten.se")
    member = verified_user(email="member@traffpunkten.se")
    Membership.objects.create(organisation=meeting_place, user=admin, role="admin")
    Membership.objects.create(organisation=meeting_place, user=member, role="member")
    url = f"/api/v1/organisations/{meeting_place.slug}/members/{member.pk}/"

    by_member = client_for(member).patch(url, {"is_coordinator": True}, format="json")
    by_admin = client_for(admin).patch(url, {"is_coordinator": True}, format="json")

    assert by_member.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["is_coordinator"] is True
    assert by_admin.json()["role"] == "member"


def test_a_coordinator_registers_a_resident_without_email(coordinator, meeting_place, events):
    response = register(coordinator, meeting_place)

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body["login_code"])
    resident = User.objects.get(pk=body["resident"]["id"])
    assert body["resident"] == {
        "id": resident.pk,
        "display_name": "Elsa",
        "home_municipality": "1277",
        "preferred_language": "sv",
        "phone": "",
        "has_own_login": False,
    }
    assert not resident.has_usable_password()
    assert resident.managed_by == meeting_place
    consent = Consent.objects.get(resident=resident)
    assert (consent.statement, consent.recorded_by) == (CONSENT, coordinator)
    assert LoginCode.objects.get(resident=resident).code_hash != body["login_code"]
    assert events.types() == ["assistance.resident_registered"]


@pytest.mark.parametrize("who", ["member", "other_coordinator", "admin_not_coordinator"])
def test_only_the_organisations_coordinators_register_residents(meeting_place, who):
    user = verified_user(email=f"{who}@example.se")
    if who == "member":
        Membership.objects.create(organisation=meeting_place, user=user, role="editor")
    elif who == "admin_not_coordinator":
        Membership.objects.create(organisation=meeting_place, user=user, role="admin")
    else:
        other = Organisation.objects.create(
            name="Tidsbanken", slug="tidsbanken", kind="other", is_verified=True
        )
        Membership.objects.create(organisation=other, user=user, is_coordinator=True)

    response = register(user, meeting_place)

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_coordinator"
    assert not User.objects.filter(display_name="Elsa").exists()


def on_behalf(resident: User) -> dict[str, Any]:
    return {"HTTP_X_ON_BEHALF_OF": str(resident.pk)}


def test_the_coordinator_acts_for_the_resident_and_the_resident_sees_who_acted(
    coordinator, meeting_place, django_capture_on_commit_callbacks
):
    registered = register(coordinator, meeting_place).json()
    resident = User.objects.get(pk=registered["resident"]["id"])
    club = Organisation.objects.create(name="Boulebanan", slug="boule", kind="association")
    helper = client_for(coordinator)

    profile = helper.patch(
        "/api/v1/me/", {"phone": "042-12 34 56"}, format="json", **on_behalf(resident)
    )
    joined = helper.post(
        f"/api/v1/organisations/{club.slug}/join-requests/",
        {"message": "Elsa vill spela boule."},
        format="json",
        **on_behalf(resident),
    )

    assert profile.status_code == 200
    assert profile.json()["id"] == resident.pk
    resident.refresh_from_db()
    coordinator.refresh_from_db()
    assert resident.phone == "042-12 34 56"
    assert coordinator.phone == ""  # the coordinator's own profile is untouched
    assert joined.status_code == 201
    assert JoinRequest.objects.get(organisation=club).user == resident

    # Elsa takes over her account with the printed code, and signs in herself.
    claim(registered["login_code"].lower(), "elsa@example.se", django_capture_on_commit_callbacks)
    elsa = AuthClient("app", django_capture_on_commit_callbacks)
    signed_in = elsa.auth("post", "auth/login", {"email": "elsa@example.se", "password": PASSWORD})
    assert signed_in.status_code == 200  # the address was proven during the claim

    acts = elsa.api("get", "me/assisted-acts/").json()["results"]
    assert [
        (a["action"], (a["coordinator"] or {}).get("display_name"), a["organisation"]["slug"])
        for a in acts
    ] == [
        ("account.claimed", None, "traffpunkten"),  # by Elsa herself
        ("organisation.join_requested", "Kerstin", "traffpunkten"),
        ("profile.updated", "Kerstin", "traffpunkten"),
        ("account.registered", "Kerstin", "traffpunkten"),
    ]
    assert acts[2]["details"] == {"fields": ["phone"]}
    assert User.objects.get(pk=resident.pk).managed_by is None


def claim(printed: str, email: str, capture) -> None:
    """Both steps of taking over an account, as the resident does them."""
    with capture(execute=True):
        started = APIClient().post(
            "/api/v1/assisted/claim/",
            {"code": printed, "email": email, "password": PASSWORD},
            format="json",
        )
    assert started.status_code == 202, started.json()
    assert started.json() == {"email_code_sent_to": email}
    [code] = re.findall(r"^([A-Z2-9]{4}-[A-Z2-9]{4})$", str(mail.outbox[-1].body), re.M)
    confirmed = APIClient().post(
        "/api/v1/assisted/claim/confirm/", {"code": printed, "email_code": code}, format="json"
    )
    assert confirmed.status_code == 204, confirmed.json()


def test_a_printed_code_works_once(coordinator, meeting_place, django_capture_on_commit_callbacks):
    code = register(coordinator, meeting_place).json()["login_code"]
    claim(code, "elsa@example.se", django_capture_on_commit_callbacks)

    again = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/assisted/claim/",
        {"code": code, "email": "mallory@example.se", "password": PASSWORD},
        format="json",
    )

    assert again.status_code == 400
    assert again.json()["code"] == "login_code_invalid"
    assert User.objects.filter(email="elsa@example.se").exists()


def test_a_new_code_replaces_a_lost_one(coordinator, meeting_place):
    registered = register(coordinator, meeting_place).json()
    resident_id = registered["resident"]["id"]

    fresh = client_for(coordinator).post(
        f"/api/v1/organisations/{meeting_place.slug}/residents/{resident_id}/login-code/"
    )
    old = APIClient().post(
        "/api/v1/assisted/claim/",
        {"code": registered["login_code"], "email": "elsa@example.se", "password": PASSWORD},
        format="json",
    )

    assert fresh.status_code == 201
    assert fresh.json()["login_code"] != registered["login_code"]
    assert old.status_code == 400


def test_a_coordinator_of_another_organisation_cannot_act_for_the_resident(
    coordinator, meeting_place
):
    resident_id = register(coordinator, meeting_place).json()["resident"]["id"]
    other = Organisation.objects.create(
        name="Tidsbanken", slug="tidsbanken", kind="other", is_verified=True
    )
    stranger = verified_user(email="stranger@tidsbanken.se")
    Membership.objects.create(organisation=other, user=stranger, is_coordinator=True)
    client = client_for(stranger)

    response = client.patch(
        "/api/v1/me/", {"bio": "kapad"}, format="json", HTTP_X_ON_BEHALF_OF=str(resident_id)
    )
    listing = client.get(f"/api/v1/organisations/{meeting_place.slug}/residents/")

    assert response.status_code == 403
    assert response.json()["code"] == "no_consent"
    assert User.objects.get(pk=resident_id).bio == ""
    assert listing.status_code == 403
    assert not Act.objects.filter(coordinator=stranger).exists()


def test_withdrawn_consent_stops_all_acting(coordinator, meeting_place):
    resident = verified_user(email="bo@example.se", display_name="Bo")
    bo = client_for(resident)
    given = bo.post(
        "/api/v1/me/assistance-consents/",
        {"organisation": meeting_place.slug, "statement": CONSENT},
        format="json",
    )
    helper = client_for(coordinator)
    assert given.status_code == 201
    assert helper.get("/api/v1/me/", HTTP_X_ON_BEHALF_OF=str(resident.pk)).status_code == 200
    twice = bo.post(
        "/api/v1/me/assistance-consents/",
        {"organisation": meeting_place.slug, "statement": CONSENT},
        format="json",
    )
    assert twice.status_code == 409

    withdrawn = bo.delete(f"/api/v1/me/assistance-consents/{given.json()['id']}/")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"]
    refused = helper.patch(
        "/api/v1/me/", {"bio": "x"}, format="json", HTTP_X_ON_BEHALF_OF=str(resident.pk)
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "no_consent"
    residents = helper.get(f"/api/v1/organisations/{meeting_place.slug}/residents/").json()
    assert residents["count"] == 0


def test_a_coordinator_records_a_withdrawal_said_in_person(coordinator, meeting_place):
    resident_id = register(coordinator, meeting_place).json()["resident"]["id"]
    url = f"/api/v1/organisations/{meeting_place.slug}/residents/{resident_id}/consent/"

    first = client_for(coordinator).delete(url)
    second = client_for(coordinator).delete(url)

    assert first.status_code == 200
    assert first.json()["withdrawn_by"]["display_name"] == "Kerstin"
    assert second.status_code == 404  # no longer one of the organisation's residents
    assert not Consent.objects.filter(resident_id=resident_id, withdrawn_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        ("abc", 400, "invalid"),
        ("\u00b2", 400, "invalid"),  # a superscript two: a "digit" to str.isdigit
        ("9" * 5000, 400, "invalid"),
        ("999999", 404, "not_found"),
        ("self", 404, "not_found"),
    ],
)
def test_odd_on_behalf_headers(coordinator, header, status, code):
    value = str(coordinator.pk) if header == "self" else header

    response = client_for(coordinator).get("/api/v1/me/", HTTP_X_ON_BEHALF_OF=value)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_residents_list_costs_the_same_for_few_and_many(
    coordinator, meeting_place, assert_constant_queries
):
    def make_rows(count: int) -> None:
        for n in range(count):
            register(coordinator, meeting_place, display_name=f"Person {n}")

    assert_constant_queries(
        client_for(coordinator),
        f"/api/v1/organisations/{meeting_place.slug}/residents/",
        make_rows,
    )


def test_coordinators_exist_only_in_verified_organisations():
    mallory = verified_user(email="mallory@example.se")
    own = client_for(mallory).post(
        "/api/v1/organisations/", {"name": "Mallorys klubb", "kind": "other"}, format="json"
    )
    slug = own.json()["slug"]

    response = client_for(mallory).patch(
        f"/api/v1/organisations/{slug}/members/{mallory.pk}/",
        {"is_coordinator": True},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "organisation_not_verified"
    assert not Membership.objects.filter(user=mallory, is_coordinator=True).exists()


def test_a_login_code_never_takes_over_an_account_with_its_own_login(coordinator, meeting_place):
    bo = verified_user(email="bo@example.se", display_name="Bo")
    bo.set_password(PASSWORD)
    bo.save()
    client_for(bo).post(
        "/api/v1/me/assistance-consents/",
        {"organisation": meeting_place.slug, "statement": CONSENT},
        format="json",
    )

    response = client_for(coordinator).post(
        f"/api/v1/organisations/{meeting_place.slug}/residents/{bo.pk}/login-code/"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "has_own_login"
    assert not LoginCode.objects.filter(resident=bo).exists()
    bo.refresh_from_db()
    assert bo.email == "bo@example.se"
    assert bo.check_password(PASSWORD)


def test_staff_are_not_coordinators_by_being_staff(meeting_place):
    from tests.factories import StaffFactory, SuperuserFactory

    for user in (StaffFactory.create(), SuperuserFactory.create()):
        response = register(user, meeting_place)
        assert response.status_code == 403
        assert response.json()["code"] == "not_a_coordinator"


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/v1/me/export/"), ("delete", "/api/v1/me/avatar/")]
)
def test_on_behalf_of_is_refused_where_it_is_not_honoured(coordinator, meeting_place, method, path):
    resident_id = register(coordinator, meeting_place).json()["resident"]["id"]

    response = getattr(client_for(coordinator), method)(path, HTTP_X_ON_BEHALF_OF=str(resident_id))
    deleting = client_for(coordinator).delete(
        "/api/v1/me/", {"password": PASSWORD}, format="json", HTTP_X_ON_BEHALF_OF=str(resident_id)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "on_behalf_not_supported"
    assert deleting.status_code == 400
    assert User.objects.get(pk=coordinator.pk).is_active


def test_claiming_ends_old_sessions_and_is_recorded(coordinator, meeting_place):
    registered = register(coordinator, meeting_place).json()
    resident_id = registered["resident"]["id"]
    client_for(coordinator).post(
        f"/api/v1/organisations/{meeting_place.slug}/residents/{resident_id}/login-code/"
    )
    code = LoginCode.objects.get(resident_id=resident_id, used_at__isnull=True)
    assert code  # the first code was replaced

    actions = list(Act.objects.filter(resident_id=resident_id).values_list("action", flat=True))

    assert actions == ["login_code.issued", "account.registered"]


def test_withdrawing_an_old_consent_by_id_touches_no_other(coordinator, meeting_place):
    resident = verified_user(email="bo@example.se")
    bo = client_for(resident)
    body = {"organisation": meeting_place.slug, "statement": CONSENT}
    first = bo.post("/api/v1/me/assistance-consents/", body, format="json").json()
    bo.delete(f"/api/v1/me/assistance-consents/{first['id']}/")
    second = bo.post("/api/v1/me/assistance-consents/", body, format="json").json()

    again = bo.delete(f"/api/v1/me/assistance-consents/{first['id']}/")

    assert again.status_code == 409
    assert again.json()["code"] == "no_active_consent"
    assert Consent.objects.get(pk=second["id"]).withdrawn_at is None


def test_a_mistyped_address_changes_nothing_and_gives_its_owner_nothing(
    coordinator, meeting_place, django_capture_on_commit_callbacks
):
    registered = register(coordinator, meeting_place).json()
    resident = User.objects.get(pk=registered["resident"]["id"])
    with django_capture_on_commit_callbacks(execute=True):
        started = APIClient().post(
            "/api/v1/assisted/claim/",
            {"code": registered["login_code"], "email": "elsa@exampel.se", "password": PASSWORD},
            format="json",
        )
    assert started.status_code == 202

    # The owner of the mistyped address tries a password reset: there is no such account.
    owner = AuthClient("app", django_capture_on_commit_callbacks)
    owner.auth("post", "auth/password/request", {"email": "elsa@exampel.se"})
    resident.refresh_from_db()

    assert resident.email.endswith("@ombud.invalid")
    assert not resident.has_usable_password()
    assert resident.managed_by == meeting_place
    # No reset code went out: the address belongs to no account.
    assert not any("lösenordsåterställning" in str(m.subject) for m in mail.outbox)
    assert (
        owner.auth(
            "post", "auth/login", {"email": "elsa@exampel.se", "password": PASSWORD}
        ).status_code
        == 400
    )


def test_wrong_email_codes_start_the_claim_over(
    coordinator, meeting_place, django_capture_on_commit_callbacks
):
    printed = register(coordinator, meeting_place).json()["login_code"]
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post(
            "/api/v1/assisted/claim/",
            {"code": printed, "email": "elsa@example.se", "password": PASSWORD},
            format="json",
        )
    [right] = re.findall(r"^([A-Z2-9]{4}-[A-Z2-9]{4})$", str(mail.outbox[-1].body), re.M)

    wrong = [
        APIClient()
        .post(
            "/api/v1/assisted/claim/confirm/",
            {"code": printed, "email_code": "AAAA-AAAA"},
            format="json",
        )
        .json()["code"]
        for _ in range(5)
    ]
    late = APIClient().post(
        "/api/v1/assisted/claim/confirm/", {"code": printed, "email_code": right}, format="json"
    )

    assert wrong == ["email_code_invalid"] * 5
    assert late.status_code == 400  # five wrong tries: start again with the printed code
    assert User.objects.filter(email__startswith="resident-").count() == 1


def test_on_behalf_of_does_not_hide_a_missing_method_or_address(coordinator, meeting_place):
    """The header is judged only where a handler exists: a method the endpoint does not have
    stays a 405 and an address the API does not have stays a 404."""
    resident_id = str(register(coordinator, meeting_place).json()["resident"]["id"])
    client = client_for(coordinator)

    wrong_method = client.generic("TRACE", "/api/v1/exchanges/1/cancel/", HTTP_X_ON_BEHALF_OF="0")
    no_such_address = client.post("/api/v1/exchanges/1.5/confirm/", HTTP_X_ON_BEHALF_OF=resident_id)

    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert no_such_address.status_code == 404
    assert no_such_address.json()["code"] == "not_found"
