"""Secrets never reach the logs: a link's token in its path, and codes in a query string,
are replaced in every record the console handler writes (and in nginx's access log)."""

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from notifications.unsubscribe import token_for
from smartplatform.core import logfilters
from tests.exchange.factories import resident

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the platform's console handler writes, as configured by settings.LOGGING."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_links_token_and_query_codes_are_logged_redacted(written: io.StringIO) -> None:
    me = resident()
    unsubscribe = token_for(me, "exchange_message")
    client = Client()

    client.post(f"/notifications/unsubscribe/{unsubscribe[:-2]}xx/")  # tampered: a 400
    client.get("/calendar/a-secret-feed-token.ics")  # unknown: a 404
    client.get("/catalogue/contact-requests/answer/an-answer-token/")
    # Django logs paths without their query; anything that logs a whole URL is covered too.
    logging.getLogger("smartplatform").warning("Fetched %s", "/x/?code=123456&token=abc&page=2")

    log = written.getvalue()
    assert "/calendar/[redacted]" in log
    assert "/catalogue/contact-requests/answer/[redacted]" in log
    assert "code=[redacted]&token=[redacted]&page=2" in log
    for secret in (unsubscribe[:-2], "a-secret-feed-token", "an-answer-token", "123456"):
        assert secret not in log


def test_nginx_redacts_the_same_paths() -> None:
    nginx = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    [prefixes] = re.findall(r"\(\?<secret_prefix>([^)]*)\)", nginx)

    assert tuple(prefixes.split("|")) == logfilters.SECRET_PATH_PREFIXES
    assert "access_log /dev/stdout redacted;" in nginx
