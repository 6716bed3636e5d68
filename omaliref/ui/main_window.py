"""The main window: one search box over three panes — reference, calculator, checklist."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeyEvent, QKeySequence, QShortcut
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

from omaliref.data.site import SiteSettings, unknown_profile
from omaliref.data.state import Preferences, StateStore

if TYPE_CHECKING:  # the panes and the domain load after the first paint (see finish_loading)
    from omaliref.data.library import Library
    from omaliref.domain.model import Catalog, Correction
    from omaliref.ui.calculator_pane import CalculatorPane
    from omaliref.ui.case_model import CaseModel
    from omaliref.ui.checklist_pane import ChecklistPane
    from omaliref.ui.models import ResultsModel
    from omaliref.ui.reference_view import ReferenceView

RESULT_LIMIT = 30
SEARCH_KEYS = [  # what the search box's event filter does with these keys (listed under Help → Keyboard shortcuts)
    ("Up / Down", "In Search: move through the results"),
    ("Enter", "In Search: open the result (a drug code also becomes the calculator's code)"),
    ("Esc", "In Search: clear it"),
]
log = logging.getLogger("omaliref")
SMALL_SCREEN_WIDTH = 1366  # office workstations: the window opens maximized up to this width
Loader = Callable[[], "Library"]


class MainWindow(QMainWindow):
    """Paints its shell (search box, menus, status line) first; the data pack and panes load right after."""

    entry_shown = Signal(str)  # the id shown in the reference pane
    ready = Signal()
    index_ready = Signal(object)  # a SearchIndex built off the GUI thread (curated pack + imported CMS codes)
    _background_index = Signal(int, object)  # (generation it was started in, index): from the indexing thread
    site_imported = Signal(object)  # a SiteImport: the site folder looked at off the GUI thread (data/site_import)

    library: Library
    catalog: Catalog
    case_model: CaseModel
    results: ResultsModel
    reference: ReferenceView
    calculator: CalculatorPane
    checklist: ChecklistPane

    def __init__(
        self,
        load: Loader,
        store: StateStore,
        prefs: Preferences,
        today: dt.date,
        parent: Any = None,
        site_settings: SiteSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._load, self.store, self.prefs, self.today = load, store, prefs, today
        from omaliref.ui.file_dialogs import keep_qt_settings_in

        keep_qt_settings_in(store.dirs.config)  # before any dialog: Qt's settings stay in the state folder
        self.site_settings = site_settings or SiteSettings()  # the organization's defaults and locked keys
        self.loaded = False
        self.closed = False
        self.import_site_at_start = True  # the smoke test turns it off: it measures the window alone
        self._site_cancel = threading.Event()
        self.setWindowTitle("omaliref — charge-entry reference for omalizumab (J2357) and look-alike codes")
        self.setObjectName("omaliref-main")

        self.search_edit = QLineEdit()
        self.search_edit.setAccessibleName("Search")
        self.search_edit.setPlaceholderText("Search codes, drugs, brands, NDCs, modifiers, topics   (Ctrl+K)")
        self.search_edit.setClearButtonEnabled(True)
        font = QFont()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.search_edit.setFont(font)
        self.results_view = QListView()
        self.results_view.setAccessibleName("Search results")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.results_view.setFont(mono)
        self.results_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.results_view)
        self.left.addWidget(QLabel("Loading the data pack…"))
        self.left.setSizes([170, 600])
        panes = QSplitter(Qt.Orientation.Horizontal)
        panes.addWidget(self.left)
        panes.addWidget(QLabel(""))
        panes.addWidget(QLabel(""))
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
        self.new_case_button = QPushButton("New case")
        self.new_case_button.setAccessibleName("New case")
        self.new_case_button.setToolTip("Clear the patient's case (Ctrl+N); payer, setting and 340B stay")
        self.new_case_button.clicked.connect(self.new_case)
        self.new_case_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Ctrl+N from the keyboard; Tab goes on
        top.addWidget(self.new_case_button)
        layout.addLayout(top)
        layout.addWidget(self.stale_pack_banner)
        layout.addWidget(panes, 1)
        self.setCentralWidget(central)
        self.panes = panes

        self.data_label = QLabel("Loading data pack…")
        self.statusBar().addPermanentWidget(self.data_label)
        self._build_menus()
        for keys in (QKeySequence("Ctrl+K"), QKeySequence(QKeySequence.StandardKey.Find)):
            QShortcut(keys, self, self.focus_search).setWhatsThis("Go to Search")
        QShortcut(QKeySequence("Ctrl+D"), self, self.focus_dose).setWhatsThis("Go to Dose (its text selected)")
        self.search_edit.installEventFilter(self)
        if not (prefs.window_geometry and self.restoreGeometry(QByteArray(base64.b64decode(prefs.window_geometry)))):
            self._first_size()
        self._pane_sizes()
        for notice in store.notices:
            self.statusBar().showMessage(notice, 15000)
        self.search_edit.setFocus()

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

    def finish_loading(self) -> None:
        """Load the pack and build the panes; typing done meanwhile is searched as soon as the index is ready."""
        if self.loaded:
            return
        from omaliref.ui.calculator_pane import CalculatorPane
        from omaliref.ui.case_model import CaseModel
        from omaliref.ui.checklist_pane import ChecklistPane
        from omaliref.ui.models import ResultsModel
        from omaliref.ui.reference_view import ReferenceView

        self.library = self._load()
        self.catalog = self.library.catalog
        prefs = self.prefs
        self._index_generation = 0  # bumped by every index built since: a background index older than it is stale
        self._background_index.connect(self._take_background_index)
        self.index_ready.connect(self._swap_index)
        if self.library.has_imports:  # the curated index serves until this one is ready
            QTimer.singleShot(0, lambda: self._rebuild_index(background=True))
        self.site_imported.connect(self._site_import_done)
        if self.import_site_at_start:
            QTimer.singleShot(0, self.start_site_import)  # after the first paint, in a thread
        self.results = ResultsModel(self)
        self.results_view.setModel(self.results)
        self.reference = ReferenceView()
        self.case_model = CaseModel(self.library, self.today, self)
        self.calculator = CalculatorPane(self.case_model)
        self.checklist = ChecklistPane(self.case_model)
        self.calc_scroll = calc_scroll = QScrollArea()  # kept: replaceWidget does not pass ownership in PySide
        calc_scroll.setWidget(self.calculator)
        calc_scroll.setWidgetResizable(True)
        calc_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        calc_scroll.setAccessibleName("Calculator pane")
        for splitter, position, widget in (
            (self.left, 1, self.reference),
            (self.panes, 1, calc_scroll),
            (self.panes, 2, self.checklist),
        ):
            placeholder = splitter.replaceWidget(position, widget)
            if placeholder is not None:
                placeholder.deleteLater()
        self._show_freshness()
        self.quarters_label = QLabel()
        self.quarters_label.setAccessibleName("Imported CMS quarters")
        self.statusBar().addPermanentWidget(self.quarters_label)
        self._show_quarters()

        self.search_edit.textChanged.connect(self.run_search)
        self.results_view.selectionModel().currentChanged.connect(self._current_changed)
        self.results_view.activated.connect(self._open_index)
        self.reference.entry_requested.connect(self.open_entry)
        self.calculator.dose_check_requested.connect(self.dose_check)
        # Tab goes from the search box straight to the calculator (arrow keys move through the results, links in
        # the reference are clicked): search -> code -> dose is two presses.
        self.results_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.reference.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        calc_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        chain = [self.search_edit, *self.calculator.tab_chain(), *self.checklist.tab_chain()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        profile_notice = self.calculator.set_defaults(prefs.payer, prefs.modifier_340b, prefs.payer_profile)
        self.calculator.set_setting(prefs.setting)
        self.calculator.copy_message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.checklist.copy_message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        unknown = unknown_profile(self.site_settings, self.library.profiles.by_id)
        site_notices = [*self.site_settings.notices(), *([f"Site settings: {unknown}."] if unknown else [])]
        # a broken payer file or database, the site's; the missing saved profile last, so the status bar ends on it
        for notice in [*self.library.profiles.notices, *self.library.notices, *site_notices, profile_notice]:
            if notice:
                log.info("%s", notice)
                self.statusBar().showMessage(notice, 20000)
        for act in self._needs_data:
            act.setEnabled(True)
        self.library.on_reload = self._data_reloaded
        from omaliref.ui.widgets import WindowKeysFirst

        self._keys_first = WindowKeysFirst(self)  # Ctrl+E and the rest work from Dose, Payer and the other fields
        self.loaded = True
        if self.search_edit.text():
            self.run_search(self.search_edit.text())
        self.ready.emit()

    # -- menus -------------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        self._needs_data: list[QAction] = []

        def action(menu: Any, text: str, slot: Any, shortcut: Any = None, needs_data: bool = True) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            if needs_data:
                act.setEnabled(False)
                self._needs_data.append(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        self.export_action = action(file_menu, "&Export audit sheet (PDF)…", self.export_pdf_dialog, "Ctrl+E")
        action(file_menu, "&Print audit sheet…", self.print_dialog, QKeySequence.StandardKey.Print)
        file_menu.addSeparator()
        self.import_action = action(file_menu, "&Import CMS files…", self.import_dialog, "Ctrl+I")
        self.changes_action = action(file_menu, "What &changed between quarters…", self.changes_dialog)
        self.check_lines_action = action(file_menu, "Chec&k keyed lines…", self.check_lines_dialog)
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, needs_data=False)
        edit_menu = self.menuBar().addMenu("&Edit")
        action(edit_menu, "Copy claim &lines", lambda: self.calculator.copy_claim_lines(), "Ctrl+Shift+C")
        action(edit_menu, "Copy checklist &summary", lambda: self.checklist.copy_summary(), "Ctrl+Shift+S")
        self.new_case_action = action(edit_menu, "&New case", self.new_case, QKeySequence.StandardKey.New)
        edit_menu.addSeparator()
        action(edit_menu, "&Preferences…", self.preferences_dialog, QKeySequence.StandardKey.Preferences)
        view_menu = self.menuBar().addMenu("&View")
        self.reference_action = action(
            view_menu, "&Reference pane", self.toggle_reference, "Ctrl+Shift+R", needs_data=False
        )
        self.reference_action.setCheckable(True)
        self.reference_action.setChecked(True)
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts", self.shortcuts_dialog, "F1", needs_data=False)
        action(help_menu, "&About omaliref and the data pack", self.about_dialog)

    # -- search ------------------------------------------------------------------------------------------

    def focus_dose(self) -> None:
        if self.loaded:
            self.calculator.dose_edit.setFocus()
            self.calculator.dose_edit.selectAll()

    def new_case(self) -> None:
        """Start the next patient's case clean: dose, containers, indication, IgE, weight and ticks go; the desk
        settings (payer, setting, 340B) stay."""
        if not self.loaded:
            return
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
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress and self.loaded:
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
        from omaliref.ui.models import HIT_ROLE

        hit = current.data(HIT_ROLE) if current.isValid() else None
        if hit is not None:
            self._show(hit.entry.kind, hit.entry.id, hit.corrections)

    def _show(self, kind: str, ident: str, corrections: Sequence[Correction] = ()) -> None:
        """Show an entry of the curated pack, or one that only the imported CMS files hold (the Library says which)."""
        self.reference.show_entry(self.library.entry(ident, kind), corrections)
        self.entry_shown.emit(ident)

    def _open_index(self, index: QModelIndex) -> None:
        from omaliref.ui.models import HIT_ROLE

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
        from omaliref.domain.errors import InputError

        try:
            entry = self.library.entry(ident)
        except InputError:  # a link to something no longer held: the pane stays as it is
            return
        self.reference.show_entry(entry)
        self.entry_shown.emit(self.reference.current_id)

    # -- imported CMS data -------------------------------------------------------------------------------

    def _rebuild_index(self, *, background: bool = False) -> None:
        """Index the pack plus the imported codes. With a full HCPCS import this takes about a third of a second, so
        at start-up it runs in a thread started after the first paint, reading through its own connection, and
        hands the index back through index_ready; the curated index answers meanwhile."""

        self._index_generation += 1
        generation = self._index_generation
        if not background:
            self._swap_index(self.library.build_index(self.library.search_entries()))
            return

        def build() -> None:
            try:
                worker = self.library.for_thread()
                try:
                    index = worker.build_index()
                finally:
                    worker.close()
            except Exception:
                log.exception("the index of the imported codes could not be built")
                return
            with contextlib.suppress(RuntimeError):  # the window was closed while the index was being built
                self._background_index.emit(generation, index)

        threading.Thread(target=build, name="omaliref-index", daemon=True).start()

    def _take_background_index(self, generation: int, index: Any) -> None:
        """Use an index built off the GUI thread unless a newer one was built meanwhile (red team 2026-12 #17: the
        start-up index, read before an import, replaced the import's fresh one)."""
        if generation == self._index_generation:
            self.index_ready.emit(index)
        else:
            log.info("a background index older than the last import was dropped")

    def start_site_import(self) -> None:
        """Import the site folder's new CMS files in a thread with its own connection, as the index is built; the
        window answers from what is imported meanwhile, and a slow or unreachable share never holds it up."""
        from omaliref.data.site import resolve
        from omaliref.data.site_import import import_site, site_files

        def run() -> None:
            try:
                site = resolve()
                result = site_files(site)  # no connection unless there is something to look at
                if result.files:
                    worker = self.library.for_thread()
                    try:
                        result = import_site(worker, site, should_cancel=self._site_cancel.is_set, files=result.files)
                    finally:
                        worker.close()
            except Exception:
                log.exception("the site folder could not be imported")
                return
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                self.site_imported.emit(result)

        threading.Thread(target=run, name="omaliref-site", daemon=True).start()

    def _site_import_done(self, result: Any) -> None:
        if self.closed:
            return
        if result.changed:
            self.library.reopen()
            self._show_freshness()
            self._show_quarters()
            self._rebuild_index(background=True)
            self.case_model.recompute()
        for notice in result.notices:
            log.info("%s", notice)
            self.statusBar().showMessage(notice, 20000)

    def _swap_index(self, index: Any) -> None:
        if self.closed:  # built for a window closed meanwhile: its library has no store to show entries from
            return
        self.library.set_index(index)
        if self.loaded and self.search_edit.text():
            self.run_search(self.search_edit.text())

    def _data_reloaded(self, notice: str) -> None:
        """Another program imported CMS files while the window was open; the library has reloaded them."""
        self._index_generation += 1  # an index being built in the background is from before
        self._show_quarters()
        self._show_freshness()
        self.statusBar().showMessage(notice, 15000)

    def _show_quarters(self) -> None:
        quarters = self.library.quarters()
        self.quarters_label.setText(f"CMS quarters: {', '.join(quarters)}" if quarters else "No CMS quarter imported")

    @staticmethod
    def ask_import_paths(parent: QWidget) -> list[str]:
        from omaliref.ui.cms_import_dialog import ask_import_paths

        return ask_import_paths(parent)

    def import_dialog(self) -> Any:
        from omaliref.ui.cms_import_dialog import ImportProgressDialog

        paths = self.ask_import_paths(self)
        if not paths:
            return None
        dialog = ImportProgressDialog(paths, self.library, self)
        dialog.import_ended.connect(self._import_done)
        self.import_progress = dialog
        dialog.show()
        dialog.start()
        return dialog

    def _show_freshness(self) -> None:
        """The pack's age in the status bar; a banner once a newer CMS quarter has begun and is not imported."""
        from omaliref.domain.freshness import freshness

        info = self.catalog.info
        fresh = freshness(info.as_of, self.today, self.library.quarters())
        self.data_label.setText(f"Data as of {info.as_of} ({fresh.age_text}) · pack {info.version}")
        self.stale_pack_banner.setText(f"⚠ {fresh.banner}")
        self.stale_pack_banner.setVisible(fresh.stale)

    def _import_done(self, outcome: str) -> None:
        self.library.reopen()
        self._show_freshness()
        self._rebuild_index()
        self._show_quarters()
        self.statusBar().showMessage(outcome, 15000)
        if self.search_edit.text():
            self.run_search(self.search_edit.text())
        self.case_model.recompute()

    def changes_dialog(self) -> None:
        from omaliref.ui.cms_import_dialog import ChangesDialog

        ChangesDialog.show_for(self.library, self)

    def check_lines_dialog(self) -> Any:
        from omaliref.ui.check_lines import CheckLinesDialog

        profile = self.prefs.payer_profile or self.library.profile_for(self.prefs.payer).id
        return CheckLinesDialog.show_for(self.library, profile, self.prefs.setting, self.today, self)

    # -- case wiring -------------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self.store.save(self.prefs) and self.store.notices:
            self.statusBar().showMessage(self.store.notices[-1], 15000)

    def dose_check(self) -> None:
        from omaliref.ui.dialogs import DoseCheckDialog

        check = DoseCheckDialog.ask(self.catalog, self.case_model.fields.indication, self)
        if check is not None:
            self.case_model.update(indication=check.indication, ige=check.ige, weight=check.weight, age=check.age)

    def preferences_dialog(self) -> None:
        from omaliref.ui.dialogs import PreferencesDialog

        site = self.site_settings
        locked = {k: v for k in site.locked if (v := site.locked_value(k)) is not None}
        chosen = PreferencesDialog.ask(self.prefs, list(self.library.profiles.by_id.values()), self, locked)
        if chosen is not None:
            chosen = site.apply(chosen, saved=True)  # a locked key keeps the organization's value, whatever came back
            self.prefs = chosen
            self._save()
            self.calculator.set_defaults(chosen.payer, chosen.modifier_340b, chosen.payer_profile)
            self.calculator.set_setting(chosen.setting)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every key the window answers to, read from its actions, shortcuts and mnemonics (so the list cannot
        drift from the keys: they were once listed only in the README)."""
        from PySide6.QtWidgets import QAbstractButton

        rows = [
            (seq.toString(QKeySequence.SequenceFormat.NativeText), act.text().replace("&", "").rstrip("…"))
            for act in self.findChildren(QAction)
            for seq in act.shortcuts()
        ]
        rows += [
            (shortcut.key().toString(QKeySequence.SequenceFormat.NativeText), shortcut.whatsThis())
            for shortcut in self.findChildren(QShortcut)
            if shortcut.whatsThis()
        ]
        rows += SEARCH_KEYS
        labelled = [label.text() for label in self.findChildren(QLabel) if label.buddy() is not None]
        labelled += [button.text() for button in self.findChildren(QAbstractButton)]
        for text in labelled:
            if "&" in text.replace("&&", ""):
                rows.append((f"Alt+{text[text.index('&') + 1].upper()}", text.replace("&", "")))
        return sorted(dict.fromkeys(rows), key=lambda row: (not row[0].startswith("Ctrl"), row[0]))

    def shortcuts_dialog(self) -> None:
        from omaliref.ui.dialogs import ShortcutsDialog

        ShortcutsDialog(self.shortcut_rows(), self).exec()

    def about_dialog(self) -> None:
        from omaliref.ui.dialogs import AboutDialog

        AboutDialog(self.catalog, self).exec()

    # -- audit sheet -------------------------------------------------------------------------------------

    def audit_sheet_html(self) -> str:
        import omaliref
        from omaliref.report.as_html import audit_sheet

        snapshot = self.case_model.snapshot
        outcome = snapshot.current or snapshot.checklist
        return audit_sheet(
            self.catalog,
            outcome,
            self.checklist.model.ticked,
            made_at=dt.datetime.now(),
            app_version=omaliref.__version__,
        )

    def export_pdf(self, path: str) -> None:
        from omaliref.ui.audit import write_pdf

        write_pdf(self.audit_sheet_html(), path)
        self.statusBar().showMessage(f"Audit sheet written to {path}", 8000)

    @staticmethod
    def ask_pdf_path(parent: QWidget, suggested: str = "omaliref-audit.pdf") -> str:
        from omaliref.ui.file_dialogs import save_file_name

        return save_file_name(parent, "Export audit sheet", suggested, "PDF (*.pdf)")

    def audit_file_name(self) -> str:
        """omaliref-audit-J2357-DOS2026-11-27-143205.pdf: code, date of service and time, so no export silently
        overwrites the last."""
        fields = self.case_model.fields
        current = self.case_model.snapshot.checklist
        day = current.case.date_of_service if current else self.today
        return f"omaliref-audit-{fields.code}-DOS{day}-{dt.datetime.now():%H%M%S}.pdf"

    def export_pdf_dialog(self) -> None:
        path = self.ask_pdf_path(self, self.audit_file_name())
        if path:
            self.export_pdf(path)

    def print_dialog(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # only when printing is asked for

        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            document = QTextDocument()
            document.setHtml(self.audit_sheet_html())
            document.print_(printer)

    # -- lifetime ----------------------------------------------------------------------------------------

    def _running_import(self) -> Any:
        progress = getattr(self, "import_progress", None)
        return progress if progress is not None and progress.running() else None

    def stop_import(self) -> None:
        """Cancel a running import and wait for its thread (the application is quitting: no event loop to wait in)."""
        self._site_cancel.set()
        progress = self._running_import()
        if progress is not None:
            progress.stop()

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
        if getattr(self, "library", None) is not None:
            self.library.close()
        self.closed = True
        if not self.loaded:
            super().closeEvent(event)
            return
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self.prefs = self.prefs.with_changes(
            pane_state=base64.b64encode(bytes(self.panes.saveState().data())).decode("ascii")
        )
        self.prefs = self.prefs.with_changes(window_geometry=geometry)
        self._save()
        super().closeEvent(event)
