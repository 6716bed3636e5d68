"""Preferences under the organization's settings file: locked keys greyed, 'set by your organization', and kept."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel

from omaliref.app import build_window
from omaliref.data.state import Preferences, StateDirs, StateStore
from omaliref.ui.dialogs import PreferencesDialog
from tests.conftest import TODAY


@pytest.fixture
def org_site(tmp_path, monkeypatch):
    site = tmp_path / "org"
    site.mkdir()
    (site / "settings.toml").write_text(
        'payer_profile = "ngs-j6-part-b"\nsetting = "hospital-outpatient"\nlocked = ["payer_profile"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))
    return site


def open_window(qtbot, state):
    window = build_window(str(state), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def label_for(dialog, box):
    form = dialog.findChild(QFormLayout)
    label = form.labelForField(box)
    assert isinstance(label, QLabel)
    return label.text()


def test_the_locked_payer_profile_wins_over_the_users_own_and_preferences_show_it_greyed(
    qtbot, isolated_state, org_site, monkeypatch
):
    own = Preferences(payer="commercial", payer_profile="commercial", setting="office")
    assert StateStore(StateDirs.resolve(str(isolated_state))).save(own)
    window = open_window(qtbot, isolated_state)
    assert window.prefs.payer_profile == "ngs-j6-part-b"  # locked: the user's saved profile does not count
    assert window.prefs.setting == "office"  # a default only: the user's own setting stays
    assert window.calculator.payer_box.currentData() == "ngs-j6-part-b"

    shown = []

    def user_tries(dialog):  # the box is greyed; even a forced change does not survive
        shown.append(
            (
                dialog.payer_box.isEnabled(),
                label_for(dialog, dialog.payer_box),
                dialog.setting_box.isEnabled(),
                label_for(dialog, dialog.setting_box),
            )
        )
        dialog.payer_box.setCurrentIndex(dialog.payer_box.findData("commercial"))
        dialog.setting_box.setCurrentIndex(dialog.setting_box.findData("hospital-outpatient"))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", user_tries)
    window.preferences_dialog()
    (payer_enabled, payer_label, setting_enabled, setting_label) = shown[0]
    assert not payer_enabled and "set by your organization" in payer_label
    assert setting_enabled and "set by your organization" not in setting_label
    assert window.prefs.payer_profile == "ngs-j6-part-b" and window.prefs.setting == "hospital-outpatient"
    assert window.calculator.payer_box.currentData() == "ngs-j6-part-b"


def test_a_new_user_starts_with_the_sites_defaults(qtbot, isolated_state, org_site):
    window = open_window(qtbot, isolated_state)
    assert (window.prefs.payer_profile, window.prefs.setting) == ("ngs-j6-part-b", "hospital-outpatient")
    assert window.checklist.setting == "hospital-outpatient"


def test_a_typo_in_the_settings_file_is_a_status_notice_and_the_window_works(qtbot, isolated_state, org_site):
    (org_site / "settings.toml").write_text('payer_profile = "commercial"\nlockd = ["payer_profile"]\n')
    window = open_window(qtbot, isolated_state)
    assert f"{org_site / 'settings.toml'}, line 2, key 'lockd'" in window.statusBar().currentMessage()
    assert window.prefs.payer_profile == "commercial"  # the rest of the file is used
    qtbot.keyClicks(window.search_edit, "xolair")
    assert window.results.rowCount() > 0
