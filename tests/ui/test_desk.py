"""At the charge-entry desk, by keyboard: short paths, a one-key fix, NDC from search, and a clean new case."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omaliref.ui.calculator_pane import LINES_MIN_HEIGHT

KEYS = []


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    """One keystroke to whatever has the focus, as the coder's keyboard would send it."""
    KEYS.append(key)
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def type_text(qtbot, window, text):
    for ch in text:
        KEYS.append(ch)
        qtbot.keyClicks(QApplication.focusWidget() or window, ch)


def test_tab_from_search_reaches_the_dose_in_at_most_three_presses(window, qtbot):
    window.activateWindow()
    window.search_edit.setFocus()
    qtbot.waitUntil(window.search_edit.hasFocus)
    presses = 0
    while not window.calculator.dose_edit.hasFocus() and presses < 10:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        presses += 1
    assert window.calculator.dose_edit.hasFocus() and presses <= 3


def test_j2357_375mg_to_the_clipboard_in_at_most_twelve_keystrokes(window, qtbot):
    KEYS.clear()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts reach the active window only
    window.search_edit.setFocus()
    qtbot.waitUntil(window.search_edit.hasFocus)
    while not window.calculator.dose_edit.hasFocus() and len(KEYS) < 5:
        press(qtbot, window, Qt.Key.Key_Tab)
    type_text(qtbot, window, "375mg")
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, window, Qt.Key.Key_C, modifiers)
    rows = QApplication.clipboard().text().splitlines()
    assert rows[1:] == ["J2357\tJZ\t60\t50242022701\tML\t2\t", "J2357\tJZ\t15\t50242021401\tML\t0.5\t"]
    assert len(KEYS) <= 12


def test_ctrl_d_focuses_the_dose(window, qtbot):
    window.activateWindow()
    window.search_edit.setFocus()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.calculator.dose_edit.hasFocus()


def test_a_look_alike_error_offers_a_one_key_fix(window, qtbot):
    calc = window.calculator
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    calc.set_code("J7402")
    qtbot.keyClicks(calc.dose_edit, "375mg")  # omalizumab's dose on the Sinuva implant code
    assert calc.fix_button.isVisible() and calc.fix_button.text() == "Use J2357  (Alt+U)"
    qtbot.keyClick(calc.dose_edit, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert calc.code == "J2357" and not calc.fix_button.isVisible()
    assert window.calculator.lines_model.rowCount() == 2


def test_opening_an_ndc_from_search_sets_the_code_and_adds_the_container(window, qtbot):
    qtbot.keyClicks(window.search_edit, "50242-0215-01")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.calculator.code == "J2357"
    assert window.calculator.containers_edit.text() == "50242-0215-01x1"
    qtbot.keyClicks(window.calculator.dose_edit, "150mg")
    assert window.calculator.lines_model.index(0, 2).data() == "30"


def test_new_case_clears_the_patient_and_keeps_the_desk(window, qtbot):
    calc, checklist = window.calculator, window.checklist
    calc.set_code("J0490")
    calc.setting_box.setCurrentIndex(calc.setting_box.findData("hospital-outpatient"))
    checklist.set_indication("asthma")
    qtbot.keyClicks(calc.dose_edit, "225mg")
    qtbot.keyClicks(calc.containers_edit, "50242-0040-62x2")
    model = checklist.model
    model.setData(model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert model.ticked
    qtbot.keyClick(window.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calc.dose_edit.text() == "" and calc.containers_edit.text() == ""
    assert calc.code == "J2357"  # the code is the patient's too: back to the default, as the README says
    assert checklist.indication == "" and not model.ticked
    assert calc.setting == "hospital-outpatient" and calc.profile_id == "medicare-part-b"  # the desk stays
    assert "New case" in window.statusBar().currentMessage()
    qtbot.mouseClick(window.new_case_button, Qt.MouseButton.LeftButton)  # the visible button does the same
    assert calc.dose_edit.hasFocus()


def test_the_date_field_takes_the_forms_coders_type_and_never_reinterprets(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "150mg")
    for typed, expected in (("2022-06-01", "2022-06-01"), ("06/01/2026", "2026-06-01"), ("20260601", "2026-06-01")):
        calc.date_edit.clear()
        qtbot.keyClicks(calc.date_edit, typed)
        assert str(calc.snapshot.current.case.date_of_service) == expected
    calc.date_edit.clear()
    qtbot.keyClicks(calc.date_edit, "2022-13-01")
    assert calc.date_error.isVisible() and "not a date" in calc.date_error.text()
    assert calc.stale


def test_stale_greys_warnings_rules_and_findings_and_marks_them(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "225mg")
    qtbot.keyClicks(calc.containers_edit, "50242-0040-62x2")
    assert not calc.warnings_list.item(0).text().startswith("STALE")
    qtbot.keyClicks(calc.dose_edit, "x")
    assert calc.stale
    assert all(calc.warnings_list.item(i).text().startswith("STALE — ") for i in range(calc.warnings_list.count()))
    assert calc.rules_label.text().startswith("STALE — ") and "6b6b6b" in calc.rules_label.styleSheet()
    assert "STALE" in window.checklist.findings.text()
    qtbot.keyClick(calc.dose_edit, Qt.Key.Key_Backspace)
    assert not calc.stale and not calc.rules_label.text().startswith("STALE")


@pytest.mark.parametrize(
    "window_colour, text_colour",
    [
        ("#ffffff", "#000000"),  # light
        ("#2b2b2b", "#eeeeee"),  # dark
        ("#000000", "#ffff00"),  # high contrast (yellow on black)
        ("#800000", "#ffffff"),  # a dark red theme: neither red reads, the palette's text colour is used
    ],
)
def test_error_text_reads_at_4_5_to_1_on_every_palette(qtbot, window_colour, text_colour):
    from PySide6.QtGui import QColor, QPalette

    from omaliref.ui.widgets import ErrorLabel, contrast

    label = ErrorLabel("dose")
    qtbot.addWidget(label)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window_colour))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text_colour))
    label.setPalette(palette)
    colour = QColor(label.styleSheet().split("color:")[1].split(";")[0])
    assert contrast(colour, QColor(window_colour)) >= 4.5


