"""Text output is sentences for a coder or IT: never a Python dict, list or None repr (issue #26 item 7)."""

from __future__ import annotations

import re

import pytest

from omaliref.cli import main
from tests.fixtures.cms import quarter_zips

REPR = re.compile(r"\{'|\['|\bNone\b|\(\)")


@pytest.fixture
def two_quarters(tmp_path, capsys):
    q1 = quarter_zips(tmp_path / "q1")
    assert main(["import", *map(str, q1)]) == 0
    assert main(["import", *map(str, quarter_zips(tmp_path / "q2", month="APR", changes=True))]) == 0
    capsys.readouterr()
    return q1[0].parent


@pytest.mark.parametrize(
    "argv",
    [
        ["changes", "--from", "2027Q1", "--to", "2027Q2"],
        ["review"],
        ["review", "--quarter", "2027Q1"],
        ["quarters"],
        ["payers"],
        ["payers", "show", "medicare-part-b"],
        ["show", "J0001"],
        ["site", "check", "{folder}"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_text_has_no_python_repr(two_quarters, capsys, argv):
    code = main([a.replace("{folder}", str(two_quarters)) for a in argv])
    out, err = capsys.readouterr()
    assert code in (0, 1, 3) and out.strip()
    assert not REPR.search(out + err), (out + err)[:2000]


def test_payers_check_text_has_no_python_repr(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text('[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\njw_jz = "medicare"\n', "utf-8")
    assert main(["payers", "check", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[[payer]]\nid = "acme"\nname = "Acme"\nkind = "commercial"\njw_jz = "sometimes"\n', "utf-8")
    assert main(["payers", "check", str(bad)]) == 3
    out, err = capsys.readouterr()
    assert "acme" in out and "jw_jz" in err and not REPR.search(out + err)
