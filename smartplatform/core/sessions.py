"""Database sessions that ignore a session key no session could have.

Django looks a cookie's session key up in the database as it comes. A key holding a NUL byte
(a cookie like ``sessionid="a\\000b"``, which Django's cookie parser unescapes) makes
PostgreSQL refuse the query, a 500 on every page before anyone logs in. Django's own keys
are 32 lower-case letters and digits; anything else is treated as no session.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own rule (at least 8 characters), plus: ASCII letters and digits only.
        if key is None:
            return False
        return len(key) >= 8 and key.isascii() and key.isalnum()

    def exists(self, session_key: str) -> bool:
        # Asked directly with a raw key (allauth's X-Session-Token lookup), not via the
        # validated session_key property.
        return self._validate_session_key(session_key) and super().exists(session_key)
