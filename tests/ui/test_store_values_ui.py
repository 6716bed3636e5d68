"""Red team 2026-12 #14 in the window: a stored value left out of every answer is among the window's notices."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from omaliref.data.library import Library
from tests.e2e.test_store_values import DAMAGE, SAID
from tests.fixtures.cms import quarter_zips


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_the_window_says_what_the_store_leaves_out(make_window, isolated_state, tmp_path, caplog, damage):
    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    library.close()
    db = sqlite3.connect(isolated_state / "data" / "cms.sqlite3")
    db.execute(DAMAGE[damage])
    db.commit()
    db.close()
    with caplog.at_level(logging.INFO, logger="omaliref"):
        window = make_window()
        where, column = SAID[damage]
        said = [r.getMessage() for r in caplog.records if where in r.getMessage()]
    assert len(said) == 1 and column in said[0] and "left out" in said[0], caplog.text
    assert window.loaded
