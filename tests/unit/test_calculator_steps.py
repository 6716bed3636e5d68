"""Each step of the calculation, tested against the rule of rules.toml it applies, on both sides of its dates."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from omaliref.domain import calculator as calc
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError
from omaliref.domain.quantities import Quantity


def case(day, **kw):
    return Case("J2357", dt.date.fromisoformat(day), Quantity(Fraction(150), "mg"), **kw)


def use(catalog, ndc, count=1):
    return calc.ContainerUse(catalog.products[ndc], count)


def rule_day(catalog, rule_id, offset=0):
    """The rule's first day, shifted by `offset` days (-1 is the day before it is in force)."""
    return (catalog.rule(rule_id).effective_from + dt.timedelta(days=offset)).isoformat()


def test_count_units_applies_round_up_and_round_down(catalog):
    code = catalog.codes["J0490"]
    containers = (use(catalog, "49401-0102-01"), use(catalog, "49401-0101-01", 3))
    units, notes = calc.count_units(code, containers, Quantity(Fraction(735), "mg"))
    assert (units.administered, units.discarded) == (74, 2)
    assert notes.rules == ("units-round-up", "waste-round-down")


@pytest.mark.parametrize("offset, emitted", [(-1, False), (0, True)])
def test_jz_exists_from_its_first_day(catalog, offset, emitted):
    units = calc.Units(Fraction(30), 30, Fraction(0), 0)
    day = rule_day(catalog, "jz-optional", offset)
    _jw, jz, notes = calc.waste_modifiers(catalog, case(day), units, allowed=True)
    assert jz is emitted
    assert ("jz-optional" in notes.rules) is emitted


@pytest.mark.parametrize("offset, rules", [(-1, {"jz-optional"}), (0, {"jz-required"})])
def test_jz_becomes_required(catalog, offset, rules):
    units = calc.Units(Fraction(30), 30, Fraction(0), 0)
    _jw, jz, notes = calc.waste_modifiers(catalog, case(rule_day(catalog, "jz-required", offset)), units, True)
    assert jz and rules <= set(notes.rules)


@pytest.mark.parametrize("offset, returned", [(-1, False), (0, True)])
def test_claims_missing_jw_jz_are_returned_from_its_date(catalog, offset, returned):
    units = calc.Units(Fraction(30), 30, Fraction(0), 0)
    _jw, _jz, notes = calc.waste_modifiers(catalog, case(rule_day(catalog, "jw-jz-returned", offset)), units, True)
    assert ("jw-jz-returned" in notes.rules) is returned


@pytest.mark.parametrize("offset, required", [(-1, False), (0, True)])
def test_jw_required_from_its_date(catalog, offset, required):
    units = calc.Units(Fraction(150), 15, Fraction(75), 15)
    jw, jz, notes = calc.waste_modifiers(catalog, case(rule_day(catalog, "jw-required", offset)), units, True)
    assert jw and not jz
    assert ("jw-required" in notes.rules) is required
    assert "cap-labelled-contents" in notes.rules


def test_under_one_unit_of_waste_is_no_jw_line(catalog):
    units = calc.Units(Fraction(100), 1, Fraction(30), 0)
    jw, jz, notes = calc.waste_modifiers(catalog, case("2026-11-02"), units, True)
    assert not jw and jz and "jw-min-one-unit" in notes.rules


def test_other_payers_get_the_medicare_convention_with_a_warning(catalog):
    units = calc.Units(Fraction(30), 30, Fraction(0), 0)
    _jw, _jz, notes = calc.waste_modifiers(catalog, case("2026-11-02", payer="medicaid"), units, True)
    assert "jw-jz-other-payers" in notes.rules and notes.warnings[-1].level == "warning"


@pytest.mark.parametrize(
    "fields, allowed, rule",
    [
        ({"separately_payable": False}, False, "jw-jz-not-separately-payable"),
        ({}, True, None),
    ],
)
def test_waste_modifiers_allowed(catalog, fields, allowed, rule):
    ok, notes = calc.waste_modifiers_allowed(catalog, case("2026-11-02", **fields), (use(catalog, "50242-0215-01"),))
    assert ok is allowed
    assert (rule in notes.rules) if rule else not notes.rules


@pytest.mark.parametrize("offset, added", [(-1, ()), (0, ("TB",))])
def test_340b_modifier_from_its_date(catalog, offset, added):
    mods, _notes = calc.modifier_340b(catalog, case(rule_day(catalog, "modifier-340b", offset), modifier_340b="TB"))
    assert mods == added


def test_jg_is_accepted_through_its_end_date_and_refused_the_day_after(catalog):
    end = catalog.modifiers["JG"].effective_to
    assert end == dt.date(2024, 12, 31) and catalog.modifiers["JG"].replaced_by == ("TB",)
    mods, _notes = calc.modifier_340b(catalog, case(end.isoformat(), modifier_340b="JG"))
    assert mods == ("JG",)
    with pytest.raises(InputError, match=r"JG ended on 2024-12-31.*use TB"):
        calc.modifier_340b(catalog, case((end + dt.timedelta(days=1)).isoformat(), modifier_340b="JG"))


def test_340b_modifier_is_medicare_only(catalog):
    mods, notes = calc.modifier_340b(catalog, case("2026-11-02", payer="commercial", modifier_340b="TB"))
    assert mods == () and notes.warnings[0].rule == "modifier-340b"


@pytest.mark.parametrize("offset, added", [(-1, ()), (0, ("JA",))])
def test_route_modifier_from_its_date(catalog, offset, added):
    day = rule_day(catalog, "route-modifier-j0490", offset)
    mods, _ = calc.route_modifier(catalog, catalog.codes["J0490"], case(day), (use(catalog, "49401-0102-01"),))
    assert mods == added


def test_smallest_container_flags_a_larger_vial(catalog):
    code = catalog.codes["J2357"]
    better, notes = calc.smallest_container(
        catalog, code, Quantity(Fraction(75), "mg"), dt.date(2026, 11, 2), Fraction(75)
    )
    assert better and "smallest-container" in notes.rules


def test_ndc_notes_flag_a_syringe_unit_as_payer_specific(catalog):
    from omaliref.domain.payer import generic_profile

    notes = calc.ndc_notes(catalog, (use(catalog, "50242-0215-01"),), (), generic_profile("medicare"))
    assert "ndc-unit-syringe" in notes.rules


def test_route_facts_come_from_the_pack(catalog, tmp_path):
    """JA/JB and the administration code are the pack's rules.toml [[route]] records, not literals in the code."""
    from omaliref.data.pack import load_catalog
    from tests.fixtures.pack import pack_copy

    j0490, day = catalog.codes["J0490"], "2026-11-02"
    sc, iv = (use(catalog, "49401-0088-01"),), (use(catalog, "49401-0102-01"),)
    assert calc.route_modifier(catalog, j0490, case(day), sc)[0] == ("JB",)
    assert calc.admin_code(catalog, j0490, case(day), iv).startswith("96365 or 96413")
    root = pack_copy(tmp_path, "rules.toml", 'modifier = "JB"\n', "")
    edited = load_catalog(root)
    assert calc.route_modifier(edited, j0490, case(day), (use(edited, "49401-0088-01"),)) == ((), calc.Notes())
    root = pack_copy(tmp_path / "again", "rules.toml", 'admin_code = "96365 or 96413', 'admin_code = "96365 only')
    edited = load_catalog(root)
    assert calc.admin_code(edited, j0490, case(day), (use(edited, "49401-0102-01"),)).startswith("96365 only")
