"""Composition root: QApplication, catalog, main window, excepthook. Placeholder until the UI issue lands."""

from __future__ import annotations

import sys


def run(*, smoke_test: bool = False, screenshot_dir: str | None = None, state_dir: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    from omaliref.data.pack import shipped_catalog

    catalog = shipped_catalog()
    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel(f"omaliref — data pack {catalog.info.version}, as of {catalog.info.as_of}")
    label.show()
    if smoke_test:
        app.processEvents()
        return 0
    return app.exec()
