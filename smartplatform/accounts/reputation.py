"""What a public profile says of a person's reputation: the average and count of the reviews
others wrote about them. The reviews live in the exchange, which registers how to count
them; this app knows no other app."""

from collections.abc import Callable
from typing import Any

Summary = Callable[[Any], dict[str, Any]]

_summary: Summary | None = None


def register(summary: Summary) -> None:
    global _summary
    _summary = summary


def of(user: Any) -> dict[str, Any]:
    """``{"average": "4.5" or None, "count": 12}``."""
    if _summary is None:
        return {"average": None, "count": 0}
    return _summary(user)
