"""The evaluation harness: metrics as the development set defines them, set files read with
clear errors, and the two reference baselines."""

import json
import math
from collections.abc import Sequence
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from matching import metrics, places
from matching.devset import InvalidSet, load_listings, load_qrels

pytestmark = pytest.mark.django_db


def test_metrics_on_a_hand_computed_ranking() -> None:
    relevant = {"o2": 2, "o5": 1, "o9": 1}
    ranking = ["o1", "o2", "o3", "o4", "o5", "o6"]  # o9 never ranked

    one = metrics.of_one(ranking, relevant)

    dcg = 3 / math.log2(3) + 1 / math.log2(6)
    ideal = 3 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert one["mrr"] == 0.5
    assert one["ndcg@10"] == pytest.approx(dcg / ideal)
    assert one["recall@5"] == pytest.approx(2 / 3)
    assert one["p@1"] == 0.0
    assert metrics.of_one(["o5"], relevant)["p@1"] == 1.0


def test_averages_count_a_request_without_a_ranking_as_zero() -> None:
    qrels = {"r1": {"o1": 2}, "r2": {"o2": 1}}

    result = metrics.evaluate({"r1": ["o1", "o2"]}, qrels)

    assert result == {"mrr": 0.5, "ndcg@10": 0.5, "recall@5": 0.5, "p@1": 0.5, "queries": 2}


def write(tmp_path: Path, name: str, rows: Sequence[object]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    return path


LISTINGS = [
    {
        "id": "r1",
        "kind": "request",
        "category": "service",
        "title": "Klippa gräsmattan",
        "description": "Behöver hjälp med gräsmattan i Höganäs.",
        "municipality": "1284",
        "tags": [],
    },
    {
        "id": "o1",
        "kind": "offer",
        "category": "service",
        "title": "Gräsklippning",
        "description": "Klipper gräsmattan åt dig.",
        "municipality": "1284",
        "tags": ["trädgård"],
    },
    {
        "id": "o2",
        "kind": "offer",
        "category": "service",
        "title": "Datorhjälp",
        "description": "Fixar datorn.",
        "municipality": "1284",
        "tags": [],
    },
    {
        "id": "r2",
        "kind": "request",
        "category": "car",
        "title": "Låna bil",
        "description": "Behöver låna en bil på lördag.",
        "municipality": "1283",
        "tags": [],
    },
    {
        "id": "o3",
        "kind": "offer",
        "category": "car",
        "title": "Lånar ut min bil",
        "description": "Min bil står still, låna den.",
        "municipality": "1278",
        "tags": [],
    },
    {
        "id": "o4",
        "kind": "offer",
        "category": "car",
        "title": "Bilpool",
        "description": "Vår bilpool har en ledig bil.",
        "municipality": "1283",
        "tags": [],
    },
]


def test_the_baselines_rank_a_small_set(tmp_path: Path) -> None:
    listings = write(tmp_path, "listings.jsonl", LISTINGS)
    qrels = write(
        tmp_path,
        "qrels.jsonl",
        [{"query": "r1", "relevant": {"o1": 2}}, {"query": "r2", "relevant": {"o4": 2}}],
    )
    out = StringIO()

    call_command("matching_baselines", listings=listings, qrels=qrels, json=True, stdout=out)

    results = json.loads(out.getvalue())
    # Whitespace tokens miss "bil." in the near car pool and share "bil" with the far car;
    # stems find both, and the far car (Båstad, 43 km from Helsingborg) goes last.
    assert results["bm25-stems"] == {
        "mrr": 1.0,
        "ndcg@10": 1.0,
        "recall@5": 1.0,
        "p@1": 1.0,
        "queries": 2,
    }
    assert results["bm25-whitespace"]["p@1"] < 1.0


def test_neighbours_are_near_seats() -> None:
    assert places.neighbouring("1260", "1277")  # Bjuv and Åstorp, 5 km
    assert not places.neighbouring("1283", "1278")  # Helsingborg and Båstad, 43 km
    assert places.municipality_km("1283", "1283") == 0.0
    assert places.municipality_km("1283", "9999") is None


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["{not json"], "line 1: not JSON"),
        ([json.dumps({"id": "x", "kind": "request", "category": "service"})], "'title'"),
        ([json.dumps({**LISTINGS[0], "kind": "wish"})], "kind must be one of"),
        ([json.dumps(LISTINGS[0]), json.dumps(LISTINGS[0])], "used twice"),
    ],
)
def test_a_malformed_listing_file_is_named_with_its_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines))

    with pytest.raises(InvalidSet, match=message):
        load_listings(path)


def test_judgements_must_name_known_listings_with_grades_one_or_two(tmp_path: Path) -> None:
    listings = load_listings(write(tmp_path, "l.jsonl", LISTINGS))

    with pytest.raises(InvalidSet, match="not in the listings: o99"):
        load_qrels(write(tmp_path, "q.jsonl", [{"query": "r1", "relevant": {"o99": 2}}]), listings)
    with pytest.raises(InvalidSet, match="must be 1 or 2"):
        load_qrels(write(tmp_path, "q2.jsonl", [{"query": "r1", "relevant": {"o1": 3}}]), listings)
    with pytest.raises(CommandError, match="cannot be read"):
        call_command(
            "matching_baselines", listings=tmp_path / "missing.jsonl", qrels=tmp_path / "q.jsonl"
        )


def test_the_matching_benchmark_runs_at_a_small_scale_and_cleans_up() -> None:
    from exchange.models import Listing

    out = StringIO()
    call_command("bench_matching", "--listings", "80", "--samples", "3", stdout=out)

    assert "seeded 80 listings" in out.getvalue()
    assert "online path, 80 listings: median" in out.getvalue()
    assert "night 1: 80 listings" in out.getvalue()
    assert "night 2: 80 listings" in out.getvalue()
    assert "same top matches as the online path: 3 of 3 sampled listings" in out.getvalue()
    assert not Listing.objects.exists()
    with pytest.raises(CommandError, match="scratch database"):
        from tests.exchange.factories import make_listing

        make_listing()
        call_command("bench_matching", "--listings", "5", stdout=StringIO())
