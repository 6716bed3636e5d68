"""Red team 2026-12 #8 and #15: text from imported CMS files is text. Control characters (ESC sequences that clear
the terminal or set its title, CR/LF that forge output lines, TAB) and bidi overrides are replaced at import, one
value prints as one line, and only ASCII digits make a code or a claim NDC."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.fixtures.cms import ASP_CSV, CROSSWALK_CSV, MUE_CSV, NAMES, anweb_text, procedure

EVIL = "X~ISA*00*EVIL:^|\tTAB\x1b[2J\x1b]0;pwned\x07\u202eRLO\u2028LS"
EVILNL = EVIL + "\r\nNM1*85*2*INJECTED~\nSE*1*0001~"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def run(state, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


def quoted(text):
    return '"' + text.replace('"', '""') + '"'


def hostile_files(folder):
    """The red team's mk_hostile.py: X12 delimiters, TAB, CR/LF, ESC sequences, RLO and U+2028 in every free-text
    cell of the four CMS files."""
    folder.mkdir(parents=True, exist_ok=True)
    asp = ASP_CSV.replace(
        "J0001,Inj examplemab 10 mg,10 MG,12.345,18.250,,,,,,Inflation-adjusted coinsurance,,",
        f"J0001,{quoted('Inj examplemab ' + EVILNL)},10 MG,12.345,18.250,,,,,,{quoted('note ' + EVILNL)},,",
    )
    crosswalk = CROSSWALK_CSV.replace(
        'J0001,Inj examplemab 10 mg,"Example Pharma, LLC",99999-0001-10,Examplemab,10 MG,4,10,10,100',
        f"J0001,{quoted('short ' + EVILNL)},{quoted('Labeler ' + EVILNL)},99999-0001-10,"
        f"{quoted('Drug ' + EVILNL)},10 MG,4,10,10,100",
    )
    mue = MUE_CSV.replace(
        "J0001,10,3 Date of Service Edit: Clinical,Prescribing Information",
        f"J0001,10,{quoted('3 ' + EVILNL)},{quoted('Rationale ' + EVILNL)}",
    )
    escape = "~*:^\t\x1b[31m\u202e"  # fixed-width TXT: no newline fits in a record, everything else does
    hcpcs = anweb_text(
        procedure(
            "J0009",
            ("Injection, evilmab " + escape + ", 10 mg")[:80],
            ("Inj evilmab " + escape)[:28],
            PRICE1="51",
            COV="D",
            ADD_DT="20260101",
            ACT_EFF_DT="20260101",
            ACTION_CD="N",
        )
    )
    files = {
        NAMES["asp"]: asp.replace("J2357,Omal", "J0009,Inj evilmab,10 MG,1.000,20.000,,,,,,x,,\nJ2357,Omal"),
        NAMES["crosswalk"]: crosswalk + f'J0009,evil,"L",99999-0009-01,{quoted("Evil " + EVILNL)},10 MG,1,1,1,1\n',
        NAMES["mue"]: mue,
        NAMES["hcpcs"]: hcpcs,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


@pytest.fixture(scope="module")
def hostile_state(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    state = base / "state"
    out = run(state, "import", *map(str, hostile_files(base / "files")))
    assert out.returncode == 0, out.stderr
    assert not UNSAFE.search(out.stdout + out.stderr)
    return state


@pytest.mark.parametrize(
    "args",
    [
        ("units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose"),
        ("show", "J0009"),
        ("show", "J0001"),
        ("search", "evilmab"),
        ("search", "examplemab"),
        ("check", "J0001", "--dose", "25mg", "--units", "3", "--date", "2027-02-01"),
        ("quarters",),
    ],
    ids=lambda a: a[0] if isinstance(a, tuple) else a,
)
def test_imported_text_prints_without_control_or_bidi_characters(hostile_state, args):
    out = run(hostile_state, *args)
    assert out.returncode in (0, 1), out.stderr
    for stream in (out.stdout, out.stderr):
        assert not UNSAFE.search(stream), repr(UNSAFE.findall(stream))
        # CR/LF inside one value never starts a line of its own
        assert not any(line.lstrip().startswith(("NM1*85", "SE*1*0001")) for line in stream.splitlines())
    as_json = run(hostile_state, *args, "--json") if args[0] != "check" else None
    if as_json is not None:
        assert as_json.returncode in (0, 1)
        assert not UNSAFE.search(json.dumps(json.loads(as_json.stdout), ensure_ascii=False))


def test_ndcs_and_codes_in_other_digits_never_become_claim_ndcs(tmp_path):
    """Full-width and Arabic-Indic digits are digits to Python's \\d; on a claim line they are not an NDC."""
    state = tmp_path / "state"
    folder = tmp_path / "xwuni"
    folder.mkdir()
    (folder / NAMES["crosswalk"]).write_text(
        CROSSWALK_CSV.replace("99999-0001-10", "９９９９９-０００１-１０")
        + 'J0001,Inj examplemab 10 mg,"Example Pharma, LLC",٩٩٩٩٩-٠٠٠٢-١٠,Examplemab,10 MG,1,1,3,3\n',
        encoding="utf-8",
    )
    from tests.fixtures.cms import quarter_zips

    assert run(state, "import", *map(str, quarter_zips(tmp_path / "q1"))).returncode == 0
    assert run(state, "import", str(folder / NAMES["crosswalk"])).returncode == 0
    units = run(state, "units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose", "--json")
    assert units.returncode in (0, 2), units.stderr  # 2: no package left to choose, said in one sentence
    if units.returncode == 0:
        ndcs = [line.get("ndc") for line in json.loads(units.stdout)["lines"]]
        assert all(ndc is None or re.fullmatch(r"[0-9]{11}", ndc) for ndc in ndcs), ndcs
    for args in (("units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose"), ("show", "J0001")):
        out = run(state, *args)
        shown = out.stdout + out.stderr
        assert not [ch for ch in shown if ch.isdigit() and not ch.isascii()], shown


def test_a_newline_in_a_path_cannot_forge_a_second_line(tmp_path):
    """Earlier #27(b): `omaliref import $'x\\nomaliref: imported 2027Q9 ok.zip'` printed a forged second line."""
    out = run(tmp_path / "state", "import", "x\nomaliref: imported 2027Q9 ok.zip\x1b[2J")
    assert out.returncode == 2
    assert len(out.stderr.splitlines()) == 1 and not UNSAFE.search(out.stderr), repr(out.stderr)
