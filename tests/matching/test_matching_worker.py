"""Matching through a real Celery worker on Redis: an offer published makes a match for an
existing request and exactly one notification; editing it tells nobody again; dismissing
hides it."""

from typing import Any

import pytest

from exchange import listings
from matching.models import Match
from notifications.models import Notification
from smartplatform.core.events import relay_events
from smartplatform.core.models import Event, EventDelivery
from tests.exchange.factories import resident
from tests.factories import client_for
from tests.fixtures.workers import wait_for
from tests.matching.test_matches import garden_offer, garden_request

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.serial]


def settled() -> bool:
    """Every event relayed and every delivery done (the worker finished what it was given)."""
    relay_events()
    return (
        not Event.objects.filter(relayed_at__isnull=True).exists()
        and not EventDelivery.objects.exclude(status="done").exists()
    )


@pytest.mark.django_db(transaction=True)
def test_an_offer_published_is_matched_and_told_once_by_the_worker(celery_worker: Any) -> None:
    asker, helper = resident(), resident()
    wanted = garden_request(owner=asker)
    assert wait_for(settled, timeout=30)

    offer = garden_offer(owner=helper)
    assert wait_for(settled, timeout=30)
    assert wait_for(lambda: Notification.objects.filter(type="match_new").exists(), timeout=30)

    match = Match.objects.get(listing=wanted)
    assert match.other_id == offer.pk
    assert Notification.objects.filter(recipient=asker, type="match_new").count() == 1

    listings.update_listing(
        actor=helper,
        listing=offer,
        data=listings.ListingData(title="Trädgårdshjälp i Helsingborg", given={"title"}),
    )
    assert wait_for(settled, timeout=30)
    assert Notification.objects.filter(recipient=asker, type="match_new").count() == 1

    dismissed = client_for(asker).post(f"/api/v1/matches/{match.pk}/dismiss/")
    assert dismissed.status_code == 200
    assert client_for(asker).get("/api/v1/me/matches/").json()["results"] == []
