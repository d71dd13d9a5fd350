"""The matching engine: for a listing, the complementary listings ranked best first, each with
its score and an explanation per signal.

A listing becomes a *profile*: its analysed terms (the platform's Swedish analyser: stems,
compound parts, å/ä/ö folded; the title counts twice), the everyday topics those terms name
(``matching.taxonomy``), its tags, where it is, and whether it can be done at a distance
(inferred from its words as well as its own flag). Two profiles are scored on

- **text**: BM25 over the analysed terms, against the pool being ranked, scaled to the best;
- **topics**: the share of the request's topics the offer names too;
- **tags**: tags in common;
- **place**, for cars, spaces and in-person services: full in the same municipality, then
  falling with the distance between the municipalities' seats (or the listings' own points);
  work that can be done at a distance is not penalised, nor is municipal expertise.

- **time**: when both say when (weekdays, weekends, mornings, afternoons, evenings, from
  their text and availability) and none of it meets, the match keeps ``NO_COMMON_TIME``;
- **freshness and trust**, as tie-breakers: a listing published lately, an owner with
  exchanges completed.

The score is ``(text * W_TEXT + topics * W_TOPICS + tags * W_TAGS) * place * time``, plus
``W_FRESH * fresh + W_TRUST * trust``. The weights were set on one half of the development
set (odd-numbered requests) and checked on the other.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

from matching import places, taxonomy
from matching.bm25 import BM25
from smartplatform.core import analysis

ENGINE_VERSION = 2

W_TEXT = 1.0
W_TOPICS = 1.2
W_TAGS = 0.3
# Tie-breakers, never more: a fresh listing, and an owner with exchanges completed.
W_FRESH = 0.04
W_TRUST = 0.04
FRESH_DAYS = 30.0
TRUSTED_AFTER = 5  # completed exchanges for the whole trust signal
# When both listings say when, and none of it meets, the match keeps this much.
NO_COMMON_TIME = 0.8
# Kilometres at which the place factor of an in-person match has halved.
HALF_KM = 18.0
# The least an in-person match far away keeps: a perfect one still beats nothing at all.
FLOOR = 0.15
PLACE_BOUND = ("car", "space", "service")

# English function words: the platform's analyser knows Swedish ones; listings written in
# English would otherwise match each other on "the", "and" and "my".
ENGLISH_STOP_WORDS = frozenset(
    line_word
    for line in resources.files("matching")
    .joinpath("data/english-stop-words.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if not line.startswith("#")
    for line_word in line.split()
)

# Words that say when: the parts of the week and of the day a listing names.
WHEN_WORDS: dict[str, tuple[str, ...]] = {
    "weekday": (
        "vardag",
        "vardagar",
        "vardagarna",
        "måndag",
        "måndagar",
        "tisdag",
        "tisdagar",
        "onsdag",
        "onsdagar",
        "torsdag",
        "torsdagar",
        "fredag",
        "fredagar",
        "weekday",
        "weekdays",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
    ),
    "weekend": (
        "helg",
        "helger",
        "helgen",
        "helgerna",
        "lördag",
        "lördagar",
        "söndag",
        "söndagar",
        "weekend",
        "weekends",
        "saturday",
        "sunday",
    ),
    "morning": ("morgon", "morgnar", "morgonen", "förmiddag", "förmiddagar", "morning"),
    "afternoon": ("eftermiddag", "eftermiddagar", "eftermiddagen", "afternoon"),
    "evening": ("kväll", "kvällar", "kvällen", "kvällstid", "evening", "evenings", "night"),
}
WHEN_LABELS = {
    "weekday": "vardagar",
    "weekend": "helger",
    "morning": "förmiddagar",
    "afternoon": "eftermiddagar",
    "evening": "kvällar",
}

# Words that say the help can be given at a distance.
REMOTE_WORDS = (
    "distans",
    "digitalt",
    "digital",
    "telefon",
    "ringa",
    "video",
    "videosamtal",
    "online",
    "remote",
    "remotely",
    "teams",
    "zoom",
    "mejl",
    "e-post",
    "nätet",
    "internet",
    "phone",
)


@dataclass(frozen=True)
class Profile:
    key: str
    kind: str
    category: str
    municipality: str
    stems: tuple[str, ...]
    topics: dict[str, frozenset[str]]
    tags: frozenset[str]
    remote: bool
    point: tuple[float, float] | None = None
    words: dict[str, str] = field(default_factory=dict, compare=False)  # stem -> a word
    when: frozenset[str] = frozenset()  # parts of the week and day it names (WHEN_WORDS)
    age_days: float | None = None  # since it was published
    completed: int = 0  # exchanges its owner has completed


@dataclass(frozen=True)
class Explanation:
    """What a match rests on, signal by signal (the API words it in plain Swedish)."""

    words: list[str]  # words in common, as the other listing wrote them
    topics: list[str]  # everyday topics both name
    tags: list[str]  # tags in common
    km: int | None  # the distance the place signal was judged on
    remote: bool  # whether either side can be done at a distance
    when: list[str] = field(default_factory=list)  # times both name
    completed: int = 0  # exchanges the other listing's owner has completed


@dataclass
class Scored:
    key: str
    score: float
    signals: dict[str, float]
    why: Explanation


def _remote_stems() -> frozenset[str]:
    return frozenset(term.whole for word in REMOTE_WORDS for term in analysis.terms(word))


_REMOTE = _remote_stems()
_WHEN = {
    term.whole: part
    for part, words in WHEN_WORDS.items()
    for word in words
    for term in analysis.terms(word)
}


def profile(
    *,
    key: str,
    kind: str,
    category: str,
    municipality: str,
    title: str,
    description: str,
    tags: Iterable[str] = (),
    remote: bool = False,
    point: tuple[float, float] | None = None,
    use_taxonomy: bool = True,
    availability: str = "",
    age_days: float | None = None,
    completed: int = 0,
) -> Profile:
    tag_list = [tag for tag in tags if tag]
    when_stems = {analysis.analyse_word(word).whole for word in analysis.words(availability)}
    stems: list[str] = []
    words: dict[str, str] = {}
    for text, times in ((title, 2), (description, 1), (" ".join(tag_list), 1)):
        for written in analysis.written_words(text):
            word = analysis.fold(written)  # as the analyser's own words() does
            if len(word) < 2 or word in analysis.STOP_WORDS or word in ENGLISH_STOP_WORDS:
                continue
            term = analysis.analyse_word(word)
            words.setdefault(term.whole, written)  # explanations show the word as written
            stems.extend(list(term.all()) * times)
    return from_stems(
        key=key,
        kind=kind,
        category=category,
        municipality=municipality,
        stems=stems,
        tags=tag_list,
        remote=remote,
        point=point,
        words=words,
        use_taxonomy=use_taxonomy,
        extra_when=when_stems,
        age_days=age_days,
        completed=completed,
    )


def from_stems(
    *,
    key: str,
    kind: str,
    category: str,
    municipality: str,
    stems: list[str],
    tags: Iterable[str] = (),
    remote: bool = False,
    point: tuple[float, float] | None = None,
    words: dict[str, str] | None = None,
    use_taxonomy: bool = True,
    extra_when: Iterable[str] = (),
    age_days: float | None = None,
    completed: int = 0,
) -> Profile:
    """A profile from text the analyser has already turned into stems (a stored search
    column), with the title's stems repeated by the caller if they weigh more."""
    held = set(stems)
    found = taxonomy.topics_of(held) if use_taxonomy else {}
    return Profile(
        key=key,
        kind=kind,
        category=category,
        municipality=municipality,
        stems=tuple(stems),
        topics={topic: frozenset(named) for topic, named in found.items()},
        tags=frozenset(analysis.fold(tag) for tag in tags),
        remote=remote or bool(held & _REMOTE),
        point=point,
        words=words or {},
        when=frozenset(_WHEN[stem] for stem in held | set(extra_when) if stem in _WHEN),
        age_days=age_days,
        completed=completed,
    )