def test_an_error_is_an_accessible_description(window, qtbot):
    qtbot.keyClicks(window.calculator.dose_edit, "abc")
    assert "not a dose unit" in window.calculator.dose_error.accessibleDescription()


def test_every_claim_line_stays_in_view_on_a_1366x768_screen(window, qtbot):
    """The claim-lines table is never squeezed below its lines: on a short screen the pane scrolls instead (on
    X11 at 1366x768 the table once showed one line and a half of two)."""
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "225mg")
    qtbot.keyClicks(calc.containers_edit, "50242-0040-62x2")
    assert calc.lines_model.rowCount() == 2
    view = calc.lines_view
    needed = view.horizontalHeader().sizeHint().height() + view.rowHeight(0) + view.rowHeight(1)
    assert needed > LINES_MIN_HEIGHT  # two lines need more than the table's floor
    assert view.minimumHeight() >= needed
    qtbot.waitUntil(lambda: view.height() >= needed)
    calc.dose_edit.clear()
    qtbot.keyClicks(calc.dose_edit, "75mg")
    calc.containers_edit.clear()
    assert view.minimumHeight() < needed  # one line: the table gives the room back


def test_stale_lines_are_never_of_another_code_than_the_code_box(window, qtbot):
    """Greyed lines of the last valid input stay only while they are of the code shown (J2357's lines once stayed
    under J9035, and under J7402 after a look-alike slip)."""
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "375mg")
    assert calc.lines_model.rowCount() == 2
    calc.set_code("J7402")  # omalizumab's dose on the Sinuva implant code: refused
    assert calc.code_error.isVisible() and "Omalizumab is J2357" in calc.code_error.text()
    assert calc.lines_model.rowCount() == 0 and not calc.stale and not calc.stale_banner.isVisible()
    calc.set_code("J2357")
    assert calc.lines_model.rowCount() == 2 and not calc.stale
    qtbot.keyClicks(calc.dose_edit, "x")  # the same code, invalid dose: the last lines stay, greyed
    assert calc.stale and calc.lines_model.rowCount() == 2


def test_picking_the_same_package_twice_writes_x2_and_the_list_names_the_route(window, qtbot):
    calc = window.calculator
    ndc = calc.package_box.itemData(1)
    route = window.library.catalog.products[ndc].route
    assert route and calc.package_box.itemText(1).endswith(f", {route}")
    calc.package_box.setFocus()
    qtbot.waitUntil(calc.package_box.hasFocus)
    for _ in range(2):
        qtbot.keyClick(calc.package_box, Qt.Key.Key_Down)
        qtbot.keyClick(calc.package_box, Qt.Key.Key_Return)  # added, and the box goes back to "Add a package…"
    assert calc.containers_edit.text() == f"{ndc}x2"


