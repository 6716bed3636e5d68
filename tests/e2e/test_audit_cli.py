"""`omaliref audit` as scripts use it: exit status, machine output on stdout only, and no patient data anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.x12 import envelope, services_of, validate
from tests.unit.test_keyed_lines import EXPECTED_WRONG, PATIENT_VALUES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audit"


def run(*args: str, state: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", "audit", *args], input=stdin, capture_output=True, env=env, timeout=60
    )


def test_right_lines_exit_0_and_wrong_lines_exit_1_with_their_findings(tmp_path):
    right = run(str(FIXTURES / "keyed_right.csv"), "--json", state=tmp_path)
    assert right.returncode == 0 and right.stderr == b""
    assert json.loads(right.stdout)["counts"] == {
        "lines": 20,
        "judged": 20,
        "error": 0,
        "warning": 0,
        "info": 0,
        "clean": 20,
    }
    wrong = run(str(FIXTURES / "keyed_wrong.csv"), "--json", state=tmp_path)
    assert wrong.returncode == 1 and wrong.stderr == b""
    data = json.loads(wrong.stdout)
    assert {(x["ref"], f["check"], f["level"]) for x in data["lines"] for f in x["findings"]} == EXPECTED_WRONG


def test_text_puts_the_worst_lines_first(tmp_path):
    out = run(str(FIXTURES / "keyed_wrong.csv"), state=tmp_path)
    text = out.stdout.decode()
    assert out.returncode == 1
    assert text.index("ERROR [") < text.index("INFO [not-judged]") < text.index("  clean")
    assert "Fix: Replace JG with TB." in text


def test_standard_input(tmp_path):
    out = run("-", "--json", state=tmp_path, stdin=(FIXTURES / "keyed_right.csv").read_bytes())
    assert out.returncode == 0 and json.loads(out.stdout)["counts"]["clean"] == 20


def test_unreadable_input_exits_2_with_one_sentence(tmp_path):
    binary = tmp_path / "export.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00garbage\x00")
    no_code = tmp_path / "nocode.csv"
    no_code.write_text("Units,NDC\n30,50242021501\n", encoding="utf-8")
    for given in (str(tmp_path / "missing.csv"), str(binary), str(no_code)):
        out = run(given, "--json", state=tmp_path / "state")
        assert out.returncode == 2 and out.stdout == b"", given
        err = out.stderr.decode()
        assert err.startswith("omaliref: ") and err.count("\n") == 1, err


def test_patient_columns_never_reach_the_output_or_the_state_folder(tmp_path):
    state = tmp_path / "state"
    outputs = [
        run(str(FIXTURES / "keyed_with_patient_columns.csv"), *extra, state=state) for extra in ((), ("--json",))
    ]
    for out in outputs:
        assert out.returncode == 1  # row 2 lacks JZ, row 3 carries JG in 2026: the lines were audited
        both = (out.stdout + out.stderr).decode()
        assert not [v for v in PATIENT_VALUES if v in both]
    assert "Skipped unread (patient data): Patient Name, DOB, Member ID." in outputs[0].stdout.decode()
    assert json.loads(outputs[1].stdout)["input"]["skipped_columns"] == ["Patient Name", "DOB", "Member ID"]
    written = [p for p in state.rglob("*") if p.is_file()] if state.exists() else []
    for path in written:
        content = path.read_bytes()
        assert not [v for v in PATIENT_VALUES if v.encode() in content], path


def x12_lines(*units_args: str, state: Path) -> list[tuple[str, ...]]:
    """omaliref's own `units --format x12` segments for one case, one tuple per service line."""
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        # a charge per unit: without one the 837 carries the CHARGE placeholder, which a validator rightly refuses
        [
            sys.executable,
            "-m",
            "omaliref",
            "units",
            *units_args,
            "--date",
            "2026-12-01",
            "--charge",
            "10.00",
            "--format",
            "x12",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return services_of(out.stdout)


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        ("P", ("J2357", "--dose", "300mg", "--package", "50242-0215-01x2")),
        ("P", ("J2357", "--dose", "225mg", "--package", "50242-0215-01x2")),  # an administered and a JW line
        ("I", ("J2357", "--dose", "300mg", "--package", "50242-0227-01", "--setting", "hospital-outpatient")),
    ],
)
def test_omalirefs_own_837_audits_clean_and_a_changed_ctp_quantity_gets_one_finding(tmp_path, kind, case):
    services = x12_lines(*case, state=tmp_path)
    claim = envelope(kind, services)
    assert validate(claim)[0]  # a well-formed 837, as pyx12's validator reads it
    path = tmp_path / "claim.837"
    path.write_text(claim, encoding="ascii")
    clean = run(str(path), "--json", state=tmp_path)
    assert clean.returncode == 0, clean.stderr
    data = json.loads(clean.stdout)
    assert data["input"]["kind"] == f"837{kind}" and data["counts"]["clean"] == data["counts"]["lines"] >= 1
    first_ctp = next(s for s in services[0] if s.startswith("CTP"))
    changed = first_ctp.replace("****", "****9", 1)  # CTP04 quantity 2 -> 92, 1.5 -> 91.5 …
    path.write_text(claim.replace(first_ctp, changed, 1), encoding="ascii")
    wrong = run(str(path), "--json", state=tmp_path)
    findings = [(x["ref"], f["check"]) for x in json.loads(wrong.stdout)["lines"] for f in x["findings"]]
    assert findings == [("claim 1 line 1", "units-ndc")]


def test_the_837s_patient_loops_never_reach_the_output(tmp_path):
    claim = envelope("P", x12_lines("J2357", "--dose", "300mg", "--package", "50242-0215-01x2", state=tmp_path))
    path = tmp_path / "claim.837"
    path.write_text(claim, encoding="ascii")
    for extra in ((), ("--json",)):
        out = run(str(path), *extra, state=tmp_path)
        both = (out.stdout + out.stderr).decode()
        assert out.returncode == 0 and "PATIENT" not in both and "19500101" not in both and "ELM ST" not in both


def test_an_837i_without_the_ud_its_profile_wants_gets_one_finding(tmp_path):
    """Illinois Medicaid wants UD (first) on 340B drugs: omaliref's own 837I line is clean; without UD, one finding."""
    case = ("J2357", "--dose", "300mg", "--package", "50242-0227-01", "--setting", "hospital-outpatient")
    services = x12_lines(
        *case, "--payer", "medicaid", "--payer-profile", "illinois-medicaid", "--340b", "yes", state=tmp_path
    )
    claim = envelope("I", services)
    assert services[0][0].startswith("SV2*0636*HC:J2357:UD:JZ*")
    path = tmp_path / "claim.837"
    audit = ("--payer-profile", "illinois-medicaid", "--340b", "--json")
    for text, expected in ((claim, []), (claim.replace(":UD:JZ*", ":JZ*"), [("claim 1 line 1", "340b")])):
        path.write_text(text, encoding="ascii")
        out = run(str(path), *audit, state=tmp_path)
        data = json.loads(out.stdout)
        assert [(x["ref"], f["check"]) for x in data["lines"] for f in x["findings"]] == expected
        assert out.returncode == (1 if expected else 0)
