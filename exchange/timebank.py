"""The time bank's services: accounts, transfers, holds and the ledger's invariants.

Every movement of hours is a ``Transfer`` of entries that sum to zero; balances and holds
are cached on the accounts and changed only here, in the same transaction as the entries.

Lock discipline: a service that changes an account first takes ``FOR UPDATE`` on every
account it touches, in ascending id order (so two transfers in opposite directions cannot
deadlock), and only then reads the balance it checks against the credit floor. A hold is
locked after its account. On SQLite, where ``FOR UPDATE`` does nothing, immediate
transactions serialise every writer instead.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange.models import Entry, Hold, TimeAccount, Transfer
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish
from smartplatform.organisations.models import Organisation

Kind = TimeAccount.Kind
ZERO = Decimal(0)
CENT = Decimal("0.01")


class NotEnoughHours(ConflictError):
    code = "credit_floor_reached"
    default_message = _("Not enough hours: this would take the account below its credit floor.")


class InvalidHours(DomainError):
    code = "invalid_hours"
    default_message = _("Hours are a positive number with at most two decimals.")


class CannotTransferToOneself(DomainError):
    code = "cannot_transfer_to_oneself"
    default_message = _("You cannot give hours to yourself.")


class RecipientUnavailable(DomainError):
    code = "recipient_unavailable"
    default_message = _("There is no active member with that id to give hours to.")


class NoteRequired(DomainError):
    code = "note_required"
    default_message = _("Say why: the account holder sees it.")


class TransferNotReversible(ConflictError):
    code = "transfer_not_reversible"
    default_message = _("This transfer cannot be reversed, or has been already.")


class HoldNotActive(ConflictError):
    code = "hold_not_active"
    default_message = _("These hours are no longer reserved.")


def credit_floor() -> Decimal:
    """How far below zero a member's or organisation's available hours may go."""
    return Decimal(str(settings.TIMEBANK_CREDIT_FLOOR_HOURS))


def checked_hours(hours: Any) -> Decimal:
    """A positive amount of hours with at most two decimals, or ``InvalidHours``."""
    try:
        value = Decimal(str(hours))
    except ArithmeticError as exc:
        raise InvalidHours() from exc
    if not value.is_finite() or value <= 0 or value != value.quantize(CENT):
        raise InvalidHours()
    if value >= Decimal("10000000"):
        raise InvalidHours()
    return value.quantize(CENT)


# --- Accounts -------------------------------------------------------------------------------


def open_account_for_new_holder(
    sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every member and organisation has an account from the start, opened at 0 with the
    member or organisation itself (``post_save``; connected in the app's ``ready``).

    Opening it later, at first use, would insert it inside the transfer's transaction: two
    gifts in opposite directions between two new members would then each wait for the
    other's uncommitted account, a deadlock."""
    if not created or raw:
        return
    if isinstance(instance, Organisation):
        TimeAccount.objects.get_or_create(kind=Kind.ORGANISATION, organisation=instance)
    else:
        TimeAccount.objects.get_or_create(kind=Kind.MEMBER, user=instance)


def _opened(**holder: Any) -> TimeAccount:
    """The account of ``holder`` (one made without ``save``, by a bulk insert, gets its
    account here, opened at 0). Two first uses at once: one insert wins on the one-to-one
    constraint, the other reads it."""
    account = TimeAccount.objects.filter(**holder).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return TimeAccount.objects.create(**holder)
    except IntegrityError:
        return TimeAccount.objects.get(**holder)


def account_of_user(user: User) -> TimeAccount:
    return _opened(kind=Kind.MEMBER, user=user)


def account_of_organisation(organisation: Organisation) -> TimeAccount:
    return _opened(kind=Kind.ORGANISATION, organisation=organisation)


def system_account() -> TimeAccount:
    return _opened(kind=Kind.SYSTEM)


def _locked(*accounts: TimeAccount) -> dict[int, TimeAccount]:
    """Lock the accounts in ascending id order (the one order every service uses) and return
    their current rows by id."""
    ids = sorted({account.pk for account in accounts})
    locked = TimeAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {account.pk: account for account in locked}


def _check_floor(account: TimeAccount, taking: Decimal) -> None:
    if account.kind == Kind.SYSTEM:
        return
    if account.available - taking < credit_floor():
        raise NotEnoughHours(
            extra={"available": str(account.available), "floor": str(credit_floor())}
        )


