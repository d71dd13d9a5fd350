"""The open catalogue's list: search through the Swedish analyser, filters, facets."""

import itertools
import random
from typing import Any

import pytest
from rest_framework.test import APIClient

from catalogue.models import Project
from tests.catalogue.factories import make_project
from tests.factories import StaffFactory, SuperuserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalogue/projects/"


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [project["slug"] for project in response.json()["results"]]


@pytest.fixture
def catalogue(db: None) -> dict[str, Project]:
    """The projects the municipalities cite, and decoys sharing one word with each."""
    return {
        "twin": make_project(
            "Digital tvilling av Höganäs",
            owner="1284",
            summary="En digital tvilling: en 3D-modell av kommunen för planering och dialog.",
            themes=("digitalisering", "samhallsbyggnad"),
            tags=("3d-modell",),
        ),
        "dialog": make_project(
            "Digital medborgardialog",
            owner="1283",
            summary="Invånarna tycker till digitalt om nya parker.",
            themes=("delaktighet-och-demokrati",),
        ),
        "twin_towns": make_project(
            "Vänorter och tvillingstäder",
            owner="1282",
            summary="Utbyte med våra vänorter i Danmark.",
            themes=("kultur-och-fritid",),
        ),
        "plans": make_project(
            "Digitaliserade detaljplaner",
            owner="1275",
            summary="Gamla inskannade detaljplaner blir maskinläsbara och sökbara.",
            themes=("digitalisering", "samhallsbyggnad"),
            status=Project.Status.ONGOING,
            start_year=2019,
        ),
        "smartmat": make_project(
            "SmartMat",
            owner="1283",
            summary="Vi halverade matsvinnet i skolans måltider.",
            themes=("skola", "miljo-och-energi"),
            start_year=2018,
            end_year=2020,
        ),
        "bus": make_project(
            "Skolskjuts på landsbygden",
            owner="1276",
            summary="Smartare planering av skolskjutsar.",
            themes=("mobilitet", "skola"),
        ),
        "care_waste": make_project(
            "Mindre matsvinn i äldreomsorgen",
            owner="1292",
            summary="Matsvinn i äldreboendenas kök halverades.",
            themes=("vard-och-omsorg",),
        ),
    }


def test_anonymous_search_finds_the_digital_twin_first(catalogue: dict[str, Project]) -> None:
    found = slugs(APIClient().get(URL, {"search": "digital tvilling"}))
    assert found[0] == catalogue["twin"].slug
    # Every word must match: the decoys share one word each.
    assert catalogue["dialog"].slug not in found
    assert catalogue["twin_towns"].slug not in found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("detaljplanen", "plans"),
        ("planer", "plans"),
        ("matsvinn skola", "smartmat"),
        ("hoganas tvilling", "twin"),
        ("HÖGANÄS", "twin"),
    ],
)
def test_inflections_compounds_and_missing_diacritics_find_the_project(
    catalogue: dict[str, Project], query: str, expected: str
) -> None:
    found = slugs(APIClient().get(URL, {"search": query}))
    assert found[0] == catalogue[expected].slug


def test_matsvinn_skola_leaves_out_projects_with_only_one_of_the_words(
    catalogue: dict[str, Project],
) -> None:
    found = slugs(APIClient().get(URL, {"search": "matsvinn skola"}))
    assert found == [catalogue["smartmat"].slug]


def test_a_title_match_ranks_above_a_mention_in_the_method(db: None) -> None:
    mention = make_project(
        "Öppna data", summary="Kommunens data öppnas.", method="Vi använde en solcellskarta."
    )
    title = make_project("Solceller på skolans tak", summary="Solceller på taken.")
    assert slugs(APIClient().get(URL, {"search": "solceller"})) == [title.slug, mention.slug]


def test_words_standing_together_rank_above_scattered_ones(db: None) -> None:
    scattered = make_project(
        "Projekt A",
        summary="Digital skylt vid hamnen.",
        method="Ett långt arbete med många steg där vi till slut också tog fram en tvilling.",
    )
    together = make_project(
        "Projekt B",
        summary="Kartor för hamnen.",
        method="Ett långt arbete med många steg där vi till slut tog fram en digital tvilling.",
    )
    assert slugs(APIClient().get(URL, {"search": "digital tvilling"})) == [
        together.slug,
        scattered.slug,
    ]


