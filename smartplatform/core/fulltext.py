"""PostgreSQL full-text expressions over a model's generated ``search_vector`` column.

The column holds the platform analyser's stems (``smartplatform.core.analysis``), weighted,
and is indexed with GIN; it exists only on PostgreSQL (a vendor-conditional migration), so
these expressions are used only there.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Expression, FloatField, IntegerField, Q
from django.db.models.sql.compiler import SQLCompiler

from smartplatform.core.analysis import Term, lexeme


class SearchVector(Expression):
    """The generated ``search_vector`` column, under whatever alias the query gives the
    model's table."""

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", ()


class Matches(Expression):
    """The row matches the ``to_tsquery('simple', ...)`` text (``analysis.tsquery``)."""

    conditional = True

    def __init__(self, tsquery: str) -> None:
        super().__init__(output_field=BooleanField())
        self.tsquery = tsquery

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        vector, _ = SearchVector().as_sql(compiler, connection)
        return f"{vector} @@ to_tsquery('simple', %s)", (self.tsquery,)


class Rank(Expression):
    """A relevance score, higher is better, with the weights of the D, C, B and A parts of the
    vector, length-normalised (1 + log length, so a long text does not win by length).

    ``cover_density`` ranks with ``ts_rank_cd`` (query words standing close together rank
    higher), right for long texts such as project descriptions; without it ``ts_rank``
    (how often and where the words occur), which for short texts ranks much the same at a
    third of the cost when the query holds alternatives (a compound and its parts)."""

    def __init__(
        self,
        tsquery: str,
        weights: tuple[float, float, float, float],
        *,
        cover_density: bool = True,
    ) -> None:
        super().__init__(output_field=FloatField())
        self.tsquery = tsquery
        self.weights = weights
        self.function = "ts_rank_cd" if cover_density else "ts_rank"

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        vector, _ = SearchVector().as_sql(compiler, connection)
        weights = "{%s}" % ",".join(str(w) for w in self.weights)  # noqa: UP031
        return (
            f"{self.function}(%s::float4[], {vector}, to_tsquery('simple', %s), 1)",
            (weights, self.tsquery),
        )


class HoldsAny(Expression):
    """The row's vector holds any of the lexemes (exactly as given, no normalisation: a
    ``tsquery`` literal, so the planner reads it once and the GIN index serves it)."""

    conditional = True

    def __init__(self, lexemes: Sequence[str]) -> None:
        super().__init__(output_field=BooleanField())
        self.lexemes = list(lexemes)

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        vector, _ = SearchVector().as_sql(compiler, connection)
        return f"{vector} @@ %s::tsquery", (" | ".join(map(lexeme, self.lexemes)),)


class Overlap(Expression):
    """An integer: for each lexeme the vector holds, ``in_title`` when the title (weight A)
    holds it, ``elsewhere`` otherwise. Whole numbers, so the same sum computed outside the
    database from the vector's lexemes orders rows exactly as PostgreSQL does."""

    def __init__(self, lexemes: Sequence[str], *, in_title: int, elsewhere: int) -> None:
        super().__init__(output_field=IntegerField())
        self.lexemes = list(lexemes)
        self.in_title, self.elsewhere = in_title, elsewhere

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.lexemes:
            return "0", ()
        vector, _ = SearchVector().as_sql(compiler, connection)
        # Most rows hold few of the lexemes: one test settles each lexeme a row lacks.
        case = (
            f"(CASE WHEN {vector} @@ %s::tsquery THEN (CASE WHEN {vector} @@ %s::tsquery "
            f"THEN {int(self.in_title)} ELSE {int(self.elsewhere)} END) ELSE 0 END)"
        )
        params: list[str] = []
        for word in self.lexemes:
            params += [lexeme(word), lexeme(word) + ":A"]
        return "(" + " + ".join([case] * len(self.lexemes)) + ")", tuple(params)


def padded_text_condition(terms: Sequence[Term], field: str = "search_padded") -> Q:
    """SQLite's match: every term is in ``field`` (the analysed columns joined, with a space
    at both ends) by its whole stem or by all of its compound parts."""
    condition = Q()
    for term in terms:
        alternatives = Q(**{f"{field}__contains": f" {term.whole} "})
        if term.parts:
            every_part = Q()
            for part in term.parts:
                every_part &= Q(**{f"{field}__contains": f" {part} "})
            alternatives |= every_part
        condition &= alternatives
    return condition
