import csv
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from smartplatform.organisations.models import Municipality

CSV = Path(__file__).resolve().parents[2] / "smartplatform/organisations/data/municipalities.csv"
REFERENCE = {row["code"]: row for row in csv.DictReader(CSV.open(encoding="utf-8"))}

pytestmark = pytest.mark.django_db


def test_the_eleven_municipalities_are_listed_with_their_codes(api_client):
    response = api_client.get("/api/v1/municipalities/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 11
    assert {m["code"] for m in body["results"]} == set(REFERENCE)
    helsingborg = next(m for m in body["results"] if m["code"] == "1283")
    assert helsingborg == {
        "code": "1283",
        "name": "Helsingborg",
        "slug": "helsingborg",
        "organisation_number": "212000-1157",
        "population": 151404,
        "latitude": 56.05,
        "longitude": 12.717,
    }


SWEDISH_ORDER = [
    "Bjuv",
    "Båstad",
    "Helsingborg",
    "Höganäs",
    "Klippan",
    "Landskrona",
    "Perstorp",
    "Svalöv",
    "Åstorp",
    "Ängelholm",
    "Örkelljunga",
]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [m["name"] for m in response.json()["results"]]


def test_the_list_is_in_swedish_alphabetical_order_by_default(api_client):
    # Å, Ä and Ö come after Z, in that order, whatever the database's own collation says.
    assert names(api_client.get("/api/v1/municipalities/")) == SWEDISH_ORDER


def test_ordering_by_name_is_swedish_both_ways(api_client):
    assert names(api_client.get("/api/v1/municipalities/?ordering=name")) == SWEDISH_ORDER
    assert names(api_client.get("/api/v1/municipalities/?ordering=-name")) == SWEDISH_ORDER[::-1]


def test_an_unknown_ordering_is_a_400_naming_the_choices(api_client):
    response = api_client.get("/api/v1/municipalities/?ordering=secret_field")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {
        "ordering": ["Okänd sortering. Välj bland: code, name, population."]
    }


def test_every_row_matches_the_reference_file():
    for code, row in REFERENCE.items():
        municipality = Municipality.objects.get(code=code)
        assert municipality.name == row["name"]
        assert municipality.slug == row["slug"]
        assert municipality.organisation_number == row["organisation_number"]
        assert municipality.population == int(row["population"])
        assert municipality.latitude == pytest.approx(float(row["lat"]))
        assert municipality.longitude == pytest.approx(float(row["lon"]))


def test_a_municipality_is_found_by_its_code(api_client):
    response = api_client.get("/api/v1/municipalities/1260/")

    assert response.status_code == 200
    assert response.json()["name"] == "Bjuv"


@pytest.mark.parametrize("code", ["9999", "abcd", "12834"])
def test_an_unknown_code_is_a_json_404(api_client, code):
    response = api_client.get(f"/api/v1/municipalities/{code}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_ordering_by_population(api_client):
    response = api_client.get("/api/v1/municipalities/?ordering=-population")

    assert [m["code"] for m in response.json()["results"]][:2] == ["1283", "1282"]


def test_page_size_pages_the_list(api_client):
    first = api_client.get("/api/v1/municipalities/?page_size=5").json()
    third = api_client.get("/api/v1/municipalities/?page_size=5&page=3").json()

    assert len(first["results"]) == 5
    assert first["next"].endswith("page=2&page_size=5")
    assert len(third["results"]) == 1


def test_listing_costs_one_query_for_the_page_and_one_for_the_count(
    api_client, django_assert_num_queries
):
    with django_assert_num_queries(2):
        api_client.get("/api/v1/municipalities/?page_size=100")


def test_listing_costs_the_same_whatever_the_number_of_rows(api_client, assert_constant_queries):
    created = iter(range(9000, 9100))

    def make_rows(count):
        for _ in range(count):
            code = str(next(created))
            Municipality.objects.create(
                code=code,
                name=f"Test {code}",
                slug=f"test-{code}",
                population=1,
                latitude=56.0,
                longitude=13.0,
            )

    assert_constant_queries(api_client, "/api/v1/municipalities/?page_size=100", make_rows)


def test_writing_is_not_allowed(api_client, user_client):
    assert api_client.post("/api/v1/municipalities/", {}).status_code == 405
    assert user_client.delete("/api/v1/municipalities/1283/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_reverses_and_reapplies():
    MigrationExecutor(connection).migrate([("organisations", "0001_initial")])
    assert not Municipality.objects.exists()

    MigrationExecutor(connection).migrate([("organisations", "0002_municipalities")])
    assert Municipality.objects.count() == 11

    # Back to the latest schema for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
