"""The main window's imported CMS data: background operations (index, site import), the import dialog, and the
status line's quarters and pack age. Every change to the data reaches the window through apply_changes."""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from omaliref.data.library import Changes
from omaliref.domain.freshness import freshness
from omaliref.ui import lazy

if TYPE_CHECKING:
    import datetime as dt

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QLabel, QLineEdit, QStatusBar

    from omaliref.data.library import Library, Operation
    from omaliref.data.state import Preferences
    from omaliref.domain.model import Catalog
    from omaliref.ui.case_model import CaseModel
    from omaliref.ui.check_lines import CheckLinesDialog
    from omaliref.ui.cms_import_dialog import ImportProgressDialog

log = logging.getLogger("omaliref")


class DataMixin:
    """One thread mechanism for background work (Library.run) and one slot that applies what it changed."""

    if TYPE_CHECKING:  # what the window provides
        library: Library
        catalog: Catalog
        case_model: CaseModel
        prefs: Preferences
        today: dt.date
        closed: bool
        search_edit: QLineEdit
        data_label: QLabel
        quarters_label: QLabel
        stale_pack_banner: QLabel
        import_progress: ImportProgressDialog
        operation_done: SignalInstance
        index_ready: SignalInstance
        site_imported: SignalInstance

        def statusBar(self) -> QStatusBar: ...
        def run_search(self, text: str) -> None: ...

    _generation = 0  # bumped whenever the imported data changes: a background index from before it is stale
    _site_cancel: threading.Event

    def start_operation(self, operation: Operation) -> None:
        """Run a Library operation in a thread with its own connection; its Changes come back to apply_changes on
        the GUI thread. With a full HCPCS import the index takes about a third of a second; a slow or unreachable
        site share never holds the window up."""
        generation, library, cancel = self._generation, self.library, self._site_cancel
        done = self.operation_done

        def work() -> None:
            try:
                changes = library.run(operation, cancel.is_set)
            except Exception:
                log.exception("the background %s could not be done", operation)
                return
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                done.emit(generation, changes)

        name = "omaliref-index" if operation == "index" else "omaliref-site"
        threading.Thread(target=work, name=name, daemon=True).start()

    def apply_changes(self, generation: int, changes: Changes) -> None:
        """The one place where what changed in the data reaches the window. An index built before the last import
        is dropped (red team 2026-12 #17: the start-up index, read before an import, replaced the import's)."""
        if self.closed:  # built for a window closed meanwhile: its library has no store to show entries from
            return
        if changes.index is not None:
            if generation == self._generation:
                self.library.set_index(changes.index)
                self.index_ready.emit(changes.index)
                self._search_again()
            else:
                log.info("a background index older than the last import was dropped")
        if changes.quarters_changed:
            self._generation += 1
            self.library.reopen()
            self._show_freshness()
            self._show_quarters()
            self._search_again()
            self.case_model.recompute()
            if self.library.has_imports:
                self.start_operation("index")  # the pack plus the imported codes, off the GUI thread
        for notice in changes.notices:
            log.info("%s", notice)
            self.statusBar().showMessage(notice, 20000)
        if changes.operation == "site-import":
            self.site_imported.emit(changes)

    def _search_again(self) -> None:
        if self.search_edit.text():
            self.run_search(self.search_edit.text())

    def _data_reloaded(self, notice: str) -> None:
        """Another program imported CMS files while the window was open; the library has reloaded them."""
        self._generation += 1  # an index being built in the background is from before
        self._show_quarters()
        self._show_freshness()
        self.statusBar().showMessage(notice, 15000)

    def _show_quarters(self) -> None:
        quarters = self.library.quarters()
        self.quarters_label.setText(f"CMS quarters: {', '.join(quarters)}" if quarters else "No CMS quarter imported")

    def _show_freshness(self) -> None:
        """The pack's age in the status bar; a banner once a newer CMS quarter has begun and is not imported."""
        info = self.catalog.info
        fresh = freshness(info.as_of, self.today, self.library.quarters())
        self.data_label.setText(f"Data as of {info.as_of} ({fresh.age_text}) · pack {info.version}")
        self.stale_pack_banner.setText(f"⚠ {fresh.banner}")
        self.stale_pack_banner.setVisible(fresh.stale)

    # -- the import dialog (File → Import CMS files) ---------------------------------------------------------

    @staticmethod
    def ask_import_paths(parent: QWidget) -> list[str]:
        return lazy.cms_import_dialog.ask_import_paths(parent)

    def import_dialog(self) -> ImportProgressDialog | None:
        assert isinstance(self, QWidget)
        paths = self.ask_import_paths(self)
        if not paths:
            return None
        dialog = lazy.cms_import_dialog.ImportProgressDialog(paths, self.library, self)
        dialog.import_ended.connect(self._import_done)
        self.import_progress = dialog
        dialog.show()
        dialog.start()
        return dialog

    def _import_done(self, outcome: str) -> None:
        self.apply_changes(self._generation, Changes("cms-import", notices=(outcome,), quarters_changed=True))

    def changes_dialog(self) -> None:
        assert isinstance(self, QWidget)
        lazy.cms_import_dialog.ChangesDialog.show_for(self.library, self)

    def check_lines_dialog(self) -> CheckLinesDialog:
        assert isinstance(self, QWidget)
        profile = self.prefs.payer_profile or self.library.profile_for(self.prefs.payer).id
        return lazy.check_lines.CheckLinesDialog.show_for(self.library, profile, self.prefs.setting, self.today, self)

    def _running_import(self) -> ImportProgressDialog | None:
        progress: ImportProgressDialog | None = getattr(self, "import_progress", None)
        return progress if progress is not None and progress.running() else None

    def stop_import(self) -> None:
        """Cancel a running import and wait for its thread (the application is quitting: no event loop to wait in)."""
        self._site_cancel.set()
        progress = self._running_import()
        if progress is not None:
            progress.stop()
