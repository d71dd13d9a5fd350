"""docker-compose.yml cannot be run here (no Docker engine), so its promises are checked as
data: every service of the full system is there, health-checked, and runs a command this
code base really has."""

from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_the_full_system_is_composed():
    assert set(SERVICES) >= {
        "postgres",
        "redis",
        "proxy",
        "web",
        "worker",
        "beat",
        "relay",
        "mailpit",
    }


def test_redis_keeps_an_append_only_file():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert "redisdata:/data" in SERVICES["redis"]["volumes"]


def test_long_running_services_have_health_checks():
    for name in set(SERVICES) - {"migrate"}:  # migrate runs once and exits
        assert "healthcheck" in SERVICES[name], name


def test_app_services_wait_for_healthy_dependencies_and_migrations():
    for name in ("web", "worker", "beat", "relay"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_app_services_run_commands_that_exist():
    commands = get_commands()
    assert SERVICES["relay"]["command"][:2] == ["python", "manage.py"]
    assert SERVICES["relay"]["command"][2] in commands
    assert SERVICES["migrate"]["command"][2] == "migrate"
    for name in ("worker", "beat"):
        assert SERVICES[name]["command"][:3] == ["celery", "-A", "smartplatform"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert '"gunicorn", "smartplatform.wsgi"' in dockerfile
    import smartplatform.wsgi  # noqa: F401  (the module gunicorn serves imports)


def test_production_secrets_have_no_default():
    env = SERVICES["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    assert env["DEBUG"] == "false"


def test_web_scales_out_behind_the_proxy():
    # A published port on web would make `--scale web=N` fail: only the proxy publishes one.
    assert "ports" not in SERVICES["web"]
    assert SERVICES["proxy"]["ports"] == ["8000:8000"]
    nginx = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    assert "server web:8000" in nginx
    assert "X-Forwarded-Proto" in nginx
    assert SERVICES["web"]["environment"]["NUM_PROXIES"].startswith("${NUM_PROXIES:-1")


def test_the_relay_and_beat_prove_they_are_alive():
    relay = SERVICES["relay"]
    heartbeat = relay["command"][relay["command"].index("--heartbeat-file") + 1]
    assert heartbeat in relay["healthcheck"]["test"][1]
    schedule = SERVICES["beat"]["command"][-1]
    assert schedule in SERVICES["beat"]["healthcheck"]["test"][1]


def test_uploaded_pictures_are_shared_by_web_and_served_by_the_proxy():
    assert "media:/app/media" in SERVICES["web"]["volumes"]
    assert "media:/srv/media:ro" in SERVICES["proxy"]["volumes"]
    nginx = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    assert "location /media/" in nginx
    media = nginx.split("location /media/", 1)[1].split("\n    }", 1)[0]
    assert "types { image/jpeg jpg jpeg; }" in media  # nothing else is served as what it says
    assert "default_type application/octet-stream;" in media
    assert "add_header X-Content-Type-Options nosniff;" in media
    assert "sandbox" in media  # a page that got in could run nothing
