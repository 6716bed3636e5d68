"""Usage: python gui_index_race.py QUERY FILE... -- the app starts with a big imported quarter (its search index is
built in the background after the first paint) and an import of FILE... starts at once; when all is idle, search for
QUERY (red team #17)."""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from omaliref.app import build_window  # noqa: E402 - after the QApplication

window = build_window()
query, files = sys.argv[1], sys.argv[2:]
window.ask_import_paths = lambda parent: files  # type: ignore[method-assign]
window.show()
app.processEvents()
start = time.time()
events: list[tuple[str, float]] = []
window.index_ready.connect(lambda index: events.append(("background index arrived", round(time.time() - start, 2))))


def begin() -> None:
    dialog = window.import_dialog()
    if dialog is not None:
        dialog.import_ended.connect(lambda outcome: events.append(("import ended", round(time.time() - start, 2))))


def done() -> None:
    busy = [t.name for t in threading.enumerate() if t.name == "omaliref-index"]
    progress = getattr(window, "import_progress", None)
    if busy or progress is None or progress.thread_.isRunning() or not progress.outcome:
        QTimer.singleShot(200, done)
        return
    app.processEvents()
    window.search_edit.setText("")
    window.search_edit.setText(query)
    app.processEvents()
    hits = [window.results.index(i, 0).data() for i in range(window.results.rowCount())]
    print("import outcome:", progress.outcome[:100])
    print("events (s after the window showed):", events)
    print(f"search {query!r} after the import:", hits[:3] or "NO RESULTS")
    app.quit()


QTimer.singleShot(0, begin)
QTimer.singleShot(300, done)
app.exec()
