"""The payer picker (type-ahead over built-in and organization profiles), the lines view switch, and copy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omaliref.app import build_window
from tests.conftest import TODAY

ORG = """
[[payer]]
id = "acme-medicaid"
name = "Acme Health Medicaid"
kind = "medicaid"
ndc_unit_devices = "UN"
"""


def pick_profile(qtbot, window, typed):
    """Type part of a profile's name, as a coder would, then take the first completion with Down and Enter."""
    box = window.calculator.payer_box
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), typed)
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    return box


def test_type_ahead_picks_a_profile_and_the_lines_follow_it(window, qtbot):
    box = pick_profile(qtbot, window, "palmetto")
    assert box.currentData() == "palmetto-jm-part-b"
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    qtbot.keyClicks(window.calculator.containers_edit, "50242-0227-01, 50242-0214-01")
    model = window.calculator.lines_model
    assert model.rowCount() == 1 and model.index(0, 2).data() == "75"
    assert model.index(0, 6).data() == "Also NDC N450242021401 ML0.5"


def test_org_profile_is_in_the_picker_with_its_origin(qtbot, isolated_state, tmp_path, monkeypatch):
    org = tmp_path / "payers.toml"
    org.write_text(ORG, encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(org))
    window = build_window(str(isolated_state), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    box = window.calculator.payer_box
    index = box.findData("acme-medicaid")
    assert index >= 0 and box.itemText(index) == "Acme Health Medicaid  [payers.toml]"
    pick_profile(qtbot, window, "acme")
    assert box.currentData() == "acme-medicaid"
    qtbot.keyClicks(window.calculator.dose_edit, "300mg")
    assert window.calculator.lines_model.index(0, 4).data() == "UN"  # this payer wants syringes in UN


def test_view_switch_and_copy_say_what_was_copied(window, qtbot):
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    view = window.calculator.view_box
    view.setFocus()
    view.setCurrentIndex(view.findData("cms1500"))
    assert window.calculator.lines_model.headers[3] == "Item 24A (shaded)"
    qtbot.mouseClick(window.calculator.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text().splitlines()
    assert copied[1] == "J2357\tJZ\t60\tN450242022701   ML2\t"  # Medicare paper: three blanks
    assert copied[2] == "J2357\tJZ\t15\tN450242021401   ML0.5\t"
    assert window.statusBar().currentMessage().startswith("Copied 2 lines · J2357 · DOS 2026-11-27")
    assert "Payer profile medicare-part-b" in window.statusBar().currentMessage()  # and the defaults the lines use


def test_copy_refuses_out_loud_and_takes_back_its_lines_when_the_input_is_invalid(window, qtbot):
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    qtbot.mouseClick(window.calculator.copy_button, Qt.MouseButton.LeftButton)
    assert "J2357" in QApplication.clipboard().text()
    qtbot.keyClicks(window.calculator.dose_edit, "x")  # "375mgx": invalid, the lines go stale
    qtbot.mouseClick(window.calculator.copy_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Nothing copied")
    assert "J2357" not in QApplication.clipboard().text()  # the stale lines are no longer on the clipboard


def test_palmetto_paper_view_puts_the_ndcs_in_item_19(window, qtbot):
    pick_profile(qtbot, window, "palmetto gba, jm")
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    qtbot.keyClicks(window.calculator.containers_edit, "50242-0227-01, 50242-0214-01")
    view = window.calculator.view_box
    view.setCurrentIndex(view.findData("cms1500"))
    model = window.calculator.lines_model
    assert model.index(0, 3).data() == "(NDC in item 19)"
    assert model.index(0, 4).data() == "N450242022701 ML2; Also NDC N450242021401 ML0.5"


ACME_COMMERCIAL = """
[[payer]]
id = "acme-commercial"
name = "ACME commercial contract"
kind = "commercial"
jw_jz = "none"
"""


def test_a_missing_saved_profile_falls_back_to_the_built_in_profile_of_its_kind(qtbot, isolated_state):
    """Red team 2026-12 #5: a commercial desk whose organization file broke silently computed with Medicare Part B
    (index 0 of the picker) and billed a JW line. The built-in profile of the saved payer kind is used instead, and
    the pane says the saved profile is missing for as long as it is."""
    from omaliref.data.state import Preferences, StateDirs, StateStore

    config = isolated_state / "config"
    config.mkdir(parents=True)
    (config / "payers.toml").write_text(ACME_COMMERCIAL + "}\n", encoding="utf-8")  # one stray character
    StateStore(StateDirs.resolve(str(isolated_state))).save(
        Preferences(payer="commercial", payer_profile="acme-commercial")
    )
    window = build_window(str(isolated_state), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    calculator = window.calculator
    assert calculator.profile_id == "commercial" and calculator.payer == "commercial"
    notice = calculator.profile_notice
    assert notice.isVisibleTo(window) and "acme-commercial" in notice.text() and "Commercial" in notice.text()
    qtbot.keyClicks(calculator.dose_edit, "375mg")
    assert window.case_model.snapshot.outcome.case.payer_profile.id == "commercial"
    pick_profile(qtbot, window, "palmetto")  # the coder chooses a profile: the notice has been answered
    assert not notice.isVisibleTo(window)


def test_a_saved_profile_that_is_there_gives_no_notice(qtbot, isolated_state):
    from omaliref.data.state import Preferences, StateDirs, StateStore

    config = isolated_state / "config"
    config.mkdir(parents=True)
    (config / "payers.toml").write_text(ACME_COMMERCIAL, encoding="utf-8")
    StateStore(StateDirs.resolve(str(isolated_state))).save(
        Preferences(payer="commercial", payer_profile="acme-commercial")
    )
    window = build_window(str(isolated_state), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    assert window.calculator.profile_id == "acme-commercial"
    assert not window.calculator.profile_notice.isVisibleTo(window)


def test_copy_summary_says_what_it_copied(window, qtbot):
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.calculator.dose_edit, Qt.Key.Key_S, modifiers)
    assert window.statusBar().currentMessage() == "Copied the checklist summary · J2357 · 0 ticked"
    assert QApplication.clipboard().text().startswith("omaliref check — J2357")
    qtbot.keyClicks(window.calculator.dose_edit, "x")  # invalid: the summary goes without lines, and says so
    qtbot.keyClick(window.calculator.dose_edit, Qt.Key.Key_S, modifiers)
    assert window.statusBar().currentMessage().endswith("without claim lines (no valid calculation)")


def test_the_837_view_marks_its_placeholders(window, qtbot):
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    view = window.calculator.view_box
    view.setCurrentIndex(view.findData("x12"))
    header = window.calculator.lines_model.headers[3]
    assert "CHARGE" in header and "diagnosis pointer 1" in header and "placeholders" in header
    assert window.calculator.lines_model.index(0, 3).data().startswith("SV1*HC:J2357:JZ*CHARGE*UN*60***1~")


def test_the_340b_box_never_disagrees_with_the_lines_unsaid(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "375mg")
    calc.m340b_box.setCurrentIndex(calc.m340b_box.findData("TB"))
    assert "TB" in calc.lines_model.index(0, 1).data() and not calc.m340b_note.isVisible()
    pick_profile(qtbot, window, "illin")  # Illinois Medicaid (sample) bills 340B drugs with UD
    assert "UD" in calc.lines_model.index(0, 1).data()
    assert calc.m340b_note.isVisible() and calc.m340b_note.text() == "The lines carry UD, not TB: see the warnings."


def test_a_sample_profile_says_so_where_it_is_chosen(window, qtbot):
    calc = window.calculator
    assert not calc.payer_note.isVisible() and "medicare-part-b" in calc.payer_box.toolTip()
    profile = window.library.profile("west-virginia-medicaid")
    assert profile.sample
    pick_profile(qtbot, window, "west")
    assert calc.payer_note.isVisible()
    assert calc.payer_note.text().startswith("⚠ Sample profile: confirm with the payer before relying on it.")
    assert profile.note in calc.payer_note.text()
    assert "(SAMPLE: confirm with the payer)" in calc.payer_box.toolTip()


def test_copy_with_no_dose_yet_says_so_rather_than_calling_the_input_invalid(window, qtbot):
    qtbot.mouseClick(window.calculator.copy_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Nothing copied: no dose yet — type the dose given (Ctrl+D)."


def test_a_hospital_case_has_no_item_19_column(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "375mg")
    assert calc.lines_model.headers[-1] == "Note (item 19)"
    calc.set_setting("hospital-outpatient")
    assert "Note (item 19)" not in calc.lines_model.headers and calc.lines_model.columnCount() == 6
    assert calc.claim_lines_text().splitlines()[1] == "J2357\tJZ\t60\t50242022701\tML\t2"


def test_show_as_names_each_view_whole(window, qtbot):
    from PySide6.QtGui import QFontMetrics

    view = window.calculator.view_box
    widest = max(QFontMetrics(view.font()).horizontalAdvance(view.itemText(i)) for i in range(view.count()))
    # however tight the row gets, the box keeps room for its longest name ("CMS-1500 item 24A", once "...item 2" on
    # X11 at 1366 px; offscreen fonts leave room either way, so the reserved length is checked as well)
    assert view.minimumContentsLength() >= max(len(view.itemText(i)) for i in range(view.count()))
    assert view.minimumSizeHint().width() > widest


def test_a_line_without_an_ndc_unit_says_so_in_each_claim_view(qtbot):
    from fractions import Fraction

    from omaliref.domain.calculator import ClaimLine, NdcPart
    from omaliref.ui.models import ClaimLinesModel

    model = ClaimLinesModel()
    model.set_lines([ClaimLine("J1100", ("JZ",), 10, "administered", (NdcPart("00641-0367-25", "", Fraction(1), 1),))])
    words = "N400641036725: NDC unit and quantity not in the data, take them from the package label"
    model.set_view("cms1500")
    assert model.index(0, 3).data() == words  # the NDC stays, with why the unit is missing ("(no NDC unit)" before)
    model.set_view("ub04")
    assert model.index(0, 4).data() == words
    model.set_view("x12")
    assert model.index(0, 3).data() == f"SV1*HC:J1100:JZ*CHARGE*UN*10***1~ (no LIN/CTP: {words})"
