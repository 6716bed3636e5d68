"""Import CMS files from the app: a progress dialog that moves with the rows, and cancel; the work runs off the GUI
thread and reports back through signals. A 'What changed' dialog compares two imported quarters."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from omaliref.data.library import Library
from omaliref.domain.cms import FileFormatError, QuarterUnknown
from omaliref.domain.errors import ImportCancelled, InputError
from omaliref.domain.quarter import Quarter
from omaliref.domain.records import ImportReport
from omaliref.report import as_text


class ImportWorker(QObject):
    """Runs one import in its own thread with its own database connection (SQLite connections stay per thread)."""

    progress = Signal(int, int, str)
    finished = Signal(object)  # list[ImportReport]
    failed = Signal(str)
    cancelled = Signal()
    quarter_unknown = Signal(str)  # the file that does not say its quarter

    def __init__(self, paths: Sequence[str], library: Library, quarter: Quarter | None = None) -> None:
        super().__init__()
        self.paths, self.library, self.quarter = list(paths), library, quarter
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        library = self.library.for_thread()
        try:
            reports = library.import_files(
                self.paths,
                progress=lambda d, t, n: self.progress.emit(d, t, n),
                should_cancel=self._cancel.is_set,
                quarter=self.quarter,
            )
        except ImportCancelled:
            self.cancelled.emit()
        except QuarterUnknown as exc:
            self.quarter_unknown.emit(exc.file)
        except (FileFormatError, InputError, OSError) as exc:
            self.failed.emit(f"Nothing was imported: {exc}")
        except Exception as exc:  # the dialog must end, whatever went wrong in the worker
            self.failed.emit(f"Nothing was imported: unexpected {exc.__class__.__name__}: {str(exc)[:200]}")
        else:
            self.finished.emit(reports)
        finally:
            library.close()


class ImportProgressDialog(QProgressDialog):
    """Shows progress as the rows are read and stored; Cancel stops the import and rolls all of it back."""

    import_ended = Signal(str)  # a one-line outcome for the status bar

    def __init__(self, paths: Sequence[str], library: Library, parent: QWidget | None = None) -> None:
        super().__init__("Reading the CMS files…", "Cancel", 0, 100, parent)
        self.setWindowTitle("Import CMS files")
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.reports: list[ImportReport] = []
        self.outcome = ""
        self.paths, self.library = list(paths), library
        self._connect(ImportWorker(paths, library))

    def _connect(self, worker: ImportWorker) -> None:
        self.thread_ = QThread(self)
        self.worker = worker
        self.worker.moveToThread(self.thread_)
        self.thread_.started.connect(self.worker.run)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        self.worker.quarter_unknown.connect(self._ask_quarter)
        self.canceled.connect(self.worker.cancel)
        for signal in (self.worker.finished, self.worker.failed, self.worker.cancelled, self.worker.quarter_unknown):
            # Direct: quit() is thread-safe, and a queued quit could wait behind a GUI thread blocked in wait().
            signal.connect(self.thread_.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self.thread_.start()

    def _progress(self, done: int, total: int, name: str) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(done)
        self.setLabelText(name)

    def _end(self, outcome: str) -> None:
        self.outcome = outcome
        # One line per file, wrapped: one long line once pushed Close off a 1366 px screen.
        self.setLabelText(outcome.replace("; ", "\n"))
        if self.reports or not outcome.startswith("Nothing was imported"):
            self.setValue(self.maximum())
        else:  # a bar at 100 % read as done, over a message that says nothing was imported
            self.setValue(self.minimum())
        self.setCancelButtonText("Close")
        self._fit_screen()
        self.import_ended.emit(outcome)

    def _fit_screen(self) -> None:
        """Wrap the message to fit the screen the dialog is on, and keep the dialog inside it."""
        label = self.findChild(QLabel)
        screen = self.screen().availableGeometry() if self.screen() else None
        if label is None or screen is None:
            return
        label.setWordWrap(True)
        label.setMaximumWidth(min(720, screen.width() - 80))
        self.adjustSize()
        frame = self.frameGeometry()
        frame.moveCenter(screen.center())
        self.move(frame.topLeft())

    def _finished(self, reports: list[ImportReport]) -> None:
        self.reports = reports
        outcome = "; ".join(
            f"{r.quarter} {r.kind}{' ' + r.setting if r.setting else ''}: {r.status} ({r.rows} rows)" for r in reports
        )
        skipped = [row for r in reports for row in r.skipped_rows]
        if skipped:
            outcome += f"; {len(skipped)} row(s) left out: " + "; ".join(
                f"{row.file} line {row.line}: {row.reason}" for row in skipped[:5]
            )
            if len(skipped) > 5:
                outcome += f"; and {len(skipped) - 5} more (omaliref import lists them all)"
        self._end(outcome)

    @staticmethod
    def ask_quarter_text(parent: QWidget, file: str) -> str:
        """The quarter a file is for, asked of the coder (tests replace this)."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            parent,
            "Which quarter?",
            f"Nothing in {file} says which quarter it is for.\nQuarter (e.g. 2027Q1):",
        )
        return text.strip() if ok else ""

    def _ask_quarter(self, file: str) -> None:
        """A file without a quarter: ask for one and import again, or end with nothing imported."""
        self.thread_.wait(5000)
        answer = self.ask_quarter_text(self, file)
        if not answer:
            self._end(f"Nothing was imported: {file} does not say which quarter it is for.")
            return
        try:
            quarter = Quarter.parse(answer)
        except ValueError as exc:
            self._end(f"Nothing was imported: {exc}")
            return
        self._connect(ImportWorker(self.paths, self.library, quarter))
        self.start()

    def _failed(self, message: str) -> None:
        self._end(message)

    def _cancelled(self) -> None:
        self._end("Import cancelled: nothing from the cancelled file was kept.")

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.thread_.wait(timeout_ms)

    def running(self) -> bool:
        return self.thread_.isRunning()

    def cancel_import(self) -> None:
        """Ask the worker to stop (it rolls the current file back); its thread ends soon after."""
        self.worker.cancel()

    def stop(self) -> None:
        """Cancel and wait until the thread has ended: a QThread destroyed while it runs aborts the process."""
        self.worker.cancel()
        self.thread_.wait()


