"""Settings from the environment: production refuses to start half-configured, passes
Django's deployment checks, and keeps Celery's retries inside the broker's visibility timeout.
"""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from smartplatform.celery import app as celery_app
from smartplatform.core.events import retry_delay
from smartplatform.env import env_bool, env_int, env_list, env_str, redis_db_url

BASE_DIR = Path(__file__).resolve().parents[2]
# Only what a process needs to run: nothing of this run's configuration leaks in.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(**variables: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _KEPT if name in os.environ}
    env.update(variables)
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    variables = {
        "DJANGO_SETTINGS_MODULE": "smartplatform.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    return clean_env(**{**variables, **overrides})


# --- Production configuration ------------------------------------------------------------------


def test_a_production_configuration_passes_the_deployment_checks(tmp_path):
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) == 60

    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checks_bite(tmp_path):
    # The check above could pass for the wrong reason; a short key must be flagged.
    env = production_env(tmp_path, SECRET_KEY="too-short")

    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


@pytest.mark.parametrize("debug", ["false", None])
def test_production_without_a_secret_key_refuses_to_start(tmp_path, debug):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    if debug is None:
        del env["DEBUG"]

    result = run_python(["-c", "import smartplatform.settings"], env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_development_runs_without_a_secret_key(tmp_path):
    env = production_env(tmp_path, DEBUG="true")
    del env["SECRET_KEY"]

    result = run_python(
        ["-c", "import smartplatform.settings as s; print(s.DEBUG, bool(s.SECRET_KEY))"], env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_an_unreadable_boolean_refuses_to_start(tmp_path):
    result = run_python(
        ["-c", "import smartplatform.settings"], production_env(tmp_path, DEBUG="maybe")
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be a boolean" in result.stderr


def settings_seen_with(tmp_path: Path, **variables: str) -> dict:
    script = (
        "import json, smartplatform.settings as s; print(json.dumps({"
        "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'cache': s.CACHES['default'].get('LOCATION'), "
        "'backend': s.CACHES['default']['BACKEND']}))"
    )
    result = run_python(["-c", script], production_env(tmp_path, **variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("redis_url", "broker", "cache"),
    [
        ("redis://redis:6379", "redis://redis:6379/0", "redis://redis:6379/1"),
        ("redis://redis:6379/5", "redis://redis:6379/0", "redis://redis:6379/1"),
        (
            "rediss://u:p@redis:6380/?ssl_cert_reqs=none",
            "rediss://u:p@redis:6380/0?ssl_cert_reqs=none",
            "rediss://u:p@redis:6380/1?ssl_cert_reqs=none",
        ),
    ],
)
def test_broker_and_cache_live_in_different_redis_databases(tmp_path, redis_url, broker, cache):
    seen = settings_seen_with(tmp_path, REDIS_URL=redis_url)

    assert seen == {
        "broker": broker,
        "eager": False,
        "cache": cache,
        "backend": "django_redis.cache.RedisCache",
    }
    assert seen["broker"] != seen["cache"]


def test_without_redis_tasks_run_in_process_and_the_cache_is_local(tmp_path):
    assert settings_seen_with(tmp_path) == {
        "broker": "",
        "eager": True,
        "cache": None,
        "backend": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_this_run_keeps_broker_and_cache_apart():
    if not settings.REDIS_URL:
        pytest.skip("no Redis in this run")
    broker = settings.CELERY_BROKER_URL
    cache = settings.CACHES["default"]["LOCATION"]
    assert broker == redis_db_url(settings.REDIS_URL, 0)
    assert cache == redis_db_url(settings.REDIS_URL, 1)
    assert broker != cache


# --- The environment helpers -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " true "])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("SP_TEST_FLAG", value)

    assert env_bool("SP_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off", ""])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("SP_TEST_FLAG", value)

    assert env_bool("SP_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", ["maybe", "2", "ja", "truee"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("SP_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match="SP_TEST_FLAG must be a boolean"):
        env_bool("SP_TEST_FLAG", False)


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_falls_back_to_its_default(monkeypatch, default):
    monkeypatch.delenv("SP_TEST_FLAG", raising=False)

    assert env_bool("SP_TEST_FLAG", default) is default


def test_env_int(monkeypatch):
    monkeypatch.setenv("SP_TEST_INT", "42")
    assert env_int("SP_TEST_INT", 1) == 42
    monkeypatch.setenv("SP_TEST_INT", " ")
    assert env_int("SP_TEST_INT", 7) == 7
    monkeypatch.setenv("SP_TEST_INT", "forty")
    with pytest.raises(ImproperlyConfigured, match="SP_TEST_INT must be an integer"):
        env_int("SP_TEST_INT", 1)


def test_env_str_without_a_default_is_required(monkeypatch):
    monkeypatch.delenv("SP_TEST_STR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SP_TEST_STR is required"):
        env_str("SP_TEST_STR")
    assert env_str("SP_TEST_STR", "fallback") == "fallback"
    monkeypatch.setenv("SP_TEST_STR", "")
    assert env_str("SP_TEST_STR") == ""


def test_env_list(monkeypatch):
    monkeypatch.setenv("SP_TEST_LIST", " a.example, b.example,,c.example ")
    assert env_list("SP_TEST_LIST", "") == ["a.example", "b.example", "c.example"]
    monkeypatch.delenv("SP_TEST_LIST")
    assert env_list("SP_TEST_LIST", "localhost,127.0.0.1") == ["localhost", "127.0.0.1"]
    assert env_list("SP_TEST_LIST", "") == []


@pytest.mark.parametrize(
    ("url", "db", "expected"),
    [
        ("redis://h:6379", 1, "redis://h:6379/1"),
        ("redis://h:6379/", 1, "redis://h:6379/1"),
        ("redis://h:6379/5", 0, "redis://h:6379/0"),
        ("redis://h:6379/5", 1, "redis://h:6379/1"),
        ("rediss://u:p@h:1/2?ssl_cert_reqs=none", 1, "rediss://u:p@h:1/1?ssl_cert_reqs=none"),
        ("rediss://u:p@h:1/2?ssl_cert_reqs=none", 0, "rediss://u:p@h:1/0?ssl_cert_reqs=none"),
        ("redis://:secret@h", 3, "redis://:secret@h/3"),
        ("redis://h:6379?db=5", 1, "redis://h:6379/1"),
        ("unix:///run/redis.sock", 1, "unix:///run/redis.sock?db=1"),
        ("unix:///run/redis.sock?db=4&password=x", 0, "unix:///run/redis.sock?password=x&db=0"),
    ],
)
def test_redis_db_url_picks_the_database(url, db, expected):
    assert redis_db_url(url, db) == expected


@pytest.mark.parametrize("url", ["h:6379", "localhost"])
def test_redis_db_url_refuses_what_is_not_a_url(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must look like"):
        redis_db_url(url, 1)


# --- Celery --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered_tasks() -> dict:
    celery_app.loader.import_default_modules()
    celery_app.autodiscover_tasks(force=True)
    return dict(celery_app.tasks)


def visibility_timeout() -> int:
    return celery_app.conf.broker_transport_options["visibility_timeout"]


def test_celery_speaks_json_only_and_acknowledges_late():
    conf = celery_app.conf

    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits_below_the_visibility_timeout():
    conf = celery_app.conf

    assert conf.task_time_limit
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # With acks_late a task still running when the timeout passes is handed out again.
    assert conf.task_time_limit < visibility_timeout()


def test_the_visibility_timeout_is_the_configured_one():
    assert visibility_timeout() == settings.CELERY_VISIBILITY_TIMEOUT
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == (
        settings.CELERY_VISIBILITY_TIMEOUT
    )


def test_the_platform_tasks_are_registered(registered_tasks):
    assert {"core.deliver_event", "core.relay_events", "core.purge_idempotency_keys"} <= set(
        registered_tasks
    )


def test_every_task_retries_within_the_visibility_timeout(registered_tasks):
    limit = visibility_timeout()

    for name, task in registered_tasks.items():
        assert task.retry_backoff_max < limit, name
        assert task.default_retry_delay < limit, name
        if not name.startswith("celery."):
            assert task.acks_late is True, name
            assert task.max_retries is not None, name
            # A task whose worker dies goes back to the queue, except an event delivery:
            # the relay hands that out again itself and counts the attempt.
            assert task.reject_on_worker_lost is (name != "core.deliver_event"), name


def test_every_beat_entry_names_a_registered_task(registered_tasks):
    schedule = celery_app.conf.beat_schedule

    assert schedule
    for entry, spec in schedule.items():
        assert spec["task"] in registered_tasks, entry
        schedule_spec = spec["schedule"]
        if isinstance(schedule_spec, crontab):
            assert schedule_spec.remaining_estimate(timezone.now()).total_seconds() >= 0, entry
        else:
            assert float(schedule_spec) > 0, entry


@pytest.mark.parametrize("visibility", [3600, 600, 120])
def test_event_retry_delays_stay_below_the_visibility_timeout(settings, visibility):
    settings.CELERY_VISIBILITY_TIMEOUT = visibility
    limit = timedelta(seconds=visibility)

    delays = [retry_delay(attempts) for attempts in range(1, 31) for _ in range(5)]

    assert all(timedelta(0) < delay < limit for delay in delays)
    # And they do back off: the later attempts wait longer than the first.
    assert max(retry_delay(1) for _ in range(20)) <= timedelta(seconds=5)
    assert min(retry_delay(30) for _ in range(20)) >= timedelta(seconds=min(300, visibility // 4))


@pytest.mark.parametrize(
    "overrides",
    [
        {"CELERY_VISIBILITY_TIMEOUT": "300"},  # below the tasks' 600 s back-off cap
        {"CELERY_VISIBILITY_TIMEOUT": "900", "CELERY_TASK_TIME_LIMIT": "900"},
    ],
)
def test_a_visibility_timeout_shorter_than_a_wait_or_a_run_is_refused(tmp_path, overrides):
    result = run_python(["manage.py", "check"], production_env(tmp_path, **overrides))

    assert result.returncode != 0
    assert "smartplatform.E001" in result.stderr
    assert "must stay below CELERY_VISIBILITY_TIMEOUT" in result.stderr


def test_a_delivery_lease_shorter_than_a_task_run_is_refused(tmp_path):
    env = production_env(tmp_path, EVENT_DELIVERY_LEASE_SECONDS="200", CELERY_TASK_TIME_LIMIT="300")

    result = run_python(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "smartplatform.E002" in result.stderr
