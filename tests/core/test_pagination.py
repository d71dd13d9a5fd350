"""Cursor pagination for feeds: a page never repeats or skips an item when new ones arrive."""

import pytest

from smartplatform.core.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]

FEED = "/api/v1/test-probe/feed/"


def add_items(count: int) -> list[int]:
    return [Event.objects.create(event_type="feed.item", payload={"n": n}).pk for n in range(count)]


def test_the_feed_is_newest_first_and_stable_while_items_arrive(api_client):
    ids = add_items(25)

    first = api_client.get(FEED, {"page_size": 10}).json()
    add_items(5)  # new items arrive between pages
    second = api_client.get(first["next"]).json()

    assert [item["id"] for item in first["results"]] == ids[::-1][:10]
    assert [item["id"] for item in second["results"]] == ids[::-1][10:20]
    assert set(first) == {"next", "previous", "results"}  # no count: feeds grow without end


@pytest.mark.parametrize("page_size", ["0", "101", "x"])
def test_the_feed_refuses_a_bad_page_size(api_client, page_size):
    response = api_client.get(FEED, {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["page_size"]


def test_a_forged_cursor_is_a_404_in_the_error_shape(api_client):
    response = api_client.get(FEED, {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_feed_costs_the_same_for_few_and_many_items(api_client, assert_constant_queries):
    assert_constant_queries(api_client, FEED, add_items)