def _book(
    *,
    kind: str,
    source: TimeAccount,
    target: TimeAccount,
    hours: Decimal,
    created_by: User | None,
    note: str = "",
    reverses: Transfer | None = None,
) -> Transfer:
    """Write a transfer of two entries (out of ``source``, into ``target``) and move the
    cached balances. The caller holds both accounts' locks."""
    made = Transfer.objects.create(
        kind=kind, note=note.strip(), created_by=created_by, reverses=reverses
    )
    Entry.objects.bulk_create(
        [
            Entry(transfer=made, account=source, hours=-hours),
            Entry(transfer=made, account=target, hours=hours),
        ]
    )
    TimeAccount.objects.filter(pk=source.pk).update(balance=F("balance") - hours)
    TimeAccount.objects.filter(pk=target.pk).update(balance=F("balance") + hours)
    return made


@transaction.atomic
def give_hours(*, giver: User, recipient_id: int | None, hours: Any, note: str = "") -> Transfer:
    """A gift of hours from one member to another, within the giver's credit floor."""
    amount = checked_hours(hours)
    if recipient_id is not None and recipient_id == giver.pk:
        raise CannotTransferToOneself(fields={"to": [str(CannotTransferToOneself.default_message)]})
    recipient = (
        None
        if recipient_id is None
        else User.objects.filter(pk=recipient_id, is_active=True).first()
    )
    if recipient is None:
        raise RecipientUnavailable(fields={"to": [str(RecipientUnavailable.default_message)]})
    source, target = account_of_user(giver), account_of_user(recipient)
    locked = _locked(source, target)
    _check_floor(locked[source.pk], amount)
    made = _book(
        kind=Transfer.Kind.GIFT,
        source=locked[source.pk],
        target=locked[target.pk],
        hours=amount,
        created_by=giver,
        note=note,
    )
    publish(
        "timebank.hours_received",
        {"transfer": made.pk, "to": recipient.pk, "from": giver.pk, "hours": str(amount)},
    )
    return made


@transaction.atomic
def adjust(*, staff: User, account: TimeAccount, hours: Any, note: str) -> Transfer:
    """A staff correction against the system account: ``hours`` positive credits the
    account, negative debits it (down to the credit floor; the system account itself is
    unbound). The note says why; the account holder sees it."""
    if not note.strip():
        raise NoteRequired(fields={"note": [str(NoteRequired.default_message)]})
    try:
        raw = Decimal(str(hours))
    except ArithmeticError as exc:
        raise InvalidHours() from exc
    amount = checked_hours(raw.copy_abs())
    system = system_account()
    locked = _locked(system, account)
    source, target = (system, account) if raw > 0 else (account, system)
    _check_floor(locked[source.pk], amount)
    return _book(
        kind=Transfer.Kind.ADJUSTMENT,
        source=locked[source.pk],
        target=locked[target.pk],
        hours=amount,
        created_by=staff,
        note=note,
    )


@transaction.atomic
def reverse(*, staff: User, transfer: Transfer, note: str) -> Transfer:
    """Undo a transfer by its mirror image (the ledger is never edited), once, and only
    within the credit floor of the account the hours go back out of."""
    if not note.strip():
        raise NoteRequired(fields={"note": [str(NoteRequired.default_message)]})
    legs = list(transfer.entries.select_related("account"))
    if transfer.kind == Transfer.Kind.REVERSAL or len(legs) != 2:
        raise TransferNotReversible()
    out, into = sorted(legs, key=lambda entry: entry.hours)
    locked = _locked(out.account, into.account)
    _check_floor(locked[into.account_id], into.hours)
    try:
        with transaction.atomic():
            return _book(
                kind=Transfer.Kind.REVERSAL,
                source=locked[into.account_id],
                target=locked[out.account_id],
                hours=into.hours,
                created_by=staff,
                note=note,
                reverses=transfer,
            )
    except IntegrityError as exc:  # the one-to-one ``reverses``: already reversed
        raise TransferNotReversible() from exc


# --- Holds ----------------------------------------------------------------------------------


def reserve(*, account: TimeAccount, hours: Any) -> Hold:
    """Reserve hours (they count against the floor at once). Runs in the caller's
    transaction, which must be atomic: the hold and what it is for commit together."""
    amount = checked_hours(hours)
    locked = _locked(account)[account.pk]
    _check_floor(locked, amount)
    hold = Hold.objects.create(account=locked, hours=amount)
    TimeAccount.objects.filter(pk=locked.pk).update(held=F("held") + amount)
    return hold


