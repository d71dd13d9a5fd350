"""Secrets kept out of the logs. Some links carry their secret in the URL (a calendar feed's
token, one-click unsubscribe and contact-request answer links), and a 404 or 400 on one of
them is logged with its path; query parameters may carry codes. Every record written has
those replaced by ``[redacted]`` first. ``deploy/nginx.conf`` does the same to its access
log, for the same prefixes."""

import logging
import re

# Paths whose next segment is a secret.
SECRET_PATH_PREFIXES = (
    "/calendar/",
    "/notifications/unsubscribe/",
    "/catalogue/contact-requests/answer/",
)
SECRET_PARAMETERS = ("token", "code", "key", "password", "secret", "signature", "session_token")

_PATHS = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/\s?#\"'.]+"
)
_PARAMETERS = re.compile(
    r"([?&](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s#\"']+", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _PARAMETERS.sub(r"\1" + REDACTED, _PATHS.sub(r"\1" + REDACTED, text))


class RedactSecrets(logging.Filter):
    """A handler filter: the record's message, formatted, with its secrets replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
