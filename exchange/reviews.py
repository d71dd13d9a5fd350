"""Reviews: after completion each side may review the other once (1 to 5 and a text),
and change it within 48 hours. A review is about the other side's person (the listing's
owner, or the one who answered). Public profiles show the average and count of the reviews
that are not hidden."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange import permissions
from exchange.exchanges import NotAParty
from exchange.models import Exchange, Review
from smartplatform.accounts.models import User
from smartplatform.core.errors import ConflictError, DomainError
from smartplatform.core.events import publish

EDIT_WINDOW = timedelta(hours=48)


class ExchangeNotCompleted(ConflictError):
    code = "exchange_not_completed"
    default_message = _("An exchange is reviewed once it is completed.")


class AlreadyReviewed(ConflictError):
    code = "already_reviewed"
    default_message = _("You have already reviewed this exchange; change your review instead.")


class NotYourReview(DomainError):
    status_code = 403
    code = "not_your_review"
    default_message = _("Only its writer changes a review.")


class EditWindowClosed(ConflictError):
    code = "review_edit_window_closed"
    default_message = _("A review can be changed for 48 hours after it was written.")


@transaction.atomic
def write(*, actor: User, exchange: Exchange, rating: int, text: str = "") -> Review:
    exchange = Exchange.objects.select_related("listing", "responder").get(pk=exchange.pk)
    if permissions.on_listing_side(actor, exchange):
        subject = exchange.responder
    elif permissions.on_responder_side(actor, exchange):
        subject = exchange.listing.owner
    else:
        raise NotAParty()
    if exchange.state != Exchange.State.COMPLETED:
        raise ExchangeNotCompleted(extra={"state": exchange.state})
    try:
        with transaction.atomic():
            review = Review.objects.create(
                exchange=exchange, author=actor, subject=subject, rating=rating, text=text.strip()
            )
    except IntegrityError as exc:  # once per side's person and exchange
        raise AlreadyReviewed() from exc
    publish(
        "exchange.reviewed",
        {"review": review.pk, "exchange": exchange.pk, "author": actor.pk, "subject": subject.pk},
    )
    return review


@transaction.atomic
def edit(
    *, actor: User, review: Review, rating: int | None = None, text: str | None = None
) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.author_id != actor.pk:
        raise NotYourReview()
    if timezone.now() - review.created_at > EDIT_WINDOW:
        raise EditWindowClosed()
    if rating is not None:
        review.rating = rating
    if text is not None:
        review.text = text.strip()
    review.save(update_fields=["rating", "text", "updated_at"])
    return review


def shown() -> QuerySet[Review]:
    """Reviews anyone may see: those not hidden after reports."""
    return Review.objects.filter(hidden_at__isnull=True)


def summary(user: Any) -> dict[str, Any]:
    """The average (one decimal, as text) and count of the reviews about ``user`` that are
    shown."""
    found = shown().filter(subject=user).aggregate(average=Avg("rating"), count=Count("pk"))
    average = found["average"]
    return {
        "average": (
            None
            if average is None
            else str(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        ),
        "count": found["count"],
    }
