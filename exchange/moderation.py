"""Moderation: reports from anyone signed in, decisions by the moderators of a municipality,
and blocks between residents.

Every decision is a ``ModerationDecision`` row (who, when, what, why) and a domain event the
owner is told through. Reports work for any reportable model registered in ``REPORTABLE``
(listings now; messages and reviews when they exist).

Lock discipline: a report or a decision takes ``FOR UPDATE`` on the reported item's row
first, so three reports arriving together hide it once, and a decision and a report do not
cross.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions
from exchange.listings import set_state
from exchange.models import Block, Listing, Message, ModerationDecision, Report, Review
from smartplatform.accounts import services as account_services
from smartplatform.accounts import suspension
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish

State = Listing.State
Action = ModerationDecision.Action
# This many open reports hide an item until a moderator has looked at it.
HIDE_AFTER_REPORTS = 3


class AlreadyReported(ConflictError):
    code = "already_reported"
    default_message = _("You have already reported this.")


class CannotReportOwnItem(DomainError):
    code = "cannot_report_own_item"
    default_message = _("You cannot report your own listing, message or review.")


class NotAModeratorHere(DomainError):
    status_code = 403
    code = "not_a_moderator_here"
    default_message = _("Only the moderators of the item's municipality may decide this.")


class NothingToDecide(ConflictError):
    code = "moderation_not_possible"
    default_message = _("The item is not in a state where this decision can be taken.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason: the owner is told it.")


class CannotBlockOneself(DomainError):
    code = "cannot_block_oneself"
    default_message = _("You cannot block yourself.")


@dataclass(frozen=True)
class Reportable:
    model: type[Model]
    owner_id: Callable[[Any], int]
    municipality_code: Callable[[Any], str]
    visible: Callable[[Any], bool]


REPORTABLE: dict[str, Reportable] = {
    "listing": Reportable(
        model=Listing,
        owner_id=lambda listing: listing.owner_id,
        municipality_code=lambda listing: listing.municipality_id,
        visible=lambda listing: listing.state == State.PUBLISHED,
    ),
    # Messages and reviews: the municipality of the exchange's listing moderates them.
    "message": Reportable(
        model=Message,
        owner_id=lambda message: message.sender_id,
        municipality_code=lambda message: message.exchange.listing.municipality_id,
        visible=lambda message: message.hidden_at is None,
    ),
    "review": Reportable(
        model=Review,
        owner_id=lambda review: review.author_id,
        municipality_code=lambda review: review.exchange.listing.municipality_id,
        visible=lambda review: review.hidden_at is None,
    ),
}


def _related(kind: str) -> tuple[str, ...]:
    return ("exchange__listing",) if kind in ("message", "review") else ()


def _content_type(item: Model) -> ContentType:
    return ContentType.objects.get_for_model(type(item))


def _decide(item: Model, action: str, *, moderator: Any, reason: str = "") -> ModerationDecision:
    return ModerationDecision.objects.create(
        content_type=_content_type(item),
        object_id=item.pk,
        action=action,
        reason=reason.strip(),
        moderator=moderator,
    )


def record_decision(
    item: Model, action: str, *, moderator: Any, reason: str = ""
) -> ModerationDecision:
    """Record a moderator's decision on any item (who, when, what, why)."""
    return _decide(item, action, moderator=moderator, reason=reason)


def open_reports(item: Model) -> Any:
    return Report.objects.filter(
        content_type=_content_type(item), object_id=item.pk, status=Report.Status.OPEN
    )


def _close_reports(item: Model, status: str) -> int:
    return open_reports(item).update(status=status, decided_at=timezone.now())


# --- Reports --------------------------------------------------------------------------------


@transaction.atomic
def report(*, reporter: Any, kind: str, item_id: int, reason: str, comment: str = "") -> Report:
    """Report an item the reporter can see. The third open report hides a published listing
    pending review and tells its owner."""
    spec = REPORTABLE[kind]
    item = (
        spec.model._default_manager.select_for_update(of=("self",))
        .select_related(*_related(kind))
        .get(pk=item_id)
    )
    if spec.owner_id(item) == reporter.pk:
        raise CannotReportOwnItem()
    try:
        with transaction.atomic():
            made = Report.objects.create(
                reporter=reporter,
                content_type=_content_type(item),
                object_id=item.pk,
                reason=reason,
                comment=comment.strip(),
            )
    except IntegrityError as exc:  # the once-per-person constraint
        raise AlreadyReported() from exc
    publish("moderation.reported", {"report": made.pk, "kind": kind, "item": item.pk})
    if spec.visible(item) and open_reports(item).count() >= HIDE_AFTER_REPORTS:
        _hide(kind, item)
        _decide(item, Action.AUTO_HIDE, moderator=None)
        publish(f"{kind}.hidden", {kind: item.pk, "owner": spec.owner_id(item)})
    return made


