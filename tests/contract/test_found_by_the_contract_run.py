"""Failures the contract run found (``python -m tests.contract.run``), each reproduced here
on the test client before it was fixed, and checked the way the run checks it: schemathesis'
own validation of the answer against the served schema."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalogue.models import Project
from exchange import exchanges, resources
from tests.catalogue.factories import make_project
from tests.contract.conformance import assert_conforms
from tests.exchange.factories import booked_car, make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"
    b":~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)


def an_organisation(admin: Any, **body: Any) -> str:
    made = client_for(admin).post(
        "/api/v1/organisations/", {"name": "Grannar", "kind": "association", **body}
    )
    assert made.status_code == 201, made.json()
    assert_conforms(made, "/api/v1/organisations/")
    return str(made.json()["slug"])


def test_the_project_list_is_one_page_with_facets_not_a_page_of_pages() -> None:
    make_project("Smart belysning")

    response = client_for(None).get("/api/v1/catalogue/projects/")

    assert response.status_code == 200
    assert response.json()["count"] == Project.objects.count()
    assert_conforms(response, "/api/v1/catalogue/projects/")


def test_an_organisation_without_website_email_or_municipality_is_described_truly() -> None:
    """Blank website and contact address are "" and the municipality null: the schema says
    a web address, an email address and a code."""
    admin = resident()
    slug = an_organisation(admin)

    response = client_for(admin).get(f"/api/v1/organisations/{slug}/")

    assert (response.json()["website"], response.json()["municipality"]) == ("", None)
    assert_conforms(response, "/api/v1/organisations/{slug}/")


def test_invitations_are_created_listed_and_revoked_as_documented() -> None:
    admin = resident()
    slug = an_organisation(admin)
    path = f"/api/v1/organisations/{slug}/invitations/"

    made = client_for(admin).post(path, {"email": "ny@example.se"})
    listed = client_for(admin).get(path)
    revoked = client_for(admin).delete(f"{path}{made.json()['id']}/")

    assert (made.status_code, listed.status_code, revoked.status_code) == (201, 200, 204)
    assert_conforms(made, "/api/v1/organisations/{slug}/invitations/")
    assert_conforms(listed, "/api/v1/organisations/{slug}/invitations/")
    assert_conforms(revoked, "/api/v1/organisations/{slug}/invitations/{invitation_id}/")


def test_join_requests_are_created_and_listed_as_documented() -> None:
    admin, neighbour = resident(), resident()
    slug = an_organisation(admin)
    path = f"/api/v1/organisations/{slug}/join-requests/"

    made = client_for(neighbour).post(path, {})
    listed = client_for(admin).get(path)

    assert (made.status_code, listed.status_code) == (201, 200)
    assert listed.json()["count"] == 1
    assert_conforms(made, "/api/v1/organisations/{slug}/join-requests/")
    assert_conforms(listed, "/api/v1/organisations/{slug}/join-requests/")


def test_removing_a_logo_or_an_avatar_answers_with_what_remains() -> None:
    """Both DELETEs answer 200 with the changed organisation or account, as documented."""
    admin = resident()
    slug = an_organisation(admin)
    client = client_for(admin)

    logo = client.delete(f"/api/v1/organisations/{slug}/logo/")
    avatar = client.delete("/api/v1/me/avatar/")

    assert (logo.status_code, avatar.status_code) == (200, 200)
    assert_conforms(logo, "/api/v1/organisations/{slug}/logo/")
    assert_conforms(avatar, "/api/v1/me/avatar/")


def test_opening_hours_are_clock_times() -> None:
    owner = resident()
    listing = make_listing("Mötesrum", owner=owner, category="space", address="Storgatan 1")
    resource = resources.describe(
        actor=owner,
        listing=listing,
        facts={},
        opening_hours=[{"weekday": 0, "opens": "07:00", "closes": "18:00"}],
    )

    response = client_for(owner).get(f"/api/v1/resources/{resource.pk}/")

    assert response.json()["opening_hours"] == [{"weekday": 0, "opens": "07:00", "closes": "18:00"}]
    assert_conforms(response, "/api/v1/resources/{id}/")


def test_opening_hours_are_given_as_clock_times_too() -> None:
    owner = resident()
    listing = make_listing("Mötesrum", owner=owner, category="space", address="Storgatan 1")

    response = client_for(owner).put(
        f"/api/v1/listings/{listing.pk}/resource/",
        {"opening_hours": [{"weekday": 0, "opens": "07:00:00", "closes": "18:00"}]},
    )

    assert response.status_code == 400
    assert "opening_hours" in response.json()["fields"]


def test_a_thread_is_a_cursor_page() -> None:
    owner, answerer = resident(), resident()
    listing = make_listing(owner=owner)
    exchange = exchanges.propose(actor=answerer, listing=listing, message="Hej!")

    response = client_for(owner).get(f"/api/v1/exchanges/{exchange.pk}/messages/")

    assert response.status_code == 200
    assert "count" not in response.json()
    assert_conforms(response, "/api/v1/exchanges/{id}/messages/")


def test_a_missing_query_parameter_is_a_documented_400() -> None:
    owner = resident()
    listing = make_listing("Bil", owner=owner, category="car", address="Storgatan 1")
    resource = resources.describe(actor=owner, listing=listing, facts={})

    response = client_for(owner).get(
        f"/api/v1/resources/{resource.pk}/availability/", {"from": "2030-01-01T00:00:00Z"}
    )

    assert response.status_code == 400
    assert_conforms(response, "/api/v1/resources/{id}/availability/")


@pytest.mark.parametrize(
    ("method", "header", "status"), [("get", "abc", 400), ("patch", "999999", 404)]
)
def test_a_bad_on_behalf_of_header_is_a_documented_answer(
    method: str, header: str, status: int
) -> None:
    response = getattr(client_for(resident()), method)(
        "/api/v1/me/", {}, HTTP_X_ON_BEHALF_OF=header
    )

    assert response.status_code == status
    assert_conforms(response, "/api/v1/me/")


def test_the_on_behalf_of_refusal_is_documented_where_it_can_happen() -> None:
    response = client_for(resident()).get("/api/v1/me/export/", HTTP_X_ON_BEHALF_OF="5")

    assert response.json()["code"] == "on_behalf_not_supported"
    assert_conforms(response, "/api/v1/me/export/")


def test_a_line_break_in_an_api_address_is_still_a_json_404() -> None:
    response = client_for(resident()).get("/api/v1/users/%C2%A0%0A/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", 0), ("name", ["Grannar"]), ("website", 1.5), ("contact_email", True)],
)
def test_a_json_value_of_the_wrong_type_is_refused_not_converted(field: str, value: Any) -> None:
    """DRF would store 0 as the text "0"; the schema says text, so a number is a 400."""
    response = client_for(resident()).post(
        "/api/v1/organisations/",
        {"name": "Grannar", "kind": "association", field: value},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_form_fields_are_text_and_still_read() -> None:
    """A multipart upload's fields are all text: the JSON type rule does not touch them."""
    admin = resident()
    slug = an_organisation(admin)

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(admin).put(
        f"/api/v1/organisations/{slug}/logo/",
        {"logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert_conforms(response, "/api/v1/organisations/{slug}/logo/")


# --- Query parameters: read as strictly as a body ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/v1/notifications/", "unread=", "unread"),
        ("/api/v1/bookings/", "role=", "role"),
        ("/api/v1/catalogue/contact-requests/", "status=", "status"),
        ("/api/v1/bookings/", "role=booker&role=owner", "role"),
        ("/api/v1/me/matches/", "page=1&page=2", "page"),
        ("/api/v1/notifications/", "page_size=5&page_size=6", "page_size"),
        ("/api/v1/municipalities/", "ordering=name&ordering=code", "ordering"),
        ("/api/v1/organisations/", "is_verified=null", "is_verified"),
    ],
)
def test_an_empty_or_repeated_single_value_parameter_is_refused(
    path: str, query: str, parameter: str
) -> None:
    """DRF would read ``?status=`` as no filter and keep the last of two values; the schema
    says one value of the parameter's type."""
    response = client_for(resident()).get(f"{path}?{query}")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [parameter]


