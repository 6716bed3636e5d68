"""Red team 2026-12 #10: Qt's own file dialog (Linux without a native dialog plugin) saves the folders it showed -
a patient-named folder among them - as history and lastVisited in QtProject.conf, outside the state folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog


def answer_file_dialog(folder):
    """Accept Qt's file dialog in `folder` as a coder who browsed there would, once it is shown."""

    def answer():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible():
                widget.setDirectory(str(folder))
                widget.accept()
                return
        QTimer.singleShot(20, answer)  # not shown yet: look again on a later turn of the event loop

    QTimer.singleShot(0, answer)


def test_file_dialogs_keep_no_history_outside_the_state_folder(window, qtbot, isolated_state, tmp_path):
    patient = tmp_path / "Patients" / "JaneDoe MRN12345"
    patient.mkdir(parents=True)
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    answer_file_dialog(patient)
    window.export_pdf_dialog()
    assert [p.suffix for p in patient.iterdir()] == [".pdf"]  # the dialog was really used
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    assert Path(settings.fileName()).resolve().is_relative_to(isolated_state.resolve())
    saved = {key: str(settings.value(key)) for key in settings.allKeys()}
    assert not [key for key, value in saved.items() if "MRN12345" in value], saved
    conf = Path(settings.fileName())
    assert not conf.exists() or "MRN12345" not in conf.read_text(encoding="utf-8", errors="replace")
