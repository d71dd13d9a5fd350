"""Okapi BM25 over token lists: the baselines' ranking, and the engine's text signal."""

import math
from collections import Counter
from collections.abc import Mapping, Sequence


class BM25:
    """Scores a query's tokens against a fixed collection of documents."""

    def __init__(
        self, documents: Mapping[str, Sequence[str]], *, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.k1, self.b = k1, b
        self.counts = {key: Counter(tokens) for key, tokens in documents.items()}
        self.lengths = {key: len(tokens) for key, tokens in documents.items()}
        self.average = (sum(self.lengths.values()) / len(self.lengths)) if self.lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self.counts.values():
            frequency.update(counts.keys())
        total = len(self.counts)
        self.idf = {
            token: math.log(1 + (total - seen + 0.5) / (seen + 0.5))
            for token, seen in frequency.items()
        }

    def score(self, query: Sequence[str], key: str) -> float:
        counts, length = self.counts[key], self.lengths[key]
        norm = self.k1 * (1 - self.b + self.b * length / self.average) if self.average else 0.0
        total = 0.0
        for token in set(query):
            tf = counts.get(token, 0)
            if tf:
                total += self.idf[token] * tf * (self.k1 + 1) / (tf + norm)
        return total
