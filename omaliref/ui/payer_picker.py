"""The calculator pane's payer profile picker: the type-ahead box, the sentence a refused name leaves beside it, a
sample profile's note and the notice of a saved profile that is missing. It tells the CaseModel which profile is
chosen and which text is pending; it computes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtWidgets import QWidget

from omaliref.domain.payer import PROFILE_FOR_KIND
from omaliref.report import as_text
from omaliref.ui.calculator_fields import note_label, payer_box, profile_note
from omaliref.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from omaliref.ui.case_model import CaseModel


class PayerPicker:
    """Which payer profile is chosen, and what is said beside the box about it."""

    def __init__(self, case_model: CaseModel, on_refused: Callable[[], None]) -> None:
        self.case_model = case_model
        self.library = case_model.library
        self._on_refused = on_refused  # the pane shows the refusal with the snapshot's own errors
        self.notice = ErrorLabel("payer")  # the saved profile is missing: which one is used instead
        self.box = payer_box(self.library.profiles.by_id.values())
        self.error = ErrorLabel("payer")
        self.note = note_label("Payer profile note")  # a sample profile says so, with its note and its sources' dates
        self.refused = ""  # the sentence a refused type-ahead left beside the box

    def connect(self) -> None:
        self.box.currentIndexChanged.connect(self._profile_changed)
        self.box.editTextChanged.connect(self._text_changed)
        self.box.refused.connect(self._refused_text)
        completer = self.box.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None:
            self._hint_in_sight = HintInSight(self.box, popup, (self.error, self.notice))

    @property
    def profile_id(self) -> str:
        """The chosen profile; while the type-ahead text matches none, the last one chosen."""
        data = self.box.currentData()
        return str(data) if data else self.case_model.fields.payer_profile or "medicare-part-b"

    @property
    def payer(self) -> str:
        """The payer kind of the chosen profile."""
        return str(self.library.profile(self.profile_id).kind)

    def typed(self) -> str:
        return self.box.currentText() if self.box.pending() else ""

    def _profile_changed(self, index: int) -> None:
        if index >= 0:
            self.notice.clear_error()  # a profile chosen: the missing one's notice is answered
            self.refused = ""
            self.show_note()
            self.case_model.update(payer=self.payer, payer_profile=self.profile_id, payer_typed=self.typed())

    def show_note(self) -> None:
        """What the chosen profile is (a sample to confirm, an organization's in place of a built-in one), said where
        it is chosen; the whole profile in the box's tooltip, as `omaliref payers show` prints it."""
        profile = self.library.profile(self.profile_id)
        self.box.setToolTip(as_text.profile(profile))
        note = profile_note(profile, self.library.known_sources(profile.sources))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _text_changed(self, _text: str) -> None:
        """Typing in the box makes the lines stale until a profile is chosen (they are the last profile's)."""
        typed = self.typed()
        if typed:
            self.refused = ""
        # the note describes the profile chosen; while a name is typed that fits none yet, it would read as the
        # note of what was typed (desk test: Palmetto's sample note under "aetna")
        self.note.setVisible(bool(self.note.text()) and not typed)
        if typed != self.case_model.fields.payer_typed:
            self.case_model.update(payer_typed=typed)

    def _refused_text(self, typed: str) -> None:
        """Enter or Tab on a name that fits no profile: say so beside the box (the lines stay stale while the text
        stays; when the focus left, the box shows the profile still chosen again)."""
        name = self.box.itemText(self.box.currentIndex())
        kept = (
            f": the payer is still {name}."
            if not self.box.pending()
            else ": type part of a profile's name (e.g. medicare, illinois) or pick one from the list (Down)."
        )
        self.refused = f"No payer profile's name contains '{typed.strip()[:40]}'{kept}"
        self._on_refused()

    def choose_default(self, payer: str, profile_id: str = "") -> str:
        """The desk's profile (a profile id, else the built-in profile of the payer kind). A saved profile that is
        not there (its organization file missing or broken) gives way to the built-in profile of the saved payer
        kind, never to the first of the list (red team 2026-12 #5: a commercial desk computed with Medicare Part
        B); the notice, also returned, stays next to the picker until a profile is chosen."""
        built_in = PROFILE_FOR_KIND.get(payer, "medicare-part-b")
        index = self.box.findData(profile_id or built_in)
        notice = ""
        if index < 0:
            index = self.box.findData(built_in)
            used = self.box.itemText(index) if index >= 0 else self.box.itemText(0)
            notice = (
                f"The saved payer profile '{profile_id[:40]}' is not available (its organization file is missing or "
                f"could not be read): {used} is used, the built-in profile for {payer} claims."
            )
        self.box.setCurrentIndex(max(0, index))
        if notice:
            self.notice.show_error(notice)
        return notice


class HintInSight(QObject):
    """Keeps the completer's list off the sentences under the payer box: it opens just below the box and covered the
    "'…' is not a payer profile yet" hint while the coder typed (desk test at 1366×768). The list moves below them,
    or above the box where there is no room below; the hint stays where every field's error is."""

    def __init__(self, box: QWidget, popup: QWidget, hints: tuple[QWidget, ...]) -> None:
        super().__init__(popup)
        self.box, self.popup, self.hints = box, popup, hints
        for widget in (popup, *hints):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Move, QEvent.Type.Resize):
            self.clear()  # the completer places the list on every keystroke; a hint moves as it wraps
        return False

    def clear(self) -> None:
        shown = [QRect(h.mapToGlobal(QPoint(0, 0)), h.size()) for h in self.hints if h.isVisible()]
        if not self.popup.isVisible() or not shown:
            return
        covered = QRect()
        for rect in shown:
            covered = covered.united(rect)
        where = self.popup.geometry()
        if not where.intersects(covered):
            return
        screen = self.popup.screen().availableGeometry()
        if covered.bottom() + 1 + where.height() <= screen.bottom():
            self.popup.move(where.x(), covered.bottom() + 1)
        else:  # no room below the hint: above the box, as Qt opens a list with no room below the box
            top = self.box.mapToGlobal(QPoint(0, 0)).y() - where.height()
            self.popup.move(where.x(), max(screen.top(), top))
