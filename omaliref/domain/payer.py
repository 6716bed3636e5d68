"""Payer profiles: how one payer wants the same case on its claim (line split, JW/JZ, 340B, units, form spacing).

Profiles are data (resources/payers.toml, and the organization's payers.toml); this module defines the value, where
each of its fields comes from (a source, the app's default, or an organization's file), the values that apply
only on some dates or on one claim form, and the generic profile a case gets when nobody named one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from omaliref.domain.vocab import NGS_JURISDICTIONS, ClaimForm, DeviceUnit, JwJzPolicy, MultiNdc, PayerKind

PROFILE_340B = ("JG", "TB", "U8", "UD", "none")
# a payer kind (--payer, a saved preference) -> the built-in profile it stands for
PROFILE_FOR_KIND: dict[str, str] = {
    "medicare": "medicare-part-b",
    "medicare-advantage": "medicare-advantage",
    "medicaid": "medicaid",
    "commercial": "commercial",
}
Cms1500NdcBox = Literal["24a", "19"]
CMS1500_NDC_BOXES: tuple[Cms1500NdcBox, ...] = ("24a", "19")
BasisStatus = Literal["sourced", "default", "organization"]

# The fields a profile's provenance covers (the payer's rules), each with the app's default and why it is one. A
# built-in profile field is either sourced or one of these defaults; nothing else.
DEFAULTS: dict[str, tuple[object, str]] = {
    "multi_ndc": (
        "split-lines",
        "an 837 service line carries one NDC (X12 RFI 2151), so one line per NDC is the app's choice; no CMS "
        "instruction was found, and payers differ (Palmetto GBA and Blue Cross NC deny split lines)",
    ),
    "jw_jz": ("medicare", "the Medicare convention (CMS discarded-drug policy), used where the payer says nothing"),
    "modifier_340b": ("none", "no 340B modifier is known for this payer"),
    "modifier_340b_ub04_position": (0, "no position is known: the 340B modifier follows the others"),
    "ndc_unit_devices": (
        "ML",
        "no payer text on syringes was found; the NCPDP Billing Unit Standard counts liquid injectables in a vial, "
        "ampule or syringe in milliliters (ncpdp-quic-liquid), which payers' NDC rules often follow",
    ),
    "ndc_required": (True, "payers increasingly edit for the NDC on every drug line; giving it is the safe choice"),
    "cms1500_ndc_gap": (1, "NUCC's 1500 instructions: one blank between the NDC and the unit qualifier"),
    "cms1500_ndc_box": ("24a", "NUCC's 1500 instructions: the NDC goes in the shaded part of item 24A"),
    "max_units": ({}, "no payer maximum is known"),
    "prior_authorization": (False, "not known to require prior authorization"),
    "step_therapy": (False, "not known to apply step therapy"),
}
PROVENANCE_FIELDS = tuple(DEFAULTS)


@dataclass(frozen=True)
class FieldBasis:
    """One value of a profile field and where it comes from: a source (id, quote or locator, the date checked), the
    app's default (with why), or an organization's file; `effective_*` and `form` bound a value that applies only
    on some dates of service or on one claim form."""

    field: str
    value: object
    source: str = ""
    quote: str = ""
    locator: str = ""
    checked: dt.date | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    form: ClaimForm | None = None
    why: str = ""  # a default: why the app chose it
    set_by: str = ""  # a value an organization's file gives without a source: that file

    @property
    def status(self) -> BasisStatus:
        if self.source:
            return "sourced"
        return "organization" if self.set_by else "default"

    @property
    def bounded(self) -> bool:
        return bool(self.effective_from or self.effective_to or self.form)

    def applies(self, day: dt.date, form: ClaimForm) -> bool:
        return (
            (self.effective_from is None or day >= self.effective_from)
            and (self.effective_to is None or day <= self.effective_to)
            and (self.form is None or self.form == form)
        )

    def bounds_text(self) -> str:
        """'from 2025-05-01, professional claims' — empty when the value always applies."""
        parts = [
            f"from {self.effective_from}" if self.effective_from else "",
            f"to {self.effective_to}" if self.effective_to else "",
        ]
        if self.form:
            parts.append("professional claims" if self.form == "cms1500" else "institutional claims")
        return ", ".join(p for p in parts if p)

    def describe(self) -> str:
        """Where the value comes from, in one phrase: 'source uhc-md-2025, "…" (checked 2026-12-03)' or 'default: …'."""
        if self.status == "sourced":
            said = f' "{self.quote}"' if self.quote else (f" ({self.locator})" if self.locator else "")
            checked = f" (checked {self.checked})" if self.checked else ""
            return f"source {self.source}{said}{checked}"
        if self.status == "organization":
            return f"set by {self.set_by} (no source given)"
        return f"default: the app's choice ({self.why})" if self.why else "default: the app's choice"


def default_basis(name: str) -> FieldBasis:
    value, why = DEFAULTS[name]
    return FieldBasis(name, value, why=why)


@dataclass(frozen=True)
class State340B:
    """A state Medicaid program's 340B modifier, where it goes on the UB-04, when it applies, and its source."""

    state: str
    modifier: str
    ub04_position: int  # 0: after the other modifiers; 1: first; 2: second
    source: str
    quote: str
    checked: dt.date
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    note: str = ""
    position_quote: str = ""  # the source's words for the position, when they are not `quote`

    def as_basis(self) -> tuple[FieldBasis, FieldBasis]:
        """The profile fields this row gives a Medicaid profile of its state."""
        common = {
            "source": self.source,
            "quote": self.quote,
            "checked": self.checked,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
        }
        position = FieldBasis(
            "modifier_340b_ub04_position",
            self.ub04_position,
            **{**common, "quote": self.position_quote or self.quote},  # type: ignore[arg-type]
        )
        if not self.ub04_position:
            position = FieldBasis(
                "modifier_340b_ub04_position",
                0,
                effective_from=self.effective_from,
                effective_to=self.effective_to,
                why=DEFAULTS["modifier_340b_ub04_position"][1],
            )
        return FieldBasis("modifier_340b", self.modifier, **common), position  # type: ignore[arg-type]


