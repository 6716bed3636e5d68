"""The calculator against the worked examples of codes-and-rules.md §3, the products file's arithmetic, the
date rules, bad input, line checks and plausibility (generated cases: test_calculator_properties.py)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from omaliref.domain.calculator import calculate, check_line
from omaliref.domain.case import Case, CaseInput, case_from_input, parse_date
from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.outcome import evaluate
from omaliref.domain.quantities import Quantity
from tests.conftest import TODAY


def calc(catalog, code, dose, *packages, date=None, payer="medicare", separately_payable=True, m340b=""):
    raw = CaseInput(code, dose, packages, date or "", payer, separately_payable=separately_payable, modifier_340b=m340b)
    return calculate(catalog, case_from_input(raw, TODAY))


def line_check(catalog, code, dose, units, packages=()):
    case = case_from_input(
        CaseInput(code=code, dose=dose, containers=tuple(f"{n}x{c}" for n, c in packages), units=str(units)), TODAY
    )
    result = check_line(catalog, case)
    return result.ok, result.correct_units, result.reasons


def lines(result):
    return [(l.code, l.modifiers, l.units) for l in result.lines]


# --- worked examples (codes-and-rules.md §3) -------------------------------------------------------------


def test_example_1_whole_syringes_no_waste(catalog):
    r = calc(catalog, "J2357", "375mg", "50242-0227-01", "50242-0214-01")
    # 75 units with JZ, one line per NDC (an 837 line carries one NDC): 60 from the 300 mg, 15 from the 75 mg
    assert lines(r) == [("J2357", ("JZ",), 60), ("J2357", ("JZ",), 15)]
    assert r.total_billed_units == 75


def test_example_1_auto_selection_chooses_300_plus_75(catalog):
    r = calc(catalog, "J2357", "375mg")
    assert lines(r) == [("J2357", ("JZ",), 60), ("J2357", ("JZ",), 15)]
    assert sorted(c.product.container_amount.amount for c in r.containers) == [75, 300]
    assert r.auto_selected


def test_example_2_vial_partial_use(catalog):
    r = calc(catalog, "J2357", "75mg", "50242-0040-62")
    assert lines(r) == [("J2357", (), 15), ("J2357", ("JW",), 15)]
    assert r.total_billed_units == 30
    assert r.larger_container_than_needed  # a 75 mg syringe exists (smallest-container rule)
    assert any(w.rule == "smallest-container" for w in r.warnings)


def test_example_3_belimumab_rounding(catalog):
    r = calc(catalog, "J0490", "735mg", "49401-0102-01", "49401-0101-01x3")
    # 74 administered (73.5 rounded up once for the dose) and 2 JW, split by NDC: the 400 mg vial gives 40 units,
    # the 120 mg vials the other 34, and the 25 mg left in a 120 mg vial is the JW line with that vial's NDC.
    assert lines(r) == [("J0490", ("JA",), 40), ("J0490", ("JA",), 34), ("J0490", ("JW", "JA"), 2)]
    assert [line.ndc for line in r.lines] == ["49401-0102-01", "49401-0101-01", "49401-0101-01"]
    assert r.administered_units == 74 and r.total_billed_units == 76 and r.labelled_contents.amount == 760
    assert "waste-round-down" in r.rules and "route-modifier-j0490" in r.rules


def test_example_3_auto_picks_smallest_vial_combination(catalog):
    r = calc(catalog, "J0490", "735mg")
    assert sorted((c.product.container_amount.amount, c.count) for c in r.containers) == [(120, 3), (400, 1)]


def test_example_4_cgs_305mg_from_400mg_vial(catalog):
    r = calc(catalog, "J0490", "305mg", "49401-0102-01")
    assert [(l.modifiers[0] if l.modifiers and l.modifiers[0] == "JW" else "", l.units) for l in r.lines] == [
        ("", 31),
        ("JW", 9),
    ]


def test_example_5_waste_below_one_unit_gets_jz_and_no_jw(catalog):
    # J0561: 1 unit = 100,000 units; 1,150,000 units from a 1.2 MU syringe leaves 0.5 unit of waste
    r = calc(catalog, "J0561", "1150000units", "60793-0701-10")
    assert lines(r) == [("J0561", ("JZ",), 12)]
    assert "jw-min-one-unit" in r.rules


# --- arithmetic in products-and-dosing.md ------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, dose, packages, expected",
    [
        ("J2357", "150mg", ["50242-0215-01"], [("J2357", ("JZ",), 30)]),
        ("J2182", "40mg", ["00173-0881-01"], [("J2182", (), 40), ("J2182", ("JW",), 60)]),
        (
            "J0490",
            "700mg",
            ["49401-0102-01", "49401-0101-01x3"],
            [("J0490", ("JA",), 40), ("J0490", ("JA",), 30), ("J0490", ("JW", "JA"), 6)],
        ),
        ("J7402", "1implant", [], [("J7402", ("JZ",), 135)]),
        ("J7402", "2implants", [], [("J7402", ("JZ",), 270)]),
        ("J7402", "1350mcg", ["10599-0003-01"], [("J7402", ("JZ",), 135)]),
        ("J0561", "2.4MU", [], [("J0561", ("JZ",), 24)]),
        ("J0561", "2400000units", ["60793-0702-10"], [("J0561", ("JZ",), 24)]),
        ("J2357", "225mg", ["50242-0040-62x2"], [("J2357", (), 45), ("J2357", ("JW",), 15)]),
        ("J2357", "600mg", [], [("J2357", ("JZ",), 120)]),
    ],
)
def test_products_file_arithmetic(catalog, code, dose, packages, expected):
    assert lines(calc(catalog, code, dose, *packages)) == expected


def test_ndc_quantity_and_unit(catalog):
    r = calc(catalog, "J2357", "150mg", "50242-0215-01")
    line = r.lines[0]
    assert (line.ndc, line.ndc_unit, line.ndc_quantity) == ("50242-0215-01", "ML", 1)
    assert line.keyed_text().startswith("J2357-JZ x 30 units  NDC N450242021501 ML1")
    vial = calc(catalog, "J2357", "75mg", "50242-0040-62")
    assert [(l.ndc_unit, l.ndc_quantity) for l in vial.lines] == [("UN", Fraction(1, 2)), ("UN", Fraction(1, 2))]


def test_two_ndcs_are_two_lines_each_with_one_ndc(catalog):
    r = calc(catalog, "J2357", "375mg")
    assert [line.ndc for line in r.lines] == ["50242-0227-01", "50242-0214-01"]
    assert all(len(line.ndc_parts) == 1 for line in r.lines)


def test_admin_code_suggestion(catalog):
    assert calc(catalog, "J2357", "150mg").admin_code_suggestion.startswith("96372")
    assert "96365" in calc(catalog, "J0490", "400mg").admin_code_suggestion


# --- dates, payers, 340B -----------------------------------------------------------------------------------


def test_no_jz_before_2023(catalog):
    r = calc(catalog, "J2357", "150mg", date="2022-12-31")
    assert lines(r) == [("J2357", (), 30)]
    assert any("did not exist" in w.message for w in r.warnings)


def test_jz_optional_in_first_half_of_2023(catalog):
    r = calc(catalog, "J2357", "150mg", date="2023-03-01")
    assert lines(r) == [("J2357", ("JZ",), 30)] and "jz-optional" in r.rules
    assert "jz-required" in calc(catalog, "J2357", "150mg", date="2023-07-01").rules


def test_jw_before_2017_is_mac_dependent(catalog):
    r = calc(catalog, "J2357", "75mg", "50242-0040-62", date="2016-06-01")
    assert lines(r)[1] == ("J2357", ("JW",), 15)
    assert any("MAC" in w.message for w in r.warnings)


def test_not_separately_payable_has_no_jw_or_jz(catalog):
    r = calc(catalog, "J2357", "75mg", "50242-0040-62", separately_payable=False)
    assert lines(r) == [("J2357", (), 15)]


def test_jg_ended_2024_is_refused_naming_tb(catalog):
    with pytest.raises(InputError, match=r"JG ended on 2024-12-31 \(CMS HCPCS 2025Q4\); for 2026-06-01 use TB") as err:
        calc(catalog, "J2357", "150mg", m340b="JG", date="2026-06-01")
    assert err.value.field == "340b"
    r = calc(catalog, "J2357", "150mg", m340b="JG", date="2024-06-01")
    assert lines(r) == [("J2357", ("JZ", "JG"), 30)] and "modifier-340b" in r.rules
    tb = calc(catalog, "J2357", "150mg", m340b="TB", date="2026-06-01")
    assert lines(tb) == [("J2357", ("JZ", "TB"), 30)]
    old = calc(catalog, "J2357", "150mg", m340b="JG", date="2017-06-01")
    assert lines(old) == [("J2357", (), 30)]
    commercial = calc(catalog, "J2357", "150mg", m340b="JG", payer="commercial")
    assert "JG" not in commercial.lines[0].modifiers


def test_commercial_payer_warns_rules_vary(catalog):
    r = calc(catalog, "J2357", "150mg", payer="commercial")
    assert "jw-jz-other-payers" in r.rules


def test_belimumab_sc_gets_jb_and_self_admin_warning(catalog):
    r = calc(catalog, "J0490", "200mg", "49401-0088-01")
    assert "JB" in r.lines[0].modifiers
    (sad,) = [w.message for w in r.warnings if "self-administered" in w.message]
    # only Noridian's list is confirmed: the warning names it and does not speak for every MAC (truth audit #14)
    assert "Noridian" in sad and "not confirmed" in sad and "Medicare MACs list" not in sad


def test_unknown_single_dose_status_means_no_jw_jz(catalog):
    r = calc(catalog, "J0561", "1200000units", "84383-0110-01")
    assert lines(r) == [("J0561", (), 12)]
    assert any("not established" in w.message for w in r.warnings)


def test_q5154_gives_lines_with_a_no_payment_limit_warning(catalog):
    r = evaluate(
        catalog, Case("Q5154", dose=Quantity(Fraction(300), "mg"), date_of_service=dt.date(2026, 11, 1))
    ).calculation
    assert r is not None and lines(r) == [("Q5154", ("JZ",), 60)]
    assert not any("NOT verified" in w.message for w in r.warnings)
    assert any(w.level == "warning" and "no Medicare payment limit yet" in w.message for w in r.warnings)


def test_omlyclo_not_offered_before_marketing_start(catalog):
    with pytest.raises(InputError, match="no packages"):
        calc(catalog, "Q5154", "300mg", date="2026-01-15")


def test_replaced_code_after_its_end(catalog):
    with pytest.raises(InputError, match="J7402"):
        calc(catalog, "J7401", "1350mcg", date="2022-01-01")


# --- look-alikes and bad input -----------------------------------------------------------------------------


def test_j7402_with_an_omalizumab_dose_points_to_j2357(catalog):
    with pytest.raises(LookalikeError) as info:
        calc(catalog, "J7402", "375mg")
    assert info.value.points_to == "J2357"


def test_lookalike_code_with_xolair_ndc_points_to_j2357(catalog):
    for code in ("J2355", "J2356"):
        with pytest.raises(LookalikeError) as info:
            calc(catalog, code, "150mg", "50242-0215-01")
        assert info.value.points_to == "J2357"


def test_j2355_without_packages_says_it_is_not_omalizumab(catalog):
    with pytest.raises(InputError, match="J2357"):
        calc(catalog, "J2355", "150mg")


@pytest.mark.parametrize(
    "code, dose, packages, fragment",
    [
        ("J2357", "0mg", [], "greater than zero"),
        ("J2357", "-150mg", [], "greater than zero"),
        ("J2357", "nan", [], "not a number"),
        ("J2357", "inf mg", [], "not a number"),
        ("J2357", "abc", [], "not a dose unit"),
        ("J2357", "1,5mg", [], "decimal point"),
        ("J2357", "150", [], "no unit"),
        ("J2357", "", [], "empty"),
        ("J2357", "2400000units", [], "does not fit"),
        ("J2357", "10000mg", [], "far above"),
        ("J2357", "450mg", ["50242-0215-01"], "less than"),
        ("J2182", "100mg", ["50242-0215-01"], "not J2182"),
        ("J2357", "150mg", ["50242-0215-01x0"], "at least 1"),
        ("J2357", "150mg", ["50242-0215-01x10000"], "more than"),
        ("J2357", "150mg", ["12345-6789-01"], "not in the data pack"),
        ("J2357", "150mg", ["123"], "not an NDC"),
        ("Z9999", "150mg", [], "not a code"),
        ("J2357", "１５０mg", [], "non-ASCII"),
        ("J2357", "150\x00mg", [], "control"),
    ],
)
def test_bad_input_is_a_sentence(catalog, code, dose, packages, fragment):
    with pytest.raises(InputError) as info:
        calc(catalog, code, dose, *packages)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "typed",
    ["0242-0215-01", "50242-0251-01", "50242-0215-00"],  # a digit left out, two swapped, one wrong
)
def test_a_mistyped_ndc_gets_a_did_you_mean(catalog, typed):
    with pytest.raises(InputError) as info:
        calc(catalog, "J2357", "150mg", typed)
    assert str(info.value).startswith(f"NDC {typed} is not in the data pack. Did you mean 50242-0215-01 (Xolair")


def test_an_ndc_far_from_any_gets_no_guess(catalog):
    with pytest.raises(InputError) as info:
        calc(catalog, "J2357", "150mg", "12345-6789-01")
    assert str(info.value) == "NDC 12345-6789-01 is not in the data pack."


@pytest.mark.parametrize("text", ["2026-02-30", "27/11/2026", "tomorrow", ""])
def test_impossible_dates(text):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_date(text)


def test_far_future_and_ancient_dates(catalog):
    with pytest.raises(InputError, match="future"):
        calc(catalog, "J2357", "150mg", date="2099-01-01")
    with pytest.raises(InputError, match="before"):
        calc(catalog, "J2357", "150mg", date="1990-01-01")


# --- check my line -----------------------------------------------------------------------------------------


def test_check_line_mg_keyed_as_units(catalog):
    ok, correct, reasons = line_check(catalog, "J2357", "150mg", 150)
    assert not ok and correct == 30 and "keyed as units" in reasons[0]


def test_check_line_correct(catalog):
    ok, correct, _ = line_check(catalog, "J2357", "375mg", 75)
    assert ok and correct == 75


def test_check_line_unit_size_confusion(catalog):
    # 2.4 MU of penicillin G benzathine is 24 units of 100,000 (J0561); 240 is ten times that
    ok, correct, reasons = line_check(catalog, "J0561", "2.4MU", 240)
    assert not ok and correct == 24 and any("10 times" in r for r in reasons)


def test_check_line_above_containers(catalog):
    ok, _, reasons = line_check(catalog, "J2357", "150mg", 60, (("50242-0215-01", 1),))
    assert not ok and any("more than the containers opened" in r for r in reasons)


# --- plausibility: the lower bound, with a suggestion, and future dates ------------------------------------------


def test_a_dose_far_below_the_smallest_label_dose_is_refused_with_a_suggestion(catalog):
    with pytest.raises(InputError) as info:
        calc(catalog, "J0561", "24units")
    message = str(info.value)
    assert "far below the smallest J0561 label dose" in message and "Did you mean 24 billing units, 2.4 MU" in message


def test_a_dose_below_the_smallest_label_dose_is_warned(catalog):
    r = calc(catalog, "J2357", "37.5mg")
    assert any(
        w.level == "warning" and "below the smallest labelled dose for J2357 (75 mg" in w.message for w in r.warnings
    )


def test_a_future_date_of_service_is_warned(catalog):
    r = calc(catalog, "J2357", "150mg", date="2026-12-20")
    assert any("is in the future" in w.message for w in r.warnings)
    assert not any("is in the future" in w.message for w in calc(catalog, "J2357", "150mg").warnings)


@pytest.mark.parametrize("typed", ["2026-06-01", "06/01/2026", "6/1/2026", "20260601"])
def test_date_formats_a_coder_types(typed):
    assert parse_date(typed) == dt.date(2026, 6, 1)


@pytest.mark.parametrize("typed", ["2022-13-01", "13/01/2026", "2026-6", "01.06.2026", "2026/06/01"])
def test_dates_are_never_reinterpreted(typed):
    with pytest.raises(InputError, match="not a date"):
        parse_date(typed)
