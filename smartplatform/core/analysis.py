"""The platform's one Swedish text analyser: catalogue search, listing search and matching all
turn text into terms here, so a word found in one place is found the same way everywhere.

A word goes through four steps:

1. **Folding**: lower case, accents dropped, and å/ä/ö written as a/a/o, *before* anything
   else, so ``hoganas`` and ``Höganäs`` are the same word from the start.
2. **Base form**: Snowball's Swedish stemmer, helped by a word list for the definite forms it
   leaves alone (``skolan`` -> ``skola``, ``projektet`` -> ``projekt``, ``samhället`` ->
   ``samhälle``).
3. **Compounds**: a word the list does not know, or knows less well than its parts, is split
   into known parts (``detaljplanerna`` -> ``detalj`` + ``plan``, ``stadsbyggnad`` -> ``stad`` +
   ``byggnad`` with the linking s). The split with the most frequent parts wins, the way Koehn
   and Knight split German; a word is split only when its parts are together more common than
   the word itself, which keeps ``kommun`` whole.
4. **Stop words** (``och``, ``i``, ``för``...) are dropped.

A document is indexed as every word's whole stem followed by its parts' stems; a query word
matches a document holding its whole stem or all of its parts. So ``planer`` finds
``detaljplaner`` and ``matsvinn`` finds ``svinn av mat``.

The word list (``data/sv-words.tsv.gz``) is built from wordfreq by ``tools/build_lexicon.py``.
"""

from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import Stemmer

