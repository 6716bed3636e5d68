"""The "Check lines" view: paste three keyed lines from the billing system, see one finding on each."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from omaliref.data.library import Library
from omaliref.ui.check_lines import CheckLinesDialog
from tests.conftest import TODAY

# As omaliref copies claim lines (code, modifiers, units, qualifier, NDC, unit, quantity, note), no header row.
THREE_LINES = (
    "J2357\tJZ JG\t60\tN4\t50242022701\tML\t2\t\n"  # JG ended 2024-12-31
    "J2357\tJZ\t30\tN4\t5024221501\tML\t1\t\n"  # a 10-digit NDC
    "J2357\t\t30\tN4\t50242021501\tML\t1\t\n"  # no JZ
)


def test_paste_three_lines_and_see_their_findings(qtbot):
    dialog = CheckLinesDialog(Library.open(), "medicare-part-b", "office", TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QGuiApplication.clipboard().setText(THREE_LINES)
    dialog.paste_box.setFocus()
    qtbot.keyClick(dialog.paste_box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    found = [(a.line.ref, f.check) for a in dialog.results for f in a.findings]
    assert found == [("row 1", "in-force"), ("row 2", "ndc-format"), ("row 3", "jw-jz")]
    report = dialog.report.toPlainText()
    assert report.count("ERROR [") == 3 and "Fix: Replace JG with TB." in report
    assert dialog.error_label.text() == ""


def test_a_paste_that_cannot_be_read_says_why_next_to_it(qtbot):
    dialog = CheckLinesDialog(Library.open(), "medicare-part-b", "office", TODAY)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.paste_box, "hello world")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert "no column for the HCPCS code" in dialog.error_label.text() and dialog.report.toPlainText() == ""


def test_the_window_opens_the_view_from_its_file_menu(window, qtbot):
    qtbot.waitUntil(lambda: window.check_lines_action.isEnabled())
    window.check_lines_action.trigger()
    dialog = window.findChild(CheckLinesDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.profile_box.currentData() == window.library.profile_for(window.prefs.payer).id


def test_340b_acquired_lines_want_the_payers_modifier(qtbot):
    dialog = CheckLinesDialog(Library.open(), "texas-medicaid", "office", TODAY)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.paste_box, "J2357\t\t30\tN4\t50242021501\tML\t1\t")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert [f.check for a in dialog.results for f in a.findings] == []
    qtbot.mouseClick(dialog.acquired_340b_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert [f.fix for a in dialog.results for f in a.findings] == ["Add U8."]


def test_a_comma_line_without_a_header_is_read_in_omalirefs_order(window, qtbot):
    """Opened from the menu, Ctrl+V goes straight into the lines, and a comma-separated row is one row (desk test:
    'J2357,JZ,75' was read as a single code)."""
    dialog = window.check_lines_dialog()
    qtbot.waitExposed(dialog)
    QGuiApplication.clipboard().setText("J2357,JZ,75\n")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.paste_box)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert dialog.paste_box.toPlainText() == "J2357,JZ,75\n"
    qtbot.keyClick(dialog.paste_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.error_label.text() == ""
    assert [(a.line.code, a.line.units) for a in dialog.results] == [("J2357", "75")]
    assert "is not a HCPCS code" not in dialog.report.toPlainText()
