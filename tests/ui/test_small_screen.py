"""What a 1366×768 desk showed cut or covered (desk test): the copy message against the status bar's permanent
labels, the payer box's hint under the completer's list. Driven by real keys, at that width."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from tests.ui.test_wrong_claim_paths import copy_lines, press, type_text


@pytest.fixture
def small_desk(window, qtbot):
    """The window 1366 px wide, active, 375 mg typed in Dose (as test_wrong_claim_paths' desk)."""
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: window.width() == 1366)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.calculator.dose_edit.hasFocus)
    type_text(qtbot, window, "375mg")
    return window


def on_screen(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def test_the_whole_copy_message_shows_beside_the_data_label_at_1366_px(small_desk, qtbot):
    window = small_desk
    _, message = copy_lines(qtbot, window)
    assert message.startswith("Copied 2 lines") and "NDC on paper" in message  # the long one: profile and defaults
    label = window.statusBar().message_label
    assert label.text() == message
    # laid out: the status bar grew to the lines the message wraps to, and nothing covers or clips them
    qtbot.waitUntil(lambda: label.isVisible() and label.height() >= label.heightForWidth(label.width()))
    assert label.fontMetrics().horizontalAdvance(message) > label.width()  # it does need more than one line
    assert not on_screen(label).intersects(on_screen(window.data_label))
    assert not on_screen(label).intersects(on_screen(window.quarters_label))
    assert window.rect().contains(QRect(label.mapTo(window, QPoint(0, 0)), label.size()))


def test_the_payer_hint_shows_beside_the_completers_list(small_desk, qtbot):
    window, calc = small_desk, small_desk.calculator
    press(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(calc.payer_box.hasFocus)
    type_text(qtbot, window, "medic")  # fits several profiles, names none: the list opens, the hint shows
    popup, hint = calc.payer_box.completer().popup(), calc.payer_error
    qtbot.waitUntil(lambda: popup.isVisible() and hint.isVisible())
    assert "'medic' is not a payer profile yet" in hint.text()
    qtbot.waitUntil(lambda: not popup.geometry().intersects(on_screen(hint)))
    assert popup.isVisible() and hint.isVisible()
