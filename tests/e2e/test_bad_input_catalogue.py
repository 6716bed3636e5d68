"""Bad-input catalogue for the CLI: every case exits 2 with its own one-line sentence and no traceback.

The commands run in-process through omaliref.cli.main (the same code path as the console script) so the
catalogue stays fast; test_cli.py runs the real subprocess for a sample.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omaliref.cli import main
from tests.e2e.test_store_values import DAMAGE, SAID
from tests.fixtures.payer_files import PARSER_BREAKERS

LONG = "9" * 10_000
CASES = [
    # (id, argv, expected fragment of the one-line message)
    ("dose-letters", ["units", "J2357", "--dose", "abc"], "not a dose unit"),
    ("dose-empty", ["units", "J2357", "--dose", ""], "empty"),
    ("dose-whitespace", ["units", "J2357", "--dose", "   "], "empty"),
    ("dose-negative", ["units", "J2357", "--dose", "-150mg"], "greater than zero"),
    ("dose-zero", ["units", "J2357", "--dose", "0mg"], "greater than zero"),
    ("dose-huge", ["units", "J2357", "--dose", "99999999mg"], "far above"),
    ("dose-nan", ["units", "J2357", "--dose", "NaN"], "not a number"),
    ("dose-inf", ["units", "J2357", "--dose", "inf"], "not a number"),
    ("dose-comma", ["units", "J2357", "--dose", "1,5mg"], "decimal point"),
    ("dose-arabic-digits", ["units", "J2357", "--dose", "٣٧٥mg"], "non-ASCII digits"),
    ("dose-fullwidth-digits", ["units", "J2357", "--dose", "３７５mg"], "non-ASCII digits"),
    ("dose-10k-chars", ["units", "J2357", "--dose", LONG + "mg"], "too long"),
    ("dose-control-char", ["units", "J2357", "--dose", "150\x07mg"], "control characters"),
    ("dose-no-unit", ["units", "J2357", "--dose", "150"], "no unit"),
    ("dose-unit-misfit", ["units", "J2357", "--dose", "2400000units"], "does not fit J2357"),
    ("dose-unknown-unit", ["units", "J2357", "--dose", "150 furlongs"], "not a dose unit"),
    ("dose-exponent", ["units", "J2357", "--dose", "1e3mg"], "not an amount with a unit"),
    ("code-unknown", ["units", "Z9999", "--dose", "150mg"], "not a code in the data pack"),
    ("code-empty", ["units", "", "--dose", "150mg"], "not a code in the data pack"),
    ("code-10k", ["units", "J" * 10_000, "--dose", "150mg"], "not a code in the data pack"),
    ("lookalike-j7402", ["units", "J7402", "--dose", "375mg"], "Omalizumab is J2357"),
    ("lookalike-ndc", ["units", "J2356", "--dose", "150mg", "--package", "50242-0215-01"], "J2357"),
    ("ndc-unknown", ["units", "J2357", "--dose", "150mg", "--package", "12345-6789-01"], "not in the data pack"),
    ("ndc-malformed", ["units", "J2357", "--dose", "150mg", "--package", "5024"], "not an NDC"),
    ("ndc-of-another-code", ["units", "J2182", "--dose", "100mg", "--package", "50242-0215-01"], "not J2182"),
    ("count-zero", ["units", "J2357", "--dose", "150mg", "--package", "50242-0215-01x0"], "at least 1"),
    ("count-10000", ["units", "J2357", "--dose", "150mg", "--package", "50242-0215-01x10000"], "more than 60"),
    ("count-letters", ["units", "J2357", "--dose", "150mg", "--package", "50242-0215-01xten"], "whole number"),
    ("word-not-ndc", ["units", "J2357", "--dose", "150mg", "--package", "xyz"], "'xyz' is not an NDC"),
    ("too-few-containers", ["units", "J2357", "--dose", "450mg", "--package", "50242-0215-01"], "less than the"),
    ("date-impossible", ["units", "J2357", "--dose", "150mg", "--date", "2026-02-30"], "not a date"),
    ("date-format", ["units", "J2357", "--dose", "150mg", "--date", "27.11.2026"], "not a date"),
    ("date-far-future", ["units", "J2357", "--dose", "150mg", "--date", "2999-01-01"], "future"),
    ("date-ancient", ["units", "J2357", "--dose", "150mg", "--date", "1900-01-01"], "before 2000-01-01"),
    ("date-replaced-code", ["units", "J7401", "--dose", "1350mcg", "--date", "2024-01-01"], "ended on 2021-03-31"),
    ("payer-unknown", ["units", "J2357", "--dose", "150mg", "--payer", "tricare"], "not known"),
    ("340b-unknown", ["units", "J2357", "--dose", "150mg", "--340b", "XX"], "not known"),
    ("check-units-fraction", ["check", "J2357", "--dose", "150mg", "--units", "1.5"], "whole number"),
    ("check-units-zero", ["check", "J2357", "--dose", "150mg", "--units", "0"], "from 1 to"),
    ("check-units-letters", ["check", "J2357", "--dose", "150mg", "--units", "thirty"], "whole number"),
    (
        "dose-indication",
        ["dose", "omalizumab", "--indication", "eczema", "--ige", "100", "--weight", "70"],
        "not known",
    ),
    (
        "dose-ige-negative",
        ["dose", "omalizumab", "--indication", "asthma", "--ige", "-1", "--weight", "70", "--age", "30"],
        "greater than zero",
    ),
    (
        "dose-weight-letters",
        ["dose", "omalizumab", "--indication", "asthma", "--ige", "100", "--weight", "heavy", "--age", "30"],
        "not a number",
    ),
    ("dose-other-drug", ["dose", "mepolizumab", "--indication", "asthma"], "only in the data pack for omalizumab"),
    ("show-unknown", ["show", "Z9999"], "not a code, modifier, NDC or topic"),
    ("show-10k", ["show", LONG], "not a code, modifier, NDC or topic"),
    ("search-limit", ["search", "xolair", "--limit", "0"], "from 1 to 500"),
    ("checklist-setting", ["checklist", "J2357", "--setting", "home"], "not known"),
    ("checklist-package-no-dose", ["checklist", "J2357", "--package", "50242-0215-01"], "needs --dose"),
    ("unknown-command", ["frobnicate"], "invalid choice"),
    # hardening round 2 (#18)
    ("implant-half", ["units", "J7402", "--dose", "0.5implant"], "placed whole"),
    ("dose-tiny-shown-exactly", ["units", "J2357", "--dose", "0.0000001mg"], "A 0.0000001 mg dose"),
    ("check-dose-ceiling", ["check", "J2357", "--dose", "5000mg", "--units", "1000"], "far above"),
    ("checklist-340b", ["checklist", "J2357", "--340b", "XX"], "not known"),
    ("checklist-date", ["checklist", "J2357", "--date", "2026-13-45"], "not a date"),
    ("checklist-ige-exponent", ["checklist", "J2357", "--indication", "asthma", "--ige", "1e999"], "not a number"),
    ("limit-5000-digits", ["search", "xolair", "--limit", "9" * 5000], "from 1 to 500"),
    ("units-5000-digits", ["check", "J2357", "--dose", "375mg", "--units", "9" * 5000], "from 1 to 1,000,000"),
    (
        "count-5000-digits",
        ["units", "J2357", "--dose", "375mg", "--package", "50242-0227-01x" + "9" * 5000],
        "check the count",
    ),
    ("review-quarter", ["review", "--quarter", "1Q1"], "is not a quarter"),
    ("review-quarter-not-imported", ["review", "--quarter", "2031Q1"], "not imported"),
    ("import-quarter", ["import", "x.csv", "--quarter", "9999Q4"], "is not a quarter"),
    ("missing-dose", ["units", "J2357"], "required"),
    # hardening round 3 (#27): a path cannot forge a second line
    ("import-newline-path", ["import", "x\nomaliref: imported 2027Q9 ok.zip"], "does not exist"),
    ("import-escape-path", ["import", "x\x1b[2J\x1b]0;pwned\x07.zip"], "does not exist"),
    ("audit-missing-file", ["audit", "/nonexistent/keyed-lines.csv"], "cannot be read"),
    ("site-missing-folder", ["site", "check", "/nonexistent/site"], "is not a folder"),
    ("payers-show-unknown", ["payers", "show", "nosuch"], "is not known"),
]


def _newer_store(state):
    import sqlite3

    from tests.fixtures.cms import ASP_CSV, NAMES

    asp = state.parent / NAMES["asp"]
    asp.write_text(ASP_CSV, encoding="cp1252")
    assert main(["import", str(asp)]) == 0
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.commit()
    db.close()
    return asp


def _xlsx(state, name, sheet_edit):
    from tests.e2e.test_xlsx_bounds import SHEET, build

    return build(state.parent / name, sheet_edit(SHEET))


# (id, set-up(state) -> path or None, argv with {path}, fragment): cases that need a file or a store
FILE_CASES = [
    ("review-newer-store", _newer_store, ["review"], "newer omaliref"),
    ("quarters-newer-store", _newer_store, ["quarters"], "newer omaliref"),
    ("changes-newer-store", _newer_store, ["changes", "--from", "2027Q1", "--to", "2027Q2"], "newer omaliref"),
    ("import-into-newer-store", _newer_store, ["import", "{path}"], "newer omaliref"),
    (
        "import-xlsx-broken-xml",
        lambda state: _xlsx(state, "truncated.xlsx", lambda sheet: sheet[: len(sheet) // 2]),
        ["import", "{path}"],
        "a readable XLSX workbook",
    ),
    (
        "import-xlsx-entity",
        lambda state: _xlsx(
            state,
            "xxe.xlsx",
            lambda sheet: (
                '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
                + sheet.replace("Injection, givosiran", "Injection, &xxe; givosiran")
            ),
        ),
        ["import", "{path}"],
        "a readable XLSX workbook",
    ),
]


ONE_PROFILE = '[[payer]]\nid = "org"\nname = "Org"\nkind = "commercial"\nnote = "'


def _payer_file(text):
    def write(state):
        path = state.parent / "org-payers.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


# (id, set-up(state) -> path, fragment, exit code of `payers check`): an organization payer file that cannot be
# used. In use (OMALIREF_PAYERS) the command goes on with the built-in profiles and says so in one line; `payers
# check` exits 3 for an invalid file (2 for a path it cannot read), never with a traceback or a wait.
def _payer_fifo(state):
    path = state.parent / "org-payers.fifo"
    os.mkfifo(path)
    return path


PAYER_FILE_CASES = [
    *((f"payer-file-{name}", _payer_file(text), "not a usable TOML file", 3) for name, text in PARSER_BREAKERS.items()),
    ("payer-file-over-1mb", _payer_file(ONE_PROFILE + "x" * 1_000_000 + '"\n'), "1,000,000-byte limit", 3),
    (
        "payer-id-underscore",
        _payer_file('[[payer]]\nid = "acme_bcbs"\nname = "A"\nkind = "commercial"\n'),
        "not a profile id",
        3,
    ),
    (
        "payer-id-tab-newline",
        _payer_file('[[payer]]\nid = "a\\tb\\nc"\nname = "A"\nkind = "commercial"\n'),
        "not a profile id",
        3,
    ),
]
if hasattr(os, "mkfifo"):  # POSIX: a named pipe, and a device that never ends
    PAYER_FILE_CASES.append(("payer-file-is-a-named-pipe", _payer_fifo, "not a regular file", 3))
    PAYER_FILE_CASES.append(("payer-file-is-a-device", lambda state: Path("/dev/zero"), "not a regular file", 3))


def one_sentence(code, capsys, fragment: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr naming what was wrong: the catalogue's promise."""
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("omaliref: "), err
    assert "Traceback" not in err
    assert fragment in err
    return err


