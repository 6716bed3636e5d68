"""Payer rules a coder can trust (#24): every profile value sourced or marked as the app's default, dated values,
Medicare paper, the item-19 and NTE02 limits, state 340B rows, `payers check` and the provenance line on stderr."""

from __future__ import annotations

import json

import pytest

from omaliref.cli import main
from omaliref.domain.payer import PROVENANCE_FIELDS
from tests.fixtures.x12 import envelope, validate

XOLAIR_375 = ["units", "J2357", "--dose", "375mg", "--package", "50242-0227-01", "--package", "50242-0214-01"]
DOS = ["--date", "2026-11-02"]
# 975 mg from five different NDCs: four "other" NDCs in the single line's note (85 characters in the readable form)
FIVE_NDCS = [
    "units",
    "J2357",
    "--dose",
    "975mg",
    *("--package", "50242-0227-01"),
    *("--package", "50242-0227-55"),
    *("--package", "50242-0215-01"),
    *("--package", "50242-0215-55"),
    *("--package", "50242-0214-01"),
]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(argv, capsys):
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_payers_show_json_gives_each_field_with_its_source_or_default(capsys):
    data = run_json(["payers", "show", "medicare-part-b"], capsys)
    assert set(data["fields"]) == set(PROVENANCE_FIELDS)
    for _name, values in data["fields"].items():
        for value in values:
            assert value["default"] or (value["source"] and (value["quote"] or value["locator"]) and value["checked"])
    gap = data["fields"]["cms1500_ndc_gap"]
    assert [(v["value"], v["source"], v["default"]) for v in gap] == [(3, "cms-iom-ch26-24", False)]
    assert data["fields"]["multi_ndc"][0]["default"] is True and "multi_ndc" in data["defaults"]
    assert data["cms1500_ndc_gap"] == 3  # the existing field is still there, with the sourced value


def test_payers_show_text_marks_defaults_and_sources(capsys):
    code, out, _ = run(["payers", "show", "palmetto-jm-part-b"], capsys)
    assert code == 0
    assert "Several NDCs: one line, the other NDCs in the note (item 19 / NTE) — source palmetto-ndc" in out
    assert "NDC unit for prefilled syringes and autoinjectors: ML — default: the app's choice" in out
    assert "SAMPLE: confirm with the payer" in out


def test_medicare_paper_uses_three_blanks_and_warns_that_macs_differ(capsys):
    code, out, err = run([*XOLAIR_375, *DOS, "--format", "cms1500"], capsys)
    assert code == 0
    assert out.splitlines()[0].endswith("N450242022701   ML2")
    assert "several NDCs: one line per NDC" in err.lower() or "Several NDCs: one line per NDC" in err
    data = run_json([*XOLAIR_375, *DOS], capsys)
    assert any("MACs differ" in w["message"] and "palmetto-ndc" in w["source_ids"] for w in data["warnings"])


def test_commercial_and_ma_split_lines_warn_that_blue_cross_nc_pays_one_line(capsys):
    for payer in ("commercial", "medicare-advantage"):
        data = run_json([*XOLAIR_375, *DOS, "--payer", payer], capsys)
        assert any("Blue Cross NC" in w["message"] and w["level"] == "warning" for w in data["warnings"])
    bcnc = run_json([*XOLAIR_375, *DOS, "--payer-profile", "bcnc-commercial"], capsys)
    assert [line["units"] for line in bcnc["lines"]] == [75]
    assert not any("Plans differ" in w["message"] for w in bcnc["warnings"])


def test_palmetto_paper_puts_the_ndc_in_item_19_not_24a(capsys):
    argv = ["units", "J2357", "--dose", "300mg", "--package", "50242-0227-01", *DOS]
    code, out, _ = run([*argv, "--payer-profile", "palmetto-jm-part-b", "--format", "cms1500"], capsys)
    assert code == 0
    rows = out.splitlines()
    assert "N450242022701" not in rows[0] and "(NDC in item 19)" in rows[0]
    assert rows[-1] == "Item 19: N450242022701 ML2"
    data = run_json([*argv, "--payer-profile", "palmetto-jm-part-b"], capsys)
    assert data["lines"][0]["cms1500_24a"] is None and data["cms1500_item19"] == "N450242022701 ML2"


def test_item_19_is_once_per_claim(capsys):
    argv = ["units", "J2357", "--dose", "280mg", "--package", "50242-0227-01", "--package", "50242-0214-01", *DOS]
    code, out, _ = run([*argv, "--payer-profile", "palmetto-jm-part-b", "--format", "cms1500"], capsys)
    assert code == 0
    assert sum(row.startswith("Item 19:") for row in out.splitlines()) == 1
    assert "[item 19" not in out


def test_five_ndcs_keep_nte02_within_80_characters_and_validate(capsys):
    data = run_json([*FIVE_NDCS, *DOS, "--payer-profile", "palmetto-jm-part-b", "--charge", "12.50"], capsys)
    notes = [s for line in data["lines"] for s in line["x12"] if s.startswith("NTE")]
    assert notes and all(len(s.rstrip("~").split("*")[2]) <= 80 for s in notes)
    ok, ack = validate(envelope("P", [tuple(line["x12"]) for line in data["lines"]]))
    assert ok, ack


