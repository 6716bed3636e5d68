"""The calculator pane's field helpers: what the Containers text becomes, what the 340B box offers by date, and what
is said beside the single-dose and payer boxes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from omaliref.data.library import Library
from omaliref.ui.calculator_fields import (
    SINGLE_DOSE_NO_NDC,
    named_ndcs,
    offered_340b,
    profile_note,
    single_dose_text,
    with_one_more,
)


def test_a_second_pick_of_the_same_ndc_counts_it_twice_whatever_its_dashes():
    assert with_one_more("", "50242-0040-62") == "50242-0040-62x1"
    assert with_one_more("50242004062x1", "50242-0040-62") == "50242004062x2"
    assert with_one_more("50242-0040-62x1", "50242-0215-01") == "50242-0040-62x1, 50242-0215-01x1"


def test_a_containers_text_that_does_not_parse_keeps_its_text_and_names_nothing():
    assert with_one_more("50242-0040-62xx", "50242-0215-01") == "50242-0040-62xx, 50242-0215-01x1"
    assert named_ndcs("50242-0040-62xx") == []
    assert named_ndcs("50242-0040-62x2, 50242-0215-01x1") == ["50242-0040-62", "50242-0215-01"]


def test_the_single_dose_box_speaks_for_the_ndcs_named():
    assert single_dose_text([]) == SINGLE_DOSE_NO_NDC
    assert single_dose_text(["A", "B"]) == "Label of A and B says single-&dose"
    assert single_dose_text(["A", "B", "C"]) == "Labels of the 3 NDCs named say single-&dose"


def test_jg_is_offered_through_2024_and_kept_marked_ended_only_when_chosen(catalog):
    modifiers = Library(catalog).dated_modifiers()
    before = [code for code, _label in offered_340b(modifiers, dt.date(2024, 6, 1), "")]
    after = offered_340b(modifiers, dt.date(2026, 6, 1), "")
    assert "JG" in before and "JG" not in [code for code, _label in after]
    kept = dict(offered_340b(modifiers, dt.date(2026, 6, 1), "JG"))
    assert kept["JG"] == "JG — not valid on 2026-06-01 (ended 2024-12-31)"


def test_a_sample_profile_says_so_with_its_sources_dates(catalog):
    library = Library(catalog)
    sample = next(p for p in library.profiles.by_id.values() if p.sample)
    note = profile_note(sample, library.known_sources(sample.sources))
    assert note.startswith("⚠ Sample profile: confirm with the payer before relying on it.")
    assert profile_note(replace(sample, sample=False, replaces=""), ()) == ""
