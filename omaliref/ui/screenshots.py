"""PNG of each pane (and the whole window) for the README, driven through the real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from omaliref.ui.main_window import MainWindow


def write_screenshots(window: MainWindow, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(1480, 920)
    window.search_edit.setText("J7402 omalizumab")
    window.calculator.dose_edit.setText("225mg")
    window.calculator.containers_edit.setText("50242-0040-62x2")
    QApplication.processEvents()
    shots = {
        "window.png": window,
        "reference.png": window.panes.widget(0),
        "calculator.png": window.panes.widget(1),
        "checklist.png": window.checklist,
    }
    written = []
    for name, widget in shots.items():
        path = folder / name
        assert widget is not None, name  # the panes exist once the window has loaded
        widget.grab().save(str(path))
        written.append(path)
    return written
