"""The public JSON shapes, pinned key for key against tests/golden/.

A removed or renamed key fails. An added key fails too until the golden file is regenerated
(OMALIREF_UPDATE_GOLDEN=1 pytest tests/e2e/test_golden_json.py), so every change to a public shape is seen in review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from omaliref.cli import main
from tests.fixtures.cms import quarter_zips

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CASES = {
    "search": ["search", "xolair"],
    "show-code": ["show", "J2357"],
    "show-modifier": ["show", "JW"],
    "show-product": ["show", "50242-0040-62"],
    "show-topic": ["show", "discarded-drug-policy"],
    "payers-list": ["payers", "list"],
    "payers-show": ["payers", "show", "medicare-part-b"],
    "review-nothing-imported": ["review"],
    "units": ["units", "J2357", "--dose", "225mg", "--package", "50242-0040-62x2", "--date", "2026-11-02"],
    "check": ["check", "J2357", "--dose", "150mg", "--units", "150"],
    "dose": ["dose", "omalizumab", "--indication", "asthma", "--ige", "150", "--weight", "65", "--age", "30"],
    "checklist": [
        "checklist",
        "J2357",
        "--dose",
        "375mg",
        "--indication",
        "asthma",
        "--ige",
        "150",
        "--age",
        "30",
        "--weight",
        "65",
        "--date",
        "2026-11-02",
    ],
}
IMPORTED_CASES = {
    "quarters": ["quarters"],
    "changes": ["changes", "--from", "2027Q1", "--to", "2027Q2"],
    "units-imported": ["units", "J0001", "--dose", "25mg", "--single-dose", "--date", "2027-02-01"],
    "show-imported": ["show", "J0001"],
    "review": ["review", "--quarter", "2027Q1"],
}


def shape(value: Any) -> Any:
    """Keys recursively; a list is the union of its items' shapes; every scalar (null included) is one token."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        merged: Any = "scalar"
        for item in value:
            merged = merge(merged, shape(item))
        return [merged]
    return "scalar"


def merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k, "scalar"), b.get(k, "scalar")) for k in {**a, **b}}
    if isinstance(a, list) and isinstance(b, list):
        return [merge(a[0], b[0])]
    return b if a == "scalar" else a


def keys(s: Any, prefix: str = "") -> set[str]:
    if isinstance(s, dict):
        return {f"{prefix}{k}" for k in s} | {p for k, v in s.items() for p in keys(v, f"{prefix}{k}.")}
    if isinstance(s, list):
        return keys(s[0], f"{prefix}[].")
    return set()


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def check_against_golden(name: str, data: Any) -> None:
    path = GOLDEN / f"{name}.json"
    actual = shape(data)
    if os.environ.get("OMALIREF_UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    removed, added = keys(golden) - keys(actual), keys(actual) - keys(golden)
    assert not removed, f"{name}: public keys removed or renamed: {sorted(removed)}"
    assert not added, f"{name}: new keys {sorted(added)}: regenerate with OMALIREF_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", CASES)
def test_curated_shapes(name, capsys):
    check_against_golden(name, run_json(CASES[name], capsys))


def test_import_shape(tmp_path, capsys):
    data = run_json(["import", *map(str, quarter_zips(tmp_path / "q1"))], capsys)
    check_against_golden("import", data)


@pytest.mark.parametrize("name", IMPORTED_CASES)
def test_imported_shapes(name, tmp_path, capsys):
    run_json(["import", *map(str, quarter_zips(tmp_path / "q1"))], capsys)
    run_json(["import", *map(str, quarter_zips(tmp_path / "q2", month="APR", changes=True))], capsys)
    check_against_golden(name, run_json(IMPORTED_CASES[name], capsys))


def test_audit_shape(capsys):
    """The wrong-lines fixture has every kind of finding; its exit status is 1 (errors found)."""
    fixture = GOLDEN.parent / "fixtures" / "audit" / "keyed_with_patient_columns.csv"
    wrong = GOLDEN.parent / "fixtures" / "audit" / "keyed_wrong.csv"
    assert main(["audit", str(wrong), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert main(["audit", str(fixture), "--json"]) == 1  # skipped and unused columns: lists of names
    data["input"] = json.loads(capsys.readouterr().out)["input"]
    check_against_golden("audit", data)


def test_shape_sees_a_removed_key():
    golden = shape({"a": 1, "b": [{"c": 1}]})
    assert keys(golden) - keys(shape({"a": 1, "b": [{"d": 1}]})) == {"b.[].c"}


def test_payers_check_shape(tmp_path, capsys):
    """`payers check FILE --json`: a valid file's profiles, and an invalid file's problems (line, record, field,
    value, why), in one shape."""
    good = tmp_path / "good.toml"
    good.write_text('[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\njw_jz = "medicare"\n', "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\njw_jz = "sometimes"\n', "utf-8")
    data = run_json(["payers", "check", str(good)], capsys)
    assert data["profiles"] and data["problems"] == []
    assert main(["payers", "check", str(bad), "--json"]) == 3
    invalid = json.loads(capsys.readouterr().out)
    assert invalid["profiles"] == [] and invalid["problems"]
    data["problems"] = invalid["problems"]
    check_against_golden("payers-check", data)
