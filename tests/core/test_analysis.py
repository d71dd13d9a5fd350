"""The one Swedish analyser: what a searcher types must meet what an author wrote."""

import pytest

from smartplatform.core import analysis


def stems(text: str) -> set[str]:
    return set(analysis.index_text(text).split())


def finds(query: str, document: str) -> bool:
    held = stems(document)
    terms = analysis.query_terms(query)
    return bool(terms) and all(analysis.matches(term, held) for term in terms)


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("detaljplanen", "Vi digitaliserade alla detaljplaner"),
        ("detaljplanerna", "en detaljplan för centrum"),
        ("skolan", "mat i skolor"),
        ("projektet", "ett projekt"),
        ("samhället", "ett smartare samhälle"),
        ("tvillingen", "digitala tvillingar"),
    ],
)
def test_inflected_forms_meet_their_base_form(query: str, document: str) -> None:
    assert finds(query, document)


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("planer", "digitaliserade detaljplaner"),
        ("omsorg", "välfärdsteknik i äldreomsorgen"),
        ("klippning", "hjälp med gräsklippning"),
        ("matsvinn", "vi mätte svinnet av mat i skolan"),
        ("matsvinnet", "halverat matsvinn"),
        ("trygghet vandring", "trygghetsvandringar i centrum"),
    ],
)
def test_compounds_meet_their_parts_both_ways(query: str, document: str) -> None:
    assert finds(query, document)


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("hoganas", "Höganäs kommun"),
        ("tradgard", "trädgården"),
        ("aldreomsorg", "äldreomsorgen"),
        ("HÖGANÄS", "hoganas"),
        ("Malmö", "malmo"),
    ],
)
def test_letters_without_their_dots_and_rings_still_match(query: str, document: str) -> None:
    assert finds(query, document)


def test_unrelated_words_do_not_match() -> None:
    assert not finds("tvilling", "digital medborgardialog")
    assert not finds("kommun", "kommunikation med invånarna")
    assert not finds("hög", "Höganäs kommun")


def test_stop_words_are_not_search_terms() -> None:
    assert analysis.query_terms("och i för") == []
    assert [t.whole for t in analysis.query_terms("tvilling i Höganäs")] == ["tvilling", "hogan"]


def test_names_and_numbers_stay_as_written() -> None:
    assert stems("H22 och 3D-modell") >= {"h22", "3d", "modell"}


def test_tsquery_requires_every_term_and_accepts_a_compound_by_its_parts() -> None:
    terms = analysis.query_terms("detaljplaner Höganäs")
    assert analysis.tsquery(terms) == "('detaljplan' | ('detalj' & 'plan')) & 'hogan'"


def test_tsquery_quotes_what_postgresql_would_read_as_syntax() -> None:
    assert analysis.tsquery([analysis.Term("it's")]) == "'it''s'"