def _hide(kind: str, item: Any) -> None:
    if kind == "listing":
        set_state(item, State.HIDDEN)
    else:
        item.hidden_at = timezone.now()
        item.save(update_fields=["hidden_at"])


# --- Decisions ------------------------------------------------------------------------------


def _locked_listing(moderator: Any, listing: Listing, *allowed: str) -> Listing:
    if not permissions.moderates(moderator, listing.municipality_id):
        raise NotAModeratorHere()
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    if allowed and locked.state not in allowed:
        raise NothingToDecide(extra={"state": locked.state})
    return locked


@transaction.atomic
def approve(*, moderator: Any, listing: Listing, reason: str = "") -> Listing:
    """Publish a listing waiting for review, or bring back one hidden by reports (its open
    reports are dismissed). The owner is established from now on."""
    from exchange.models import LISTING_LIFETIME

    listing = _locked_listing(moderator, listing, State.PENDING_REVIEW, State.HIDDEN)
    now = timezone.now()
    fields: dict[str, Any] = {}
    if listing.published_at is None or listing.expires_at is None or listing.expires_at <= now:
        fields = {"published_at": now, "expires_at": now + LISTING_LIFETIME}
    set_state(listing, State.PUBLISHED, **fields)
    _close_reports(listing, Report.Status.DISMISSED)
    _decide(listing, Action.APPROVE, moderator=moderator, reason=reason)
    account_services.mark_established(user=listing.owner)
    publish("listing.approved", {"listing": listing.pk, "owner": listing.owner_id})
    return listing


@transaction.atomic
def reject(*, moderator: Any, listing: Listing, reason: str) -> Listing:
    """Turn a listing down with a reason the owner receives; they may edit and try again."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    listing = _locked_listing(moderator, listing, State.PENDING_REVIEW, State.HIDDEN)
    set_state(listing, State.REJECTED)
    _close_reports(listing, Report.Status.ACTIONED)
    _decide(listing, Action.REJECT, moderator=moderator, reason=reason)
    publish(
        "listing.rejected",
        {"listing": listing.pk, "owner": listing.owner_id, "reason": reason.strip()},
    )
    return listing


@transaction.atomic
def remove(*, moderator: Any, listing: Listing, reason: str) -> Listing:
    """Take a listing off the platform for good."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    listing = _locked_listing(
        moderator,
        listing,
        State.PENDING_REVIEW,
        State.PUBLISHED,
        State.PAUSED,
        State.HIDDEN,
        State.REJECTED,
    )
    set_state(listing, State.REMOVED)
    _close_reports(listing, Report.Status.ACTIONED)
    _decide(listing, Action.REMOVE, moderator=moderator, reason=reason)
    publish(
        "listing.removed",
        {"listing": listing.pk, "owner": listing.owner_id, "reason": reason.strip()},
    )
    return listing


@transaction.atomic
def dismiss_reports(*, moderator: Any, listing: Listing, reason: str = "") -> Listing:
    """The reports were unfounded: they are closed and a hidden listing is shown again."""
    listing = _locked_listing(moderator, listing)
    if not open_reports(listing).exists():
        raise NothingToDecide(extra={"state": listing.state})
    _close_reports(listing, Report.Status.DISMISSED)
    if listing.state == State.HIDDEN:
        set_state(listing, State.PUBLISHED)
    _decide(listing, Action.DISMISS_REPORTS, moderator=moderator, reason=reason)
    return listing


@transaction.atomic
def suspend_owner(*, moderator: Any, listing: Listing, reason: str) -> None:
    """Suspend the owner: they cannot sign in and nothing they published is shown."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    listing = _locked_listing(moderator, listing)
    _close_reports(listing, Report.Status.ACTIONED)
    _decide(listing, Action.SUSPEND_OWNER, moderator=moderator, reason=reason)
    suspension.suspend(user=listing.owner, actor=moderator)


# --- Decisions on messages and reviews ----------------------------------------------------


def _locked_item(moderator: Any, kind: str, item: Any) -> Any:
    spec = REPORTABLE[kind]
    locked = (
        spec.model._default_manager.select_for_update(of=("self",))
        .select_related(*_related(kind))
        .get(pk=item.pk)
    )
    if not permissions.moderates(moderator, spec.municipality_code(locked)):
        raise NotAModeratorHere()
    return locked


@transaction.atomic
def remove_item(*, moderator: Any, kind: str, item: Any, reason: str) -> Any:
    """A reported message or review is taken down for good (hidden from everyone but its
    writer and the moderators); its writer is told why."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    item = _locked_item(moderator, kind, item)
    if item.hidden_at is None:
        _hide(kind, item)
    _close_reports(item, Report.Status.ACTIONED)
    _decide(item, Action.REMOVE, moderator=moderator, reason=reason)
    owner = REPORTABLE[kind].owner_id(item)
    publish(f"{kind}.removed", {kind: item.pk, "owner": owner, "reason": reason.strip()})
    return item


