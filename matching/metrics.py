"""Ranking quality, as the development set's README defines it (averaged over requests):

- MRR: 1 / the rank of the first offer with grade >= 1 (0 when none is ranked);
- nDCG@10: gain 2^grade - 1, discount log2(rank + 1), divided by the ideal ordering's;
- recall@5: the share of the request's offers with grade >= 1 that are in the top 5;
- P@1: whether the first offer has grade >= 1.
"""

import math
from collections.abc import Mapping, Sequence

Qrels = Mapping[str, Mapping[str, int]]
METRICS = ("mrr", "ndcg@10", "recall@5", "p@1")


def _dcg(grades: Sequence[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def of_one(ranking: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    grades = [relevant.get(offer, 0) for offer in ranking]
    first = next((rank for rank, grade in enumerate(grades) if grade >= 1), None)
    ideal = _dcg(sorted(relevant.values(), reverse=True)[:10])
    wanted = [offer for offer, grade in relevant.items() if grade >= 1]
    return {
        "mrr": 0.0 if first is None else 1 / (first + 1),
        "ndcg@10": _dcg(grades[:10]) / ideal if ideal else 0.0,
        "recall@5": (
            sum(1 for offer in ranking[:5] if relevant.get(offer, 0) >= 1) / len(wanted)
            if wanted
            else 0.0
        ),
        "p@1": 1.0 if grades and grades[0] >= 1 else 0.0,
    }


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """The four metrics averaged over the requests in ``qrels`` (a request without a ranking
    scores zero), and how many there were."""
    per_query = [of_one(rankings.get(query, ()), relevant) for query, relevant in qrels.items()]
    count = len(per_query)
    result: dict[str, float] = {
        name: round(sum(q[name] for q in per_query) / count, 4) if count else 0.0
        for name in METRICS
    }
    result["queries"] = count
    return result