@dataclass(frozen=True)
class PayerProfile:
    id: str
    name: str
    kind: PayerKind
    multi_ndc: MultiNdc = "split-lines"
    jw_jz: JwJzPolicy = "medicare"
    modifier_340b: str = "none"  # the payer's 340B modifier: JG, TB, U8, UD or none
    ndc_unit_devices: DeviceUnit = "ML"  # prefilled syringes and autoinjectors
    ndc_required: bool = True
    cms1500_ndc_gap: int = 1
    max_units: Mapping[str, int] = field(default_factory=dict)
    prior_authorization: bool = False
    step_therapy: bool = False
    mac: str = ""  # Medicare: the MAC jurisdiction, e.g. "J6"
    sample: bool = False  # a published example, to confirm with the payer before relying on it
    sources: tuple[str, ...] = ()
    origin: str = "built-in"  # "built-in", or the file the profile came from
    note: str = ""
    state: str = ""  # Medicaid: the state whose 340B rows apply (two letters)
    cms1500_ndc_box: Cms1500NdcBox = "24a"  # paper: the NDC in item 24A's shaded part, or in item 19
    modifier_340b_ub04_position: int = 0  # 0: after the others; 1: first; 2: second (UB-04)
    basis: tuple[FieldBasis, ...] = ()  # where each field's value(s) come from; a field not here is a default
    resolved_on: dt.date | None = None  # set by `in_force`: the date of service the values were chosen for
    chosen: tuple[FieldBasis, ...] = ()  # set by `in_force`: the basis of each field's value in force
    replaces: str = ""  # the origin of the profile of the same id this one replaced ("built-in" or a file)

    @property
    def replacement(self) -> str:
        """What this profile replaced, said wherever it is used ('' when it replaced none): an organization's
        medicare-part-b once silently stood in for the one --payer medicare means (red team 2026-12 #11)."""
        if not self.replaces:
            return ""
        what = "the built-in one" if self.replaces == "built-in" else f"the one in {self.replaces}"
        return f"{self.id} is the profile of {self.origin}, which replaces {what}"

    @property
    def ngs(self) -> bool | None:
        """Is the MAC National Government Services? None when the profile does not say."""
        return (self.mac in NGS_JURISDICTIONS) if self.mac else None

    def basis_for(self, name: str) -> tuple[FieldBasis, ...]:
        """Every value the field may take (dated ones first), or the app's default."""
        found = tuple(b for b in self.basis if b.field == name)
        return found or (replace(default_basis(name), value=getattr(self, name)),)

    def provenance(self, name: str) -> FieldBasis:
        """The basis of the field's current value (after `in_force`, the one in force)."""
        chosen = next((b for b in self.chosen if b.field == name), None)
        if chosen is not None:
            return chosen
        found = self.basis_for(name)
        return next((b for b in found if not b.bounded), found[0])

    def in_force(self, day: dt.date, form: ClaimForm) -> PayerProfile:
        """The profile with each field's value in force on the date of service for the claim form: a dated value
        that applies wins, else the undated value, else the app's default."""
        chosen: list[FieldBasis] = []
        for name in PROVENANCE_FIELDS:
            options = self.basis_for(name)
            pick = next((b for b in options if b.bounded and b.applies(day, form)), None)
            if pick is None:
                pick = next((b for b in options if not b.bounded), None) or _lapsed(name, options)
            chosen.append(pick)
        values = {b.field: b.value for b in chosen}
        return replace(self, chosen=tuple(chosen), resolved_on=day, **values)  # type: ignore[arg-type]

    @property
    def dated_values(self) -> tuple[FieldBasis, ...]:
        """The values in force only because of their dates or claim form (after `in_force`)."""
        return tuple(b for b in self.chosen if b.bounded)


def _lapsed(name: str, options: tuple[FieldBasis, ...]) -> FieldBasis:
    """No dated value applies and there is no undated one: the app's default, saying which dates were looked at."""
    value, why = DEFAULTS[name]
    spans = "; ".join(f"{o.value} {o.bounds_text()} ({o.source or 'default'})" for o in options)
    return FieldBasis(name, value, why=f"{why}; the payer's dated values do not cover this date or claim ({spans})")


def generic_profile(kind: PayerKind) -> PayerProfile:
    """What a case without a named profile gets: one line per NDC and the Medicare waste convention."""
    plan = kind in ("commercial", "medicare-advantage")  # plans with criteria lists, not fee-for-service programs
    why = "plans with criteria lists usually apply it; fee-for-service programs do not"
    basis = (FieldBasis("prior_authorization", plan, why=why), FieldBasis("step_therapy", plan, why=why))
    return PayerProfile(id=kind, name=kind, kind=kind, prior_authorization=plan, step_therapy=plan, basis=basis)
