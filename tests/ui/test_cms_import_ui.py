"""Import CMS files from the window: the progress dialog, the work off the GUI thread, and the result in use."""

from __future__ import annotations

from PySide6.QtCore import Qt

from omaliref.ui.main_window import MainWindow
from tests.fixtures.cms import ASP_CSV, NAMES, quarter_zips, write_zip


def import_through_menu(window, qtbot, monkeypatch, paths):
    monkeypatch.setattr(MainWindow, "ask_import_paths", staticmethod(lambda parent: [str(p) for p in paths]))
    window.import_action.trigger()
    dialog = window.import_progress
    # The dialog shows at once; the worker's outcome reaches it only through the event loop, which has not turned
    # yet (whether the worker's thread is still running by now is up to the scheduler, so it is not asserted).
    assert dialog.isVisible() and dialog.outcome == ""
    with qtbot.waitSignal(dialog.import_ended, timeout=20000) as ended:  # the window has taken the outcome too
        pass
    assert ended.args == [dialog.outcome] and dialog.outcome
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
    assert dialog.labelText().count("\n") == 3  # one line per file, not one line wider than the screen
    assert dialog.width() <= dialog.screen().availableGeometry().width()
    assert window.quarters_label.text() == "CMS quarters: 2027Q1"
    # the imported code is now searchable, opens in the reference, and calculates with its payment limit and MUE
    qtbot.keyClicks(window.search_edit, "examplemab")
    assert window.reference.current_id == "J0001"
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.calculator.code == "J0001"
    window.calculator.date_edit.setDate(window.calculator.date_edit.date().fromString("2027-02-01", "yyyy-MM-dd"))
    qtbot.keyClicks(window.calculator.dose_edit, "25mg")
    # the crosswalk does not say single-dose: the window asks for the NDC opened, and the label is confirmed for it
    assert "name the NDC opened" in window.calculator.containers_error.text()
    assert not window.calculator.single_dose_confirmed.isEnabled()
    qtbot.keyClicks(window.calculator.containers_edit, "99999-0001-10")
    qtbot.mouseClick(window.calculator.single_dose_confirmed, Qt.MouseButton.LeftButton)
    assert window.calculator.lines_model.rowCount() == 2  # 3 units given, 7 discarded (JW)
    texts = [window.calculator.warnings_list.item(i).text() for i in range(window.calculator.warnings_list.count())]
    assert any("payment limit 2027Q1: $12.345" in t for t in texts)
    assert any("MUE 2027Q1 (practitioner): 10 units" in t for t in texts)


def test_a_broken_file_is_reported_and_nothing_imported(window, qtbot, monkeypatch, tmp_path):
    bad = write_zip(tmp_path / "bad.zip", {NAMES["asp"]: ASP_CSV.replace("HCPCS Code Dosage", "Dose")})
    dialog = import_through_menu(window, qtbot, monkeypatch, [bad])
    assert "Nothing was imported" in dialog.outcome and "line 9" in dialog.outcome
    assert ": expected " in dialog.outcome and dialog.outcome.endswith(".")  # a whole sentence
    assert dialog.value() == dialog.minimum()  # not a full bar over "nothing was imported"
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
    text = dialog.report.toPlainText()
    assert "J0006" in text
    assert "J0001: $12.345 per unit → $13.000 per unit\n  J0003: $9.870 per unit → not priced" in text  # not JSON
    assert "MUE values changed" in text and "{" not in text
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