def _distance(a: Profile, b: Profile) -> float | None:
    if a.point and b.point:
        return places.km_between(a.point, b.point)
    return places.municipality_km(a.municipality, b.municipality)


def place_factor(request: Profile, offer: Profile) -> tuple[float, float | None]:
    """How much of a match's worth its place keeps, and the distance it was judged on."""
    if request.category not in PLACE_BOUND:
        return 1.0, None
    if request.category == "service" and (request.remote or offer.remote):
        return 1.0, None
    distance = _distance(request, offer)
    if distance is None:
        return 0.5, None
    return max(FLOOR, 1 / (1 + (distance / HALF_KM) ** 2)), distance


def _order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (0, key)


def rank(query: Profile, pool: Sequence[Profile], *, limit: int | None = None) -> list[Scored]:
    """``pool`` (listings of the other kind, same category) ranked for ``query``."""
    if not pool:
        return []
    index = BM25({candidate.key: candidate.stems for candidate in pool})
    raw = {candidate.key: index.score(query.stems, candidate.key) for candidate in pool}
    best = max(raw.values()) or 1.0
    held_query = set(query.stems)
    results = []
    for candidate in pool:
        text = raw[candidate.key] / best
        shared_topics = sorted(set(query.topics) & set(candidate.topics))
        topics = len(shared_topics) / len(query.topics) if query.topics else 0.0
        shared_tags = sorted(query.tags & candidate.tags)
        tags = min(1.0, len(shared_tags) / 2)
        place, distance = place_factor(query, candidate)
        common_time = sorted(query.when & candidate.when)
        time = 1.0 if not (query.when and candidate.when) or common_time else NO_COMMON_TIME
        fresh = 0.0 if candidate.age_days is None else 0.5 ** (candidate.age_days / FRESH_DAYS)
        trust = min(1.0, candidate.completed / TRUSTED_AFTER)
        score = (W_TEXT * text + W_TOPICS * topics + W_TAGS * tags) * place * time
        score += W_FRESH * fresh + W_TRUST * trust
        shared_words = sorted(
            {
                candidate.words.get(stem) or query.words.get(stem) or stem
                for stem in held_query & set(candidate.stems)
            }
        )
        results.append(
            Scored(
                key=candidate.key,
                score=round(score, 6),
                signals={
                    "text": text,
                    "topics": topics,
                    "tags": tags,
                    "place": place,
                    "time": time,
                    "fresh": fresh,
                    "trust": trust,
                },
                why=Explanation(
                    words=shared_words[:6],
                    topics=shared_topics,
                    tags=shared_tags,
                    km=None if distance is None else round(distance),
                    remote=query.remote or candidate.remote,
                    when=common_time,
                    completed=candidate.completed,
                ),
            )
        )
    # Ties in listing order (ids as numbers), the same in every run and on every database.
    results.sort(key=lambda scored: (-scored.score, _order(scored.key)))
    return results[:limit] if limit else results