@pytest.mark.parametrize("argv, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_cli_input(argv, fragment, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = one_sentence(code, capsys, fragment)
    assert len(err) < 1000  # a 10,000-character input is never echoed back whole


@pytest.mark.parametrize("setup, argv, fragment", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_bad_cli_input_with_files(setup, argv, fragment, isolated_state, capsys):
    path = setup(isolated_state)
    capsys.readouterr()
    try:
        code = main([arg.format(path=path) for arg in argv])
    except SystemExit as exc:
        code = exc.code
    one_sentence(code, capsys, fragment)


@pytest.mark.parametrize(
    "setup, fragment, check_code", [c[1:] for c in PAYER_FILE_CASES], ids=[c[0] for c in PAYER_FILE_CASES]
)
def test_bad_organization_payer_files(setup, fragment, check_code, isolated_state, monkeypatch, capsys):
    path = setup(isolated_state)
    monkeypatch.setenv("OMALIREF_PAYERS", str(path))
    code = main(["units", "J2357", "--dose", "375mg"])
    out, err = capsys.readouterr()
    assert code == 0 and "Administered 375 mg = 75 units" in out and "Traceback" not in err
    said = [line for line in err.splitlines() if str(path) in line]
    assert len(said) == 1 and fragment in said[0] and "left out" in said[0], err
    code = main(["payers", "check", str(path)])
    out, err = capsys.readouterr()
    assert code == check_code and out == "" and "Traceback" not in err
    assert err.startswith("omaliref: ") and fragment in err


# (id, SQL damaging one stored value, what the one notice names): a value the store cannot read (red team 2026-12 #14).
# Not an exit 2: the command answers without the value, and says once on stderr that the table and quarter lack it.
STORED_VALUE_CASES = [
    (f"stored-{damage}", sql, SAID[damage][0])
    for damage, sql in DAMAGE.items()  # the six values of the report
]


@pytest.fixture(scope="module")
def one_quarter(tmp_path_factory):
    from omaliref.data.library import Library
    from tests.fixtures.cms import quarter_zips

    base = tmp_path_factory.mktemp("stored")
    library = Library.open(str(base / "state"))
    library.import_files(quarter_zips(base / "q1"))
    library.close()
    return base / "state"


@pytest.mark.parametrize("sql, names", [c[1:] for c in STORED_VALUE_CASES], ids=[c[0] for c in STORED_VALUE_CASES])
def test_bad_stored_values(sql, names, one_quarter, isolated_state, capsys):
    import json
    import shutil
    import sqlite3

    shutil.copytree(one_quarter, isolated_state)
    db = sqlite3.connect(isolated_state / "data" / "cms.sqlite3")
    db.execute(sql)
    db.commit()
    db.close()
    code = main(["show", "J0001", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["id"] == "J0001"  # stdout: the JSON alone
    said = [line for line in err.splitlines() if "left out" in line]
    assert len(said) == 1 and said[0].startswith("omaliref: ") and names in said[0], err
    assert "Traceback" not in err


def test_every_command_has_bad_input_cases_with_their_own_ids():
    """A command added to the CLI fails here until the catalogue gives it a bad input."""
    import re

    from omaliref.cli import build_parser

    (choices,) = re.findall(r"\{([a-z,-]+)\}", build_parser().format_usage())
    commands = set(choices.split(","))
    covered = {argv[0] for _, argv, _ in CASES} | {argv[0] for _, _, argv, _ in FILE_CASES}
    assert commands <= covered, f"no bad-input case for {sorted(commands - covered)}"
    ids = [c[0] for c in CASES + FILE_CASES + PAYER_FILE_CASES]
    assert len(set(ids)) == len(ids)


def test_a_sample_through_the_console_script(tmp_path):
    for _, argv, fragment in CASES[::10]:
        out = subprocess.run(
            [sys.executable, "-m", "omaliref", *argv],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "OMALIREF_STATE_DIR": str(tmp_path)},
        )
        assert out.returncode == 2 and fragment in out.stderr and "Traceback" not in out.stderr
