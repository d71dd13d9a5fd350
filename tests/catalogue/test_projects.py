"""Project detail, lineage, and editing by the owning organisation's editors."""

import io
import os
from typing import Any

import pytest
from rest_framework.test import APIClient

from catalogue.models import Project
from smartplatform.organisations.models import Membership, Organisation, Role
from tests.catalogue.factories import make_project, municipal_organisation
from tests.factories import StaffFactory, SuperuserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/projects/"


def member_of(organisation: Organisation, role: str) -> Any:
    user = verified_user()
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


@pytest.fixture
def hoganas() -> Organisation:
    return municipal_organisation("1284")


def person(who: str, hoganas: Organisation) -> Any:
    """A user in one role towards Höganäs kommun (None for anonymous)."""
    if who == "anonymous":
        return None
    if who in ("member", "editor", "admin"):
        return member_of(hoganas, Role(who))
    return {
        "resident": lambda: verified_user(),
        "editor_elsewhere": lambda: member_of(municipal_organisation("1283"), Role.EDITOR),
        "staff": lambda: verified_user(StaffFactory),
        "superuser": lambda: verified_user(SuperuserFactory),
    }[who]()


def new_project(**overrides: Any) -> dict[str, Any]:
    return {
        "owner": "hoganas",
        "title": "Digital tvilling av hamnen",
        "summary": "En 3D-modell av hamnen.",
        "method": "Drönarfoton och laserskanning.",
        "status": "ongoing",
        "start_year": 2024,
        "themes": ["digitalisering"],
        "tags": ["3D-modell", " Öppna  data ", "3d-modell"],
        "contacts": [
            {"name": "Karin Holm", "role": "GIS-samordnare", "email": "karin@hoganas.example"}
        ],
        "links": [{"kind": "website", "url": "www.hoganas.example/tvilling"}],
        **overrides,
    }


def test_an_editor_creates_a_draft_that_only_editors_see(hoganas: Organisation, events) -> None:
    editor = member_of(hoganas, Role.EDITOR)
    response = client_for(editor).post(URL, new_project(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_published"] is False
    assert body["slug"] == "digital-tvilling-av-hamnen"
    assert body["tags"] == ["3d-modell", "öppna data"]
    assert body["municipality"]["code"] == "1284"
    assert body["links"] == [
        {"kind": "website", "url": "https://www.hoganas.example/tvilling", "title": ""}
    ]
    assert body["contacts"][0]["email"] == "karin@hoganas.example"  # editors see it
    assert APIClient().get(f"{URL}{body['slug']}/").status_code == 404
    assert events.types() == []

    published = client_for(editor).post(f"{URL}{body['slug']}/publish/")
    assert published.status_code == 200
    assert events.of_type("catalogue.project_published") == [
        {"project_id": Project.objects.get().pk, "owner_id": hoganas.pk}
    ]
    public = APIClient().get(f"{URL}{body['slug']}/").json()
    assert public["contacts"] == [
        {
            "id": public["contacts"][0]["id"],
            "name": "Karin Holm",
            "role": "GIS-samordnare",
            "organisation": "",
            "last_confirmed": None,
        }
    ]
    # Found by search at once.
    found = APIClient().get(URL, {"search": "hamnen tvilling"}).json()["results"]
    assert [p["slug"] for p in found] == [body["slug"]]
    again = client_for(editor).post(f"{URL}{body['slug']}/publish/")
    assert again.status_code == 409
    assert again.json()["code"] == "project_publication_unchanged"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("member", 403),
        ("editor", 201),
        ("admin", 201),
        ("editor_elsewhere", 403),
        ("staff", 403),
        ("superuser", 201),
    ],
)
def test_who_may_create_a_project_for_an_organisation(
    hoganas: Organisation, who: str, expected: int
) -> None:
    response = client_for(person(who, hoganas)).post(URL, new_project(), format="json")
    assert response.status_code == expected, response.json()
    if expected >= 400:
        assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("member", 403),
        ("editor", 200),
        ("editor_elsewhere", 403),
        ("staff", 403),
        ("superuser", 200),
    ],
)
def test_who_may_edit_publish_and_delete_a_project(
    hoganas: Organisation, who: str, expected: int
) -> None:
    project = make_project("Gammal titel", owner="1284")
    client = client_for(person(who, hoganas))
    edit = client.patch(f"{URL}{project.slug}/", {"title": "Ny titel"}, format="json")
    assert edit.status_code == expected
    unpublish = client.post(f"{URL}{project.slug}/unpublish/")
    assert unpublish.status_code == expected
    delete = client.delete(f"{URL}{project.slug}/")
    assert delete.status_code == (204 if expected == 200 else expected)
    project_left = Project.objects.filter(pk=project.pk).first()
    if expected == 200:
        assert project_left is None
    else:
        assert project_left is not None
        assert (project_left.title, project_left.is_published) == ("Gammal titel", True)