def test_an_organisations_members_are_not_filtered_by_the_directorys_parameters() -> None:
    admin = resident()
    slug = an_organisation(admin)

    response = client_for(admin).get(
        f"/api/v1/organisations/{slug}/members/", {"ordering": "nonsense", "kind": "municipality"}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert_conforms(response, "/api/v1/organisations/{slug}/members/")


@pytest.mark.parametrize(
    ("near", "status"),
    [("56.05,12.69", 200), ("91,0", 400), ("0,181", 400), ("0,180." + "0" * 55, 400)],
)
def test_a_point_is_what_the_schemas_pattern_says(near: str, status: int) -> None:
    response = client_for(resident()).get("/api/v1/listings/", {"near": near})

    assert response.status_code == status
    assert_conforms(response, "/api/v1/listings/")


def test_municipalities_are_named_by_the_codes_and_slugs_the_schema_lists() -> None:
    from smartplatform.organisations.models import Municipality
    from smartplatform.organisations.serializers import MUNICIPALITY_KEYS

    known = Municipality.objects.values_list("code", "slug")
    listed = client_for(resident()).get("/api/v1/listings/", {"municipality": MUNICIPALITY_KEYS})

    assert sorted(MUNICIPALITY_KEYS) == sorted(key for pair in known for key in pair)
    assert listed.status_code == 200


# --- JSON bodies ---------------------------------------------------------------------------------


def test_an_empty_slug_for_an_optional_reference_is_refused_not_read_as_null() -> None:
    from tests.exchange.test_listings import new_listing

    response = client_for(resident()).post(
        "/api/v1/listings/", new_listing(organisation=""), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["organisation"]


@pytest.mark.parametrize(("hours", "stored"), [(0.5700000000000001, "0.57"), (2, "2.00")])
def test_hours_as_a_json_number_are_read_without_float_noise(hours: float, stored: str) -> None:
    from tests.exchange.test_listings import new_listing

    response = client_for(resident()).post(
        "/api/v1/listings/", new_listing(hours=hours), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["compensation"]["hours"] == stored


def test_a_trips_departures_are_one_list_not_pages() -> None:
    from tests.exchange.test_lifts import weekly_lift

    trip = weekly_lift(seats=3)
    now = timezone.now()

    response = client_for(None).get(
        f"/api/v1/trips/{trip.pk}/departures/",
        {"from": now.isoformat(), "to": (now + timedelta(days=15)).isoformat()},
    )

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert_conforms(response, "/api/v1/trips/{id}/departures/")


# --- Third round ---------------------------------------------------------------------------------


def test_options_on_the_export_is_json_even_when_a_csv_is_asked_for() -> None:
    response = client_for(resident()).options("/api/v1/catalogue/projects/export/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["renders"] == ["application/json", "text/csv"]


def test_an_opening_window_without_its_opening_time_is_a_400_in_a_partial_update() -> None:
    owner = resident()
    listing = make_listing("Mötesrum", owner=owner, category="space", address="Storgatan 1")

    response = client_for(owner).put(
        f"/api/v1/listings/{listing.pk}/resource/",
        {"opening_hours": [{"weekday": 0, "closes": "09:00"}]},
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "opening_hours": {"0": {"opens": ["This field is required."]}}
    }
    assert_conforms(response, "/api/v1/listings/{id}/resource/")


def test_an_empty_ordering_is_refused() -> None:
    response = client_for(None).get("/api/v1/municipalities/?ordering=")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ordering"]


@pytest.mark.parametrize(("value", "status"), [("true", 200), ("false", 200), ("2", 400)])
def test_the_verified_filter_takes_true_or_false_as_the_schema_says(
    value: str, status: int
) -> None:
    response = client_for(None).get("/api/v1/organisations/", {"is_verified": value})

    assert response.status_code == status
    assert_conforms(response, "/api/v1/organisations/")


def test_a_bookings_condition_reports_are_one_list_as_documented() -> None:
    booker = resident()
    _car, booking = booked_car(resident(), booker)

    response = client_for(booker).get(f"/api/v1/bookings/{booking.pk}/condition/")

    assert (response.status_code, response.json()) == (200, [])
    assert_conforms(response, "/api/v1/bookings/{id}/condition/")


# --- Fourth round: reached with the seeded objects --------------------------------------------


def test_removing_a_projects_cover_answers_with_the_project() -> None:
    project = make_project("Smart belysning")
    editor = resident()
    from smartplatform.organisations.models import Membership, Role

    Membership.objects.create(organisation=project.owner, user=editor, role=Role.EDITOR)

    response = client_for(editor).delete(f"/api/v1/catalogue/projects/{project.slug}/cover/")

    assert response.status_code == 200
    assert_conforms(response, "/api/v1/catalogue/projects/{slug}/cover/")


def test_a_resources_blackouts_are_one_list_as_documented() -> None:
    owner = resident()
    listing = make_listing("Mötesrum", owner=owner, category="space", address="Storgatan 1")
    resource = resources.describe(actor=owner, listing=listing, facts={})
    start = timezone.now() + timedelta(days=3)
    resources.add_blackout(
        actor=owner, resource=resource, starts_at=start, ends_at=start + timedelta(days=1)
    )

    response = client_for(owner).get(f"/api/v1/resources/{resource.pk}/blackouts/")

    assert response.status_code == 200
    assert len(response.json()) == 1
    assert_conforms(response, "/api/v1/resources/{id}/blackouts/")


def test_a_resident_without_a_home_municipality_is_described_truly() -> None:
    coordinator = resident()
    slug = an_organisation(coordinator)
    from smartplatform.organisations.models import Membership, Organisation

    Organisation.objects.filter(slug=slug).update(is_verified=True)
    Membership.objects.filter(organisation__slug=slug, user=coordinator).update(is_coordinator=True)
    path = f"/api/v1/organisations/{slug}/residents/"

    made = client_for(coordinator).post(
        path, {"display_name": "Lars Lindqvist", "consent_statement": "Sagt på mötet."}
    )
    listed = client_for(coordinator).get(path)

    assert made.status_code == 201, made.json()
    assert made.json()["resident"]["home_municipality"] is None
    assert_conforms(made, "/api/v1/organisations/{slug}/residents/")
    assert_conforms(listed, "/api/v1/organisations/{slug}/residents/")


def test_listing_join_requests_does_not_take_x_on_behalf_of() -> None:
    """Asking to join may be done for a resident; the admins' list of requests may not, so
    the header is refused there instead of ignored."""
    admin = resident()
    slug = an_organisation(admin)

    response = client_for(admin).get(
        f"/api/v1/organisations/{slug}/join-requests/", HTTP_X_ON_BEHALF_OF="5"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "on_behalf_not_supported"
    assert_conforms(response, "/api/v1/organisations/{slug}/join-requests/")


def test_an_empty_change_to_a_membership_is_described_as_refused() -> None:
    from tests.contract.conformance import api_schema

    body = api_schema().raw_schema["components"]["schemas"]["PatchedMemberUpdateRequest"]

    assert body["minProperties"] == 1
    assert body["additionalProperties"] is False


@pytest.mark.parametrize("path", ["/api/v1/listings/", "/api/v1/catalogue/projects/"])
def test_a_page_number_past_what_sql_can_offset_is_not_found(path: str) -> None:
    """The searched lists count and page in one query; a page of 47315507792510910464 made
    its OFFSET overflow PostgreSQL's bigint (a 500)."""
    make_listing("Stege")

    response = client_for(resident()).get(path, {"page": "47315507792510910464"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert_conforms(response, path)


@pytest.mark.parametrize("starts_at", ["0224-02-12T18:42:29Z", "2300-01-01T00:00:00Z"])
def test_a_date_outside_the_years_the_platform_takes_is_refused(starts_at: str) -> None:
    """A blackout from the year 224 was stored and answered as 0224-02-12T19:54:41+01:12:12:
    Stockholm's local mean time, an offset RFC 3339 cannot write."""
    owner = resident()
    listing = make_listing("Mötesrum", owner=owner, category="space", address="Storgatan 1")
    resource = resources.describe(actor=owner, listing=listing, facts={})

    response = client_for(owner).post(
        f"/api/v1/resources/{resource.pk}/blackouts/",
        {"starts_at": starts_at, "ends_at": "2030-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["starts_at"]
    assert_conforms(response, "/api/v1/resources/{id}/blackouts/")


def test_a_query_date_outside_the_years_is_refused_too() -> None:
    response = client_for(None).get(
        "/api/v1/resources/",
        {"free_from": "1899-12-31T23:00:00Z", "free_to": "1900-01-02T00:00:00Z"},
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["free_from"]


def test_a_membership_change_without_a_body_is_described_as_refused() -> None:
    from tests.contract.conformance import api_schema

    operation = api_schema().raw_schema["paths"]["/api/v1/organisations/{slug}/members/{user_id}/"]
    admin, member = resident(), resident()
    slug = an_organisation(admin)
    from smartplatform.organisations.models import Membership, Organisation, Role

    Membership.objects.create(
        organisation=Organisation.objects.get(slug=slug), user=member, role=Role.MEMBER
    )

    response = client_for(admin).patch(f"/api/v1/organisations/{slug}/members/{member.pk}/")

    assert operation["patch"]["requestBody"]["required"] is True
    assert response.status_code == 400
    assert_conforms(response, "/api/v1/organisations/{slug}/members/{user_id}/")