def test_reference_pane_marks_a_package_the_imported_crosswalk_contradicts(window, qtbot, monkeypatch, tmp_path):
    """After importing real CMS files, a curated package shows what CMS says: confirmed, or contradicted in red."""
    from tests.e2e.test_cms_real import CROSSWALK_JUL24

    doctored = tmp_path / "crosswalk.csv"
    text = CROSSWALK_JUL24.read_text(encoding="utf-8")
    doctored.write_text(text.replace("XOLAIR PFS,5 MG,2,1,60,60", "XOLAIR PFS,5 MG,2,1,30,30"), encoding="utf-8")
    import_through_menu(window, qtbot, monkeypatch, [doctored])
    qtbot.keyClicks(window.search_edit, "50242-0227-01")
    assert window.reference.current_id == "50242-0227-01"
    shown = window.reference.toPlainText()
    assert "CONTRADICTED by CMS — check before billing. CMS 2024Q3 XOLAIR PFS:" in shown and "pack 60, CMS 30" in shown
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "50242-0215-55")
    assert (
        "Confirmed by CMS. CMS 2024Q3: XOLAIR AUTOINJECTOR under J2357, 30 billing units"
        in window.reference.toPlainText()
    )


def test_skipped_rows_are_reported_in_the_dialog(window, qtbot, monkeypatch):
    from tests.e2e.test_cms_real import CROSSWALK_APR24

    dialog = import_through_menu(window, qtbot, monkeypatch, [CROSSWALK_APR24])
    assert "2024Q2 crosswalk: imported" in dialog.outcome
    assert "1 row(s) left out:" in dialog.outcome and "line 20: BILLUNITS '21.3125?' is not a number" in dialog.outcome


def test_a_file_without_a_quarter_asks_for_one(window, qtbot, monkeypatch, tmp_path):
    """The coder is asked which quarter; the answer is used, never a guess; no answer imports nothing."""
    from omaliref.ui.cms_import_dialog import ImportProgressDialog
    from tests.e2e.test_cms_real import quarterless_hcpcs_file

    nameless = quarterless_hcpcs_file(tmp_path)
    asked = []
    monkeypatch.setattr(
        ImportProgressDialog, "ask_quarter_text", staticmethod(lambda parent, file: asked.append(file) or "")
    )
    dialog = import_through_menu(window, qtbot, monkeypatch, [nameless])
    qtbot.waitUntil(lambda: bool(dialog.outcome), timeout=10000)
    assert asked == ["codes.txt"] and "does not say which quarter" in dialog.outcome
    assert window.library.quarters() == []

    monkeypatch.setattr(ImportProgressDialog, "ask_quarter_text", staticmethod(lambda parent, file: "2019q1"))
    dialog = import_through_menu(window, qtbot, monkeypatch, [nameless])
    qtbot.waitUntil(lambda: bool(dialog.outcome), timeout=10000)
    dialog.wait()
    assert [(r.kind, r.quarter) for r in dialog.reports] == [("hcpcs", "2019Q1")]


def test_any_failure_in_the_worker_ends_the_dialog(window, qtbot, monkeypatch, tmp_path):
    from omaliref.data.library import Library

    def explode(self, *args, **kwargs):
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(Library, "import_files", explode)
    dialog = import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q1"))
    assert dialog.outcome == "Nothing was imported: unexpected RuntimeError: disk controller on fire"
    assert not dialog.thread_.isRunning()


def test_a_start_with_imported_quarters_answers_from_the_pack_then_adds_the_imported_codes(
    qtbot, isolated_state, tmp_path
):
    """#17: the window answers at once from the compiled pack; a worker thread with its own connection indexes the
    imported codes after the first paint and hands the index over."""
    import datetime as dt

    from omaliref.app import build_window
    from omaliref.data.library import Library

    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    library.close()
    window = build_window(str(isolated_state), today=dt.date(2027, 2, 1))
    qtbot.addWidget(window)
    assert window.library.store is not None

    def found(query):
        return [hit.entry.id for hit in window.library.search(query, 5)]

    # before the event loop's first turn: the curated pack answers, and the imported codes are not indexed yet
    assert found("xolair")[0] == "J2357" and "J0001" not in found("examplemab")
    with qtbot.waitSignal(window.index_ready, timeout=20000):  # the thread starts on the event loop's first turn
        qtbot.keyClicks(window.search_edit, "xolair")
        assert window.reference.current_id == "J2357"
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "examplemab")
    assert window.reference.current_id == "J0001"


