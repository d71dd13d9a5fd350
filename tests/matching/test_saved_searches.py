"""Saved searches: kept with the listing list's own parameters, checked by the listing list's
own selector, and told once per search and new listing."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from matching.models import SavedSearch
from notifications.models import Notification
from smartplatform.organisations.models import Municipality
from tests.exchange.factories import make_listing, resident
from tests.factories import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/saved-searches/"


def test_a_saved_search_tells_of_a_new_listing_it_finds_once(relay: Any) -> None:
    me = resident(preferred_language="sv")
    made = client_for(me).post(
        URL,
        {"name": "Bilpool i Klippan", "search": {"search": "bilpool", "municipality": ["1276"]}},
        format="json",
    )
    klippan = Municipality.objects.get(code="1276")
    found = make_listing("Bilpool i byn", category="car", municipality=klippan)
    make_listing(
        "Bilpool i Båstad", category="car", municipality=Municipality.objects.get(code="1278")
    )
    make_listing("Gräsklippning", municipality=klippan)
    mine = make_listing("Min egen bilpool", category="car", municipality=klippan, owner=me)

    relay()
    relay()

    assert made.status_code == 201
    assert made.json()["search"] == {"search": "bilpool", "municipality": ["1276"]}
    [told] = Notification.objects.filter(recipient=me, type="saved_search_match")
    assert told.subject_id == found.pk
    assert told.title == "Nytt för din sökning Bilpool i Klippan"
    assert mine.pk != told.subject_id


def test_saved_searches_are_ones_own_checked_and_limited() -> None:
    me, other = resident(), resident()
    client = client_for(me)
    made = client.post(URL, {"name": "Trädgård", "search": {"search": "trädgård"}}, format="json")
    theirs = client_for(other).get(f"{URL}{made.json()['id']}/")
    empty = client.post(URL, {"name": "Allt", "search": {"search": "", "tag": []}}, format="json")
    unkept = client.post(URL, {"name": "Allt", "search": {"ordering": "newest"}}, format="json")
    bad = client.post(URL, {"name": "Fel", "search": {"category": ["boat"]}}, format="json")
    sneaky = client.post(
        URL, {"name": "X", "search": {"search": "x"}, "user": other.pk}, format="json"
    )
    for n in range(19):
        client.post(URL, {"name": f"S{n}", "search": {"search": f"ord{n}"}}, format="json")
    too_many = client.post(URL, {"name": "21", "search": {"search": "mer"}}, format="json")
    removed = client.delete(f"{URL}{made.json()['id']}/")

    assert theirs.status_code == 404
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_saved_search")
    assert unkept.status_code == 400
    assert unkept.json()["fields"] == {"search": ["Not a filter a search keeps: ordering."]}
    assert bad.status_code == 400
    assert "search" in bad.json()["fields"]
    assert sneaky.status_code == 400
    assert (too_many.status_code, too_many.json()["code"]) == (409, "too_many_saved_searches")
    assert removed.status_code == 204
    assert SavedSearch.objects.filter(user=me).count() == 19
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_saved_search_list_costs_the_same(assert_constant_queries: Any) -> None:
    me = resident()

    def make_rows(n: int) -> None:
        for i in range(n):
            SavedSearch.objects.create(user=me, name=f"S{i}", params={"search": "bil"})

    assert_constant_queries(client_for(me), URL, make_rows)


def test_searches_for_other_words_cost_no_query_when_a_listing_is_published(
    django_assert_max_num_queries: Any,
) -> None:
    from matching import saved_searches

    for number in range(30):
        SavedSearch.objects.create(
            user=resident(), name=f"Sökning {number}", params={"search": f"cykel{number}"}
        )
    finder = resident()
    SavedSearch.objects.create(user=finder, name="Gräs", params={"search": "klippa gräset"})
    listing = make_listing("Gräsklippning", description="Jag klipper gräsmattor.")

    with django_assert_max_num_queries(12):
        found = saved_searches.tell_searchers(listing.pk)

    assert found == 1
    assert Notification.objects.filter(recipient=finder, type="saved_search_match").count() == 1
