"""The truth-audit findings that the data pack and the calculator must keep fixed (one test or more each)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omaliref.data.pack import load_catalog
from omaliref.domain.calculator import calculate
from omaliref.domain.case import Case, CaseInput, case_from_input
from omaliref.domain.errors import InputError, PackError
from omaliref.domain.quantities import Quantity
from tests.conftest import TODAY
from tests.fixtures.pack import pack_copy

CODES_WITH_PACKAGES = ("J2357", "Q5154", "J2182", "J0490", "J0561", "J7402")


# --- finding 6: no unverified package on a claim by itself ---------------------------------------------------


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_calculator_chooses_only_verified_packages(catalog, data):  # slow (tests/conftest.py)
    check_only_verified_packages(catalog, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_calculator_chooses_only_verified_packages_on_a_sample(catalog, data):
    """The same on fewer cases, for the fast set."""
    check_only_verified_packages(catalog, data)


def check_only_verified_packages(catalog, data):
    code = catalog.codes[data.draw(st.sampled_from(CODES_WITH_PACKAGES))]
    unit = code.billing_unit.unit
    high = (
        code.max_single_dose.quantity.to(unit).amount
        if code.max_single_dose
        else Fraction(4000) * code.billing_unit.amount
    )
    dose = Fraction(data.draw(st.integers(1, 1000)), 1000) * high
    day = data.draw(st.dates(dt.date(2016, 1, 1), TODAY))
    try:
        result = calculate(catalog, Case(code.code, day, Quantity(dose, unit)))
    except InputError as exc:
        assert str(exc)
        return
    assert result.auto_selected
    assert all(c.product.verified for c in result.containers), [c.product.ndc for c in result.containers]


def test_a_named_unverified_package_carries_a_warning(catalog):
    case = case_from_input(CaseInput(code="J2357", dose="150mg", containers=("50242-0215-83",)), TODAY)
    result = calculate(catalog, case)
    assert any(w.level == "warning" and "not a verified package" in w.message for w in result.warnings)


def test_the_pack_refuses_auto_select_on_an_unverified_package(tmp_path):
    old = "marketing_start = 2016-06-17\npresentation_verified = true\nauto_select = false"
    new = old.replace(
        "presentation_verified = true\nauto_select = false", "presentation_verified = false\nauto_select = true"
    )
    with pytest.raises(PackError) as info:
        load_catalog(pack_copy(tmp_path, "products.toml", old, new))
    assert info.value.field == "auto_select" and "00173-0881-61" in info.value.record


def test_bicillin_ndcs_are_confirmed_by_the_cms_crosswalk(catalog):
    for ndc, units in (("60793-0700-10", 6), ("60793-0702-10", 24)):
        product = catalog.products[ndc]
        assert product.verified and "cms-crosswalk-2024Q1" in product.provenance.sources
        assert product.container_amount.to("units").amount / 100_000 == units


# --- finding 4: text views show what the JSON says ------------------------------------------------------------


def test_every_modifier_text_shows_its_note_dates_and_confidence(catalog):
    from omaliref.report import as_json, as_text

    for modifier in catalog.modifiers.values():
        data = as_json.modifier(catalog, modifier)
        text = as_text.entry(data)
        assert f"Confidence {data['confidence']}" in text, modifier.code
        for key in ("status_note", "effective_from", "required_from"):
            if data[key]:
                assert data[key] in text, (modifier.code, key)


def test_every_code_text_shows_unverified_flags_and_section_confidence(catalog):
    from omaliref.report import as_json, as_text

    for code in catalog.codes.values():
        data = as_json.code(catalog, code)
        text = as_text.entry(data)
        assert f"confidence {data['confidence']}" in text
        assert ("descriptor NOT VERIFIED" in text) is not data["descriptor_verified"]
        assert ("(NOT VERIFIED)" in text) is not data["unit_verified"]
        for section in data["sections"]:
            assert f"{section['title']}  ({section['confidence']} confidence" in text
        for note in data["notes"]:
            assert note in text


# --- findings 9, 10, 11, 13: scoped statements ------------------------------------------------------------------


def _checklist_ids(catalog, **fields):
    from omaliref.domain.outcome import evaluate

    case = case_from_input(CaseInput(code="J2357", **fields), TODAY)
    return {a.item.id: a for a in evaluate(catalog, case).checklist.items}


def test_ngs_article_is_conditional_on_the_mac_being_ngs(catalog):
    item = _checklist_ids(catalog, payer="medicare")["dx-ngs-a52448"]  # no MAC named
    assert item.conditional and item.condition == "if your MAC is NGS" and item.item.text.startswith("NGS")


def test_step_therapy_is_not_an_original_medicare_item(catalog):
    assert "step-therapy" not in _checklist_ids(catalog, payer="medicare")
    item = _checklist_ids(catalog, payer="commercial")["step-therapy"]
    assert "Medicare Advantage" in item.item.text and "Original Medicare has no step therapy" in item.item.text


def test_refund_percentage_is_at_least_ten_percent(catalog):
    body = catalog.topics["discarded-drug-policy"].body
    assert "at least 10%" in body and "above 10% of allowed" not in body


def test_imported_bicillin_substitutes_are_scoped_to_nc_medicaid(catalog):
    j0561 = catalog.codes["J0561"]
    assert j0561.brands == ("Bicillin L-A",)
    assert any("NC Medicaid only" in note and "2025-08-01" in note for note in j0561.notes)


# --- finding 15: stale data is never silent --------------------------------------------------------------------


def test_a_new_quarter_after_the_pack_date_makes_the_pack_stale():
    from omaliref.domain.freshness import freshness

    as_of = dt.date(2026, 11, 27)
    same_quarter = freshness(as_of, dt.date(2026, 12, 31))
    assert not same_quarter.stale and same_quarter.age_text == "34 days old" and same_quarter.banner == ""
    next_quarter = freshness(as_of, dt.date(2027, 1, 2))
    assert next_quarter.stale and "2027Q1" in next_quarter.banner and "import" in next_quarter.banner
    assert not freshness(as_of, dt.date(2027, 1, 2), imported_quarters=["2027Q1"]).stale
