"""Request body parsing that refuses what the database could not store."""

from typing import Any

from rest_framework.parsers import JSONParser

from smartplatform.core.errors import InvalidCharacters


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


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if find_unstorable_text(data):
            raise InvalidCharacters()
        return data
