"""The window on a workstation with a site folder: the quarter arrives after the first paint, without an import."""

from __future__ import annotations

from omaliref.app import build_window
from tests.conftest import TODAY
from tests.fixtures.cms import quarter_zips


def start(qtbot, state):
    window = build_window(str(state), today=TODAY)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.site_imported, timeout=30000) as blocker:  # the thread starts once shown
        window.show()
    return window, blocker.args[0]


def test_first_start_imports_the_site_quarter_in_the_background_and_the_second_imports_nothing(
    qtbot, isolated_state, tmp_path, monkeypatch
):
    site = tmp_path / "share"
    quarter_zips(site)
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))

    window, first = start(qtbot, isolated_state)
    assert first.new_quarters == ("2027Q1",) and first.quarters_changed
    assert window.quarters_label.text() == "CMS quarters: 2027Q1"
    assert "New CMS quarter 2027Q1" in window.statusBar().currentMessage()
    window.search_edit.setText("examplemab")  # a drug only the imported files know: found once the index is rebuilt
    qtbot.waitUntil(lambda: window.results.rowCount() > 0, timeout=30000)
    window.close()

    again, second = start(qtbot, isolated_state)
    assert (second.imported, second.notices, second.quarters_changed) == ((), (), False)
    assert again.quarters_label.text() == "CMS quarters: 2027Q1"


def test_an_unreachable_share_is_a_status_notice(qtbot, isolated_state, tmp_path, monkeypatch):
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(tmp_path / "offline"))
    window, result = start(qtbot, isolated_state)
    assert "cannot be reached" in window.statusBar().currentMessage()
    assert result.notices and window.quarters_label.text() == "No CMS quarter imported"
