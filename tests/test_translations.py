"""The compiled catalogues (.mo) are committed; they must say what the sources (.po) say."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_swedish_and_english_catalogues_exist():
    assert {po.parts[-3] for po in CATALOGUES} == {"sv", "en"}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_is_up_to_date(po, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "-o", str(compiled), str(po)],  # noqa: S607
        check=True,
    )
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        "run `make messages` and commit the .mo files"
    )


def test_every_swedish_message_is_translated():
    text = (LOCALE / "sv/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first entry is the header
    untranslated = [entry for entry in entries if _untranslated(entry)]
    assert untranslated == []


def _untranslated(entry: str) -> bool:
    if "#, fuzzy" in entry:
        return True
    lines = entry.strip().splitlines()
    for number, line in enumerate(lines):
        # An empty msgstr (or plural form) with no continuation line after it.
        if re.fullmatch(r'msgstr(\[\d+\])? ""', line):
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if not following.startswith('"'):
                return True
    return False


def _all_subclasses(cls: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def test_every_domain_error_speaks_swedish_and_english():
    from django.utils import translation

    import smartplatform.core.idempotency  # noqa: F401  (defines error classes)
    from smartplatform.core.errors import DomainError

    errors = [cls for cls in _all_subclasses(DomainError) if cls.__module__.startswith("smart")]
    assert len(errors) >= 10
    for cls in errors:
        with translation.override("en"):
            english = str(cls.default_message)
        with translation.override("sv"):
            swedish = str(cls.default_message)
        assert swedish != english, f"{cls.__name__} has no Swedish message"
