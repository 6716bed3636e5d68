"""Dialogs. Each exposes an ask() classmethod so tests can drive or replace it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import omaliref
from omaliref.data.state import Preferences
from omaliref.domain.dosing import DoseAnswer, label_dose
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog
from omaliref.domain.payer import PROFILE_FOR_KIND, PayerProfile
from omaliref.domain.quantities import parse_number
from omaliref.ui.labels import INDICATION_LABELS, LOCKED_NOTE, PAYER_LABELS, SETTING_LABELS
from omaliref.ui.widgets import ErrorLabel


@dataclass(frozen=True)
class DoseCheck:
    """What the coder entered, for the case: the outcome computes the dose check from it."""

    indication: str
    ige: str
    weight: str
    age: str


class DoseCheckDialog(QDialog):
    """Indication + baseline IgE + weight (+ age) -> the label dose from the verified US tables."""

    def __init__(self, catalog: Catalog, indication: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.answer: DoseAnswer | None = None
        self.setWindowTitle("Omalizumab dose check")
        self.indication_box = QComboBox()
        self.indication_box.setAccessibleName("Indication")
        for value, label in INDICATION_LABELS[1:]:  # the dose check needs an indication: no "not set"
            self.indication_box.addItem(label, value)
        self.indication_box.setCurrentIndex(max(0, self.indication_box.findData(indication)))
        self.ige_edit, self.weight_edit, self.age_edit = QLineEdit(), QLineEdit(), QLineEdit()
        for edit, name, hint in (
            (self.ige_edit, "Baseline IgE", "IU/mL, before treatment"),
            (self.weight_edit, "Weight", "kg"),
            (self.age_edit, "Age", "years"),
        ):
            edit.setAccessibleName(name)
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(self._update)
        self.indication_box.currentIndexChanged.connect(self._update)
        self.error = ErrorLabel("dose check")
        self.dose_label = QLabel()
        self.dose_label.setWordWrap(True)
        self.dose_label.setAccessibleName("Label dose")
        form = QFormLayout()
        form.addRow("&Indication", self.indication_box)
        form.addRow("Baseline &IgE", self.ige_edit)
        form.addRow("&Weight (kg)", self.weight_edit)
        form.addRow("&Age (years)", self.age_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.dose_label)
        layout.addWidget(
            QLabel(
                "<small>US label tables only. The pediatric (6 to under 12) asthma and the food-allergy "
                "tables are not in the data pack.</small>"
            )
        )
        layout.addWidget(buttons)
        self._update()

    def _number(self, edit: QLineEdit, what: str) -> Any:
        return parse_number(edit.text(), what=what) if edit.text().strip() else None

    def _update(self) -> None:
        self.error.clear_error()
        self.answer = None
        try:
            self.answer = label_dose(
                self.catalog,
                str(self.indication_box.currentData()),
                ige=self._number(self.ige_edit, "IgE"),
                weight_kg=self._number(self.weight_edit, "weight"),
                age_years=self._number(self.age_edit, "age"),
            )
        except InputError as exc:
            typed = any(e.text().strip() for e in (self.ige_edit, self.weight_edit, self.age_edit))
            if typed:  # nothing typed yet is a question not yet asked, not an error (desk test: a red ✖ on opening)
                self.error.show_error(str(exc))
        text = ""
        if self.answer is not None:
            headline = self.answer.label.upper() if self.answer.status == "dose" else self.answer.status.upper()
            text = f"<b style='font-size:14pt'>{escape(headline)}</b><br>{escape(self.answer.message)}"
        self.dose_label.setText(text)
        self.ok_button.setEnabled(self.answer is not None)

    @classmethod
    def ask(cls, catalog: Catalog, indication: str, parent: QWidget | None = None) -> DoseCheck | None:
        dialog = cls(catalog, indication, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.answer is not None:
            return DoseCheck(
                str(dialog.indication_box.currentData()),
                dialog.ige_edit.text(),
                dialog.weight_edit.text(),
                dialog.age_edit.text(),
            )
        return None


class PreferencesDialog(QDialog):
    """Defaults for new cases (payer profile, setting, the organization's 340B modifier), and where each payer
    profile comes from."""

    def __init__(
        self,
        prefs: Preferences,
        profiles: Sequence[PayerProfile] = (),
        parent: QWidget | None = None,
        locked: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.prefs = prefs
        self.profiles = {p.id: p for p in profiles}
        self.payer_box, self.setting_box, self.m340b_box = QComboBox(), QComboBox(), QComboBox()
        self._fill_boxes(prefs, profiles)
        form = self._form(locked or {})
        note = QLabel(
            "<small>TB goes on 340B-acquired, separately payable Part B drug lines. JG ended on 2024-12-31 "
            "(CMS HCPCS file): a JG line for a later date of service is refused. Other payers' 340B modifiers "
            "(U8, UD, …) come from their payer profile.</small>"
        )
        note.setWordWrap(True)
        self.origins = QPlainTextEdit()
        self.origins.setReadOnly(True)
        self.origins.setAccessibleName("Payer profiles and where each comes from")
        self.origins.setPlainText(
            "\n".join(
                f"{p.name} — {'built in' if p.origin == 'built-in' else p.origin}" + (" (sample)" if p.sample else "")
                for p in profiles
            )
        )
        self.origins.setMaximumHeight(150)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(QLabel("<b>Payer profiles</b> (an organization's payers.toml adds or replaces them)"))
        layout.addWidget(self.origins)
        layout.addWidget(buttons)

    def _fill_boxes(self, prefs: Preferences, profiles: Sequence[PayerProfile]) -> None:
        """The three boxes' choices, each on the user's current preference."""
        profile_options = tuple((p.id, p.name) for p in profiles) or tuple(
            (PROFILE_FOR_KIND[kind], label) for kind, label in PAYER_LABELS
        )
        current_profile = prefs.payer_profile or PROFILE_FOR_KIND.get(prefs.payer, "medicare-part-b")
        for box, name, options, current in (
            (self.payer_box, "Default payer profile", profile_options, current_profile),
            (self.setting_box, "Default setting", SETTING_LABELS, prefs.setting),
            (
                self.m340b_box,
                "Organization 340B modifier (Medicare)",
                (
                    ("", "None (not a 340B entity)"),
                    ("TB", "TB"),
                    ("JG", "JG (dates of service through 2024-12-31 only)"),
                ),
                prefs.modifier_340b,
            ),
        ):
            box.setAccessibleName(name)
            for value, label in options:
                box.addItem(label, value)
            box.setCurrentIndex(max(0, box.findData(current)))

    def _form(self, locked: Mapping[str, str]) -> QFormLayout:
        """The boxes with their labels; a key the site settings file locks (key -> the organization's value) shows
        that value, greyed, and says who set it."""
        form = QFormLayout()
        self.locked_boxes: dict[str, QComboBox] = {}
        for key, box, label in (
            ("payer_profile", self.payer_box, "Default &payer"),
            ("setting", self.setting_box, "Default &setting"),
            ("modifier_340b", self.m340b_box, "Organization &340B modifier"),
        ):
            if key in locked:
                box.setCurrentIndex(max(0, box.findData(locked[key])))
                box.setEnabled(False)
                box.setToolTip(f"{LOCKED_NOTE.capitalize()}: ask IT to change it.")
                box.setAccessibleDescription(LOCKED_NOTE)
                self.locked_boxes[key] = box
                label = f"{label} ({LOCKED_NOTE})"
            form.addRow(label, box)
        return form

    def chosen(self) -> Preferences:
        profile_id = str(self.payer_box.currentData())
        profile = self.profiles.get(profile_id)
        return self.prefs.with_changes(
            payer=profile.kind if profile else self.prefs.payer,
            payer_profile=profile_id,
            setting=self.setting_box.currentData(),
            modifier_340b=self.m340b_box.currentData(),
        )

    @classmethod
    def ask(
        cls,
        prefs: Preferences,
        profiles: Sequence[PayerProfile] = (),
        parent: QWidget | None = None,
        locked: Mapping[str, str] | None = None,
    ) -> Preferences | None:
        dialog = cls(prefs, profiles, parent, locked)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AboutDialog(QDialog):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About omaliref")
        info = catalog.info
        sources = "".join(
            f"<li><b>{escape(s.id)}</b> {escape(s.title)} <i>({escape(s.date)}; {s.kind})</i></li>"
            for s in catalog.sources.values()
        )
        view = QTextBrowser()
        view.setOpenExternalLinks(False)
        view.setHtml(
            f"<h2>omaliref {escape(omaliref.__version__)}</h2><p>{escape(info.title)}</p>"
            f"<p><b>Data pack {escape(info.version)}, facts checked as of {info.as_of}.</b> Every fact cites "
            "its sources and a confidence; low-confidence facts must be checked with the payer.</p>"
            f"<h3>Sources ({len(catalog.sources)})</h3><ul>{sources}</ul>"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(720, 560)


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: the window's keys, as the window reports them."""

    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = "".join(f"<tr><td><b>{escape(keys)}</b></td><td>{escape(what)}</td></tr>" for keys, what in rows)
        self.view = QTextBrowser()
        self.view.setAccessibleName("Keyboard shortcuts")
        self.view.setHtml(f"<table cellpadding='3'>{table}</table>")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(560, 560)


def show_error(parent: QWidget | None, summary: str, log_path: str) -> None:
    """The one dialog for unexpected errors (the excepthook's)."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "omaliref — unexpected error",
        f"Something went wrong: {summary}\n\nThe details are in the log:\n{log_path}\n\n"
        "Check the last result before you bill it.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.exec()
