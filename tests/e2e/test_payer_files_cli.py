"""The CLI with hostile organization payer files (red team 2026-12 #4, #8, #11, #16, #18, #19): every command keeps
working on the built-in profiles, says what it left out in one line, and `payers check` exits 3."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from omaliref.cli import main
from tests.fixtures.payer_files import EVIL, PARSER_BREAKERS, SHADOW_MEDICARE

XOLAIR_375 = ["units", "J2357", "--dose", "375mg", "--package", "50242-0227-01", "--package", "50242-0214-01"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def user_file(state, text):
    config = state / "config"
    config.mkdir(parents=True, exist_ok=True)
    path = config / "payers.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", PARSER_BREAKERS)
@pytest.mark.parametrize(
    "argv",
    [
        XOLAIR_375,
        ["check", "J2357", "--dose", "375mg", "--units", "75"],
        ["checklist", "J2357"],
        ["payers", "list"],
        ["payers", "show", "medicare-part-b"],
    ],
    ids=["units", "check", "checklist", "payers-list", "payers-show"],
)
def test_commands_keep_working_with_a_file_the_parser_cannot_take(isolated_state, capsys, name, argv):
    path = user_file(isolated_state, PARSER_BREAKERS[name])
    code, out, err = run(argv, capsys)
    assert code in (0, 1) and out and "Traceback" not in err
    said = [line for line in err.splitlines() if str(path) in line]
    assert len(said) == 1 and "left out" in said[0] and said[0].startswith("omaliref: ")


@pytest.mark.parametrize("name", PARSER_BREAKERS)
def test_payers_check_exits_3_on_a_file_the_parser_cannot_take(tmp_path, capsys, name):
    path = tmp_path / "payers.toml"
    path.write_text(PARSER_BREAKERS[name], encoding="utf-8")
    code, out, err = run(["payers", "check", str(path)], capsys)
    assert code == 3 and out == "" and "Traceback" not in err
    assert err.startswith(f"omaliref: the payer file is invalid: {path}: 1 problem")
    assert "not a usable TOML file" in err and len(err.splitlines()) == 2


def test_the_smoke_test_passes_with_a_file_the_parser_cannot_take_in_the_user_folder(tmp_path):
    state = tmp_path / "state"
    user_file(state, PARSER_BREAKERS["deep-arrays"])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OMALIREF_STATE_DIR=str(state))
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "--smoke-test"], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0 and out.stdout.startswith("smoke-test ok"), out.stdout + out.stderr
    assert "RecursionError" not in out.stderr


def test_payers_list_json_carries_the_notice(isolated_state, capsys):
    path = user_file(isolated_state, PARSER_BREAKERS["5000-digit-number"])
    code, out, _ = run(["payers", "list", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["files"] == [] and str(path) in data["notices"][0]


def _limited_memory():  # a regression that reads /dev/zero fails with MemoryError instead of taking the machine
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX")
@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_payers_check_refuses_a_pipe_or_a_device_at_once(tmp_path, target):
    """#18: `payers check FIFO` waited for a writer forever and `payers check /dev/zero` read until MemoryError. A
    child process, so a regression fails the test instead of hanging the suite."""
    path = str(tmp_path / "payers.fifo") if target == "fifo" else target
    if target == "fifo":
        os.mkfifo(path)
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "payers", "check", path],
        capture_output=True,
        text=True,
        env=dict(os.environ, OMALIREF_STATE_DIR=str(tmp_path / "state")),
        timeout=120,
        preexec_fn=_limited_memory,
    )
    assert out.returncode == 3 and out.stdout == "" and "Traceback" not in out.stderr
    assert (
        out.stderr
        == f"omaliref: the payer file is invalid: {path}: whole file: is not a regular file (a pipe, a device or a folder), so it is not read.\n"
    )


def test_payers_check_refuses_a_file_over_the_cap_without_parsing_it(tmp_path, capsys):
    path = tmp_path / "payers.toml"
    path.write_text('[[payer]]\nid = "huge"\nname = "Huge"\nkind = "commercial"\nnote = "' + "x" * 1_000_000 + '"\n')
    code, out, err = run(["payers", "check", str(path)], capsys)
    assert code == 3 and out == "" and err.count("\n") == 1
    assert "1,000,000-byte limit" in err and str(path) in err


def test_site_check_refuses_a_site_payer_file_over_the_cap(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "payers.toml").write_text(
        '[[payer]]\nid = "huge"\nname = "H"\nkind = "commercial"\nnote = "' + "x" * 1_000_000 + '"\n'
    )
    code, out, _ = run(["site", "check", str(site), "--json"], capsys)
    problems = json.loads(out)["problems"]
    assert code == 3 and any("1,000,000-byte limit" in p["why"] for p in problems), problems


UNSAFE_CHARACTERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "argv",
    [
        ["payers", "list"],
        ["payers", "show", "evil"],
        ["payers", "show", "evil", "--json"],
        [*XOLAIR_375, "--payer-profile", "evil"],
        [*XOLAIR_375, "--payer-profile", "evil", "--format", "x12"],
        [*XOLAIR_375, "--payer-profile", "evil", "--json"],
        ["checklist", "J2357", "--payer-profile", "evil"],
    ],
    ids=["list", "show", "show-json", "units", "units-x12", "units-json", "checklist"],
)
def test_profile_text_reaches_no_output_with_control_or_bidi_characters(tmp_path, monkeypatch, capsys, argv):
    """#8: a profile's name, note, MAC and sources reached the terminal raw (ESC[2J, a CR/LF that printed a forged
    'CLAIM LINES:' row, U+202E). They are replaced at load: one value prints as one line."""
    path = tmp_path / "payers.toml"
    path.write_text(EVIL, encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(path))
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert not UNSAFE_CHARACTERS.search(out) and not UNSAFE_CHARACTERS.search(err)
    assert "\\u001b" not in out and "\\u202e" not in out and "\\u2028" not in out  # nor escaped in JSON
    assert not any(line.lstrip().startswith(("CLAIM LINES", "NM1*", "FORGED")) for line in out.splitlines())


def test_profile_text_is_replaced_at_load(tmp_path):
    from omaliref.data.payers import load_profiles

    path = tmp_path / "payers.toml"
    path.write_text(EVIL, encoding="utf-8")
    profile = load_profiles({}, [path]).by_id["evil"]
    assert profile.name == "Evil [2J ]0;pwned NM1*85*2*X~ TAB RLO"
    assert profile.note == "line1 CLAIM LINES: J2357-JZ x 999 units [31m sep"
    assert profile.mac == "J6 ~*:^" and profile.sources == ("Acme manual [2J",)
    basis = {b.field: b for b in profile.basis}
    assert basis["ndc_unit_devices"].quote == "UN  for syringes FORGED"
    assert basis["ndc_unit_devices"].source == "acme manual" and basis["multi_ndc"].why == "ours ]0;t"


SHADOW_150 = ["units", "J2357", "--dose", "150mg", "--package", "50242-0215-01", "--package", "50242-0214-01"]


@pytest.fixture
def shadow(tmp_path, monkeypatch):
    path = tmp_path / "payers.toml"
    path.write_text(SHADOW_MEDICARE, encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(path))
    return path


def test_units_text_says_the_default_profile_was_replaced_and_warns_that_jw_is_off(shadow, capsys):
    """#11: with an organization's medicare-part-b (jw_jz = none) the 15-unit JW line vanished and the only trace
    was an [info] line; the header still named the built-in profile."""
    code, out, _ = run(SHADOW_150, capsys)
    assert code == 0 and "J2357-JW" not in out
    assert f"medicare-part-b is the profile of {shadow}, which replaces the built-in one" in out
    warning = next(line for line in out.splitlines() if "no JW or JZ" in line)
    assert warning.lstrip().startswith("[warning]") and "Medicare" in warning


@pytest.mark.parametrize("form", ["x12", "cms1500", "ub04", "json"])
def test_the_stderr_line_of_machine_formats_says_so(shadow, capsys, form):
    code, out, err = run([*SHADOW_150, "--format", form], capsys)
    assert code == 0 and "which replaces the built-in one" in err and err.count("\n") == 1
    if form == "json":
        assert json.loads(out)["profile"]["replaces"] == "built-in"


def test_checklist_text_and_json_say_so(shadow, capsys):
    code, out, _ = run(["checklist", "J2357"], capsys)
    assert code == 0 and "which replaces the built-in one" in out
    code, out, err = run(["checklist", "J2357", "--dose", "150mg", "--json"], capsys)
    assert code == 0 and "which replaces the built-in one" in err


def test_payers_list_and_show_say_so(shadow, capsys):
    code, out, _ = run(["payers", "list"], capsys)
    row = next(line for line in out.splitlines() if line.startswith("medicare-part-b "))
    assert code == 0 and "replaces the built-in" in row
    code, out, _ = run(["payers", "show", "medicare-part-b"], capsys)
    assert code == 0 and "which replaces the built-in one" in out
    code, out, _ = run(["payers", "list", "--json"], capsys)
    profiles = {p["id"]: p for p in json.loads(out)["profiles"]}
    assert profiles["medicare-part-b"]["replaces"] == "built-in" and profiles["commercial"]["replaces"] is None


def test_a_user_file_does_not_replace_the_site_folder_file(isolated_state, monkeypatch, capsys):
    site = isolated_state.parent / "empty-site-folder"  # the site folder the test set-up names
    (site / "payers.toml").write_text(
        '[[payer]]\nid = "acme"\nname = "Acme (IT)"\nkind = "commercial"\n', encoding="utf-8"
    )
    user = isolated_state / "config" / "payers.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[[payer]]\nid = "acme"\nname = "Acme (mine)"\nkind = "commercial"\njw_jz = "none"\n')
    code, out, err = run(["payers", "show", "acme", "--json"], capsys)
    assert code == 0 and json.loads(out)["name"] == "Acme (IT)"
    assert f"The payer file {user} defines 'acme', which the site's file {site / 'payers.toml'} defines too" in err


@pytest.mark.skipif(os.name != "posix", reason="Windows refuses to open a folder (exit 2: cannot be read)")
def test_payers_check_json_names_a_refused_file_as_its_one_problem(tmp_path, capsys):
    path = tmp_path / "payers.toml"
    path.mkdir()
    code, out, err = run(["payers", "check", str(path), "--json"], capsys)
    assert code == 3 and err.count("\n") == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["record"] == "whole file" and "not a regular file" in problem["why"]


@pytest.mark.parametrize("name", ["deep-arrays", "5000-digit-number"])
def test_site_check_lists_a_site_payer_file_the_parser_cannot_take(tmp_path, capsys, name):
    site = tmp_path / "site"
    site.mkdir()
    (site / "payers.toml").write_text(PARSER_BREAKERS[name], encoding="utf-8")
    code, out, err = run(["site", "check", str(site), "--json"], capsys)
    problems = json.loads(out)["problems"]
    assert code == 3 and "Traceback" not in err
    assert [p["why"].split(" (")[0] for p in problems] == ["whole file: not a usable TOML file"]
