"""The engine on constructed cases: language (inflection, compounds, missing å/ä/ö, English),
the topic taxonomy, place by category, and explanations that say what the score is made of."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from exchange.models import Listing
from matching import engine
from tests.matching.test_evaluation import LISTINGS, write

pytestmark = pytest.mark.django_db


def request(title: str, description: str = "", municipality: str = "1283", **kw: Any) -> Any:
    return engine.profile(
        key="request",
        kind="request",
        category=kw.pop("category", "service"),
        municipality=municipality,
        title=title,
        description=description,
        **kw,
    )


def offer(
    key: str, title: str, description: str = "", municipality: str = "1283", **kw: Any
) -> Any:
    return engine.profile(
        key=key,
        kind="offer",
        category=kw.pop("category", "service"),
        municipality=municipality,
        title=title,
        description=description,
        **kw,
    )


def keys(ranked: list[engine.Scored]) -> list[str]:
    return [scored.key for scored in ranked]


def test_paraphrase_compounds_and_missing_letters_find_the_garden_helper() -> None:
    wanted = request("Klippa gräsmattan", "Behöver hjälp med gräset på tomten.")
    pool = [
        offer("computer", "Datorhjälp", "Fixar virus och skrivare."),
        offer("garden", "Tradgardshjalp", "kan klippa gras och kratta lov"),
        offer("mower", "Gräsklippning", "Har egen gräsklippare."),
    ]

    ranked = engine.rank(wanted, pool)

    assert keys(ranked)[-1] == "computer"
    assert set(keys(ranked)[:2]) == {"garden", "mower"}
    assert "garden" in ranked[0].why.topics


def test_an_english_listing_meets_a_swedish_one_through_its_topic() -> None:
    wanted = request("Bike repair?", "My bike has a flat tyre and the gears keep jumping.")
    pool = [
        offer("it", "IT support in English", "I can help set up laptops and the wifi."),
        offer("bike", "Cykelreparationer", "Lagar punka, byter kedja och justerar växlar."),
    ]

    ranked = engine.rank(wanted, pool)

    assert keys(ranked) == ["bike", "it"]
    assert "bicycle" in ranked[0].why.topics
    assert ranked[1].signals["text"] == 0.0  # "the", "and", "I" are not shared words


def test_place_counts_for_cars_and_in_person_help_not_for_remote_work_or_expertise() -> None:
    car = request("Behöver låna en bil", "På lördag.", category="car")
    near_car = offer("near", "Lånar ut min bil", "Bilen står still.", category="car")
    far_car = offer("far", "Lånar ut min bil", "Bilen står still.", "1278", category="car")
    lesson = request("Öva engelska", "Gärna via video.")
    remote_teacher = offer("remote", "Engelska för vuxna", "Övar engelska med dig.", "1278")
    expertise = request("Stöd i GDPR-frågor", category="expertise")
    far_expert = offer("dso", "Dataskyddsombud delar", "GDPR-stöd.", "1278", category="expertise")

    cars = engine.rank(car, [far_car, near_car])
    lessons = engine.rank(lesson, [remote_teacher])
    experts = engine.rank(expertise, [far_expert])

    assert keys(cars) == ["near", "far"]
    assert cars[0].signals["place"] == 1.0
    assert cars[0].why.km == 0
    assert cars[1].signals["place"] < 0.3
    assert cars[1].why.km == 43
    assert cars[1].score == pytest.approx(cars[0].score * cars[1].signals["place"])
    assert lessons[0].signals["place"] == 1.0
    assert lessons[0].why.remote is True
    assert experts[0].signals["place"] == 1.0
    assert experts[0].why.km is None


def test_the_explanation_is_the_score() -> None:
    wanted = request("Hundrastning", "Vår hund behöver komma ut.", tags=["hund"])
    pool = [offer("dog", "Rastar hundar", "Tar din hund på promenad.", tags=["hund", "promenad"])]

    [scored] = engine.rank(wanted, pool)

    signals = scored.signals
    expected = (
        engine.W_TEXT * signals["text"]
        + engine.W_TOPICS * signals["topics"]
        + engine.W_TAGS * signals["tags"]
    ) * signals["place"] * signals["time"] + (
        engine.W_FRESH * signals["fresh"] + engine.W_TRUST * signals["trust"]
    )
    assert scored.score == pytest.approx(expected, abs=1e-6)
    assert scored.why.words == ["hundar", "rastar"]  # the offer's words, as it wrote them
    assert scored.why.tags == ["hund"]
    assert "pets" in scored.why.topics


def test_without_the_taxonomy_no_topic_is_named() -> None:
    wanted = request("Droppande kran", "kranen droppar hela natten", use_taxonomy=False)
    fixer = offer("fixer", "Fixare", "Byter packningar.", use_taxonomy=False)

    [scored] = engine.rank(wanted, [fixer])

    assert wanted.topics == {}
    assert scored.signals["topics"] == 0.0
    assert "plumbing" in request("Droppande kran").topics


def test_evaluate_matching_ranks_through_the_database_and_leaves_nothing(tmp_path: Path) -> None:
    listings = write(tmp_path, "listings.jsonl", LISTINGS)
    qrels = write(
        tmp_path,
        "qrels.jsonl",
        [{"query": "r1", "relevant": {"o1": 2}}, {"query": "r2", "relevant": {"o4": 2}}],
    )
    before = Listing.objects.count()
    out = StringIO()

    call_command("evaluate_matching", listings=listings, qrels=qrels, json=True, stdout=out)
    each = StringIO()
    call_command("evaluate_matching", listings=listings, qrels=qrels, split="each", stdout=each)

    assert json.loads(out.getvalue()) == {
        "mrr": 1.0,
        "ndcg@10": 1.0,
        "recall@5": 1.0,
        "p@1": 1.0,
        "queries": 2,
    }
    assert Listing.objects.count() == before
    lines = each.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["all", "odd", "even"]
    assert lines[0].endswith("(2 requests)")
    assert lines[1].endswith("(1 request)")  # r1
    assert lines[2].endswith("(1 request)")  # r2


def test_times_that_never_meet_weigh_less_and_times_that_do_are_named() -> None:
    from matching.services import explain

    wanted = request("Hundrastning", "Vår hund behöver komma ut.", availability="vardagar")
    weekends = offer("weekends", "Rastar hundar", "Tar din hund på promenad på helgerna.")
    weekdays = offer(
        "weekdays", "Rastar hundar", "Tar din hund på promenad.", availability="vardagar, kvällar"
    )
    whenever = offer("whenever", "Rastar hundar", "Tar din hund på promenad.")

    ranked = {scored.key: scored for scored in engine.rank(wanted, [weekends, weekdays, whenever])}

    assert ranked["weekends"].signals["time"] == engine.NO_COMMON_TIME
    assert ranked["weekdays"].signals["time"] == ranked["whenever"].signals["time"] == 1.0
    assert ranked["weekdays"].why.when == ["weekday"]
    assert ranked["weekends"].score < ranked["whenever"].score
    with translation.override("sv"):  # explanations are in the reader's language
        assert "passar tiden: vardagar" in explain(ranked["weekdays"].why)


def test_freshness_and_trust_only_break_ties() -> None:
    wanted = request("Hundrastning", "Vår hund behöver komma ut.")
    old_stranger = offer("old", "Rastar hundar", "Tar din hund på promenad.", age_days=80)
    trusted = offer(
        "trusted",
        "Rastar hundar",
        "Tar din hund på promenad.",
        age_days=2,
        completed=6,
        rating=5.0,
        reviews=4,
    )
    better_text = offer("better", "Hundrastning", "Rastar din hund, vår hund är van.", age_days=80)

    ranked = engine.rank(wanted, [old_stranger, trusted, better_text])
    by_key = {scored.key: scored for scored in ranked}

    assert keys(ranked)[-1] == "old"
    assert by_key["trusted"].signals["trust"] == 1.0
    assert by_key["trusted"].why.completed == 6
    gap = by_key["trusted"].score - by_key["old"].score
    assert gap == pytest.approx(
        engine.W_TRUST + engine.W_FRESH * (0.5 ** (2 / 30) - 0.5 ** (80 / 30)), abs=1e-5
    )
    assert gap < 0.1  # a tie-breaker, never more


def test_trust_grows_with_exchanges_completed_and_with_how_they_were_reviewed() -> None:
    from matching.services import explain

    wanted = request("Hundrastning", "Vår hund behöver komma ut.")
    same = ("Rastar hundar", "Tar din hund på promenad.")
    pool = [
        offer("praised", *same, completed=3, rating=4.5, reviews=2),
        offer("unreviewed", *same, completed=3),
        offer("criticised", *same, completed=3, rating=1.5, reviews=2),
        offer("new", *same),
    ]

    ranked = engine.rank(wanted, pool)
    by_key = {scored.key: scored for scored in ranked}

    assert keys(ranked) == ["praised", "unreviewed", "criticised", "new"]
    assert by_key["unreviewed"].signals["trust"] == pytest.approx(0.6 * 0.75)
    assert by_key["new"].signals["trust"] == 0.0
    with translation.override("sv"):
        praised = explain(by_key["praised"].why)
        assert "3 utbyten klara" in praised
        assert "betyg 4,5 av 5" in praised
        assert "betyg" not in explain(by_key["unreviewed"].why)
        assert "utbyte" not in explain(by_key["new"].why)


def lift(key: str, kind: str, trip: engine.Trip, title: str = "Samåkning") -> Any:
    return engine.profile(
        key=key,
        kind=kind,
        category="car",
        municipality=trip.origin,
        title=title,
        description="Pendlar till jobbet, plats för en till.",
        trip=trip,
    )


def at(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


KLIPPAN, HELSINGBORG, BASTAD, LANDSKRONA = "1276", "1283", "1278", "1282"


def test_lifts_are_matched_on_departures_within_their_flexibility_and_on_their_route() -> None:
    from matching.services import explain

    # Mondays at 07:30 from Klippan to Helsingborg, a quarter of an hour either way.
    wanted = lift(
        "request",
        "request",
        engine.Trip(KLIPPAN, HELSINGBORG, at("2026-11-30T07:30+01:00"), 15, weekly=True),
    )
    pool = [
        lift("same", "offer", engine.Trip(KLIPPAN, HELSINGBORG, at("2026-12-07T07:40+01:00"), 10)),
        lift(
            "evening",
            "offer",
            engine.Trip(KLIPPAN, HELSINGBORG, at("2026-11-30T17:00+01:00"), 30, weekly=True),
        ),
        lift(
            "elsewhere",
            "offer",
            engine.Trip(BASTAD, LANDSKRONA, at("2026-11-30T07:30+01:00"), 15, weekly=True),
        ),
        # A single trip a week before the weekly one begins: it never meets it.
        lift("before", "offer", engine.Trip(KLIPPAN, HELSINGBORG, at("2026-11-23T07:30+01:00"))),
    ]

    ranked = engine.rank(wanted, pool)
    by_key = {scored.key: scored for scored in ranked}

    assert keys(ranked)[0] == "same"
    assert by_key["same"].signals["time"] == 1.0
    assert by_key["same"].why.departure_gap == 10
    assert by_key["evening"].signals["time"] == engine.NO_COMMON_DEPARTURE
    assert by_key["before"].why.departure_gap is None
    assert by_key["before"].signals["time"] == engine.NO_COMMON_DEPARTURE
    assert by_key["elsewhere"].signals["time"] == 1.0
    assert by_key["elsewhere"].signals["place"] < 0.5  # both ends far away
    assert by_key["elsewhere"].why.route
    with translation.override("sv"):
        same = explain(by_key["same"].why)
        assert "avgångar 10 min isär" in same
        assert "start och mål inom 0 km" in same
        assert "avgång" not in explain(by_key["evening"].why)


def test_a_weekly_lift_keeps_its_local_time_across_the_clock_change() -> None:
    # Every Tuesday at 08:00 Swedish time, first in winter; asked for once in summer.
    weekly = engine.Trip(KLIPPAN, HELSINGBORG, at("2026-03-03T08:00+01:00"), 0, weekly=True)
    summer = engine.Trip(KLIPPAN, HELSINGBORG, at("2026-06-02T08:00+02:00"), 0)
    an_hour_later = engine.Trip(KLIPPAN, HELSINGBORG, at("2026-06-02T08:00+01:00"), 0)

    assert engine.departure_gap(summer, weekly) == 0
    assert engine.departure_gap(an_hour_later, weekly) == 60
    assert engine.departure_gap(weekly, an_hour_later) == 60
