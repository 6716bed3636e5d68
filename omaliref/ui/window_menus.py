"""The main window's menus, its keys listed for Help, and the small dialogs the menus open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QWidget

from omaliref.ui import lazy

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QMenuBar, QStatusBar

    from omaliref.data.library import Library
    from omaliref.data.state import Preferences
    from omaliref.domain.model import Catalog
    from omaliref.ui.calculator_pane import CalculatorPane
    from omaliref.ui.case_model import CaseModel
    from omaliref.ui.check_lines import CheckLinesDialog
    from omaliref.ui.checklist_pane import ChecklistPane
    from omaliref.ui.cms_import_dialog import ImportProgressDialog

SEARCH_KEYS = [  # what the search box's event filter does with these keys (listed under Help → Keyboard shortcuts)
    ("Up / Down", "In Search: move through the results"),
    ("Enter", "In Search: open the result (a drug code also becomes the calculator's code)"),
    ("Esc", "In Search: clear it"),
]
Shortcut = str | QKeySequence | QKeySequence.StandardKey | None


class MenusMixin:
    """File, Edit, View and Help; the window's actions are attributes so tests and screenshots can trigger them."""

    if TYPE_CHECKING:  # what the window provides
        library: Library
        catalog: Catalog
        prefs: Preferences
        case_model: CaseModel
        calculator: CalculatorPane
        checklist: ChecklistPane

        def import_dialog(self) -> ImportProgressDialog | None: ...
        def changes_dialog(self) -> None: ...
        def check_lines_dialog(self) -> CheckLinesDialog: ...
        def export_pdf_dialog(self) -> None: ...
        def print_dialog(self) -> None: ...
        def new_case(self) -> None: ...
        def toggle_reference(self) -> None: ...

        def menuBar(self) -> QMenuBar: ...
        def statusBar(self) -> QStatusBar: ...
        def close(self) -> bool: ...
        def _save(self) -> None: ...

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut = None) -> QAction:
        assert isinstance(self, QWidget)
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        action = self._action
        file_menu = self.menuBar().addMenu("&File")
        self.export_action = action(file_menu, "&Export audit sheet (PDF)…", self.export_pdf_dialog, "Ctrl+E")
        action(file_menu, "&Print audit sheet…", self.print_dialog, QKeySequence.StandardKey.Print)
        file_menu.addSeparator()
        self.import_action = action(file_menu, "&Import CMS files…", self.import_dialog, "Ctrl+I")
        self.changes_action = action(file_menu, "What &changed between quarters…", self.changes_dialog)
        self.check_lines_action = action(file_menu, "Chec&k keyed lines…", self.check_lines_dialog)
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        action(edit_menu, "Copy claim &lines", self.calculator.copy_claim_lines, "Ctrl+Shift+C")
        action(edit_menu, "Copy checklist &summary", self.checklist.copy_summary, "Ctrl+Shift+S")
        self.new_case_action = action(edit_menu, "&New case", self.new_case, QKeySequence.StandardKey.New)
        edit_menu.addSeparator()
        action(edit_menu, "&Preferences…", self.preferences_dialog, QKeySequence.StandardKey.Preferences)
        view_menu = self.menuBar().addMenu("&View")
        self.reference_action = action(view_menu, "&Reference pane", self.toggle_reference, "Ctrl+Shift+R")
        self.reference_action.setCheckable(True)
        self.reference_action.setChecked(True)
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts", self.shortcuts_dialog, "F1")
        action(help_menu, "&About omaliref and the data pack", self.about_dialog)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every key the window answers to, read from its actions, shortcuts and mnemonics (so the list cannot
        drift from the keys: they were once listed only in the README)."""
        assert isinstance(self, QWidget)
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
        assert isinstance(self, QWidget)
        lazy.dialogs.ShortcutsDialog(self.shortcut_rows(), self).exec()

    def about_dialog(self) -> None:
        assert isinstance(self, QWidget)
        lazy.dialogs.AboutDialog(self.catalog, self).exec()

    def dose_check(self) -> None:
        assert isinstance(self, QWidget)
        check = lazy.dialogs.DoseCheckDialog.ask(self.catalog, self.case_model.fields.indication, self)
        if check is not None:
            self.case_model.update(indication=check.indication, ige=check.ige, weight=check.weight, age=check.age)

    def preferences_dialog(self) -> None:
        assert isinstance(self, QWidget)
        profiles = list(self.library.profiles.by_id.values())
        chosen = lazy.dialogs.PreferencesDialog.ask(self.prefs, profiles, self, self.library.locked_preferences())
        if chosen is not None:
            chosen = self.library.keep_locked(chosen)  # a locked key keeps the organization's value, whatever came back
            self.prefs = chosen
            self._save()
            self.calculator.set_defaults(chosen.payer, chosen.modifier_340b, chosen.payer_profile)
            self.calculator.set_setting(chosen.setting)
