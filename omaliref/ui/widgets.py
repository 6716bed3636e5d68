"""Small shared widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QLabel, QStyledItemDelegate, QStyleOptionViewItem


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


class WrappingItemDelegate(QStyledItemDelegate):
    """Rows tall enough for their wrapped text: the default hint ignores the check box, clipping long items."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        reserved = 48  # check box indicator and margins
        width = max(self.view.viewport().width() - reserved, 120)
        rect = QFontMetrics(font).boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap), text)
        return QSize(base.width(), max(base.height(), rect.height() + 10))
