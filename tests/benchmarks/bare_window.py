"""The baseline: a bare PySide6 QMainWindow shown and painted the same way the app's smoke test does."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1480, 900)
window.show()
app.processEvents()
window.repaint()
shown = time.time()
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
t0 = float(os.environ.get("OMALIREF_T0", shown))
print(f"startup_s={shown - t0:.4f} peak_rss_kb={peak}")
