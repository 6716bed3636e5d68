"""Picks the last profile in Edit > Preferences and presses OK; prints what was chosen and any error (red team
#16)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

app = QApplication([])
errors: list[str] = []
sys.excepthook = lambda *a: errors.append(f"{a[0].__name__}: {a[1]}")
from omaliref.app import build_window  # noqa: E402 - after the QApplication
from omaliref.ui import dialogs  # noqa: E402

window = build_window()


def pick_last(self: dialogs.PreferencesDialog) -> int:
    self.payer_box.setCurrentIndex(self.payer_box.count() - 1)
    return QDialog.DialogCode.Accepted.value


dialogs.PreferencesDialog.exec = pick_last  # type: ignore[method-assign,assignment]
try:
    window.preferences_dialog()
except Exception as exc:
    errors.append(f"{exc.__class__.__name__}: {exc}")
print("chosen profile in prefs:", repr(window.prefs.payer_profile), "| errors:", errors)
state = Path(os.environ["OMALIREF_STATE_DIR"]) / "config" / "state.json"
print("state.json:", state.read_text() if state.exists() else "(none)")
