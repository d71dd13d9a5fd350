from io import StringIO

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
