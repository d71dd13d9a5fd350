"""Okapi BM25 over token lists: the baselines' ranking, and the engine's text signal."""

import math
from collections import Counter
from collections.abc import Mapping, Sequence


class BM25:
    """Scores a query's tokens against a fixed collection of documents, given as token lists
    or (``counted``) as each document's token counts, counted once by the caller."""

    def __init__(
        self,
        documents: Mapping[str, Sequence[str]] | None = None,
        *,
        counted: Mapping[str, Mapping[str, int]] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.k1, self.b = k1, b
        if counted is None:
            counted = {key: Counter(tokens) for key, tokens in (documents or {}).items()}
        self.counts = counted
        self.lengths = {key: sum(counts.values()) for key, counts in counted.items()}
        self.average = (sum(self.lengths.values()) / len(self.lengths)) if self.lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in counted.values():
            frequency.update(counts.keys())
        total = len(counted)
        self.idf = {
            token: math.log(1 + (total - seen + 0.5) / (seen + 0.5))
            for token, seen in frequency.items()
        }

    def scores(self, query: Sequence[str]) -> dict[str, float]:
        """Every document's score. Terms are summed in sorted order, so a score is the same
        to the last bit in every process (a set's order changes with the hash seed)."""
        terms = [(token, self.idf[token]) for token in sorted(set(query)) if token in self.idf]
        k1, b, average = self.k1, self.b, self.average
        found = {}
        for key, counts in self.counts.items():
            norm = k1 * (1 - b + b * self.lengths[key] / average) if average else 0.0
            total = 0.0
            for token, idf in terms:
                tf = counts.get(token, 0)
                if tf:
                    total += idf * tf * (k1 + 1) / (tf + norm)
            found[key] = total
        return found
