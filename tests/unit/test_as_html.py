"""The audit sheet is a function of the outcome alone: an imported code's sheet names the CMS files its facts came
from, whichever catalog the caller still hands in (the window handed in the curated one and lost them)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from omaliref.data.library import Library
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.report.as_html import audit_sheet, empty_sheet, outcome_sheet
from tests.fixtures.cms import quarter_zips

MADE = dt.datetime(2027, 2, 1, 9, 30)
CMS_FILES = {"cms-hcpcs-2027Q1", "cms-asp-2027Q1", "cms-crosswalk-2027Q1", "cms-mue-practitioner-2027Q1"}


@pytest.fixture
def imported(isolated_state, tmp_path):
    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    yield library
    library.close()


def j0001(library):
    case = case_from_input(
        CaseInput(
            code="J0001", dose="25mg", containers=("99999-0001-10",), date="2027-02-01", single_dose_confirmed=True
        ),
        dt.date(2027, 2, 1),
    )
    return library.evaluate(case)


def listed_sources(html):
    return set(re.findall(r"<li>(cms-[A-Za-z0-9-]+) — ", html[html.index("<h3>Sources</h3>") :]))


def test_the_outcome_carries_the_catalog_it_was_computed_against(imported):
    outcome = j0001(imported)
    assert "J0001" in outcome.catalog.codes and "J0001" not in imported.catalog.codes
    assert set(outcome.source_ids) >= CMS_FILES
    assert {s.id for s in outcome.sources} >= CMS_FILES
    assert [rule.id for rule in outcome.rules_applied] == list(outcome.calculation.rules)
    assert all(rule.title for rule in outcome.rules_applied) and outcome.claim_form == "cms1500"


def test_the_audit_sheet_of_an_imported_code_lists_its_cms_files(imported):
    outcome = j0001(imported)
    sheet = outcome_sheet(outcome, (), made_at=MADE, app_version="test")
    assert listed_sources(sheet) >= CMS_FILES
    assert "HCPC2027_JAN_ANWEB" in sheet and "CMS quarter 2027Q1" in sheet
    # the window's call: the curated catalog beside the outcome; the outcome's own catalog wins
    assert audit_sheet(imported.catalog, outcome, (), made_at=MADE, app_version="test") == sheet
    assert audit_sheet(None, outcome, (), made_at=MADE, app_version="test") == sheet


def test_a_curated_code_keeps_its_sheet_and_a_stale_one_lists_no_sources(catalog):
    case = case_from_input(CaseInput(code="J2357", dose="375mg", date="2026-11-27"), dt.date(2026, 11, 27))
    outcome = Library(catalog).evaluate(case)
    sheet = outcome_sheet(outcome, (), made_at=MADE, app_version="test")
    assert "<h3>Rules applied</h3><ul><li>" in sheet and "<h3>Sources</h3><ul><li>" in sheet
    assert f"Data pack {catalog.info.version}" in sheet
    stale = outcome_sheet(outcome, (), made_at=MADE, app_version="test", stale=True)
    assert "No valid calculation" in stale and "<h3>Sources</h3><ul></ul>" in stale


def test_without_a_case_the_sheet_is_dated_by_the_catalog(catalog):
    sheet = audit_sheet(catalog, None, (), made_at=MADE, app_version="test")
    assert sheet == empty_sheet(catalog.info, made_at=MADE, app_version="test") and "No case." in sheet
    with pytest.raises(ValueError):
        audit_sheet(None, None, (), made_at=MADE, app_version="test")
