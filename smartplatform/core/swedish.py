"""Swedish alphabetical order, the same on PostgreSQL and SQLite.

Swedish sorts Å, Ä and Ö after Z (in that order), treats Æ as Ä, Ø as Ö and Ü as Y, and
ignores other accents (é sorts as e). PostgreSQL gets this from ICU's ``sv-x-icu``
collation; SQLite gets a collation of the same name registered on every connection.
"""

import unicodedata
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
