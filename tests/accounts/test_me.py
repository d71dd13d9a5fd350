"""/api/v1/me/ (one's own account) and /api/v1/users/{id}/ (anyone's public profile)."""

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from smartplatform.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def person() -> User:
    user = UserFactory.create(email="per@example.se", display_name="Per", phone="070-123 45 67")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def me(person) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    return client


def test_anonymous_callers_are_refused_with_the_documented_shape():
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Session realm="api"'
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_a_person_updates_their_own_profile(me, person):
    response = me.patch(
        ME,
        {
            "display_name": "  Per Olsson ",
            "home_municipality": "1260",
            "preferred_language": "en",
            "phone": "+46 70 123 45 67",
            "bio": "Pensionär i Bjuv som gärna hjälper till i trädgården.",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Per Olsson"
    assert body["home_municipality"] == {"code": "1260", "name": "Bjuv"}
    assert body["preferred_language"] == "en"
    assert body["phone"] == "+46 70 123 45 67"
    person.refresh_from_db()
    assert person.bio.startswith("Pensionär i Bjuv")
    assert person.home_municipality_id == "1260"


def test_the_municipality_can_be_cleared(me, person):
    me.patch(ME, {"home_municipality": "1260"}, format="json")

    response = me.patch(ME, {"home_municipality": None}, format="json")

    assert response.json()["home_municipality"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "ring mig"}, "phone"),
        ({"home_municipality": "9999"}, "home_municipality"),
        ({"preferred_language": "de"}, "preferred_language"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"bio": "x" * 501}, "bio"),
    ],
)
def test_bad_profile_input_is_a_400_naming_the_field(me, person, changes, field):
    response = me.patch(ME, changes, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    person.refresh_from_db()
    assert person.phone == "070-123 45 67"


@pytest.mark.parametrize(
    "changes",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"is_active": False},
        {"email_verified": True},
        {"email": "other@example.se"},
        {"id": 999},
        {"date_joined": "2000-01-01T00:00:00Z"},
        {"display_name": "Per", "is_staff": True},
    ],
)
def test_a_person_can_never_grant_themselves_flags_or_verification(me, person, changes):
    response = me.patch(ME, changes, format="json")

    assert response.status_code == 400
    refused = sorted(set(changes) - {"display_name"})
    assert response.json()["fields"] == {
        name: ["This field cannot be set here."] for name in refused
    }
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser, person.is_active) == (False, False, True)
    assert person.email == "per@example.se"
    assert EmailAddress.objects.get(user=person).email == "per@example.se"


def test_me_costs_a_fixed_number_of_queries(me, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert me.get(ME).status_code == 200


def test_anyone_sees_a_public_profile_without_contact_details(person):
    person.home_municipality_id = "1283"
    person.save()

    response = APIClient().get(f"/api/v1/users/{person.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "display_name": "Per",
        "home_municipality": {"code": "1283", "name": "Helsingborg"},
        "member_since": response.json()["member_since"],
        "avatar": None,
        "reviews": {"average": None, "count": 0},
    }


@pytest.mark.parametrize("target", ["inactive", "missing"])
def test_an_inactive_or_missing_person_is_a_404(person, target):
    if target == "inactive":
        person.is_active = False
        person.save()
        pk = person.pk
    else:
        pk = person.pk + 1000

    response = APIClient().get(f"/api/v1/users/{pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