def test_search_reaches_tags_themes_and_organisations(catalogue: dict[str, Project]) -> None:
    assert slugs(APIClient().get(URL, {"search": "3d-modell"})) == [catalogue["twin"].slug]
    assert catalogue["bus"].slug in slugs(APIClient().get(URL, {"search": "mobilitet"}))
    assert catalogue["bus"].slug in slugs(APIClient().get(URL, {"search": "klippans"}))


def test_a_query_of_stop_words_lists_everything(catalogue: dict[str, Project]) -> None:
    assert len(slugs(APIClient().get(URL, {"search": "och i"}))) == len(catalogue)


def test_filters_by_municipality_code_or_slug_repeatable(catalogue: dict[str, Project]) -> None:
    found = slugs(APIClient().get(URL, {"municipality": ["1284", "perstorp"]}))
    assert sorted(found) == sorted([catalogue["twin"].slug, catalogue["plans"].slug])


def test_filters_by_theme_status_tag_and_contact(catalogue: dict[str, Project]) -> None:
    client = APIClient()
    assert sorted(slugs(client.get(URL, {"theme": ["skola", "vard-och-omsorg"]}))) == sorted(
        [catalogue["smartmat"].slug, catalogue["bus"].slug, catalogue["care_waste"].slug]
    )
    assert slugs(client.get(URL, {"status": "ongoing"})) == [catalogue["plans"].slug]
    assert slugs(client.get(URL, {"tag": "3D-modell"})) == [catalogue["twin"].slug]
    with_contact = make_project("Med kontakt", contacts=({"name": "Karin Holm"},))
    assert slugs(client.get(URL, {"has_contact": "true"})) == [with_contact.slug]
    assert with_contact.slug not in slugs(client.get(URL, {"has_contact": "false"}))


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ({"year_from": 2021}, {"plans", "late", "open"}),  # ended 2020 drops out
        ({"year_to": 2018}, {"smartmat"}),
        ({"year_from": 2019, "year_to": 2019}, {"smartmat", "plans"}),
        ({"year_from": 2030}, {"open"}),  # still running, no end year
    ],
)
def test_year_filters_match_projects_whose_years_overlap_the_range(
    db: None, years: dict[str, int], expected: set[str]
) -> None:
    projects = {
        "smartmat": make_project("a", start_year=2018, end_year=2020),
        "plans": make_project("b", start_year=2019, end_year=2022),
        "late": make_project("c", start_year=2023, end_year=2024),
        "open": make_project("d", start_year=2024, end_year=None, status="ongoing"),
        "unknown": make_project("e", start_year=None),
    }
    found = set(slugs(APIClient().get(URL, years)))
    assert found == {projects[name].slug for name in expected}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"municipality": "9999"}, "municipality"),
        ({"municipality": "malmo"}, "municipality"),
        ({"theme": "rymden"}, "theme"),
        ({"status": "klar"}, "status"),
        ({"year_from": "tjugo"}, "year_from"),
        ({"year_from": 2022, "year_to": 2020}, "year_to"),
        ({"ordering": "popularity"}, "ordering"),
        ({"has_contact": "kanske"}, "has_contact"),
        ({"page_size": 500}, "page_size"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(
    db: None, params: dict[str, Any], field: str
) -> None:
    response = APIClient().get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_facets_count_the_set_filtered_by_every_other_filter(
    catalogue: dict[str, Project],
) -> None:
    response = APIClient().get(URL, {"theme": "digitalisering", "municipality": "1284"})
    facets = response.json()["facets"]
    # Municipality facet: every other filter (theme) applies, its own does not.
    assert {e["value"]: e["count"] for e in facets["municipality"]} == {"1284": 1, "1275": 1}
    assert {"value": "1284", "label": "Höganäs", "count": 1} in facets["municipality"]
    # Theme facet: only Höganäs' projects, any theme.
    assert {e["value"]: e["count"] for e in facets["theme"]} == {
        "digitalisering": 1,
        "samhallsbyggnad": 1,
    }
    assert {e["value"]: e["count"] for e in facets["status"]} == {"completed": 1}


def _expected_facets(projects: list[Project], filters: dict[str, list[str]]) -> dict[str, Any]:
    def passes(project: Project, leaving_out: str) -> bool:
        checks = {
            "municipality": lambda p, v: p.municipality_id in v,
            "theme": lambda p, v: bool({t.slug for t in p.themes.all()} & set(v)),
            "status": lambda p, v: p.status in v,
        }
        return all(
            checks[name](project, values)
            for name, values in filters.items()
            if values and name != leaving_out
        )

    counts: dict[str, dict[str, int]] = {"municipality": {}, "theme": {}, "status": {}}
    for project in projects:
        if passes(project, "municipality"):
            key = project.municipality_id
            counts["municipality"][key] = counts["municipality"].get(key, 0) + 1
        if passes(project, "theme"):
            for theme in project.themes.all():
                counts["theme"][theme.slug] = counts["theme"].get(theme.slug, 0) + 1
        if passes(project, "status"):
            counts["status"][project.status] = counts["status"].get(project.status, 0) + 1
    for name, values in filters.items():
        for value in values:
            counts[name].setdefault(value, 0)
    return counts


def test_facet_counts_match_the_filtered_sets_exactly_for_many_combinations(db: None) -> None:
    rng = random.Random(7)
    codes = ["1283", "1284", "1275", "1260"]
    themes = ["digitalisering", "skola", "mobilitet", "trygghet"]
    statuses = ["completed", "ongoing", "idea"]
    projects = [
        make_project(
            f"Projekt {i}",
            owner=rng.choice(codes),
            themes=tuple(rng.sample(themes, rng.randint(1, 2))),
            status=rng.choice(statuses),
        )
        for i in range(24)
    ]
    client = APIClient()
    for municipality, theme, status in itertools.product(
        [[], ["1283"], ["1284", "1260"]], [[], ["skola"], ["mobilitet", "trygghet"]], [[], ["idea"]]
    ):
        filters: dict[str, Any] = {"municipality": municipality, "theme": theme, "status": status}
        response = client.get(URL, {**filters, "page_size": 100})
        body = response.json()
        got = {
            name: {e["value"]: e["count"] for e in entries}
            for name, entries in body["facets"].items()
        }
        assert got == _expected_facets(projects, filters), filters
        # The list itself is the set every filter lets through.
        everything = _expected_facets(projects, filters)["status"]
        in_list = sum(n for value, n in everything.items() if not status or value in status)
        assert body["count"] == in_list


def test_the_list_runs_a_constant_number_of_queries(db: None, assert_constant_queries: Any) -> None:
    def make_rows(n: int) -> None:
        for _ in range(n):
            make_project(
                themes=("skola", "mobilitet"),
                tags=("a", "b"),
                contacts=({"name": "Karin"},),
            )

    assert_constant_queries(APIClient(), f"{URL}?search=projekt&page_size=100", make_rows)


def test_drafts_are_seen_only_by_their_editors_and_staff(db: None) -> None:
    from smartplatform.organisations.models import Membership, Role

    draft = make_project("Utkast om tvilling", owner="1284", published=False)
    public = make_project("Publicerad tvilling", owner="1284")
    editor = verified_user()
    Membership.objects.create(organisation=draft.owner, user=editor, role=Role.EDITOR)
    member = verified_user()
    Membership.objects.create(organisation=draft.owner, user=member, role=Role.MEMBER)
    params = {"search": "tvilling"}
    assert slugs(APIClient().get(URL, params)) == [public.slug]
    assert slugs(client_for(member).get(URL, params)) == [public.slug]
    assert set(slugs(client_for(editor).get(URL, params))) == {draft.slug, public.slug}
    assert set(slugs(client_for(StaffFactory.create()).get(URL, params))) == {
        draft.slug,
        public.slug,
    }
    assert APIClient().get(f"{URL}{draft.slug}/").status_code == 404
    assert client_for(editor).get(f"{URL}{draft.slug}/").status_code == 200


def test_a_list_entry_says_what_a_visitor_needs(catalogue: dict[str, Project]) -> None:
    response = APIClient(HTTP_ACCEPT_LANGUAGE="sv").get(URL, {"search": "detaljplaner"})
    entry = response.json()["results"][0]
    assert entry == {
        "slug": "digitaliserade-detaljplaner",
        "title": "Digitaliserade detaljplaner",
        "summary": "Gamla inskannade detaljplaner blir maskinläsbara och sökbara.",
        "owner": {"slug": "perstorp", "name": "Perstorps kommun", "kind": "municipality"},
        "municipality": {"code": "1275", "name": "Perstorp", "slug": "perstorp"},
        "themes": [
            {"slug": "digitalisering", "name": "Digitalisering"},
            {"slug": "samhallsbyggnad", "name": "Samhällsbyggnad"},
        ],
        "tags": [],
        "status": {"value": "ongoing", "label": "Pågående"},
        "start_year": 2019,
        "end_year": None,
        "has_contact": False,
        "reuse_count": 0,
        "cover_image": None,
        "is_published": True,
        "updated_at": entry["updated_at"],
    }


def test_themes_list_with_published_project_counts(catalogue: dict[str, Project]) -> None:
    make_project("Utkast", themes=("skola",), published=False)
    themes = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/catalogue/themes/").json()
    assert [t["slug"] for t in themes][:3] == ["digitalisering", "mobilitet", "samhallsbyggnad"]
    school = next(t for t in themes if t["slug"] == "skola")
    assert school == {"slug": "skola", "name": "School", "description": "", "project_count": 2}


def test_the_demo_catalogue_answers_the_searches_the_municipalities_cite(db: None) -> None:
    from catalogue.demo import PROJECTS_FILE
    from catalogue.importing import import_catalogue, read_rows

    with PROJECTS_FILE.open("rb") as stream:
        assert import_catalogue(read_rows(stream, PROJECTS_FILE.name)).problems == []
    client = APIClient()

    def first(query: str) -> str:
        response = client.get(URL, {"search": query})
        return response.json()["results"][0]["slug"]

    by_id = dict(Project.objects.values_list("external_id", "slug"))
    assert first("digital tvilling") == by_id["HOG-TWIN"]
    assert first("hoganas tvilling") == by_id["HOG-TWIN"]
    assert by_id["PER-PLAN"] in slugs(client.get(URL, {"search": "detaljplanen"}))
    assert by_id["PER-PLAN"] in slugs(client.get(URL, {"search": "planer"}))
    assert first("matsvinn skola") == by_id["SMARTMAT"]
    assert first("det bjuva livet") == by_id["BJU-BJUVA"]


def test_renamed_organisations_and_themes_are_found_by_their_new_names(db: None) -> None:
    from catalogue.models import Theme
    from smartplatform.core.events import relay_events
    from smartplatform.organisations.models import Organisation
    from smartplatform.organisations.services import update_organisation
    from tests.catalogue.factories import municipal_organisation

    club = Organisation.objects.create(name="Syföreningen", slug="syforeningen", kind="other")
    project = make_project(
        "Lappcafé", owner="1284", participants=(club,), themes=("kultur-och-fritid",)
    )
    staff = StaffFactory.create()

    update_organisation(organisation=club, actor=staff, name="Stickklubben Garnet")
    theme = Theme.objects.get(slug="kultur-och-fritid")
    from django.test import Client

    admin = Client()
    admin.force_login(SuperuserFactory.create())
    form = {"name": "Konst och hantverk", "slug": theme.slug, "name_en": "Arts", "position": 1}
    assert admin.post(f"/admin/catalogue/theme/{theme.pk}/change/", form).status_code == 302
    relay_events()

    for words in ("stickklubben", "garnet", "hantverk"):
        assert slugs(APIClient().get(URL, {"search": words})) == [project.slug], words
    assert slugs(APIClient().get(URL, {"search": "syforeningen"})) == []
    assert municipal_organisation("1284").name == "Höganäs kommun"


def test_the_written_out_list_entry_equals_the_generic_rendering(
    db: None, settings, tmp_path
) -> None:
    import io

    from django.core.files.base import ContentFile
    from PIL import Image
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from catalogue import selectors
    from catalogue.serializers import ProjectListSerializer

    settings.MEDIA_ROOT = tmp_path
    source = make_project("Källan", tags=("öppna data", "3d"), themes=("digitalisering", "skola"))
    make_project("Kopian", borrowed_from=source)
    picture = io.BytesIO()
    Image.new("RGB", (10, 10)).save(picture, format="JPEG")
    source.cover_image.save("omslag.jpg", ContentFile(picture.getvalue()))
    plain = make_project("Utan omslag", start_year=None, published=False)
    request = APIRequestFactory().get("/api/v1/catalogue/projects/")

    for project in selectors.projects_for_list([source.pk, plain.pk]):
        serializer = ProjectListSerializer(context={"request": request})
        written_out = serializer.to_representation(project)
        generic = serializers.ModelSerializer.to_representation(serializer, project)
        assert written_out == generic
    assert written_out["cover_image"] is None
