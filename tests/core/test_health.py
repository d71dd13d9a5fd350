"""/healthz (liveness) and /healthz/dependencies (each dependency, 503 naming what is down)."""

import time
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from smartplatform.core import health
from smartplatform.core.models import Event, EventDelivery

pytestmark = pytest.mark.django_db

DEPENDENCIES = "/healthz/dependencies"
DEAD_REDIS = "redis://127.0.0.1:1"


def checks_down(response) -> list[str]:
    body = response.json()
    assert body["status"] == ("ok" if response.status_code == 200 else "unavailable")
    assert body["down"] == sorted(
        (name for name, check in body["checks"].items() if not check["ok"]),
        key=list(body["checks"]).index,
    )
    return body["down"]


def test_liveness_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_liveness_answers_head_but_not_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post(DEPENDENCIES).status_code == 405


def test_liveness_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: health.Check(ok=False, detail="x"))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_the_database_check_reports_an_error_instead_of_raising(monkeypatch):
    class Unreachable:
        vendor = "postgresql"

        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())

    # The reason goes to the log, not into the public report.
    assert health.check_database() == health.Check(ok=False, detail="unreachable")


def test_every_dependency_is_checked_and_ok(client, settings):
    response = client.get(DEPENDENCIES)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert list(body["checks"]) == ["database", "redis", "broker", "event_relay"]
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["detail"] in {"sqlite", "postgresql"}
    assert body["checks"]["event_relay"] == {
        "ok": True,
        "detail": "keeping up",
        "data": {"unrelayed": 0, "due": 0, "failed": 0, "oldest_wait_seconds": 0.0},
    }
    if settings.REDIS_URL:
        assert body["checks"]["redis"]["detail"] == "answering"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_redis_down_is_named(client, settings):
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{DEAD_REDIS}/1",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }

    response = client.get(DEPENDENCIES)

    assert response.status_code == 503
    assert checks_down(response) == ["redis"]
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["redis"]["detail"]


@pytest.fixture
def dead_broker(monkeypatch):
    """The Celery app pointed at a port nobody listens on, with tasks sent to the broker."""
    conf = current_app.conf
    monkeypatch.setitem(conf, "broker_url", f"{DEAD_REDIS}/0")
    monkeypatch.setitem(conf, "task_always_eager", False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    assert conf.broker_write_url == f"{DEAD_REDIS}/0"


@pytest.mark.redis
def test_broker_down_is_named(client, dead_broker):
    started = time.monotonic()
    response = client.get(DEPENDENCIES)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert checks_down(response) == ["broker"]
    assert response.json()["checks"]["broker"]["detail"]
    # A load balancer waits for this answer: a dead broker must not hang it.
    assert elapsed < 10


@pytest.mark.redis
def test_a_live_broker_is_answering(client, settings, monkeypatch):
    conf = current_app.conf
    monkeypatch.setitem(conf, "broker_url", settings.CELERY_BROKER_URL)
    monkeypatch.setitem(conf, "task_always_eager", False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)

    response = client.get(DEPENDENCIES)

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == {"ok": True, "detail": "answering", "data": {}}


def test_an_event_waiting_longer_than_the_limit_marks_the_relay_down(client, settings):
    settings.EVENT_RELAY_MAX_LAG_SECONDS = 300
    Event.objects.create(
        event_type="probe.created",
        payload={},
        created_at=timezone.now() - timedelta(seconds=400),
    )

    response = client.get(DEPENDENCIES)

    assert response.status_code == 503
    assert checks_down(response) == ["event_relay"]
    relay = response.json()["checks"]["event_relay"]
    assert relay["detail"].startswith("an event has waited 4")
    assert relay["detail"].endswith("(limit 300 s)")
    assert relay["data"]["unrelayed"] == 1
    assert 400 <= relay["data"]["oldest_wait_seconds"] < 460


def test_a_recent_event_keeps_the_relay_up(client, settings):
    settings.EVENT_RELAY_MAX_LAG_SECONDS = 300
    Event.objects.create(
        event_type="probe.created",
        payload={},
        created_at=timezone.now() - timedelta(seconds=200),
    )

    response = client.get(DEPENDENCIES)

    assert response.status_code == 200
    assert response.json()["checks"]["event_relay"]["data"]["unrelayed"] == 1


def test_a_delivery_overdue_longer_than_the_limit_marks_the_relay_down(client, settings):
    settings.EVENT_RELAY_MAX_LAG_SECONDS = 300
    event = Event.objects.create(event_type="probe.created", payload={}, relayed_at=timezone.now())
    EventDelivery.objects.create(
        event=event, consumer="tests.consumer", due_at=timezone.now() - timedelta(seconds=400)
    )

    response = client.get(DEPENDENCIES)

    assert response.status_code == 503
    assert checks_down(response) == ["event_relay"]
    assert response.json()["checks"]["event_relay"]["data"]["due"] == 1


def test_a_delivery_that_failed_for_good_marks_the_relay_down(client):
    event = Event.objects.create(event_type="probe.created", payload={}, relayed_at=timezone.now())
    EventDelivery.objects.create(
        event=event, consumer="tests.consumer", status=EventDelivery.Status.FAILED, attempts=10
    )

    response = client.get(DEPENDENCIES)

    assert response.status_code == 503
    assert checks_down(response) == ["event_relay"]
    relay = response.json()["checks"]["event_relay"]
    assert relay["detail"] == "1 deliveries failed for good"
    assert relay["data"]["failed"] == 1


def test_done_deliveries_keep_the_relay_up(client):
    event = Event.objects.create(event_type="probe.created", payload={}, relayed_at=timezone.now())
    EventDelivery.objects.create(
        event=event,
        consumer="tests.consumer",
        status=EventDelivery.Status.DONE,
        completed_at=timezone.now(),
    )

    assert client.get(DEPENDENCIES).status_code == 200


@pytest.mark.parametrize("host", ["10.0.3.7:8000", "localhost", "evil.example"])
def test_health_answers_whatever_the_host_and_over_plain_http(client, settings, host):
    # Load balancers and container health checks call by IP or localhost, over HTTP.
    settings.ALLOWED_HOSTS = ["smartsamhalle.example"]
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_HOST=host).status_code == 200
    assert client.get(DEPENDENCIES, HTTP_HOST=host).status_code == 200
    assert client.get("/api/v1/municipalities/", HTTP_HOST=host).status_code in {301, 400}


def test_a_failing_check_names_no_host_or_user(client, settings, caplog):
    settings.REDIS_URL = "redis://secret-user:hunter2@10.1.2.3:1"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://secret-user:hunter2@127.0.0.1:1/1",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    response = client.get(DEPENDENCIES)

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == {"ok": False, "detail": "unreachable", "data": {}}
    assert "hunter2" not in response.content.decode()
    assert "redis unreachable" in caplog.text
