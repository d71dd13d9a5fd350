"""The contract run: schemathesis against a live server on PostgreSQL with the demo data.

    python -m tests.contract.run                 # the CI smoke profile (fixed seed, minutes)
    python -m tests.contract.run --profile deep  # make fuzz: many more examples per operation

It makes a fresh database beside the one in ``DATABASE_URL`` (``<name>_contract``), migrates
it, loads the demo data and the run's actors (``actors.py``), starts gunicorn with production
settings on a loopback port (tasks and the event relay in the web process, the cache in
Redis under its own key prefix), signs the actors in through the app login and hands their
sessions to schemathesis as a Web Fuzzing Commons auth document. Schemathesis reads its
checks, phases and every exclusion from ``schemathesis.toml`` next to this file.

The run passes when schemathesis finds nothing and every operation in the schema was answered
with a 2xx at least once. Exit status 0 or 1; the reports are kept in ``--report-dir``.
"""

import argparse
import collections
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROFILES = {
    # Fixed seed, a few examples per operation: CI, within five minutes.
    "smoke": ["--seed", "20261207", "--max-examples", "6"],
    # make fuzz: a fresh seed every time (printed), many examples, and stateful sequences
    # until the time is spent.
    "deep": ["--max-examples", "60", "--max-time", "1500"],
}
# Accounts for DELETE /api/v1/me/ to erase: with the three actors, within allauth's 30
# sign-ins a minute from one address.
SPARES = 20
# A bound parameter always takes a seeded value (in the phases that draw values; coverage
# tries its own boundary values too). The operation's other parameters and its body are
# generated as usual.
SEED_PROBABILITY = 1.0
# Which parameter of which operation draws from which seeded dictionary (actors.seed): the
# objects Anna may act on, in the state each operation needs. Without them almost every id
# schemathesis makes up is a 404, and an operation would never be seen to succeed.
_PROJECT = {"path.slug": "own-project"}
_ASSOCIATION = {"path.slug": "association"}
SEED_BINDINGS: dict[str, dict[str, str]] = {
    "PATCH /api/v1/catalogue/projects/{slug}/": _PROJECT,
    "PUT /api/v1/catalogue/projects/{slug}/cover/": _PROJECT,
    "DELETE /api/v1/catalogue/projects/{slug}/cover/": {"path.slug": "project-with-cover"},
    "POST /api/v1/catalogue/projects/{slug}/publish/": _PROJECT,
    "POST /api/v1/catalogue/projects/{slug}/unpublish/": _PROJECT,
    "POST /api/v1/catalogue/projects/{slug}/confirm-contacts/": _PROJECT,
    "DELETE /api/v1/catalogue/projects/{slug}/": {"path.slug": "project-to-delete"},
    "PATCH /api/v1/organisations/{slug}/": _ASSOCIATION,
    "PUT /api/v1/organisations/{slug}/logo/": _ASSOCIATION,
    "DELETE /api/v1/organisations/{slug}/logo/": _ASSOCIATION,
    "GET /api/v1/organisations/{slug}/members/": _ASSOCIATION,
    "GET /api/v1/organisations/{slug}/invitations/": _ASSOCIATION,
    "POST /api/v1/organisations/{slug}/invitations/": _ASSOCIATION,
    "GET /api/v1/organisations/{slug}/join-requests/": _ASSOCIATION,
    "GET /api/v1/organisations/{slug}/residents/": _ASSOCIATION,
    "POST /api/v1/organisations/{slug}/residents/": _ASSOCIATION,
    "DELETE /api/v1/organisations/{slug}/members/{user_id}/": {
        **_ASSOCIATION,
        "path.user_id": "member",
    },
    "PATCH /api/v1/organisations/{slug}/members/{user_id}/": {
        **_ASSOCIATION,
        "path.user_id": "member",
    },
    "GET /api/v1/organisations/{organisation_slug}/webhooks/": {
        "path.organisation_slug": "association"
    },
    "POST /api/v1/organisations/{organisation_slug}/webhooks/": {
        "path.organisation_slug": "association"
    },
    "GET /api/v1/organisations/{organisation_slug}/webhooks/{id}/": {
        "path.organisation_slug": "association",
        "path.id": "webhook",
    },
    "POST /api/v1/organisations/{organisation_slug}/webhooks/{id}/rotate-secret/": {
        "path.organisation_slug": "association",
        "path.id": "webhook",
    },
    "DELETE /api/v1/organisations/{organisation_slug}/webhooks/{id}/": {
        "path.organisation_slug": "association",
        "path.id": "webhook",
    },
    "DELETE /api/v1/me/saved-searches/{id}/": {"path.id": "saved-search"},
    "GET /api/v1/me/saved-searches/{id}/": {"path.id": "saved-search"},
    # Each of a listing's moves has a listing of its own: closing the one another edits
    # would make every later edit a 409.
    "PATCH /api/v1/listings/{id}/": {"path.id": "own-listing"},
    "POST /api/v1/listings/{id}/close/": {"path.id": "listing-to-close"},
    "POST /api/v1/listings/{id}/pause/": {"path.id": "listing-to-pause"},
    "DELETE /api/v1/listings/{id}/": {"path.id": "listing-to-delete"},
    "GET /api/v1/exchanges/{id}/": {"path.id": "exchange"},
    "GET /api/v1/exchanges/{id}/messages/": {"path.id": "exchange"},
    "POST /api/v1/exchanges/{id}/messages/": {"path.id": "exchange"},
    "POST /api/v1/exchanges/{id}/messages/read/": {"path.id": "exchange"},
    "POST /api/v1/exchanges/{id}/accept/": {"path.id": "exchange-to-accept"},
    "POST /api/v1/exchanges/{id}/decline/": {"path.id": "exchange-to-decline"},
    "POST /api/v1/exchanges/{id}/cancel/": {"path.id": "exchange-to-cancel"},
    "POST /api/v1/exchanges/{id}/confirm/": {"path.id": "exchange-to-confirm"},
    "POST /api/v1/exchanges/{id}/dispute/": {"path.id": "exchange-to-dispute"},
    "POST /api/v1/exchanges/{id}/review/": {"path.id": "exchange-to-review"},
    "PATCH /api/v1/reviews/{id}/": {"path.id": "own-review"},
    "GET /api/v1/bookings/{id}/condition/": {"path.id": "car-booking"},
    "POST /api/v1/bookings/{id}/condition/": {"path.id": "car-booking"},
    "GET /api/v1/resources/{id}/blackouts/": {"path.id": "own-resource"},
    "POST /api/v1/resources/{id}/blackouts/": {"path.id": "own-resource"},
    "POST /api/v1/timebank/transfers/": {"body.to": "neighbour", "body.hours": "hours"},
    "POST /api/v1/organisations/{slug}/join-requests/": {"path.slug": "organisation-to-join"},
}
PASSWORD_SETTING = "DEMO_RESIDENT_PASSWORD"
DEFAULT_PASSWORD = "demo-resident-2026"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="smoke")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--report-dir", default=str(ROOT / "schemathesis-report"))
    parser.add_argument("--keep-database", action="store_true", help="leave it for a look")
    parser.add_argument("extra", nargs="*", help="passed on to `schemathesis run`")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/smartplatform"
    database_url = _sibling_database(base, "contract")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    origin = f"http://127.0.0.1:{args.port}"
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="contract-"))

    _recreate_database(database_url)
    setup_env = _env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="true",
        CELERY_BROKER_URL="",  # the seed's notification emails are sent, in-process...
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",  # ...to nowhere
    )
    _manage(setup_env, "migrate", "--noinput", "-v0")
    _manage(setup_env, "load_demo_data")
    made_path = work / "seed.json"
    _python(setup_env, "-m", "tests.contract.actors", str(SPARES), str(made_path))
    made = json.loads(made_path.read_text())
    actors = made["actors"]
    config_path = work / "schemathesis.toml"
    config_path.write_text(_config_with_seed(made["seed"]))

    server_log = report_dir / "server.log"
    server = _start_server(_server_env(database_url, redis_url), args.port, server_log)
    try:
        _wait_until_up(origin)
        password = os.environ.get(PASSWORD_SETTING, DEFAULT_PASSWORD)
        tokens = {name: _sign_in(origin, email, password) for name, email in actors.items()}
        auth_path = work / "auth.json"
        auth_path.write_text(json.dumps(_wfc_document(tokens)))
        spares_path = work / "spares.txt"
        spares_path.write_text("\n".join(t for n, t in tokens.items() if n.startswith("spare-")))
        status_log = report_dir / "statuses.tsv"
        status_log.unlink(missing_ok=True)
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config_path),
            "run",
            f"{origin}/api/schema/",
            "--auth-wfc",
            str(auth_path),
            "--report",
            "junit,json",
            "--report-dir",
            str(report_dir),
            *PROFILES[args.profile],
            *args.extra,
        ]
        env = _env(
            CONTRACT_STATUS_LOG=str(status_log),
            CONTRACT_SPARE_TOKENS=str(spares_path),
            PYTHONPATH=str(ROOT),
        )
        started = time.monotonic()
        found = subprocess.run(command, cwd=ROOT, env=env).returncode
        print(f"\nschemathesis ran {time.monotonic() - started:.0f} s; exit {found}")
        unanswered = _operations_without_success(origin, status_log)
    finally:
        _stop(server)
        if not args.keep_database:
            _drop_database(database_url)
    _print_server_errors(server_log)
    if unanswered:
        print(f"\n{len(unanswered)} operations never answered with a 2xx:")
        for label, statuses in unanswered:
            print(f"  {label}: {dict(statuses) or 'never called'}")
    ok = found == 0 and not unanswered
    print(f"\ncontract run ({args.profile}): {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


def _config_with_seed(seed: dict[str, list[object]]) -> str:
    """The committed configuration, and after it the seeded values and what draws on them
    (test data only: every check, phase and relaxation is in the committed file)."""
    lines = [(HERE / "schemathesis.toml").read_text(), "", "# --- Seeded by the run ---"]
    for name, values in sorted(seed.items()):
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    for label, parameters in SEED_BINDINGS.items():
        bound = ", ".join(
            f'"{key}" = {{ dictionary = "{name}", probability = {SEED_PROBABILITY} }}'
            for key, name in parameters.items()
        )
        lines += ["[[operations]]", f'include-name = "{label}"', f"parameters = {{ {bound} }}", ""]
    return "\n".join(lines)


def _sibling_database(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(
            "The contract run needs PostgreSQL: set DATABASE_URL to a postgres:// URL."
        )
    name = parts.path.lstrip("/") or "smartplatform"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def _admin_connection(url: str) -> tuple[object, str]:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
    return connection, name


def _recreate_database(url: str) -> None:
    _drop_database(url)
    connection, name = _admin_connection(url)
    with connection:  # type: ignore[attr-defined]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]


def _drop_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection:  # type: ignore[attr-defined]
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]


def _env(**overrides: str) -> dict[str, str]:
    return {**os.environ, **overrides}


def _server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings, on plain HTTP over loopback, with the API's throttles raised through
    their documented settings: the run sends thousands of requests as three people."""
    return _env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="",  # tasks and the relay in the web process: nothing left queued
        CACHE_KEY_PREFIX=f"contract-{secrets.token_hex(4)}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        THROTTLE_ANON_RATE="1000000/min",
        THROTTLE_USER_RATE="1000000/min",
        THROTTLE_CLAIM_RATE="1000000/hour",
        THROTTLE_INVITATION_RATE="1000000/hour",
        THROTTLE_CONTACT_REQUEST_RATE="1000000/hour",
        WEBHOOK_ALLOW_HTTP="true",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="contract-media-"),
    )


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _python(env: dict[str, str], *args: str) -> None:
    env = {**env, "DJANGO_SETTINGS_MODULE": "smartplatform.settings"}
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def _start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    # gunicorn's own request-line limit (4 KB) stays: production has it too.
    command = [gunicorn, "smartplatform.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--threads", "4", "--graceful-timeout", "5"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def _wait_until_up(origin: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{origin}/healthz", timeout=2):
                return
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.5)
    raise SystemExit("The server did not come up; see server.log in the report directory.")


def _sign_in(origin: str, email: str, password: str) -> str:
    request = urllib.request.Request(
        f"{origin}/_allauth/app/v1/auth/login",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    return str(body["meta"]["session_token"])


def _wfc_document(tokens: dict[str, str]) -> dict[str, object]:
    """The two peers and the moderator, with their sessions (the configuration says whom
    the operations are sent as)."""
    order = ["anna", "birgitta", "moderator"]
    return {
        "auth": [
            {"name": name, "fixedHeaders": [{"name": "X-Session-Token", "value": tokens[name]}]}
            for name in order
        ]
    }


def _operations_without_success(
    origin: str, status_log: Path
) -> list[tuple[str, collections.Counter[int]]]:
    with urllib.request.urlopen(f"{origin}/api/schema/?format=json", timeout=30) as response:
        schema = json.load(response)
    methods = {"get", "put", "post", "patch", "delete"}
    labels = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in methods
    ]
    statuses: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    if status_log.exists():
        for line in status_log.read_text().splitlines():
            label, status, _identity = line.split("\t")
            statuses[label][int(status)] += 1
    return [
        (label, statuses[label])
        for label in sorted(labels)
        if not any(200 <= status < 300 for status in statuses[label])
    ]


def _print_server_errors(server_log: Path) -> None:
    if not server_log.exists():
        return
    text = server_log.read_text(errors="replace")
    tracebacks = text.count("Traceback (most recent call last)")
    if tracebacks:
        print(f"\nThe server logged {tracebacks} tracebacks: see {server_log}")


if __name__ == "__main__":
    sys.exit(main())
