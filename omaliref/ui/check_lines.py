"""The "Check lines" view: paste drug lines from the billing system, see each line's findings. Nothing is stored.

The lines are read and judged by the same reader and audit as `omaliref audit` (Library.read_keyed_lines,
domain.audit); this view only gathers the paste and shows the report text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace

from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omaliref.data.library import Library
from omaliref.domain.audit import LineAudit
from omaliref.domain.claim_forms import KEYED_FIELDS
from omaliref.domain.errors import InputError
from omaliref.domain.vocab import Setting
from omaliref.report import as_json, as_text
from omaliref.ui.labels import SETTING_LABELS

PASTED = "the pasted lines"


class CheckLinesDialog(QDialog):
    """Pasted lines in, findings per line out; a line without a date gets the date field's."""

    def __init__(
        self, library: Library, profile_id: str, setting: str, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check keyed lines")
        self.library = library
        self.results: list[LineAudit] = []
        self.profile_box = QComboBox()
        self.profile_box.setAccessibleName("Payer profile")
        for profile in library.profiles.by_id.values():
            self.profile_box.addItem(profile.name, profile.id)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(profile_id)))
        self.setting_box = QComboBox()
        self.setting_box.setAccessibleName("Setting")
        for value, label in SETTING_LABELS:
            self.setting_box.addItem(label, value)
        self.setting_box.setCurrentIndex(max(0, self.setting_box.findData(setting)))
        self.acquired_340b_box = QCheckBox("Every line is a 340B-acquired drug (check its 340B modifier)")
        self.acquired_340b_box.setAccessibleName("340B-acquired drugs")
        self.date_edit = QLineEdit(today.isoformat())
        self.date_edit.setAccessibleName("Date of service")
        self.paste_box = QPlainTextEdit()
        self.paste_box.setAccessibleName("Lines to check")
        self.paste_box.setPlaceholderText(
            "Paste lines from the billing system: a header row (HCPCS, Modifier, Units, NDC, NDC Unit, NDC Qty, "
            "DOS …) and one line per row, or rows as omaliref copies them (" + ", ".join(KEYED_FIELDS) + ")."
        )
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.paste_box.setFont(mono)
        self.error_label = QLabel()
        self.error_label.setAccessibleName("Why the lines cannot be read")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color:#8b0000;")
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Findings")
        self.report.setFont(mono)
        self.check_button = QPushButton("&Check lines")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.check)
        form = QFormLayout()
        form.addRow("&Payer profile", self.profile_box)
        form.addRow("&Setting", self.setting_box)
        form.addRow("&Date of service (lines without one)", self.date_edit)
        form.addRow("", self.acquired_340b_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.paste_box, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.report, 2)
        layout.addWidget(buttons)
        self.resize(900, 640)

    @classmethod
    def show_for(
        cls, library: Library, profile_id: str, setting: str, today: dt.date, parent: QWidget
    ) -> CheckLinesDialog:
        dialog = cls(library, profile_id, setting, today, parent)
        dialog.show()
        dialog.paste_box.setFocus()  # opened to paste: Ctrl+V lands in the lines, the choices above keep their values
        return dialog

    def check(self) -> None:
        """Read the paste, audit it, show the findings (worst first); a paste that cannot be read says why."""
        text = self.paste_box.toPlainText()
        first = text.lstrip().split("\n", 1)[0]
        if re.fullmatch(r"[A-Za-z]\d{4}", re.split(r"[\t,;]", first, maxsplit=1)[0].strip()):
            # rows without a header: omaliref's own order, with the rows' own separator (a comma line stays one)
            separator = next((s for s in "\t,;" if s in first), "\t")
            text = separator.join(KEYED_FIELDS) + "\n" + text.lstrip()
        profile = self.library.profile(str(self.profile_box.currentData()))
        setting: Setting = self.setting_box.currentData()
        day = self.date_edit.text().strip()
        try:
            given = self.library.read_keyed_lines(io.StringIO(text), PASTED)
            lines = (replace(line, date=line.date or day) for line in given.lines)
            acquired = self.acquired_340b_box.isChecked()
            self.results = list(self.library.audit(lines, profile, setting, acquired))
        except InputError as exc:
            self.error_label.setText(str(exc))
            self.report.clear()
            self.results = []
            return
        self.error_label.clear()
        data = as_json.audit(
            given.kind, given.skipped_columns, given.unused_columns, self.results, profile.id, acquired
        )
        self.report.setPlainText(as_text.audit(data, PASTED))
