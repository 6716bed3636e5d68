"""No patient-identifying data reaches disk: whatever a coder types, only whitelisted state is written."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from omaliref.data.state import from_json

PHI = ("Jane Doe", "MRN 00482913", "1970-03-14", "555-01-2345")


def test_typed_text_never_reaches_the_state_folder(make_window, qtbot, isolated_state):
    window = make_window()
    for text in PHI:
        qtbot.keyClicks(window.search_edit, text)
        qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    window.calculator.dose_edit.setText("225mg Jane Doe")
    window.calculator.containers_edit.setText("MRN 00482913")
    window.calculator.dose_edit.setText("225mg")
    window.calculator.containers_edit.setText("50242-0040-62x2")
    model = window.checklist.model
    model.setData(model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    window.close()

    files = [p for p in Path(isolated_state).rglob("*") if p.is_file()]
    assert files, "the window saved its state"
    for path in files:
        content = path.read_bytes().decode("utf-8", errors="replace")
        for text in PHI:
            assert text not in content, f"{text!r} written to {path}"
    state = json.loads((Path(isolated_state) / "config" / "state.json").read_text())
    from_json(state)  # the whitelist parser accepts it: nothing but whitelisted keys and values
    assert set(state) == {"schema", "preferences", "checklist_ticks"}