def test_uhc_maryland_jz_only_from_2025_05_01_on_professional_claims(capsys):
    argv = ["units", "J2357", "--dose", "300mg", "--package", "50242-0227-01", "--payer-profile"]
    before = run_json([*argv, "uhc-community-plan-md", "--date", "2025-04-15"], capsys)
    after = run_json([*argv, "uhc-community-plan-md", "--date", "2025-06-15"], capsys)
    assert before["lines"][0]["modifiers"] == [] and after["lines"][0]["modifiers"] == ["JZ"]
    assert any("in force on 2025-04-15 is 'jw-only'" in w["message"] for w in before["warnings"])
    assert any("in force on 2025-06-15 is 'medicare'" in w["message"] for w in after["warnings"])
    outpatient = run_json(
        [*argv, "uhc-community-plan-md", "--date", "2025-04-15", "--setting", "hospital-outpatient"], capsys
    )
    assert outpatient["lines"][0]["modifiers"] == ["JZ"]  # the plan's date concerns professional claims only


def test_bcbs_texas_medicaid_340b_yes_is_u8(capsys):
    data = run_json([*XOLAIR_375, *DOS, "--payer-profile", "bcbs-texas-medicaid", "--340b", "yes"], capsys)
    assert all("U8" in line["modifiers"] for line in data["lines"])
    assert data["profile"]["fields"]["modifier_340b"][0]["source"] == "tx-340b-u8"


def test_south_carolina_ub04_340b_tb_second_from_2025_12_01(capsys):
    argv = [*XOLAIR_375, "--payer-profile", "south-carolina-medicaid", "--setting", "hospital-outpatient"]
    data = run_json([*argv, "--340b", "yes", "--date", "2025-12-15"], capsys)
    assert [line["modifiers"] for line in data["lines"]] == [["JZ", "TB"], ["JZ", "TB"]]
    assert all(line["x12"][0].startswith("SV2*0636*HC:J2357:JZ:TB*") for line in data["lines"])
    code, _, err = run([*argv, "--340b", "yes", "--date", "2025-11-15"], capsys)
    assert code == 2 and "names none on 2025-11-15" in err and "TB from 2025-12-01" in err


def test_machine_formats_keep_stdout_pure_and_name_the_profile_on_stderr(capsys):
    code, out, err = run([*XOLAIR_375, *DOS, "--format", "x12"], capsys)
    assert code == 0
    assert all(row.split("*")[0] in ("SV1", "LIN", "CTP", "NTE") for row in out.splitlines())
    assert err.count("\n") == 1 and "Payer profile medicare-part-b" in err
    assert "rest on defaults" in err and "Several NDCs: one line per NDC" in err
    code, out, err = run([*XOLAIR_375, *DOS, "--payer-profile", "west-virginia-medicaid", "--format", "ub04"], capsys)
    assert "SAMPLE" in err and "SAMPLE" not in out


def test_sample_is_in_every_text_view(capsys):
    argv = [*XOLAIR_375, *DOS, "--payer-profile", "west-virginia-medicaid"]
    assert "SAMPLE: confirm with the payer" in run(argv, capsys)[1]
    checklist = ["checklist", "J2357", *DOS, "--dose", "375mg", "--payer-profile", "west-virginia-medicaid"]
    assert "SAMPLE: confirm with the payer" in run(checklist, capsys)[1]


def test_charge_per_unit_or_a_marked_placeholder(capsys):
    priced = run_json([*XOLAIR_375, *DOS, "--charge", "12.50"], capsys)
    assert [line["x12"][0].split("*")[2] for line in priced["lines"]] == ["750.00", "187.50"]
    assert [line["charge"] for line in priced["lines"]] == ["750.00", "187.50"]
    unpriced = run_json([*XOLAIR_375, *DOS], capsys)
    assert all(line["x12"][0].split("*")[2] == "CHARGE" for line in unpriced["lines"])
    ok, _ = validate(envelope("P", [tuple(line["x12"]) for line in unpriced["lines"]]))
    assert not ok  # a preview without a charge cannot pass for a $0 claim
    code, _, err = run([*XOLAIR_375, *DOS, "--charge", "12.505"], capsys)
    assert code == 2 and "dollars and cents" in err


def test_one_decimal_style_for_the_ndc_quantity_in_every_view(capsys):
    """D5: 0.5 everywhere (docs/domain/claims-and-payers.md says why), never .5 in one view and 0.5 in another."""
    data = run_json([*XOLAIR_375, *DOS, "--payer", "commercial", "--charge", "1"], capsys)
    line = data["lines"][1]
    assert line["ndc_quantity"] == "0.5"
    assert line["cms1500_24a"].endswith("ML0.5") and line["ub04_fl43"].endswith("ML0.5")
    assert "CTP****0.5*ML~" in line["x12"]


