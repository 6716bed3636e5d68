"""Red team 2026-12 #14: one bad value in a structurally valid import database (a build before this one stored
NaN and Infinity under the same schema) never crashes a read or prints as a price: the value is left out."""

from __future__ import annotations

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


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_bad_stored_value_is_left_out_never_a_traceback(imported, tmp_path, damage):
    state = tmp_path / "state"
    shutil.copytree(imported, state)
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute(DAMAGE[damage])
    db.commit()
    db.close()
    for args in COMMANDS:
        out = run(state, *args)
        assert out.returncode in (0, 1, 2), (args, out.stderr[-400:])
        assert "Traceback" not in out.stderr, (args, out.stderr[-400:])
        assert "NaN" not in out.stdout and "Infinity" not in out.stdout, (args, out.stdout)
        if out.returncode == 2:
            assert len(out.stderr.strip().splitlines()) == 1, (args, out.stderr)
