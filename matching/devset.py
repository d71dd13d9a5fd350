"""Reading an evaluation set: listings (JSON lines: id, kind, category, title, description,
municipality code, tags) and graded judgements (JSON lines: {"query": id, "relevant":
{offer id: 2 or 1}}). A malformed line is named in the error, with what is wrong."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("request", "offer")
CATEGORIES = ("expertise", "service", "car", "space")


class InvalidSet(ValueError):
    pass


@dataclass(frozen=True)
class SetListing:
    id: str
    kind: str
    category: str
    title: str
    description: str
    municipality: str
    tags: tuple[str, ...]


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidSet(f"{path}: cannot be read ({exc.strerror})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidSet(f"{path}, line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InvalidSet(f"{path}, line {number}: not a JSON object")
        rows.append((number, row))
    return rows


def load_listings(path: Path) -> list[SetListing]:
    found: dict[str, SetListing] = {}
    for number, row in _lines(path):
        where = f"{path}, line {number}"
        try:
            listing = SetListing(
                id=str(row["id"]),
                kind=str(row["kind"]),
                category=str(row["category"]),
                title=str(row["title"]),
                description=str(row.get("description") or ""),
                municipality=str(row["municipality"]),
                tags=tuple(str(tag) for tag in row.get("tags") or ()),
            )
        except KeyError as exc:
            raise InvalidSet(f"{where}: the field {exc.args[0]!r} is missing") from exc
        if listing.kind not in KINDS:
            raise InvalidSet(f"{where}: kind must be one of {', '.join(KINDS)}")
        if listing.category not in CATEGORIES:
            raise InvalidSet(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        if listing.id in found:
            raise InvalidSet(f"{where}: the id {listing.id!r} is used twice")
        found[listing.id] = listing
    return list(found.values())


def load_qrels(path: Path, listings: list[SetListing] | None = None) -> dict[str, dict[str, int]]:
    known = {listing.id for listing in listings} if listings is not None else None
    qrels: dict[str, dict[str, int]] = {}
    for number, row in _lines(path):
        where = f"{path}, line {number}"
        query, relevant = row.get("query"), row.get("relevant")
        if not isinstance(query, str) or not isinstance(relevant, dict):
            raise InvalidSet(f'{where}: expected {{"query": id, "relevant": {{id: grade}}}}')
        grades = {}
        for offer, grade in relevant.items():
            if grade not in (1, 2):
                raise InvalidSet(f"{where}: the grade of {offer!r} must be 1 or 2")
            grades[str(offer)] = int(grade)
        if known is not None and (unknown := ({query} | set(grades)) - known):
            raise InvalidSet(f"{where}: not in the listings: {', '.join(sorted(unknown))}")
        qrels[query] = grades
    return qrels
