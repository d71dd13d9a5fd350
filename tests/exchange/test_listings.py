"""Listings: their life from draft to closed, who may move them, what each reader sees."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import listings
from exchange.models import Block, BlockedWord, Listing
from smartplatform.organisations.models import Membership, Municipality, Organisation, Role
from tests.exchange.factories import make_listing, resident
from tests.factories import StaffFactory, SuperuserFactory, client_for, verified_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/listings/"
ADDRESS = "Storgatan 12, 252 21 Helsingborg"


def new_listing(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "offer",
        "category": "service",
        "title": "Hjälp i trädgården",
        "description": "Pensionär som gärna klipper gräsmattor och rensar rabatter.",
        "tags": ["Trädgård", " gräsklippning "],
        "municipality": "helsingborg",
        "latitude": 56.046467,
        "longitude": 12.694512,
        "address": ADDRESS,
        "compensation": "time_credits",
        "hours": "2",
        "availability": "Vardagar efter lunch",
        **overrides,
    }


@pytest.fixture
def club() -> Organisation:
    return Organisation.objects.create(
        name="Föreningen Grannar", slug="grannar", kind="association", is_verified=True
    )


def moderator(code: str) -> Any:
    user = verified_user(StaffFactory)
    user.moderated_municipalities.add(Municipality.objects.get(code=code))
    return user


def person(who: str, listing: Listing, club: Organisation) -> Any:
    if who == "anonymous":
        return None
    if who == "owner":
        return listing.owner
    if who == "editor":
        user = verified_user()
        Membership.objects.create(organisation=club, user=user, role=Role.EDITOR)
        return user
    if who == "blocked":
        user = resident()
        Block.objects.create(blocker=listing.owner, blocked=user)
        return user
    return {
        "resident": lambda: resident(),
        "moderator_here": lambda: moderator("1283"),
        "moderator_elsewhere": lambda: moderator("1284"),
        "superuser": lambda: verified_user(SuperuserFactory),
    }[who]()


# --- Creating and publishing ----------------------------------------------------------------


def test_a_resident_creates_a_draft_and_publishes_it(events) -> None:
    owner = resident()
    client = client_for(owner, "sv")

    created = client.post(URL, new_listing())

    assert created.status_code == 201
    body = created.json()
    assert body["state"] == {"value": "draft", "label": "Utkast"}
    assert body["tags"] == ["gräsklippning", "trädgård"]
    assert body["address"] == ADDRESS
    assert body["location"] == {"latitude": 56.046467, "longitude": 12.694512, "exact": True}
    assert body["compensation"] == {"type": "time_credits", "hours": "2.00", "amount_sek": None}
    assert APIClient().get(f"{URL}{body['id']}/").status_code == 404  # drafts are private

    published = client.post(f"{URL}{body['id']}/publish/")

    assert published.status_code == 200
    assert published.json()["state"]["value"] == "published"
    expires = Listing.objects.get(pk=body["id"]).expires_at
    assert expires is not None
    assert timedelta(days=89) < expires - timezone.now() <= timedelta(days=90)
    assert events.of_type("listing.published") == [{"listing": body["id"], "owner": owner.pk}]


def test_a_resident_not_yet_established_waits_for_review(events) -> None:
    newcomer = resident(established=False)
    client = client_for(newcomer)
    listing_id = client.post(URL, new_listing()).json()["id"]

    response = client.post(f"{URL}{listing_id}/publish/")

    assert response.json()["state"]["value"] == "pending_review"
    assert events.of_type("listing.submitted_for_review") == [
        {"listing": listing_id, "reason": "not_established", "municipality": "1283"}
    ]
    assert APIClient().get(f"{URL}{listing_id}/").status_code == 404


def test_a_verified_organisation_publishes_at_once(club) -> None:
    editor = resident(established=False)
    Membership.objects.create(organisation=club, user=editor, role=Role.EDITOR)
    client = client_for(editor)
    listing_id = client.post(URL, new_listing(organisation="grannar")).json()["id"]

    response = client.post(f"{URL}{listing_id}/publish/")

    assert response.json()["state"]["value"] == "published"
    assert response.json()["organisation"] == {
        "slug": "grannar",
        "name": "Föreningen Grannar",
        "is_verified": True,
    }


def test_only_an_editor_publishes_for_an_organisation(club) -> None:
    member = resident()
    Membership.objects.create(organisation=club, user=member, role=Role.MEMBER)

    response = client_for(member).post(URL, new_listing(organisation="grannar"))

    assert response.status_code == 400
    assert response.json()["code"] == "not_an_editor_of_that_organisation"


def test_a_blocked_word_sends_even_an_established_residents_listing_to_review() -> None:
    BlockedWord.objects.create(word="Viagra")
    client = client_for(resident())
    listing_id = client.post(URL, new_listing(description="Billig VIAGRA här")).json()["id"]

    assert client.post(f"{URL}{listing_id}/publish/").json()["state"]["value"] == "pending_review"


def test_editing_a_published_listing_runs_the_rules_again(events) -> None:
    BlockedWord.objects.create(word="kontant betalning")
    listing = make_listing()
    client = client_for(listing.owner)

    fine = client.patch(f"{URL}{listing.pk}/", {"title": "Hjälp med trädgård och häck"})
    flagged = client.patch(
        f"{URL}{listing.pk}/", {"description": "Endast kontant  betalning, tack."}
    )

    assert fine.json()["state"]["value"] == "published"
    assert flagged.json()["state"]["value"] == "pending_review"
    assert events.of_type("listing.submitted_for_review")[-1]["reason"] == "blocked_word"


# --- Transitions ----------------------------------------------------------------------------


def test_the_owner_pauses_resumes_renews_and_closes() -> None:
    listing = make_listing()
    client = client_for(listing.owner)
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() + timedelta(days=3))

    assert client.post(f"{URL}{listing.pk}/pause/").json()["state"]["value"] == "paused"
    assert APIClient().get(f"{URL}{listing.pk}/").status_code == 404  # paused: not shown
    assert client.post(f"{URL}{listing.pk}/resume/").json()["state"]["value"] == "published"
    renewed = client.post(f"{URL}{listing.pk}/renew/")
    assert renewed.status_code == 200
    expires = Listing.objects.get(pk=listing.pk).expires_at
    assert expires is not None
    assert expires > timezone.now() + timedelta(days=89)
    assert client.post(f"{URL}{listing.pk}/close/").json()["state"]["value"] == "closed"
    reopened = client.post(f"{URL}{listing.pk}/renew/")
    assert reopened.json()["state"]["value"] == "published"


@pytest.mark.parametrize(
    ("move", "state"),
    [
        ("resume", "published"),
        ("publish", "published"),
        ("pause", "draft"),
        ("close", "draft"),
        ("renew", "draft"),
    ],
)
def test_an_illegal_move_is_a_409_naming_the_state(move: str, state: str) -> None:
    listing = make_listing(published=state == "published")

    response = client_for(listing.owner).post(f"{URL}{listing.pk}/{move}/")

    assert response.status_code == 409
    assert response.json()["code"] == "listing_transition_not_allowed"
    assert response.json()["state"] == state


def test_only_drafts_are_deleted() -> None:
    draft = make_listing(published=False)
    shown = make_listing()

    assert client_for(draft.owner).delete(f"{URL}{draft.pk}/").status_code == 204
    refused = client_for(shown.owner).delete(f"{URL}{shown.pk}/")
    assert refused.status_code == 409
    assert Listing.objects.filter(pk=shown.pk).exists()


# --- Who may do what ----------------------------------------------------------------------

WHO = (
    "anonymous",
    "owner",
    "resident",
    "editor",
    "moderator_here",
    "moderator_elsewhere",
    "superuser",
)


@pytest.mark.parametrize(
    ("who", "sees_draft", "may_edit"),
    [
        ("anonymous", 404, 401),
        ("owner", 200, 200),
        ("resident", 404, 404),
        ("blocked", 404, 404),
        ("editor", 200, 200),
        ("moderator_here", 200, 403),
        ("moderator_elsewhere", 404, 404),
        ("superuser", 200, 200),
    ],
)
def test_the_matrix_for_a_draft_of_an_organisation(
    club: Organisation, who: str, sees_draft: int, may_edit: int
) -> None:
    owner = resident()
    Membership.objects.create(organisation=club, user=owner, role=Role.EDITOR)
    listing = make_listing(owner=owner, organisation=club, published=False)
    client = client_for(person(who, listing, club))

    seen = client.get(f"{URL}{listing.pk}/")
    edited = client.patch(f"{URL}{listing.pk}/", {"title": "Ny rubrik"})
    deleted = client.delete(f"{URL}{listing.pk}/")

    assert seen.status_code == sees_draft
    assert edited.status_code == may_edit
    assert deleted.status_code == (204 if may_edit == 200 else may_edit)
    assert Listing.objects.filter(pk=listing.pk).exists() is (may_edit != 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("owner", 200),
        ("resident", 404),
        ("blocked", 404),
        ("editor", 200),
        ("moderator_here", 403),
        ("moderator_elsewhere", 404),
        ("superuser", 200),
    ],
)
def test_the_matrix_for_moves(club: Organisation, who: str, status: int) -> None:
    owner = resident()
    Membership.objects.create(organisation=club, user=owner, role=Role.EDITOR)
    draft = make_listing(owner=owner, organisation=club, published=False)
    shown = make_listing(owner=owner, organisation=club)
    client = client_for(person(who, draft, club))

    published = client.post(f"{URL}{draft.pk}/publish/")
    paused = client.post(f"{URL}{shown.pk}/pause/")

    assert published.status_code == status
    # A published listing is visible to all but the blocked: strangers get 403 there.
    expected = 404 if who == "blocked" else {404: 403}.get(status, status)
    assert paused.status_code == expected
    if status == 403:
        assert published.json()["code"] == "not_your_listing"


@pytest.mark.parametrize("who", WHO)
def test_everyone_reads_a_published_listing_but_only_managers_see_the_address(
    club: Organisation, who: str
) -> None:
    listing = make_listing(
        latitude=56.046467, longitude=12.694512, address=ADDRESS, owner=resident()
    )
    viewer = person(who, listing, club)
    response = client_for(viewer).get(f"{URL}{listing.pk}/")
    listed = client_for(viewer).get(URL)

    if who == "blocked":
        assert response.status_code == 404
        assert listed.json()["results"] == []
        return
    assert response.status_code == 200
    manager = who in ("owner", "superuser")
    body = response.json()
    assert body["can_manage"] is manager
    assert (body["address"] == ADDRESS) is manager
    assert body["location"]["exact"] is manager
    if not manager:
        assert body["address"] is None
        assert body["location"] == {"latitude": 56.05, "longitude": 12.69, "exact": False}
        assert ADDRESS not in response.content.decode()
        assert ADDRESS not in listed.content.decode()
        assert "56.046467" not in listed.content.decode()


# --- Listing and searching ----------------------------------------------------------------


def test_filters_and_search_find_the_right_listings() -> None:
    garden = make_listing(
        "Hjälp i trädgården",
        description="Jag klipper gräsmattor.",
        tags=["trädgård"],
        compensation="time_credits",
        hours=2,
    )
    car = make_listing(
        "Elbil att låna",
        kind="offer",
        category="car",
        municipality=Municipality.objects.get(code="1284"),
        latitude=56.2,
        longitude=12.55,
    )
    lesson = make_listing(
        "Söker hjälp med Excel",
        kind="request",
        category="expertise",
        remote=True,
        compensation="paid",
        amount_sek=300,
    )
    make_listing("Utkast", published=False)
    client = APIClient()

    def ids(**params: Any) -> list[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert sorted(ids()) == sorted([garden.pk, car.pk, lesson.pk])
    assert ids(kind="request") == [lesson.pk]
    assert ids(category="car") == [car.pk]
    assert ids(municipality="hoganas") == [car.pk]
    assert ids(tag="Trädgård") == [garden.pk]
    assert sorted(ids(compensation=["paid", "time_credits"])) == sorted([lesson.pk, garden.pk])
    assert ids(remote="true") == [lesson.pk]
    assert ids(search="tradgard") == [garden.pk]
    assert ids(search="gräsmattan") == [garden.pk]
    assert ids(search="elbilar") == [car.pk]
    # Höganäs is about 20 km from Helsingborg; the car has its own point near Höganäs.
    assert ids(near="56.20,12.56", radius_km=5) == [car.pk]
    # Without a point of their own, listings count from their municipality's centre.
    assert ids(near="56.05,12.69", radius_km=5, ordering="nearest") == [lesson.pk, garden.pk]
    distances = client.get(URL, {"near": "56.20,12.56", "ordering": "nearest"}).json()["results"]
    assert distances[0]["id"] == car.pk
    assert distances[0]["distance_km"] < 1


def test_mine_lists_the_owners_listings_in_every_state() -> None:
    owner = resident()
    draft = make_listing(owner=owner, published=False)
    shown = make_listing(owner=owner)
    make_listing()

    mine = client_for(owner).get(URL, {"mine": "true"}).json()["results"]
    anonymous = APIClient().get(URL, {"mine": "true"}).json()["results"]

    assert sorted(row["id"] for row in mine) == sorted([draft.pk, shown.pk])
    assert anonymous == []


@pytest.mark.parametrize(
    "query",
    ["", "?search=hjälper", "?near=56.05,12.69&radius_km=30&ordering=nearest", "?category=service"],
)
def test_the_list_runs_a_constant_number_of_queries(
    assert_constant_queries: Any, query: str
) -> None:
    def make_rows(n: int) -> None:
        for _ in range(n):
            make_listing(tags=["a", "b"], organisation=None)

    assert_constant_queries(APIClient(), f"{URL}{query}", make_rows)


@pytest.mark.parametrize(
    "params",
    [
        {"search": "trädgården"},  # ranked: counted in the page's own query
        {"near": "56.05,12.69", "ordering": "nearest"},  # sorted by distance: likewise
        {},  # newest first: counted apart
    ],
)
def test_paging_through_a_search_counts_and_ends_right(params: dict[str, str]) -> None:
    made = {make_listing(f"Trädgårdshjälp {n}").pk for n in range(7)}
    client = APIClient()

    def page(number: str) -> Any:
        return client.get(URL, {**params, "page_size": "3", "page": number})

    pages = [page(str(n)).json() for n in (1, 2, 3)]
    last, beyond, nonsense = page("last"), page("4"), page("x")

    assert [body["count"] for body in pages] == [7, 7, 7]
    assert [len(body["results"]) for body in pages] == [3, 3, 1]
    assert {row["id"] for body in pages for row in body["results"]} == made
    assert pages[2]["next"] is None
    assert last.json()["results"] == pages[2]["results"]
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")
    assert (nonsense.status_code, nonsense.json()["code"]) == (404, "not_found")


def test_a_radius_keeps_what_lies_inside_the_circle_and_nothing_beyond() -> None:
    # Helsingborg's centre is the point; one km is about 0.009 degrees of latitude, and
    # 0.016 degrees of longitude at this latitude.
    here = (56.050, 12.717)
    north_9 = make_listing("9 km norrut", latitude=here[0] + 0.0809, longitude=here[1])
    north_11 = make_listing("11 km norrut", latitude=here[0] + 0.0989, longitude=here[1])
    # Inside the box around the circle but outside the circle: the box's corner.
    corner = make_listing("I hörnet", latitude=here[0] + 0.08, longitude=here[1] + 0.14)
    # No point of its own: counted from Helsingborg's centre.
    centre = make_listing("Utan punkt")
    # No point of its own, in Landskrona (about 22 km away).
    make_listing("Landskrona", municipality=Municipality.objects.get(code="1282"))

    found = APIClient().get(
        URL, {"near": f"{here[0]},{here[1]}", "radius_km": "10", "ordering": "nearest"}
    )

    rows = found.json()["results"]
    assert [row["id"] for row in rows] == [centre.pk, north_9.pk]
    assert rows[0]["distance_km"] == 0
    assert 8.5 < rows[1]["distance_km"] < 9.5
    assert north_11.pk not in [row["id"] for row in rows]
    assert corner.pk not in [row["id"] for row in rows]


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "boat"}, "category"),
        ({"description": "x" * 5001}, "description"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"latitude": 56.0, "longitude": None}, "longitude"),
        ({"compensation": "time_credits", "hours": None}, "hours"),
        ({"compensation": "paid"}, "amount_sek"),
        ({"municipality": "stockholm"}, "municipality"),
        ({"owner": 1}, "owner"),
        ({"state": "published"}, "state"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(changes: dict[str, Any], field: str) -> None:
    response = client_for(resident()).post(URL, new_listing(**changes))

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_nul_byte_is_refused_at_the_edge() -> None:
    response = client_for(resident()).post(URL, new_listing(title="Nul\x00byte"))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"
    assert not Listing.objects.exists()


def test_a_megabyte_description_is_refused_without_a_500() -> None:
    response = client_for(resident()).post(URL, new_listing(description="å" * 1_000_000))

    assert response.status_code in (400, 413)
    assert "code" in response.json()


def test_html_is_stored_and_returned_as_text() -> None:
    script = "<script>alert('hej')</script> <b>Fika</b>"
    response = client_for(resident()).post(URL, new_listing(title=script))

    assert response.status_code == 201
    assert response.json()["title"] == script
    assert Listing.objects.get().title == script


# --- Expiry -------------------------------------------------------------------------------


def test_owners_are_told_a_week_before_and_listings_close_on_the_day(events) -> None:
    soon = make_listing()
    later = make_listing()
    now = timezone.now()
    Listing.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(days=6))
    Listing.objects.filter(pk=later.pk).update(expires_at=now + timedelta(days=30))

    first = listings.expire_listings(now=now)
    again = listings.expire_listings(now=now + timedelta(hours=1))
    on_the_day = listings.expire_listings(now=now + timedelta(days=6, minutes=1))

    assert first == {"warned": 1, "closed": 0}
    assert again == {"warned": 0, "closed": 0}
    assert on_the_day == {"warned": 0, "closed": 1}
    assert Listing.objects.get(pk=soon.pk).state == "closed"
    assert Listing.objects.get(pk=later.pk).state == "published"
    assert [e["listing"] for e in events.of_type("listing.expiring")] == [soon.pk]
    assert [e["listing"] for e in events.of_type("listing.expired")] == [soon.pk]


# --- Pictures -------------------------------------------------------------------------------


def _picture(size: tuple[int, int] = (2400, 1200), name: str = "bild.png") -> Any:
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(picture, format="PNG")
    picture.seek(0)
    picture.name = name
    return picture


def test_the_owner_adds_and_removes_pictures(
    settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from PIL import Image

    from exchange.models import ListingImage

    settings.MEDIA_ROOT = tmp_path
    listing = make_listing()
    client = client_for(listing.owner)

    added = client.post(f"{URL}{listing.pk}/images/", {"image": _picture()}, format="multipart")

    assert added.status_code == 201
    (shown,) = added.json()["images"]
    assert shown["url"].endswith(".jpg")
    stored = ListingImage.objects.get(pk=shown["id"])
    with Image.open(stored.image.path) as picture:
        assert picture.size == (1600, 800)
    path = stored.image.path
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.delete(f"{URL}{listing.pk}/images/{shown['id']}/")
    assert removed.status_code == 200
    assert removed.json()["images"] == []
    assert not os.path.exists(path)


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("resident", 403)])
def test_only_managers_add_pictures(settings, tmp_path, who: str, status: int) -> None:
    settings.MEDIA_ROOT = tmp_path
    listing = make_listing()
    client = client_for(None if who == "anonymous" else resident())

    response = client.post(f"{URL}{listing.pk}/images/", {"image": _picture()}, format="multipart")

    assert response.status_code == status
    assert not listing.images.exists()


def test_a_file_that_is_no_picture_and_a_seventh_picture_are_refused(settings, tmp_path) -> None:
    import io

    settings.MEDIA_ROOT = tmp_path
    listing = make_listing()
    client = client_for(listing.owner)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "bild.png"

    refused = client.post(f"{URL}{listing.pk}/images/", {"image": fake}, format="multipart")
    for _ in range(6):
        assert (
            client.post(
                f"{URL}{listing.pk}/images/", {"image": _picture((40, 40))}, format="multipart"
            ).status_code
            == 201
        )
    seventh = client.post(
        f"{URL}{listing.pk}/images/", {"image": _picture((40, 40))}, format="multipart"
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_image"
    assert seventh.status_code == 409
    assert seventh.json()["code"] == "too_many_images"


def test_the_latency_benchmark_runs_at_a_small_scale_and_cleans_up() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_listings", "--listings", "60", "--repeat", "1", stdout=out)

    assert "seeded 60 listings" in out.getvalue()
    assert "overall (" in out.getvalue()
    assert not Listing.objects.exists()


def test_the_latency_benchmark_refuses_a_database_with_real_listings() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    make_listing()
    with pytest.raises(CommandError, match="scratch database"):
        call_command("bench_listings", "--listings", "5", stdout=StringIO())
