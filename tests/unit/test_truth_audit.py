"""The truth-audit findings that the data pack and the calculator must keep fixed (one test or more each)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omaliref.data.pack import load_catalog
from omaliref.domain.calculator import calculate
from omaliref.domain.case import Case, case_from_input
from omaliref.domain.errors import InputError, PackError
from omaliref.domain.quantities import Quantity
from tests.conftest import TODAY
from tests.fixtures.pack import pack_copy

CODES_WITH_PACKAGES = ("J2357", "Q5154", "J2182", "J0490", "J0561", "J7402")


# --- finding 6: no unverified package on a claim by itself ---------------------------------------------------


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_calculator_chooses_only_verified_packages(catalog, data):
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
    case = case_from_input(code="J2357", today=TODAY, dose="150mg", containers=["50242-0215-83"])
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
