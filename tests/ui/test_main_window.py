"""The window as a coder uses it: keys into the search box and the calculator, clicks on the buttons."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omaliref.data.state import Preferences
from omaliref.ui.dialogs import DoseCheck, DoseCheckDialog, PreferencesDialog
from omaliref.ui.main_window import MainWindow
from tests.conftest import TODAY


def type_into(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll() if hasattr(widget, "selectAll") else None
    qtbot.keyClicks(widget, text)


def test_search_box_has_focus_at_start(window, qtbot):
    qtbot.waitUntil(lambda: window.search_edit.hasFocus())


def test_typing_xolair_shows_j2357_with_its_5mg_unit(window, qtbot):
    qtbot.keyClicks(window.search_edit, "xolair")
    assert window.reference.current_id == "J2357"
    text = window.reference.toPlainText()
    assert "Injection, omalizumab, 5 mg" in text and "1 unit = 5 mg" in text


def test_j7402_shows_sinuva_with_the_omalizumab_alert(window, qtbot):
    qtbot.keyClicks(window.search_edit, "J7402")
    assert window.reference.current_id == "J7402"
    text = window.reference.toPlainText()
    assert "Mometasone furoate sinus implant, (sinuva), 10 micrograms" in text  # the descriptor as CMS prints it
    assert "LOOK-ALIKE" in text and "Omalizumab is J2357" in text


def test_arrow_keys_move_and_enter_opens(window, qtbot):
    qtbot.keyClicks(window.search_edit, "omalizumab")
    first = window.reference.current_id
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.results_view.currentIndex().row() == 1 and window.reference.current_id != first
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Up)
    assert window.reference.current_id == first
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "nucala")
    with qtbot.waitSignal(window.entry_shown, check_params_cb=lambda ident: ident == "J2182"):
        qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.calculator.code == "J2182"


def test_escape_clears_and_ctrl_k_focuses(window, qtbot):
    qtbot.keyClicks(window.search_edit, "jw")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == "" and window.results.rowCount() == 0
    window.calculator.dose_edit.setFocus()
    qtbot.waitUntil(lambda: window.calculator.dose_edit.hasFocus())
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.search_edit.hasFocus())


def test_link_in_reference_opens_entry(window, qtbot):
    qtbot.keyClicks(window.search_edit, "J7402")
    with qtbot.waitSignal(window.entry_shown, check_params_cb=lambda ident: ident == "J2357"):
        window.reference.entry_requested.emit("J2357")


def lines(window):
    model = window.calculator.lines_model
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def test_calculator_375mg_auto_gives_jz_75(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "375mg")
    assert lines(window) == [("J2357", "JZ", "60"), ("J2357", "JZ", "15")]  # 75 units, one line per NDC


def test_two_vials_for_225mg_gives_jw_line_and_blockers(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "225mg")
    type_into(qtbot, window.calculator.containers_edit, "50242-0040-62x2")
    assert lines(window) == [("J2357", "", "45"), ("J2357", "JW", "15")]
    severities = {
        window.checklist.model.item(r).item.id: window.checklist.model.item(r).severity
        for r in range(window.checklist.model.rowCount())
    }
    assert severities["jw-waste-documented"] == "blocker"
    assert "NOT READY" in window.checklist.verdict.text()


def test_package_picker_appends_ndc(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "150mg")
    box = window.calculator.package_box
    box.setFocus()
    for _ in range(box.findData("50242-0215-01")):  # arrow keys move through the list without adding
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert window.calculator.containers_edit.text() == ""
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter adds the package shown
    assert window.calculator.containers_edit.text() == "50242-0215-01x1"
    assert lines(window) == [("J2357", "JZ", "30")]


def test_bad_dose_text_shows_inline_message_and_keeps_last_result_stale(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "375mg")
    assert lines(window) == [("J2357", "JZ", "60"), ("J2357", "JZ", "15")]  # 75 units, one line per NDC
    qtbot.keyClicks(window.calculator.dose_edit, "x")  # "375mgx" is not a dose
    assert window.calculator.dose_error.isVisible()
    assert "not a dose unit" in window.calculator.dose_error.text()
    assert window.calculator.stale and window.calculator.stale_banner.isVisible()
    assert lines(window) == [("J2357", "JZ", "60"), ("J2357", "JZ", "15")]  # last good result still shown, greyed
    assert window.calculator.claim_lines_text() == ""  # but never copied while stale
    qtbot.keyClick(window.calculator.dose_edit, Qt.Key.Key_Backspace)
    assert not window.calculator.dose_error.isVisible() and not window.calculator.stale


def test_container_error_is_shown_next_to_containers(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "150mg")
    type_into(qtbot, window.calculator.containers_edit, "00173-0881-01")
    assert window.calculator.containers_error.isVisible()
    assert "J2182" in window.calculator.containers_error.text()


def test_copy_buttons_put_text_on_the_clipboard(window, qtbot):
    type_into(qtbot, window.calculator.dose_edit, "225mg")
    type_into(qtbot, window.calculator.containers_edit, "50242-0040-62x2")
    qtbot.mouseClick(window.calculator.copy_button, Qt.MouseButton.LeftButton)
    # tab-separated fields, one claim line per row, exactly as the table shows them
    assert QApplication.clipboard().text() == (
        "Code\tModifiers\tUnits\tNDC (N4)\tNDC unit\tNDC qty\tNote (item 19)\n"
        "J2357\t\t45\t50242004062\tUN\t1.5\t\n"
        "J2357\tJW\t15\t50242004062\tUN\t0.5\t"
    )
    qtbot.mouseClick(window.checklist.copy_button, Qt.MouseButton.LeftButton)
    summary = QApplication.clipboard().text()
    assert "J2357-JW x 15 units" in summary and "Verdict: Not ready" in summary


def test_ticking_items_changes_verdict_and_ticks_belong_to_the_case(make_window, qtbot, isolated_state):
    window = make_window()
    window.checklist.set_indication("csu")
    type_into(qtbot, window.calculator.dose_edit, "300mg")
    model = window.checklist.model
    for row in range(model.rowCount()):
        model.setData(model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert "READY: NOTHING OPEN" in window.checklist.verdict.text()
    window.close()  # ticks are the coder's confirmations for this case: never saved, never restored
    saved = json.loads((Path(isolated_state) / "config" / "state.json").read_text())
    assert saved["checklist_ticks"] == []
    again = make_window()
    type_into(qtbot, again.calculator.dose_edit, "300mg")
    assert not again.checklist.model.ticked


def test_pdf_export_writes_a_pdf(window, qtbot, tmp_path, monkeypatch):
    type_into(qtbot, window.calculator.dose_edit, "225mg")
    type_into(qtbot, window.calculator.containers_edit, "50242-0040-62x2")
    target = tmp_path / "audit.pdf"
    suggested = []

    def ask(parent, name="omaliref-audit.pdf"):
        suggested.append(name)
        return str(target)

    monkeypatch.setattr(MainWindow, "ask_pdf_path", staticmethod(ask))
    window.export_action.trigger()
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    html = window.audit_sheet_html()
    assert "J2357-JW x 15 units" in html and "Data pack" in html and "Sources" in html
    window.checklist.set_indication("asthma")
    window.calculator.m340b_box.setCurrentIndex(window.calculator.m340b_box.findData("TB"))
    window.export_action.trigger()
    # the file name carries code, date of service and time; the sheet carries what an auditor needs
    assert re.fullmatch(r"omaliref-audit-J2357-DOS2026-11-27-\d{6}\.pdf", suggested[0])
    import pypdf

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(target)).pages)
    text = " ".join(unicodedata.normalize("NFKC", text).split())  # PDF text extraction yields ligatures
    for needed in (
        "Made 20",
        "omaliref ",
        f"Data pack {window.library.catalog.info.version}",
        "Date of service 2026-11-27",
        "payer Medicare Part B",
        "setting office",
        "indication asthma",
        "340B TB",
        "CMS quarter none imported",
        "https://",
        "separately payable",
        "Prepared by",
        "Claim / encounter reference",
        "NDC (N4)",
        "50242004062",  # the NDC in its own column, as keyed
    ):
        assert needed in text, needed


def test_dose_check_warns_when_dose_differs(window, qtbot, monkeypatch, catalog):
    # asthma, IgE 150, 65 kg, 30 years: label 300 mg q4
    monkeypatch.setattr(
        DoseCheckDialog, "ask", classmethod(lambda cls, *a, **k: DoseCheck("asthma", "150", "65", "30"))
    )
    type_into(qtbot, window.calculator.dose_edit, "375mg")
    qtbot.mouseClick(window.calculator.dose_button, Qt.MouseButton.LeftButton)
    texts = [window.calculator.warnings_list.item(i).text() for i in range(window.calculator.warnings_list.count())]
    assert any("differs from the label dose" in t for t in texts)
    assert window.checklist.indication == "asthma"
    assert any(
        window.checklist.model.item(r).item.id == "dose-matches-label"
        and window.checklist.model.item(r).severity == "high"
        for r in range(window.checklist.model.rowCount())
    )


def test_dose_check_dialog_keys(qtbot, catalog):
    dialog = DoseCheckDialog(catalog, "asthma")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.ige_edit, "150")
    qtbot.keyClicks(dialog.weight_edit, "95")
    qtbot.keyClicks(dialog.age_edit, "40")
    assert "225 MG EVERY 2 WEEKS" in dialog.dose_label.text()
    qtbot.keyClicks(dialog.weight_edit, "0")  # 950 kg
    assert not dialog.error.isHidden() and "kilograms" in dialog.error.text()
    assert not dialog.ok_button.isEnabled()


def test_the_dose_check_dialog_opens_without_an_error_and_asks_once_typing_starts(qtbot, catalog):
    dialog = DoseCheckDialog(catalog, "asthma")
    qtbot.addWidget(dialog)
    assert dialog.error.isHidden() and not dialog.ok_button.isEnabled()  # nothing typed: nothing wrong yet
    qtbot.keyClicks(dialog.ige_edit, "150")
    assert not dialog.error.isHidden() and dialog.error.text()  # the weight the table needs is now asked for


def test_preferences_are_applied_and_saved(window, qtbot, monkeypatch, isolated_state):
    chosen = Preferences(payer="commercial", setting="hospital-outpatient", modifier_340b="TB")
    monkeypatch.setattr(PreferencesDialog, "ask", classmethod(lambda cls, *a, **k: chosen))
    window.preferences_dialog()
    assert window.calculator.payer == "commercial" and window.calculator.modifier_340b == "TB"
    assert window.checklist.setting == "hospital-outpatient"
    saved = json.loads((Path(isolated_state) / "config" / "state.json").read_text())
    assert saved["preferences"]["payer"] == "commercial"


def test_geometry_is_remembered(make_window, qtbot):
    first = make_window()
    first.resize(640, 480)  # within the offscreen screen, which clamps larger windows
    qtbot.waitUntil(lambda: first.width() == 640)
    first.close()
    second = make_window()
    assert (second.width(), second.height()) == (640, 480)


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QDateEdit,
        QHeaderView,
        QLineEdit,
        QListView,
        QTableView,
        QTextBrowser,
    )

    controls = []
    for kind in (QLineEdit, QComboBox, QAbstractButton, QDateEdit, QListView, QTableView, QTextBrowser):
        controls += [
            w
            for w in window.findChildren(kind)
            if not w.objectName().startswith("qt_")
            and not isinstance(w, QHeaderView)
            and not isinstance(w.parent(), (QComboBox, QDateEdit))
            and w.isVisibleTo(window)
        ]
    assert len(controls) >= 15
    for widget in controls:
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        assert name, f"{type(widget).__name__} without an accessible name"


def test_models_pass_qtmodeltester(window, qtbot, qtmodeltester):
    qtbot.keyClicks(window.search_edit, "omalizumab")
    type_into(qtbot, window.calculator.dose_edit, "225mg")
    type_into(qtbot, window.calculator.containers_edit, "50242-0040-62x2")
    qtmodeltester.check(window.results)
    qtmodeltester.check(window.calculator.lines_model)
    qtmodeltester.check(window.checklist.model)


def test_damaged_preferences_are_reported_once_in_the_status_bar(make_window, isolated_state):
    config = Path(isolated_state) / "config"
    config.mkdir(parents=True)
    (config / "state.json").write_text("{truncated")
    window = make_window()
    assert "kept aside" in window.statusBar().currentMessage()
    assert len(window.store.notices) == 1
    window.close()
    second = make_window()  # the damaged file was set aside: nothing to report any more
    assert second.statusBar().currentMessage() == ""
    assert second.calculator.payer == "medicare"


def test_unexpected_errors_reach_the_log_and_one_dialog(window, qtbot, tmp_path, monkeypatch):
    import logging
    import sys

    from omaliref.ui import dialogs
    from omaliref.ui import window_start as app_module

    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, summary, log: shown.append((summary, log)))
    log_path = tmp_path / "omaliref.log"
    handler = logging.FileHandler(log_path)
    app_module.log.addHandler(handler)
    previous = sys.excepthook
    try:
        app_module.install_excepthook(lambda: window, log_path)
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
        app_module.log.removeHandler(handler)
        handler.close()
    assert shown == [("RuntimeError: boom in a slot", str(log_path))]
    assert "boom in a slot" in log_path.read_text() and "Traceback" in log_path.read_text()


def test_pack_age_in_the_status_bar_and_a_banner_once_a_new_quarter_began(qtbot, isolated_state):
    from omaliref.app import build_window

    window = build_window(str(isolated_state), today=dt.date(2027, 1, 4))
    qtbot.addWidget(window)
    window.show()
    assert "days old" in window.data_label.text()
    assert window.stale_pack_banner.isVisible() and "2027Q1" in window.stale_pack_banner.text()
    fresh = build_window(str(isolated_state), today=TODAY)
    qtbot.addWidget(fresh)
    fresh.show()
    assert not fresh.stale_pack_banner.isVisible()