def test_closing_the_window_during_an_import_cancels_it_and_waits(window, qtbot, monkeypatch, tmp_path):
    """Red team 2026-12 #3: the import dialog is modeless, so the window can close while its QThread runs; Python
    then destroyed the running thread (QThread: Destroyed while thread is still running, SIGABRT) and, in the write
    phase, left a hot journal. Closing now cancels the worker and the window closes once the thread has ended."""
    import threading

    from omaliref.data import cms_import

    reading, release = threading.Event(), threading.Event()
    real_parse = cms_import.read_member

    def held_parse(member, quarter=None, should_cancel=lambda: False):
        reading.set()
        release.wait()  # the test lets the worker go on once the window has been asked to close
        return real_parse(member, quarter, should_cancel)

    monkeypatch.setattr(cms_import, "read_member", held_parse)
    monkeypatch.setattr(
        MainWindow, "ask_import_paths", staticmethod(lambda parent: [str(p) for p in quarter_zips(tmp_path / "q1")])
    )
    dialog = window.import_dialog()
    try:
        assert reading.wait(20), "the worker never started reading"
        window.close()
        assert dialog.thread_.isRunning() and window.isVisible()  # not closed under a running thread
        assert dialog.worker._cancel.is_set()  # asked to stop, not abandoned
        assert "Cancelling the import" in window.statusBar().currentMessage()
        window.close()  # a second request while waiting changes nothing
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)
    assert not dialog.thread_.isRunning()
    assert "cancelled" in dialog.outcome
    assert imported_quarters(window) == []


def imported_quarters(window):
    from omaliref.data.library import Library

    library = Library.open()
    try:
        return library.quarters()
    finally:
        library.close()


def test_a_background_index_older_than_the_last_import_is_dropped(qtbot, monkeypatch, isolated_state, tmp_path):
    """Red team 2026-12 #17: the start-up index, built from the database as it was before an import, arrived after
    the import's fresh index and replaced it: the imported code J0006 was not found until a restart."""
    import datetime as dt
    import threading

    from PySide6.QtWidgets import QApplication

    from omaliref.app import build_window
    from omaliref.data.library import Library

    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    library.close()
    building, release = threading.Event(), threading.Event()
    real_build = Library.build_index

    def held_build(self, entries=None):
        index = real_build(self, entries)
        if threading.current_thread().name == "omaliref-index":
            building.set()
            release.wait()  # the start-up index is slow (a big quarter, a slow PC): the import ends first
        return index

    monkeypatch.setattr(Library, "build_index", held_build)
    window = build_window(str(isolated_state), today=dt.date(2027, 5, 1))
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(building.is_set, timeout=20000)
        import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q2", month="APR", changes=True))
    finally:
        release.set()
    # the held thread hands its (stale) index over as it ends; then the event loop delivers it
    qtbot.waitUntil(lambda: not any(t.name == "omaliref-index" for t in threading.enumerate()), timeout=20000)
    QApplication.processEvents()
    qtbot.keyClicks(window.search_edit, "J0006")
    assert window.reference.current_id == "J0006"


def test_an_import_in_a_terminal_while_the_window_is_open_is_picked_up(window, qtbot, monkeypatch, tmp_path):
    """Red team 2026-12 #6: the window now reloads the imported data before its next answer and says so."""
    from omaliref.data.library import Library

    import_through_menu(window, qtbot, monkeypatch, quarter_zips(tmp_path / "q1"))
    assert window.quarters_label.text() == "CMS quarters: 2027Q1"
    cli = Library.open()  # `omaliref import` in a terminal: its own connection
    cli.import_files(quarter_zips(tmp_path / "q2", month="APR", changes=True))
    cli.close()
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=20000):
        qtbot.keyClicks(window.search_edit, "J0006")
    assert "changed" in window.statusBar().currentMessage()
    assert window.reference.current_id == "J0006"
    assert window.quarters_label.text() == "CMS quarters: 2027Q1, 2027Q2"
