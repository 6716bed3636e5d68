"""Search finds what a coder types: codes in any spelling, NDCs, names, typos, topic words, any word order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omaliref.domain.search import SearchIndex


@pytest.fixture(scope="module")
def index(catalog):
    return SearchIndex.from_catalog(catalog)


def ids(index, query, n=3):
    return [h.entry.id for h in index.search(query, n)]


@pytest.mark.parametrize("query", ["J2357", "j2357", "J-2357", "2357", " j2357 "])
def test_code_spellings_rank_the_code_first(index, query):
    assert ids(index, query, 1) == ["J2357"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("xolair", "J2357"),
        ("omalizumab", "J2357"),
        ("Omlyclo", "Q5154"),
        ("Nucala", "J2182"),
        ("Benlysta", "J0490"),
        ("Bicillin L-A", "J0561"),
        ("Bicillin C-R", "J0558"),
        ("Sinuva", "J7402"),
        ("jw", "JW"),
        ("jz", "JZ"),
        ("JG", "JG"),
        ("tb", "TB"),
    ],
)
def test_names_and_modifiers(index, query, expected):
    assert ids(index, query, 1) == [expected]


@pytest.mark.parametrize("query", ["50242021501", "50242-0215-01", "50242-215-01", "5024221501"])
def test_ndc_with_or_without_dashes_10_or_11_digits(index, query):
    assert ids(index, query, 1) == ["50242-0215-01"]


@pytest.mark.parametrize(
    "query, expected", [("omalizumb", "J2357"), ("xoliar", "J2357"), ("nucalla", "J2182"), ("mepolizumab", "J2182")]
)
def test_typos_find_the_drug(index, query, expected):
    assert expected in ids(index, query, 3)


def test_prefix_as_you_type(index):
    assert ids(index, "omal", 1) == ["J2357"]
    assert "J2357" in ids(index, "xol", 3)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("waste", "discarded-drug-policy"),
        ("340B", "340b-modifiers"),
        ("prior authorization", "j2357-commercial"),
        ("anaphylaxis", "j2357-clinical-context"),
    ],
)
def test_topic_words(index, query, expected):
    assert expected in ids(index, query, 3)


def test_multi_word_any_order(index):
    assert ids(index, "omalizumab vial", 3) == ids(index, "vial omalizumab", 3)
    assert "50242-0040-62" in ids(index, "vial omalizumab", 3)


def test_j7402_with_omalizumab_ranks_j7402_first_with_alert_to_j2357(index):
    hits = index.search("J7402 omalizumab", 5)
    assert hits[0].entry.id == "J7402"
    assert any("J2357" in a for a in hits[0].alerts)


def test_hits_say_why_they_matched(index):
    hit = index.search("omalizumb", 1)[0]
    assert any("omalizumab" in r for r in hit.reasons)


def test_exact_code_beats_name_and_text(index):
    hits = index.search("J2182", 5)
    assert hits[0].entry.id == "J2182" and hits[0].entry.kind == "code"


def test_empty_and_junk_queries(index):
    assert index.search("", 5) == []
    assert index.search("   ", 5) == []
    assert index.search("!!!", 5) == []
    assert index.search("x" * 10_000, 5) == []
    assert index.search("xolair " * 2_000, 5)[0].entry.id == "J2357"  # a long paste still finds its word


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=80))
def test_search_never_raises_on_arbitrary_unicode(index, text):  # slow (tests/conftest.py)
    for hit in index.search(text, 5):
        assert hit.entry.kind in ("code", "modifier", "product", "topic")


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_search_never_raises_on_arbitrary_unicode_on_a_sample(index, text):
    """The same on fewer texts, for the fast set."""
    for hit in index.search(text, 5):
        assert hit.entry.kind in ("code", "modifier", "product", "topic")
