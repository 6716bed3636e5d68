"""The CLI on a workstation whose IT put the quarter's CMS files in the site folder: no `import` needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.cms import quarter_zips


def run(state, site, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), OMALIREF_SITE_DIR=str(site), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_first_quarters_of_a_fresh_user_lists_the_site_quarter_and_the_second_imports_nothing(tmp_path):
    site = tmp_path / "share"
    quarter_zips(site)
    (site / "broken-crosswalk.zip").write_bytes(b"PK\x03\x04 a copy cut short")
    state = tmp_path / "user"

    first = run(state, site, "quarters", "--json")
    assert first.returncode == 0, first.stderr
    assert [q["quarter"] for q in json.loads(first.stdout)["quarters"]] == ["2027Q1"]
    assert "New CMS quarter 2027Q1 imported from the site folder" in first.stderr
    assert first.stderr.count("broken-crosswalk.zip was not imported") == 1

    second = run(state, site, "quarters", "--json")
    assert second.returncode == 0 and second.stdout == first.stdout
    assert second.stderr == ""  # nothing imported again, the damaged file not reported again


def test_any_command_that_reads_the_store_gets_the_site_quarter(tmp_path):
    site = tmp_path / "share"
    quarter_zips(site)
    shown = run(tmp_path / "user", site, "show", "J0001", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == "J0001"  # a code only the imported HCPCS file has


def test_an_unreachable_share_is_a_notice_and_the_command_answers(tmp_path):
    result = run(tmp_path / "user", tmp_path / "offline-share", "search", "xolair")
    assert result.returncode == 0 and "J2357" in result.stdout
    assert "cannot be reached" in result.stderr


@pytest.mark.skipif(not os.environ.get("OMALIREF_CMS_REAL"), reason="set OMALIREF_CMS_REAL to a folder of CMS files")
def test_a_fresh_user_on_a_folder_of_real_cms_downloads(tmp_path):
    real = os.environ["OMALIREF_CMS_REAL"]
    first = run(tmp_path / "user", real, "quarters", "--json")
    assert first.returncode == 0, first.stderr
    quarters = [q["quarter"] for q in json.loads(first.stdout)["quarters"]]
    assert quarters and f"imported from the site folder {real}" in first.stderr
    second = run(tmp_path / "user", real, "quarters", "--json")
    assert second.returncode == 0 and second.stdout == first.stdout and second.stderr == ""
