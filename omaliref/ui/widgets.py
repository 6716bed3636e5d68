"""Small shared widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QStyledItemDelegate, QStyleOptionViewItem


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


class PackageBox(QComboBox):
    """A package list that adds only on purpose: Enter, or a pick from its open list. Arrow keys on the closed box
    move through the packages without adding one on every press."""

    chosen = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._popup_open = False
        self.activated.connect(self._activated)

    def showPopup(self) -> None:
        self._popup_open = True
        super().showPopup()

    def hidePopup(self) -> None:
        super().hidePopup()
        QTimer.singleShot(0, self._popup_closed)  # activated is emitted after the popup hides

    def _popup_closed(self) -> None:
        self._popup_open = False

    def _activated(self, index: int) -> None:
        if self._popup_open:
            self.chosen.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._popup_open:
            self.chosen.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
