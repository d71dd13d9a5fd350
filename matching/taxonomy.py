"""Everyday topics people ask and offer help with, and the words (Swedish as residents write
it, and English) that name them. Two listings that share a topic are about the same thing
even when they share no word: "droppande kran" and "byter packningar" are both plumbing,
"klippa gräsmattan" and "trädgårdshjälp" both garden work.

The topics and their words are in ``data/topics.txt``, to be curated like any reference
data. Each word is analysed by the platform's analyser (stems, compound parts, å/ä/ö folded), so
one entry covers its inflections and the compounds it is part of ("gräs" finds
"gräsklippning" and "gräsmattan"). Words are chosen to name a topic on their own: "hjälp" or
"behöver" name nothing and are never listed. The taxonomy can be switched off
(``enabled=False`` in the engine) to measure what it adds.
"""

from functools import cache
from importlib import resources

from smartplatform.core import analysis


def _read_topics() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """``data/topics.txt``: a topic a line (``name = label: word, word, ...``), continued on
    indented lines; ``#`` starts a comment."""
    text = resources.files("matching").joinpath("data/topics.txt").read_text(encoding="utf-8")
    topics: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not raw[0].isspace():
            head, sep, line = line.partition(":")
            name, _eq, label = (part.strip() for part in head.partition("="))
            if not sep or not name.isidentifier() or not label:
                raise ValueError(f"topics.txt, line {number}: expected 'topic = label: words'")
            current = name
            labels[name] = label
            topics.setdefault(current, [])
        elif not current:
            raise ValueError(f"topics.txt, line {number}: a continuation without a topic")
        topics[current].extend(word.strip() for word in line.split(",") if word.strip())
    return {name: tuple(words) for name, words in topics.items()}, labels


TOPICS, LABELS = _read_topics()


@cache
def topic_stems() -> dict[str, frozenset[str]]:
    """For each topic, the whole stems of its words (multi-word entries: each word's)."""
    stems: dict[str, frozenset[str]] = {}
    for topic, entries in TOPICS.items():
        found: set[str] = set()
        for entry in entries:
            for term in analysis.terms(entry):
                found.add(term.whole)
        stems[topic] = frozenset(found)
    return stems


@cache
def _index() -> dict[str, frozenset[str]]:
    by_stem: dict[str, set[str]] = {}
    for topic, stems in topic_stems().items():
        for stem in stems:
            by_stem.setdefault(stem, set()).add(topic)
    return {stem: frozenset(topics) for stem, topics in by_stem.items()}


def topics_of(stems: "set[str] | frozenset[str]") -> dict[str, set[str]]:
    """The topics a text's stems (wholes and compound parts) name, each with the stems that
    named it."""
    index = _index()
    found: dict[str, set[str]] = {}
    for stem in stems:
        for topic in index.get(stem, ()):
            found.setdefault(topic, set()).add(stem)
    return found
