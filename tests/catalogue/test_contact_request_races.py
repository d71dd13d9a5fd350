"""Overlapping follow-up runs on PostgreSQL with real threads: each request is reminded once
and escalated once, whatever runs at the same time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalogue import contact_requests
from catalogue.models import ContactRequest
from smartplatform.core.models import Event
from tests.catalogue.factories import make_project
from tests.factories import verified_user
from tests.races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_overlapping_runs_remind_and_escalate_each_request_once() -> None:
    project = make_project(owner="1284", contacts=({"name": "Karin", "email": "k@h.example"},))
    sender = verified_user()
    for _ in range(5):
        request = contact_requests.send_contact_request(
            sender=sender, project=project, kind="more_info", message="Berätta!"
        )
        ContactRequest.objects.filter(pk=request.pk).update(
            created_at=datetime(2026, 11, 2, 9, tzinfo=STOCKHOLM)
        )
    reminder_time = datetime(2026, 11, 16, 9, tzinfo=STOCKHOLM)
    escalation_time = datetime(2026, 11, 25, 9, tzinfo=STOCKHOLM)

    reminders = run_together(
        8, lambda: contact_requests.follow_up_unanswered(now=reminder_time)["reminded"]
    )
    escalations = run_together(
        8, lambda: contact_requests.follow_up_unanswered(now=escalation_time)["escalated"]
    )

    assert sum(reminders) == 5
    assert sum(escalations) == 5
    assert Event.objects.filter(event_type="catalogue.contact_request_reminder_due").count() == 5
    assert Event.objects.filter(event_type="catalogue.contact_request_escalated").count() == 5
