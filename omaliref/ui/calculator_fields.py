"""The calculator pane's input fields, each made ready to place, and the few sentences and offers the pane shows
beside them (the single-dose box, the 340B box by date, a sample profile's note). Nothing here computes billing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QCompleter, QLabel, QLineEdit

from omaliref.domain.case import parse_containers, split_container_text
from omaliref.domain.errors import InputError
from omaliref.domain.model import Code, Modifier, Source
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import format_amount
from omaliref.ui.calculator_results import wrapped_label
from omaliref.ui.labels import M340B_LABELS, SUPPLIER_LABELS
from omaliref.ui.widgets import ProfileBox

SINGLE_DOSE_NO_NDC = "Label says single-&dose (name the NDC in Containers first)"


def ndc_digits(ndc: str) -> str:
    """An NDC as typed, compared by its digits (50242-0215-01 and 50242021501 are one confirmation)."""
    return "".join(ch for ch in ndc if ch.isdigit())


def named_ndcs(containers: str) -> list[str]:
    """The NDCs a Containers text names (none while it does not parse: the field says why)."""
    try:
        return [ndc for ndc, _count in parse_containers(split_container_text(containers))]
    except InputError:
        return []


def with_one_more(containers: str, ndc: str) -> str:
    """The Containers text with one more of a package: a second pick of the same NDC makes it x2."""
    text = containers.strip()
    try:
        named = list(parse_containers(split_container_text(text)))
    except InputError:  # the field says what is wrong with it: add at the end and leave the rest as typed
        return f"{text}, {ndc}x1" if text else f"{ndc}x1"
    same = next((i for i, (typed, _count) in enumerate(named) if ndc_digits(typed) == ndc_digits(ndc)), None)
    if same is None:
        named.append((ndc, 1))
    else:
        named[same] = (named[same][0], named[same][1] + 1)
    return ", ".join(f"{typed}x{count}" for typed, count in named)


def text_field(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def choice_box(name: str, options: Iterable[tuple[str, str]]) -> QComboBox:
    """A combo box of (value, label) choices."""
    box = QComboBox()
    box.setAccessibleName(name)
    for value, label in options:
        box.addItem(label, value)
    return box


def note_label(name: str) -> QLabel:
    """A sentence beside a field, hidden until there is something to say."""
    label = wrapped_label(name)
    label.hide()
    return label


def code_box(codes: Iterable[Code]) -> QComboBox:
    """The calculable codes, each with its drug and billing unit."""
    box = QComboBox()
    box.setAccessibleName("Code")
    for c in codes:
        unit = f"{format_amount(c.billing_unit.amount)} {c.billing_unit.unit}"
        box.addItem(f"{c.code} — {c.drug} ({unit} per unit)", c.code)
    return box


def payer_box(profiles: Iterable[PayerProfile]) -> ProfileBox:
    """Every payer profile, an organization's marked with its file; type-ahead: any part of the name finds one."""
    box = ProfileBox()
    box.setAccessibleName("Payer profile")
    for profile in profiles:
        origin = "" if profile.origin == "built-in" else f"  [{Path(profile.origin).name}]"
        box.addItem(profile.name + origin, profile.id)
    completer = box.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return box


def separately_payable_box() -> QCheckBox:
    box = QCheckBox("Separately pa&yable")
    box.setToolTip("Untick for packaged OPPS drugs, FQHC/RHC or CAP: no JW/JZ then.")
    box.setAccessibleName("Separately payable")
    box.setChecked(True)
    return box


def single_dose_box() -> QCheckBox:
    box = QCheckBox(SINGLE_DOSE_NO_NDC)
    box.setAccessibleName("Label says single-dose")
    box.setToolTip(
        "Imported CMS packages do not say whether they are single-dose: tick only when the label of the NDC "
        "named in Containers says so (JW/JZ then apply to that NDC). It is confirmed per NDC and never covers a "
        "package the calculator chooses, so name the NDC opened first."
    )
    box.setEnabled(False)
    return box


def supplied_box() -> QComboBox:
    box = choice_box("Drug supplied by", SUPPLIER_LABELS)
    box.setToolTip(
        "Who supplied the drug: a drug the practice did not buy is billed as its payer's rule says (token "
        "charge, or no drug line), with no JW/JZ and no 340B modifier."
    )
    return box


def single_dose_text(named: Sequence[str]) -> str:
    """What the single-dose box says for the NDCs the Containers field names."""
    if len(named) > 2:
        return f"Labels of the {len(named)} NDCs named say single-&dose"
    return f"Label of {' and '.join(named)} says single-&dose" if named else SINGLE_DOSE_NO_NDC


def offered_340b(modifiers: Mapping[str, Modifier], day: dt.date, keep: str) -> list[tuple[str, str]]:
    """The 340B box's (modifier, label) choices on `day`: none, and those in force then; the one kept (chosen
    before) stays when it is not in force, marked ended, so the refusal beside the field is seen instead of the
    choice silently dropping to none."""
    offered: list[tuple[str, str]] = [M340B_LABELS[0]]
    for code, label in M340B_LABELS[1:]:
        modifier = modifiers[code]
        if modifier.in_force_on(day):
            offered.append((code, label))
        elif code == keep:
            ended = modifier.effective_to or modifier.effective_from
            when = f"ended {ended}" if modifier.effective_to else f"from {ended}"
            offered.append((code, f"{code} — not valid on {day} ({when})"))
    return offered


def profile_note(profile: PayerProfile, sources: Iterable[Source]) -> str:
    """A sample profile is an example to confirm, not the payer's current rule, and an organization's profile may
    stand in for a built-in one of the same id (#11): what to say where it is chosen ('' = nothing)."""
    said = [f"⚠ {profile.replacement}."] if profile.replacement else []
    if profile.sample:
        dated = "; ".join(f"{s.id}, {s.date}" for s in sources if s.date)
        said.append(
            "⚠ Sample profile: confirm with the payer before relying on it."
            + (f" {profile.note}" if profile.note else "")
            + (f" (sources: {dated})" if dated else "")
        )
    return " ".join(said)