_FOLD = str.maketrans({"å": "a", "ä": "a", "æ": "a", "ö": "o", "ø": "o", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+")

# Endings a word may drop to reach a form the word list knows, for telling whether a tail of
# a compound is a word (``planerna`` -> ``plan``) and for the definite forms Snowball keeps.
_INFLECTIONS = (
    "arna",
    "erna",
    "orna",
    "ana",
    "ena",
    "na",
    "en",
    "er",
    "ar",
    "or",
    "et",
    "an",
    "n",
    "t",
    "a",
    "e",
    "s",
)
# A compound's first part may end in a linking letter (stad-s-plan) or change its last vowel
# (skol-mat from skola, gatu-kök from gata, kyrko-gård from kyrka).
_LINKERS = ("s", "")
_HEAD_VOWEL_CHANGES = (("u", "a"), ("o", "a"), ("e", "a"), ("", "a"), ("", "e"))

MIN_PART = 3
# A three-letter part must be a common word (mat, gas, hus, bil), or half the language would
# split into fragments.
MIN_SHORT_PART_ZIPF = 3.8
MIN_PART_ZIPF = 2.5
MAX_PARTS = 3
# A word the list knows is split only when its parts are common words of four letters or more
# and together clearly more common than it: äldreomsorgen (äldre, omsorg) splits, Höganäs
# (hög, anas) and kommunen (kom, munen) stay whole.
KNOWN_WORD_MARGIN = 0.3
KNOWN_WORD_MIN_PART_ZIPF = 3.0


def fold(text: str) -> str:
    """Lower case, without accents, å/ä/ö as a/a/o: the form every comparison uses."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Snowball's Swedish stop list (folded when compared), plus samt and via.
STOP_WORDS = frozenset(
    fold(word)
    for word in (
        "och",
        "det",
        "att",
        "i",
        "en",
        "jag",
        "hon",
        "som",
        "han",
        "på",
        "den",
        "med",
        "var",
        "sig",
        "för",
        "så",
        "till",
        "är",
        "men",
        "ett",
        "om",
        "hade",
        "de",
        "av",
        "icke",
        "mig",
        "du",
        "henne",
        "då",
        "sin",
        "nu",
        "har",
        "inte",
        "hans",
        "honom",
        "skulle",
        "hennes",
        "där",
        "min",
        "man",
        "ej",
        "vid",
        "kunde",
        "något",
        "från",
        "ut",
        "när",
        "efter",
        "upp",
        "vi",
        "dem",
        "vara",
        "vad",
        "över",
        "än",
        "dig",
        "kan",
        "sina",
        "här",
        "ha",
        "mot",
        "alla",
        "under",
        "någon",
        "eller",
        "allt",
        "mycket",
        "sedan",
        "ju",
        "denna",
        "själv",
        "detta",
        "åt",
        "utan",
        "varit",
        "hur",
        "ingen",
        "mitt",
        "ni",
        "bli",
        "blev",
        "oss",
        "din",
        "dessa",
        "några",
        "deras",
        "blir",
        "mina",
        "samma",
        "vilken",
        "er",
        "sådan",
        "vår",
        "blivit",
        "dess",
        "inom",
        "mellan",
        "sådant",
        "varför",
        "varje",
        "vilka",
        "ditt",
        "vem",
        "vilket",
        "sitt",
        "sådana",
        "vart",
        "dina",
        "vars",
        "vårt",
        "våra",
        "ert",
        "era",
        "vilkas",
        "samt",
        "via",
    )
)


def words(text: str) -> list[str]:
    """The folded words of a text, in order, stop words included."""
    return _WORD.findall(fold(text))


def written_words(text: str) -> list[str]:
    """The words of a text as written (lower case, not folded), in order: the same words as
    ``words`` gives, one for one."""
    return _WORD.findall(text.lower())


@cache
def _lexicon() -> dict[str, float]:
    table: dict[str, float] = {}
    data = resources.files("smartplatform.core").joinpath("data/sv-words.tsv.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            word, zipf = line.rstrip("\n").split("\t")
            table[word] = int(zipf) / 100
    return table


def zipf(word: str) -> float:
    """How common a folded word is (Zipf scale: 7 for "och", 0 when unknown)."""
    return _lexicon().get(word, 0.0)


_stemmers = threading.local()


def _snowball(word: str) -> str:
    """Snowball's Swedish stem, with one fix: Snowball removes one ending at a time, so
    "platser" stops at "plats" while "plats" loses its s; a stem left ending in such an s
    loses it too."""
    # PyStemmer's stemmers keep a cache and are not safe to share between threads.
    stemmer = getattr(_stemmers, "swedish", None)
    if stemmer is None:
        stemmer = _stemmers.swedish = Stemmer.Stemmer("swedish")
    stemmed = str(stemmer.stemWord(word))
    if stemmed != word and stemmed.endswith("s") and stemmer.stemWord(stemmed) == stemmed[:-1]:
        return stemmed[:-1]
    return stemmed


def _definite_base(word: str) -> str:
    """The indefinite form of a definite noun the word list knows, else the word."""
    own = zipf(word)
    if len(word) >= 5 and word.endswith("an") and zipf(word[:-1]) >= MIN_PART_ZIPF:
        return word[:-1]  # skolan -> skola
    if len(word) >= 5 and word.endswith("et"):
        for base in (word[:-2], word[:-1]):  # projektet -> projekt, samhallet -> samhalle
            if len(base) >= 3 and zipf(base) >= MIN_PART_ZIPF and zipf(base) >= own - 1.0:
                return base
    return word


def _known(word: str) -> float:
    """Zipf frequency of a word, or if the list does not know it, of the base form an inflection
    ending hides (0 if none)."""
    best = zipf(word)
    if best:
        return best
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PART:
            base = word[: -len(ending)]
            best = max(best, zipf(base), zipf(base + "a") if ending != "a" else 0.0)
    return best


def _head_zipf(head: str) -> float:
    """A compound's first part: a word, or a word whose last vowel changed (skol- from skola)."""
    best = zipf(head)
    for ending, original in _HEAD_VOWEL_CHANGES:
        if head.endswith(ending):
            stem = head[: len(head) - len(ending)] if ending else head
            if len(stem) >= MIN_PART - 1:
                best = max(best, zipf(stem + original))
    return best


def _part_ok(part: str, frequency: float) -> bool:
    if len(part) < MIN_PART or part in STOP_WORDS:
        return False
    return frequency >= (MIN_SHORT_PART_ZIPF if len(part) == MIN_PART else MIN_PART_ZIPF)


@lru_cache(maxsize=200_000)
def _splits(word: str, depth: int = 1) -> tuple[float, tuple[str, ...]]:
    """The best split of a word into known parts: (mean Zipf of the parts, the parts), or
    (0, ()) if there is none. A linking s is left out of the parts.

    Fewer parts beat more (``medborgar|dialog``, not ``med|borg|dialog``); a split without a
    linking s beats one with (``gräs|klippning``, not ``grå|s|klippning``); then the shortest
    first part wins, since in Swedish the last part carries the meaning (``mat|svinnet``, not
    ``mats|vinnet``).
    """
    best: tuple[tuple[int, bool, int], float, tuple[str, ...]] = ((MAX_PARTS + 1, True, 0), 0, ())
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[:cut]
        head_zipf = _head_zipf(head)
        if not _part_ok(head, head_zipf):
            continue
        for linker in _LINKERS:
            rest = word[cut:]
            if linker:
                if not rest.startswith(linker):
                    continue
                rest = rest[len(linker) :]
            options: list[tuple[float, tuple[str, ...]]] = []
            tail_zipf = _known(rest)
            if _part_ok(rest, tail_zipf):
                options.append((tail_zipf, (rest,)))
            elif depth < MAX_PARTS - 1:
                deeper_zipf, deeper = _splits(rest, depth + 1)
                if deeper:
                    options.append((deeper_zipf, deeper))
            for tail_zipf, tail in options:
                rank = (1 + len(tail), bool(linker), cut)
                if rank < best[0]:
                    mean = (head_zipf + tail_zipf * len(tail)) / (1 + len(tail))
                    best = (rank, mean, (head, *tail))
    return best[1], best[2]


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a text, analysed: its whole stem and, for a compound, its parts' stems."""

    whole: str
    parts: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return (self.whole, *self.parts)


def _stem(word: str) -> str:
    if not word.isalpha():
        return word  # h22, 3d, 2030: names and numbers stay as written
    return _snowball(_definite_base(word))


@lru_cache(maxsize=200_000)
def analyse_word(word: str) -> Term:
    """The term for one folded word (see the module docstring)."""
    if not word.isalpha() or len(word) < 2 * MIN_PART:
        return Term(_stem(word))
    word = _definite_base(word)  # skolan is skola before it could be sko + lan
    parts_zipf, parts = _splits(word)
    own = _known(word)
    if not parts or (
        own
        and (
            parts_zipf <= own + KNOWN_WORD_MARGIN
            or min(len(part) for part in parts) <= MIN_PART
            or min(_head_zipf(part) for part in parts[:-1]) < KNOWN_WORD_MIN_PART_ZIPF
            or _known(parts[-1]) < KNOWN_WORD_MIN_PART_ZIPF
        )
    ):
        return Term(_stem(word))
    # The whole keeps its first parts as written and the last one in its base form, so
    # "matsvinnet" and "matsvinn" share one whole stem.
    last = parts[-1]
    whole = _snowball(word[: len(word) - len(last)] + _definite_base(last))
    stems = [_stem(part) for part in parts]
    # Runs of neighbouring parts too, so a three-part "solcellskarta" holds "solcell".
    starts, position = [], 0
    for part in parts:
        position = word.index(part, position)
        starts.append(position)
        position += len(part)
    for first in range(len(parts)):
        for last_index in range(first + 1, len(parts)):
            if (first, last_index) != (0, len(parts) - 1):
                end = starts[last_index] + len(parts[last_index])
                stems.append(_stem(word[starts[first] : end]))
    return Term(whole, tuple(p for p in dict.fromkeys(stems) if p != whole))


def terms(text: str) -> Iterator[Term]:
    """The terms of a text in order, stop words and single letters left out."""
    for word in words(text):
        if len(word) > 1 and word not in STOP_WORDS:
            yield analyse_word(word)


def index_text(*texts: str) -> str:
    """The analysed form of texts for a search column: every term's whole stem, then its parts."""
    return " ".join(stem for text in texts for term in terms(text) for stem in term.all())


def query_terms(text: str) -> list[Term]:
    """A search query's terms, each once, in the order typed."""
    return list(dict.fromkeys(terms(text)))


def lexeme(stem: str) -> str:
    """One stem quoted for ``to_tsquery``."""
    return "'" + stem.replace("'", "''").replace("\\", "\\\\") + "'"


def any_of_tsquery(stems: Iterable[str]) -> str:
    """``to_tsquery('simple', ...)`` text matching a document holding any of ``stems``."""
    return " | ".join(lexeme(stem) for stem in stems)


def tsquery(query: list[Term]) -> str:
    """PostgreSQL ``to_tsquery('simple', ...)`` text: every term must match, by its whole stem
    or by all of its parts."""

    groups = []
    for term in query:
        whole = lexeme(term.whole)
        if term.parts:
            groups.append(f"({whole} | ({' & '.join(lexeme(p) for p in term.parts)}))")
        else:
            groups.append(whole)
    return " & ".join(groups)


def matches(term: Term, stems: Iterable[str]) -> bool:
    """Whether an analysed document (its set of stems) holds a query term."""
    held = stems if isinstance(stems, set) else set(stems)
    return term.whole in held or (bool(term.parts) and all(p in held for p in term.parts))


__all__ = [
    "STOP_WORDS",
    "Term",
    "analyse_word",
    "any_of_tsquery",
    "fold",
    "index_text",
    "lexeme",
    "matches",
    "query_terms",
    "terms",
    "tsquery",
    "words",
    "written_words",
    "zipf",
]
