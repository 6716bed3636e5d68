"""The window's part of #23 and #31, by keys: the 340B box offers what is valid on the date of service, the drug's
source changes the lines (and the copied fields), and the previous dose's date checks the interval."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_wrong_claim_paths import ALT, copy_lines, press, type_text


def active(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Ctrl+D: the dose field
    type_text(qtbot, window, "300mg")
    return window.calculator


def set_date(qtbot, window, text):
    press(qtbot, window, Qt.Key.Key_S, ALT)  # Alt+S: date of service, its text selected
    calc = window.calculator
    calc.date_edit.selectAll()
    type_text(qtbot, window, text)
    qtbot.waitUntil(lambda: calc.date_edit.text() == text)


def offered(calc):
    return [calc.m340b_box.itemData(i) for i in range(calc.m340b_box.count())]


def test_the_340b_box_offers_jg_only_for_dates_it_was_valid(window, qtbot):
    calc = active(window, qtbot)
    set_date(qtbot, window, "2026-11-20")
    assert offered(calc) == ["", "TB", "U8", "UD"]
    set_date(qtbot, window, "2024-11-20")
    assert offered(calc) == ["", "JG", "TB", "U8", "UD"]
    calc.m340b_box.setFocus()
    calc.m340b_box.setCurrentIndex(calc.m340b_box.findData("JG"))
    qtbot.waitUntil(lambda: "JZ JG" in calc.lines_model.index(0, 1).data())
    set_date(qtbot, window, "2025-02-03")  # the chosen JG stays, marked, and the refusal is beside the field
    assert calc.modifier_340b == "JG" and "not valid on 2025-02-03 (ended 2024-12-31)" in calc.m340b_box.currentText()
    qtbot.waitUntil(lambda: "JG ended on 2024-12-31" in calc.code_error.text())
    text, _message = copy_lines(qtbot, window)
    assert text == "sentinel"  # nothing valid to copy


def test_a_drug_the_practice_did_not_buy_is_keyed_at_its_token_charge(window, qtbot):
    calc = active(window, qtbot)
    press(qtbot, window, Qt.Key.Key_Q, ALT)  # Alt+Q: Acquired from
    assert calc.supplied_box.hasFocus()
    press(qtbot, window, Qt.Key.Key_Down)  # Specialty pharmacy, for this patient (white bag)
    qtbot.waitUntil(lambda: window.case_model.fields.supplied_by == "specialty-pharmacy")
    assert calc.lines_model.headers[-1] == "Charge"
    text, _message = copy_lines(qtbot, window)
    header, row = text.splitlines()[:2]
    assert header.endswith("\tCharge") and row.startswith("J2357\t\t60\t") and row.endswith("\t$0.01")
    warnings = [calc.warnings_list.item(i).text() for i in range(calc.warnings_list.count())]
    assert any("Drug supplied by a specialty pharmacy" in w and "$0.01" in w for w in warnings)


def test_the_previous_dose_checks_the_interval(window, qtbot):
    calc = active(window, qtbot)
    set_date(qtbot, window, "2026-11-20")
    press(qtbot, window, Qt.Key.Key_R, ALT)  # Alt+R: Previous dose
    assert calc.last_dose_edit.hasFocus()
    type_text(qtbot, window, "2026-11-10")

    def warnings():
        return [calc.warnings_list.item(i).text() for i in range(calc.warnings_list.count())]

    qtbot.waitUntil(lambda: any("Early dose: 10 days" in w for w in warnings()))
    calc.last_dose_edit.selectAll()
    type_text(qtbot, window, "2026-11-25")
    qtbot.waitUntil(lambda: "must be before the date of service" in calc.last_dose_error.text())


def test_the_lines_say_which_payer_values_are_the_apps_defaults(window, qtbot):
    """#24: beside the lines, the profile and the defaults they rest on (never shown as the payer's rule)."""
    calc = active(window, qtbot)
    qtbot.waitUntil(lambda: bool(calc.provenance_label.text()))
    text = calc.provenance_label.text()
    assert "Payer profile medicare-part-b" in text and "defaults (the app's choice, not the payer's rule)" in text
