"""The one case on screen: every pane edits it and every pane observes it (napari's ViewerModel/QtViewer split).

The model holds what the coder typed, turns it into a Case through the domain's `case_from_input`, and asks the
Library for the Outcome; panes only render the snapshot it signals. Invalid input keeps the last good outcome,
marked stale, so nothing stale is ever copied as current.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from omaliref.domain.case import Case, CaseInput, case_from_input, split_container_text
from omaliref.domain.errors import InputError
from omaliref.domain.outcome import Outcome

if TYPE_CHECKING:  # the Library module loads before Qt, from the start-up path
    from omaliref.data.library import Library


@dataclass(frozen=True)
class CaseFields:
    """What the coder typed or picked, as text; the desk settings (payer, setting, 340B) outlive a case."""

    code: str = "J2357"
    dose: str = ""
    containers: str = ""
    date: str = ""
    payer: str = "medicare"
    payer_profile: str = ""  # a profile id; empty: the built-in profile of `payer`
    payer_typed: str = ""  # text in the payer box that is not yet a profile: the lines are stale until one is chosen
    setting: str = "office"
    modifier_340b: str = ""
    separately_payable: bool = True
    single_dose_ndcs: tuple[str, ...] = ()  # NDCs (as typed) the coder confirmed single-dose from their labels
    supplied_by: str = "practice"  # a desk setting: who supplies this desk's drugs, until changed
    last_dose: str = ""
    indication: str = ""
    ige: str = ""
    weight: str = ""
    age: str = ""

    def case_input(self, *, with_dose: bool = True) -> CaseInput:
        """The domain's raw input for these fields; without the dose (and its containers) when `with_dose` is
        False, so the checklist still applies while the dose does not parse."""
        dosed = with_dose and bool(self.dose.strip())
        return CaseInput(
            code=self.code,
            dose=self.dose if dosed else None,
            containers=tuple(split_container_text(self.containers)) if dosed else (),
            date=self.date,
            payer=self.payer,
            setting=self.setting,
            modifier_340b=self.modifier_340b,
            separately_payable=self.separately_payable,
            single_dose_ndcs=self.single_dose_ndcs,
            indication=self.indication,
            ige=self.ige,
            weight=self.weight,
            age=self.age,
            last_dose=self.last_dose,
            supplied_by=self.supplied_by,
        )


@dataclass(frozen=True)
class CaseSnapshot:
    fields: CaseFields
    outcome: Outcome | None  # the current outcome, or the last good one while stale
    checklist: Outcome | None  # what the checklist shows: the outcome, or the case without its invalid dose
    error: InputError | None = None
    stale: bool = False  # the input is invalid: `outcome` is from the last valid input
    ticked: frozenset[str] = field(default=frozenset())

    @property
    def current(self) -> Outcome | None:
        """The outcome that may be copied: None while the input is invalid or empty."""
        return None if self.stale else self.outcome


class CaseModel(QObject):
    changed = Signal(object)  # CaseSnapshot

    def __init__(self, library: Library, today: dt.date, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.today = today
        self._fields = CaseFields(date=today.isoformat())
        self._ticked: frozenset[str] = frozenset()
        self.snapshot = CaseSnapshot(self._fields, None, None)

    @property
    def fields(self) -> CaseFields:
        return self._fields

    def update(self, **changes: Any) -> None:
        """Change some fields and re-evaluate; ticks stay (they are the coder's confirmations for this case)."""
        self._fields = dataclasses.replace(self._fields, **changes)
        self.recompute()

    def new_case(self) -> None:
        """Forget everything about the patient's case, its code too (the README promises it); keep the desk."""
        f = self._fields
        self._fields = CaseFields(
            date=self.today.isoformat(),
            payer=f.payer,
            payer_profile=f.payer_profile,
            payer_typed=f.payer_typed,
            setting=f.setting,
            modifier_340b=f.modifier_340b,
            separately_payable=f.separately_payable,
            supplied_by=f.supplied_by,
        )
        self._ticked = frozenset()
        self.snapshot = CaseSnapshot(self._fields, None, None)  # no earlier outcome to fall back on: never stale
        self.recompute()

    def set_ticked(self, ticked: frozenset[str]) -> None:
        self._ticked = ticked
        self.snapshot = dataclasses.replace(self.snapshot, ticked=ticked)

    def case(self, *, with_dose: bool = True) -> Case:
        f = self._fields
        if f.payer_typed:  # the box does not name the profile the lines would use: never current, never copied
            raise InputError(
                f"'{f.payer_typed.strip()[:40]}' is not a payer profile yet: press Enter or Tab to take the first "
                "profile whose name contains it, or pick one from the list (Down).",
                field="payer",
            )
        return case_from_input(
            f.case_input(with_dose=with_dose), self.today, self.library.profile_for(f.payer, f.payer_profile)
        )

    def recompute(self) -> None:
        previous = self.snapshot
        try:
            outcome = self.library.evaluate(self.case())
        except InputError as exc:
            # the last good lines stay (greyed) only while they are of the code in the box: never J2357's under J9035
            kept = previous.outcome if previous.outcome and previous.outcome.case.code == self._fields.code else None
            self.snapshot = CaseSnapshot(
                self._fields,
                kept,
                self._checklist_only(),
                exc,
                stale=kept is not None,
                ticked=self._ticked,
            )
        else:
            has_dose = outcome.calculation is not None
            self.snapshot = CaseSnapshot(self._fields, outcome if has_dose else None, outcome, ticked=self._ticked)
        self.changed.emit(self.snapshot)

    def _checklist_only(self) -> Outcome | None:
        """The case without the dose and containers (which did not parse), so the checklist still applies."""
        try:
            return self.library.evaluate(self.case(with_dose=False))
        except InputError:
            return None
