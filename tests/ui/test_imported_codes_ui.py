"""An imported CMS code at the desk, by keyboard: single-dose confirmed per NDC named, and New case after it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omaliref.data.library import Library
from omaliref.report.as_text import VERDICT_TEXT
from tests.fixtures.cms import quarter_zips
from tests.ui.test_wrong_claim_paths import ALT, copy_lines, press, type_text

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def imported_window(make_window, isolated_state, tmp_path):
    """A window over two imported fixture quarters (J0001 has 99999-0001-10 in both, 99999-0002-01 from April)."""
    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    library.import_files(quarter_zips(tmp_path / "q2", month="APR", changes=True))
    library.close()
    window = make_window()
    window.activateWindow()
    return window


def start_j0001(qtbot, window, date="2027-05-01"):
    calc = window.calculator
    qtbot.waitUntil(window.isActiveWindow)
    calc.set_code("J0001", "J0001 — Inj examplemab 10 mg")
    press(qtbot, window, Qt.Key.Key_S, ALT)  # Date of service: the mnemonic selects the date for retyping
    qtbot.waitUntil(calc.date_edit.hasFocus)
    type_text(qtbot, window, date)
    press(qtbot, window, Qt.Key.Key_D, CTRL)
    type_text(qtbot, window, "25mg")
    return calc


def pick_package(qtbot, window, row):
    """Alt+N, Tab to the package box, Down to the row, Enter: the package is added to Containers."""
    press(qtbot, window, Qt.Key.Key_N, ALT)
    press(qtbot, window, Qt.Key.Key_Tab)
    qtbot.waitUntil(window.calculator.package_box.hasFocus)
    for _ in range(row):
        press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Return)


def modifiers(calc):
    return [calc.lines_model.index(r, 1).data() for r in range(calc.lines_model.rowCount())]


def test_the_window_asks_for_the_ndc_before_single_dose_and_confirms_it_per_ndc(imported_window, qtbot):
    window = imported_window
    calc = start_j0001(qtbot, window)
    box = calc.single_dose_confirmed
    # no NDC named: nothing is chosen for the coder, and the single-dose box cannot be ticked yet
    assert "name the NDC opened" in calc.containers_error.text()
    assert not box.isEnabled() and not box.isChecked()
    assert copy_lines(qtbot, window)[1].startswith("Nothing copied")

    first = calc.package_box.itemData(1)
    pick_package(qtbot, window, 1)
    assert calc.containers_edit.text() == f"{first}x1"
    assert box.isEnabled() and first in box.text() and not box.isChecked()
    assert modifiers(calc) == [""]  # status not established: no JW/JZ
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    press(qtbot, window, Qt.Key.Key_Space)  # the coder read "single-dose" on that label
    assert box.isChecked() and modifiers(calc) == ["", "JW"]
    warnings = [calc.warnings_list.item(i).text() for i in range(calc.warnings_list.count())]
    assert any(f"{first} confirmed by you from the label" in w for w in warnings)

    # another package named instead: the confirmation stays with the first NDC and does not carry over
    second = calc.package_box.itemData(2)
    assert second and second != first
    press(qtbot, window, Qt.Key.Key_N, ALT)
    type_text(qtbot, window, f"{second}x1")
    assert calc.containers_edit.text() == f"{second}x1"
    assert box.isEnabled() and second in box.text() and not box.isChecked()
    assert "JW" not in modifiers(calc) and "JZ" not in " ".join(modifiers(calc))
    press(qtbot, window, Qt.Key.Key_N, ALT)
    type_text(qtbot, window, f"{first}x1")
    assert box.isChecked() and modifiers(calc) == ["", "JW"]  # the first NDC's own confirmation


def test_new_case_after_an_imported_code_brings_back_nothing_of_the_last_case(imported_window, qtbot):
    window = imported_window
    calc = start_j0001(qtbot, window)
    pick_package(qtbot, window, 1)
    calc.single_dose_confirmed.setFocus()
    press(qtbot, window, Qt.Key.Key_Space)
    assert calc.lines_model.rowCount() == 2 and calc.warnings_list.count() > 0
    assert window.checklist.model.rowCount() > 0

    window.open_entry("J2357")  # something in the reference pane
    assert window.reference.current_id == "J2357"
    checklist_before = [window.checklist.model.item(r).item.id for r in range(window.checklist.model.rowCount())]
    window.checklist.view.setCurrentIndex(window.checklist.model.index(0, 0))
    assert window.checklist.why.text().startswith("<b>Why:</b>")

    press(qtbot, window, Qt.Key.Key_N, CTRL)
    # the code goes back to the default too (the README says New case clears it), and nothing of the last case shows
    assert calc.code == "J2357" and window.case_model.fields.code == "J2357"
    assert calc.dose_edit.text() == "" and calc.containers_edit.text() == ""
    assert calc.lines_model.rowCount() == 0 and calc.warnings_list.count() == 0
    assert not calc.stale and not calc.stale_banner.isVisible()
    assert not any(label.isVisible() for label in (calc.code_error, calc.dose_error, calc.containers_error))
    assert window.reference.current_id == "" and "J0001" not in window.reference.toPlainText()
    checklist_after = [window.checklist.model.item(r).item.id for r in range(window.checklist.model.rowCount())]
    assert checklist_after != checklist_before and not window.checklist.model.ticked  # J2357's, unticked
    assert window.checklist.why.text() == ""
    assert not calc.single_dose_confirmed.isEnabled() and not calc.single_dose_confirmed.isChecked()
    assert calc.dose_edit.hasFocus()
    clipboard, message = copy_lines(qtbot, window)
    assert message.startswith("Nothing copied") and "J0001" not in clipboard


def test_an_imported_code_keys_in_every_view_like_a_curated_one(imported_window, qtbot):
    window = imported_window
    qtbot.waitUntil(window.isActiveWindow)
    press(qtbot, window, Qt.Key.Key_K, CTRL)
    type_text(qtbot, window, "examplemab")
    qtbot.waitUntil(lambda: window.reference.current_id == "J0001")  # the imported index answers
    press(qtbot, window, Qt.Key.Key_Return)
    calc = window.calculator
    assert calc.code == "J0001"
    page = window.reference.toPlainText()
    assert "NOT REVIEWED" in page and "HIGH confidence" not in page
    assert "cms-crosswalk-2027Q" in page  # the file its packages came from is a source
    assert "99999-0001-10 — 100 mg, 10 units each; container unknown" in page  # one line per package

    calc.set_code("J0001")
    start_j0001(qtbot, window)
    pick_package(qtbot, window, 1)
    ndc = calc.package_box.itemData(1).replace("-", "")
    view = calc.view_box
    rows = {}
    for name in ("fields", "cms1500", "ub04", "x12"):
        view.setFocus()
        view.setCurrentIndex(view.findData(name))
        rows[name] = copy_lines(qtbot, window)[0].splitlines()[1]
    assert rows["fields"].split("\t")[3:6] == [ndc, "UN", "0.25"]
    assert f"N4{ndc}   UN0.25" in rows["cms1500"] and f"N4{ndc}UN0.25" in rows["ub04"]
    assert f"LIN**N4*{ndc}~ CTP****0.25*UN~" in rows["x12"]
    warnings = [calc.warnings_list.item(i).text() for i in range(calc.warnings_list.count())]
    assert any("NDC unit UN" in w and "ASP NDC-HCPCS Crosswalk" in w for w in warnings)


def test_an_imported_code_refuses_an_implausible_dose_with_the_curated_sentence(imported_window, qtbot):
    window = imported_window
    calc = start_j0001(qtbot, window)
    press(qtbot, window, Qt.Key.Key_D, CTRL)
    type_text(qtbot, window, "1100mg")
    assert calc.dose_error.isVisible()
    assert "is far above the largest J0001 dose its 2027Q2 MUE allows" in calc.dose_error.text()
    assert copy_lines(qtbot, window)[1].startswith("Nothing copied")


def test_an_unconfirmed_single_dose_status_holds_the_checklist_verdict(imported_window, qtbot):
    """J0001's vial is not yet known to be single-dose, so its line has no JW for the 25 mg discarded: the checklist
    pane says so as a high risk and no verdict reads ready, until the coder confirms the label."""
    window = imported_window
    calc = start_j0001(qtbot, window)
    pick_package(qtbot, window, 1)
    assert modifiers(calc) == [""]
    pane = window.checklist
    assert "[HIGH] Single-dose status of" in pane.findings.text() and "a JW line" in pane.findings.text()
    assert VERDICT_TEXT["ready"].upper() not in pane.verdict.text()
    calc.single_dose_confirmed.setFocus()
    qtbot.waitUntil(calc.single_dose_confirmed.hasFocus)
    press(qtbot, window, Qt.Key.Key_Space)  # the label says single-dose: JW applies, and the finding goes
    assert modifiers(calc) == ["", "JW"]
    assert "Single-dose status of" not in pane.findings.text()
