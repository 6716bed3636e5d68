"""The frozen bundle (PyInstaller one-folder build): the data pack loads unchanged, the CLI and GUI run.

Skipped unless OMALIREF_FROZEN names the built executable (`sh packaging/dev.sh frozen-check` sets it; CI runs it).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

FROZEN = os.environ.get("OMALIREF_FROZEN", "")
pytestmark = pytest.mark.skipif(not FROZEN or not os.path.exists(FROZEN), reason="no frozen build to test")


def run(*args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OMALIREF_STATE_DIR=str(tmp_path))
    return subprocess.run([FROZEN, *args], capture_output=True, text=True, env=env, timeout=120)


def test_frozen_smoke_test(tmp_path):
    out = run("--smoke-test", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("smoke-test ok")


def test_frozen_pack_loads_and_search_works(tmp_path):
    out = run("search", "xolair", "--json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"][0]["id"] == "J2357"
    show = json.loads(run("show", "J2357", "--json", tmp_path=tmp_path).stdout)
    assert show["billing_unit"] == {"amount": "5", "unit": "mg"} and len(show["sections"]) == 7


def test_frozen_calculator_and_bad_input(tmp_path):
    out = run("units", "J2357", "--dose", "375mg", "--json", tmp_path=tmp_path)
    # Medicare Part B by default: one line per NDC (the 300 mg and the 75 mg syringe), JZ on each
    lines = json.loads(out.stdout)["lines"]
    assert [(l["modifiers"], l["units"]) for l in lines] == [(["JZ"], 60), (["JZ"], 15)]
    bad = run("units", "J2357", "--dose", "abc", tmp_path=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_frozen_version(tmp_path):
    out = run("--version", tmp_path=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("omaliref ")


def test_frozen_cms_import(tmp_path):
    from tests.fixtures.cms import quarter_zips

    zips = quarter_zips(tmp_path / "q1")
    out = run("import", *map(str, zips), "--json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["imported"]) == 4
    units = json.loads(
        run(
            "units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose", "--json", tmp_path=tmp_path
        ).stdout
    )
    assert units["payment_limit"]["per_unit"] == "12.345"


def test_frozen_imports_the_real_xlsx_edition_and_reviews(tmp_path):
    """python-calamine (an extension module) must be in the bundle: the XLSX edition of the HCPCS file is read only
    by it."""
    from tests.e2e.test_cms_real import ANWEB_XLSX, CROSSWALK_JUL24

    out = run("import", str(ANWEB_XLSX), str(CROSSWALK_JUL24), "--json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [r["quarter"] for r in json.loads(out.stdout)["imported"]] == ["2020Q2", "2024Q3"]
    review = run("review", "--json", tmp_path=tmp_path)
    assert review.returncode == 0, review.stdout
    assert json.loads(review.stdout)["counts"]["confirmed"] > 0


def test_frozen_smoke_test_with_a_damaged_database_and_damaged_preferences(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "state.json").write_bytes(b"\xff\xfe not json")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cms.sqlite3").write_bytes(b"not an SQLite database " * 40)
    out = run("--smoke-test", tmp_path=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("smoke-test ok"), out.stdout + out.stderr
    assert any(p.name.startswith("cms.sqlite3.damaged-") for p in (tmp_path / "data").iterdir())


def test_frozen_audit_reads_an_837(tmp_path):
    """pyx12's X12 maps travel with the bundle: the frozen app audits its own 837 output."""
    from tests.fixtures.x12 import envelope, services_of

    out = run(
        "units",
        "J2357",
        "--dose",
        "300mg",
        "--package",
        "50242-0215-01x2",
        "--date",
        "2026-12-01",
        "--charge",
        "10.00",
        "--format",
        "x12",
        tmp_path=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    claim = tmp_path / "claim.837"
    claim.write_text(envelope("P", services_of(out.stdout)), encoding="ascii")
    audited = run("audit", str(claim), "--json", tmp_path=tmp_path)
    assert audited.returncode == 0, audited.stderr
    data = json.loads(audited.stdout)
    assert data["input"]["kind"] == "837P" and data["counts"]["clean"] == data["counts"]["lines"] >= 1