def test_payers_check_lists_every_problem_with_its_line(tmp_path, capsys):
    bad = tmp_path / "payers.toml"
    bad.write_text(
        "[[payer]]\n"
        'id = "acme"\n'
        'name = "Acme"\n'
        'kind = "medicaid"\n'
        'jw_jz = "sometimes"\n'
        'colour = "blue"\n'
        "cms1500_ndc_gap = 2\n",
        encoding="utf-8",
    )
    code, out, err = run(["payers", "check", str(bad)], capsys)
    assert code == 3 and out == ""
    problems = err.splitlines()[1:]
    assert [p.split(":")[0].strip() for p in problems] == ["line 5", "line 6", "line 7"]
    assert ["'jw_jz'" in problems[0], "'colour'" in problems[1], "'cms1500_ndc_gap'" in problems[2]] == [True] * 3
    assert "'sometimes' is not allowed" in problems[0]


def test_a_payer_file_with_a_typo_in_a_rule_table_is_refused(tmp_path, capsys):
    bad = tmp_path / "payers.toml"
    bad.write_text(
        '[[payer]]\nid = "acme"\nname = "Acme"\nkind = "medicaid"\n'
        'jw_jz = { value = "jw-only", sorce = "Acme manual", effective_from = "2025-01-01" }\n',
        encoding="utf-8",
    )
    code, _, err = run(["payers", "check", str(bad)], capsys)
    assert code == 3
    assert "'jw_jz.sorce'" in err and "unknown key" in err and "YYYY-MM-DD" in err


def test_an_organization_bare_value_is_shown_as_set_by_its_file(tmp_path, capsys, monkeypatch):
    org = tmp_path / "payers.toml"
    org.write_text(
        '[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\nndc_unit_devices = "UN"\n'
        'multi_ndc = { value = "split-lines", source = "Acme manual 2026 §4" }\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OMALIREF_PAYERS", str(org))
    fields = run_json(["payers", "show", "acme"], capsys)["fields"]
    assert fields["ndc_unit_devices"][0]["status"] == "organization"
    assert fields["ndc_unit_devices"][0]["set_by"] == str(org)
    assert fields["multi_ndc"][0]["status"] == "sourced"
    code, _, err = run([*XOLAIR_375, *DOS, "--payer-profile", "acme", "--format", "cms1500"], capsys)
    assert code == 0 and "set by the organization's file" in err


@pytest.mark.parametrize(
    "argv",
    [
        [*XOLAIR_375, "--payer", "medicare", "--payer-profile", "bcnc-commercial"],
        [*XOLAIR_375, "--payer", "commercial", "--payer-profile", "medicare-part-b"],
    ],
)
def test_contradictory_payer_flags_are_refused(argv, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and "contradicts --payer-profile" in err


def test_payer_of_the_profile_kind_is_accepted(capsys):
    data = run_json([*XOLAIR_375, *DOS, "--payer", "medicaid", "--payer-profile", "texas-medicaid"], capsys)
    assert data["profile"]["id"] == "texas-medicaid"


def test_checklist_json_names_the_profile_on_stderr(capsys):
    argv = ["checklist", "J2357", *DOS, "--dose", "375mg", "--payer-profile", "south-carolina-medicaid", "--json"]
    code, out, err = run(argv, capsys)
    assert code == 0 and json.loads(out)["calculation"]["profile"]["id"] == "south-carolina-medicaid"
    assert err.count("\n") == 1 and "Payer profile south-carolina-medicaid" in err and "SAMPLE" in err


def test_the_audit_sheet_says_where_the_profile_values_come_from():
    import datetime as dt

    from omaliref.data.library import Library
    from omaliref.domain.case import CaseInput, case_from_input
    from omaliref.report.as_html import audit_sheet

    library = Library.open()
    case = case_from_input(
        CaseInput(code="J2357", dose="375mg", containers=("50242-0227-01", "50242-0214-01"), date="2026-11-02"),
        dt.date(2026, 11, 27),
        library.profile("palmetto-jm-part-b"),
    )
    outcome = library.evaluate(case)
    sheet = audit_sheet(library.catalog, outcome, (), made_at=dt.datetime(2026, 11, 27, 9, 0), app_version="test")
    assert "Payer profile palmetto-jm-part-b" in sheet and "SAMPLE: confirm with the payer" in sheet


def test_an_organization_medicaid_profile_naming_a_state_uses_its_340b_row(tmp_path, capsys, monkeypatch):
    org = tmp_path / "payers.toml"
    org.write_text('[[payer]]\nid = "acme-tx"\nname = "Acme Texas Medicaid"\nkind = "medicaid"\nstate = "TX"\n')
    monkeypatch.setenv("OMALIREF_PAYERS", str(org))
    data = run_json([*XOLAIR_375, *DOS, "--payer-profile", "acme-tx", "--340b", "yes"], capsys)
    assert all(line["modifiers"][-1] == "U8" for line in data["lines"])
    assert data["profile"]["in_force"]["modifier_340b"]["source"] == "tx-340b-u8"
