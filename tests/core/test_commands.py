from io import StringIO

import pytest
from django.core.management import call_command

from smartplatform.core.models import Event, EventDelivery
from smartplatform.organisations.models import Municipality


@pytest.mark.django_db
def test_demo_data_loads_twice_without_change():
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
