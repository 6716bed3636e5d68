"""Small shared widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFocusEvent,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStatusBar,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
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
        self._field_widget: QWidget | None = None
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

    def describes(self, field_widget: QWidget) -> None:
        """The field this label speaks for: a screen reader on the field reads the error too."""
        self._field_widget = field_widget

    def show_error(self, message: str) -> None:
        self.setText(f"✖ {message}")
        self.setAccessibleDescription(message)
        if self._field_widget is not None:
            self._field_widget.setAccessibleDescription(message)
        self.show()
        from PySide6.QtGui import QAccessible, QAccessibleEvent  # on the first error, not at start-up

        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def clear_error(self) -> None:
        self.clear()
        self.setAccessibleDescription("")
        if self._field_widget is not None:
            self._field_widget.setAccessibleDescription("")
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
    """A package list that adds only on purpose: Enter, or a pick from its open list. Keys and the wheel on the
    closed box only move through the packages, whatever happened before (Qt also reports those moves as
    `activated`, and a list closed with Esc never passes through hidePopup, so a popup flag once let three Downs
    add three vials)."""

    chosen = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._browsing = False  # a key or the wheel on the closed box is moving the current item
        self.activated.connect(self._activated)

    def _activated(self, index: int) -> None:
        if not self._browsing:  # a pick from the open list (Enter or a click in it)
            self.chosen.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.chosen.emit(self.currentIndex())
            event.accept()
            return
        self._browsing = True
        try:
            super().keyPressEvent(event)
        finally:
            self._browsing = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._browsing = True
        try:
            super().wheelEvent(event)
        finally:
            self._browsing = False

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Leaving the box unchosen, it says "Add a package…" again: a package browsed to and not added must not
        sit beside lines that do not use it (desk test: Esc, arrows, Tab left '50242-0040-86' on view)."""
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # its own list opening keeps the place
            self.setCurrentIndex(0)


class ProfileBox(QComboBox):
    """The payer picker with type-ahead: Enter or Tab takes the first profile whose name contains the typed text
    (the completer's first row), and the box never keeps text that names no profile once the focus leaves it."""

    refused = Signal(str)  # the typed text matched no profile

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.lineEdit()
        if line is not None:
            line.setAccessibleName("Payer profile name")  # the text field inside was unnamed to screen readers

    def best_match(self, text: str) -> int:
        """The item the text names: itself (any case), else the first containing it, as the completer lists them."""
        wanted = text.strip().casefold()
        if not wanted:
            return -1
        names = [self.itemText(i).casefold() for i in range(self.count())]
        if wanted in names:
            return names.index(wanted)
        return next((i for i, name in enumerate(names) if wanted in name), -1)

    def pending(self) -> bool:
        """The text shown is not the chosen profile's name (the coder is typing, or typed a name that fits none)."""
        return self.currentText() != self.itemText(self.currentIndex())

    def commit(self, *, revert: bool) -> None:
        """Choose the profile the typed text names; none: say so, and put the chosen name back when `revert`."""
        if not self.pending():
            return
        typed = self.currentText()
        match = self.best_match(typed)
        completer = self.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None:
            popup.hide()
        if match >= 0:
            self.setCurrentIndex(match)
            self.setEditText(self.itemText(match))  # the same profile again: the index does not change
            return
        if revert:
            self.setEditText(self.itemText(self.currentIndex()))
        self.refused.emit(typed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pending():
            self.commit(revert=False)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        line = self.lineEdit()
        if line is not None and event.reason() != Qt.FocusReason.PopupFocusReason:
            line.selectAll()  # typing replaces the name, never appends to it

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if event.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.MenuBarFocusReason):
            self.commit(revert=True)
        super().focusOutEvent(event)


class FieldLabel(QLabel):
    """A field's label whose mnemonic also selects the field's text, so what is typed next replaces it even when the
    field already had the focus (a second Alt+P once turned 'illin' + 'medicaid' into 'illinmedicaid')."""

    def __init__(self, text: str, buddy: QLineEdit | QComboBox, parent: Any = None) -> None:
        super().__init__(text, parent)
        self.setBuddy(buddy)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Shortcut:
            buddy = self.buddy()
            edit = buddy.lineEdit() if isinstance(buddy, QComboBox) else buddy
            if isinstance(edit, QLineEdit):
                edit.selectAll()
        return handled


class WindowKeysFirst(QObject):
    """The window's own shortcuts win over a text field's key bindings: on X11 a line edit keeps Ctrl+E (end of
    line) for itself, so Ctrl+E in Dose or Payer did nothing and the file name typed next went into the field."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.keys = {
            *(seq.toString() for action in window.findChildren(QAction) for seq in action.shortcuts()),
            *(shortcut.key().toString() for shortcut in window.findChildren(QShortcut)),
        } - {""}
        for field in (*window.findChildren(QLineEdit), *window.findChildren(QComboBox)):
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.ShortcutOverride:
            return False
        if QKeySequence(event.keyCombination()).toString() not in self.keys:
            return False
        event.ignore()  # not taken by the field: the shortcut fires
        return True


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


class StatusLine(QStatusBar):
    """The status bar, its messages in a label that wraps: a copy message names the profile and every default the
    lines rest on (#24), 2165 px on one line, which QStatusBar's own message (one line, clipped) cut off at any
    width. The same showMessage/currentMessage/messageChanged as QStatusBar's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_label = QLabel()
        self.message_label.setAccessibleName("Status message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        # the permanent labels keep their width; the message takes the rest and grows in height instead
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addWidget(self.message_label, 1)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self.clearMessage)

    def showMessage(self, text: str, /, timeout: int | None = 0) -> None:
        self._expiry.stop()
        if timeout:
            self._expiry.start(timeout)
        if text != self.message_label.text():
            self.message_label.setText(text)
            self.messageChanged.emit(text)

    def clearMessage(self) -> None:
        self.showMessage("")

    def currentMessage(self) -> str:
        return self.message_label.text()
