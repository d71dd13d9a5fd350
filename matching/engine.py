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
  two lifts are judged on their departures instead (each with its flexibility, a weekly
  trip by its weekday and time), and departures that never meet keep ``NO_COMMON_DEPARTURE``;
  their place is where both start and where both end;
- **freshness and trust**, as tie-breakers: a listing published lately, an owner with
  exchanges completed and well reviewed.

The score is ``(text * W_TEXT + topics * W_TOPICS + tags * W_TAGS) * place * time``, plus
``W_FRESH * fresh + W_TRUST * trust``. The weights were set on one half of the development
set (odd-numbered requests) and checked on the other.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from matching import places, taxonomy
from matching.bm25 import BM25
from smartplatform.core import analysis

ENGINE_VERSION = 3

W_TEXT = 1.0
W_TOPICS = 1.2
W_TAGS = 0.3
# Tie-breakers, never more: a fresh listing, and an owner with exchanges completed.
W_FRESH = 0.04
W_TRUST = 0.04
FRESH_DAYS = 30.0
TRUSTED_AFTER = 5  # completed exchanges for the whole trust signal
# When both listings say when, and none of it meets, the match keeps this much; two lifts
# whose departures never meet keep less (a lift at another hour is rarely a lift at all).
NO_COMMON_TIME = 0.8
NO_COMMON_DEPARTURE = 0.5
WEEK_MINUTES = 7 * 24 * 60
LOCAL = ZoneInfo("Europe/Stockholm")
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
class Trip:
    """A lift's route and departure: where from and to (municipality codes, and points when
    given), the first departure, how many minutes either way it may move, whether weekly."""

    origin: str
    destination: str
    departs_at: datetime
    flexibility: int = 0
    weekly: bool = False
    origin_point: tuple[float, float] | None = None
    destination_point: tuple[float, float] | None = None


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
    rating: float | None = None  # its owner's average review, 1 to 5
    reviews: int = 0  # reviews its owner has received
    trip: Trip | None = None  # a lift's route and departure
    # Its stems counted, once: the text signal's index reads these for every query.
    counts: Mapping[str, int] = field(default_factory=dict, compare=False)


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
    rating: float | None = None  # the other owner's average review
    reviews: int = 0
    departure_gap: int | None = None  # minutes between two lifts' nearest departures
    departures_meet: bool = False  # within the two lifts' flexibility
    route: bool = False  # ``km``: the farther of the two starts and the two ends


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
    rating: float | None = None,
    reviews: int = 0,
    trip: Trip | None = None,
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
        rating=rating,
        reviews=reviews,
        trip=trip,
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
    rating: float | None = None,
    reviews: int = 0,
    trip: Trip | None = None,
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
        rating=rating,
        reviews=reviews,
        trip=trip,
        counts=Counter(stems),
    )


def _km(
    a: tuple[float, float] | None, b: tuple[float, float] | None, code_a: str, code_b: str
) -> float | None:
    if a and b:
        return places.km_between(a, b)
    return places.municipality_km(code_a, code_b)


def _distance(a: Profile, b: Profile) -> float | None:
    if a.trip and b.trip:  # two lifts: as far apart as their starts or their ends
        starts = _km(a.trip.origin_point, b.trip.origin_point, a.trip.origin, b.trip.origin)
        ends = _km(
            a.trip.destination_point,
            b.trip.destination_point,
            a.trip.destination,
            b.trip.destination,
        )
        return None if starts is None or ends is None else max(starts, ends)
    return _km(a.point, b.point, a.municipality, b.municipality)


def departure_gap(a: Trip, b: Trip) -> int | None:
    """Minutes between two lifts' nearest departures: by the clock for two single trips; by
    weekday and local time when either is weekly (a weekly trip serves a single one only
    from its first departure on). None when they never both run."""
    if not (a.weekly or b.weekly):
        return round(abs((a.departs_at - b.departs_at).total_seconds()) / 60)
    slack = timedelta(minutes=a.flexibility + b.flexibility)
    for single, weekly in ((a, b), (b, a)):
        if weekly.weekly and not single.weekly and single.departs_at < weekly.departs_at - slack:
            return None
    one, other = (_minute_of_week(trip.departs_at) for trip in (a, b))
    apart = abs(one - other) % WEEK_MINUTES
    return min(apart, WEEK_MINUTES - apart)


