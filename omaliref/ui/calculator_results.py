"""The calculator pane's outcome area: the stale banner, the units summary, the claim-lines table and its view
switcher, the administration and provenance lines, the warnings and the rules applied. It renders an Outcome and
computes nothing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QTableView,
    QWidget,
)

from omaliref.domain.calculator import CalcResult
from omaliref.domain.claim_forms import cms1500_layout
from omaliref.domain.outcome import Outcome
from omaliref.report import as_text
from omaliref.ui.case_model import CaseSnapshot
from omaliref.ui.labels import LEVEL_MARK, LINE_VIEW_LABELS
from omaliref.ui.models import ClaimLinesModel
from omaliref.ui.widgets import WrappingItemDelegate

LINES_MIN_HEIGHT, LINES_MAX_HEIGHT = 70, 190  # the claim-lines table, in pixels
# the warnings list: its floor, how many rows it makes room for, and its ceiling (a long warning at a narrow width)
WARNINGS_MIN_HEIGHT, WARNING_ROWS_SHOWN, WARNINGS_MAX_HEIGHT = 120, 4, 340
STALE_MARK = "STALE — "


def wrapped_label(name: str = "", style: str = "") -> QLabel:
    """A word-wrapped label, named for assistive technology when `name` is given."""
    label = QLabel()
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    if style:
        label.setStyleSheet(style)
    return label


def _stale_banner() -> QLabel:
    banner = QLabel("⚠ STALE — the input above is not valid; these lines are from the last valid input.")
    banner.setStyleSheet("background:#fff0cc; color:#5a3a00; font-weight:bold; padding:4px;")
    banner.setWordWrap(True)
    banner.hide()
    return banner


def _summary_label() -> QLabel:
    summary = wrapped_label("Units summary")
    big = QFont()
    big.setPointSizeF(big.pointSizeF() * 1.25)
    big.setBold(True)
    summary.setFont(big)
    return summary


def _lines_table(model: ClaimLinesModel) -> QTableView:
    view = QTableView()
    view.setAccessibleName("Claim lines")
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.setTabKeyNavigation(False)  # Tab leaves the table (it once went round its cells for ever)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setMinimumHeight(LINES_MIN_HEIGHT)
    view.setMaximumHeight(LINES_MAX_HEIGHT)
    view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
    return view


class WarningsList(QListWidget):
    """The warnings, at least as tall as their first WARNING_ROWS_SHOWN rows: on a short screen the pane scrolls
    instead of squeezing them (at 1366x768 two of a case's five showed whole, read one line at a time)."""

    def fit(self) -> None:
        """Room for the first rows as wrapped at the current width (up to WARNINGS_MAX_HEIGHT); the floor when empty."""
        rows = sum(self.sizeHintForRow(row) for row in range(min(self.count(), WARNING_ROWS_SHOWN)))
        height = rows + 2 * self.frameWidth()
        self.setMinimumHeight(max(WARNINGS_MIN_HEIGHT, min(height, WARNINGS_MAX_HEIGHT)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # the rows wrap anew: a new height never loops back here
            self.fit()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Tabbed to, the whole list comes into view: the pane's scroll area only brings up its current row, so on
        a short screen the coder read the first warning and the top line of the next."""
        super().focusInEvent(event)
        if event.reason() not in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            return
        area: QWidget | None = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        pane = area.widget() if isinstance(area, QScrollArea) else None
        if isinstance(area, QScrollArea) and pane is not None:
            # the pane's height may still wait on a posted layout request (the list just grew): settle it first
            QCoreApplication.sendEvent(area, QEvent(QEvent.Type.LayoutRequest))
            centre = self.mapTo(pane, self.rect().center())
            area.ensureVisible(centre.x(), centre.y(), 0, self.height() // 2 + 4)


def _warnings_list() -> WarningsList:
    warnings = WarningsList()
    warnings.setAccessibleName("Warnings")
    warnings.setWordWrap(True)
    warnings.setMinimumHeight(WARNINGS_MIN_HEIGHT)
    warnings.setResizeMode(QListWidget.ResizeMode.Adjust)
    warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    warnings.setItemDelegate(WrappingItemDelegate(warnings))
    return warnings


def _view_box() -> QComboBox:
    box = QComboBox()
    box.setAccessibleName("Show claim lines as")
    for value, label in LINE_VIEW_LABELS:
        box.addItem(label, value)
    return box


def nothing_copied(snapshot: CaseSnapshot) -> str:
    """Why a copy put nothing on the clipboard."""
    if snapshot.error is None and not snapshot.fields.dose.strip():
        return "Nothing copied: no dose yet — type the dose given (Ctrl+D)."
    return "Nothing copied: the input is not valid, so there are no current claim lines" + (
        " (the lines shown are stale)." if snapshot.stale else "."
    )


def copied(r: CalcResult | None, view: str) -> str:
    """What a copy put on the clipboard: how many lines, of which code and date, in which view, resting on what."""
    count = len(r.lines) if r else 0
    return (
        f"Copied {count} line{'s' * (count != 1)} · {r.code.code if r else ''} · DOS "
        f"{r.date_of_service if r else ''} · {view}" + (f" · {as_text.provenance_line(r)}" if r else "")
    )


class ResultsArea:
    """The widgets that show an outcome (the pane lays them out), and how an outcome, an empty case or stale lines
    look in them."""

    def __init__(self, parent: QObject) -> None:
        self.stale_banner = _stale_banner()
        self.summary = _summary_label()
        self.lines_model = ClaimLinesModel(parent)
        self.lines_view = _lines_table(self.lines_model)
        self.lines_model.modelReset.connect(self.fit_lines)
        self.view_box = _view_box()
        self.view_box.currentIndexChanged.connect(lambda _i: self.lines_model.set_view(self.view_box.currentData()))
        self.admin_label = wrapped_label()
        # the profile and the defaults the lines rest on (#24): never the payer's rule
        self.provenance_label = wrapped_label("Where the payer rules of these lines come from", "color:#5a3a00;")
        self.warnings_list = _warnings_list()
        self.rules_label = wrapped_label("Rules applied")

    def grey_out(self, stale: bool) -> None:
        """Stale everywhere: the warnings and rules of the last valid input grey out with its lines."""
        grey = "color:#6b6b6b;" if stale else ""
        self.warnings_list.setStyleSheet(f"QListWidget {{ {grey} }}" if stale else "")
        self.rules_label.setStyleSheet(grey)
        self.summary.setStyleSheet(grey)
        for i in range(self.warnings_list.count()):
            item = self.warnings_list.item(i)
            if stale and not item.text().startswith(STALE_MARK):
                item.setText(STALE_MARK + item.text())
        self.warnings_list.fit()
        for label in (self.rules_label, self.summary):
            if stale and not label.text().startswith(STALE_MARK):
                label.setText(STALE_MARK + label.text())

    def show_empty(self) -> None:
        self.stale_banner.hide()
        self.lines_model.set_lines([])
        self.summary.setText("Type the dose given, e.g. 375mg.")
        self.warnings_list.clear()
        self.warnings_list.fit()
        self.rules_label.clear()
        self.admin_label.clear()
        self.provenance_label.clear()

    def fit_lines(self) -> None:
        """Every claim line stays in view: the table is at least as tall as its lines (up to LINES_MAX_HEIGHT), so
        on a short screen the pane scrolls instead of squeezing the table to one line and a half (seen on X11 at
        1366x768)."""
        view = self.lines_view
        rows = sum(max(view.rowHeight(row), view.sizeHintForRow(row)) for row in range(self.lines_model.rowCount()))
        height = view.horizontalHeader().sizeHint().height() + rows + 2 * view.frameWidth() + 2
        view.setMinimumHeight(max(LINES_MIN_HEIGHT, min(height, LINES_MAX_HEIGHT)))

    def show_result(self, outcome: Outcome, rule_title: Callable[[str], str]) -> None:
        """The outcome's calculation: its lines in the chosen view, the summary, its warnings and its rules."""
        r = outcome.calculation
        assert r is not None
        self.stale_banner.hide()
        self.lines_model.set_lines(r.lines, r.case.setting, *cms1500_layout(r.case.payer_profile))
        self.summary.setText(as_text.units_summary(r))
        self.admin_label.setText(f"<b>Administration code (its own line):</b> {r.admin_code_suggestion}")
        self.provenance_label.setText(as_text.provenance_line(r))
        self.warnings_list.clear()
        for w in outcome.warnings:
            sources = f"  [sources: {', '.join(w.sources)}]" if w.sources else ""
            item = QListWidgetItem(f"{LEVEL_MARK[w.level]}: {w.message}{sources}")
            if w.level != "info":
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.warnings_list.addItem(item)
        self.warnings_list.fit()
        self.rules_label.setText(
            "<b>Rules applied:</b> " + ", ".join(f"{rule_title(rid)} <i>({rid})</i>" for rid in r.rules)
        )
