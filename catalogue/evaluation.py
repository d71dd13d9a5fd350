"""Measuring catalogue search against judged queries.

A judged query names the projects (by external id) a searcher wants, with a grade: 2 for
what they are looking for, 1 for relevant but secondary. The metrics, averaged over queries:

- MRR: 1 / rank of the first relevant project (0 when none is in the results);
- nDCG@10: discounted gain of the top ten (gain 2^grade - 1, log2 discount) over the best
  possible ordering of the judged projects;
- recall@10: the share of the relevant projects found in the top ten.
"""

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser

from catalogue import selectors
from catalogue.models import Project

CUTOFF = 10


@dataclass
class Judgement:
    query: str
    relevant: dict[str, int]
    kind: str = ""


@dataclass
class QueryResult:
    judgement: Judgement
    ranked: list[str]  # external ids, best first
    reciprocal_rank: float = 0.0
    ndcg: float = 0.0
    recall: float = 0.0


@dataclass
class Evaluation:
    results: list[QueryResult] = field(default_factory=list)

    def mean(self, metric: str, results: Iterable[QueryResult] | None = None) -> float:
        chosen = list(self.results if results is None else results)
        return sum(getattr(r, metric) for r in chosen) / len(chosen) if chosen else 0.0

    def summary(self) -> dict[str, Any]:
        by_kind: dict[str, list[QueryResult]] = defaultdict(list)
        for result in self.results:
            by_kind[result.judgement.kind or "other"].append(result)
        return {
            "queries": len(self.results),
            "mrr": round(self.mean("reciprocal_rank"), 3),
            f"ndcg@{CUTOFF}": round(self.mean("ndcg"), 3),
            f"recall@{CUTOFF}": round(self.mean("recall"), 3),
            "by_kind": {
                kind: {
                    "queries": len(results),
                    "mrr": round(self.mean("reciprocal_rank", results), 3),
                    f"ndcg@{CUTOFF}": round(self.mean("ndcg", results), 3),
                    f"recall@{CUTOFF}": round(self.mean("recall", results), 3),
                }
                for kind, results in sorted(by_kind.items())
            },
        }


def read_judgements(path: Path) -> list[Judgement]:
    judgements = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            judgements.append(
                Judgement(
                    query=str(row["query"]),
                    relevant={str(k): int(v) for k, v in row["relevant"].items()},
                    kind=str(row.get("kind", "")),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}:{number}: not a judged query ({error})") from error
    return judgements


def score(judgement: Judgement, ranked: list[str]) -> QueryResult:
    result = QueryResult(judgement, ranked)
    relevant = {pid: grade for pid, grade in judgement.relevant.items() if grade > 0}
    for position, pid in enumerate(ranked, start=1):
        if pid in relevant:
            result.reciprocal_rank = 1 / position
            break
    gains = [2 ** relevant.get(pid, 0) - 1 for pid in ranked[:CUTOFF]]
    dcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(gains))
    ideal = sorted((2**grade - 1 for grade in relevant.values()), reverse=True)[:CUTOFF]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    result.ndcg = dcg / idcg if idcg else 0.0
    found = sum(1 for pid in ranked[:CUTOFF] if pid in relevant)
    result.recall = found / len(relevant) if relevant else 0.0
    return result


def evaluate(judgements: list[Judgement]) -> Evaluation:
    """Run every judged query through the catalogue's search, as an anonymous visitor."""
    external_ids = dict(Project.objects.values_list("pk", "external_id"))
    evaluation = Evaluation()
    for judgement in judgements:
        found = selectors.project_search(
            viewer=AnonymousUser(), query=selectors.ProjectQuery(search=judgement.query)
        ).ranked[: CUTOFF * 5]
        ranked = [external_ids[pk] or "" for pk in found]
        evaluation.results.append(score(judgement, ranked))
    return evaluation
