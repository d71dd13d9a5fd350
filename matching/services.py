"""Keeping matches current: a listing's best matches, and its place among the matches of the
listings it matches (a new offer may be the best one for requests already there), and
telling owners of good new matches once per pair.

Every function here is idempotent: run twice, it leaves the same rows and tells nobody
twice (``notified_at`` per pair, and the notifications app's dedupe key per pair)."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchange.models import Listing
from matching import batch, engine, ranking, taxonomy
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
    if why.departures_meet:
        parts.append(
            _("departs at the same time")
            if not why.departure_gap
            else _("departures %(minutes)s min apart") % {"minutes": why.departure_gap}
        )
    if why.route and why.km is not None:
        parts.append(_("start and destination within %(km)s km") % {"km": why.km})
    elif why.remote:
        parts.append(_("can be done at a distance"))
    elif why.km == 0:
        parts.append(_("in the same municipality"))
    elif why.km is not None:
        parts.append(_("%(km)s km away") % {"km": why.km})
    if why.completed:
        parts.append(
            ngettext("%(count)s exchange completed", "%(count)s exchanges completed", why.completed)
            % {"count": why.completed}
        )
    if why.reviews and why.rating is not None:
        parts.append(
            _("rated %(rating)s of 5") % {"rating": number_format(why.rating, decimal_pos=1)}
        )
    return " · ".join(parts)


def reasons(why: engine.Explanation) -> dict[str, object]:
    """An explanation as stored and shown in parts (``Explanation(**reasons)`` reads it back).
    Its values are plain lists and numbers: a shallow copy is enough, and cheap."""
    return dict(vars(why))


def _values(scored: engine.Scored) -> dict[str, Any]:
    """What a match row stores of a ranking, besides its pair and when it was computed."""
    return {
        "score": scored.score,
        "signals": {name: round(value, 4) for name, value in scored.signals.items()},
        "explanation": reasons(scored.why),
        "engine_version": engine.ENGINE_VERSION,
    }


def _store(listing: Listing, kept: list[engine.Scored], *, replace: bool) -> list[Match]:
    """Upsert ``listing``'s matches; with ``replace``, those no longer kept (and never
    dismissed) go. Returns the rows written."""
    now = timezone.now()
    written = []
    for scored in kept:
        match, _created = Match.objects.update_or_create(
            listing=listing,
            other_id=int(scored.key),
            defaults={**_values(scored), "computed_at": now},
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
    lists, and tell owners of good new pairs. One way, it stores what the nightly
    recomputation stores for the listing."""
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


def recompute_all(*, chunk: int = 500) -> int:
    """Every published listing's matches again, with the current engine (nightly), through
    the batch path (``matching.batch``: the online path's result, computed a category at a
    time). Matches are written ``chunk`` listings at a time, each chunk in its own
    transaction: upserted (a pair's told and dismissed times stay), then the chunk's older
    matches no longer kept go. Matches of listings no longer published go first. Returns how
    many listings were recomputed.

    It tells nobody: news comes from the marketplace (a listing published or changed is
    matched both ways at once, and its good new pairs told). What changes overnight is the
    engine's judgement of pairs already there, and a new engine version must not send every
    owner a digest of old listings."""
    Match.objects.exclude(listing__state=Listing.State.PUBLISHED).filter(
        dismissed_at__isnull=True
    ).delete()
    done = 0
    pending: list[tuple[int, list[engine.Scored]]] = []
    for listing_id, ranked in batch.rank_all(now=timezone.now(), limit=TOP):
        pending.append((listing_id, [s for s in ranked if s.score >= MIN_SCORE]))
        if len(pending) == chunk:
            done += _store_chunk(pending)
            pending = []
    return done + _store_chunk(pending)


COLUMNS = ("listing_id", "other_id", "score", "signals", "explanation", "engine_version")


@transaction.atomic
def _store_chunk(ranked: list[tuple[int, list[engine.Scored]]]) -> int:
    if not ranked:
        return 0
    now = timezone.now()
    rows = [
        {"listing_id": listing_id, "other_id": int(scored.key), **_values(scored)}
        for listing_id, kept in ranked
        for scored in kept
    ]
    if connection.vendor == "postgresql":
        _upsert_by_copy(rows, now)
    else:
        Match.objects.bulk_create(
            [Match(**row, computed_at=now) for row in rows],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["listing", "other"],
            update_fields=["score", "signals", "explanation", "engine_version", "computed_at"],
        )
    listing_ids = [listing_id for listing_id, _kept in ranked]
    # What this chunk did not write again is no longer among the listing's best.
    Match.objects.filter(
        listing_id__in=listing_ids, dismissed_at__isnull=True, computed_at__lt=now
    ).delete()
    return len(ranked)


def _upsert_by_copy(rows: list[dict[str, Any]], now: datetime) -> None:
    """The chunk's matches COPYed into a scratch table of this transaction, then upserted
    in one statement (measured: about a quarter of the time ``bulk_create`` with
    ``update_conflicts`` took for the same rows)."""
    columns = ", ".join(COLUMNS)
    json_columns = ("signals", "explanation")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE matching_incoming ON COMMIT DROP AS "  # noqa: S608 (constants)
            f"SELECT {columns} FROM matching_match WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY matching_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[name]) if name in json_columns else row[name]
                        for name in COLUMNS
                    ]
                )
        cursor.execute(
            f"INSERT INTO matching_match ({columns}, computed_at) "  # noqa: S608 (constants)
            f"SELECT {columns}, %s FROM matching_incoming "
            "ON CONFLICT (listing_id, other_id) DO UPDATE SET score = EXCLUDED.score, "
            "signals = EXCLUDED.signals, explanation = EXCLUDED.explanation, "
            "engine_version = EXCLUDED.engine_version, computed_at = EXCLUDED.computed_at",
            [now],
        )
        # Dropped now, not only at commit: an enclosing transaction may hold more chunks.
        cursor.execute("DROP TABLE matching_incoming")