def test_editing_changes_only_what_is_sent_and_reindexes(hoganas: Organisation) -> None:
    editor = member_of(hoganas, Role.EDITOR)
    project = make_project(
        "Solceller",
        owner="1284",
        summary="Solceller på taken.",
        tags=("energi",),
        contacts=({"name": "Karin Holm", "email": "karin@hoganas.example"},),
    )
    contact_id = project.contacts.get().pk
    response = client_for(editor).patch(
        f"{URL}{project.slug}/",
        {
            "summary": "Batterilager i skolan.",
            "contacts": [{"id": contact_id, "name": "Karin Holm", "role": "Energistrateg"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["tags"]) == ("Solceller", ["energi"])
    assert body["contacts"][0]["id"] == contact_id  # kept, so its reply links still work
    assert body["contacts"][0]["role"] == "Energistrateg"
    assert [
        p["slug"] for p in APIClient().get(URL, {"search": "batterilager"}).json()["results"]
    ] == [project.slug]
    assert APIClient().get(URL, {"search": "solceller"}).json()["count"] == 1  # the title
    assert APIClient().get(URL, {"search": "taken"}).json()["count"] == 0  # the old summary


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"themes": []}, "themes", "invalid"),
        ({"themes": ["rymden"]}, "themes", "invalid"),
        ({"status": "klar"}, "status", "invalid"),
        ({"start_year": 2022, "end_year": 2020}, "end_year", "years_out_of_order"),
        ({"is_published": True}, "is_published", "invalid"),
        ({"created_by": 1}, "created_by", "invalid"),
        ({"contacts": [{"name": "X", "email": "inte-en-adress"}]}, "contacts", "invalid"),
        ({"links": [{"kind": "podcast", "url": "https://x.example"}]}, "links", "invalid"),
        ({"owner": "finns-inte"}, "owner", "invalid"),
        ({"borrowed_from": "finns-inte"}, "borrowed_from", "invalid"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    hoganas: Organisation, payload: dict[str, Any], field: str, code: str
) -> None:
    editor = member_of(hoganas, Role.EDITOR)
    response = client_for(editor).post(URL, new_project(**payload), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


def test_the_owner_of_a_project_cannot_be_changed_by_editing(hoganas: Organisation) -> None:
    project = make_project(owner="1284")
    editor = member_of(hoganas, Role.EDITOR)
    response = client_for(editor).patch(
        f"{URL}{project.slug}/", {"owner": "helsingborg"}, format="json"
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.owner == hoganas


def test_an_association_names_its_municipality(db: None) -> None:
    association = Organisation.objects.create(
        name="Grannhjälpen", slug="grannhjalpen", kind=Organisation.Kind.ASSOCIATION
    )
    editor = member_of(association, Role.EDITOR)
    response = client_for(editor).post(URL, new_project(owner="grannhjalpen"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "municipality_required"
    response = client_for(editor).post(
        URL, new_project(owner="grannhjalpen", municipality="1283"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["municipality"]["code"] == "1283"


def test_lineage_shows_both_ways_and_counts_the_borrowing_municipalities(db: None) -> None:
    original = make_project("Digital tvilling", owner="1284", start_year=2019)
    make_project("Tvilling i Båstad", owner="1278", borrowed_from=original, start_year=2022)
    make_project("Tvilling i Ängelholm", owner="1292", borrowed_from=original, start_year=2023)
    make_project("Tvilling 2 i Ängelholm", owner="1292", borrowed_from=original, start_year=2024)
    make_project("Utkast", owner="1260", borrowed_from=original, published=False)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="sv")
    detail = client.get(f"{URL}{original.slug}/").json()
    assert [p["title"] for p in detail["reused_by"]] == [
        "Tvilling i Båstad",
        "Tvilling i Ängelholm",
        "Tvilling 2 i Ängelholm",
    ]
    assert detail["reuse_summary"] == "2 kommuner har återanvänt metoden"
    assert detail["reuse_count"] == 3
    borrower = client.get(f"{URL}tvilling-i-bastad/").json()
    assert borrower["borrowed_from"]["slug"] == original.slug
    assert borrower["borrowed_from"]["municipality"]["name"] == "Höganäs"


def test_a_project_cannot_borrow_from_its_own_copy(hoganas: Organisation) -> None:
    original = make_project("Original", owner="1284")
    copy = make_project("Kopia", owner="1284", borrowed_from=original)
    editor = member_of(hoganas, Role.EDITOR)
    response = client_for(editor).patch(
        f"{URL}{original.slug}/", {"borrowed_from": copy.slug}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_lineage"


def test_detail_runs_a_fixed_number_of_queries(db: None, django_assert_max_num_queries) -> None:
    original = make_project("Original", owner="1284", contacts=({"name": "A"}, {"name": "B"}))
    for code in ("1278", "1292", "1260", "1283"):
        make_project(owner=code, borrowed_from=original)
    with django_assert_max_num_queries(12):
        assert APIClient().get(f"{URL}{original.slug}/").status_code == 200


def test_similar_projects_share_themes_tags_and_words(db: None) -> None:
    project = make_project(
        "Digital tvilling av Höganäs", themes=("digitalisering", "samhallsbyggnad"), tags=("3d",)
    )
    close = make_project("Digital tvilling av Båstad", themes=("samhallsbyggnad",), tags=("3d",))
    far = make_project("Cykelpool", themes=("mobilitet",))
    some = make_project("E-tjänster", themes=("digitalisering",))
    make_project("Utkast tvilling", themes=("samhallsbyggnad",), tags=("3d",), published=False)
    response = APIClient().get(f"{URL}{project.slug}/similar/")
    assert response.status_code == 200
    slugs = [p["slug"] for p in response.json()]
    assert slugs == [close.slug, some.slug]
    assert far.slug not in slugs


def test_unknown_project_is_a_json_404(db: None) -> None:
    response = APIClient().get(f"{URL}finns-inte/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _picture(size: tuple[int, int] = (3000, 1500)) -> Any:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", size, (0, 90, 60)).save(picture, format="PNG")
    picture.seek(0)
    picture.name = "hamnen.png"
    return picture


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("member", 403),
        ("editor_elsewhere", 403),
        ("editor", 200),
        ("admin", 200),
        ("superuser", 200),
    ],
)
def test_editors_set_the_cover_image(hoganas, settings, tmp_path, who, status) -> None:
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    project = make_project(owner="1284")

    response = client_for(person(who, hoganas)).put(
        f"{URL}{project.slug}/cover/", {"image": _picture()}, format="multipart"
    )

    assert response.status_code == status
    project.refresh_from_db()
    if status == 200:
        assert response.json()["cover_image"].endswith(".jpg")
        with Image.open(project.cover_image.path) as stored:
            assert stored.size == (1600, 800)
    else:
        assert not project.cover_image


def test_a_cover_that_is_no_picture_is_refused_and_a_cover_can_be_removed(
    hoganas, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = tmp_path
    project = make_project(owner="1284")
    editor = client_for(member_of(hoganas, Role.EDITOR))
    not_a_picture = io.BytesIO(b"%PDF-1.4 not a picture")
    not_a_picture.name = "rapport.png"

    refused = editor.put(
        f"{URL}{project.slug}/cover/", {"image": not_a_picture}, format="multipart"
    )
    editor.put(f"{URL}{project.slug}/cover/", {"image": _picture((800, 600))}, format="multipart")
    stored = Project.objects.get(pk=project.pk).cover_image.path
    with django_capture_on_commit_callbacks(execute=True):
        removed = editor.delete(f"{URL}{project.slug}/cover/")

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_image"
    assert removed.status_code == 200
    assert removed.json()["cover_image"] is None
    assert not Project.objects.get(pk=project.pk).cover_image
    assert not os.path.exists(stored)


def test_similar_projects_include_one_about_the_same_thing_under_other_themes(db: None) -> None:
    project = make_project(
        "Digital tvilling av Höganäs",
        summary="En stadsmodell i 3D där planerade hus visas för invånarna.",
        themes=("samhallsbyggnad",),
    )
    twin = make_project(
        "Virtuell stadsmodell i Klippan",
        summary="Vi visar nya bostäder i en digital tvilling av centrum.",
        themes=("mobilitet",),
    )
    make_project("Cykelpool", summary="Lånecyklar vid stationen.", themes=("mobilitet",))

    slugs = [p["slug"] for p in APIClient().get(f"{URL}{project.slug}/similar/").json()]

    assert slugs == [twin.slug]
