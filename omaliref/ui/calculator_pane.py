"""Calculator pane: the inputs of a case and the claim lines the domain calculator returns for them.

The fields are made in calculator_fields, the outcome area in calculator_results; this module lays them out, sends
what the coder types to the CaseModel and shows the snapshots it returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omaliref.domain.calculator import CalcResult
from omaliref.domain.errors import LookalikeError
from omaliref.domain.outcome import Outcome
from omaliref.domain.vocab import MODIFIERS_340B
from omaliref.ui.calculator_fields import (
    choice_box,
    code_box,
    named_ndcs,
    ndc_digits,
    note_label,
    offered_340b,
    separately_payable_box,
    single_dose_box,
    single_dose_text,
    supplied_box,
    text_field,
    with_one_more,
)
from omaliref.ui.calculator_results import LINES_MIN_HEIGHT as LINES_MIN_HEIGHT  # re-exported for the layout tests
from omaliref.ui.calculator_results import ResultsArea, copied, nothing_copied
from omaliref.ui.case_model import CaseFields, CaseModel, CaseSnapshot
from omaliref.ui.labels import LINE_VIEW_LABELS, M340B_LABELS, SETTING_LABELS
from omaliref.ui.payer_picker import PayerPicker
from omaliref.ui.widgets import DateField, ErrorLabel, FieldLabel, PackageBox


class CalculatorPane(QWidget):
    """Edits the case's calculation fields and renders the outcome the CaseModel computes."""

    dose_check_requested = Signal()
    copy_message = Signal(str)  # what a copy did, for the status bar

    def __init__(self, case_model: CaseModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.case_model = case_model
        self.library = case_model.library
        self.snapshot: CaseSnapshot = case_model.snapshot
        self._copied = ""  # what this pane last put on the clipboard
        self._suggested = ""  # the code a look-alike error points to
        self._340b_day: dt.date | None = None  # the date the 340B box's offer was made for
        self._build_fields(case_model.today)
        self._build_fix_button()
        self.results = r = ResultsArea(self)
        self.stale_banner, self.summary, self.view_box = r.stale_banner, r.summary, r.view_box
        self.lines_model, self.lines_view, self.warnings_list = r.lines_model, r.lines_view, r.warnings_list
        self.admin_label, self.provenance_label, self.rules_label = r.admin_label, r.provenance_label, r.rules_label
        self.copy_button = QPushButton("Copy claim &lines")
        self.copy_button.setAccessibleName("Copy claim lines")
        self.dose_button = QPushButton("Dose chec&k…")
        self.dose_button.setToolTip("Omalizumab label dose from the verified US tables (indication, IgE, weight)")
        self.dose_button.setAccessibleName("Omalizumab dose check")
        self._lay_out()
        self._set_policies()
        self._connect()
        self._offer_340b_in_force()
        self._fill_packages()
        case_model.update(code=self.code)

    def _build_fields(self, today: dt.date) -> None:
        """The case's input fields, and the labels that say what is wrong with them."""
        self.code_box = code_box(self.library.calculable_codes())
        self.dose_edit = text_field("Dose", "dose with unit, e.g. 375mg")
        self.dose_error = ErrorLabel("dose")
        self.containers_edit = text_field(
            "Containers opened", "empty = choose automatically; or NDCxCOUNT, e.g. 50242-0040-62x2"
        )
        self.containers_error = ErrorLabel("containers")
        self.package_box = PackageBox()
        self.package_box.setAccessibleName("Add a package")
        self.date_edit = DateField()
        self.date_edit.setAccessibleName("Date of service")
        self.date_edit.setPlaceholderText("2026-06-01, 06/01/2026 or 20260601")
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.date_error = ErrorLabel("date")
        self.payer_picker = p = PayerPicker(self.case_model, lambda: self.show_snapshot(self.snapshot))
        self.profile_notice, self.payer_box, self.payer_error, self.payer_note = p.notice, p.box, p.error, p.note
        self.setting_box = choice_box("Setting", SETTING_LABELS)
        self.separately_payable = separately_payable_box()
        self.single_dose_confirmed = single_dose_box()
        self.m340b_box = choice_box("340B modifier", M340B_LABELS)
        # when the payer's profile puts another 340B modifier (or none) on the lines
        self.m340b_note = note_label("340B modifier on the lines")
        self.supplied_box = supplied_box()
        self.last_dose_edit = text_field(
            "Previous dose date", "date of the previous dose (optional): checks the interval"
        )
        self.last_dose_error = ErrorLabel("last_dose")
        self.code_error = ErrorLabel("code")
        for error_label, field_widget in (
            (self.code_error, self.code_box),
            (self.dose_error, self.dose_edit),
            (self.containers_error, self.containers_edit),
            (self.date_error, self.date_edit),
            (self.payer_error, self.payer_box),
        ):
            error_label.describes(field_widget)

    def _build_fix_button(self) -> None:
        """The one-key fix a look-alike error offers: a button under the code, and Alt+U from any field."""
        self.fix_button = QPushButton()
        self.fix_button.setAccessibleName("Use the suggested code")
        self.fix_button.hide()
        self.fix_button.clicked.connect(self._use_suggested_code)
        fix = QShortcut(QKeySequence("Alt+U"), self, self._use_suggested_code)
        fix.setWhatsThis("Use the code a look-alike error suggests")

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("&Code", self.code_box)
        form.addRow("", self.code_error)
        form.addRow("", self.fix_button)
        form.addRow(FieldLabel("D&ose", self.dose_edit), self.dose_edit)
        form.addRow("", self.dose_error)
        form.addRow(FieldLabel("Co&ntainers", self.containers_edit), self.containers_edit)
        form.addRow(FieldLabel("Packa&ge", self.package_box), self.package_box)
        form.addRow("", self.containers_error)
        form.addRow(FieldLabel("Date of &service", self.date_edit), self.date_edit)
        form.addRow("", self.date_error)
        form.addRow(FieldLabel("&Payer", self.payer_box), self.payer_box)
        form.addRow("", self.payer_error)
        form.addRow("", self.payer_note)
        form.addRow("", self.profile_notice)
        form.addRow("Se&tting", self.setting_box)
        form.addRow("", self.separately_payable)
        form.addRow("", self.single_dose_confirmed)
        form.addRow("340&B modifier", self.m340b_box)
        form.addRow("", self.m340b_note)
        form.addRow(FieldLabel("Ac&quired from", self.supplied_box), self.supplied_box)
        form.addRow(FieldLabel("P&revious dose", self.last_dose_edit), self.last_dose_edit)
        form.addRow("", self.last_dose_error)
        return form

    def _lay_out(self) -> None:
        """The form, then the outcome: summary, lines, their view and buttons, warnings, rules."""
        form = self._form()
        buttons = QHBoxLayout()
        view_label = QLabel("Show &as")
        view_label.setBuddy(self.view_box)
        buttons.addWidget(view_label)
        buttons.addWidget(self.view_box)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.dose_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Unit &amp; waste calculator</h2>"))
        layout.addLayout(form)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.lines_view)
        layout.addWidget(self.admin_label)
        layout.addWidget(self.provenance_label)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("<b>Warnings</b>"))
        layout.addWidget(self.warnings_list, 2)
        layout.addWidget(self.rules_label)

    def _set_policies(self) -> None:
        """Boxes that shrink without losing their words, and Tab stops on every field and button."""
        boxes = (
            self.code_box,
            self.package_box,
            self.payer_box,
            self.setting_box,
            self.m340b_box,
            self.supplied_box,
            self.view_box,
        )
        for box in boxes:
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        # the longest view name whole: at 1366 px "CMS-1500 item 24A" once read "CMS-1500 item 2"
        self.view_box.setMinimumContentsLength(max(len(label) for _value, label in LINE_VIEW_LABELS))
        for widget in (
            self.code_box,
            self.dose_edit,
            self.containers_edit,
            self.package_box,
            self.date_edit,
            self.payer_box,
            self.separately_payable,
            self.single_dose_confirmed,
            self.m340b_box,
            self.supplied_box,
            self.last_dose_edit,
            self.copy_button,
            self.dose_button,
        ):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _connect(self) -> None:
        """Each field tells the CaseModel what changed; the model's snapshots come back to show_snapshot."""
        case_model = self.case_model
        self.code_box.currentIndexChanged.connect(self._code_changed)
        self.package_box.chosen.connect(self._package_chosen)
        self.dose_edit.textChanged.connect(lambda text: case_model.update(dose=text))
        self.containers_edit.textChanged.connect(self._containers_changed)
        self.date_edit.textChanged.connect(lambda text: case_model.update(date=text))
        self.payer_picker.connect()
        self.setting_box.currentIndexChanged.connect(lambda _i: case_model.update(setting=self.setting))
        self.separately_payable.toggled.connect(lambda on: case_model.update(separately_payable=on))
        self.single_dose_confirmed.toggled.connect(self._single_dose_toggled)
        self.m340b_box.currentIndexChanged.connect(lambda _i: case_model.update(modifier_340b=self.modifier_340b))
        self.supplied_box.currentIndexChanged.connect(
            lambda _i: case_model.update(supplied_by=str(self.supplied_box.currentData()))
        )
        self.last_dose_edit.textChanged.connect(lambda text: case_model.update(last_dose=text))
        self.date_edit.textChanged.connect(lambda _text: self._offer_340b_in_force())
        self.copy_button.clicked.connect(self.copy_claim_lines)
        self.dose_button.clicked.connect(self.dose_check_requested)
        case_model.changed.connect(self.show_snapshot)

    def tab_chain(self) -> list[QWidget]:
        """The order Tab visits the fields, code and dose first (set by the window once the pane is placed)."""
        return [
            self.code_box,
            self.dose_edit,
            self.containers_edit,
            self.package_box,
            self.date_edit,
            self.payer_box,
            self.setting_box,
            self.separately_payable,
            self.single_dose_confirmed,
            self.m340b_box,
            self.supplied_box,
            self.last_dose_edit,
            self.lines_view,  # one stop: arrow keys read the cells
            self.view_box,
            self.copy_button,
            self.dose_button,
            self.warnings_list,  # every warning reachable from the keyboard (the pane scrolls to it on a short screen)
        ]

    # -- inputs -------------------------------------------------------------------------------------------

    @property
    def code(self) -> str:
        return str(self.code_box.currentData())

    @property
    def payer(self) -> str:
        """The payer kind of the chosen profile."""
        return self.payer_picker.payer

    @property
    def profile_id(self) -> str:
        """The chosen profile; while the type-ahead text matches none, the last one chosen."""
        return self.payer_picker.profile_id

    @property
    def setting(self) -> str:
        return str(self.setting_box.currentData())

    def set_setting(self, setting: str) -> None:
        self.setting_box.setCurrentIndex(max(0, self.setting_box.findData(setting)))

    @property
    def modifier_340b(self) -> str:
        return str(self.m340b_box.currentData())

    @property
    def date_of_service(self) -> dt.date:
        """The typed date, or the day the case is entered while the text is not a date (the field says why)."""
        q = self.date_edit.date()
        return dt.date(q.year(), q.month(), q.day()) if q.isValid() else self.case_model.today

    def set_code(self, code: str, label: str = "") -> None:
        """Select a code; an imported code not yet in the list is added with its label."""
        index = self.code_box.findData(code)
        if index < 0 and label:
            self.code_box.addItem(label, code)
            index = self.code_box.count() - 1
        if index >= 0:
            self.code_box.setCurrentIndex(index)

    def set_defaults(self, payer: str, modifier_340b: str, profile_id: str = "") -> str:
        """The desk's payer (a profile id, else the built-in profile of the payer kind; a missing saved profile gives
        way to the built-in one, with the notice returned: PayerPicker.choose_default) and 340B modifier."""
        notice = self.payer_picker.choose_default(payer, profile_id)
        self._offer_340b_in_force(modifier_340b)
        self.payer_picker.show_note()  # also when the index did not change
        return notice

    def _offer_340b_in_force(self, chosen: str | None = None) -> None:
        """The 340B box offers the modifiers valid on the date of service (JG ended 2024-12-31, as CMS's HCPCS file
        states, or the newest imported one); a chosen one not valid then stays, marked ended, so the refusal beside
        the field is seen instead of the choice silently dropping to none."""
        keep = self.modifier_340b if chosen is None else chosen
        day = self.date_of_service
        if chosen is None and day == self._340b_day:
            return  # the date did not change (a keystroke that is not yet a date): the offer stands
        self._340b_day = day
        offered = offered_340b(self.library.dated_modifiers(), day, keep)  # the modifiers' dates, CMS's newest
        current = [(self.m340b_box.itemData(i), self.m340b_box.itemText(i)) for i in range(self.m340b_box.count())]
        if current != offered:
            self.m340b_box.blockSignals(True)
            self.m340b_box.clear()
            for code, label in offered:
                self.m340b_box.addItem(label, code)
            self.m340b_box.blockSignals(False)
        index = max(0, self.m340b_box.findData(keep))
        if index != self.m340b_box.currentIndex():
            self.m340b_box.setCurrentIndex(index)

    def _code_changed(self) -> None:
        self._fill_packages()
        self.case_model.update(code=self.code)

    def _fill_packages(self) -> None:
        self.package_box.clear()
        self.package_box.addItem("Add a package…", "")
        for product in self.library.packages_for(self.code):
            route = f", {product.route}" if product.route else ""  # an SC syringe is no choice for an IV case
            self.package_box.addItem(f"{product.ndc} — {product.container_amount} {product.form}{route}", product.ndc)

    def _named_ndcs(self) -> list[str]:
        return named_ndcs(self.containers_edit.text())

    def _containers_changed(self, text: str) -> None:
        self.case_model.update(containers=text)
        self._show_single_dose()

    def _show_single_dose(self) -> None:
        """The single-dose box speaks for the NDCs named, and is ticked only when each of them was confirmed."""
        named = self._named_ndcs()
        confirmed = {ndc_digits(n) for n in self.case_model.fields.single_dose_ndcs}
        box = self.single_dose_confirmed
        box.blockSignals(True)
        box.setEnabled(bool(named))
        box.setText(single_dose_text(named))
        box.setChecked(bool(named) and all(ndc_digits(n) in confirmed for n in named))
        box.blockSignals(False)

    def _single_dose_toggled(self, on: bool) -> None:
        """Confirm (or withdraw) single-dose for the NDCs named now; other NDCs keep their own confirmation."""
        named = {ndc_digits(n): n for n in self._named_ndcs()}
        kept = tuple(n for n in self.case_model.fields.single_dose_ndcs if ndc_digits(n) not in named)
        self.case_model.update(single_dose_ndcs=kept + (tuple(named.values()) if on else ()))

    def show_fields(self, fields: CaseFields) -> None:
        """Put the model's case fields back into the widgets (after New case)."""
        self.code_box.blockSignals(True)  # the model already holds the code: one recompute, not two
        self.set_code(fields.code)
        self.code_box.blockSignals(False)
        self._fill_packages()
        self.dose_edit.setText(fields.dose)
        self.containers_edit.setText(fields.containers)
        self._show_single_dose()
        day = dt.date.fromisoformat(fields.date) if fields.date else self.case_model.today
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def _use_suggested_code(self) -> None:
        """The one-key fix of a look-alike error: switch to the code the error points to."""
        if self._suggested:
            self.set_code(self._suggested)
            self.dose_edit.setFocus()

    def add_container(self, ndc: str) -> None:
        """One more of a package: a second pick of the same NDC makes it x2 (it once read 'x1, x1')."""
        self.containers_edit.setText(with_one_more(self.containers_edit.text(), ndc))

    def _package_chosen(self, index: int) -> None:
        ndc = self.package_box.itemData(index)
        if ndc:
            self.add_container(str(ndc))
        self.package_box.setCurrentIndex(0)

    # -- show what the model computed ----------------------------------------------------------------------

    @property
    def result(self) -> CalcResult | None:
        outcome = self.snapshot.outcome
        return outcome.calculation if outcome else None

    @property
    def stale(self) -> bool:
        return self.snapshot.stale

    def _errors(self) -> dict[str, ErrorLabel]:
        """Domain error fields -> the label next to the widget the coder must fix. The 340B, setting and supplier
        boxes have no error label of their own: their errors show under the code, at the top of the form."""
        return {
            "dose": self.dose_error,
            "containers": self.containers_error,
            "ndc": self.containers_error,
            "date": self.date_error,
            "code": self.code_error,
            "340b": self.code_error,
            "payer": self.payer_error,
            "setting": self.code_error,
            "last_dose": self.last_dose_error,
            "supplied_by": self.code_error,
        }

    def show_snapshot(self, snapshot: CaseSnapshot) -> None:
        self.snapshot = snapshot
        if snapshot.fields.setting != self.setting:  # another pane (or Preferences) changed it
            self.setting_box.blockSignals(True)
            self.set_setting(snapshot.fields.setting)
            self.setting_box.blockSignals(False)
        for label in set(self._errors().values()):
            label.clear_error()
        error = snapshot.error
        if error is not None and error.field in ("indication", "ige", "weight", "age"):
            error = None  # the checklist pane and the dose check own those fields
        self._suggested = error.points_to if isinstance(error, LookalikeError) else ""
        self.fix_button.setVisible(bool(self._suggested))
        if self._suggested:
            self.fix_button.setText(f"Use {self._suggested}  (Alt+U)")
        if self.payer_picker.refused and (error is None or error.field == "payer"):
            self.payer_error.show_error(self.payer_picker.refused)
        if error is not None:
            if snapshot.outcome is None:  # nothing valid for this case and code: nothing of an earlier one shows
                self._show_empty()
                self.summary.clear()  # the error beside the field says what to do
            field = error.field if error.field in self._errors() else "dose"
            if not (field == "payer" and self.payer_picker.refused):
                self._errors()[field].show_error(str(error))
            self.lines_model.set_stale(True)
            self.stale_banner.setVisible(snapshot.stale)
            self.results.grey_out(snapshot.stale)
            return
        self.results.grey_out(False)
        outcome = snapshot.outcome
        if outcome is None or outcome.calculation is None:
            self._show_empty()
            return
        self._show_result(outcome)

    def _show_empty(self) -> None:
        self.m340b_note.hide()
        self.results.show_empty()

    def _show_result(self, outcome: Outcome) -> None:
        r = outcome.calculation
        assert r is not None
        self.results.show_result(outcome, self.library.rule_title)
        on_lines = sorted({m for line in r.lines for m in line.modifiers} & set(MODIFIERS_340B))
        chosen = r.case.modifier_340b
        self.m340b_note.setVisible(bool(chosen) and on_lines != [chosen])  # the box and the lines never disagree unsaid
        self.m340b_note.setText(
            f"The lines carry {' '.join(on_lines) or 'no 340B modifier'}, not {chosen}: see the warnings."
        )

    def claim_lines_text(self) -> str:
        """The lines exactly as the table shows them (header + one claim line per row, tab-separated); '' when
        there is nothing current to copy."""
        current = self.snapshot.current
        return self.lines_model.tsv() if current and current.calculation else ""

    def copy_claim_lines(self) -> None:
        """Copy what the table shows and say so; with invalid or stale input refuse out loud, and take back lines
        this pane had put on the clipboard (they may be the previous case's)."""
        clipboard = QGuiApplication.clipboard()
        text = self.claim_lines_text()
        if not text:
            if self._copied and clipboard.text() == self._copied:
                clipboard.clear()
            self._copied = ""
            self.copy_message.emit(nothing_copied(self.snapshot))
            return
        clipboard.setText(text)
        self._copied = text
        self.copy_message.emit(copied(self.result, self.view_box.currentText()))
