"""Usage: python gui_filedialog.py DIR -- File > Export audit sheet through Qt's own save dialog (offscreen, no native
dialog), opened in DIR and accepted with the suggested name (red team #10: $HOME/.config/QtProject.conf kept DIR)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

app = QApplication([])
from omaliref.app import build_window  # noqa: E402 - after the QApplication

window = build_window()
window.show()
app.processEvents()
window.calculator.dose_edit.setText("375mg")
app.processEvents()
os.chdir(sys.argv[1])  # the dialog opens here, as if the coder had browsed to it


def answer() -> None:
    for dialog in QApplication.topLevelWidgets():
        if isinstance(dialog, QFileDialog) and dialog.isVisible():
            dialog.setDirectory(sys.argv[1])
            dialog.accept()
            return
    QTimer.singleShot(100, answer)


QTimer.singleShot(100, answer)
window.export_pdf_dialog()
print("PDFs in the folder:", os.listdir(sys.argv[1]))
window.close()
