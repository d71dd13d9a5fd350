"""Exchanges: answering a listing, and every move after it.

    proposed --accept--> accepted --both confirm--> completed
       |                  |   \\--one confirms, 14 days of silence--> completed
       |                  |    \\--dispute--> disputed --moderator--> completed | cancelled
       |--decline--> declined
       \\--cancel (either side, until completion)--> cancelled

For time credits the hours are held from the side that receives the service when the
exchange is accepted (the credit floor counts them at once), paid to the provider on
completion and released on cancellation.

Lock discipline: every move takes ``FOR UPDATE`` on the exchange's row first, then (through
``exchange.timebank``) on the time accounts in ascending id order. Two moves on one exchange
are therefore serialised, and an accept and a gift touching the same account cannot
deadlock (neither holds an account while waiting for an exchange).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions, timebank
from exchange.listings import NotAnEditorOfThatOrganisation
from exchange.models import Block, Exchange, Listing, Message, ModerationDecision, TimeAccount
from smartplatform.accounts import services as account_services
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.organisations.models import Organisation

State = Exchange.State


class ListingNotOpen(ConflictError):
    code = "listing_not_open"
    default_message = _("This listing is not open for answers.")


class CannotAnswerOwnListing(ConflictError):
    code = "cannot_answer_own_listing"
    default_message = _("You cannot answer your own listing.")


class AlreadyAnswered(ConflictError):
    code = "already_answered"
    default_message = _("You already have an exchange under way on this listing.")


class HoursOnlyForTimeCredits(DomainError):
    code = "hours_only_for_time_credits"
    default_message = _("Hours are agreed only for listings paid in time credits.")


class ExchangeTransitionNotAllowed(ConflictError):
    code = "exchange_transition_not_allowed"
    default_message = _("The exchange cannot do that in its current state.")


class NotYourMove(DomainError):
    status_code = 403
    code = "exchange_not_your_move"
    default_message = _("This move belongs to the other side of the exchange.")


class NotAParty(DomainError):
    status_code = 403
    code = "not_a_party"
    default_message = _("Only the two sides of the exchange may do this.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason.")


class NotAModeratorHere(DomainError):
    status_code = 403
    code = "not_a_moderator_here"
    default_message = _("Only the moderators of the listing's municipality may decide this.")


# --- Whose hours --------------------------------------------------------------------------


def _listing_side_account(exchange: Exchange) -> TimeAccount:
    listing = exchange.listing
    if listing.organisation is not None:
        return timebank.account_of_organisation(listing.organisation)
    return timebank.account_of_user(listing.owner)


def _responder_side_account(exchange: Exchange) -> TimeAccount:
    if exchange.responder_organisation is not None:
        return timebank.account_of_organisation(exchange.responder_organisation)
    return timebank.account_of_user(exchange.responder)


def payer_and_provider(exchange: Exchange) -> tuple[TimeAccount, TimeAccount]:
    """Who receives the service (and pays its hours) and who gives it: the owner of an offer
    gives, the owner of a request receives."""
    listing_side, responder_side = (
        _listing_side_account(exchange),
        _responder_side_account(exchange),
    )
    if exchange.listing.kind == Listing.Kind.OFFER:
        return responder_side, listing_side
    return listing_side, responder_side


# --- Answering ------------------------------------------------------------------------------


def _blocked_between(one: Any, other: Any) -> bool:
    return Block.objects.filter(
        Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one)
    ).exists()


@transaction.atomic
def propose(
    *,
    actor: User,
    listing: Listing,
    message: str,
    hours: Any = None,
    organisation: Organisation | None = None,
) -> Exchange:
    """Answer a published listing: the exchange starts as proposed, with the first message
    of its thread. For time credits, ``hours`` (default: the listing's) are what is agreed."""
    listing = Listing.objects.select_for_update().select_related("owner").get(pk=listing.pk)
    if listing.state != Listing.State.PUBLISHED or not listing.owner.is_active:
        raise ListingNotOpen()
    if permissions.can_manage(actor, listing):
        raise CannotAnswerOwnListing()
    if _blocked_between(actor, listing.owner):
        raise ListingNotOpen()
    if organisation is not None and not permissions.can_act_for(actor, organisation):
        raise NotAnEditorOfThatOrganisation(fields={"organisation": [_("Not an editor.")]})
    agreed: Decimal | None = None
    if listing.compensation == Listing.Compensation.TIME_CREDITS:
        agreed = timebank.checked_hours(hours if hours is not None else listing.hours)
    elif hours is not None:
        raise HoursOnlyForTimeCredits(
            fields={"hours": [str(HoursOnlyForTimeCredits.default_message)]}
        )
    try:
        with transaction.atomic():
            exchange = Exchange.objects.create(
                listing=listing,
                responder=actor,
                responder_organisation=organisation,
                hours=agreed,
            )
    except IntegrityError as exc:  # one open exchange per person and listing
        raise AlreadyAnswered() from exc
    Message.objects.create(exchange=exchange, sender=actor, body=message.strip())
    publish(
        "exchange.proposed",
        {"exchange": exchange.pk, "listing": listing.pk, "responder": actor.pk},
    )
    return exchange


# --- Moves ----------------------------------------------------------------------------------


def _locked(exchange: Exchange, *allowed: str) -> Exchange:
    locked = (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("listing", "listing__owner", "listing__organisation", "responder")
        .get(pk=exchange.pk)
    )
    if allowed and locked.state not in allowed:
        raise ExchangeTransitionNotAllowed(extra={"state": locked.state})
    return locked


def _move(exchange: Exchange, state: str, **fields: Any) -> None:
    exchange.state = state
    exchange.state_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(exchange, name, value)
    exchange.save(update_fields=["state", "state_changed_at", *fields])


def _event(name: str, exchange: Exchange, **extra: Any) -> None:
    publish(
        f"exchange.{name}",
        {
            "exchange": exchange.pk,
            "listing": exchange.listing_id,
            "owner": exchange.listing.owner_id,
            "responder": exchange.responder_id,
            **extra,
        },
    )


@transaction.atomic
def accept(*, actor: User, exchange: Exchange) -> Exchange:
    """The listing's side says yes. For time credits the hours are held from the side that
    receives the service; beyond its credit floor the accept is refused (409)."""
    exchange = _locked(exchange, State.PROPOSED)
    if not permissions.on_listing_side(actor, exchange):
        raise NotYourMove()
    hold = None
    if exchange.hours is not None:
        payer, _provider = payer_and_provider(exchange)
        hold = timebank.reserve(account=payer, hours=exchange.hours)
    _move(exchange, State.ACCEPTED, hold=hold, accepted_at=timezone.now())
    _event("accepted", exchange)
    return exchange


@transaction.atomic
def decline(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    exchange = _locked(exchange, State.PROPOSED)
    if not permissions.on_listing_side(actor, exchange):
        raise NotYourMove()
    _move(exchange, State.DECLINED, reason=reason.strip(), ended_by=actor)
    _event("declined", exchange, reason=reason.strip())
    return exchange


@transaction.atomic
def cancel(*, actor: User, exchange: Exchange, reason: str = "") -> Exchange:
    """Either side calls it off before completion; held hours go back."""
    exchange = _locked(exchange, State.PROPOSED, State.ACCEPTED)
    if not permissions.is_party(actor, exchange):
        raise NotYourMove()
    if exchange.hold is not None:
        timebank.release(hold=exchange.hold)
    _move(exchange, State.CANCELLED, reason=reason.strip(), ended_by=actor)
    _event("cancelled", exchange, by=actor.pk, reason=reason.strip())
    return exchange


@transaction.atomic
def confirm(*, actor: User, exchange: Exchange) -> Exchange:
    """One side says it is done. When both have, it completes; when only one has, it
    completes by itself after ``EXCHANGE_AUTO_COMPLETE_DAYS`` unless the other side
    disputes it. Confirming twice changes nothing."""
    exchange = _locked(exchange, State.ACCEPTED)
    now = timezone.now()
    if permissions.on_listing_side(actor, exchange):
        if exchange.owner_confirmed_at is None:
            exchange.owner_confirmed_at = now
            exchange.save(update_fields=["owner_confirmed_at"])
    elif permissions.on_responder_side(actor, exchange):
        if exchange.responder_confirmed_at is None:
            exchange.responder_confirmed_at = now
            exchange.save(update_fields=["responder_confirmed_at"])
    else:
        raise NotYourMove()
    if exchange.owner_confirmed_at and exchange.responder_confirmed_at:
        _complete(exchange, by=actor)
    else:
        _event("confirmed", exchange, by=actor.pk)
    return exchange


def _complete(exchange: Exchange, *, by: User | None) -> None:
    if exchange.hold is not None:
        _payer, provider = payer_and_provider(exchange)
        timebank.settle(
            hold=exchange.hold,
            to=provider,
            created_by=by,
            note=str(exchange.listing.title)[:500],
        )
    _move(exchange, State.COMPLETED, completed_at=timezone.now())
    for party in (exchange.listing.owner, exchange.responder):
        account_services.mark_established(user=party)
    _event("completed", exchange)


@transaction.atomic
def dispute(*, actor: User, exchange: Exchange, reason: str) -> Exchange:
    """Either side says it did not happen as agreed: the moderators of the listing's
    municipality decide. The held hours stay held until then."""
    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    exchange = _locked(exchange, State.ACCEPTED)
    if not permissions.is_party(actor, exchange):
        raise NotYourMove()
    _move(exchange, State.DISPUTED, reason=reason.strip(), ended_by=actor)
    _event(
        "disputed",
        exchange,
        by=actor.pk,
        municipality=exchange.listing.municipality_id,
        reason=reason.strip(),
    )
    return exchange


@transaction.atomic
def settle_dispute(*, moderator: User, exchange: Exchange, complete: bool, reason: str) -> Exchange:
    """A moderator of the listing's municipality ends a dispute: completed (the hours are
    paid) or cancelled (they go back). Recorded as a moderation decision."""
    from exchange import moderation

    if not reason.strip():
        raise ReasonRequired(fields={"reason": [str(ReasonRequired.default_message)]})
    exchange = _locked(exchange, State.DISPUTED)
    if not permissions.moderates(moderator, exchange.listing.municipality_id):
        raise NotAModeratorHere()
    if complete:
        _complete(exchange, by=moderator)
        action = ModerationDecision.Action.COMPLETE_EXCHANGE
    else:
        if exchange.hold is not None:
            timebank.release(hold=exchange.hold)
        _move(exchange, State.CANCELLED, ended_by=moderator)
        _event("cancelled", exchange, by=moderator.pk, reason=reason.strip())
        action = ModerationDecision.Action.CANCEL_EXCHANGE
    moderation.record_decision(exchange, action, moderator=moderator, reason=reason)
    return exchange


# --- In the background ----------------------------------------------------------------------


def complete_silent_exchanges(*, now: datetime | None = None, batch: int = 100) -> int:
    """Complete every accepted exchange that one side confirmed at least
    ``EXCHANGE_AUTO_COMPLETE_DAYS`` ago while the other side stayed silent (a dispute
    moves it out of ``accepted``, so disputed ones are never completed here). Each in its
    own transaction, skipping rows another run holds. Returns how many were completed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXCHANGE_AUTO_COMPLETE_DAYS)
    silent = Q(owner_confirmed_at__lte=cutoff, responder_confirmed_at__isnull=True) | Q(
        responder_confirmed_at__lte=cutoff, owner_confirmed_at__isnull=True
    )
    completed = 0
    while True:
        with transaction.atomic():
            due = list(
                Exchange.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(silent, state=State.ACCEPTED)
                .select_related("listing", "listing__owner", "listing__organisation", "responder")
                .order_by("pk")[:batch]
            )
            for exchange in due:
                _complete(exchange, by=None)
            completed += len(due)
        if len(due) < batch:
            return completed
