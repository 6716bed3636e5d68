"""The reference pane says when CMS ends a code or modifier, and which file says so (#23)."""

from __future__ import annotations

from omaliref.data.library import Library
from tests.e2e.test_cms_authority import HCPCS_OCT25


def test_jg_shows_its_end_date_and_the_file_that_states_it(window, qtbot):
    qtbot.keyClicks(window.search_edit, "JG")
    qtbot.waitUntil(lambda: window.reference.current_id == "JG")
    text = window.reference.toPlainText()
    assert "ended 2024-12-31 (CMS HCPCS 2025Q4); use TB" in text


def test_with_the_hcpcs_file_imported_the_pane_gives_its_verdict(make_window, qtbot, isolated_state):
    library = Library.open(str(isolated_state))
    library.import_files([HCPCS_OCT25])
    library.close()
    window = make_window()
    qtbot.keyClicks(window.search_edit, "JG")
    qtbot.waitUntil(lambda: window.reference.current_id == "JG")
    assert "Ended, as CMS states. ended 2024-12-31 (CMS 2025Q4)" in window.reference.toPlainText()
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "S1090")
    qtbot.waitUntil(lambda: window.reference.current_id == "S1090")
    text = window.reference.toPlainText()
    assert "ended 2019-09-30 (CMS HCPCS 2025Q4)" in text and "Ended, as CMS states" in text
