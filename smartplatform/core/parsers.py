"""Request body parsing that refuses what the database could not store."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from smartplatform.core.errors import InvalidCharacters

# Deeper JSON is refused: Python's JSON decoder and encoder recurse, so a few hundred
# levels (a few kilobytes of "[") would otherwise end in a RecursionError, a 500.
MAX_DEPTH = 100


def find_unstorable_text(value: Any) -> bool:
    """Whether a parsed JSON value holds a string PostgreSQL cannot store as text.

    NUL characters are refused by PostgreSQL's text types, and lone surrogates (``"\\ud800"``)
    cannot be encoded as UTF-8 at all; both would otherwise surface as a 500 deep in a save.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0, ``[]`` is 1)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = _("JSON parse error - nested more than %(max)d levels deep.") % {
            "max": MAX_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(too_deep) from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(too_deep)
        if find_unstorable_text(data):
            raise InvalidCharacters()
        return data
