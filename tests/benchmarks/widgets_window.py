"""The floor: the kinds of widgets omaliref's window has (search box, result list, rich-text reference with a
table, claim-line table, lists, labels, buttons), with a little text, and no omaliref code. What any PySide6 window
of this shape pays over the bare one, shown and painted the way the app's smoke test does. The measuring lines
repeat bare_window.py's on purpose: each baseline is one self-contained script, importing nothing of ours."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1480, 900)
central = QWidget()
layout = QVBoxLayout(central)
search = QLineEdit()
search.setPlaceholderText("Search codes, drugs, brands, NDCs, modifiers, topics")
layout.addWidget(search)
panes = QSplitter(Qt.Orientation.Horizontal)
left = QSplitter(Qt.Orientation.Vertical)
results = QListView()
rows = QStandardItemModel()
for text in ("CODE J2357 — Injection, omalizumab, 5 mg", "NDC 50242-0040-62 — Xolair 150 mg"):
    rows.appendRow(QStandardItem(text))
results.setModel(rows)
left.addWidget(results)
reference = QTextBrowser()
table = "".join(f"<tr><td>50242-0040-6{i}</td><td>150 mg vial</td><td>30</td></tr>" for i in range(10))
reference.setHtml(f"<h1>J2357 — Injection, omalizumab, 5 mg</h1><p><b>1 unit = 5 mg</b></p><table>{table}</table>")
left.addWidget(reference)
panes.addWidget(left)
middle = QWidget()
middle_layout = QVBoxLayout(middle)
for widget in (QLabel("Unit & waste calculator"), QLineEdit("375mg"), QComboBox(), QTableView(), QListWidget()):
    middle_layout.addWidget(widget)
panes.addWidget(middle)
checklist = QListWidget()
checklist.addItems(["[HIGH] A diagnosis supporting the indication is on the claim and in the chart."] * 8)
panes.addWidget(checklist)
layout.addWidget(panes, 1)
layout.addWidget(QPushButton("Copy claim lines"))
window.setCentralWidget(central)
window.statusBar().showMessage("Data as of 2026-12-01")
window.show()
app.processEvents()
window.repaint()
shown = time.time()
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
t0 = float(os.environ.get("OMALIREF_T0", shown))
print(f"startup_s={shown - t0:.4f} peak_rss_kb={peak}")
