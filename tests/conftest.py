"""Shared fixtures: clients, users, captured events, and the rules for skipping tests the
embedded (SQLite, no Redis) run cannot hold."""

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from smartplatform.core.models import Event
from tests.factories import UserFactory

pytest_plugins = ["tests.fixtures.workers"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--drills", action="store_true", help="run the deep drills (make drills)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(settings.REDIS_URL)
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (embedded SQLite run)")
    skip_redis = pytest.mark.skip(reason="needs Redis (embedded run without Redis)")
    skip_drill = pytest.mark.skip(reason="a deep drill: run with make drills")
    run_drills = config.getoption("--drills")
    for item in items:
        if "drill" in item.keywords and not run_drills:
            item.add_marker(skip_drill)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if ("redis" in item.keywords or "worker" in item.keywords) and not has_redis:
            item.add_marker(skip_redis)


# Reference data written by data migrations; restored after a transactional test's flush.
# The data migrations that write reference data, and their forward functions (upserts).
_REFERENCE_MIGRATIONS = (
    ("smartplatform.organisations.migrations.0002_municipalities", "add_municipalities"),
    (
        "smartplatform.organisations.migrations.0004_municipal_organisations",
        "add_municipal_organisations",
    ),
    ("catalogue.migrations.0002_themes", "add_themes"),
)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Every test that uses the database finds the reference data the migrations wrote.

    A transactional test ends with a flush that empties every table, data-migration rows
    included; the next test would find no municipalities. Re-running the data migration's own
    function (an upsert) restores them from the one place they are defined.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from smartplatform.organisations.models import Organisation

    if not Organisation.objects.filter(kind="municipality").exists():
        for module, function in _REFERENCE_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)


def forget_rate_limits() -> None:
    """Forget the request counts of DRF's throttles and allauth's rate limits.

    They live in the cache and every test comes from the same address: without this, the
    requests of earlier tests would make later ones 429. Only this run's namespace is
    touched: a shared Redis also serves other runs.
    """
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("throttle_*")
        cache.delete_pattern("allauth:rl:*")
    else:
        cache.clear()  # local memory: this process's own


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    forget_rate_limits()
    yield
    forget_rate_limits()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory.create()


@pytest.fixture
def user_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


class CapturedEvents:
    """The events published since the fixture started, read from the outbox itself: what a
    rolled-back transaction published is gone here too."""

    def __init__(self) -> None:
        self._after = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def all(self) -> list[Event]:
        return list(Event.objects.filter(id__gt=self._after).order_by("id"))

    def types(self) -> list[str]:
        return [event.event_type for event in self.all()]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event.payload for event in self.all() if event.event_type == event_type]


@pytest.fixture
def events(db: None) -> CapturedEvents:
    """Domain events a test's code published (the relay does not run in tests)."""
    return CapturedEvents()


@pytest.fixture
def relay(django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    """Run the outbox relay as the relay process would, and what its consumers queue after
    their commits (emails, webhooks) as a worker would, until the outbox is empty: a
    consumer may publish events of its own (a match found)."""

    def run() -> None:
        from smartplatform.core.events import relay_events

        for _ in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                if not relay_events().relayed_events:
                    return

    return run


@pytest.fixture
def assert_constant_queries(
    django_assert_max_num_queries: Any,
) -> Callable[..., None]:
    """Assert a list endpoint costs the same number of queries for few and many rows.

    ``make_rows(n)`` creates n more rows; the list is fetched after 2 and after 12 rows, and
    both fetches must stay within the query count of the first.
    """
    from django.test.utils import CaptureQueriesContext

    def check(client: APIClient, url: str, make_rows: Callable[[int], Any]) -> None:
        make_rows(2)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        # Counted now: captured_queries is read from the connection's log, which the
        # requests in make_rows would clear.
        queries_for_few = len(few.captured_queries)
        assert queries_for_few > 0
        make_rows(10)
        with django_assert_max_num_queries(queries_for_few):
            assert client.get(url).status_code == 200

    return check
