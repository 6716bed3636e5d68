"""Import CMS files from the window: the progress dialog, the work off the GUI thread, and the result in use."""

from __future__ import annotations

from PySide6.QtCore import Qt

from omaliref.ui.main_window import MainWindow
from tests.fixtures.cms import ASP_CSV, NAMES, quarter_zips, write_zip


def import_through_menu(window, qtbot, monkeypatch, paths):
    monkeypatch.setattr(MainWindow, "ask_import_paths", staticmethod(lambda parent: [str(p) for p in paths]))
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20000):
        window.import_action.trigger()
        dialog = window.import_progress
        assert (dialog.isVisible() and dialog.thread_.isRunning()) or dialog.outcome
    dialog.wait()
    return dialog


def test_import_through_the_progress_dialog(window, qtbot, monkeypatch, tmp_path):
    dialog = import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q1"))
    assert [(r.kind, r.status) for r in dialog.reports] == [
        ("hcpcs", "imported"),
        ("asp", "imported"),
        ("crosswalk", "imported"),
        ("mue", "imported"),
    ]
    assert dialog.value() == dialog.maximum()
    assert window.quarters_label.text() == "CMS quarters: 2027Q1"
    # the imported code is now searchable, opens in the reference, and calculates with its payment limit and MUE
    qtbot.keyClicks(window.search_edit, "examplemab")
    assert window.reference.current_id == "J0001"
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.calculator.code == "J0001"
    window.calculator.date_edit.setDate(window.calculator.date_edit.date().fromString("2027-02-01", "yyyy-MM-dd"))
    # the crosswalk does not say single-dose: the coder confirms it from the label before the calculator chooses
    qtbot.mouseClick(window.calculator.single_dose_confirmed, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.calculator.dose_edit, "25mg")
    texts = [window.calculator.warnings_list.item(i).text() for i in range(window.calculator.warnings_list.count())]
    assert any("payment limit 2027Q1: $12.345" in t for t in texts)
    assert any("MUE 2027Q1 (practitioner): 10 units" in t for t in texts)


def test_a_broken_file_is_reported_and_nothing_imported(window, qtbot, monkeypatch, tmp_path):
    bad = write_zip(tmp_path / "bad.zip", {NAMES["asp"]: ASP_CSV.replace("12.345", "twelve")})
    dialog = import_through_menu(window, qtbot, monkeypatch, [bad])
    assert "Nothing was imported" in dialog.outcome and "line 11" in dialog.outcome
    assert window.quarters_label.text() == "No CMS quarter imported"


def test_cancel_keeps_nothing(window, qtbot, monkeypatch, tmp_path):
    from omaliref.ui import cms_import_dialog

    monkeypatch.setattr(
        MainWindow, "ask_import_paths", staticmethod(lambda parent: [str(p) for p in quarter_zips(tmp_path / "q1")])
    )
    real_run = cms_import_dialog.ImportWorker.run

    def cancel_first(self):
        self.cancel()  # as if Cancel were clicked before the first file
        real_run(self)

    monkeypatch.setattr(cms_import_dialog.ImportWorker, "run", cancel_first)
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20000):
        window.import_action.trigger()
    window.import_progress.wait()
    assert "cancelled" in window.import_progress.outcome
    assert window.quarters_label.text() == "No CMS quarter imported"


def test_changes_dialog(window, qtbot, monkeypatch, tmp_path):
    from omaliref.ui.cms_import_dialog import ChangesDialog

    import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q1"))
    import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q2", month="APR", changes=True))
    dialog = ChangesDialog(window.library, window)
    qtbot.addWidget(dialog)
    assert dialog.from_box.currentText() == "2027Q1" and dialog.to_box.currentText() == "2027Q2"
    assert "J0006" in dialog.report.toPlainText()
    qtbot.keyClicks(dialog.codes_edit, "J2357")
    text = dialog.report.toPlainText()
    assert "J0006" not in text and "(revised)" in text


def test_imported_codes_are_searchable_after_a_restart(make_window, qtbot, monkeypatch, tmp_path):
    first = make_window()
    import_through_menu(first, qtbot, monkeypatch, quarter_zips(tmp_path / "q1"))
    first.close()
    second = make_window()  # the index with imported codes is built off the GUI thread
    qtbot.keyClicks(second.search_edit, "J0001")
    qtbot.waitUntil(lambda: second.reference.current_id == "J0001", timeout=10000)
    assert second.quarters_label.text() == "CMS quarters: 2027Q1"
