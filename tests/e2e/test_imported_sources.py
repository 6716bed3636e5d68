"""`omaliref units --json` of an imported code names the CMS files its facts came from (#26 item 2)."""

from __future__ import annotations

import json
import re

import pytest

from omaliref.cli import main
from tests.fixtures.cms import quarter_zips

UNITS = ["units", "J0001", "--dose", "25mg", "--package", "99999-0001-10", "--single-dose", "--date", "2027-02-01"]


@pytest.fixture
def named(tmp_path, capsys):
    """Every source id the units JSON of imported J0001 names, anywhere in it."""
    assert main(["import", *map(str, quarter_zips(tmp_path / "q1")), "--json"]) == 0
    capsys.readouterr()
    assert main([*UNITS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    return set(re.findall(r"cms-[a-z]+(?:-[a-z]+)?-2027Q1", json.dumps(data)))


def test_units_json_names_the_payment_limit_mue_and_crosswalk_files(named):
    assert {"cms-asp-2027Q1", "cms-mue-practitioner-2027Q1", "cms-crosswalk-2027Q1"} <= named


def test_units_json_names_the_hcpcs_file_of_the_code(named):
    assert "cms-hcpcs-2027Q1" in named


def test_units_json_lists_each_source_with_its_title(tmp_path, capsys):
    assert main(["import", *map(str, quarter_zips(tmp_path / "q1")), "--json"]) == 0
    capsys.readouterr()
    assert main([*UNITS, "--json"]) == 0
    listed = {s["id"]: s for s in json.loads(capsys.readouterr().out)["sources"]}
    assert "cms-hcpcs-2027Q1" in listed
    assert all(s["title"] for s in listed.values())
