"""The main window: one search box over three panes — reference, calculator, checklist.

Built in one step from an open Library (startup.py opens it before Qt loads); the menus, the audit sheet and the
imported CMS data are mixins in window_menus.py, window_audit.py and window_data.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from omaliref.domain.errors import InputError
from omaliref.ui.calculator_pane import CalculatorPane
from omaliref.ui.case_model import CaseModel
from omaliref.ui.checklist_pane import ChecklistPane
from omaliref.ui.file_dialogs import keep_qt_settings_in
from omaliref.ui.models import HIT_ROLE, ResultsModel
from omaliref.ui.reference_view import ReferenceView
from omaliref.ui.widgets import StatusLine, WindowKeysFirst
from omaliref.ui.window_audit import AuditSheetMixin
from omaliref.ui.window_data import DataMixin
from omaliref.ui.window_menus import SEARCH_KEYS, MenusMixin

if TYPE_CHECKING:
    from omaliref.data.library import Library
    from omaliref.data.state import Preferences, StateStore
    from omaliref.domain.model import Correction

__all__ = ["SEARCH_KEYS", "MainWindow"]
RESULT_LIMIT = 30
log = logging.getLogger("omaliref")
SMALL_SCREEN_WIDTH = 1366  # office workstations: the window opens maximized up to this width


class MainWindow(MenusMixin, AuditSheetMixin, DataMixin, QMainWindow):
    """The Library's view: it shows what the Library answers and applies what its operations changed."""

    entry_shown = Signal(str)  # the id shown in the reference pane
    index_ready = Signal(object)  # a SearchIndex built off the GUI thread (curated pack + imported CMS codes)
    operation_done = Signal(int, object)  # (generation it was started in, Changes): from a Library.run thread
    site_imported = Signal(object)  # the Changes of the site folder's import, once applied

    def __init__(
        self,
        library: Library,
        store: StateStore,
        prefs: Preferences,
        today: dt.date,
        *,
        import_site: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """After the first paint, a thread indexes the imported quarters and another imports the site folder's new
        CMS files (`import_site`: the smoke test and the screenshots turn it off, they measure the window alone)."""
        super().__init__(parent)
        self.library, self.catalog, self.store, self.prefs, self.today = library, library.catalog, store, prefs, today
        keep_qt_settings_in(store.dirs.config)  # before any dialog: Qt's settings stay in the state folder
        self.closed = False
        self._site_cancel = threading.Event()
        self.setWindowTitle("omaliref — charge-entry reference for omalizumab (J2357) and look-alike codes")
        self.setObjectName("omaliref-main")
        self._build_search()
        self._build_panes()
        self._build_status()
        self._build_menus()
        self._connect()
        self._apply_preferences()
        self.operation_done.connect(self.apply_changes)
        self._import_site = import_site
        QTimer.singleShot(0, self._start_background)  # on the event loop's first turn: after the first paint

    def _build_search(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Search")
        self.search_edit.setPlaceholderText("Search codes, drugs, brands, NDCs, modifiers, topics   (Ctrl+K)")
        self.search_edit.setClearButtonEnabled(True)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.search_edit.setFont(font)
        self.results = ResultsModel(self)
        self.results_view = QListView()
        self.results_view.setModel(self.results)
        self.results_view.setAccessibleName("Search results")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.results_view.setFont(mono)
        self.results_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.new_case_button = QPushButton("New case")
        self.new_case_button.setAccessibleName("New case")
        self.new_case_button.setToolTip("Clear the patient's case (Ctrl+N); payer, setting and 340B stay")
        self.new_case_button.clicked.connect(self.new_case)
        self.new_case_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Ctrl+N from the keyboard; Tab goes on

    def _build_panes(self) -> None:
        self.reference = ReferenceView()
        self.case_model = CaseModel(self.library, self.today, self)
        self.calculator = CalculatorPane(self.case_model)
        self.checklist = ChecklistPane(self.case_model)
        self.calc_scroll = calc_scroll = QScrollArea()
        calc_scroll.setWidget(self.calculator)
        calc_scroll.setWidgetResizable(True)
        calc_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        calc_scroll.setAccessibleName("Calculator pane")
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.results_view)
        self.left.addWidget(self.reference)
        self.left.setSizes([170, 600])
        self.panes = panes = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.left, calc_scroll, self.checklist):
            panes.addWidget(widget)
        panes.setChildrenCollapsible(False)
        panes.setCollapsible(0, True)  # the reference pane may be folded away to give the calculator room
        self.stale_pack_banner = QLabel()
        self.stale_pack_banner.setAccessibleName("Data pack age warning")
        self.stale_pack_banner.setWordWrap(True)
        self.stale_pack_banner.setStyleSheet("background:#fff0cc; color:#4a2f00; padding:4px; font-weight:bold;")
        self.stale_pack_banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.new_case_button)
        layout.addLayout(top)
        layout.addWidget(self.stale_pack_banner)
        layout.addWidget(panes, 1)
        self.setCentralWidget(central)

    def _build_status(self) -> None:
        self.setStatusBar(StatusLine())
        self.data_label = QLabel()
        self.statusBar().addPermanentWidget(self.data_label)
        self.quarters_label = QLabel()
        self.quarters_label.setAccessibleName("Imported CMS quarters")
        self.statusBar().addPermanentWidget(self.quarters_label)
        self._show_freshness()
        self._show_quarters()

    def _connect(self) -> None:
        for keys in (QKeySequence("Ctrl+K"), QKeySequence(QKeySequence.StandardKey.Find)):
            QShortcut(keys, self, self.focus_search).setWhatsThis("Go to Search")
        QShortcut(QKeySequence("Ctrl+D"), self, self.focus_dose).setWhatsThis("Go to Dose (its text selected)")
        self.search_edit.installEventFilter(self)
        self.search_edit.textChanged.connect(self.run_search)
        self.results_view.selectionModel().currentChanged.connect(self._current_changed)
        self.results_view.activated.connect(self._open_index)
        self.reference.entry_requested.connect(self.open_entry)
        self.calculator.dose_check_requested.connect(self.dose_check)
        self.calculator.copy_message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.checklist.copy_message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        # Tab goes from the search box straight to the calculator (arrow keys move through the results, links in
        # the reference are clicked): search -> code -> dose is two presses.
        self.results_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.reference.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.calc_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        chain = [self.search_edit, *self.calculator.tab_chain(), *self.checklist.tab_chain()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.library.on_reload = self._data_reloaded
        self._keys_first = WindowKeysFirst(self)  # Ctrl+E and the rest work from Dose, Payer and the other fields

    def _apply_preferences(self) -> None:
        """The saved size and pane widths, the desk defaults, and what to say once: the state file's notices, a
        broken payer file or database, the site's; the missing saved profile last, so the status bar ends on it."""
        prefs = self.prefs
        if not (prefs.window_geometry and self.restoreGeometry(QByteArray(base64.b64decode(prefs.window_geometry)))):
            self._first_size()
        self._pane_sizes()
        profile_notice = self.calculator.set_defaults(prefs.payer, prefs.modifier_340b, prefs.payer_profile)
        self.calculator.set_setting(prefs.setting)
        for notice in self.store.notices:
            self.statusBar().showMessage(notice, 15000)
        for notice in [*self.library.start_notices(), profile_notice]:
            if notice:
                log.info("%s", notice)
                self.statusBar().showMessage(notice, 20000)
        self.search_edit.setFocus()

    def _start_background(self) -> None:
        if self.library.has_imports:  # the curated index serves until this one is ready
            self.start_operation("index")
        if self._import_site:
            self.start_operation("site-import")

    # -- layout ------------------------------------------------------------------------------------------

    def toggle_reference(self) -> None:
        """Fold the reference pane away (or back) so the calculator and checklist get the width."""
        sizes = self.panes.sizes()
        if sizes[0] > 0:
            self._reference_width = sizes[0]
            self.panes.setSizes([0, sizes[1] + sizes[0] // 2, sizes[2] + sizes[0] - sizes[0] // 2])
        else:
            width = getattr(self, "_reference_width", 360)
            self.panes.setSizes([width, max(200, sizes[1] - width // 2), max(200, sizes[2] - width + width // 2)])
        self.reference_action.setChecked(self.panes.sizes()[0] > 0)

    def _pane_sizes(self) -> None:
        """The saved pane sizes, or proportions that leave the calculator room on a 1366 px screen."""
        if self.prefs.pane_state and self.panes.restoreState(QByteArray(base64.b64decode(self.prefs.pane_state))):
            return
        self.fit_panes()

    def fit_panes(self) -> None:
        width = max(self.width(), 900)
        self.panes.setSizes([int(width * 0.27), int(width * 0.43), int(width * 0.30)])

    def _first_size(self) -> None:
        """Never larger than the screen: maximized on a desk screen up to 1366 px wide, else 1480 x 900 at most."""
        screen = self.screen()
        if screen is None:
            self.resize(1366, 768)
            return
        area = screen.availableGeometry()
        if area.width() <= SMALL_SCREEN_WIDTH:
            self.resize(area.width(), area.height())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.resize(min(1480, int(area.width() * 0.95)), min(900, int(area.height() * 0.95)))

    # -- search ------------------------------------------------------------------------------------------

    def focus_dose(self) -> None:
        self.calculator.dose_edit.setFocus()
        self.calculator.dose_edit.selectAll()

    def new_case(self) -> None:
        """Start the next patient's case clean: dose, containers, indication, IgE, weight and ticks go; the desk
        settings (payer, setting, 340B) stay."""
        self.case_model.new_case()
        self.calculator.show_fields(self.case_model.fields)
        self.search_edit.clear()
        self.reference.clear_entry()
        self.statusBar().showMessage("New case: the previous case's inputs and ticks are cleared.", 8000)
        self.focus_dose()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move_selection(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_index(self.results_view.currentIndex())
                return True
            if key == Qt.Key.Key_Escape:
                self.search_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def _move_selection(self, step: int) -> None:
        rows = self.results.rowCount()
        if not rows:
            return
        row = min(max(self.results_view.currentIndex().row() + step, 0), rows - 1)
        self.results_view.setCurrentIndex(self.results.index(row, 0))

    def run_search(self, text: str) -> None:
        self.results.set_hits(self.library.search(text, RESULT_LIMIT))
        if self.results.rowCount():
            self.results_view.setCurrentIndex(self.results.index(0, 0))
        elif text.strip():  # nothing matches: the pane no longer shows an unrelated earlier entry
            self.reference.clear_entry()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = current.data(HIT_ROLE) if current.isValid() else None
        if hit is not None:
            self._show(hit.entry.kind, hit.entry.id, hit.corrections)

    def _show(self, kind: str, ident: str, corrections: Sequence[Correction] = ()) -> None:
        """Show an entry of the curated pack, or one that only the imported CMS files hold (the Library says which)."""
        self.reference.show_entry(self.library.entry(ident, kind), corrections)
        self.entry_shown.emit(ident)

    def _open_index(self, index: QModelIndex) -> None:
        hit = index.data(HIT_ROLE) if index.isValid() else None
        if hit is None:
            return
        self._show(hit.entry.kind, hit.entry.id, hit.corrections)
        if hit.entry.kind == "code":
            imported = hit.entry.id not in self.catalog.codes
            self.calculator.set_code(
                hit.entry.id, f"{hit.entry.id} — {hit.entry.title.split(' — ', 1)[-1][:60]}" if imported else ""
            )
        elif hit.entry.kind == "product" and hit.entry.code:
            # an NDC opened from search: its code, and that container opened
            imported = hit.entry.code not in self.catalog.codes
            self.calculator.set_code(hit.entry.code, f"{hit.entry.code} — imported" if imported else "")
            self.calculator.add_container(hit.entry.id)
            self.calculator.dose_edit.setFocus()

    def open_entry(self, ident: str) -> None:
        """Follow a link: a code, modifier, NDC or topic id."""
        try:
            entry = self.library.entry(ident)
        except InputError:  # a link to something no longer held: the pane stays as it is
            return
        self.reference.show_entry(entry)
        self.entry_shown.emit(self.reference.current_id)

    # -- lifetime ----------------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self.store.save(self.prefs) and self.store.notices:
            self.statusBar().showMessage(self.store.notices[-1], 15000)

    def closeEvent(self, event: QCloseEvent) -> None:
        progress = self._running_import()
        if progress is not None:
            # the import's thread must end before the window (its parent) goes: cancel it, close when it has ended
            event.ignore()
            if getattr(self, "_close_waits_for", None) is not progress.thread_:
                self._close_waits_for = progress.thread_
                progress.thread_.finished.connect(self.close, Qt.ConnectionType.QueuedConnection)
                progress.cancel_import()
                self.statusBar().showMessage("Cancelling the import: the window closes when it has stopped…")
            return
        self._site_cancel.set()  # a site import in progress rolls its file back; the next start takes it up
        self.library.close()
        self.closed = True
        self.prefs = self.prefs.with_changes(
            pane_state=base64.b64encode(bytes(self.panes.saveState().data())).decode("ascii"),
            window_geometry=base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii"),
        )
        self._save()
        super().closeEvent(event)
