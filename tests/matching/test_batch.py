"""The nightly batch path gives every listing the same matches as the online path, and the
nightly recomputation stores them as refreshing each listing would."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from exchange import lifts
from exchange.models import Listing
from matching import batch, ranking, services
from matching.models import Match
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db

TEXTS = [
    ("Klippa gräsmattan", "Behöver hjälp att klippa gräset varannan vecka, helst vardagar."),
    ("Trädgårdshjälp", "Klipper gräs, rensar rabatter och krattar löv på helger."),
    ("Hjälp i trädgården", "Beskär fruktträd och häckar. Har egen gräsklippare."),
    ("Datorhjälp", "Fixar virus, skrivare och wifi hemma hos dig på kvällar."),
    ("Hjälp med datorn", "Min dator är långsam och skrivaren krånglar."),
    ("Läxhjälp i matte", "Hjälper elever med matematik och fysik, gärna på distans."),
    ("Handla mat", "Kan handla mat och hämta ut paket åt äldre grannar."),
    ("Någon som handlar åt mig", "Behöver hjälp att handla varor på torsdagar."),
    ("Flytthjälp", "Bär möbler och kartonger, har släpvagn."),
    ("Hjälp att flytta", "Ska flytta och behöver bära soffa och kartonger."),
    ("Lawn mowing", "I can mow your lawn and weed the garden at weekends."),
    ("Digital tvilling", "Vi har byggt en digital tvilling av stadskärnan med sensorer."),
]
PLACES = ["1283", "1282", "1277", "1292"]


def completed_exchange(owner: Any, helper: Any, rating: int | None = None) -> None:
    offer = make_listing("Utfört uppdrag", owner=owner, published_at=timezone.now())
    exchange = (
        client_for(helper)
        .post("/api/v1/exchanges/", {"listing": offer.pk, "message": "Hej!"}, format="json")
        .json()["id"]
    )
    client_for(owner).post(f"/api/v1/exchanges/{exchange}/accept/")
    client_for(owner).post(f"/api/v1/exchanges/{exchange}/confirm/")
    client_for(helper).post(f"/api/v1/exchanges/{exchange}/confirm/")
    if rating is not None:
        reviewed = client_for(helper).post(
            f"/api/v1/exchanges/{exchange}/review/", {"rating": rating}, format="json"
        )
        assert reviewed.status_code == 201, reviewed.json()


def describe_lift(listing: Listing, number: int) -> None:
    start = timezone.now().replace(microsecond=0) + timedelta(days=1 + number % 3)
    lifts.describe_trip(
        actor=listing.owner,
        listing=listing,
        facts={
            "from_municipality": Municipality.objects.get(code=PLACES[number % 3]),
            "to_municipality": Municipality.objects.get(code=PLACES[(number + 1) % 4]),
            "departs_at": start + timedelta(minutes=20 * (number % 5)),
            "flexibility_minutes": 15 * (number % 3),
            "seats": 2,
            "weekly": number % 2 == 0,
        },
    )


@pytest.fixture
def marketplace() -> list[Listing]:
    """Sixty listings of many kinds: shared owners (whose own listings never match each
    other), tags, places far and near, ages, owners with exchanges completed and reviewed,
    lifts with their routes and departures, and listings off the marketplace."""
    owners = [resident() for _ in range(12)]
    completed_exchange(owners[0], owners[1], rating=5)
    completed_exchange(owners[2], owners[1], rating=2)
    completed_exchange(owners[3], owners[1])
    made = []
    for number in range(60):
        title, description = TEXTS[(number * 7) % len(TEXTS)]
        other_description = TEXTS[(number * 5 + 3) % len(TEXTS)][1]
        listing = make_listing(
            title,
            description=f"{description} {other_description if number % 3 else ''}",
            owner=owners[number % len(owners)],
            kind="request" if number % 2 else "offer",
            category=["service", "expertise", "service", "car"][(number // 2) % 4],
            municipality=Municipality.objects.get(code=PLACES[number % len(PLACES)]),
            tags=[["trädgård"], [], ["dator", "hemma"], ["flytt"]][number % 4],
            availability=["", "vardagar", "helger"][number % 3],
            published=number % 11 != 5,
            published_at=timezone.now() - timedelta(days=number),
        )
        if listing.category == "car" and number % 4:
            describe_lift(listing, number)
        made.append(listing)
    return made


@pytest.mark.parametrize("prefilter", [3, ranking.PREFILTER])
def test_the_batch_path_ranks_every_listing_as_the_online_path_does(
    marketplace: list[Listing], prefilter: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A prefilter of three makes its choice decide most pools (on PostgreSQL; SQLite ranks
    # the whole pool on both paths).
    monkeypatch.setattr(ranking, "PREFILTER", prefilter)
    now = timezone.now()

    nightly = dict(batch.rank_all(now=now, limit=services.TOP))

    published = Listing.objects.filter(state="published").select_related("municipality")
    assert set(nightly) == {listing.pk for listing in published}
    assert sum(len(ranked) for ranked in nightly.values()) > 100  # not empty pools
    signals = [scored.signals for ranked in nightly.values() for scored in ranked]
    assert len({signal["trust"] for signal in signals}) >= 3  # reviewed, unreviewed, none
    lifts_met = {
        scored.why.departures_meet for r in nightly.values() for scored in r if scored.why.route
    }
    assert lifts_met == {True, False}  # departures that meet, and some that do not
    for listing in published:
        assert nightly[listing.pk] == ranking.rank_for(listing, limit=services.TOP, now=now), (
            listing.pk
        )


def test_the_nightly_recomputation_stores_what_refreshing_each_listing_would(
    marketplace: list[Listing],
) -> None:
    services.recompute_all(chunk=7)
    nightly = _stored()
    assert len(nightly) > 50

    Match.objects.all().delete()
    for listing in Listing.objects.filter(state="published"):
        services.refresh(listing.pk, both_ways=False)

    assert _stored() == pytest.approx(nightly)


def test_the_nightly_recomputation_drops_stale_matches_and_keeps_what_people_did(
    marketplace: list[Listing],
) -> None:
    services.recompute_all()
    kept = Match.objects.order_by("-score").first()
    assert kept is not None
    told = timezone.now() - timedelta(days=3)
    Match.objects.filter(pk=kept.pk).update(notified_at=told, score=0.1)
    listing = kept.listing
    stranger = make_listing("Annat", owner=resident(), kind="offer", published=False)
    stale = Match.objects.create(
        listing=listing, other=stranger, score=2.0, engine_version=1, computed_at=told
    )
    dismissed = Match.objects.create(
        listing=listing,
        other=make_listing("Ännu en", owner=resident(), published=False),
        score=2.0,
        engine_version=1,
        computed_at=told,
        dismissed_at=told,
    )

    services.recompute_all()

    kept.refresh_from_db()
    assert kept.score == pytest.approx(_stored()[(kept.listing_id, kept.other_id)])
    assert kept.notified_at == told  # told once, never again
    assert not Match.objects.filter(pk=stale.pk).exists()
    assert Match.objects.filter(pk=dismissed.pk).exists()


def _stored() -> dict[tuple[int, int], float]:
    return {
        (listing, other): score
        for listing, other, score in Match.objects.values_list("listing_id", "other_id", "score")
    }
