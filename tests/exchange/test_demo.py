"""The demo marketplace `make run` loads: alive everywhere, with work for the moderators."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from exchange.models import Listing
from smartplatform.organisations.models import Municipality

pytestmark = pytest.mark.django_db


def test_the_demo_marketplace_covers_every_municipality_category_and_kind(settings) -> None:
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())

    rows = APIClient().get("/api/v1/listings/", {"page_size": 100}).json()["results"]

    assert {row["municipality"]["code"] for row in rows} == set(
        Municipality.objects.values_list("code", flat=True)
    )
    assert {row["category"]["value"] for row in rows} == {"expertise", "service", "car", "space"}
    assert {row["kind"]["value"] for row in rows} == {"offer", "request"}
    assert any(row["title"] == "Help moving furniture" for row in Listing.objects.values("title"))
    assert Listing.objects.filter(state="pending_review").count() == 2
    assert Listing.objects.filter(state="hidden").count() == 1
    assert all(row["address"] is None for row in rows)
