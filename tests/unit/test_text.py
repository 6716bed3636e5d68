"""Red team 2026-12 #8: one value is one printable line, from the import and from a store written before it."""

from __future__ import annotations

import sqlite3

from omaliref.data.library import Library
from omaliref.domain.text import one_line
from tests.e2e.test_cms_real import CROSSWALK_JUL24


def test_control_bidi_and_separator_runs_become_one_space():
    assert one_line("Inj\r\nNM1*85*2*INJECTED~") == "Inj NM1*85*2*INJECTED~"
    assert one_line("a\x1b[2J\x1b]0;pwned\x07b") == "a [2J ]0;pwned b"
    assert one_line("x\u202eRLO\u2028LS\u2066\tTAB\x85") == "x RLO LS TAB "
    assert one_line("Omalizumab inyección, 5 mg") == "Omalizumab inyección, 5 mg"


def test_a_store_written_before_the_fix_still_reads_as_one_line(tmp_path):
    state = tmp_path / "state"
    library = Library.open(str(state))
    library.import_files([CROSSWALK_JUL24])
    library.close()
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute("UPDATE crosswalk SET drug_name = 'Xolair\x1b[2J\r\nSE*1*0001~\u202e', labeler = CAST(X'ff41' AS TEXT)")
    db.execute("DELETE FROM meta WHERE key='text'")
    db.commit()
    db.close()
    library = Library.open(str(state))
    rows = library.store.db.execute("SELECT drug_name, labeler FROM crosswalk LIMIT 1").fetchone()
    assert tuple(rows) == ("Xolair [2J SE*1*0001~ ", "\ufffdA")  # invalid UTF-8 is replaced, not an error
    library.close()


def test_the_next_import_makes_old_text_one_line_and_marks_the_database(tmp_path):
    from tests.e2e.test_cms_real import ASP_JUL24

    state = tmp_path / "state"
    library = Library.open(str(state))
    library.import_files([CROSSWALK_JUL24])
    library.close()
    path = state / "data" / "cms.sqlite3"
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key='text'").fetchone() == ("one-line",)
    db.execute("DELETE FROM meta WHERE key='text'")  # as a build before the mark left it
    db.execute("UPDATE crosswalk SET drug_name = 'Xolair\x1b[2J\r\nSE*1*0001~'")
    db.commit()
    db.close()
    library = Library.open(str(state))
    assert library.store.db.text_factory is not str  # unmarked: every value is made one line as it is read
    library.import_files([ASP_JUL24])
    assert library.store.db.text_factory is str  # marked by the import: SQLite's own decoding
    library.close()
    db = sqlite3.connect(path)
    assert {r[0] for r in db.execute("SELECT drug_name FROM crosswalk")} == {"Xolair [2J SE*1*0001~"}
    db.close()
