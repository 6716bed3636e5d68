"""Organization payer files are bounded and total (red team 2026-12 #4, #8, #11, #16, #18, #19): whatever one holds,
it costs one sentence and is left out; the built-in profiles stay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omaliref.data.payers import load_profiles, read_payer_file
from tests.fixtures.payer_files import PARSER_BREAKERS, SHADOW_MEDICARE

ACME = '[[payer]]\nid = "acme"\nname = "{name}"\nkind = "commercial"\n'
MINE = '[[payer]]\nid = "mine"\nname = "Mine"\nkind = "commercial"\n'


@pytest.fixture(scope="module")
def built_in(catalog):
    return dict(catalog.payer_profiles)


def org_file(tmp_path, text, name="payers.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", PARSER_BREAKERS)
def test_a_file_the_toml_parser_cannot_take_is_one_notice_and_left_out(tmp_path, built_in, name):
    path = org_file(tmp_path, PARSER_BREAKERS[name])
    found = load_profiles(built_in, [path])
    assert dict(found.by_id) == built_in and found.files == ()
    (notice,) = found.notices
    assert str(path) in notice and "left out" in notice and "\n" not in notice
    assert len(notice) < 400


@pytest.mark.parametrize("name", PARSER_BREAKERS)
def test_payers_check_reports_a_file_the_parser_cannot_take_as_one_problem(name):
    checked = read_payer_file(PARSER_BREAKERS[name], "payers.toml", origin="payers.toml")
    (problem,) = checked.problems
    assert checked.profiles == () and problem.record == "whole file"
    assert "not a usable TOML file" in problem.why


def test_any_other_exception_while_reading_is_one_notice(tmp_path, built_in, monkeypatch):
    """'Anything else': a failure nobody foresaw in the reader still leaves the built-ins and one sentence."""
    from omaliref.data import payers

    def broken(*_args, **_kwargs):
        raise KeyError("something nobody foresaw")

    monkeypatch.setattr(payers._Reader, "profile", broken)
    path = org_file(tmp_path, '[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\n')
    found = load_profiles(built_in, [path])
    assert dict(found.by_id) == built_in
    (notice,) = found.notices
    assert str(path) in notice and "KeyError" in notice and "left out" in notice


def test_a_file_over_the_size_cap_is_one_notice_and_never_parsed(tmp_path, built_in, monkeypatch):
    """#19: a 100 MB payers.toml added 9 s to every start; over the cap it is not even parsed."""
    from omaliref.data import payers

    path = org_file(tmp_path, '[[payer]]\nid = "huge"\nname = "Huge"\nkind = "commercial"\nnote = "' + "x" * 1_000_000)
    monkeypatch.setattr(payers, "read_payer_file", lambda *a, **k: pytest.fail("an oversized file was parsed"))
    found = load_profiles(built_in, [path])
    assert dict(found.by_id) == built_in
    (notice,) = found.notices
    assert str(path) in notice and "1,000,000-byte limit" in notice and "left out" in notice


def test_a_file_at_the_size_cap_is_read(tmp_path, built_in):
    head = '[[payer]]\nid = "big"\nname = "Big"\nkind = "commercial"\nnote = "'
    path = tmp_path / "payers.toml"
    path.write_bytes((head + "x" * (1_000_000 - len(head) - 2) + '"\n').encode())  # bytes: no CRLF on Windows
    assert path.stat().st_size == 1_000_000
    found = load_profiles(built_in, [path])
    assert found.notices == () and "big" in found.by_id


def test_a_device_or_a_folder_is_never_read(tmp_path, built_in):
    folder = tmp_path / "payers.toml"
    folder.mkdir()
    found = load_profiles(built_in, [Path("/dev/zero"), folder])
    assert dict(found.by_id) == built_in and len(found.notices) == 2
    assert all("left out" in n for n in found.notices)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_in_the_user_folder_costs_no_wait(tmp_path):
    """#18: reading a FIFO waits for a writer forever; it is refused before it is opened for a blocking read. Run in
    a child process so a regression fails the test instead of hanging the suite."""
    state = tmp_path / "state"
    (state / "config").mkdir(parents=True)
    os.mkfifo(state / "config" / "payers.toml")
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state))
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "units", "J2357", "--dose", "375mg"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0 and "75 units" in out.stdout
    assert "not a regular file" in out.stderr and "left out" in out.stderr


BAD_IDS = ["acme_bcbs", "a\tb\nc", "acmé", "acme.bcbs", "-acme", "acme-", "acme--bcbs", "Acme", " acme", "a b", ""]


