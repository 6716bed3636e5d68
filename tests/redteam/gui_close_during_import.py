"""Usage: DELAY=s python gui_close_during_import.py FILE... -- opens the main window, starts File > Import with the
files (the file dialog bypassed), closes the window DELAY seconds later while the import runs, and lets the app
quit as it does when its last window closes (red team #3)."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from omaliref.app import build_window  # noqa: E402 - after the QApplication

window = build_window()
window.ask_import_paths = lambda parent: sys.argv[1:]  # type: ignore[method-assign]
window.show()
app.processEvents()
dialog = window.import_dialog()
start = time.time()


def close() -> None:
    running = dialog.thread_.isRunning() if dialog is not None else False
    print(f"closing the window at {time.time() - start:.1f} s; import thread running={running}", flush=True)
    window.close()


QTimer.singleShot(int(float(os.environ.get("DELAY", "0.5")) * 1000), close)
app.exec()
print(f"event loop left after {time.time() - start:.1f} s", flush=True)