def _minute_of_week(moment: datetime) -> int:
    local = moment.astimezone(LOCAL)
    return local.weekday() * 24 * 60 + local.hour * 60 + local.minute


def time_factor(query: Profile, candidate: Profile) -> tuple[float, list[str], int | None, bool]:
    """How much of a match's worth its timing keeps; the times both name; and for two
    lifts the minutes between their departures and whether those meet."""
    if query.trip and candidate.trip:
        gap = departure_gap(query.trip, candidate.trip)
        meets = gap is not None and gap <= query.trip.flexibility + candidate.trip.flexibility
        return (1.0 if meets else NO_COMMON_DEPARTURE), [], gap, meets
    common = sorted(query.when & candidate.when)
    factor = 1.0 if not (query.when and candidate.when) or common else NO_COMMON_TIME
    return factor, common, None, False


def trust_of(profile: Profile) -> float:
    """Exchanges completed (full at ``TRUSTED_AFTER``), counted more the better the owner's
    reviews: half for the worst average, three quarters with no reviews yet, whole for 5."""
    experience = min(1.0, profile.completed / TRUSTED_AFTER)
    opinion = 0.5 if profile.rating is None or not profile.reviews else (profile.rating - 1) / 4
    return experience * (0.5 + 0.5 * opinion)


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
    """``pool`` (listings of the other kind, same category) ranked for ``query``. Every
    candidate is scored; only those returned are explained."""
    if not pool:
        return []
    raw = BM25(counted={candidate.key: candidate.counts for candidate in pool}).scores(query.stems)
    best = max(raw.values()) or 1.0
    scored = []
    for candidate in pool:
        text = raw[candidate.key] / best
        shared_topics = sorted(set(query.topics) & set(candidate.topics))
        topics = len(shared_topics) / len(query.topics) if query.topics else 0.0
        shared_tags = sorted(query.tags & candidate.tags)
        tags = min(1.0, len(shared_tags) / 2)
        place, distance = place_factor(query, candidate)
        timing = time_factor(query, candidate)
        time = timing[0]
        fresh = 0.0 if candidate.age_days is None else 0.5 ** (candidate.age_days / FRESH_DAYS)
        trust = trust_of(candidate)
        score = (W_TEXT * text + W_TOPICS * topics + W_TAGS * tags) * place * time
        score += W_FRESH * fresh + W_TRUST * trust
        signals = {
            "text": text,
            "topics": topics,
            "tags": tags,
            "place": place,
            "time": time,
            "fresh": fresh,
            "trust": trust,
        }
        scored.append(
            (round(score, 6), candidate, signals, distance, shared_topics, shared_tags, timing)
        )
    # Ties in listing order (ids as numbers), the same in every run and on every database.
    scored.sort(key=lambda row: (-row[0], _order(row[1].key)))
    return [
        Scored(
            key=candidate.key,
            score=score,
            signals=signals,
            why=_explain(query, candidate, distance, shared_topics, shared_tags, timing),
        )
        for score, candidate, signals, distance, shared_topics, shared_tags, timing in (
            scored[:limit] if limit else scored
        )
    ]


def _explain(
    query: Profile,
    candidate: Profile,
    distance: float | None,
    shared_topics: list[str],
    shared_tags: list[str],
    timing: tuple[float, list[str], int | None, bool],
) -> Explanation:
    shared_words = sorted(
        {
            candidate.words.get(stem) or query.words.get(stem) or stem
            for stem in candidate.counts.keys() & query.counts.keys()
        }
    )
    _time, common_time, gap, meets = timing
    return Explanation(
        words=shared_words[:6],
        topics=shared_topics,
        tags=shared_tags,
        km=None if distance is None else round(distance),
        remote=query.remote or candidate.remote,
        when=common_time,
        completed=candidate.completed,
        rating=None if candidate.rating is None else round(candidate.rating, 1),
        reviews=candidate.reviews,
        departure_gap=gap,
        departures_meet=meets,
        route=bool(query.trip and candidate.trip),
    )