@pytest.mark.parametrize("ident", BAD_IDS)
def test_one_id_rule_at_load_and_in_payers_check(tmp_path, built_in, ident):
    """#16: `payers check` said 'valid: acme_bcbs', then choosing it in Preferences raised (the state file's rule
    is [a-z0-9]+(-[a-z0-9]+)*). The same rule now holds at load, in `payers check` and in the state file."""
    text = f'[[payer]]\nid = {json.dumps(ident)}\nname = "Acme"\nkind = "commercial"\n'
    checked = read_payer_file(text, "payers.toml", origin="payers.toml")
    (problem,) = checked.problems
    assert checked.profiles == () and problem.field == "id" and problem.line == 2
    assert "lower-case letters and digits" in problem.why
    found = load_profiles(built_in, [org_file(tmp_path, text)])
    assert dict(found.by_id) == built_in and len(found.notices) == 1 and "'id'" in found.notices[0]


def test_every_profile_that_loads_is_a_preference_the_state_file_takes(tmp_path, built_in):
    from omaliref.data.state import Preferences, validate

    text = "".join(f'[[payer]]\nid = "{i}"\nname = "P"\nkind = "commercial"\n' for i in ("acme", "acme-2", "a1-b2-c3"))
    found = load_profiles(built_in, [org_file(tmp_path, text)])
    assert found.notices == () and {"acme", "acme-2", "a1-b2-c3"} <= set(found.by_id)
    for ident in found.by_id:
        assert validate(Preferences(payer_profile=ident)).payer_profile == ident


def test_a_profile_that_replaces_a_built_in_id_says_what_it_replaces(tmp_path, built_in):
    """#11: an organization's medicare-part-b (the default profile) replaced the built-in one silently."""
    path = org_file(tmp_path, SHADOW_MEDICARE)
    found = load_profiles(built_in, [path])
    profile = found.by_id["medicare-part-b"]
    assert profile.origin == str(path) and profile.replaces == "built-in"
    assert profile.replacement == f"medicare-part-b is the profile of {path}, which replaces the built-in one"
    assert found.by_id["commercial"].replaces == "" and found.by_id["commercial"].replacement == ""


def test_a_user_file_never_overrides_the_site_file_for_the_same_id(tmp_path, built_in):
    """#11: the user's own file silently replaced the profile IT placed in the site folder. The site's wins; the
    user's profile of that id is left out, in one sentence naming both files; the user's other profiles stay."""
    site = org_file(tmp_path, ACME.format(name="Acme (IT)") + SHADOW_MEDICARE, "site.toml")
    user = org_file(tmp_path, ACME.format(name="Acme (mine)") + MINE, "user.toml")
    found = load_profiles(built_in, [site, user], site=[site])
    assert found.by_id["acme"].name == "Acme (IT)" and found.by_id["acme"].origin == str(site)
    assert found.by_id["mine"].origin == str(user) and found.by_id["medicare-part-b"].origin == str(site)
    (notice,) = found.notices
    assert f"{user} defines 'acme'" in notice and f"the site's file {site}" in notice and "is used" in notice
    assert found.files == (str(site), str(user))


def test_a_user_file_may_replace_a_built_in_id_and_says_so(tmp_path, built_in):
    site = org_file(tmp_path, ACME.format(name="Acme (IT)"), "site.toml")
    user = org_file(tmp_path, SHADOW_MEDICARE, "user.toml")
    found = load_profiles(built_in, [site, user], site=[site])
    assert found.notices == () and found.by_id["medicare-part-b"].replaces == "built-in"


def test_a_later_file_of_the_same_kind_replaces_an_earlier_one_and_says_so(tmp_path, built_in):
    first = org_file(tmp_path, ACME.format(name="Acme 1"), "first.toml")
    second = org_file(tmp_path, ACME.format(name="Acme 2"), "second.toml")
    profile = load_profiles(built_in, [first, second]).by_id["acme"]
    assert profile.name == "Acme 2" and profile.replaces == str(first)
    assert profile.replacement == f"acme is the profile of {second}, which replaces the one in {first}"


def test_the_site_files_are_the_site_config_folder_and_the_site_folder(tmp_path, monkeypatch):
    from omaliref.data.payers import organization_tiers

    site_folder = tmp_path / "site"
    site_folder.mkdir()
    (site_folder / "payers.toml").write_text(ACME.format(name="A"), encoding="utf-8")
    config = tmp_path / "config"
    config.mkdir()
    (config / "payers.toml").write_text(MINE, encoding="utf-8")
    named = org_file(tmp_path, MINE, "named.toml")
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site_folder))
    monkeypatch.setenv("OMALIREF_PAYERS", str(named))
    site, user = organization_tiers(config)
    assert site == [site_folder / "payers.toml"] and user == [config / "payers.toml", named]
