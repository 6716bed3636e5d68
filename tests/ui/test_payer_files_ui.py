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
    window = build_window(str(state), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.parametrize("name", ["deep-arrays", "5000-digit-number"])
def test_the_window_starts_and_says_which_payer_file_it_left_out(qtbot, isolated_state, name):
    path = user_file(isolated_state, PARSER_BREAKERS[name])
    window = start(qtbot, isolated_state)
    assert window.calculator.payer_box.findData("medicare-part-b") >= 0
    notices = window.library.profiles.notices
    assert len(notices) == 1 and str(path) in notices[0] and "left out" in notices[0]
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    assert window.case_model.snapshot.outcome.calculation.administered_units == 75


def test_preferences_takes_every_profile_the_picker_offers(qtbot, isolated_state, monkeypatch):
    """#16: choosing 'acme_bcbs' (passed by `payers check`) raised ValueError in Preferences and nothing was saved.
    Such an id is refused at load; every profile that is offered can be saved as the default."""
    from PySide6.QtWidgets import QDialog

    from omaliref.ui import dialogs

    user_file(isolated_state, '[[payer]]\nid = "acme_bcbs"\nname = "ACME BCBS (underscore)"\nkind = "commercial"\n')
    named = isolated_state.parent / "named-payers.toml"
    named.write_text('[[payer]]\nid = "acme-bcbs"\nname = "ACME BCBS"\nkind = "commercial"\n', encoding="utf-8")
    monkeypatch.setenv("OMALIREF_PAYERS", str(named))
    window = start(qtbot, isolated_state)
    assert "acme_bcbs" not in window.library.profiles.by_id and "acme-bcbs" in window.library.profiles.by_id
    assert "'id'" in window.library.profiles.notices[0]
    offered = list(window.library.profiles.by_id)
    for index, ident in enumerate(offered):

        def choose(dialog, index=index):
            dialog.payer_box.setCurrentIndex(index)
            return QDialog.DialogCode.Accepted

        monkeypatch.setattr(dialogs.PreferencesDialog, "exec", choose)
        window.preferences_dialog()
        assert window.prefs.payer_profile == ident
    assert '"payer_profile": "' + offered[-1] + '"' in window.store.path.read_text(encoding="utf-8")


def test_the_payer_note_says_the_default_profile_was_replaced(qtbot, isolated_state):
    """#11: the window showed 'Medicare Part B (MAC not set)' with nothing to say an organization's file stood in
    for the built-in profile and dropped its JW line."""
    from tests.fixtures.payer_files import SHADOW_MEDICARE

    path = user_file(isolated_state, SHADOW_MEDICARE)
    window = start(qtbot, isolated_state)
    calculator = window.calculator
    assert calculator.profile_id == "medicare-part-b"
    note = calculator.payer_note
    assert note.isVisibleTo(window)
    assert f"medicare-part-b is the profile of {path}, which replaces the built-in one" in note.text()
    qtbot.keyClicks(calculator.dose_edit, "150mg")
    warnings = [w for w in window.case_model.snapshot.outcome.warnings if "no JW or JZ" in w.message]
    assert [w.level for w in warnings] == ["warning"]
    calculator.payer_box.setCurrentIndex(calculator.payer_box.findData("commercial"))
    assert not note.isVisibleTo(window)  # a built-in profile: nothing replaced, nothing to say
