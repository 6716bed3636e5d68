"""Red team 2026-12 #2, #13, #9: the import database recovers before it is judged. A hot journal left by a killed
import is rolled back by a read-write open (SQLite's own recovery), a newer install's database is left in place,
and only what SQLite itself cannot open is set aside."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from omaliref.data import cms_store
from omaliref.data.cms_store import CmsStore, StoreNewer, StoreUnavailable
from omaliref.data.library import Library
from omaliref.domain.errors import InputError
from tests.e2e.test_cms_real import ASP_JUL24, CROSSWALK_JUL24

HOT_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")

# A writer that changes the database file itself (a one-page cache spills to disk) and dies before its commit:
# what `kill -9` of an import, a crash or a power cut leaves behind.
KILLED_WRITER = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 1")
db.execute("BEGIN IMMEDIATE")
db.execute("DELETE FROM crosswalk")
db.execute("DELETE FROM imports")
os._exit(9)
"""


def imported_state(tmp_path):
    state = tmp_path / "state"
    library = Library.open(str(state))
    library.import_files([CROSSWALK_JUL24, ASP_JUL24])
    assert library.quarters() == ["2024Q3"]
    library.close()
    return state


def kill_mid_write(state):
    path = state / "data" / "cms.sqlite3"
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], check=False)
    journal = path.with_name(path.name + "-journal")
    assert journal.read_bytes()[:8] == HOT_JOURNAL_MAGIC, "the child left no hot journal"
    return path, journal


def counts(path):
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return db.execute("SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM crosswalk)").fetchone()
    finally:
        db.close()


def test_a_killed_import_is_rolled_back_and_every_quarter_kept(tmp_path):
    state = imported_state(tmp_path)
    path = state / "data" / "cms.sqlite3"
    before = counts(path)
    _path, journal = kill_mid_write(state)
    library = Library.open(str(state))
    assert library.notices == [] and library.database_problem is None
    assert library.quarters() == ["2024Q3"]
    assert sorted(r.kind for r in library.imports()) == ["asp", "crosswalk"]
    library.close()
    assert not journal.exists() and counts(path) == before
    assert not [p for p in path.parent.iterdir() if ".damaged-" in p.name]


def test_a_hot_journal_that_cannot_be_rolled_back_is_left_in_place(tmp_path, monkeypatch):
    """A read-only folder (or medium): the database needs a writer to recover, so it is reported, never moved."""
    state = imported_state(tmp_path)
    path, journal = kill_mid_write(state)
    real_connect = sqlite3.connect

    def read_only_medium(target, *args, **kwargs):
        if "mode=rw" in str(target):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(cms_store.sqlite3, "connect", read_only_medium)
    library = Library.open(str(state))
    assert library.store is None and len(library.notices) == 1
    assert "needs to be recovered" in library.notices[0] and "left in place" in library.notices[0]
    assert library.database_problem == library.notices[0]
    assert path.exists() and journal.exists()
    assert not [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    monkeypatch.undo()
    again = Library.open(str(state))  # once the folder can be written, SQLite recovers it
    assert again.quarters() == ["2024Q3"] and again.notices == []
    again.close()


def newer_schema(path):
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.commit()
    db.close()


def test_a_newer_installs_database_is_left_in_place_with_a_notice(tmp_path):
    state = imported_state(tmp_path)
    path = state / "data" / "cms.sqlite3"
    newer_schema(path)
    library = Library.open(str(state))
    assert library.store is None and len(library.notices) == 1
    assert "newer omaliref" in library.notices[0] and "left in place" in library.notices[0]
    with pytest.raises(InputError, match="newer omaliref"):
        library.import_files([ASP_JUL24])
    library.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["cms.sqlite3"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)
    assert db.execute("SELECT count(*) FROM imports").fetchone() == (2,)  # the import wrote nothing
    db.close()
    with pytest.raises(StoreNewer):
        CmsStore(path, readonly=True)
    with pytest.raises(StoreNewer):
        CmsStore(path)


def test_a_locked_database_is_unavailable_not_damaged(tmp_path, monkeypatch):
    state = imported_state(tmp_path)
    path = state / "data" / "cms.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        monkeypatch.setattr(cms_store, "BUSY_TIMEOUT_S", 0.05)
        with pytest.raises(StoreUnavailable, match="locked"):
            CmsStore(path, readonly=True)
        library = Library.open(str(state))
        assert library.store is None and library.database_problem is not None and "locked" in library.database_problem
    finally:
        holder.rollback()
        holder.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["cms.sqlite3"]