def test_every_calculator_field_has_a_mnemonic(window, qtbot):
    calc = window.calculator
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert calc.package_box.hasFocus()
    assert calc.separately_payable.isChecked()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not calc.separately_payable.isChecked())  # a mnemonic clicks the box (animated)
    qtbot.keyClicks(calc.containers_edit, "50242-0215-01")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(calc.single_dose_confirmed.isChecked)


def test_an_error_is_read_on_its_field_too(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "abc")
    assert "not a dose unit" in calc.dose_edit.accessibleDescription()
    calc.dose_edit.clear()
    qtbot.keyClicks(calc.dose_edit, "150mg")
    assert calc.dose_edit.accessibleDescription() == ""


def test_the_indication_list_follows_the_drug(window, qtbot):
    box = window.checklist.indication_box
    assert box.isEnabled()
    window.calculator.set_code("J0490")  # belimumab: the omalizumab indications do not apply
    assert not box.isEnabled() and "do not apply to J0490" in box.toolTip()
    window.calculator.set_code("J2357")
    assert box.isEnabled() and box.toolTip() == ""


def test_a_ticked_checklist_item_says_done_in_words(window, qtbot):
    model = window.checklist.model
    first = model.index(0, 0).data()
    assert not first.startswith("✔")
    model.setData(model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert model.index(0, 0).data() == "✔ DONE — " + first  # distinct whatever the palette draws the box as
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert model.index(0, 0).data() == first


def test_help_lists_every_key_the_window_answers_to(window, qtbot):
    from omaliref.ui.dialogs import ShortcutsDialog

    rows = dict(window.shortcut_rows())
    for keys in ("Ctrl+D", "Ctrl+E", "Ctrl+K", "Ctrl+N", "Ctrl+Shift+C", "Alt+P", "Alt+G", "Alt+U", "Esc"):
        assert keys in rows, keys
    assert rows["Alt+P"] == "Payer" and rows["Ctrl+D"].startswith("Go to Dose")
    dialog = ShortcutsDialog(window.shortcut_rows(), window)
    qtbot.addWidget(dialog)
    assert "Ctrl+Shift+C" in dialog.view.toPlainText()
    assert any(a.shortcut().toString() == "F1" for a in window.findChildren(type(window.export_action)))


def test_every_warning_is_reachable_from_the_keyboard_on_a_1280x720_screen(window, qtbot):
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.height() <= 720)
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "375mg")
    calc.dose_button.setFocus()
    qtbot.waitUntil(calc.dose_button.hasFocus)
    qtbot.keyClick(calc.dose_button, Qt.Key.Key_Tab)
    warnings = calc.warnings_list
    assert warnings.hasFocus() and warnings.count() > 1
    for _ in range(warnings.count()):
        qtbot.keyClick(warnings, Qt.Key.Key_Down)
    assert warnings.currentRow() == warnings.count() - 1  # Down walks to the last warning
    last = warnings.visualItemRect(warnings.item(warnings.count() - 1))
    assert warnings.viewport().rect().intersects(last)  # and the list scrolled it into view


def test_a_search_with_no_results_clears_the_reference_pane(window, qtbot):
    qtbot.keyClicks(window.search_edit, "J2357")
    assert window.reference.current_id == "J2357" and "1 unit = 5 mg" in window.reference.toPlainText()
    window.search_edit.clear()
    qtbot.keyClicks(window.search_edit, "zzqqxx")
    assert window.results.rowCount() == 0 and window.reference.current_id == ""
    assert "1 unit = 5 mg" not in window.reference.toPlainText()  # J2357's entry is gone


def test_a_package_browsed_to_and_left_is_not_shown_as_if_added(window, qtbot):
    """Esc on the open list, arrows on the closed box, then Tab away: nothing added, and the box says so again."""
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "375mg")
    before = calc.lines_model.tsv()
    calc.package_box.setFocus()
    qtbot.waitUntil(calc.package_box.hasFocus)
    qtbot.keyClick(calc.package_box, Qt.Key.Key_Down)
    qtbot.keyClick(calc.package_box, Qt.Key.Key_Down)
    assert calc.package_box.currentIndex() > 0  # browsing shows a package
    qtbot.keyClick(calc.package_box, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not calc.package_box.hasFocus())
    assert calc.package_box.currentIndex() == 0 and calc.package_box.currentText() == "Add a package…"
    assert calc.containers_edit.text() == "" and calc.lines_model.tsv() == before