def ask_import_paths(parent: QWidget) -> list[str]:
    from omaliref.ui.file_dialogs import open_file_names

    return open_file_names(parent, "Import CMS quarterly files", "CMS files (*.zip *.txt *.csv *.xlsx);;All files (*)")


class ChangesDialog(QDialog):
    """What changed between two imported quarters, optionally for a few codes."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What changed between quarters")
        self.library = library
        quarters = library.quarters()
        self.from_box, self.to_box = QComboBox(), QComboBox()
        for box, name in ((self.from_box, "From quarter"), (self.to_box, "To quarter")):
            box.setAccessibleName(name)
            box.addItems(quarters)
        if len(quarters) > 1:
            self.to_box.setCurrentIndex(len(quarters) - 1)
        self.codes_edit = QLineEdit()
        self.codes_edit.setAccessibleName("Codes")
        self.codes_edit.setPlaceholderText("all codes, or e.g. J2357, J0001")
        for signal in (self.from_box.currentIndexChanged, self.to_box.currentIndexChanged, self.codes_edit.textChanged):
            signal.connect(self.refresh)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Changes")
        form = QFormLayout()
        form.addRow("&From", self.from_box)
        form.addRow("&To", self.to_box)
        form.addRow("&Codes", self.codes_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)
        if not quarters:
            self.report.setPlainText("No CMS quarter imported yet: File → Import CMS files…")
        self.refresh()

    def refresh(self) -> None:
        old, new = self.from_box.currentText(), self.to_box.currentText()
        if not old or not new:
            return
        codes = {c.strip().upper() for c in self.codes_edit.text().split(",") if c.strip()} or None
        diff = self.library.changes(old, new, codes)
        lines = [f"{old} → {new}"]
        for key, rows in diff.items():
            lines.append(f"\n{as_text.CHANGE_TITLES.get(key, key)} ({len(rows)})")
            lines += [f"  {as_text.change_row(key, row)}" for row in rows]
        self.report.setPlainText("\n".join(lines))

    @classmethod
    def show_for(cls, library: Library, parent: QWidget | None = None) -> Any:
        return cls(library, parent).exec()
