"""Reading configuration from the environment: one place, one set of rules.

Every setting the platform takes from outside is read here through these helpers, so the
README's configuration table has one source to stay true to.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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
    the cache is a FLUSHDB and must never delete queued tasks.
    """
    scheme, sep, rest = base_url.partition("://")
    if not sep:
        raise ImproperlyConfigured(f"REDIS_URL must look like redis://host:port, not {base_url!r}.")
    query = ""
    if "?" in rest:
        rest, query = rest.split("?", 1)
        query = "?" + query
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{db}{query}"
