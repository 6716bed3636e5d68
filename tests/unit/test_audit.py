"""The audit of keyed drug lines: each check on lines with known errors, and silence on right lines."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omaliref.data.library import Library
from omaliref.domain.audit import AuditLine, LineAudit


@pytest.fixture
def library() -> Library:
    return Library.open()


def audit(library: Library, *lines: AuditLine, profile: str = "", acquired_340b: bool = False) -> list[LineAudit]:
    return list(library.audit(lines, library.profile_for(profile_id=profile), acquired_340b=acquired_340b))


def found(results: list[LineAudit]) -> set[tuple[str, str, str]]:
    return {(a.line.ref, f.check, f.level) for a in results for f in a.findings}


def line(ref: str = "1", mods: tuple[str, ...] = ("JZ",), units: str = "30", **fields: str) -> AuditLine:
    """A J2357 line for one 150 mg syringe on 2026-06-01; `fields` change it."""
    values = {"date": "2026-06-01", "ndc": "50242-0215-01", "ndc_qualifier": "N4", "ndc_unit": "ML"}
    return AuditLine(ref, fields.pop("code", "J2357"), mods, units, **{**values, "ndc_quantity": "1", **fields})


def test_jg_names_tb_from_the_calculators_own_refusal(library: Library) -> None:
    (result,) = audit(library, line(mods=("JZ", "JG")))
    (finding,) = result.findings
    assert "ended on 2024-12-31" in finding.message and finding.fix == "Replace JG with TB."


def test_a_medicaid_340b_modifier_on_a_medicare_line(library: Library) -> None:
    (result,) = audit(library, line(mods=("JZ", "UD")))
    assert found([result]) == {("1", "340b", "error")}


def test_the_340b_modifier_the_profile_wants(library: Library) -> None:
    (result,) = audit(library, line(mods=("UD",)), profile="texas-medicaid")
    (finding,) = result.findings
    assert finding.check == "340b" and finding.fix == "Replace UD with U8."


def test_units_above_zero(library: Library) -> None:
    (result,) = audit(library, line(units="0"))
    assert found([result]) == {("1", "units", "error")}


def test_jw_and_jz_on_one_line(library: Library) -> None:
    results = audit(library, line("1", ("JZ",), "20", ndc_quantity="0.667"), line("2", ("JW", "JZ"), "10"))
    assert ("2", "jw-jz", "error") in found(results)


def test_kp_on_a_payer_that_does_not_ask_for_it(library: Library) -> None:
    (result,) = audit(library, line(mods=("JZ", "KP")))
    assert found([result]) == {("1", "multi-ndc", "warning")}


def test_a_syringe_in_un_where_the_profile_wants_ml_is_a_warning_only(library: Library) -> None:
    (result,) = audit(library, line(ndc_unit="UN"))
    assert found([result]) == {("1", "ndc-unit", "warning")}


def test_an_unknown_payer_profile_is_said_and_the_line_still_judged(library: Library) -> None:
    (result,) = audit(library, line(payer_profile="acme-health"))
    assert found([result]) == {("1", "payer-profile", "error")} and result.judged


def test_a_missing_ndc_where_the_profile_requires_one(library: Library) -> None:
    (result,) = audit(library, line(ndc="", ndc_unit="", ndc_quantity=""), profile="medicaid")
    assert found([result]) == {("1", "ndc-format", "error")}


def test_place_of_service_22_is_the_outpatient_table(library: Library) -> None:
    (result,) = audit(library, line(units="130", ndc="50242-0227-01", ndc_quantity="4.333", setting="22"))
    (finding,) = result.findings
    assert finding.check == "mue" and "outpatient-hospital" in finding.message


def test_lines_stream_through_a_group_at_a_time(library: Library) -> None:
    """An endless input (one claim per line) yields its first results: nothing waits for the end of the input."""
    endless = (line(str(n), claim=str(n)) for n in itertools.count())
    first = list(itertools.islice(library.audit(endless), 3))
    assert [a.line.ref for a in first] == ["0", "1", "2"] and not any(a.findings for a in first)


@pytest.mark.parametrize(("date", "fix"), [("2026-06-01", "Add TB."), ("2024-06-03", "Add JG or TB.")])
def test_a_340b_acquired_drug_without_the_medicare_modifier_in_force(library: Library, date: str, fix: str) -> None:
    (result,) = audit(library, line(date=date), acquired_340b=True)
    (finding,) = result.findings
    assert finding.check == "340b" and finding.rule == "modifier-340b" and finding.fix == fix


def test_a_340b_acquired_drug_with_the_payers_modifier_is_clean(library: Library) -> None:
    assert found(audit(library, line(mods=("U8",)), profile="texas-medicaid", acquired_340b=True)) == set()
    assert found(audit(library, line(), profile="commercial", acquired_340b=True)) == set()  # names none


def test_the_qualifier_keyed_with_the_ndc(library: Library) -> None:
    assert found(audit(library, line(ndc="N450242021501", ndc_qualifier=""))) == set()


def test_an_unknown_setting_is_said_and_the_default_used(library: Library) -> None:
    (result,) = audit(library, line(setting="ambulance"))
    assert found([result]) == {("1", "setting", "error")}


FIELD_TEXT = {
    "code": st.sampled_from(["J2357", "j-2357", "J2182", "Q5154", "J3490", "W9999", "", "X", "J23570", "J2357 "]),
    "units": st.sampled_from(["30", "0", "-5", "1.5", "", "abc", "1,000", "999999999", "60.0", "٣٠"]),
    "ndc": st.sampled_from(
        ["50242-0215-01", "50242021501", "5024221501", "502420215011", "502420-0215-01", "N450242021501", "", "x"]
    ),
    "ndc_qualifier": st.sampled_from(["N4", "", "n4", "ZZ"]),
    "ndc_unit": st.sampled_from(["ML", "UN", "", "GR", "mg", "ml"]),
    "ndc_quantity": st.sampled_from(["1", "0.5", "0.3333", "", "0", "-1", "1e3", "2"]),
    "date": st.sampled_from(["2026-06-01", "06/01/2026", "20240603", "2026-02-30", "", "yesterday", "1999-01-01"]),
    "payer_profile": st.sampled_from(["", "medicaid", "texas-medicaid", "west-virginia-medicaid", "acme"]),
    "setting": st.sampled_from(["", "office", "22", "hospital-outpatient", "moon"]),
    "claim": st.sampled_from(["", "1", "2"]),
}
MODIFIER_TEXT = st.lists(
    st.sampled_from(["JZ", "JW", "JG", "TB", "UD", "U8", "KP", "KQ", "JWJZ", "", "59"]), max_size=4
)


KEYED_ROWS = st.lists(
    st.tuples(
        st.fixed_dictionaries({k: st.one_of(v, st.text(max_size=12)) for k, v in FIELD_TEXT.items()}),
        MODIFIER_TEXT,
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(KEYED_ROWS)
def test_any_keyed_lines_get_findings_never_a_crash(rows):  # slow (tests/conftest.py)
    """Whatever a billing system exports, every line comes back with its findings, in order, each with a fix."""
    check_keyed_lines(rows)


@settings(max_examples=25, deadline=None)
@given(KEYED_ROWS)
def test_any_keyed_lines_get_findings_never_a_crash_on_a_sample(rows):
    """The same on fewer exports, for the fast set."""
    check_keyed_lines(rows)


def check_keyed_lines(rows):
    library = Library.open()
    lines = [AuditLine(str(n), modifiers=tuple(mods), **fields) for n, (fields, mods) in enumerate(rows)]
    results = list(library.audit(lines))
    assert [a.line for a in results] == lines
    assert all(f.fix and f.message for a in results for f in a.findings)


@pytest.fixture
def imported(tmp_path) -> Library:
    """The library with the synthetic January 2027 quarter imported (HCPCS, ASP, crosswalk, practitioner MUE)."""
    from tests.fixtures.cms import quarter_zips

    library = Library.open()
    library.import_files(quarter_zips(tmp_path / "q1"))
    return library


def test_an_imported_quarter_judges_ndcs_by_its_crosswalk_and_units_by_its_mue(imported: Library) -> None:
    day = {"date": "2027-02-01"}
    results = audit(
        imported,
        line("other", ndc="99999-0001-10", **day),  # the crosswalk lists it under J0001
        line("unlisted", ndc="12345-6789-01", **day),
        line("mue", units="110", ndc="50242-0227-01", ndc_quantity="3.667", **day),  # imported MUE 99, shipped 120
        line("no-quarter", ndc="12345-6789-01"),  # 2026-06-01: no imported crosswalk covers it
        line("imported-code", code="J0001", mods=(), units="5", ndc="99999-0001-10", ndc_unit="", **day),
    )
    assert found(results) == {
        ("other", "ndc-code", "error"),
        ("unlisted", "ndc-code", "error"),
        ("mue", "mue", "error"),
        ("no-quarter", "ndc-code", "warning"),
    }
    other, _unlisted, mue, _none, j0001 = results
    assert "under J0001" in other.findings[0].message and other.findings[0].sources == ("cms-crosswalk-2027Q1",)
    assert "99 units" in mue.findings[0].message and mue.findings[0].sources == ("cms-mue-practitioner-2027Q1",)
    assert j0001.judged


def test_texas_medicaids_jw_rule_is_silent_on_jz_so_jz_is_never_an_order_to_remove(library: Library) -> None:
    """TMHP's JW notice predates JZ: the audit says the rule does not address JZ (info), not 'Remove JZ' as if the
    payer had said so (truth audit T3-11)."""
    (result,) = audit(library, line(mods=("JZ",)), profile="texas-medicaid")
    jz = [f for f in result.findings if f.check == "jw-jz"]
    assert [f.level for f in jz] == ["info"] and "does not address JZ" in jz[0].message
    assert not any("Remove JZ" in f.fix for f in result.findings)


def belimumab(ref: str, mods: tuple[str, ...], ndc: str = "49401-0088-02", **fields: str) -> AuditLine:
    """A J0490 line: by default 200 mg from the SC syringe carton (route SC, modifier JB)."""
    vial = ndc == "49401-0102-01"
    values = {"ndc": ndc, "ndc_unit": "UN" if vial else "ML", **fields}
    return line(ref, mods, "40" if vial else "20", code="J0490", **values)


def test_the_route_modifier_of_a_keyed_j0490_line_is_checked_against_its_ndcs_route(library: Library) -> None:
    """Rule route-modifier-j0490, as the calculator applies it: JB for SC, JA for IV on Medicare lines; a modifier
    that names the other route is wrong for any payer; a line without an NDC cannot say which, so it is a warning."""
    results = audit(
        library,
        belimumab("ja-on-sc", ("JZ", "JA")),
        belimumab("none", ("JZ",)),
        belimumab("right", ("JZ", "JB")),
        belimumab("iv-none", ("JZ",), ndc="49401-0102-01"),
        belimumab("no-ndc", ("JZ",), ndc="", ndc_qualifier="", ndc_unit="", ndc_quantity=""),
        profile="medicare-part-b",
    )
    route = {(a.line.ref, f.level, f.fix) for a in results for f in a.findings if f.check == "route"}
    assert route == {
        ("ja-on-sc", "error", "Replace JA with JB."),
        ("none", "error", "Add JB."),
        ("iv-none", "error", "Add JA."),
        ("no-ndc", "warning", "Add the modifier of the route given (the line names no NDC)."),
    }
    (commercial,) = audit(library, belimumab("jb-on-iv", ("JZ", "JB"), ndc="49401-0102-01"), profile="commercial")
    assert {(f.level, f.fix) for f in commercial.findings if f.check == "route"} == {("error", "Replace JB with JA.")}
    (plain,) = audit(library, belimumab("commercial-none", ("JZ",)), profile="commercial")
    assert not [f for f in plain.findings if f.check == "route"]  # plans vary: nothing said without a modifier
