"""Mail backends for tests: one that fails the way an SMTP server does, on demand."""

import smtplib
import threading
from typing import Any, ClassVar

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """The local-memory backend, failing the next ``failures`` sends with ``error`` first
    (an SMTP server away, then back)."""

    failures: ClassVar[int] = 0
    error: ClassVar[BaseException] = smtplib.SMTPServerDisconnected(
        "Connection unexpectedly closed"
    )
    _lock = threading.Lock()

    @classmethod
    def fail_next(cls, failures: int, error: BaseException | None = None) -> None:
        cls.failures = failures
        if error is not None:
            cls.error = error

    def send_messages(self, messages: Any) -> int:
        with self._lock:
            if FlakyBackend.failures > 0:
                FlakyBackend.failures -= 1
                raise FlakyBackend.error
        return super().send_messages(messages)
