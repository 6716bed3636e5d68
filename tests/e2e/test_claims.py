"""Claim lines a payer accepts: payer profiles, one NDC per line, the CMS-1500 / UB-04 strings and the 837 lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omaliref.cli import main
from tests.fixtures.x12 import envelope, validate

XOLAIR_375 = ["units", "J2357", "--dose", "375mg", "--package", "50242-0227-01", "--package", "50242-0214-01"]
ORG_FILE = """
[[payer]]
id = "acme-medicaid"
name = "Acme Health Medicaid"
kind = "medicaid"
multi_ndc = "split-lines"
jw_jz = "medicare"
modifier_340b = "UD"
ndc_unit_devices = "UN"
ndc_required = true
cms1500_ndc_gap = 1
max_units = { J2357 = 120 }
prior_authorization = true
sources = ["Acme provider manual 2026, section 4"]
"""


def run_json(argv, capsys):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def run_err(argv, capsys):
    code = main(argv)
    _out, err = capsys.readouterr()
    return code, err


def test_375mg_from_two_syringes_is_two_lines_each_with_its_ndc(capsys):
    data = run_json(XOLAIR_375, capsys)
    lines = data["lines"]
    assert [(line["modifiers"], line["units"], line["ndc"]) for line in lines] == [
        (["JZ"], 60, "50242022701"),
        (["JZ"], 15, "50242021401"),
    ]
    assert [(line["ndc_unit"], line["ndc_quantity"]) for line in lines] == [("ML", "2"), ("ML", "0.5")]
    assert [line["cms1500_24a"] for line in lines] == [
        "N450242022701   ML2",
        "N450242021401   ML0.5",
    ]  # Medicare: 3 blanks
    assert [line["ub04_fl43"] for line in lines] == ["N450242022701ML2", "N450242021401ML0.5"]
    assert data["profile"]["id"] == "medicare-part-b" and data["claim_form"] == "cms1500"
    segments = [s for line in lines for s in line["x12"]]
    assert [s.split("*")[0] for s in segments] == ["SV1", "LIN", "CTP", "SV1", "LIN", "CTP"]  # one LIN after each SV1


def test_single_line_note_kp_kq_and_un_profiles(capsys, tmp_path, monkeypatch):
    note = run_json([*XOLAIR_375, "--payer-profile", "palmetto-jm-part-b"], capsys)["lines"]
    assert [(line["units"], line["ndc"]) for line in note] == [(75, "50242022701")]
    assert note[0]["note"] == "Also NDC N450242021401 ML0.5"
    kpkq = run_json([*XOLAIR_375, "--payer-profile", "west-virginia-medicaid"], capsys)["lines"]
    assert [line["modifiers"] for line in kpkq] == [["JZ", "KP"], ["JZ", "KQ"]]
    org = tmp_path / "payers.toml"
    org.write_text(ORG_FILE, encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(org))
    un = run_json([*XOLAIR_375, "--payer-profile", "acme-medicaid"], capsys)["lines"]
    assert [line["cms1500_24a"] for line in un] == ["N450242022701 UN1", "N450242021401 UN1"]


def test_belimumab_hospital_outpatient_with_ud_on_both_lines(capsys):
    argv = [
        "units",
        "J0490",
        "--dose",
        "735mg",
        "--package",
        "49401-0102-01x2",
        "--setting",
        "hospital-outpatient",
        "--payer-profile",
        "illinois-medicaid",
        "--340b",
        "yes",
    ]
    data = run_json(argv, capsys)
    lines = data["lines"]
    assert [(line["kind"], line["ndc"]) for line in lines] == [
        ("administered", "49401010201"),
        ("discarded", "49401010201"),
    ]
    assert all("UD" in line["modifiers"] and line["modifiers"][0] == "UD" for line in lines)
    assert "JW" in lines[1]["modifiers"]
    assert data["claim_form"] == "ub04" and all(line["x12"][0].startswith("SV2*0636*") for line in lines)
    assert sum(line["units"] for line in lines) == 80  # 73.5 -> 74 given, 65 mg -> 6 JW: the two vials' 80 units


@pytest.mark.parametrize(
    "kind, argv",
    [
        ("P", XOLAIR_375),
        ("P", [*XOLAIR_375, "--payer-profile", "palmetto-jm-part-b"]),
        ("P", ["units", "J2357", "--dose", "75mg", "--package", "50242-0040-62"]),
        (
            "I",
            [
                "units",
                "J0490",
                "--dose",
                "735mg",
                "--package",
                "49401-0102-01x2",
                "--setting",
                "hospital-outpatient",
                "--payer-profile",
                "illinois-medicaid",
                "--340b",
                "yes",
            ],
        ),
        ("I", [*XOLAIR_375, "--setting", "hospital-outpatient"]),
    ],
)
def test_the_837_lines_validate(kind, argv, capsys):
    lines = run_json([*argv, "--charge", "12.50"], capsys)["lines"]
    ok, ack = validate(envelope(kind, [tuple(line["x12"]) for line in lines]))
    assert ok, ack


def test_two_ndcs_on_one_837_line_would_not_validate():
    """The validator enforces what the split is for: Loop 2410 occurs once per service line."""
    line = (
        "SV1*HC:J2357:JZ*0*UN*75***1~",
        "LIN**N4*50242022701~",
        "CTP****2*ML~",
        "LIN**N4*50242021401~",
        "CTP****0.5*ML~",
    )
    ok, _ = validate(envelope("P", [line]))
    assert not ok


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_split_lines_have_one_ndc_and_keep_the_units(catalog, data):  # slow (tests/conftest.py)
    check_split_lines(catalog, data)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_split_lines_have_one_ndc_and_keep_the_units_on_a_sample(catalog, data):
    """The same on fewer cases, for the fast set."""
    check_split_lines(catalog, data)


def check_split_lines(catalog, data):
    from omaliref.domain.calculator import calculate
    from omaliref.domain.case import CaseInput, case_from_input
    from tests.conftest import TODAY

    profile = data.draw(st.sampled_from(["medicare-part-b", "medicaid", "west-virginia-medicaid", "illinois-medicaid"]))
    code = data.draw(st.sampled_from(["J2357", "J0490", "J2182", "J0561"]))
    products = [p for p in catalog.products_for(code) if p.verified]
    picks = data.draw(st.lists(st.sampled_from(products), min_size=1, max_size=3, unique=True))
    counts = [data.draw(st.integers(1, 3)) for _ in picks]
    unit = catalog.codes[code].billing_unit
    labelled = sum(p.container_amount.to(unit.unit).amount * n for p, n in zip(picks, counts, strict=True))
    dose = labelled * data.draw(st.integers(1, 100)) / 100
    case = case_from_input(
        CaseInput(
            code=code,
            dose=f"{float(dose):.4f}{unit.unit}",
            containers=tuple(f"{p.ndc}x{n}" for p, n in zip(picks, counts, strict=True)),
        ),
        TODAY,
        catalog.payer_profiles[profile],
    )
    try:
        result = calculate(catalog, case)
    except Exception as exc:
        from omaliref.domain.errors import InputError

        assert isinstance(exc, InputError) and str(exc)
        return
    assert all(len(line.ndc_parts) == 1 for line in result.lines)
    assert sum(line.units for line in result.lines) == result.administered_units + result.discarded_units
    if case.payer_profile.ndc_required:
        assert all(p.ndc_unit for line in result.lines for p in line.ndc_parts)


def test_org_profiles_via_env_and_site_folder_and_a_broken_one_is_ignored(tmp_path):
    org = tmp_path / "env" / "payers.toml"
    org.parent.mkdir()
    org.write_text(ORG_FILE, encoding="utf-8")
    site = tmp_path / "xdg" / "omaliref"
    site.mkdir(parents=True)
    (site / "payers.toml").write_text(ORG_FILE.replace("acme-medicaid", "site-plan").replace("Acme", "Site"))
    broken = tmp_path / "broken.toml"
    broken.write_text('[[payer]]\nid = "x"\nname = "X"\nkind = "medicare"\nmulti_ndc = "sideways"\n')
    env = {
        **os.environ,
        "OMALIREF_STATE_DIR": str(tmp_path / "state"),
        "XDG_CONFIG_DIRS": str(tmp_path / "xdg"),
        "OMALIREF_PAYERS": str(org),
    }
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "payers", "--json"], capture_output=True, text=True, env=env, check=False
    )
    ids = {p["id"]: p["origin"] for p in json.loads(out.stdout)["profiles"]}
    assert ids["acme-medicaid"] == str(org) and ids["site-plan"].endswith("payers.toml")
    env["OMALIREF_PAYERS"] = str(broken)
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "payers"], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0 and "medicare-part-b" in out.stdout and "site-plan" in out.stdout
    assert "'sideways' is not allowed" in out.stderr and "left out" in out.stderr


@pytest.mark.parametrize(
    "argv, fragment",
    [
        ([*XOLAIR_375, "--payer-profile", "nosuch"], "Payer profile 'nosuch' is not known"),
        ([*XOLAIR_375, "--payer-profile", "palmetto-jm-part-b", "--setting", "hospital-outpatient"], "no place for"),
        ([*XOLAIR_375, "--340b", "yes"], "--340b yes needs a 340B modifier"),
        ([*XOLAIR_375, "--340b", "U8"], "Medicaid program's 340B modifier"),
        ([*XOLAIR_375, "--format", "hl7"], "Format 'hl7' is not known"),
        (["payers", "show", "nosuch"], "is not known"),
    ],
)
def test_bad_profile_input_is_one_sentence(argv, fragment, capsys):
    code, err = run_err(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_payers_check_names_file_record_and_field(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(ORG_FILE, encoding="utf-8")
    assert run_err(["payers", "check", str(good)], capsys)[0] == 0
    for edit, field in (('jw_jz = "sometimes"', "'jw_jz'"), ('jw_jz = "medicare"\ncolour = "blue"', "'colour'")):
        bad = tmp_path / "bad.toml"
        bad.write_text(ORG_FILE.replace('jw_jz = "medicare"', edit), encoding="utf-8")
        code, err = run_err(["payers", "check", str(bad)], capsys)
        assert code == 3 and err.startswith(f"omaliref: the payer file is invalid: {bad}: 1 problem:")
        assert str(bad) in err and "payer 'acme-medicaid'" in err and f"field {field}" in err


def test_max_units_and_a_profile_340b_item(capsys, tmp_path, monkeypatch):
    org = tmp_path / "payers.toml"
    org.write_text(ORG_FILE.replace("J2357 = 120", "J2357 = 60"), encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(org))
    data = run_json([*XOLAIR_375, "--payer-profile", "acme-medicaid"], capsys)
    assert any("more than Acme Health Medicaid's maximum of 60" in w["message"] for w in data["warnings"])
    checklist = run_json(["checklist", "J2357", "--payer-profile", "acme-medicaid", "--340b", "yes"], capsys)
    item = next(i for i in checklist["items"] if i["id"] == "payer-340b-modifier")
    assert item["detail"] == "Acme Health Medicaid: UD"


def test_ngs_item_exact_with_an_ngs_mac(capsys):
    ngs = run_json(["checklist", "J2357", "--payer-profile", "ngs-j6-part-b"], capsys)
    assert any(i["id"] == "dx-ngs-a52448" and not i["conditional"] for i in ngs["items"])
    jm = run_json(["checklist", "J2357", "--payer-profile", "palmetto-jm-part-b"], capsys)
    assert not any(i["id"] == "dx-ngs-a52448" for i in jm["items"])
    unknown = run_json(["checklist", "J2357"], capsys)
    assert any(i["id"] == "dx-ngs-a52448" and i["conditional"] for i in unknown["items"])
