"""Importing the municipalities' spreadsheet: good rows in, bad rows reported by line, and a
second run changes nothing."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from catalogue.importing import COLUMNS, ImportFileError, import_catalogue, read_rows
from catalogue.models import Project
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "title",
    "owner",
    "participants",
    "themes",
    "tags",
    "status",
    "start_year",
    "end_year",
    "summary",
    "method",
    "contact_name",
    "contact_email",
    "contact_confirmed",
    "link_website",
    "borrowed_from",
    "published",
]
ROWS = [
    # line 2: good, borrows from a project further down the file
    [
        "BAS-TWIN",
        "Tvilling i Båstad",
        "Båstads kommun",
        "",
        "digitalisering",
        "3d",
        "pågående",
        "2023",
        "",
        "En tvilling.",
        "Som Höganäs.",
        "",
        "",
        "",
        "",
        "HOG-TWIN",
        "ja",
    ],
    # line 3: good, owner by municipality code, participants by name
    [
        "HOG-TWIN",
        "Digital tvilling av Höganäs",
        "1284",
        "Helsingborgs stad; Bjuv",
        "digitalisering;Samhällsbyggnad",
        "3D-modell;öppna data",
        "genomförd",
        "2019",
        "2021",
        "En 3D-modell av kommunen.",
        "Drönare.",
        "Karin Holm",
        "karin@hoganas.example",
        "2025-03-01",
        "https://www.hoganas.example/tvilling",
        "",
        "ja",
    ],
    # line 4: unknown owner
    [
        "X-1",
        "Okänd ägare",
        "Malmö stad",
        "",
        "digitalisering",
        "",
        "idé",
        "",
        "",
        "Text.",
        "",
        "",
        "",
        "",
        "",
        "",
        "ja",
    ],
    # line 5: bad status and (never reached) bad year
    [
        "X-2",
        "Fel status",
        "Bjuvs kommun",
        "",
        "skola",
        "",
        "klar",
        "tjugo",
        "",
        "Text.",
        "",
        "",
        "",
        "",
        "",
        "",
        "ja",
    ],
    # line 6: bad email in the contact: nothing of the row is imported
    [
        "X-3",
        "Fel e-post",
        "Perstorps kommun",
        "",
        "skola",
        "",
        "idé",
        "",
        "",
        "Text.",
        "",
        "Per",
        "inte-en-adress",
        "",
        "",
        "",
        "ja",
    ],
    # line 7: a draft
    [
        "PER-PLAN",
        "Digitaliserade detaljplaner",
        "perstorp",
        "",
        "digitalisering",
        "",
        "Pågående",
        "2020",
        "",
        "Planerna blir sökbara.",
        "",
        "",
        "",
        "",
        "",
        "",
        "nej",
    ],
    # line 8: the same id twice
    [
        "PER-PLAN",
        "Dubblett",
        "perstorp",
        "",
        "digitalisering",
        "",
        "idé",
        "",
        "",
        "Text.",
        "",
        "",
        "",
        "",
        "",
        "",
        "ja",
    ],
    # line 9: end before start
    [
        "X-4",
        "Baklänges",
        "Bjuvs kommun",
        "",
        "skola",
        "",
        "genomförd",
        "2022",
        "2020",
        "Text.",
        "",
        "",
        "",
        "",
        "",
        "",
        "ja",
    ],
    # line 10: an unknown theme
    [
        "X-5",
        "Okänt tema",
        "Bjuvs kommun",
        "",
        "rymden",
        "",
        "idé",
        "",
        "",
        "Text.",
        "",
        "",
        "",
        "",
        "",
        "",
        "ja",
    ],
]
EXPECTED_PROBLEMS = [
    (4, "owner: no organisation or municipality called 'Malmö stad'"),
    (5, "status: 'klar' is not one of idé, planerad, pågående, genomförd, pausad, avbruten"),
    (6, "contact_email: 'inte-en-adress' is not an email address"),
    (8, "external_id: 'PER-PLAN' is already on line 7"),
    (9, "end_year: before start_year"),
    (10, "themes: unknown theme 'rymden'"),
]


def csv_file(rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_file(rows: list[list[str]] = ROWS) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(HEADER)
    for row in rows:
        # Spreadsheets hold numbers as numbers.
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(content: bytes, name: str, *, dry_run: bool = False):
    return import_catalogue(read_rows(io.BytesIO(content), name), dry_run=dry_run)


@pytest.mark.parametrize(("make", "name"), [(csv_file, "katalog.csv"), (xlsx_file, "katalog.xlsx")])
def test_good_rows_are_imported_bad_ones_reported_and_a_second_run_changes_nothing(
    make, name: str, events
) -> None:
    report = run(make(), name)
    assert [(p.line, p.reason) for p in report.problems] == EXPECTED_PROBLEMS
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    twin = Project.objects.get(external_id="HOG-TWIN")
    assert twin.municipality_id == "1284"
    assert sorted(twin.participants.values_list("slug", flat=True)) == ["bjuv", "helsingborg"]
    assert sorted(twin.themes.values_list("slug", flat=True)) == [
        "digitalisering",
        "samhallsbyggnad",
    ]
    assert sorted(twin.tags.values_list("name", flat=True)) == ["3d-modell", "öppna data"]
    assert str(twin.contacts.get().last_confirmed) == "2025-03-01"
    assert twin.links.get().url == "https://www.hoganas.example/tvilling"
    assert Project.objects.get(external_id="BAS-TWIN").borrowed_from == twin
    assert Project.objects.get(external_id="PER-PLAN").is_published is False
    assert not Project.objects.filter(external_id__startswith="X-").exists()
    assert len(events.of_type("catalogue.project_published")) == 2

    before = list(Project.objects.order_by("pk").values_list("pk", "updated_at"))
    again = run(make(), name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(Project.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_a_changed_row_updates_its_project_in_place(db: None) -> None:
    run(csv_file(), "a.csv")
    twin = Project.objects.get(external_id="HOG-TWIN")
    contact = twin.contacts.get()
    changed = [list(row) for row in ROWS]
    changed[1][9] = "En ny sammanfattning om tvillingen."
    report = run(csv_file(changed), "a.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    twin.refresh_from_db()
    assert twin.summary == "En ny sammanfattning om tvillingen."
    assert twin.contacts.get().pk == contact.pk  # the same contact, its links stay valid


def test_a_dry_run_checks_everything_and_saves_nothing(events) -> None:
    report = run(csv_file(), "a.csv", dry_run=True)
    assert report.created == 3
    assert len(report.problems) == len(EXPECTED_PROBLEMS)
    assert not Project.objects.exists()
    assert events.all() == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"title,owner\n", "a.pdf", "Unknown file type .pdf: use .csv or .xlsx."),
        (csv_file(header=[*HEADER[:-1], "colour"]), "a.csv", "Unknown columns: colour."),
        (b"title,owner\nA,B\n", "a.csv", "Missing columns: themes, status, summary."),
        (b"not a zip", "a.xlsx", "Not a readable XLSX file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    content: bytes, name: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message.replace(".", r"\.")):
        run(content, name)


def test_semicolon_separated_csv_from_swedish_excel_is_read(db: None) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Excel quotes the cells holding a ;
    writer.writerow(HEADER)
    writer.writerow(ROWS[1])
    report = run(out.getvalue().encode("cp1252"), "excel.csv")
    assert report.problems == []
    assert Project.objects.get().title == "Digital tvilling av Höganäs"


def test_the_command_reports_progress_problems_and_totals(tmp_path: Path) -> None:
    path = tmp_path / "katalog.csv"
    path.write_bytes(csv_file())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_catalogue", str(path), stdout=out, stderr=err, no_progress=True)
    assert failure.value.returncode == 2
    assert out.getvalue().strip() == "3 created, 0 updated, 0 unchanged, 6 rows with problems"
    assert "line 4: owner: no organisation or municipality called 'Malmö stad'" in err.getvalue()

    dry = StringIO()
    good = tmp_path / "bra.csv"
    good.write_bytes(csv_file([ROWS[1]]))
    call_command("import_catalogue", str(good), "--dry-run", stdout=dry, stderr=StringIO())
    assert dry.getvalue().strip() == (
        "dry run, nothing saved: 0 created, 0 updated, 1 unchanged, 0 rows with problems"
    )


def test_the_documented_columns_are_the_ones_the_import_reads() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "catalogue-import.md").read_text()
    for column in COLUMNS:
        if column.startswith("contact") and not column.startswith("contact_"):
            continue  # contact2_ ... contact5_: documented once as a pattern
        assert f"`{column}`" in documented, column
    assert "`contact2_name`" in documented


def test_staff_import_the_spreadsheet_in_the_admin(client) -> None:
    client.force_login(SuperuserFactory.create())
    page = client.get("/admin/catalogue/project/import/")
    assert page.status_code == 200
    upload = io.BytesIO(csv_file())
    upload.name = "katalog.csv"
    response = client.post("/admin/catalogue/project/import/", {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Malmö stad" in content  # the bad rows are listed with their reasons
    assert Project.objects.count() == 3
    assert (
        "/admin/catalogue/project/import/"
        in client.get("/admin/catalogue/project/").content.decode()
    )
