"""The keyboard paths that once put a wrong claim on the clipboard (issue 25), driven as a coder drives them: real
key events to whatever has the focus, and the clipboard read back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def focused(window):
    """Where a key goes: an open popup (a completer's list, a combo box's list) takes the keyboard, as on X11."""
    popup, focus = QApplication.activePopupWidget(), QApplication.focusWidget()
    if popup is not None and not (focus is not None and (focus is popup or popup.isAncestorOf(focus))):
        return popup  # a completer's list: its filter hands the keys on to the field
    return focus or window


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    """One keystroke to whatever has the focus, as the coder's keyboard would send it."""
    qtbot.keyClick(focused(window), key, modifier)


def type_text(qtbot, window, text):
    for ch in text:
        qtbot.keyClicks(focused(window), ch)


def copy_lines(qtbot, window):
    """Ctrl+Shift+C and what it left on the clipboard and in the status bar."""
    QApplication.clipboard().setText("sentinel")
    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    return QApplication.clipboard().text(), window.statusBar().currentMessage()


@pytest.fixture
def desk(window, qtbot):
    """The window, active (shortcuts and mnemonics reach the active window only), focus in Dose, 375 mg typed."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.calculator.dose_edit.hasFocus)
    type_text(qtbot, window, "375mg")
    return window


def payer_by_arrows(qtbot, window, typed):
    """The path that always worked: Alt+P, part of the name, Down to the first completion, Enter."""
    box = window.calculator.payer_box
    press(qtbot, window, Qt.Key.Key_P, ALT)
    qtbot.waitUntil(box.hasFocus)
    type_text(qtbot, window, typed)
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def first_completion(box, typed):
    completer = box.completer()
    completer.setCompletionPrefix(typed)
    return completer.completionModel().index(0, 0).data()


@pytest.mark.parametrize("typed", ["palmetto", "illin", "TEXAS"])
@pytest.mark.parametrize("leave", [Qt.Key.Key_Return, Qt.Key.Key_Tab])
def test_payer_type_ahead_then_enter_or_tab_gives_the_same_lines_as_down_and_enter(desk, qtbot, typed, leave):
    window, calc = desk, desk.calculator
    assert copy_lines(qtbot, window)[1].startswith("Copied")  # Medicare Part B's lines, before the payer is typed
    assert calc.profile_id == "medicare-part-b"

    press(qtbot, window, Qt.Key.Key_P, ALT)
    qtbot.waitUntil(calc.payer_box.hasFocus)
    type_text(qtbot, window, typed)
    expected_name = first_completion(calc.payer_box, typed)
    assert calc.stale  # while the box names no profile the lines are not current
    assert copy_lines(qtbot, window)[1].startswith("Nothing copied")
    press(qtbot, window, leave)
    assert calc.payer_box.currentText() == expected_name  # the completer's first match, in the box
    assert calc.setting_box.hasFocus() if leave == Qt.Key.Key_Tab else calc.payer_box.hasFocus()
    assert not calc.stale and calc.profile_id != "medicare-part-b"
    typed_lines, message = copy_lines(qtbot, window)
    assert message.startswith("Copied")
    chosen = calc.profile_id

    calc.set_defaults("medicare", "")  # back to the previous payer, then the Down + Enter path
    assert calc.profile_id == "medicare-part-b"
    payer_by_arrows(qtbot, window, typed)
    assert calc.profile_id == chosen
    arrowed_lines, _ = copy_lines(qtbot, window)
    assert typed_lines == arrowed_lines


def test_a_name_that_fits_no_profile_is_refused_out_loud_and_never_copied(desk, qtbot):
    window, calc = desk, desk.calculator
    press(qtbot, window, Qt.Key.Key_P, ALT)
    type_text(qtbot, window, "zzyzx")
    press(qtbot, window, Qt.Key.Key_Return)
    assert calc.payer_error.isVisible() and "No payer profile's name contains 'zzyzx'" in calc.payer_error.text()
    assert calc.stale and calc.stale_banner.isVisible()
    clipboard, message = copy_lines(qtbot, window)
    assert message.startswith("Nothing copied") and "J2357" not in clipboard
    press(qtbot, window, Qt.Key.Key_Tab)  # leaving the box: it shows the profile still chosen, and says so
    assert not calc.payer_box.hasFocus()
    assert calc.payer_box.currentText() == calc.payer_box.itemText(calc.payer_box.currentIndex())
    assert calc.profile_id == "medicare-part-b" and not calc.stale
    assert "the payer is still Medicare Part B" in calc.payer_error.text()


def test_the_payer_name_field_is_named_for_screen_readers(desk):
    assert desk.calculator.payer_box.lineEdit().accessibleName() == "Payer profile name"


def test_a_second_alt_p_replaces_the_name_instead_of_appending(desk, qtbot):
    window, calc = desk, desk.calculator
    payer_by_arrows(qtbot, window, "illin")
    assert calc.profile_id == "illinois-medicaid"
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, Qt.Key.Key_P, ALT)
    type_text(qtbot, window, "palmetto")
    press(qtbot, window, Qt.Key.Key_Return)
    assert calc.profile_id == "palmetto-jm-part-b"


@pytest.mark.parametrize("close", ["Esc", "Alt+Down"])
def test_arrows_in_the_package_box_browse_even_after_the_list_was_opened_and_closed(desk, qtbot, close):
    window, calc = desk, desk.calculator
    before, _ = copy_lines(qtbot, window)
    press(qtbot, window, Qt.Key.Key_N, ALT)  # Containers
    qtbot.waitUntil(calc.containers_edit.hasFocus)
    press(qtbot, window, Qt.Key.Key_Tab)
    qtbot.waitUntil(calc.package_box.hasFocus)
    press(qtbot, window, Qt.Key.Key_Down, ALT)  # open the list
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    if close == "Esc":  # closes the list without passing through QComboBox.hidePopup
        press(qtbot, window, Qt.Key.Key_Escape)
    else:
        press(qtbot, window, Qt.Key.Key_Down, ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_Down)
    assert calc.package_box.currentIndex() == 3  # the arrows moved through the list
    assert calc.containers_edit.text() == ""  # and added nothing
    after, message = copy_lines(qtbot, window)
    assert message.startswith("Copied") and after == before
    press(qtbot, window, Qt.Key.Key_Return)  # only Enter adds: the package under the cursor, once
    ndc = calc.package_box.itemData(3)
    assert calc.containers_edit.text() == f"{ndc}x1"


def test_a_pick_from_the_open_package_list_adds_it_once(desk, qtbot):
    window, calc = desk, desk.calculator
    calc.package_box.setFocus()
    qtbot.waitUntil(calc.package_box.hasFocus)
    press(qtbot, window, Qt.Key.Key_Down, ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    ndc = calc.package_box.itemData(1)
    assert calc.containers_edit.text() == f"{ndc}x1"
    press(qtbot, window, Qt.Key.Key_Down)  # browsing after a pick adds nothing more
    assert calc.containers_edit.text() == f"{ndc}x1"


@pytest.mark.parametrize(
    "key, modifier", [(Qt.Key.Key_Tab, None), (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)]
)
def test_tab_walks_the_whole_window_and_the_lines_table_is_one_stop(desk, qtbot, key, modifier):
    window, calc = desk, desk.calculator
    assert calc.lines_model.rowCount() == 2  # the table has cells a trap could go round
    window.search_edit.setFocus()
    qtbot.waitUntil(window.search_edit.hasFocus)
    visited = []
    for _ in range(60):
        press(qtbot, window, key, modifier or Qt.KeyboardModifier.NoModifier)
        widget = QApplication.focusWidget()
        if widget is window.search_edit:
            break
        visited.append(widget)
    else:
        pytest.fail(f"Tab never came back to Search; stuck after {[w.accessibleName() for w in visited[-5:]]}")
    names = [w.accessibleName() for w in visited]
    assert len(set(map(id, visited))) == len(visited), names  # every stop once per round
    for stop in (calc.code_box, calc.dose_edit, calc.payer_box, calc.lines_view, calc.copy_button, calc.warnings_list):
        assert stop in visited, (stop.accessibleName(), names)
    assert window.checklist.copy_button in visited


class X11LineEdit(QLineEdit):
    """A line edit that keeps Ctrl+E for itself, as Qt's X11 key bindings make it do (end of line)."""

    def event(self, event):
        if event.type() == QEvent.Type.ShortcutOverride and event.keyCombination() == CTRL_E:
            event.accept()
            return True
        return super().event(event)


