from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from smartplatform.core.models import Event, EventDelivery
from smartplatform.organisations.models import Municipality


@pytest.mark.django_db
def test_demo_data_loads_twice_without_change(settings):
    settings.DEBUG = True
    first, second = StringIO(), StringIO()
    call_command("load_demo_data", stdout=first)
    call_command("load_demo_data", stdout=second)

    assert first.getvalue() == second.getvalue()
    assert Municipality.objects.count() == 11


@pytest.mark.django_db
def test_run_relay_once_relays_the_waiting_events():
    Event.objects.create(event_type="test.nobody.listens")
    out = StringIO()

    call_command("run_relay", "--once", stdout=out)

    assert out.getvalue().strip() == "relayed 1 events, dispatched 0 deliveries"
    assert not Event.objects.filter(relayed_at__isnull=True).exists()
    assert not EventDelivery.objects.exists()


@pytest.mark.django_db
def test_the_demo_resident_can_sign_in_and_runs_an_association(
    settings, django_capture_on_commit_callbacks
):
    from tests.accounts.clients import AuthClient

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    app = AuthClient("app", django_capture_on_commit_callbacks)

    login = app.auth(
        "post",
        "auth/login",
        {"email": "anna@example.com", "password": settings.DEMO_RESIDENT_PASSWORD},
    )
    organisation = app.api("get", "organisations/grannhjalpen-helsingborg/").json()

    assert login.status_code == 200
    assert organisation["my_role"] == "admin"
    assert app.api("get", "organisations/grannhjalpen-helsingborg/residents/").status_code == 200


@pytest.mark.django_db
def test_there_is_no_demo_data_outside_development(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False

    with pytest.raises(CommandError, match="only in development"):
        call_command("load_demo_data", stdout=StringIO())


def test_the_embedded_setup_runs_the_beat_schedule_itself(db: None, settings: Any) -> None:
    """Without a broker there is no beat: `serve` runs the schedule's tasks at their times."""
    from datetime import timedelta

    from django.utils import timezone

    from smartplatform.core import scheduler

    start = timezone.now()
    entries = scheduler.entries(start)
    by_name = {entry.name: entry for entry in entries}

    nothing_yet = scheduler.run_due(entries, start)
    by_name["resend-overdue-notification-emails"].last_run_at = start - timedelta(minutes=6)
    by_name["send-daily-notification-digests"].last_run_at = start - timedelta(days=1, hours=1)
    ran = scheduler.run_due(entries, start)
    again = scheduler.run_due(entries, start)

    assert nothing_yet == []
    assert "resend-overdue-notification-emails" in ran
    assert "send-daily-notification-digests" in ran
    assert "send-weekly-notification-digests" not in ran
    assert again == []
    assert set(by_name) == set(settings.CELERY_BEAT_SCHEDULE)
