"""Calculator pane: the inputs of a case and the claim lines the domain calculator returns for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from omaliref.data.payers import PROFILE_FOR_KIND
from omaliref.domain.calculator import CalcResult
from omaliref.domain.case import parse_containers, split_container_text
from omaliref.domain.claim_forms import cms1500_layout
from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.model import Modifier
from omaliref.domain.outcome import Outcome
from omaliref.domain.quantities import format_amount
from omaliref.domain.vocab import MODIFIERS_340B
from omaliref.report import as_text
from omaliref.ui.case_model import CaseFields, CaseModel, CaseSnapshot
from omaliref.ui.labels import LEVEL_MARK, LINE_VIEW_LABELS, M340B_LABELS, SETTING_LABELS, SUPPLIER_LABELS
from omaliref.ui.models import ClaimLinesModel
from omaliref.ui.widgets import DateField, ErrorLabel, FieldLabel, PackageBox, ProfileBox, WrappingItemDelegate

LINES_MIN_HEIGHT, LINES_MAX_HEIGHT = 70, 190  # the claim-lines table, in pixels
SINGLE_DOSE_NO_NDC = "Label says single-&dose (name the NDC in Containers first)"


def _digits(ndc: str) -> str:
    """An NDC as typed, compared by its digits (50242-0215-01 and 50242021501 are one confirmation)."""
    return "".join(ch for ch in ndc if ch.isdigit())


class CalculatorPane(QWidget):
    """Edits the case's calculation fields and renders the outcome the CaseModel computes."""

    dose_check_requested = Signal()
    copy_message = Signal(str)  # what a copy did, for the status bar

    def __init__(self, case_model: CaseModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.case_model = case_model
        self.library = case_model.library
        self.catalog = self.library.catalog
        today = case_model.today
        self.snapshot: CaseSnapshot = case_model.snapshot
        self._copied = ""  # what this pane last put on the clipboard
        self._suggested = ""  # the code a look-alike error points to

        title = QLabel("<h2>Unit &amp; waste calculator</h2>")
        self.code_box = QComboBox()
        self.code_box.setAccessibleName("Code")
        for c in self.library.calculable_codes():
            unit = f"{format_amount(c.billing_unit.amount)} {c.billing_unit.unit}"
            self.code_box.addItem(f"{c.code} — {c.drug} ({unit} per unit)", c.code)
        self.dose_edit = QLineEdit()
        self.dose_edit.setAccessibleName("Dose")
        self.dose_edit.setPlaceholderText("dose with unit, e.g. 375mg")
        self.dose_error = ErrorLabel("dose")
        self.containers_edit = QLineEdit()
        self.containers_edit.setAccessibleName("Containers opened")
        self.containers_edit.setPlaceholderText("empty = choose automatically; or NDCxCOUNT, e.g. 50242-0040-62x2")
        self.containers_error = ErrorLabel("containers")
        self.package_box = PackageBox()
        self.package_box.setAccessibleName("Add a package")
        self.date_edit = DateField()
        self.date_edit.setAccessibleName("Date of service")
        self.date_edit.setPlaceholderText("2026-06-01, 06/01/2026 or 20260601")
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.date_error = ErrorLabel("date")
        self.profile_notice = ErrorLabel("payer")  # the saved profile is missing: which one is used instead
        self.payer_box = ProfileBox()  # type-ahead: any part of the name finds the profile
        self.payer_box.setAccessibleName("Payer profile")
        self.payer_error = ErrorLabel("payer")
        self.payer_note = QLabel()  # a sample profile says so, with its note and the dates of its sources
        self.payer_note.setWordWrap(True)
        self.payer_note.setAccessibleName("Payer profile note")
        self.payer_note.hide()
        self._payer_refused = ""  # the sentence a refused type-ahead left beside the payer box
        for profile in self.library.profiles.by_id.values():
            origin = "" if profile.origin == "built-in" else f"  [{Path(profile.origin).name}]"
            self.payer_box.addItem(profile.name + origin, profile.id)
        completer = self.payer_box.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setting_box = QComboBox()
        self.setting_box.setAccessibleName("Setting")
        for setting, label in SETTING_LABELS:
            self.setting_box.addItem(label, setting)
        self.view_box = QComboBox()
        self.view_box.setAccessibleName("Show claim lines as")
        for value, label in LINE_VIEW_LABELS:
            self.view_box.addItem(label, value)
        self.separately_payable = QCheckBox("Separately pa&yable")
        self.separately_payable.setToolTip("Untick for packaged OPPS drugs, FQHC/RHC or CAP: no JW/JZ then.")
        self.separately_payable.setAccessibleName("Separately payable")
        self.separately_payable.setChecked(True)
        self.single_dose_confirmed = QCheckBox(SINGLE_DOSE_NO_NDC)
        self.single_dose_confirmed.setAccessibleName("Label says single-dose")
        self.single_dose_confirmed.setToolTip(
            "Imported CMS packages do not say whether they are single-dose: tick only when the label of the NDC "
            "named in Containers says so (JW/JZ then apply to that NDC). It is confirmed per NDC and never covers a "
            "package the calculator chooses, so name the NDC opened first."
        )
        self.single_dose_confirmed.setEnabled(False)
        self.m340b_box = QComboBox()
        self.m340b_box.setAccessibleName("340B modifier")
        for modifier, label in M340B_LABELS:
            self.m340b_box.addItem(label, modifier)
        self.supplied_box = QComboBox()
        self.supplied_box.setAccessibleName("Drug supplied by")
        for supplier, label in SUPPLIER_LABELS:
            self.supplied_box.addItem(label, supplier)
        self.supplied_box.setToolTip(
            "Who supplied the drug: a drug the practice did not buy is billed as its payer's rule says (token "
            "charge, or no drug line), with no JW/JZ and no 340B modifier."
        )
        self.last_dose_edit = QLineEdit()
        self.last_dose_edit.setAccessibleName("Previous dose date")
        self.last_dose_edit.setPlaceholderText("date of the previous dose (optional): checks the interval")
        self.last_dose_error = ErrorLabel("last_dose")
        self._340b_day: dt.date | None = None  # the date the 340B box's offer was made for
        self.m340b_note = QLabel()  # when the payer's profile puts another 340B modifier (or none) on the lines
        self.m340b_note.setWordWrap(True)
        self.m340b_note.setAccessibleName("340B modifier on the lines")
        self.m340b_note.hide()
        self.code_error = ErrorLabel("code")
        for error_label, field_widget in (
            (self.code_error, self.code_box),
            (self.dose_error, self.dose_edit),
            (self.containers_error, self.containers_edit),
            (self.date_error, self.date_edit),
            (self.payer_error, self.payer_box),
        ):
            error_label.describes(field_widget)
        self.fix_button = QPushButton()  # the one-key fix a look-alike error offers
        self.fix_button.setAccessibleName("Use the suggested code")
        self.fix_button.hide()
        self.fix_button.clicked.connect(self._use_suggested_code)
        fix = QShortcut(QKeySequence("Alt+U"), self, self._use_suggested_code)  # the one-key fix, from any field
        fix.setWhatsThis("Use the code a look-alike error suggests")

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

        self.stale_banner = QLabel("⚠ STALE — the input above is not valid; these lines are from the last valid input.")
        self.stale_banner.setStyleSheet("background:#fff0cc; color:#5a3a00; font-weight:bold; padding:4px;")
        self.stale_banner.setWordWrap(True)
        self.stale_banner.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        big = QFont()
        big.setPointSizeF(big.pointSizeF() * 1.25)
        big.setBold(True)
        self.summary.setFont(big)
        self.summary.setAccessibleName("Units summary")
        self.lines_model = ClaimLinesModel(self)
        self.lines_view = QTableView()
        self.lines_view.setAccessibleName("Claim lines")
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.verticalHeader().hide()
        self.lines_view.setTabKeyNavigation(False)  # Tab leaves the table (it once went round its cells for ever)
        self.lines_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines_view.horizontalHeader().setStretchLastSection(True)
        self.lines_view.setMinimumHeight(LINES_MIN_HEIGHT)
        self.lines_view.setMaximumHeight(LINES_MAX_HEIGHT)
        self.lines_model.modelReset.connect(self._fit_lines)
        self.lines_view.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.admin_label = QLabel()
        self.admin_label.setWordWrap(True)
        self.provenance_label = QLabel()  # the profile and the defaults the lines rest on (#24): never the payer's rule
        self.provenance_label.setWordWrap(True)
        self.provenance_label.setAccessibleName("Where the payer rules of these lines come from")
        self.provenance_label.setStyleSheet("color:#5a3a00;")
        self.warnings_list = QListWidget()
        self.warnings_list.setAccessibleName("Warnings")
        self.warnings_list.setWordWrap(True)
        self.warnings_list.setMinimumHeight(120)
        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.rules_label.setAccessibleName("Rules applied")
        self.copy_button = QPushButton("Copy claim &lines")
        self.copy_button.setAccessibleName("Copy claim lines")
        self.dose_button = QPushButton("Dose chec&k…")
        self.dose_button.setToolTip("Omalizumab label dose from the verified US tables (indication, IgE, weight)")
        self.dose_button.setAccessibleName("Omalizumab dose check")
        buttons = QHBoxLayout()
        view_label = QLabel("Show &as")
        view_label.setBuddy(self.view_box)
        buttons.addWidget(view_label)
        buttons.addWidget(self.view_box)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.dose_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
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

        for box in (
            self.code_box,
            self.package_box,
            self.payer_box,
            self.setting_box,
            self.m340b_box,
            self.supplied_box,
            self.view_box,
        ):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        # the longest view name whole: at 1366 px "CMS-1500 item 24A" once read "CMS-1500 item 2"
        self.view_box.setMinimumContentsLength(max(len(label) for _value, label in LINE_VIEW_LABELS))
        self.warnings_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.warnings_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings_list.setItemDelegate(WrappingItemDelegate(self.warnings_list))
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

        self.code_box.currentIndexChanged.connect(self._code_changed)
        self.package_box.chosen.connect(self._package_chosen)
        self.dose_edit.textChanged.connect(lambda text: case_model.update(dose=text))
        self.containers_edit.textChanged.connect(self._containers_changed)
        self.date_edit.textChanged.connect(lambda text: case_model.update(date=text))
        self.payer_box.currentIndexChanged.connect(self._profile_changed)
        self.payer_box.editTextChanged.connect(self._payer_text_changed)
        self.payer_box.refused.connect(self._payer_refused_text)
        self.setting_box.currentIndexChanged.connect(lambda _i: case_model.update(setting=self.setting))
        self.view_box.currentIndexChanged.connect(lambda _i: self.lines_model.set_view(self.view_box.currentData()))
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
        self._offer_340b_in_force()
        self._fill_packages()
        case_model.update(code=self.code)

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
        return str(self.library.profile(self.profile_id).kind)

    @property
    def profile_id(self) -> str:
        """The chosen profile; while the type-ahead text matches none, the last one chosen."""
        data = self.payer_box.currentData()
        return str(data) if data else self.case_model.fields.payer_profile or "medicare-part-b"

    def _profile_changed(self, index: int) -> None:
        if index >= 0:
            self.profile_notice.clear_error()  # a profile chosen: the missing one's notice is answered
            self._payer_refused = ""
            self._show_profile_note()
            self.case_model.update(payer=self.payer, payer_profile=self.profile_id, payer_typed=self._payer_typed())

    def _show_profile_note(self) -> None:
        """A sample profile is an example to confirm, not the payer's current rule, and an organization's profile
        may stand in for a built-in one of the same id (#11): say so where it is chosen."""
        profile = self.library.profile(self.profile_id)
        self.payer_box.setToolTip(as_text.profile(profile))  # the whole profile, as `omaliref payers show` prints it
        said = [f"⚠ {profile.replacement}."] if profile.replacement else []
        if profile.sample:
            sources = [self.catalog.sources[i] for i in profile.sources if i in self.catalog.sources]
            dated = "; ".join(f"{s.id}, {s.date}" for s in sources if s.date)
            said.append(
                "⚠ Sample profile: confirm with the payer before relying on it."
                + (f" {profile.note}" if profile.note else "")
                + (f" (sources: {dated})" if dated else "")
            )
        self.payer_note.setText(" ".join(said))
        self.payer_note.setVisible(bool(said))

    def _payer_typed(self) -> str:
        return self.payer_box.currentText() if self.payer_box.pending() else ""

    def _payer_text_changed(self, _text: str) -> None:
        """Typing in the payer box makes the lines stale until a profile is chosen (they are the last profile's)."""
        typed = self._payer_typed()
        if typed:
            self._payer_refused = ""
        if typed != self.case_model.fields.payer_typed:
            self.case_model.update(payer_typed=typed)

    def _payer_refused_text(self, typed: str) -> None:
        """Enter or Tab on a name that fits no profile: say so beside the box (the lines stay stale while the text
        stays; when the focus left, the box shows the profile still chosen again)."""
        name = self.payer_box.itemText(self.payer_box.currentIndex())
        kept = (
            f": the payer is still {name}."
            if not self.payer_box.pending()
            else ": type part of a profile's name (e.g. medicare, illinois) or pick one from the list (Down)."
        )
        self._payer_refused = f"No payer profile's name contains '{typed.strip()[:40]}'{kept}"
        self.show_snapshot(self.snapshot)

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
        """The desk's payer (a profile id, else the built-in profile of the payer kind) and 340B modifier. A saved
        profile that is not there (its organization file missing or broken) gives way to the built-in profile of
        the saved payer kind, never to the first of the list (red team 2026-12 #5: a commercial desk computed with
        Medicare Part B); the notice, also returned, stays next to the picker until a profile is chosen."""
        built_in = PROFILE_FOR_KIND.get(payer, "medicare-part-b")
        index = self.payer_box.findData(profile_id or built_in)
        notice = ""
        if index < 0:
            index = self.payer_box.findData(built_in)
            used = self.payer_box.itemText(index) if index >= 0 else self.payer_box.itemText(0)
            notice = (
                f"The saved payer profile '{profile_id[:40]}' is not available (its organization file is missing or "
                f"could not be read): {used} is used, the built-in profile for {payer} claims."
            )
        self.payer_box.setCurrentIndex(max(0, index))
        if notice:
            self.profile_notice.show_error(notice)
        self._offer_340b_in_force(modifier_340b)
        self._show_profile_note()  # also when the index did not change
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
        modifiers = self.library.dated_catalog(M340B_LABELS[1][0]).modifiers  # the modifiers' dates, CMS's newest
        offered: list[tuple[str, str]] = [M340B_LABELS[0]]
        for code, label in M340B_LABELS[1:]:
            modifier = modifiers[code]
            assert isinstance(modifier, Modifier)
            if modifier.in_force_on(day):
                offered.append((code, label))
            elif code == keep:
                ended = modifier.effective_to or modifier.effective_from
                when = f"ended {ended}" if modifier.effective_to else f"from {ended}"
                offered.append((code, f"{code} — not valid on {day} ({when})"))
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
        """The NDCs the Containers field names (none while it does not parse: the field says why)."""
        try:
            return [ndc for ndc, _count in parse_containers(split_container_text(self.containers_edit.text()))]
        except InputError:
            return []

    def _containers_changed(self, text: str) -> None:
        self.case_model.update(containers=text)
        self._show_single_dose()

    def _show_single_dose(self) -> None:
        """The single-dose box speaks for the NDCs named, and is ticked only when each of them was confirmed."""
        named = self._named_ndcs()
        confirmed = {_digits(n) for n in self.case_model.fields.single_dose_ndcs}
        box = self.single_dose_confirmed
        box.blockSignals(True)
        box.setEnabled(bool(named))
        if len(named) > 2:
            box.setText(f"Labels of the {len(named)} NDCs named say single-&dose")
        else:
            box.setText(f"Label of {' and '.join(named)} says single-&dose" if named else SINGLE_DOSE_NO_NDC)
        box.setChecked(bool(named) and all(_digits(n) in confirmed for n in named))
        box.blockSignals(False)

    def _single_dose_toggled(self, on: bool) -> None:
        """Confirm (or withdraw) single-dose for the NDCs named now; other NDCs keep their own confirmation."""
        named = {_digits(n): n for n in self._named_ndcs()}
        kept = tuple(n for n in self.case_model.fields.single_dose_ndcs if _digits(n) not in named)
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
        text = self.containers_edit.text().strip()
        try:
            named = list(parse_containers(split_container_text(text)))
        except InputError:  # the field says what is wrong with it: add at the end and leave the rest as typed
            self.containers_edit.setText(f"{text}, {ndc}x1" if text else f"{ndc}x1")
            return
        same = next((i for i, (typed, _count) in enumerate(named) if _digits(typed) == _digits(ndc)), None)
        if same is None:
            named.append((ndc, 1))
        else:
            named[same] = (named[same][0], named[same][1] + 1)
        self.containers_edit.setText(", ".join(f"{typed}x{count}" for typed, count in named))

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
        """Domain error fields -> the label next to the widget the coder must fix."""
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
        if self._payer_refused and (error is None or error.field == "payer"):
            self.payer_error.show_error(self._payer_refused)
        if error is not None:
            if snapshot.outcome is None:  # nothing valid for this case and code: nothing of an earlier one shows
                self._show_empty()
                self.summary.clear()  # the error beside the field says what to do
            field = error.field if error.field in self._errors() else "dose"
            if not (field == "payer" and self._payer_refused):
                self._errors()[field].show_error(str(error))
            self.lines_model.set_stale(True)
            self.stale_banner.setVisible(snapshot.stale)
            self._grey_out(snapshot.stale)
            return
        self._grey_out(False)
        outcome = snapshot.outcome
        if outcome is None or outcome.calculation is None:
            self._show_empty()
            return
        self._show_result(outcome)

    def _grey_out(self, stale: bool) -> None:
        """Stale everywhere: the warnings and rules of the last valid input grey out with its lines."""
        grey = "color:#6b6b6b;" if stale else ""
        self.warnings_list.setStyleSheet(f"QListWidget {{ {grey} }}" if stale else "")
        self.rules_label.setStyleSheet(grey)
        self.summary.setStyleSheet(grey)
        mark = "STALE — "
        for i in range(self.warnings_list.count()):
            item = self.warnings_list.item(i)
            if stale and not item.text().startswith(mark):
                item.setText(mark + item.text())
        if stale and not self.rules_label.text().startswith(mark):
            self.rules_label.setText(mark + self.rules_label.text())
        if stale and not self.summary.text().startswith(mark):
            self.summary.setText(mark + self.summary.text())

    def _show_empty(self) -> None:
        self.stale_banner.hide()
        self.m340b_note.hide()
        self.lines_model.set_lines([])
        self.summary.setText("Type the dose given, e.g. 375mg.")
        self.warnings_list.clear()
        self.rules_label.clear()
        self.admin_label.clear()
        self.provenance_label.clear()

    def _fit_lines(self) -> None:
        """Every claim line stays in view: the table is at least as tall as its lines (up to LINES_MAX_HEIGHT), so
        on a short screen the pane scrolls instead of squeezing the table to one line and a half (seen on X11 at
        1366x768)."""
        view = self.lines_view
        rows = sum(max(view.rowHeight(row), view.sizeHintForRow(row)) for row in range(self.lines_model.rowCount()))
        height = view.horizontalHeader().sizeHint().height() + rows + 2 * view.frameWidth() + 2
        view.setMinimumHeight(max(LINES_MIN_HEIGHT, min(height, LINES_MAX_HEIGHT)))

    def _show_result(self, outcome: Outcome) -> None:
        r = outcome.calculation
        assert r is not None
        self.stale_banner.hide()
        self.lines_model.set_lines(r.lines, r.case.setting, *cms1500_layout(r.case.payer_profile))
        on_lines = sorted({m for line in r.lines for m in line.modifiers} & set(MODIFIERS_340B))
        chosen = r.case.modifier_340b
        self.m340b_note.setVisible(bool(chosen) and on_lines != [chosen])  # the box and the lines never disagree unsaid
        self.m340b_note.setText(
            f"The lines carry {' '.join(on_lines) or 'no 340B modifier'}, not {chosen}: see the warnings."
        )
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
        self.rules_label.setText(
            "<b>Rules applied:</b> " + ", ".join(f"{self.catalog.rule(rid).title} <i>({rid})</i>" for rid in r.rules)
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
            if self.snapshot.error is None and not self.snapshot.fields.dose.strip():
                self.copy_message.emit("Nothing copied: no dose yet — type the dose given (Ctrl+D).")
                return
            self.copy_message.emit(
                "Nothing copied: the input is not valid, so there are no current claim lines"
                + (" (the lines shown are stale)." if self.snapshot.stale else ".")
            )
            return
        clipboard.setText(text)
        self._copied = text
        r = self.snapshot.outcome.calculation if self.snapshot.outcome else None
        count = len(r.lines) if r else 0
        self.copy_message.emit(
            f"Copied {count} line{'s' * (count != 1)} · {r.code.code if r else ''} · DOS "
            f"{r.date_of_service if r else ''} · {self.view_box.currentText()}"
            + (f" · {as_text.provenance_line(r)}" if r else "")
        )