CTRL_E = Qt.KeyboardModifier.ControlModifier | Qt.Key.Key_E


@pytest.mark.parametrize("keys_first", [True, False])
def test_the_windows_shortcuts_win_over_a_text_fields_bindings(qtbot, keys_first):
    from omaliref.ui.widgets import WindowKeysFirst

    window = QMainWindow()
    qtbot.addWidget(window)
    edit = X11LineEdit()
    window.setCentralWidget(edit)
    export = QAction("Export", window)
    export.setShortcut(QKeySequence("Ctrl+E"))
    window.addAction(export)
    if keys_first:
        WindowKeysFirst(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    triggered = []
    export.triggered.connect(lambda: triggered.append(True))
    qtbot.keyClick(edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert triggered == ([True] if keys_first else [])  # without the filter the field swallows Ctrl+E (X11)


@pytest.mark.parametrize("field", ["dose_edit", "payer_box", "date_edit"])
def test_ctrl_e_in_a_text_field_exports_the_audit_sheet(desk, qtbot, monkeypatch, field):
    window = desk
    asked = []
    monkeypatch.setattr(type(window), "ask_pdf_path", staticmethod(lambda parent, name="": asked.append(name) or ""))
    getattr(window.calculator, field).setFocus()
    qtbot.waitUntil(getattr(window.calculator, field).hasFocus)
    press(qtbot, window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1 and asked[0].startswith("omaliref-audit-J2357")


def test_while_the_payer_box_names_no_profile_the_audit_sheet_prints_no_previous_payer(desk, qtbot):
    window = desk
    assert "Medicare Part B" in window.audit_sheet_html()
    press(qtbot, window, Qt.Key.Key_P, ALT)
    type_text(qtbot, window, "illin")  # not chosen yet
    html = window.audit_sheet_html()
    assert "No case." in html and "Medicare Part B" not in html


def test_leaving_the_payer_box_with_the_mouse_takes_the_first_match_too(desk, qtbot):
    window, calc = desk, desk.calculator
    press(qtbot, window, Qt.Key.Key_P, ALT)
    type_text(qtbot, window, "ILLINOIS MEDICAID (HFS) (SAMPLE)")  # a whole name in another case: that profile
    press(qtbot, window, Qt.Key.Key_Escape)  # the completer's list closes (on X11 a first click only does that)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    assert calc.stale  # still in the box, still no profile chosen: nothing current to copy
    qtbot.mouseClick(calc.dose_edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(calc.dose_edit.hasFocus)
    assert calc.profile_id == "illinois-medicaid" and not calc.stale
    assert calc.payer_box.currentText() == "Illinois Medicaid (HFS) (sample)"


def test_the_chosen_profiles_note_is_hidden_while_a_name_that_fits_none_is_typed(desk, qtbot):
    window, calc = desk, desk.calculator
    calc.set_defaults("medicare", "", "palmetto-jm-part-b")  # a sample profile: its note is shown under the box
    assert calc.payer_note.isVisible() and calc.payer_note.text()
    press(qtbot, window, Qt.Key.Key_P, ALT)
    type_text(qtbot, window, "zzyzx")
    press(qtbot, window, Qt.Key.Key_Return)
    assert calc.payer_error.isVisible() and not calc.payer_note.isVisible()
    press(qtbot, window, Qt.Key.Key_Tab)  # the box shows Palmetto again, and its note with it
    assert calc.profile_id == "palmetto-jm-part-b" and calc.payer_note.isVisible()
