"""Partners for a municipal need: the catalogue projects that did what a municipality asks,
with whom to contact, shown to the need's side only."""

from typing import Any

import pytest

from smartplatform.organisations.models import Membership, Organisation, Role
from tests.catalogue.factories import make_project
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def need() -> Any:
    bjuv = Organisation.objects.get(municipality__code="1260")
    planner = resident(display_name="Planeraren")
    Membership.objects.create(organisation=bjuv, user=planner, role=Role.EDITOR)
    listing = make_listing(
        "Hur kommer man igång med en virtuell stadsmodell?",
        kind="request",
        category="expertise",
        description="Vi vill visa planerade hus och gator i tre dimensioner för invånarna.",
        owner=planner,
        organisation=bjuv,
    )
    return listing, planner


def test_a_municipal_need_is_shown_who_did_it_and_whom_to_contact(need: Any) -> None:
    listing, planner = need
    twin = make_project(
        "Digital tvilling av Höganäs",
        owner="1284",
        summary="En 3D-modell av staden där planerade hus visas för invånare och politiker.",
        method="Laserskanning och en öppen stadsmodell i webbläsaren.",
        contacts=({"name": "Karin Holm", "role": "GIS-samordnare", "email": "k@hoganas.example"},),
    )
    make_project("Matsvinn i skolan", summary="Vi vägde maten som slängdes i skolköken.")

    found = client_for(planner, language="sv").get(f"/api/v1/listings/{listing.pk}/partners/")

    assert found.status_code == 200
    [first, *rest] = found.json()
    assert first["project"]["slug"] == twin.slug
    assert first["contacts"] == [{"name": "Karin Holm", "role": "GIS-samordnare"}]
    assert first["suggestion"] == (
        "Höganäs kommun har gjort Digital tvilling av Höganäs: kontakta Karin Holm "
        "(GIS-samordnare) via katalogen."
    )
    assert "digital tvilling" in first["explanation"]
    assert "k@hoganas.example" not in found.content.decode()
    assert all(row["project"]["title"] != "Matsvinn i skolan" for row in rest)


def test_partners_are_for_the_needs_side_and_for_needs_only(need: Any) -> None:
    listing, _planner = need
    garden = make_listing("Gräsklippning", kind="request")

    stranger = client_for(resident()).get(f"/api/v1/listings/{listing.pk}/partners/")
    not_a_need = client_for(garden.owner).get(f"/api/v1/listings/{garden.pk}/partners/")

    assert stranger.status_code == 404
    assert (not_a_need.status_code, not_a_need.json()["code"]) == (400, "not_a_municipal_need")
