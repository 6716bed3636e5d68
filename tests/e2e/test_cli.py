"""The CLI as scripts and IT use it: python -m omaliref in a subprocess, JSON shapes and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run(*args, state=None):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state or "/nonexistent-omaliref"), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=60
    )


def as_json(*args):
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_search_xolair_ranks_j2357_first():
    data = as_json("search", "xolair")
    assert data["query"] == "xolair"
    first = data["results"][0]
    assert first["id"] == "J2357" and first["kind"] == "code"
    assert set(first) >= {"id", "kind", "title", "summary", "alerts"}


def test_search_j7402_omalizumab_alerts_point_to_j2357():
    first = as_json("search", "J7402 omalizumab")["results"][0]
    assert first["id"] == "J7402" and any("J2357" in a for a in first["alerts"])


def test_search_typo_and_ndc_and_modifier():
    assert "J2357" in [r["id"] for r in as_json("search", "omalizumb")["results"][:3]]
    assert as_json("search", "50242021501")["results"][0]["title"].startswith("50242-0215-01 — Xolair 150 mg")
    assert as_json("search", "jz")["results"][0]["id"] == "JZ"


def test_show_j2357_json_shape():
    data = as_json("show", "J2357")
    assert data["code"] == "J2357" and data["descriptor"] == "Injection, omalizumab, 5 mg"
    assert data["billing_unit"] == {"amount": "5", "unit": "mg"}
    assert data["status"] == "active" and data["confidence"] == "high"
    assert len(data["sections"]) == 7 and data["products"] and data["lookalikes"]
    assert all({"id", "title", "url", "date"} <= set(s) for s in data["sources"])


def test_show_ndc_modifier_topic():
    assert as_json("show", "50242-0215-01")["kind"] == "product"
    assert as_json("show", "jw")["code"] == "JW"
    assert as_json("show", "mue")["kind"] == "topic"


def test_units_json_shape():
    data = as_json("units", "J2357", "--dose", "225mg", "--package", "50242-0040-62x2", "--date", "2026-11-01")
    assert set(data) >= {
        "code",
        "billing_unit",
        "dose",
        "packages",
        "lines",
        "administered_units",
        "discarded_units",
        "warnings",
        "rules",
    }
    assert [(l["modifiers"], l["units"]) for l in data["lines"]] == [([], 45), (["JW"], 15)]
    assert data["lines"][0]["ndc"] == "50242004062" and data["lines"][0]["ndc_unit"] == "UN"
    assert data["packages"] == [
        {
            "ndc": "50242-0040-62",
            "description": data["packages"][0]["description"],
            "count": 2,
            "container_amount": {"amount": "150", "unit": "mg"},
        }
    ]
    assert all({"level", "message"} <= set(w) for w in data["warnings"])


def test_check_and_dose_and_checklist():
    check = as_json("check", "J2357", "--dose", "150mg", "--units", "150")
    assert check["ok"] is False and check["correct_units"] == 30
    dose = as_json("dose", "omalizumab", "--indication", "asthma", "--ige", "150", "--weight", "95", "--age", "40")
    assert dose["doses_mg"] == [225] and dose["interval_weeks"] == 2
    checklist = as_json("checklist", "J2357", "--payer", "commercial", "--dose", "375mg")
    assert set(checklist) >= {"items", "findings", "verdict"}
    assert any(i["id"] == "prior-auth" for i in checklist["items"])


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("show", "Z9999"), "not a code, modifier, NDC or topic"),
        (("units", "J2357", "--dose", "abc"), "not a dose unit"),
        (("units", "J2357", "--dose", "150mg", "--payer", "tricare"), "not known"),
        (("units", "J7402", "--dose", "375mg"), "J2357"),
        (("search", "x", "--limit", "ten"), "whole number"),
        (("check", "J2357", "--dose", "150mg", "--units", "1.5"), "whole number"),
        (("dose", "nucala", "--indication", "asthma"), "only in the data pack for omalizumab"),
        (("frobnicate",), "invalid choice"),
        (("units", "J2357"), "required"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args, fragment):
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert fragment in out.stderr


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("omaliref ")


def test_smoke_test_builds_the_window_and_exits_0(tmp_path):
    out = run("--smoke-test", state=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("smoke-test ok")


def test_screenshot_writes_a_png_per_pane(tmp_path):
    out = run("--screenshot", str(tmp_path / "shots"), state=tmp_path / "state")
    assert out.returncode == 0, out.stderr
    for name in ("window.png", "reference.png", "calculator.png", "checklist.png"):
        data = (tmp_path / "shots" / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000


def test_state_dir_flag_relocates_logs(tmp_path):
    out = run("--state-dir", str(tmp_path / "elsewhere"), "--smoke-test", state=tmp_path / "env")
    assert out.returncode == 0
    assert (tmp_path / "elsewhere" / "logs" / "omaliref.log").exists()
    assert not (tmp_path / "env").exists()


def test_screenshot_at_a_given_size(tmp_path):
    out = run("--state-dir", str(tmp_path / "state"), "--screenshot", str(tmp_path / "shots"), "--size", "1366x768")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "shots" / "window-1366x768.png").read_bytes()[:4] == b"\x89PNG"


def test_screenshot_into_a_file_or_a_bad_size_is_one_sentence(tmp_path):
    target = tmp_path / "taken.png"
    target.write_bytes(b"x")
    out = run("--screenshot", str(target))
    assert out.returncode == 2 and "needs a folder" in out.stderr and target.read_bytes() == b"x"
    out = run("--screenshot", str(tmp_path / "s"), "--size", "huge")
    assert out.returncode == 2 and "not a window size" in out.stderr


@pytest.mark.parametrize("name", ["omalizumab", "Xolair", "OMLYCLO", "omalizumab-igec", "j2357", "Q5154"])
def test_dose_takes_the_names_the_pack_gives_its_dosed_codes(name, capsys):
    """The codes of [[dosed_code]], their drug and their packages' brands: omalizumab is J2357's drug."""
    from omaliref.cli import main

    assert main(["dose", name, "--indication", "csu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "dose"


def test_dose_refuses_another_drug_with_the_same_sentence(capsys):
    from omaliref.cli import main

    assert main(["dose", "Nucala", "--indication", "asthma"]) == 2
    assert capsys.readouterr().err == (
        "omaliref: Dose tables are only in the data pack for omalizumab, not 'Nucala'.\n"
    )
