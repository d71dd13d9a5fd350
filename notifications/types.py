"""The documented list of notification types: what each tells, in Swedish and English.

Titles and bodies are translatable texts with ``%(name)s`` fields filled from the
notification's data, rendered in the recipient's language when the notification is made."""

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationType:
    name: str
    subject: str  # what its link points at: a key of LINKS
    label: Promise  # what it is about, for settings and unsubscribe pages
    title: Promise
    body: Promise
    # By email unless the person chose otherwise: bookings and messages at once, the rest
    # at once too except what can wait for a digest (new matches: the daily one).
    default_email: str = "immediately"


TYPES: dict[str, NotificationType] = {
    kind.name: kind
    for kind in (
        NotificationType(
            "exchange_proposed",
            "exchange",
            _("new answers to your listings"),
            _("New answer to %(listing)s"),
            _("%(person)s answered your listing %(listing)s."),
        ),
        NotificationType(
            "exchange_accepted",
            "exchange",
            _("answers of yours that were accepted"),
            _("Accepted: %(listing)s"),
            _("%(person)s accepted your answer to %(listing)s."),
        ),
        NotificationType(
            "exchange_declined",
            "exchange",
            _("answers of yours that were declined"),
            _("Declined: %(listing)s"),
            _("%(person)s declined your answer to %(listing)s. %(reason)s"),
        ),
        NotificationType(
            "exchange_cancelled",
            "exchange",
            _("cancelled exchanges"),
            _("Cancelled: %(listing)s"),
            _("%(person)s cancelled the exchange about %(listing)s. %(reason)s"),
        ),
        NotificationType(
            "exchange_completed",
            "exchange",
            _("completed exchanges"),
            _("Completed: %(listing)s"),
            _("The exchange about %(listing)s is completed. You can review it now."),
        ),
        NotificationType(
            "exchange_message",
            "exchange",
            _("new messages in your exchanges"),
            _("New message about %(listing)s"),
            _("%(person)s wrote to you about %(listing)s."),
        ),
        NotificationType(
            "booking_requested",
            "booking",
            _("booking requests for what you lend"),
            _("Booking request: %(listing)s"),
            _("%(person)s would like to book %(listing)s from %(start)s."),
        ),
        NotificationType(
            "booking_confirmed",
            "booking",
            _("confirmed bookings"),
            _("Booking confirmed: %(listing)s"),
            _("Your booking of %(listing)s from %(start)s is confirmed."),
        ),
        NotificationType(
            "booking_declined",
            "booking",
            _("declined bookings"),
            _("Booking declined: %(listing)s"),
            _("Your booking of %(listing)s from %(start)s was declined. %(reason)s"),
        ),
        NotificationType(
            "booking_cancelled",
            "booking",
            _("cancelled bookings"),
            _("Booking cancelled: %(listing)s"),
            _("The booking of %(listing)s from %(start)s was cancelled. %(reason)s"),
        ),
        NotificationType(
            "booking_reminder",
            "booking",
            _("reminders of tomorrow's bookings"),
            _("Tomorrow: %(listing)s"),
            _("Remember your booking of %(listing)s from %(start)s."),
        ),
        NotificationType(
            "listing_approved",
            "listing",
            _("your listings approved by a moderator"),
            _("Published: %(listing)s"),
            _("A moderator approved your listing %(listing)s: it is published."),
        ),
        NotificationType(
            "listing_rejected",
            "listing",
            _("your listings turned down by a moderator"),
            _("Not published: %(listing)s"),
            _("A moderator turned down your listing %(listing)s: %(reason)s"),
        ),
        NotificationType(
            "listing_removed",
            "listing",
            _("your listings removed by a moderator"),
            _("Removed: %(listing)s"),
            _("A moderator removed your listing %(listing)s: %(reason)s"),
        ),
        NotificationType(
            "listing_hidden",
            "listing",
            _("your listings hidden after reports"),
            _("Hidden after reports: %(listing)s"),
            _("Your listing %(listing)s was reported and is hidden until a moderator looks."),
        ),
        NotificationType(
            "listing_expiring",
            "listing",
            _("your listings about to expire"),
            _("Expiring soon: %(listing)s"),
            _("Your listing %(listing)s expires in a week. Renew it to keep it up."),
        ),
        NotificationType(
            "match_new",
            "listing",
            _("new matches for your listings"),
            _("New match for %(listing)s"),
            _("%(match)s may be what you are looking for. %(why)s"),
            default_email="daily",
        ),
        NotificationType(
            "saved_search_match",
            "listing",
            _("new listings your saved searches find"),
            _("New for your search %(search)s"),
            _("A new listing matches your saved search %(search)s: %(listing)s."),
            default_email="daily",
        ),
        NotificationType(
            "organisation_join_requested",
            "organisation",
            _("requests to join your organisations"),
            _("%(person)s asks to join %(organisation)s"),
            _("%(person)s asks to become a member of %(organisation)s. %(message)s"),
        ),
        NotificationType(
            "organisation_join_approved",
            "organisation",
            _("your requests to join accepted"),
            _("Welcome to %(organisation)s"),
            _("Your request to join %(organisation)s was accepted: you are a member now."),
        ),
        NotificationType(
            "organisation_join_declined",
            "organisation",
            _("your requests to join declined"),
            _("Not a member of %(organisation)s"),
            _("Your request to join %(organisation)s was declined."),
        ),
        NotificationType(
            "organisation_announcement",
            "announcement",
            _("announcements from your organisations and municipality"),
            _("%(organisation)s: %(title)s"),
            _("%(text)s"),
        ),
        NotificationType(
            "contact_request_received",
            "contact_request",
            _("requests about your catalogue projects"),
            _("%(kind)s: %(project_title)s"),
            _("%(sender_name)s has sent a request about the project %(project_title)s."),
        ),
        NotificationType(
            "contact_request_reminder",
            "contact_request",
            _("reminders of unanswered requests"),
            _("Reminder: unanswered request about %(project_title)s"),
            _("A request about the project %(project_title)s has not been answered yet."),
        ),
        NotificationType(
            "contact_request_escalated",
            "contact_request",
            _("requests to your organisation nobody answered"),
            _("Nobody has answered a request about %(project_title)s"),
            _("A request about the project %(project_title)s is unanswered after a reminder."),
        ),
        NotificationType(
            "contact_request_follow_up",
            "contact_request",
            _("new messages in requests to you"),
            _("New message about %(project_title)s"),
            _("%(sender_name)s has written again about the project %(project_title)s."),
        ),
        NotificationType(
            "contact_request_answered",
            "contact_request",
            _("answers to your requests"),
            _("Answer about %(project_title)s"),
            _("%(author)s has answered your request about the project %(project_title)s."),
        ),
        NotificationType(
            "contact_request_status",
            "contact_request",
            _("status changes of your requests"),
            _("Your request about %(project_title)s: %(status)s"),
            _("%(organisation)s has set the status of your request to: %(status)s."),
        ),
        NotificationType(
            "catalogue_contacts_to_confirm",
            "organisation",
            _("the yearly check of your projects' contacts"),
            _("Are the contacts of %(organisation)s's projects still right?"),
            _("Please check that the contacts of %(organisation)s's projects are still right."),
        ),
        NotificationType(
            "moderation_queue_waiting",
            "moderation",
            _("the moderators' daily summary"),
            _("Waiting for moderation: %(items)s"),
            _(
                "Items in your moderation queue have waited more than a day: %(items)s in all. "
                "The queue is in the admin."
            ),
        ),
    )
}

# The types as choices (API parameters and the schema).
TYPE_CHOICES = [(name, name) for name in sorted(TYPES)]

LINKS = {
    "exchange": "/api/v1/exchanges/{id}/",
    "booking": "/api/v1/bookings/{id}/",
    "listing": "/api/v1/listings/{id}/",
    "organisation": "/api/v1/organisations/{organisation_slug}/",
    "moderation": "/admin/exchange/moderationqueueitem/",
    "announcement": "/api/v1/announcements/{id}/",
    "contact_request": "/api/v1/catalogue/contact-requests/{id}/",
}


def link_for(pattern: str, subject_id: int | None, data: dict[str, Any]) -> str:
    """A subject's address: ``{id}`` is the subject's id; other fields (an organisation's
    slug) come from the notification's data."""
    return pattern.format_map(_Fields({**data, "id": subject_id}))


def render(kind: NotificationType, language: str, data: dict[str, Any]) -> tuple[str, str]:
    """Title and body in ``language``, with the data's fields filled in (a missing field is
    left empty rather than failing)."""
    fields = _Fields(data)
    with translation.override(language):
        return (str(kind.title) % fields).strip(), (str(kind.body) % fields).strip()


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
