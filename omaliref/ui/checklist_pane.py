"""Checklist pane: the checks for the calculator's case, tick boxes, the verdict and a copyable summary."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omaliref.domain.checklist import Evaluation
from omaliref.domain.vocab import SEVERITIES
from omaliref.report.as_text import VERDICT_TEXT, checklist_summary
from omaliref.ui.case_model import CaseModel, CaseSnapshot
from omaliref.ui.labels import INDICATION_LABELS, VERDICT_STYLE
from omaliref.ui.models import ChecklistModel
from omaliref.ui.widgets import WrappingItemDelegate

NO_CHECKLIST = "No checklist: the case is not valid yet (the calculator says what to fix)."


class ChecklistPane(QWidget):
    """Edits the case's indication, renders its checklist, and keeps the case's ticks."""

    ticks_changed = Signal(object)  # frozenset of ticked ids
    copy_message = Signal(str)  # what Copy summary did, for the status bar

    def __init__(self, case_model: CaseModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.case_model = case_model
        self.catalog = case_model.library.catalog
        self.snapshot: CaseSnapshot = case_model.snapshot

        self.verdict = QLabel()
        self.verdict.setAccessibleName("Verdict")
        self.verdict.setWordWrap(True)
        self.indication_box = QComboBox()
        self.indication_box.setAccessibleName("Indication")
        for value, label in INDICATION_LABELS:
            self.indication_box.addItem(label, value)
        form = QFormLayout()
        form.addRow("&Indication", self.indication_box)
        self.model = ChecklistModel(self)
        self.view = QListView()
        self.view.setAccessibleName("Checklist items")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setSpacing(2)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.setItemDelegate(WrappingItemDelegate(self.view))
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why this check matters")
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName("Findings")
        self.copy_button = QPushButton("Copy su&mmary")
        self.copy_button.setAccessibleName("Copy summary")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Checklist</h2>"))
        layout.addWidget(self.verdict)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.why)
        layout.addWidget(self.findings)
        layout.addLayout(buttons)

        self.indication_box.currentIndexChanged.connect(lambda _i: case_model.update(indication=self.indication))
        case_model.changed.connect(self.show_snapshot)
        self.model.ticks_changed.connect(self._ticks_changed)
        self.view.selectionModel().currentChanged.connect(self._show_why)
        self.model.modelReset.connect(self.why.clear)  # another case's items: the last item's "Why" goes too
        self.copy_button.clicked.connect(self.copy_summary)
        self.show_snapshot(case_model.snapshot)  # the case was evaluated before this pane existed: show it now

    def tab_chain(self) -> list[QWidget]:
        return [self.indication_box, self.view, self.copy_button]

    @property
    def indication(self) -> str:
        return str(self.indication_box.currentData())

    @property
    def setting(self) -> str:
        """The case's setting (chosen in the calculator pane, next to the payer)."""
        return self.case_model.fields.setting

    def set_indication(self, indication: str) -> None:
        self.indication_box.setCurrentIndex(max(0, self.indication_box.findData(indication)))

    def set_setting(self, setting: str) -> None:
        self.case_model.update(setting=setting)

    @property
    def evaluation(self) -> Evaluation | None:
        outcome = self.snapshot.checklist
        return outcome.checklist if outcome else None

    def show_snapshot(self, snapshot: CaseSnapshot) -> None:
        if snapshot.fields.indication != self.indication:
            self.set_indication(snapshot.fields.indication)
        self._follow_the_drug(snapshot.fields.code)
        self.snapshot = snapshot
        evaluation = self.evaluation
        if evaluation is None:  # the case does not evaluate (code, date or payer): no checklist of another case shows
            self.model.set_items((), snapshot.ticked)
            self.why.clear()
            self.findings.clear()
            self.verdict.setText(NO_CHECKLIST)
            self.verdict.setStyleSheet("")
            return
        self.model.set_items(evaluation.items, snapshot.ticked)
        self._show_verdict()
        # calculator warnings are findings too (for the summary) but are already listed in the calculator pane
        own = [f for f in evaluation.findings if f.origin == "case"]
        from_calc = len(evaluation.findings) - len(own)
        lines = [f"[{f.severity.upper()}] {f.message}" for f in own]
        if from_calc:
            lines.append(f"[ADVISORY] {from_calc} calculator warning(s): see the calculator pane.")
        if snapshot.stale:  # the calculation behind the findings is from the last valid input
            self.findings.setText(
                "<span style='color:#6b6b6b'><b>STALE — the input is not valid; findings without a calculation:</b><br>"
                + "<br>".join(lines)
                + "</span>"
            )
        else:
            self.findings.setText("<b>Findings:</b><br>" + "<br>".join(lines) if lines else "")

    def _show_verdict(self) -> None:
        if self.evaluation is None:
            return
        verdict = self.evaluation.verdict(self.model.ticked)
        open_counts: dict[str, int] = {}
        for applied in self.evaluation.items:
            if applied.item.id not in self.model.ticked:
                open_counts[applied.severity] = open_counts.get(applied.severity, 0) + 1
        counts = ", ".join(
            f"{n} {sev}" for sev, n in sorted(open_counts.items(), key=lambda kv: SEVERITIES.index(kv[0]))
        )
        self.verdict.setText(
            f"<span style='font-size:15pt'><b>{VERDICT_TEXT[verdict].upper()}</b></span>"
            + (f"<br>Open: {counts}" if counts else "")
        )
        self.verdict.setStyleSheet(VERDICT_STYLE[verdict] + " padding:6px;")

    def _follow_the_drug(self, code: str) -> None:
        """The indications listed are omalizumab's: for another drug the box is off and says why (Asthma for
        belimumab once drew no remark)."""
        dosed = self.catalog.dose_table_codes  # the codes the pack's dose tables dose
        omalizumab = code in dosed
        self.indication_box.setEnabled(omalizumab)
        self.indication_box.setToolTip(
            ""
            if omalizumab
            else f"The indications listed are omalizumab's ({', '.join(dosed)}): they do not apply to {code}."
        )

    def _ticks_changed(self, ticked: frozenset[str]) -> None:
        self.case_model.set_ticked(ticked)
        self._show_verdict()
        self.ticks_changed.emit(ticked)

    def _show_why(self) -> None:
        applied = self.model.item(self.view.currentIndex().row())
        self.why.setText(f"<b>Why:</b> {applied.item.why}" if applied else "")

    def summary_text(self) -> str:
        outcome = self.snapshot.checklist
        if outcome is None:
            return ""
        return checklist_summary(self.catalog, outcome, self.model.ticked)

    def copy_summary(self) -> None:
        """Copy the summary and say so, as Copy claim lines does (it once copied without a word)."""
        text = self.summary_text()
        if not text:
            self.copy_message.emit("Nothing copied: there is no checklist for this input (the calculator says why).")
            return
        QGuiApplication.clipboard().setText(text)
        current = self.snapshot.current
        with_lines = current is not None and current.calculation is not None
        self.copy_message.emit(
            f"Copied the checklist summary · {self.snapshot.fields.code} · {len(self.model.ticked)} ticked"
            + ("" if with_lines else " · without claim lines (no valid calculation)")
        )
