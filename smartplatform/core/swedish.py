"""Swedish alphabetical order, the same on PostgreSQL and SQLite.

Swedish sorts Å, Ä and Ö after Z (in that order), treats Æ as Ä, Ø as Ö and Ü as Y, and
ignores other accents (é sorts as e). PostgreSQL gets this from ICU's ``sv-x-icu``
collation; SQLite gets a collation of the same name registered on every connection.
"""

import functools
import unicodedata
from datetime import date, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, F, Func
from django.db.models.sql.compiler import SQLCompiler

POSTGRESQL_COLLATION = "sv-x-icu"
SQLITE_COLLATION = "swedish"

_LETTERS_AFTER_Z = str.maketrans(
    {
        "å": "z\U0010fff1",
        "ä": "z\U0010fff2",
        "æ": "z\U0010fff2",
        "ö": "z\U0010fff3",
        "ø": "z\U0010fff3",
        "ü": "y",
    }
)


def sort_key(text: str) -> str:
    """A key that orders text the Swedish way (case and accents aside)."""
    folded = text.casefold().translate(_LETTERS_AFTER_Z)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _compare(left: str, right: str) -> int:
    left_key, right_key = (sort_key(left), left), (sort_key(right), right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_collation(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: teach each new SQLite connection the Swedish order."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


class SwedishOrder(Func):
    """``expression COLLATE <Swedish>`` for ``order_by``: ``order_by(SwedishOrder("name"))``."""

    def __init__(self, expression: str | Expression) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        collation = {"postgresql": POSTGRESQL_COLLATION, "sqlite": SQLITE_COLLATION}.get(
            connection.vendor
        )
        if collation:
            sql = f"{sql} COLLATE {connection.ops.quote_name(collation)}"
        return sql, list(params)


# --- Working days -----------------------------------------------------------------------------
# Public holidays and the eves Swedish workplaces treat as holidays (midsummer, Christmas and
# New Year's eve), so "five working days" means what a Swedish office means by it.
_HOLIDAY_CATEGORIES = ("public", "de_facto")


@functools.lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    import holidays

    return frozenset(
        holidays.country_holidays("SE", years=year, categories=_HOLIDAY_CATEGORIES).keys()
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days after ``day`` (``day`` itself does not count)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
