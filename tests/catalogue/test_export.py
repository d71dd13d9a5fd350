"""Export of a filtered search as JSON and CSV, without contacts' emails and phones."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalogue.serializers import ProjectExportSerializer
from smartplatform.organisations.models import Membership, Role
from tests.catalogue.factories import make_project, municipal_organisation
from tests.factories import client_for, verified_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/projects/export/"
CONTACT = {
    "name": "Karin Holm",
    "role": "GIS-samordnare",
    "organisation": "Höganäs kommun",
    "email": "karin.holm@hoganas.example",
    "phone": "042-33 71 00",
}


@pytest.fixture
def projects() -> None:
    make_project(
        "Digital tvilling",
        owner="1284",
        summary='=HYPERLINK("http://evil.example")',
        themes=("digitalisering", "samhallsbyggnad"),
        tags=("3d", "gis"),
        contacts=(CONTACT,),
    )
    make_project("SmartMat", owner="1283", themes=("skola",))
    make_project("Utkast i Höganäs", owner="1284", published=False)


def test_the_json_export_holds_the_filtered_search_without_addresses(projects) -> None:
    response = APIClient().get(URL, {"municipality": "1284"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="projektkatalog-')
    rows = response.json()
    assert [row["title"] for row in rows] == ["Digital tvilling"]
    (row,) = rows
    assert set(row) == set(ProjectExportSerializer().fields)
    assert row["contacts"] == [
        {"name": "Karin Holm", "role": "GIS-samordnare", "organisation": "Höganäs kommun"}
    ]
    assert row["themes"] == ["Digitalisering", "Samhällsbyggnad"]
    assert row["municipality_code"] == "1284"
    assert CONTACT["email"] not in response.content.decode()
    assert CONTACT["phone"] not in response.content.decode()


def test_the_csv_export_opens_in_a_swedish_spreadsheet(projects) -> None:
    response = APIClient().get(URL, {"format": "csv", "ordering": "title"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffslug;title;url;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [row["title"] for row in rows] == ["Digital tvilling", "SmartMat"]
    assert rows[0]["contacts"] == "Karin Holm (GIS-samordnare, Höganäs kommun)"
    assert rows[0]["tags"] == "3d; gis"
    assert rows[0]["summary"] == '\'=HYPERLINK("http://evil.example")'  # not a formula
    assert CONTACT["email"] not in text
    assert CONTACT["phone"] not in text


def test_bad_filters_are_a_json_error_even_for_csv(projects) -> None:
    response = APIClient().get(URL, {"format": "csv", "municipality": "9999"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "municipality" in response.json()["fields"]


def test_drafts_are_exported_only_for_their_editors(projects) -> None:
    editor = verified_user()
    Membership.objects.create(
        organisation=municipal_organisation("1284"), user=editor, role=Role.EDITOR
    )

    anonymous = APIClient().get(URL, {"municipality": "hoganas"}).json()
    for_editor = client_for(editor).get(URL, {"municipality": "hoganas"}).json()

    assert [row["title"] for row in anonymous] == ["Digital tvilling"]
    assert sorted(row["title"] for row in for_editor) == ["Digital tvilling", "Utkast i Höganäs"]


def test_the_export_costs_the_same_queries_for_few_and_many_projects() -> None:
    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert APIClient().get(URL, {"format": "csv"}).status_code == 200
        return len(queries.captured_queries)

    for n in range(2):
        make_project(f"Projekt {n}", contacts=(CONTACT,), tags=("a",))
    few = export_queries()
    for n in range(2, 25):
        make_project(f"Projekt {n}", contacts=(CONTACT,), tags=("a", "b"))

    assert export_queries() == few
