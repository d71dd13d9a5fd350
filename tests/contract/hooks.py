"""Schemathesis hooks of the contract run (``schemathesis.toml`` names this module).

- Every response's status is appended to ``CONTRACT_STATUS_LOG`` as ``<method> <path
  template>\t<status>\t<identity>``, so the runner can prove each operation was answered
  with a 2xx at least once (a run that only collects 401, 403 and 404 proves nothing).
- ``DELETE /api/v1/me/`` erases the account it is sent as. Each one is sent with the next
  spare resident's session (``CONTRACT_SPARE_TOKENS``), so the run's two peers and its
  moderator stay signed in to the end. When the spares run out the last one (erased by
  then) is sent again, so the answer is a 401 and never the erasure of a peer.
"""

import os
import threading
from pathlib import Path
from typing import Any

import schemathesis

_lock = threading.Lock()
_spares: list[str] | None = None

ERASES_ITS_ACCOUNT = "DELETE /api/v1/me/"
SESSION_HEADER = "X-Session-Token"


def _next_spare() -> str | None:
    global _spares
    with _lock:
        if _spares is None:
            path = os.environ.get("CONTRACT_SPARE_TOKENS", "")
            _spares = Path(path).read_text().split() if path else []
        if not _spares:
            return None
        return _spares.pop(0) if len(_spares) > 1 else _spares[0]


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if case.operation.label != ERASES_ITS_ACCOUNT:
        return
    # The auth provider has put the peer's session on the case itself.
    if case.headers and SESSION_HEADER in case.headers:
        spare = _next_spare()
        if spare is not None:
            case.headers[SESSION_HEADER] = spare


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    path = os.environ.get("CONTRACT_STATUS_LOG")
    if path:
        with _lock, open(path, "a") as log:
            identity = getattr(case, "auth_identity", None) or "-"
            log.write(f"{case.operation.label}\t{response.status_code}\t{identity}\n")
