"""What the imported CMS files say about one code on one date of service, and the warnings that follow.

The setting of the case chooses the MUE table (office -> practitioner, hospital outpatient -> outpatient hospital):
a DME supplier MUE of 0 must never warn an office claim that its units are denied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from omaliref.domain.notes import Warning_
from omaliref.domain.vocab import MUE_TABLE_FOR_SETTING, MueSetting, Setting


def decimal_text(value: Decimal) -> str:
    """A Decimal as CMS prints it: never exponent form (20 -> '20', 11.7410 -> '11.741', 2E+1 -> '20')."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_text(value: Decimal) -> str:
    """A payment limit with at least the three decimals CMS prints (12.5 -> '12.500', 0.123456 -> '0.123456')."""
    text = format(value, "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(3, '0')}"


@dataclass(frozen=True)
class PaymentLimit:
    quarter: str
    dosage: str
    limit: Decimal | None
    coinsurance: Decimal | None
    notes: str
    source_id: str

    def text(self) -> str:
        out = (
            f"Medicare payment limit {self.quarter}: ${money_text(self.limit)} per unit ({self.dosage})"
            if self.limit is not None
            else f"Medicare payment limit {self.quarter}: none (N/A in the CMS file)"
        )
        if self.coinsurance is not None:
            out += f"; coinsurance {decimal_text(self.coinsurance)}%"
        return out + (f". {self.notes}" if self.notes else "")


@dataclass(frozen=True)
class MueLimit:
    quarter: str
    setting: MueSetting
    value: int
    mai: int
    mai_text: str
    rationale: str
    source_id: str
    shipped: bool = False  # from the data pack (no imported MUE file covers the date of service)

    def text(self) -> str:
        label = (
            f"MUE CMS {self.quarter} ({self.setting}, in the data pack)"
            if self.shipped
            else (f"MUE {self.quarter} ({self.setting})")
        )
        return f"{label}: {self.value} units, MAI {self.mai} {self.mai_text}" + (
            f" — {self.rationale}" if self.rationale else ""
        )


@dataclass(frozen=True)
class QuarterFacts:
    """The quarter covering the date of service, its payment limit, and the MUE of the case's setting."""

    quarter: str | None
    payment_limit: PaymentLimit | None = None
    mues: tuple[MueLimit, ...] = ()  # the setting's table only
    note: str = ""  # e.g. no imported quarter covers the date of service

    def warnings(self, total_units: int) -> tuple[Warning_, ...]:
        out: list[Warning_] = []
        if self.note:
            out.append(Warning_("info", self.note))
        if self.payment_limit is not None:
            out.append(Warning_("info", self.payment_limit.text(), sources=(self.payment_limit.source_id,)))
        for m in self.mues:
            if total_units > m.value:
                out.append(Warning_("warning", mue_exceeded_text(total_units, m), sources=(m.source_id,)))
            else:
                out.append(Warning_("info", m.text(), sources=(m.source_id,)))
        return tuple(out)

    def exceeded(self, total_units: int) -> tuple[MueLimit, ...]:
        """The MUEs of the setting that `total_units` exceed: every unit on the line is denied."""
        return tuple(m for m in self.mues if total_units > m.value)


def mue_exceeded_text(total_units: int, mue: MueLimit) -> str:
    """The one sentence for units above an MUE (the calculator's warning and the checklist's finding)."""
    appeal = " (MAI 3: appeal with documentation)" if mue.mai == 3 else ""
    return f"{total_units} units exceed the {mue.text()}: all units on the line are denied{appeal}"


def with_shipped_mue(
    facts: QuarterFacts | None, shipped: tuple[MueLimit, ...], setting: Setting
) -> QuarterFacts | None:
    """The data pack's MUE for the setting's table when no imported MUE file gives one: an imported quarter's
    value always wins, and the pack's is labelled with its own quarter."""
    table = MUE_TABLE_FOR_SETTING[setting]
    mine = tuple(m for m in shipped if m.setting == table)
    if not mine or (facts is not None and facts.mues):
        return facts
    return QuarterFacts(None, mues=mine) if facts is None else replace(facts, mues=mine)
