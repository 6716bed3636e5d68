"""The window with hostile organization payer files (red team 2026-12 #4, #11, #16): it starts, says what it left
out or what replaced a built-in profile, and Preferences never raises on a profile id."""

from __future__ import annotations

import pytest

from omaliref.app import build_window
from tests.conftest import TODAY
from tests.fixtures.payer_files import PARSER_BREAKERS


def user_file(state, text):
    config = state / "config"
    config.mkdir(parents=True, exist_ok=True)
    path = config / "payers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start(qtbot, state):
    window = build_window(str(state), ready=False, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready):
        window.finish_loading()
    return window


@pytest.mark.parametrize("name", ["deep-arrays", "5000-digit-number"])
def test_the_window_starts_and_says_which_payer_file_it_left_out(qtbot, isolated_state, name):
    path = user_file(isolated_state, PARSER_BREAKERS[name])
    window = start(qtbot, isolated_state)
    assert window.loaded and window.calculator.payer_box.findData("medicare-part-b") >= 0
    notices = window.library.profiles.notices
    assert len(notices) == 1 and str(path) in notices[0] and "left out" in notices[0]
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    assert window.case_model.snapshot.outcome.calculation.administered_units == 75
