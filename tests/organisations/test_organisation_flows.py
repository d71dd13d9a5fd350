"""Organisations from the inside: invitations by email, join requests, keeping an admin,
and the municipalities' own organisations."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from smartplatform.organisations import services
from smartplatform.organisations.models import (
    Invitation,
    Membership,
    Organisation,
    Role,
)
from tests.factories import UserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^\s*([A-Za-z0-9_-]{20,})\s*$", re.MULTILINE)


@pytest.fixture
def club():
    return Organisation.objects.create(
        name="Grannhjälpen Bjuv", slug="grannhjalpen", kind="association"
    )


@pytest.fixture
def admin(club):
    user = verified_user(email="admin@example.se", display_name="Agnes")
    Membership.objects.create(organisation=club, user=user, role=Role.ADMIN)
    return user


def invite(admin, club, email: str, role: str = "editor", capture=None):
    with capture(execute=True):
        response = client_for(admin).post(
            f"/api/v1/organisations/{club.slug}/invitations/",
            {"email": email, "role": role},
            format="json",
        )
    assert response.status_code == 201, response.json()
    match = CODE.search(str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_an_invitation_by_email_is_accepted_with_its_code(
    club, admin, events, django_capture_on_commit_callbacks
):
    invitee = verified_user(email="Nora@Example.se", display_name="Nora", preferred_language="sv")

    code = invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["nora@example.se"]
    assert "Grannhjälpen Bjuv" in message.subject
    assert "Agnes" in message.body
    assert Invitation.objects.get().code_hash != code  # only the hash is kept
    accepted = client_for(invitee).post(
        "/api/v1/invitations/accept/", {"code": code}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["role"] == "editor"
    assert Membership.objects.get(organisation=club, user=invitee).role == "editor"
    again = client_for(invitee).post("/api/v1/invitations/accept/", {"code": code}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_not_pending"
    assert "organisation.invitation_sent" in events.types()
    assert "organisation.invitation_accepted" in events.types()


def test_an_invitation_is_for_its_own_address_only(club, admin, django_capture_on_commit_callbacks):
    code = invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)
    someone_else = verified_user(email="mallory@example.se")

    response = client_for(someone_else).post(
        "/api/v1/invitations/accept/", {"code": code}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "invitation_for_another_address"
    assert not Membership.objects.filter(user=someone_else).exists()


def test_an_expired_invitation_cannot_be_accepted(club, admin, django_capture_on_commit_callbacks):
    code = invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client_for(verified_user(email="nora@example.se")).post(
        "/api/v1/invitations/accept/", {"code": code}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invitation_expired"


def test_an_unknown_code_is_a_404():
    response = client_for(verified_user(email="x@example.se")).post(
        "/api/v1/invitations/accept/", {"code": "no-such-code"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


def test_an_invitation_can_be_declined(club, admin, django_capture_on_commit_callbacks):
    code = invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)

    response = client_for(verified_user(email="nora@example.se")).post(
        "/api/v1/invitations/decline/", {"code": code}, format="json"
    )

    assert response.status_code == 204
    assert Invitation.objects.get().status == "declined"
    assert not Membership.objects.filter(organisation=club, role="editor").exists()


def test_an_invitation_email_speaks_the_invitees_language(
    club, admin, django_capture_on_commit_callbacks
):
    verified_user(email="sam@example.se", preferred_language="en")
    verified_user(email="sven@example.se", preferred_language="sv")

    invite(admin, club, "sam@example.se", capture=django_capture_on_commit_callbacks)
    invite(admin, club, "sven@example.se", capture=django_capture_on_commit_callbacks)

    english, swedish = mail.outbox
    assert english.subject == "Smart samhälle: an invitation to Grannhjälpen Bjuv"
    assert swedish.subject == "Smart samhälle: en inbjudan till Grannhjälpen Bjuv"


def test_a_join_request_approved_makes_a_member(club, admin, events):
    resident = verified_user(email="resident@example.se", display_name="Rut")

    asked = client_for(resident).post(
        f"/api/v1/organisations/{club.slug}/join-requests/",
        {"message": "Jag vill gärna hjälpa till!"},
        format="json",
    )
    approved = client_for(admin).post(
        f"/api/v1/organisations/{club.slug}/join-requests/{asked.json()['id']}/approve/"
    )

    assert asked.status_code == 201
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"]["display_name"] == "Agnes"
    members = client_for(resident).get(f"/api/v1/organisations/{club.slug}/members/").json()
    assert {m["user"]["display_name"]: m["role"] for m in members["results"]} == {
        "Agnes": "admin",
        "Rut": "member",
    }
    assert events.types() == ["organisation.join_requested", "organisation.join_request_decided"]


def test_creating_an_organisation_makes_the_creator_its_admin(events):
    founder = verified_user(email="founder@example.se")

    response = client_for(founder).post(
        "/api/v1/organisations/",
        {"name": "Repair Café Höganäs", "kind": "association", "website": "repair.example.se"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "repair-cafe-hoganas"
    assert body["my_role"] == "admin"
    assert body["member_count"] == 1
    assert body["is_verified"] is False
    assert body["website"] == "https://repair.example.se"
    assert events.of_type("organisation.created") == [
        {"organisation": Organisation.objects.get(slug="repair-cafe-hoganas").pk, "by": founder.pk}
    ]


def test_each_municipality_has_its_own_verified_organisation(api_client):
    response = api_client.get("/api/v1/organisations/", {"kind": "municipality", "page_size": 50})

    body = response.json()
    assert body["count"] == 11
    names = [o["name"] for o in body["results"]]
    assert names[:3] == ["Bjuvs kommun", "Båstads kommun", "Helsingborgs stad"]
    assert names[-3:] == ["Åstorps kommun", "Ängelholms kommun", "Örkelljunga kommun"]
    assert all(o["is_verified"] and o["municipality"] for o in body["results"])
    one = api_client.get("/api/v1/organisations/", {"municipality": "1282"}).json()["results"]
    assert [o["name"] for o in one] == ["Landskrona stad"]
    found = api_client.get("/api/v1/organisations/", {"search": "stad"}).json()["results"]
    assert {o["name"] for o in found} == {"Båstads kommun", "Helsingborgs stad", "Landskrona stad"}


def test_a_municipal_organisation_always_has_its_municipality():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Låtsaskommun", slug="latsas", kind="municipality")


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    club = Organisation.objects.create(name="Klubben", slug="klubben", kind="association")
    first, second = UserFactory.create(), UserFactory.create()
    for user in (first, second):
        Membership.objects.create(organisation=club, user=user, role=Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(member, actor) -> None:
        try:
            barrier.wait(timeout=10)
            services.update_membership(
                organisation=club, member=member, role=Role.MEMBER, actor=actor
            )
            outcomes.append("demoted")
        except services.SoleAdmin:
            outcomes.append("sole_admin")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["demoted", "sole_admin"]
    assert Membership.objects.filter(organisation=club, role=Role.ADMIN).count() == 1


def test_the_member_list_shows_admins_first_then_editors_then_members(club, admin):
    for email, name, role in [
        ("m@example.se", "Örjan", "member"),
        ("e@example.se", "Bodil", "editor"),
        ("a2@example.se", "Åke", "admin"),
        ("m2@example.se", "Anna", "member"),
    ]:
        Membership.objects.create(
            organisation=club, user=verified_user(email=email, display_name=name), role=role
        )

    results = client_for(admin).get(f"/api/v1/organisations/{club.slug}/members/").json()

    assert [(m["role"], m["user"]["display_name"]) for m in results["results"]] == [
        ("admin", "Agnes"),
        ("admin", "Åke"),
        ("editor", "Bodil"),
        ("member", "Anna"),
        ("member", "Örjan"),
    ]


@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("admin", 200), ("member", 403)])
def test_editors_set_the_logo(club, settings, tmp_path, role, status):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    user = verified_user(email=f"{role}@example.se")
    Membership.objects.create(organisation=club, user=user, role=role)
    logo = io.BytesIO()
    Image.new("RGB", (900, 300), (0, 90, 60)).save(logo, format="PNG")
    logo.seek(0)
    logo.name = "logo.png"

    response = client_for(user).put(
        f"/api/v1/organisations/{club.slug}/logo/", {"logo": logo}, format="multipart"
    )

    assert response.status_code == status
    club.refresh_from_db()
    if status == 200:
        assert response.json()["logo"].endswith(".jpg")
        with Image.open(club.logo.path) as stored:
            assert stored.size == (512, 171)
    else:
        assert not club.logo


def test_plain_staff_verify_organisations_but_do_not_run_them(club, admin, events):
    from tests.factories import StaffFactory

    moderator = StaffFactory.create()
    client = client_for(moderator)
    base = f"/api/v1/organisations/{club.slug}"

    verified_now = client.patch(f"{base}/", {"is_verified": True}, format="json")

    assert verified_now.status_code == 200
    assert verified_now.json()["is_verified"] is True
    assert events.of_type("organisation.verified") == [
        {"organisation": club.pk, "by": moderator.pk}
    ]
    assert client.get(f"{base}/members/").status_code == 403
    assert client.patch(f"{base}/members/{admin.pk}/", {"role": "member"}).status_code == 403
    assert client.get(f"{base}/join-requests/").status_code == 403
    assert client.post(f"{base}/invitations/", {"email": "x@example.se"}).status_code == 403


def test_an_expired_invitation_does_not_block_a_new_one(
    club, admin, django_capture_on_commit_callbacks
):
    invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    invite(admin, club, "nora@example.se", capture=django_capture_on_commit_callbacks)

    assert sorted(Invitation.objects.values_list("status", flat=True)) == ["pending", "revoked"]


def test_invitations_are_rate_limited_per_person(club, admin, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "invitations": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        statuses = [
            client_for(admin)
            .post(
                f"/api/v1/organisations/{club.slug}/invitations/",
                {"email": f"p{n}@example.se"},
                format="json",
            )
            .status_code
            for n in range(4)
        ]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original

    assert statuses == [201, 201, 201, 429]


def test_the_admin_erases_accounts_through_every_apps_handlers(club, admin, client):
    from tests.factories import SuperuserFactory

    person = verified_user(email="gone@example.se", display_name="Gone Person")
    Membership.objects.create(organisation=club, user=person, role="member")
    club.contact_email = "gone@example.se"
    club.save()
    operator = SuperuserFactory.create()
    client.force_login(operator)
    changelist = "/admin/accounts/user/"

    page = client.get(changelist)
    client.post(changelist, {"action": "erase_accounts", "_selected_action": [person.pk]})

    assert 'value="delete_selected"' not in page.content.decode()
    person.refresh_from_db()
    club.refresh_from_db()
    assert person.display_name == "borttagen användare"
    assert not Membership.objects.filter(user=person).exists()
    assert club.contact_email == ""