@transaction.atomic
def dismiss_item_reports(*, moderator: Any, kind: str, item: Any, reason: str = "") -> Any:
    """The reports were unfounded: closed, and the message or review is shown again."""
    item = _locked_item(moderator, kind, item)
    if not open_reports(item).exists():
        raise NothingToDecide()
    _close_reports(item, Report.Status.DISMISSED)
    if item.hidden_at is not None:
        item.hidden_at = None
        item.save(update_fields=["hidden_at"])
    _decide(item, Action.DISMISS_REPORTS, moderator=moderator, reason=reason)
    return item


@transaction.atomic
def suspend_writer(*, moderator: Any, kind: str, item: Any, reason: str) -> None:
    """Suspend whoever wrote the reported message or review."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    item = _locked_item(moderator, kind, item)
    _close_reports(item, Report.Status.ACTIONED)
    _decide(item, Action.SUSPEND_OWNER, moderator=moderator, reason=reason)
    writer = get_user_model().objects.get(pk=REPORTABLE[kind].owner_id(item))
    suspension.suspend(user=writer, actor=moderator)


def reported_condition(moderator: Any, kind: str) -> Q:
    """Messages or reviews with open reports, in the moderator's municipalities."""
    reported = Report.objects.filter(
        content_type=ContentType.objects.get_for_model(REPORTABLE[kind].model),
        status=Report.Status.OPEN,
    ).values("object_id")
    waiting = Q(pk__in=reported)
    if moderator.is_superuser:
        return waiting
    return waiting & Q(exchange__listing__municipality__in=moderator.moderated_municipalities.all())


def decisions_for(item: Model) -> Any:
    return ModerationDecision.objects.filter(
        content_type=_content_type(item), object_id=item.pk
    ).select_related("moderator")


# --- The queue ------------------------------------------------------------------------------


def queue_condition(moderator: Any) -> Q:
    """Listings waiting for a moderator: pending review, hidden, or with open reports, in
    the municipalities the moderator has (all for superusers)."""
    reported = Report.objects.filter(
        content_type=ContentType.objects.get_for_model(Listing), status=Report.Status.OPEN
    ).values("object_id")
    waiting = Q(state__in=(State.PENDING_REVIEW, State.HIDDEN)) | Q(pk__in=reported)
    if moderator.is_superuser:
        return waiting
    return waiting & Q(municipality__in=moderator.moderated_municipalities.all())


# --- Blocks ---------------------------------------------------------------------------------


@transaction.atomic
def block(*, blocker: Any, blocked: Any) -> Block:
    if blocker.pk == blocked.pk:
        raise CannotBlockOneself()
    made, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return made


@transaction.atomic
def unblock(*, blocker: Any, blocked_id: int) -> None:
    Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()


def blocked_either_way(user: Any) -> Iterable[int]:
    """The users ``user`` blocked or was blocked by (neither sees the other's listings)."""
    if not user.is_authenticated:
        return []
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in pairs for other in pair if other != user.pk}


@transaction.atomic
def tell_moderators_of_waiting_items(*, now: datetime | None = None) -> int:
    """Daily: every moderator whose queues hold an item waiting for more than a day (a
    listing to review or hidden, anything reported, a disputed exchange) is told how many
    (one ``moderation.queue_waiting`` event each, dated, so the notifications app sends it
    once per day). Returns how many moderators were told."""
    from exchange.models import Exchange

    now = now or timezone.now()
    cutoff = now - timedelta(days=1)

    def reported_long_ago(model: type[Model]) -> Q:
        return Q(
            pk__in=Report.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                status=Report.Status.OPEN,
                created_at__lte=cutoff,
            ).values("object_id")
        )

    waiting_long = Q(
        state__in=(State.PENDING_REVIEW, State.HIDDEN), state_changed_at__lte=cutoff
    ) | reported_long_ago(Listing)
    moderators = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(moderated_municipalities__isnull=False))
        .distinct()
        .order_by("pk")
    )
    told = 0
    for moderator in moderators:
        count = Listing.objects.filter(queue_condition(moderator)).filter(waiting_long).count()
        for kind, model in (("message", Message), ("review", Review)):
            count += (
                model._default_manager.filter(reported_condition(moderator, kind))
                .filter(reported_long_ago(model))
                .count()
            )
        disputes = Exchange.objects.filter(
            state=Exchange.State.DISPUTED, state_changed_at__lte=cutoff
        )
        if not moderator.is_superuser:
            disputes = disputes.filter(
                listing__municipality__in=moderator.moderated_municipalities.all()
            )
        count += disputes.count()
        if count:
            publish(
                "moderation.queue_waiting",
                {
                    "moderator": moderator.pk,
                    "items": count,
                    "date": timezone.localdate(now).isoformat(),
                },
            )
            told += 1
    return told
