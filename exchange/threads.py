"""An exchange's private thread: the two sides write; read receipts tell the writer their
message was seen. Moderators read it when the exchange is disputed or a message reported,
but do not write in it.

Lock discipline: writing takes ``FOR UPDATE`` on the exchange's row, as every exchange move
does, so a message never lands in an exchange that a concurrent move just closed."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions
from exchange.exchanges import NotAParty
from exchange.models import Exchange, Message
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError
from smartplatform.core.events import publish

# A declined or cancelled exchange's thread is closed: nothing more is written in it.
CLOSED_STATES = (Exchange.State.DECLINED, Exchange.State.CANCELLED)


class ThreadClosed(ConflictError):
    code = "exchange_thread_closed"
    default_message = _("The exchange was declined or cancelled: its thread is closed.")


@transaction.atomic
def write(*, actor: User, exchange: Exchange, body: str) -> Message:
    exchange = (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("listing", "listing__organisation", "responder_organisation")
        .get(pk=exchange.pk)
    )
    if not permissions.is_party(actor, exchange):
        raise NotAParty()
    if exchange.state in CLOSED_STATES:
        raise ThreadClosed(extra={"state": exchange.state})
    message = Message.objects.create(exchange=exchange, sender=actor, body=body.strip())
    publish(
        "exchange.message_sent",
        {
            "message": message.pk,
            "exchange": exchange.pk,
            "sender": actor.pk,
            "owner": exchange.listing.owner_id,
            "responder": exchange.responder_id,
        },
    )
    return message


@transaction.atomic
def mark_read(*, actor: User, exchange: Exchange) -> int:
    """Everything others wrote in the thread is read by ``actor`` now (each message keeps
    the first time it was read). Returns how many messages this marked."""
    if not permissions.is_party(actor, exchange):
        raise NotAParty()
    return (
        Message.objects.filter(exchange=exchange, read_at__isnull=True)
        .exclude(sender=actor)
        .update(read_at=timezone.now())
    )
