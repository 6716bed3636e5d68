"""PNG of each pane (and the whole window) for the README, driven through the real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from omaliref.ui.main_window import MainWindow


def write_screenshots(window: MainWindow, folder: Path, size: tuple[int, int] | None = None) -> list[Path]:
    """window.png etc. at 1480 x 920, or window-1366x768.png etc. at the size asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    width, height = size or (1480, 920)
    window.showNormal()  # a maximized window ignores resize (the offscreen screen is only 800 x 800)
    window.resize(width, height)
    window.fit_panes()
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
    suffix = f"-{width}x{height}" if size else ""
    for name, widget in shots.items():
        path = folder / name.replace(".png", f"{suffix}.png")
        assert widget is not None, name  # the panes exist once the window has loaded
        widget.grab().save(str(path))
        written.append(path)
    return written
