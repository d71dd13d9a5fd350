"""Keeping matches current: a listing's best matches, and its place among the matches of the
listings it matches (a new offer may be the best one for requests already there), and
telling owners of good new matches once per pair.

Every function here is idempotent: run twice, it leaves the same rows and tells nobody
twice (``notified_at`` per pair, and the notifications app's dedupe key per pair)."""

import dataclasses
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.models import Listing
from matching import engine, ranking, taxonomy
from matching.models import Match
from smartplatform.core.errors import DomainError
from smartplatform.core.events import publish

# Matches kept per listing, the least score that is a match at all, and the least that is
# worth telling the owner about.
TOP = 20
MIN_SCORE = 0.45
TELL_SCORE = 0.9


class NotYourMatch(DomainError):
    status_code = 404
    code = "not_found"


@dataclass
class Refreshed:
    kept: int = 0
    reverse: int = 0
    told: list[int] = field(default_factory=list)


def explain(why: engine.Explanation) -> str:
    """The explanation in plain words: "Matchar på: trädgård, gräsklippning · 6 km bort"."""
    reasons = [taxonomy.LABELS.get(topic, topic) for topic in why.topics]
    reasons += [word for word in why.words if word not in reasons]
    reasons += [tag for tag in why.tags if tag not in reasons]
    parts = [_("Matches on: %(reasons)s") % {"reasons": ", ".join(reasons[:5])}] if reasons else []
    if why.when:
        labels = ", ".join(engine.WHEN_LABELS.get(part, part) for part in why.when)
        parts.append(_("suits the time: %(when)s") % {"when": labels})
    if why.remote:
        parts.append(_("can be done at a distance"))
    elif why.km == 0:
        parts.append(_("in the same municipality"))
    elif why.km is not None:
        parts.append(_("%(km)s km away") % {"km": why.km})
    return " · ".join(parts)


def reasons(why: engine.Explanation) -> dict[str, object]:
    """An explanation as stored and shown in parts (``Explanation(**reasons)`` reads it back)."""
    return dataclasses.asdict(why)


def _row(listing_id: int, scored: engine.Scored, now: object) -> dict[str, object]:
    return {
        "score": scored.score,
        "signals": {name: round(value, 4) for name, value in scored.signals.items()},
        "explanation": reasons(scored.why),
        "engine_version": engine.ENGINE_VERSION,
        "computed_at": now,
    }


def _store(listing: Listing, kept: list[engine.Scored], *, replace: bool) -> list[Match]:
    """Upsert ``listing``'s matches; with ``replace``, those no longer kept (and never
    dismissed) go. Returns the rows written."""
    now = timezone.now()
    written = []
    for scored in kept:
        match, _created = Match.objects.update_or_create(
            listing=listing, other_id=int(scored.key), defaults=_row(listing.pk, scored, now)
        )
        written.append(match)
    if replace:
        Match.objects.filter(listing=listing, dismissed_at__isnull=True).exclude(
            other_id__in=[int(scored.key) for scored in kept]
        ).delete()
    return written


def _tell(matches: list[Match]) -> list[int]:
    """Tell the owner of each good, new, undismissed match, once per pair."""
    told = []
    for match in matches:
        if match.score < TELL_SCORE or match.notified_at or match.dismissed_at:
            continue
        updated = Match.objects.filter(pk=match.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if updated:
            why = engine.Explanation(**match.explanation)
            publish(
                "matching.match_found",
                {"listing": match.listing_id, "match": match.other_id, "why": explain(why)},
            )
            told.append(match.pk)
    return told


@transaction.atomic
def refresh(listing_id: int, *, both_ways: bool = True) -> Refreshed:
    """Recompute a listing's matches and (``both_ways``) its place in its matches' own
    lists. The nightly recomputation goes one way: every listing gets its own turn."""
    result = Refreshed()
    listing = Listing.objects.select_related("municipality").filter(pk=listing_id).first()
    if listing is None:
        return result
    if listing.state != Listing.State.PUBLISHED:
        # Off the marketplace: it matches nothing and is nobody's match until it is back.
        Match.objects.filter(listing=listing, dismissed_at__isnull=True).delete()
        Match.objects.filter(other=listing, dismissed_at__isnull=True).delete()
        return result
    kept = [s for s in ranking.rank_for(listing, limit=TOP) if s.score >= MIN_SCORE]
    written = _store(listing, kept, replace=True)
    result.kept = len(written)
    for scored in kept if both_ways else ():
        other = Listing.objects.select_related("municipality").get(pk=int(scored.key))
        theirs = [s for s in ranking.rank_for(other, limit=TOP) if s.score >= MIN_SCORE]
        mine = [s for s in theirs if s.key == str(listing.pk)]
        if mine:
            written += _store(other, mine, replace=False)
            result.reverse += 1
    result.told = _tell(written)
    return result


def dismiss(*, match: Match) -> Match:
    if match.dismissed_at is None:
        match.dismissed_at = timezone.now()
        match.save(update_fields=["dismissed_at"])
    return match


def recompute_all() -> int:
    """Every published listing's matches again, with the current engine (nightly): each in its
    own transaction, read in chunks of ids so memory stays flat; matches of listings no
    longer published go. Returns how many listings were recomputed."""
    Match.objects.exclude(listing__state=Listing.State.PUBLISHED).filter(
        dismissed_at__isnull=True
    ).delete()
    done = 0
    ids = Listing.objects.filter(state=Listing.State.PUBLISHED).order_by("pk")
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:500])
        if not chunk:
            return done
        for listing_id in chunk:
            refresh(listing_id, both_ways=False)
            done += 1
        last = chunk[-1]
