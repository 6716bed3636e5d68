"""Small shared widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel


class ErrorLabel(QLabel):
    """An inline message under a field: a human sentence, hidden while the field is valid."""

    def __init__(self, field: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setWordWrap(True)
        self.setStyleSheet("color:#a00000; font-weight:bold;")
        self.setAccessibleName(f"{field} error")
        self.hide()

    def show_error(self, message: str) -> None:
        self.setText(f"⛔ {message}")
        self.show()

    def clear_error(self) -> None:
        self.clear()
        self.hide()
