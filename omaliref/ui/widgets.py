"""Small shared widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


ERROR_REDS = ("#a00000", "#ff9b9b")  # dark red on light backgrounds, light red on dark ones


def error_colour(background: QColor, text: QColor) -> QColor:
    """A red that reads at 4.5:1 or better on this background; else the palette's own text colour (high contrast)."""
    for name in ERROR_REDS:
        if contrast(QColor(name), background) >= 4.5:
            return QColor(name)
    return text


class ErrorLabel(QLabel):
    """An inline message under a field: a human sentence, hidden while the field is valid, readable on any palette
    and announced to assistive technology."""

    def __init__(self, field: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setWordWrap(True)
        self.setAccessibleName(f"{field} error")
        self._apply_colour()
        self.hide()

    def _apply_colour(self) -> None:
        if getattr(self, "_colouring", False):  # the style sheet below changes the palette too
            return
        palette = self.palette()
        colour = error_colour(palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText))
        sheet = f"color:{colour.name()}; font-weight:bold;"
        if sheet != self.styleSheet():
            self._colouring = True
            try:
                self.setStyleSheet(sheet)
            finally:
                self._colouring = False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colour()
        super().changeEvent(event)

    def show_error(self, message: str) -> None:
        self.setText(f"✖ {message}")
        self.setAccessibleDescription(message)
        self.show()
        from PySide6.QtGui import QAccessible, QAccessibleEvent  # on the first error, not at start-up

        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def clear_error(self) -> None:
        self.clear()
        self.setAccessibleDescription("")
        self.hide()


class WrappingItemDelegate(QStyledItemDelegate):
    """Rows tall enough for their wrapped text: the default hint ignores the check box, clipping long items.

    Heights are kept per (text, width, font): a view asks for a row's hint again on each layout, and measuring
    wrapped text costs ~0.1 ms a row (#17)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._viewport = view.viewport()  # the widget whose width the text wraps to
        self._heights: dict[tuple[str, int, str, bool], int] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        font = index.data(Qt.ItemDataRole.FontRole) or option.font
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        reserved = 48  # check box indicator and margins
        width = max(self._viewport.width() - reserved, 120)
        key = (text, width, font.key(), index.data(Qt.ItemDataRole.CheckStateRole) is not None)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 2000:  # texts met over a long day: start afresh rather than grow
                self._heights.clear()
            base = super().sizeHint(option, index)
            rect = QFontMetrics(font).boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap), text)
            height = self._heights[key] = max(base.height(), rect.height() + 10)
        return QSize(width + reserved, height)


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


class DateField(QLineEdit):
    """A date typed as coders type it (2026-06-01, 06/01/2026, 6/1/2026, 20260601); the domain parses the text, so
    nothing is silently reinterpreted. setDate/date keep QDateEdit's calls for scripts and tests."""

    def setDate(self, day: QDate) -> None:
        self.setText(day.toString("yyyy-MM-dd"))

    def date(self) -> QDate:
        from omaliref.domain.case import parse_date
        from omaliref.domain.errors import InputError

        try:
            day = parse_date(self.text())
        except InputError:
            return QDate()
        return QDate(day.year, day.month, day.day)
