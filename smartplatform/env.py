"""Reading configuration from the environment: one place, one set of rules.

Every setting the platform takes from outside is read here through these helpers, so the
README's configuration table has one source to stay true to.
"""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_REDIS_SCHEMES = {"redis", "rediss", "unix"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def redis_db_url(base_url: str, db: int) -> str:
    """The URL of one numbered database on the Redis server at ``base_url``.

    The broker and the cache live in different databases of one server, because clearing
    the cache is a FLUSHDB and must never delete queued tasks. Whatever database
    ``base_url`` names (in its path, or ``?db=`` for a socket) is replaced.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in _REDIS_SCHEMES or not (parts.netloc or parts.path):
        raise ImproperlyConfigured(
            f"REDIS_URL must look like redis://host:port (or rediss://, unix://), not {base_url!r}."
        )
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "db"]
    if parts.scheme == "unix":
        query.append(("db", str(db)))
        path = parts.path
    else:
        path = f"/{db}"
    # Built by hand: urlunsplit drops the "//" of unix:// URLs, which have no host.
    encoded = urlencode(query)
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{encoded}" if encoded else "")
