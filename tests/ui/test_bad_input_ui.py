"""Bad input typed into the window: a sentence next to the field, no exception, the last good result kept. And bad
values in the import database (red team 2026-12 #14): left out of every answer, and said among the window's notices."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from PySide6.QtCore import QDate

from omaliref.data.library import Library
from tests.e2e.test_store_values import DAMAGE, SAID
from tests.fixtures.cms import quarter_zips

GOOD = [("J2357", "", "45"), ("J2357", "JW", "15")]
CASES = [
    # (field, text, expected fragment, error label)
    ("dose", "abc", "not a dose unit", "dose_error"),
    ("dose", "-150mg", "greater than zero", "dose_error"),
    ("dose", "0mg", "greater than zero", "dose_error"),
    ("dose", "nan", "not a number", "dose_error"),
    ("dose", "inf mg", "not a number", "dose_error"),
    ("dose", "1,5mg", "decimal point", "dose_error"),
    ("dose", "３００mg", "non-ASCII digits", "dose_error"),
    ("dose", "9" * 10_000, "too long", "dose_error"),
    ("dose", "150\x01mg", "control characters", "dose_error"),
    ("dose", "150", "no unit", "dose_error"),
    ("dose", "2400000units", "does not fit", "dose_error"),
    ("dose", "99999mg", "far above", "dose_error"),
    ("containers", "12345-6789-01", "not in the data pack", "containers_error"),
    ("containers", "00173-0881-01", "not J2357", "containers_error"),
    ("containers", "50242-0040-62x0", "at least 1", "containers_error"),
    ("containers", "50242-0040-62x10000", "more than 60", "containers_error"),
    ("containers", "50242-0040-62x1", "less than the", "containers_error"),
    ("containers", "junk", "not an NDC", "containers_error"),
]


def lines(window):
    m = window.calculator.lines_model
    return [tuple(m.index(r, c).data() for c in range(3)) for r in range(m.rowCount())]


@pytest.mark.parametrize("field, text, fragment, label", CASES, ids=[f"{c[0]}:{c[1][:12]!r}" for c in CASES])
def test_bad_field_input(window, qtbot, field, text, fragment, label):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "225mg")
    qtbot.keyClicks(calc.containers_edit, "50242-0040-62x2")
    assert lines(window) == GOOD
    edit = calc.dose_edit if field == "dose" else calc.containers_edit
    # Doses are typed over the old value, as a coder would (QTest types ASCII only); container lists are
    # pasted, since typing one passes through valid counts ("x1", "x10") that become the last good result.
    if field == "dose" and text.isascii() and text.isprintable() and len(text) < 100:
        edit.selectAll()
        qtbot.keyClicks(edit, text)  # typed over the old value, as a coder would
    else:
        edit.setText(text)  # pasted: non-ASCII, control characters and huge strings
    error = getattr(calc, label)
    assert not error.isHidden() and fragment in error.text()
    assert len(error.text()) < 400
    assert calc.stale and lines(window) == GOOD  # last good result kept, marked stale


def test_bad_date_far_future(window, qtbot):
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "150mg")
    calc.date_edit.setDate(QDate(2099, 1, 1))
    assert not calc.date_error.isHidden() and "future" in calc.date_error.text()


def test_replaced_code_after_its_end_is_explained_at_the_code(window, qtbot):
    calc = window.calculator
    calc.set_code("J7401")
    qtbot.keyClicks(calc.dose_edit, "1350mcg")
    assert not calc.code_error.isHidden() and "J7402" in calc.code_error.text()


def test_lookalike_code_with_omalizumab_dose(window, qtbot):
    calc = window.calculator
    calc.set_code("J7402")
    qtbot.keyClicks(calc.dose_edit, "375mg")
    assert not calc.code_error.isHidden() and "Omalizumab is J2357" in calc.code_error.text()


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_bad_stored_value_is_among_the_window_notices(make_window, isolated_state, tmp_path, caplog, damage):
    library = Library.open(str(isolated_state))
    library.import_files(quarter_zips(tmp_path / "q1"))
    library.close()
    db = sqlite3.connect(isolated_state / "data" / "cms.sqlite3")
    db.execute(DAMAGE[damage])
    db.commit()
    db.close()
    with caplog.at_level(logging.INFO, logger="omaliref"):
        make_window()  # each notice is logged as it goes to the status bar
    where, column = SAID[damage]
    said = [r.getMessage() for r in caplog.records if where in r.getMessage()]
    assert len(said) == 1 and column in said[0] and "left out" in said[0], caplog.text


def test_the_window_refuses_each_dose_the_cli_refuses_with_the_same_sentence(window, qtbot):
    """The CLI's bad-dose catalogue, typed into the window: the same fragment next to the dose, the lines kept."""
    from tests.e2e.test_bad_input_catalogue import CASES as CLI_CASES

    doses = [
        (argv[3], fragment)
        for _, argv, fragment in CLI_CASES
        if argv[:3] == ["units", "J2357", "--dose"] and len(argv) == 4 and argv[3].strip()
    ]  # an empty dose field is a case not begun, not an error
    assert doses, "the CLI catalogue's J2357 dose cases are gone"
    calc = window.calculator
    qtbot.keyClicks(calc.dose_edit, "225mg")
    qtbot.keyClicks(calc.containers_edit, "50242-0040-62x2")
    for dose, fragment in doses:
        calc.dose_edit.setText(dose)  # pasted
        assert not calc.dose_error.isHidden() and fragment in calc.dose_error.text(), dose
        assert calc.stale and lines(window) == GOOD
