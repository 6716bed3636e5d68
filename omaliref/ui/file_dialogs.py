"""The file dialogs, without a trace: Qt's own dialog (Linux without a native dialog plugin) saves the folders it
showed as `history` and `lastVisited` in QtProject.conf under the user's config folder, and a folder may carry a
patient's name (red team 2026-12 #10). Qt's per-user settings go to the state folder, and the dialog's group is
removed after each use. What an OS's native dialog remembers (recent places) is the OS's, see the README."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

QT_SETTINGS_FOLDER = "qt"  # under the state's config folder


def keep_qt_settings_in(config_dir: Path) -> None:
    """Where Qt's own per-user settings (QtProject.conf) go: under the state folder, never ~/.config."""
    folder = str(config_dir / QT_SETTINGS_FOLDER)
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, folder)


def forget_file_dialog() -> None:
    """Remove what the file dialog just saved (folders shown, sidebar, view state)."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.remove("FileDialog")
    settings.sync()


def open_file_names(parent: QWidget | None, caption: str, file_filter: str) -> list[str]:
    from PySide6.QtWidgets import QFileDialog  # where the dialog opens (CONTRIBUTING: keep start-up lean)

    try:
        paths, _ = QFileDialog.getOpenFileNames(parent, caption, "", file_filter)
    finally:
        forget_file_dialog()
    return list(paths)


def save_file_name(parent: QWidget | None, caption: str, suggested: str, file_filter: str) -> str:
    from PySide6.QtWidgets import QFileDialog

    try:
        path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, file_filter)
    finally:
        forget_file_dialog()
    return str(path)
