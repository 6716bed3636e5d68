"""Reading keyed lines from charge exports, and the audit of the 20-line fixtures (issue 29's done-when)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omaliref.data.keyed_lines import field_for, read_lines
from omaliref.data.library import Library
from omaliref.domain.audit import LineAudit, worst_first
from omaliref.domain.cms import LEVEL2
from omaliref.domain.errors import InputError
from tests.fixtures.x12 import envelope
from tests.unit.test_audit import found

FIXTURES = Path(__file__).parent.parent / "fixtures" / "audit"

# (line reference, check, level) for every finding the 20 wrong lines must give — no more, no fewer.
EXPECTED_WRONG = {
    ("b01", "units-ndc", "error"),  # 60 units for one 150 mg syringe (30 units)
    ("b02", "ndc-code", "error"),  # Nucala's NDC on a J2357 line
    ("b03", "in-force", "error"),  # JG in 2026
    ("b04", "jw-jz", "error"),  # no JZ and no JW line
    ("b05b", "jw-jz", "error"),  # JW line whose NDC no administered line has
    ("b06", "mue", "error"),  # 130 units over the practitioner MUE of 120
    ("b07", "ndc-format", "error"),  # 10-digit NDC
    ("b08", "ndc-unit", "error"),  # ML on a vial counted in UN
    ("b09", "units", "error"),  # 29.5 units
    ("b11", "ndc-quantity", "error"),  # four decimals
    ("b12", "multi-ndc", "error"),  # West Virginia: KP missing
    ("b13", "multi-ndc", "warning"),  # West Virginia: KQ missing, but KQ is inferred (its notice is cut off)
    ("b15", "multi-ndc", "error"),  # Palmetto: one line with a note, not split lines
    ("b17", "duplicate", "error"),  # the same line twice
    ("b18", "not-judged", "info"),  # a code neither in the pack nor imported: W9999, which no HCPCS code can be
    ("b19", "jw-jz", "error"),  # JZ beside a JW line
}


@pytest.fixture
def library() -> Library:
    return Library.open()


def audit_file(library: Library, name: str) -> list[LineAudit]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as stream:
        return list(library.audit(read_lines(stream, name).lines))


def test_twenty_wrong_lines_give_exactly_the_expected_findings(library: Library) -> None:
    results = audit_file(library, "keyed_wrong.csv")
    assert len(results) == 20
    assert found(results) == EXPECTED_WRONG
    (b18,) = [a for a in results if a.line.ref == "b18"]
    # shaped like a code, so it reaches the look-up, but no HCPCS letter is W (J9999, used once, is a real code)
    assert b18.line.code == "W9999" and not LEVEL2.fullmatch(b18.line.code) and not b18.judged


def test_twenty_right_lines_give_none(library: Library) -> None:
    results = audit_file(library, "keyed_right.csv")
    assert len(results) == 20
    assert found(results) == set()
    assert all(a.judged for a in results)


def test_every_finding_says_the_fix_and_cites_the_pack_rule_it_names(library: Library) -> None:
    results = audit_file(library, "keyed_wrong.csv")
    for f in (f for a in results for f in a.findings):
        assert f.fix.endswith(".") and f.message
        if f.rule:
            assert f.rule in library.catalog.rules and f.sources


def test_worst_first_puts_errors_before_notes_and_clean_lines(library: Library) -> None:
    ordered = worst_first(audit_file(library, "keyed_wrong.csv"))
    ranks = [a.rank for a in ordered]
    assert ranks == sorted(ranks) and ordered[0].worst == "error" and ordered[-1].worst is None


def test_header_names_are_matched_loosely_and_patient_columns_skipped() -> None:
    assert field_for("HCPCS Code") == "code" and field_for("Modifier 3") == "modifiers"
    assert field_for("NDC Unit Qualifier") == "ndc_unit" and field_for("NDC Qty") == "ndc_quantity"
    assert field_for("Date of Service") == "date" and field_for("Billed Units") == "units"
    for header in ("Patient Name", "DOB", "Member ID", "Street Address", "MRN", "SSN", "Phone", "Date of Birth"):
        assert field_for(header) == "patient", header


def test_an_input_without_a_code_column_is_refused_in_one_sentence() -> None:
    with pytest.raises(InputError, match="no column for the HCPCS code"):
        read_lines(io.StringIO("Units,NDC\n30,50242021501\n"), "x.csv")


def test_tsv_and_a_single_modifier_column() -> None:
    given = read_lines(io.StringIO("HCPCS\tModifiers\tUnits\nJ2357\tJW TB\t30\n"), "x.tsv")
    (keyed,) = list(given.lines)
    assert given.kind == "tsv" and keyed.modifiers == ("JW TB",) and keyed.ref == "row 1"


PATIENT_VALUES = ("Marrowbone", "Quixley", "Fennimore", "Ottoline", "02/14/1961", "11/30/1948", "XQZ774410")


def test_patient_columns_are_skipped_unread_and_named(library: Library) -> None:
    with (FIXTURES / "keyed_with_patient_columns.csv").open(encoding="utf-8", newline="") as stream:
        given = read_lines(stream, "patients.csv")
        lines = list(given.lines)
        results = list(library.audit(lines))
    assert given.skipped_columns == ("Patient Name", "DOB", "Member ID")
    assert len(results) == 3 and found(results) == {("row 2", "jw-jz", "error"), ("row 3", "in-force", "error")}
    held = repr(lines) + repr(results) + repr(given)
    assert not [v for v in PATIENT_VALUES if v in held]


SERVICE_P = ("SV1*HC:J2357:JZ*0*UN*60***1~", "LIN**N4*50242021501~", "CTP****2*ML~")
SERVICE_I = ("SV2*0636*HC:J2357:UD:JZ*0*UN*60~", "LIN**N4*50242022701~", "CTP****2*ML~")


@pytest.mark.parametrize(
    ("kind", "service", "setting"), [("P", SERVICE_P, "office"), ("I", SERVICE_I, "hospital-outpatient")]
)
def test_837_service_lines_are_read_with_their_ndc_and_date(kind, service, setting):
    given = read_lines(io.StringIO(envelope(kind, [service, service])), "claim.837")
    lines = list(given.lines)
    assert given.kind == f"837{kind}" and [x.ref for x in lines] == ["claim 1 line 1", "claim 1 line 2"]
    first = lines[0]
    assert (first.code, first.units, first.ndc_qualifier, first.ndc_unit, first.ndc_quantity) == (
        "J2357",
        "60",
        "N4",
        "ML",
        "2",
    )
    assert first.modifiers[-1] == "JZ" and first.date == "20261201" and first.setting == setting
    assert "PATIENT" not in repr(lines) and "19500101" not in repr(lines)


def test_an_x12_file_that_is_not_an_837_is_refused_in_one_sentence():
    remittance = envelope("P", [SERVICE_P]).replace("005010X222A1", "005010X221A1").replace("GS*HC", "GS*HP")
    with pytest.raises(InputError, match="not an 837"):
        list(read_lines(io.StringIO(remittance), "era.835").lines)


def test_a_truncated_837_is_unreadable_not_a_short_clean_file():
    claim = envelope("P", [SERVICE_P])
    with pytest.raises(InputError, match="ends before its IEA trailer"):
        list(read_lines(io.StringIO(claim[: claim.index("LX*1")]), "cut.837").lines)


def test_a_row_whose_cells_slid_under_other_headers_is_not_read(library: Library) -> None:
    """An unquoted comma in a patient's name pushes every later cell one column right: the row is refused whole,
    and the next, aligned row is judged."""
    text = (
        "Patient Name,HCPCS,Modifier,Units,DOS\n"
        "Marrowbone, Quixley,J2357,JZ,30,2026-06-01\n"
        "Fennimore,J2357,JZ,30,2026-06-01\n"
    )
    lines = list(read_lines(io.StringIO(text), "shifted.csv").lines)
    results = list(library.audit(lines))
    assert [(a.line.ref, [f.check for f in a.findings], a.judged) for a in results] == [
        ("row 1", ["row"], False),
        ("row 2", [], True),
    ]
    held = repr(lines) + repr(results)
    assert "Quixley" not in held and "Marrowbone" not in held and "Fennimore" not in held


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["HCPCS,Units,NDC\n", "Code\tModifier 1\tNDC Qty\n", "", "ISA*"]))
def test_any_text_is_read_or_refused_in_one_sentence(body, header):
    try:
        lines = list(read_lines(io.StringIO(header + body), "pasted").lines)
    except InputError as exc:
        assert str(exc).endswith(".") and "\n" not in str(exc)
    else:
        assert all(isinstance(line.code, str) for line in lines)


def test_an_837_that_pyx12_trips_on_is_refused_in_one_sentence():
    """An IEA before the transaction's end made pyx12 raise IndexError (found by fuzzing): unreadable input."""
    claim = envelope("P", [SERVICE_P, SERVICE_P]).replace("SE*", "IEA*1*000000001~\nSE*").replace("GE*", "G *")
    with pytest.raises(InputError, match="cannot be read as X12"):
        list(read_lines(io.StringIO(claim), "odd.837").lines)
