"""Who supplied the drug and when the last dose was (#31): the interval since the last dose against the label, and
what a drug line becomes when the practice did not buy the drug."""

from __future__ import annotations

import json

import pytest

from omaliref.cli import main

DOS = "2026-11-20"
ASTHMA_150_Q4 = ["--indication", "asthma", "--ige", "100", "--weight", "70", "--age", "40"]


def units(capsys, *argv):
    code = main(["units", "J2357", "--dose", "300mg", "--date", DOS, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def early(data):
    return [w for w in data["warnings"] if w["message"].startswith("Early dose")]


def test_a_dose_ten_days_after_the_last_is_early_and_names_the_label(capsys):
    data = units(capsys, "--last-dose", "2026-11-10")
    (warning,) = early(data)
    assert warning["level"] == "warning" and "every 2 weeks (14 days)" in warning["message"]
    assert warning["source_ids"] and data["days_since_last_dose"] == 10 and data["last_dose"] == "2026-11-10"


def test_fourteen_days_is_not_early(capsys):
    data = units(capsys, "--last-dose", "2026-11-06")
    assert not early(data) and any("14 days since the last dose" in w["message"] for w in data["warnings"])


def test_the_dose_table_cell_decides_when_the_case_gives_its_inputs(capsys):
    """IgE 100, 70 kg, asthma: 150 mg every 4 weeks, so 21 days is early though the label's shortest is 2 weeks."""
    (warning,) = early(units(capsys, "--last-dose", "2026-10-30", *ASTHMA_150_Q4))
    assert "every 4 weeks (28 days)" in warning["message"] and "150 mg every 4 weeks" in warning["message"]
    assert not early(units(capsys, "--last-dose", "2026-10-23", *ASTHMA_150_Q4))


@pytest.mark.parametrize("last", ["2026-11-20", "2026-11-25", "1999-05-01", "2026-02-30"])
def test_an_impossible_last_dose_is_one_sentence(capsys, last):
    code = main(["units", "J2357", "--dose", "300mg", "--date", DOS, "--last-dose", last])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "last dose" in err


def test_a_code_without_a_label_interval_says_so(capsys):
    code = main(["units", "J0561", "--dose", "2400000units", "--date", DOS, "--last-dose", "2026-11-13", "--json"])
    out, _err = capsys.readouterr()
    assert code == 0
    assert any("no label interval for J0561" in w["message"] for w in json.loads(out)["warnings"])


def test_the_audit_sheet_records_the_last_dose():
    import datetime as dt

    from omaliref.data.library import Library
    from omaliref.domain.case import CaseInput, case_from_input
    from omaliref.report.as_html import audit_sheet

    library = Library.open()
    case = case_from_input(
        CaseInput(code="J2357", dose="300mg", date=DOS, last_dose="2026-11-10", supplied_by="manufacturer"),
        dt.date(2026, 11, 20),
    )
    outcome = library.evaluate(case)
    html = audit_sheet(library.catalog, outcome, (), made_at=dt.datetime(2026, 11, 20, 9, 0), app_version="test")
    assert "last dose 2026-11-10 (10 days before)" in html and "Early dose" in html
    assert "drug supplied by a manufacturer&#x27;s free-drug program" in html and "charge $0.01" in html


def supplied(capsys, *argv):
    code = main(["units", "J2357", "--dose", "300mg", "--date", DOS, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("who", ["specialty-pharmacy", "manufacturer", "patient"])
def test_medicare_office_keeps_the_drug_line_at_one_cent_with_no_jw_jz(capsys, who):
    data = supplied(capsys, "--supplied-by", who)
    assert data["supplied_by"] == who
    assert [(l["modifiers"], l["units"], l["charge"]) for l in data["lines"]] == [([], 60, "0.01")]
    said = [w for w in data["warnings"] if w["message"].startswith("Drug supplied by")]
    assert said and {"sup-ngs-patient-supplied", "sup-cgs-no-cost-drugs"} <= set(said[0]["source_ids"])
    assert ("inferred" in said[0]["message"]) is (who == "specialty-pharmacy")


def test_medicare_outpatient_reports_the_token_charge_as_non_covered_too(capsys):
    data = supplied(capsys, "--supplied-by", "manufacturer", "--setting", "hospital-outpatient")
    (line,) = data["lines"]
    assert line["charge"] == line["non_covered_charge"] == "0.01"
    assert line["x12"][0] == "SV2*0636*HC:J2357*0.01*UN*60**0.01~"


def test_texas_medicaid_white_bag_leaves_the_drug_line_off(capsys):
    data = supplied(capsys, "--supplied-by", "specialty-pharmacy", "--payer-profile", "texas-medicaid")
    assert data["lines"] == [] and data["admin_code_suggestion"].startswith("96372")
    (said,) = [w for w in data["warnings"] if w["message"].startswith("Drug supplied by")]
    assert "The drug line is left off" in said["message"] and "sup-tmhp-white-bag-2016" in said["source_ids"]


def test_a_left_off_drug_line_names_the_administration_code_of_its_route(capsys):
    """The sentence names the administration line the result suggests, by the containers' route: an IV vial is an
    infusion, never 96372 (it once named 96372 for every office case)."""
    argv = ["units", "J0490", "--dose", "800mg", "--package", "49401-0102-01x2", "--date", DOS]
    code = main([*argv, "--supplied-by", "specialty-pharmacy", "--payer-profile", "texas-medicaid", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    (said,) = [w for w in data["warnings"] if w["message"].startswith("Drug supplied by")]
    assert data["lines"] == [] and data["admin_code_suggestion"].startswith("96365")
    assert f"bill the administration alone: {data['admin_code_suggestion']}." in said["message"]
    assert "96372" not in said["message"]


def test_a_payer_whose_rule_is_not_known_gets_the_choices_and_a_blocker(capsys):
    data = supplied(capsys, "--supplied-by", "specialty-pharmacy", "--payer", "commercial")
    assert data["lines"] and data["lines"][0]["charge"] is None  # as computed, but never without a word:
    (said,) = [w for w in data["warnings"] if "NOT KNOWN" in w["message"]]
    assert said["level"] == "warning" and "$0.01" in said["message"] and "left off" not in said["message"]
    code = main(["checklist", "J2357", "--dose", "300mg", "--date", DOS, "--supplied-by", "patient", "--json"])
    out, _err = capsys.readouterr()
    assert code == 0 and "supply-not-known" not in {f["id"] for f in json.loads(out)["findings"]}  # Medicare: known
    code = main(
        [
            "checklist",
            "J2357",
            "--dose",
            "300mg",
            "--date",
            DOS,
            "--supplied-by",
            "patient",
            "--payer",
            "commercial",
            "--json",
        ]
    )
    out, _err = capsys.readouterr()
    checklist = json.loads(out)
    assert [f["id"] for f in checklist["findings"] if f["severity"] == "blocker"] == ["supply-not-known"]
    assert checklist["verdict"] == "blockers"
    assert {"supply-recorded", "supply-lot-expiry"} <= {i["id"] for i in checklist["items"]}


def test_a_340b_modifier_on_a_drug_the_practice_did_not_buy_is_refused(capsys):
    code = main(["units", "J2357", "--dose", "300mg", "--date", DOS, "--340b", "TB", "--supplied-by", "manufacturer"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "340B" in err and "free-drug program" in err


def test_an_unknown_supplier_is_one_sentence(capsys):
    code = main(["units", "J2357", "--dose", "300mg", "--supplied-by", "neighbour"])
    _out, err = capsys.readouterr()
    assert code == 2 and "practice, specialty-pharmacy, manufacturer or patient" in err


def test_a_dose_check_of_a_code_dosed_by_inference_says_so(capsys):
    """Q5154's dose tables are Xolair's by inference (its record is of medium confidence): every dose check of it
    says so; J2357's, read on its own label, does not."""
    clinical = ["--dose", "300mg", "--indication", "asthma", "--ige", "150", "--weight", "95", "--age", "40"]
    said = {}
    for code in ("Q5154", "J2357"):
        assert main(["units", code, *clinical, "--date", DOS, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        (said[code],) = [w["message"] for w in data["warnings"] if w["message"].startswith("Dose check")]
    assert "inferred" in said["Q5154"] and "medium confidence" in said["Q5154"]
    assert "inferred" not in said["J2357"] and "confidence" not in said["J2357"]
