"""The CMS import through the CLI: import, quarters, changes, and units for a code only the import holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fixtures.cms import ASP_CSV, NAMES, quarter_zips, write_zip


def run(state, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_import_quarters_changes_and_units(tmp_path):
    state = tmp_path / "state"
    q1 = quarter_zips(tmp_path / "q1")
    q2 = quarter_zips(tmp_path / "q2", month="APR", changes=True)
    out = run(state, "import", *map(str, q1), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [(r["kind"], r["quarter"], r["rows"], r["status"]) for r in data["imported"]] == [
        ("hcpcs", "2027Q1", 4, "imported"),
        ("asp", "2027Q1", 5, "imported"),
        ("crosswalk", "2027Q1", 5, "imported"),
        ("mue", "2027Q1", 4, "imported"),
    ]
    again = json.loads(run(state, "import", *map(str, q1), "--json").stdout)
    assert {r["status"] for r in again["imported"]} == {"unchanged"}
    assert run(state, "import", *map(str, q2)).returncode == 0

    quarters = json.loads(run(state, "quarters", "--json").stdout)["quarters"]
    assert [q["quarter"] for q in quarters] == ["2027Q1", "2027Q2"]
    assert all(len(f["sha256"]) == 64 for f in quarters[0]["files"])

    diff = json.loads(run(state, "changes", "--from", "2027Q1", "--to", "2027Q2", "--json").stdout)
    assert [c["code"] for c in diff["codes_added"]] == ["J0006"]
    assert diff["mue_changes"][0]["code"] == "J0001"
    text = run(state, "changes", "--from", "2027Q1", "--to", "2027Q2").stdout
    assert "{'" not in text and "None" not in text  # sentences from typed fields, never a dict repr
    assert "J0001 (practitioner): 10 units (MAI 3) → 12 units (MAI 3)" in text
    assert "J0003: $9.870 per unit → not priced" in text
    only = json.loads(run(state, "changes", "--from", "2027Q1", "--to", "2027Q2", "--codes", "J2357", "--json").stdout)
    assert only["payment_limit_changes"] == [] and only["codes"] == ["J2357"]

    chosen = json.loads(
        run(state, "units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose", "--json").stdout
    )
    # --single-dose covers only an NDC the coder names: no JW/JZ on the package the calculator chose, and it says so
    assert [(l["modifiers"], l["units"]) for l in chosen["lines"]] == [([], 3)]
    assert any("chosen by the calculator, is not established" in w["message"] for w in chosen["warnings"])
    named = ["--package", "99999-0001-10", "--single-dose"]
    units = json.loads(run(state, "units", "J0001", "--dose", "25mg", "--date", "2027-02-01", *named, "--json").stdout)
    assert [(l["modifiers"], l["units"]) for l in units["lines"]] == [([], 3), (["JW"], 7)]
    assert units["payment_limit"]["per_unit"] == "12.345" and units["mue"][0]["value"] == 10
    # UN counts the crosswalk's items; the unit of its package size is not given, and the warning says so by file
    assert units["lines"][0]["ndc_unit"] == "UN" and units["lines"][0]["ndc_quantity"] == "0.25"
    assert any("does not state the unit of the package size" in w["message"] for w in units["warnings"])

    show = json.loads(run(state, "show", "J0001", "--json").stdout)
    assert show["origin"] == "cms-import" and show["billing_unit"] == {"amount": "10", "unit": "mg"}
    assert show["field_sources"]["descriptor"] == "cms-hcpcs-2027Q2"
    curated = json.loads(run(state, "show", "J2357", "--json").stdout)
    assert curated["descriptor"] == "Injection, omalizumab, 5 mg" and curated["conflicts"]
    assert json.loads(run(state, "search", "J0006", "--json").stdout)["results"][0]["id"] == "J0006"


def test_broken_file_is_refused_with_its_line(tmp_path):
    bad = write_zip(tmp_path / "bad.zip", {NAMES["asp"]: ASP_CSV.replace("HCPCS Code Dosage", "Dose")})
    out = run(tmp_path / "state", "import", str(bad))
    assert out.returncode == 2 and "Nothing was imported" in out.stderr and "line 9" in out.stderr
    assert "Traceback" not in out.stderr
    assert json.loads(run(tmp_path / "state", "quarters", "--json").stdout)["quarters"] == []


def test_changes_needs_imported_quarters(tmp_path):
    out = run(tmp_path / "state", "changes", "--from", "2027Q1", "--to", "2027Q2")
    assert out.returncode == 2 and "not imported" in out.stderr
    bad = run(tmp_path / "state", "changes", "--from", "2027-1", "--to", "2027Q2")
    assert bad.returncode == 2 and "not a quarter" in bad.stderr


def test_review_quarters_and_changes_exit_2_when_the_store_cannot_be_read(tmp_path):
    """Red team 2026-12 #9: `review` is a documented gate; under a lock it listed everything 'not-imported' and
    exited 0. A store that exists but cannot be read is one sentence and exit 2 for review, quarters and changes."""
    import sqlite3

    state = tmp_path / "state"
    assert run(state, "import", *map(str, quarter_zips(tmp_path / "q1"))).returncode == 0
    database = state / "data" / "cms.sqlite3"
    db = sqlite3.connect(database)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")  # written by a newer omaliref
    db.commit()
    db.close()
    for args in (("review",), ("quarters",), ("quarters", "--json"), ("changes", "--from", "2027Q1", "--to", "2027Q2")):
        out = run(state, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert out.stdout == "" and len(out.stderr.strip().splitlines()) == 1, args
        assert "newer omaliref" in out.stderr and "Traceback" not in out.stderr
    assert run(state, "units", "J2357", "--dose", "375mg").returncode == 0  # the curated pack still answers
    assert database.exists()
