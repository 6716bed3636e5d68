"""The desk's saved default is an organization profile of payer kind commercial; prints the profile the calculator
uses, its lines and the status bar (red team #5)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

app = QApplication([])
errors: list[str] = []
sys.excepthook = lambda *a: errors.append(f"{a[0].__name__}: {a[1]}")
from omaliref.app import build_window  # noqa: E402 - after the QApplication

window = build_window()
window.show()
app.processEvents()
window.calculator.dose_edit.setText("150mg")
window.calculator.containers_edit.setText("50242-0215-01, 50242-0214-01")
app.processEvents()
result = window.calculator.result
profile = result.case.payer_profile
lines = [(line.code, line.modifiers, line.units) for line in result.lines]
status = window.statusBar().currentMessage()[:160]
print(f"profile used: {profile.id} (kind {profile.kind}) | lines: {lines} | status bar: {status} | errors: {errors}")
