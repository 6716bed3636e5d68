"""Organization payer files are bounded and total (red team 2026-12 #4, #8, #11, #16, #18, #19): whatever one holds,
it costs one sentence and is left out; the built-in profiles stay."""

from __future__ import annotations

import pytest

from omaliref.data.payers import load_profiles, read_payer_file
from tests.fixtures.payer_files import PARSER_BREAKERS


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
