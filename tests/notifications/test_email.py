"""Email notifications: one email per person and event, in their language, with a one-click
unsubscribe; retries of passing failures; digests that group and never repeat."""

import smtplib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from notifications import tasks
from notifications.delivery import backoff
from notifications.models import Delivery, Digest, Notification
from notifications.unsubscribe import token_for
from tests.exchange.factories import resident
from tests.factories import client_for
from tests.notifications.backends import FlakyBackend
from tests.notifications.test_in_app import answer

pytestmark = pytest.mark.django_db
PREFS = "/api/v1/notifications/preferences/"


@pytest.fixture
def send_digests(django_capture_on_commit_callbacks: Any) -> Any:
    """The 07:00 digest task, with the sending it queues after its commit."""

    def run(frequency: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return int(tasks.send_digests(frequency))

    return run


@pytest.fixture
def flaky(settings: Any) -> Iterator[type[FlakyBackend]]:
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.fail_next(0)
    yield FlakyBackend
    FlakyBackend.fail_next(0)


def prefer(user: Any, type_name: str, channel: str, frequency: str) -> None:
    changed = client_for(user).put(
        PREFS,
        {"preferences": [{"type": type_name, "channel": channel, "frequency": frequency}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()


def test_an_answer_emails_the_owner_once_in_their_language_with_an_unsubscribe_link(
    relay: Any,
) -> None:
    owner = resident(display_name="Birgitta", preferred_language="sv", email="birgitta@example.se")
    helper = resident(display_name="Omar", preferred_language="en")
    exchange_id = answer(owner, helper)

    relay()

    [email] = mail.outbox
    delivery = Delivery.objects.get(notification__recipient=owner)
    assert isinstance(email, EmailMultiAlternatives)
    html, mimetype = email.alternatives[0]
    assert isinstance(html, str)
    assert email.to == ["birgitta@example.se"]
    assert email.subject == "Nytt svar på Hjälp i trädgården"
    assert "Hej Birgitta," in email.body
    assert "Omar svarade på din annons Hjälp i trädgården." in email.body
    assert f"/exchanges/{exchange_id}" in email.body
    assert mimetype == "text/html"
    assert "Omar svarade på din annons Hjälp i trädgården." in html
    assert email.extra_headers["Message-ID"] == f"<notification.{delivery.pk}@smartsamhalle.se>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in unsubscribe
    assert unsubscribe in email.body
    assert unsubscribe in html
    assert (delivery.status, delivery.attempts, delivery.message_id) == (
        "sent",
        1,
        email.extra_headers["Message-ID"],
    )
    # The helper is told nothing yet: nobody answered them.
    assert not Delivery.objects.filter(notification__recipient=helper).exists()


def test_english_readers_get_english_email(relay: Any) -> None:
    owner = resident(preferred_language="en")
    answer(owner, resident(display_name="Omar"))

    relay()

    [email] = mail.outbox
    assert email.subject == "New answer to Hjälp i trädgården"
    assert "Omar answered your listing Hjälp i trädgården." in email.body


def test_the_sending_task_run_twice_sends_once(relay: Any) -> None:
    answer(resident(), resident())
    relay()
    delivery = Delivery.objects.get()

    tasks.send_emails([delivery.pk])
    relay()  # and the event delivered again changes nothing either

    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 1


def test_a_passing_smtp_failure_is_retried_after_a_back_off_and_sends_once(
    relay: Any, flaky: type[FlakyBackend]
) -> None:
    flaky.fail_next(1)
    answer(resident(), resident())
    before = timezone.now()

    relay()

    delivery = Delivery.objects.get()
    assert mail.outbox == []
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("SMTPServerDisconnected")
    assert delivery.next_attempt_at >= before + timedelta(seconds=15)

    tasks.send_emails([delivery.pk])  # a duplicate task before the back-off has passed
    assert mail.outbox == []
    Delivery.objects.update(next_attempt_at=timezone.now())  # the back-off has passed
    tasks.send_emails([delivery.pk])  # the retry

    delivery.refresh_from_db()
    assert len(mail.outbox) == 1
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_a_refused_recipient_fails_at_once_and_a_limit_ends_retries(
    relay: Any, flaky: type[FlakyBackend], settings: Any
) -> None:
    refused = smtplib.SMTPRecipientsRefused({"x@example.se": (550, b"No such user")})
    flaky.fail_next(1, refused)
    answer(resident(), resident())
    relay()
    first = Delivery.objects.get()

    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 3
    flaky.fail_next(10, smtplib.SMTPServerDisconnected("away"))
    answer(resident(), resident())
    relay()
    second = Delivery.objects.exclude(pk=first.pk).get()
    for _ in range(5):
        Delivery.objects.update(next_attempt_at=timezone.now())
        tasks.send_emails([second.pk])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == ("failed", 1)
    assert "No such user" in first.last_error
    assert (second.status, second.attempts) == ("failed", 3)
    assert mail.outbox == []


def test_a_refused_login_is_retried_not_failed(relay: Any, flaky: type[FlakyBackend]) -> None:
    flaky.fail_next(1, smtplib.SMTPAuthenticationError(535, b"Authentication failed"))
    answer(resident(), resident())

    relay()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "535" in delivery.last_error


def test_a_send_interrupted_too_often_ends_failed(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from notifications.services import notify

    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=False):  # its send task is not run
        notify(
            recipients=[resident()],
            type_name="listing_hidden",
            subject_id=1,
            data={"listing": "Gräsklippning"},
            dedupe_key="interrupted",
        )
    [pk] = Delivery.objects.values_list("pk", flat=True)
    with pytest.MonkeyPatch.context() as patch:
        # The worker dies while sending, twice: each claim (its counted attempt) stays.
        patch.setattr("notifications.delivery._send_one", _die)
        for _ in range(2):
            Delivery.objects.update(next_attempt_at=timezone.now())
            with pytest.raises(SystemExit):
                tasks.send_emails([pk])
    Delivery.objects.update(next_attempt_at=timezone.now())
    tasks.send_emails([pk])

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_error == "Interrupted 2 times without an answer."
    assert mail.outbox == []


def _die(*args: Any) -> None:
    raise SystemExit("killed")


def test_back_off_doubles_with_jitter_and_stays_below_the_visibility_timeout(
    settings: Any,
) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 1800
    waits = {attempt: [backoff(attempt) for _ in range(200)] for attempt in (1, 2, 3, 12)}

    assert all(15 <= w <= 30 for w in waits[1])
    assert all(30 <= w <= 60 for w in waits[2])
    assert all(60 <= w <= 120 for w in waits[3])
    assert all(900 <= w <= 1800 for w in waits[12])
    assert len(set(waits[3])) > 100  # spread, not one moment
    assert settings.NOTIFICATION_RETRY_MAX_SECONDS < settings.CELERY_VISIBILITY_TIMEOUT


def test_a_lost_task_is_swept_up(relay: Any, flaky: type[FlakyBackend]) -> None:
    flaky.fail_next(1)
    answer(resident(), resident())
    relay()  # failed once; its retry task is lost (no broker here)
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))

    with_sweep = tasks.sweep_deliveries()
    again = tasks.sweep_deliveries()

    assert with_sweep == 1
    assert again == 0
    assert len(mail.outbox) == 1


# --- Preferences, every combination ----------------------------------------------------------


@pytest.mark.parametrize("in_app", ["immediately", "off"])
@pytest.mark.parametrize("email", ["immediately", "daily", "weekly", "off"])
def test_preferences_decide_the_feed_the_email_and_the_digests(
    relay: Any, send_digests: Any, in_app: str, email: str
) -> None:
    owner = resident()
    prefer(owner, "exchange_proposed", "in_app", in_app)
    prefer(owner, "exchange_proposed", "email", email)
    answer(owner, resident())

    relay()
    feed = client_for(owner).get("/api/v1/notifications/").json()["results"]
    unread = client_for(owner).get("/api/v1/notifications/unread-count/").json()["unread"]
    at_once = len(mail.outbox)
    send_digests("daily")
    daily = len(mail.outbox) - at_once
    send_digests("weekly")
    weekly = len(mail.outbox) - at_once - daily

    assert len(feed) == unread == (1 if in_app == "immediately" else 0)
    assert (at_once, daily, weekly) == (
        int(email == "immediately"),
        int(email == "daily"),
        int(email == "weekly"),
    )
    made = Notification.objects.filter(recipient=owner).count()
    assert made == (0 if in_app == email == "off" else 1)


def test_a_person_without_a_verified_address_is_not_emailed_but_told_in_the_app(
    relay: Any,
) -> None:
    owner = resident()
    owner.email = ""
    owner.save(update_fields=["email"])
    answer(owner, resident())

    relay()

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=owner, shown_in_app=True).count() == 1


# --- Digests ---------------------------------------------------------------------------------


def test_a_daily_digest_groups_what_is_new_and_never_repeats_it(
    relay: Any, send_digests: Any
) -> None:
    owner = resident(display_name="Birgitta", preferred_language="sv")
    prefer(owner, "exchange_proposed", "email", "daily")
    prefer(owner, "exchange_message", "email", "daily")
    answer(owner, resident(display_name="Omar"))
    answer(owner, resident(display_name="Lena"))
    relay()
    assert mail.outbox == []

    built = send_digests("daily")
    again = send_digests("daily")

    [digest] = mail.outbox
    assert (built, again) == (1, 0)
    assert digest.subject == "Din dag på Smart samhälle: 2 nya saker"
    assert digest.body.count("Nytt svar på Hjälp i trädgården") == 2
    assert "Omar svarade" in digest.body
    assert "Lena svarade" in digest.body
    assert "digest" in digest.extra_headers["Message-ID"]
    assert Delivery.objects.filter(status="sent").count() == 2

    # The next morning holds only what came after.
    answer(owner, resident(display_name="Karin"))
    relay()
    Digest.objects.update(period=timezone.localdate() - timedelta(days=1))
    send_digests("daily")

    assert len(mail.outbox) == 2
    assert "Karin svarade" in mail.outbox[1].body
    assert "Omar" not in mail.outbox[1].body
    assert mail.outbox[1].subject == "Din dag på Smart samhälle: 1 ny sak"


def test_what_arrives_after_the_mornings_digest_waits_for_the_next(
    relay: Any, send_digests: Any
) -> None:
    owner = resident()
    prefer(owner, "exchange_proposed", "email", "daily")
    answer(owner, resident())
    relay()
    send_digests("daily")
    answer(owner, resident())
    relay()

    send_digests("daily")  # the same morning, run again

    assert len(mail.outbox) == 1
    waiting = Delivery.objects.get(status="pending")
    assert waiting.digest is None


# --- Unsubscribe -----------------------------------------------------------------------------


def unsubscribe_url(email: Any) -> str:
    url = str(email.extra_headers["List-Unsubscribe"].strip("<>"))
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_one_click_unsubscribe_works_without_login_and_only_on_post(relay: Any) -> None:
    owner = resident()
    answer(owner, resident())
    relay()
    url = unsubscribe_url(mail.outbox[0])
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    looked = browser.get(url)  # a mail scanner opening the link
    prefs_after_look = client_for(owner).get(PREFS).json()
    clicked = browser.post(url, {"List-Unsubscribe": "One-Click"})
    prefs = {
        (row["type"], row["channel"]): row["frequency"]
        for row in client_for(owner).get(PREFS).json()
    }

    assert looked.status_code == 200
    assert "Stoppa de här mejlen?" in looked.content.decode()
    assert {
        "type": "exchange_proposed",
        "channel": "email",
        "frequency": "immediately",
        "default": "immediately",
    } in prefs_after_look
    assert clicked.status_code == 200
    assert "nya svar på dina annonser" in clicked.content.decode()
    assert prefs[("exchange_proposed", "email")] == "off"
    assert prefs[("exchange_proposed", "in_app")] == "immediately"
    assert prefs[("exchange_message", "email")] == "immediately"

    answer(owner, resident())
    relay()
    assert len(mail.outbox) == 1  # no second email for that type


def test_an_unsubscribe_token_is_its_own_persons_and_a_tampered_one_is_refused() -> None:
    from django.test import Client

    me, other = resident(), resident()
    token = token_for(me, "exchange_message")
    forged = token.replace(token.split(":")[0], token_for(other, "exchange_message").split(":")[0])

    tampered = Client().post(f"/notifications/unsubscribe/{token[:-2]}xx/")
    swapped = Client().post(f"/notifications/unsubscribe/{forged}/")
    unknown_scope = Client().post(f"/notifications/unsubscribe/{token_for(me, 'everything')}/")
    done = Client().post(f"/notifications/unsubscribe/{token}/")

    assert tampered.status_code == swapped.status_code == unknown_scope.status_code == 400
    assert "Länken för att avsluta" in tampered.content.decode()
    assert done.status_code == 200
    mine = {(r["type"], r["channel"]): r["frequency"] for r in client_for(me).get(PREFS).json()}
    theirs = {
        (r["type"], r["channel"]): r["frequency"] for r in client_for(other).get(PREFS).json()
    }
    assert mine[("exchange_message", "email")] == "off"
    assert theirs[("exchange_message", "email")] == "immediately"
    assert mine[("exchange_proposed", "email")] == "immediately"


def test_a_digest_unsubscribe_stops_that_digest_only(relay: Any, send_digests: Any) -> None:
    from django.test import Client

    owner = resident()
    prefer(owner, "exchange_proposed", "email", "daily")
    prefer(owner, "exchange_message", "email", "weekly")
    answer(owner, resident())
    relay()
    send_digests("daily")

    Client().post(unsubscribe_url(mail.outbox[0]))

    prefs = {(r["type"], r["channel"]): r["frequency"] for r in client_for(owner).get(PREFS).json()}
    assert prefs[("exchange_proposed", "email")] == "off"
    assert prefs[("exchange_message", "email")] == "weekly"
    assert prefs[("booking_requested", "email")] == "immediately"


def test_an_admin_tries_failed_emails_again(
    relay: Any,
    flaky: type[FlakyBackend],
    admin_client: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 1
    flaky.fail_next(1)
    answer(resident(), resident())
    relay()
    failed = Delivery.objects.get()
    assert failed.status == "failed"

    changelist = admin_client.get("/admin/notifications/delivery/?status=failed")
    with django_capture_on_commit_callbacks(execute=True):
        with_action = admin_client.post(
            "/admin/notifications/delivery/",
            {"action": "try_again", "_selected_action": [failed.pk]},
            follow=True,
        )

    failed.refresh_from_db()
    assert changelist.status_code == 200
    assert with_action.status_code == 200
    assert failed.status == "sent"
    assert len(mail.outbox) == 1


def test_defaults_bookings_and_messages_at_once_matches_daily() -> None:
    rows = client_for(resident()).get(PREFS).json()
    email = {row["type"]: row["default"] for row in rows if row["channel"] == "email"}
    in_app = {row["type"]: row["default"] for row in rows if row["channel"] == "in_app"}

    assert email["exchange_message"] == email["booking_requested"] == "immediately"
    assert email["booking_reminder"] == "immediately"
    assert email["match_new"] == "daily"
    assert set(in_app.values()) == {"immediately"}


def test_digests_are_scheduled_at_seven_in_stockholm(settings: Any) -> None:
    from smartplatform.celery import app

    daily = settings.CELERY_BEAT_SCHEDULE["send-daily-notification-digests"]
    weekly = settings.CELERY_BEAT_SCHEDULE["send-weekly-notification-digests"]

    assert settings.CELERY_TIMEZONE == "Europe/Stockholm" == str(app.conf.timezone)
    assert (daily["task"], daily["args"]) == ("notifications.send_digests", ("daily",))
    assert daily["schedule"].hour == {7}
    assert daily["schedule"].minute == {0}
    assert weekly["schedule"].hour == {7}
    assert weekly["schedule"].day_of_week == {1}
    assert weekly["args"] == ("weekly",)
