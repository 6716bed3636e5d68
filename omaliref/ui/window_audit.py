"""The audit sheet from the main window: exported as a PDF or printed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QWidget

import omaliref
from omaliref.ui import lazy
from omaliref.ui.file_dialogs import save_file_name  # loaded at start-up already (keep_qt_settings_in)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from omaliref.domain.model import Catalog
    from omaliref.ui.case_model import CaseModel
    from omaliref.ui.checklist_pane import ChecklistPane


class AuditSheetMixin:
    """File → Export audit sheet (PDF) and File → Print audit sheet."""

    if TYPE_CHECKING:  # what the window provides
        catalog: Catalog
        case_model: CaseModel
        checklist: ChecklistPane
        today: dt.date

        def statusBar(self) -> QStatusBar: ...

    def audit_sheet_html(self) -> str:
        snapshot = self.case_model.snapshot
        outcome = snapshot.current or snapshot.checklist
        return lazy.as_html.audit_sheet(
            self.catalog,
            outcome,
            self.checklist.model.ticked,
            made_at=dt.datetime.now(),
            app_version=omaliref.__version__,
        )

    def export_pdf(self, path: str) -> None:
        lazy.audit.write_pdf(self.audit_sheet_html(), path)
        self.statusBar().showMessage(f"Audit sheet written to {path}", 8000)

    @staticmethod
    def ask_pdf_path(parent: QWidget, suggested: str = "omaliref-audit.pdf") -> str:
        return save_file_name(parent, "Export audit sheet", suggested, "PDF (*.pdf)")

    def audit_file_name(self) -> str:
        """omaliref-audit-J2357-DOS2026-11-27-143205.pdf: code, date of service and time, so no export silently
        overwrites the last."""
        fields = self.case_model.fields
        current = self.case_model.snapshot.checklist
        day = current.case.date_of_service if current else self.today
        return f"omaliref-audit-{fields.code}-DOS{day}-{dt.datetime.now():%H%M%S}.pdf"

    def export_pdf_dialog(self) -> None:
        assert isinstance(self, QWidget)
        path = self.ask_pdf_path(self, self.audit_file_name())
        if path:
            self.export_pdf(path)

    def print_dialog(self) -> None:
        assert isinstance(self, QWidget)
        printer = lazy.printing.QPrinter()  # QtPrintSupport loads only when printing is asked for
        if lazy.printing.QPrintDialog(printer, self).exec():
            document = QTextDocument()
            document.setHtml(self.audit_sheet_html())
            document.print_(printer)
