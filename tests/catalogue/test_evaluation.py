"""Search quality is measured by a command, on a fixture, with standard metrics."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.evaluation import Judgement, score
from catalogue.models import Project
from tests.catalogue.factories import make_project


def test_metrics_of_a_ranking() -> None:
    judged = Judgement("q", {"a": 2, "b": 1})
    perfect = score(judged, ["a", "b", "x"])
    assert (perfect.reciprocal_rank, perfect.ndcg, perfect.recall) == (1.0, 1.0, 1.0)
    second = score(judged, ["x", "b", "y", "a"])
    assert second.reciprocal_rank == 0.5
    assert second.recall == 1.0
    assert 0 < second.ndcg < 1
    nothing = score(judged, [])
    assert (nothing.reciprocal_rank, nothing.ndcg, nothing.recall) == (0.0, 0.0, 0.0)


@pytest.mark.django_db
def test_the_command_measures_the_shipped_fixture_and_leaves_nothing_behind() -> None:
    kept = make_project("Ett projekt som redan fanns")
    out = StringIO()
    call_command("evaluate_search", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["queries"] >= 30
    assert figures["projects"] >= 150
    # A floor well below today's figures: a real regression fails, noise does not.
    assert figures["mrr"] >= 0.85
    assert figures["ndcg@10"] >= 0.8
    assert figures["recall@10"] >= 0.8
    assert list(Project.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db
def test_judgements_naming_unknown_projects_are_refused(tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.jsonl"
    qrels.write_text('{"query": "tvilling", "relevant": {"EV-999": 2}}\n')
    with pytest.raises(CommandError, match="EV-999"):
        call_command("evaluate_search", "--qrels", str(qrels), stdout=StringIO())
    qrels.write_text("inte json\n")
    with pytest.raises(CommandError, match=r"qrels\.jsonl:1"):
        call_command("evaluate_search", "--qrels", str(qrels), stdout=StringIO())


@pytest.mark.django_db
def test_the_latency_benchmark_runs_at_a_small_scale_and_cleans_up() -> None:
    out = StringIO()
    call_command("bench_search", "--projects", "40", "--repeat", "1", stdout=out)
    assert "seeded 40 projects" in out.getvalue()
    assert "overall (" in out.getvalue()
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_latency_benchmark_refuses_a_database_with_real_projects() -> None:
    make_project("Riktigt projekt")
    with pytest.raises(CommandError, match="scratch database"):
        call_command("bench_search", "--projects", "5", stdout=StringIO())
