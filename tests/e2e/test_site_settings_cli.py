"""The CLI under the organization's settings file, and `omaliref site check` for IT."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fixtures.cms import quarter_zips


def run(tmp_path, site, *args):
    env = dict(
        os.environ, OMALIREF_STATE_DIR=str(tmp_path / "user"), OMALIREF_SITE_DIR=str(site), QT_QPA_PLATFORM="offscreen"
    )
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


def site_with(tmp_path, settings: str):
    site = tmp_path / "org"
    site.mkdir(exist_ok=True)
    (site / "settings.toml").write_text(settings, encoding="utf-8")
    return site


def test_units_uses_the_locked_site_payer_profile_and_setting(tmp_path):
    site = site_with(
        tmp_path, 'payer_profile = "commercial"\nsetting = "hospital-outpatient"\nlocked = ["payer_profile"]\n'
    )
    result = run(tmp_path, site, "units", "J2357", "--dose", "375mg", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["profile"]["id"], data["payer"], data["setting"]) == (
        "commercial",
        "commercial",
        "hospital-outpatient",
    )
    plain = run(tmp_path, tmp_path / "no-site", "units", "J2357", "--dose", "375mg", "--json")
    assert json.loads(plain.stdout)["profile"]["id"] == "medicare-part-b"  # without the site: the app's default


def test_a_typo_in_the_settings_file_is_a_notice_and_the_command_answers(tmp_path):
    site = site_with(tmp_path, 'payer_profile = "commercial"\nsettting = "office"\n')
    result = run(tmp_path, site, "search", "xolair")
    assert result.returncode == 0 and "J2357" in result.stdout
    assert f"{site / 'settings.toml'}, line 2, key 'settting'" in result.stderr
    assert "did you mean 'setting'" in result.stderr


def test_a_site_profile_no_file_defines_is_one_sentence_exit_2(tmp_path):
    site = site_with(tmp_path, 'payer_profile = "acme-ppo"\n')
    result = run(tmp_path, site, "units", "J2357", "--dose", "375mg")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "'acme-ppo' is not a payer profile" in result.stderr


def test_site_check_lists_three_problems_and_exits_3(tmp_path):
    site = site_with(tmp_path, 'setting = "clinic"\nlockd = ["setting"]\n')
    (site / "hcpcs-copy.zip").write_bytes(b"PK\x03\x04 cut short")
    result = run(tmp_path, tmp_path / "no-site", "site", "check", str(site))
    assert result.returncode == 3, result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 3 and "has 3 problems" in result.stderr
    assert "line 1, key 'setting'" in problems[0] and "line 2, key 'lockd'" in problems[1]
    assert "hcpcs-copy.zip" in problems[2]
    as_json = run(tmp_path, tmp_path / "no-site", "site", "check", str(site), "--json")
    assert as_json.returncode == 3 and len(json.loads(as_json.stdout)["problems"]) == 3


def test_site_check_of_a_clean_folder_exits_0_and_lists_what_it_found(tmp_path):
    site = site_with(tmp_path, 'payer_profile = "medicare-part-b"\nlocked = ["payer_profile"]\n')
    quarter_zips(site / "cms")
    result = run(tmp_path, tmp_path / "no-site", "site", "check", str(site), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["problems"] == [] and {f["quarter"] for f in data["cms_files"]} == {"2027Q1"}
    assert len(data["cms_files"]) == 4


def test_site_check_of_a_missing_folder_is_exit_2(tmp_path):
    result = run(tmp_path, tmp_path / "no-site", "site", "check", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_site_check_json_shape_is_pinned(tmp_path, capsys):
    from omaliref.cli import main
    from tests.e2e.test_golden_json import check_against_golden

    site = site_with(tmp_path, 'setting = "clinic"\n')
    quarter_zips(site / "cms")
    assert main(["site", "check", str(site), "--json"]) == 3
    check_against_golden("site-check", json.loads(capsys.readouterr().out))