def _locked_hold(hold: Hold, *accounts: TimeAccount) -> tuple[Hold, dict[int, TimeAccount]]:
    locked_accounts = _locked(hold.account, *accounts)
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    if locked.state != Hold.State.ACTIVE:
        raise HoldNotActive()
    return locked, locked_accounts


def settle(*, hold: Hold, to: TimeAccount, created_by: User | None, note: str = "") -> Transfer:
    """Pay reserved hours to ``to``: the hold becomes a transfer (no floor check: the hours
    were counted when reserved). In the caller's atomic transaction."""
    locked, accounts = _locked_hold(hold, to)
    made = _book(
        kind=Transfer.Kind.EXCHANGE,
        source=accounts[locked.account_id],
        target=accounts[to.pk],
        hours=locked.hours,
        created_by=created_by,
        note=note,
    )
    _close(locked, Hold.State.SETTLED, settlement=made)
    return made


def release(*, hold: Hold) -> None:
    """Give reserved hours back to the account. In the caller's atomic transaction."""
    locked, _accounts = _locked_hold(hold)
    _close(locked, Hold.State.RELEASED)


def _close(hold: Hold, state: str, settlement: Transfer | None = None) -> None:
    hold.state = state
    hold.settlement = settlement
    hold.closed_at = timezone.now()
    hold.save(update_fields=["state", "settlement", "closed_at"])
    TimeAccount.objects.filter(pk=hold.account_id).update(held=F("held") - hold.hours)


# --- The ledger's invariants ----------------------------------------------------------------


def ledger_problems(accounts: Iterable[TimeAccount] | None = None) -> list[str]:
    """Everything wrong with the ledger, in words (an empty list when it is sound): a
    transfer whose entries do not sum to zero or that has fewer than two, entries that do not
    sum to zero over all accounts, an account whose cached balance or held hours differ from
    its entries and active holds, a member or organisation below the credit floor."""
    problems: list[str] = []
    unbalanced = (
        Transfer.objects.annotate(total=Sum("entries__hours"), legs=Count("entries"))
        .filter(Q(legs__lt=2) | ~Q(total=0))
        .values_list("pk", flat=True)
    )
    problems += [f"transfer {pk} does not sum to zero" for pk in unbalanced]
    everything = Entry.objects.aggregate(total=Sum("hours"))["total"] or ZERO
    if everything != 0:
        problems.append(f"all entries sum to {everything}, not 0")
    checked = TimeAccount.objects.all() if accounts is None else accounts
    for account in checked:
        account.refresh_from_db()
        entries = account.entries.aggregate(total=Sum("hours"))["total"] or ZERO
        holds = (
            account.holds.filter(state=Hold.State.ACTIVE).aggregate(total=Sum("hours"))["total"]
            or ZERO
        )
        if entries != account.balance:
            problems.append(f"account {account.pk}: balance {account.balance} != {entries}")
        if holds != account.held:
            problems.append(f"account {account.pk}: held {account.held} != {holds}")
        if account.kind != Kind.SYSTEM and account.available < credit_floor():
            problems.append(f"account {account.pk}: {account.available} below the floor")
    return problems


# --- Reports --------------------------------------------------------------------------------


def hours_exchanged_by_municipality_and_month() -> list[dict[str, Any]]:
    """Hours paid for completed exchanges, per municipality of the listing and calendar
    month (Swedish time), oldest month first: ``municipality`` (code), ``name``, ``month``
    (YYYY-MM), ``exchanges`` and ``hours``."""
    from zoneinfo import ZoneInfo

    from django.db.models.functions import TruncMonth

    listing = "transfer__settled_hold__exchange__listing__municipality"
    rows = (
        Entry.objects.filter(transfer__kind=Transfer.Kind.EXCHANGE, hours__gt=0)
        .exclude(**{f"{listing}__isnull": True})
        .annotate(
            month=TruncMonth("transfer__created_at", tzinfo=ZoneInfo("Europe/Stockholm")),
            code=F(f"{listing}__code"),
            name=F(f"{listing}__name"),
        )
        .values("code", "name", "month")
        .annotate(hours=Sum("hours"), exchanges=Count("transfer", distinct=True))
        .order_by("month", "name")
    )
    return [
        {
            "municipality": row["code"],
            "name": row["name"],
            "month": row["month"].strftime("%Y-%m"),
            "exchanges": row["exchanges"],
            "hours": f"{row['hours']:.2f}",
        }
        for row in rows
    ]
