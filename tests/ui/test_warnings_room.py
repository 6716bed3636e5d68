"""The warnings hold the denial risks: at 1366×768 (a desk's screen) a case's warnings were read one line at a time
through a list squeezed under the claim lines. Driven by real keys, at that size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_wrong_claim_paths import ALT, press, type_text


def in_scroll_viewport(window, widget, rect: QRect) -> bool:
    """Whether `rect` (in `widget`'s coordinates) is wholly on screen in the calculator pane's scroll area."""
    viewport = window.calc_scroll.viewport()
    return viewport.rect().contains(QRect(widget.mapTo(viewport, rect.topLeft()), rect.size()))


def rows_in_view(window, warnings) -> int:
    """The warning rows a coder reads whole without scrolling the list: inside its viewport and on screen."""
    port = warnings.viewport()
    rects = [warnings.visualItemRect(warnings.item(i)) for i in range(warnings.count())]
    return sum(port.rect().contains(r) and in_scroll_viewport(window, port, r) for r in rects)


@pytest.mark.parametrize(
    ("code", "dose", "containers"),
    [("J0561", "600000units", "84383-0110-01"), ("J2357", "600mg", "50242-0040-62x5")],
)
def test_three_warnings_and_the_claim_lines_show_together_at_1366x768(window, qtbot, code, dose, containers):
    window.resize(1366, 740)  # maximized on a 1366×768 screen, under a title bar
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    calc = window.calculator
    press(qtbot, window, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(calc.code_box.hasFocus)
    type_text(qtbot, window, code)
    qtbot.waitUntil(lambda: calc.code == code)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(calc.dose_edit.hasFocus)
    type_text(qtbot, window, dose)
    press(qtbot, window, Qt.Key.Key_N, ALT)
    qtbot.waitUntil(calc.containers_edit.hasFocus)
    type_text(qtbot, window, containers)
    warnings, lines = calc.warnings_list, calc.lines_view
    qtbot.waitUntil(lambda: calc.lines_model.rowCount() >= 1 and warnings.count() >= 3 and not calc.stale)
    for _ in range(30):  # on to the warnings by Tab, as the coder reads them; the pane scrolls to the list
        if warnings.hasFocus():
            break
        press(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is warnings
    shown = min(3, warnings.count())
    qtbot.waitUntil(lambda: rows_in_view(window, warnings) >= shown)
    # the claim lines stay in view with them, every line whole
    table = QRect(QPoint(0, 0), lines.size())
    assert in_scroll_viewport(window, lines, table)
    last = lines.visualRect(calc.lines_model.index(calc.lines_model.rowCount() - 1, 0))
    assert lines.viewport().rect().contains(last)
