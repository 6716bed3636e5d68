"""Red team 2026-12 #14: one bad value in a structurally valid import database (a build before this one stored
NaN and Infinity under the same schema) never crashes a read or prints as a price: the value is left out."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.fixtures.cms import quarter_zips

DAMAGE = {
    "effective-from": "UPDATE imports SET effective_from = 'junk' WHERE kind = 'asp'",
    "add-date": "UPDATE hcpcs SET add_date = '2027-13-45'",
    "billunits-nan": "UPDATE crosswalk SET billunits = 'NaN'",
    "pkg-size-huge": "UPDATE crosswalk SET pkg_size = '1e5000'",
    "mue-text": "UPDATE mue SET value = 'abc'",
    "payment-limit-nan": "UPDATE asp SET payment_limit = 'NaN'",
}
COMMANDS = (
    ("quarters",),
    ("search", "examplemab"),
    ("show", "J0001"),
    ("units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose"),
    ("units", "J0001", "--dose", "25mg", "--date", "2027-02-01", "--single-dose", "--json"),
    ("changes", "--from", "2027Q1", "--to", "2027Q2"),
    ("review",),
)


def run(state, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("values")
    state = base / "state"
    for folder, month in (("q1", "JAN"), ("q2", "APR")):
        out = run(state, "import", *map(str, quarter_zips(base / folder, month=month, changes=month == "APR")))
        assert out.returncode == 0, out.stderr
    return state


def damaged(imported, tmp_path, damage):
    state = tmp_path / "state"
    shutil.copytree(imported, state)
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute(DAMAGE[damage])
    db.commit()
    db.close()
    return state


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_bad_stored_value_is_left_out_never_a_traceback(imported, tmp_path, damage):
    state = damaged(imported, tmp_path, damage)
    for args in COMMANDS:
        out = run(state, *args)
        assert out.returncode in (0, 1, 2), (args, out.stderr[-400:])
        assert "Traceback" not in out.stderr, (args, out.stderr[-400:])
        assert "NaN" not in out.stdout and "Infinity" not in out.stdout, (args, out.stdout)
        if out.returncode == 2:  # one sentence for the error, after the notices of what was left out
            lines = out.stderr.strip().splitlines()
            assert all(line.startswith("omaliref: ") for line in lines), (args, out.stderr)
            assert len([line for line in lines if "left out" not in line]) == 1, (args, out.stderr)


# what the one sentence names for each damage: the table (or the imports record) and the quarter, and the column
SAID = {
    "effective-from": ("record of the 2027Q1 asp import", "(effective_from)"),
    "add-date": ("hcpcs table for 2027Q1", "(add_date)"),
    "billunits-nan": ("crosswalk table for 2027Q1", "(billunits)"),
    "pkg-size-huge": ("crosswalk table for 2027Q1", "(pkg_size)"),
    "mue-text": ("mue table for 2027Q1", "(value)"),
    "payment-limit-nan": ("asp table for 2027Q1", "(payment_limit)"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_bad_stored_value_is_said_once_on_stderr_never_on_stdout(imported, tmp_path, damage):
    """Left out is not enough: the coder is told, in one sentence naming the table and quarter, that an answer lacks
    something the file had; a machine format's stdout stays clean."""
    state = damaged(imported, tmp_path, damage)
    where, column = SAID[damage]
    for _ in range(2):  # the second run answers from the remembered scan: the same sentence
        out = run(state, "show", "J0001", "--json")
        assert out.returncode == 0, out.stderr
        json.loads(out.stdout)  # nothing but the JSON on stdout
        assert "left out" not in out.stdout and "import database" not in out.stdout
        said = [line for line in out.stderr.splitlines() if where in line]
        assert len(said) == 1, out.stderr
        assert said[0].startswith("omaliref: ") and column in said[0] and "left out" in said[0]
        assert "left out of every answer" in said[0] or "own dates are used" in said[0]
    assert (state / "cache" / "cms-values.json").is_file()


def test_a_clean_store_says_nothing_and_a_mended_one_stops_saying_it(imported, tmp_path):
    state = damaged(imported, tmp_path, "billunits-nan")
    out = run(state, "show", "J0001")
    assert out.stderr.count("crosswalk table for 2027Q") == 2, out.stderr  # both quarters, one sentence each
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute("UPDATE crosswalk SET billunits = '10' WHERE quarter = '2027Q1'")
    db.commit()
    db.close()
    out = run(state, "show", "J0001")  # the remembered scan is of the database before: it is scanned again
    assert "2027Q1" not in out.stderr and out.stderr.count("crosswalk table for 2027Q2") == 1, out.stderr
    clean = tmp_path / "clean"
    shutil.copytree(imported, clean)
    out = run(clean, "quarters")
    assert out.returncode == 0 and out.stderr == ""
