"""What a calculation gives back: containers used, claim lines, the result, and the rule ids it applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from omaliref.domain.case import Case
from omaliref.domain.model import Catalog, Code, Product
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.quantities import Quantity, plain_amount
from omaliref.domain.vocab import LineKind, WarningLevel

if TYPE_CHECKING:  # imported CMS facts exist only with an import database
    from omaliref.domain.cms_facts import QuarterFacts


NDC_QUANTITY_PLACES = 3  # claim forms take up to three decimals in the NDC quantity
CALCULABLE_UNITS = ("mg", "mcg", "g", "units", "ml")

# The rule ids of rules.toml the calculator applies; the pack loader refuses a pack that lacks one.
RULE_IDS = (
    "units-round-up",
    "waste-round-down",
    "jw-min-one-unit",
    "cap-labelled-contents",
    "single-dose-only",
    "jw-jz-not-separately-payable",
    "smallest-container",
    "jw-required",
    "jz-optional",
    "jz-required",
    "jw-jz-returned",
    "jw-jz-other-payers",
    "modifier-340b",
    "route-modifier-j0490",
    "ndc-format",
    "ndc-unit-syringe",
    "admin-code",
    "ndc-line-per-ndc",
    "jw-line-ndc",
    "payer-jw-jz-policy",
    "payer-340b-modifier",
    "payer-max-units",
)


def rule_note(catalog: Catalog, level: WarningLevel, message: str, rule: str, *, applied: bool = False) -> Notes:
    """One warning citing a rule's sources; `applied` also records the rule as applied."""
    sources = catalog.rule(rule).provenance.sources
    return Notes((Warning_(level, message, rule, sources),), (rule,) if applied else ())


@dataclass(frozen=True)
class ContainerUse:
    product: Product
    count: int


@dataclass(frozen=True)
class NdcPart:
    ndc: str
    ndc_unit: str
    ndc_quantity: Fraction
    containers: int


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...]
    units: int
    kind: LineKind
    ndc_parts: tuple[NdcPart, ...]
    note: str = ""  # the other NDCs, for a payer that wants one line (CMS-1500 item 19 / 837P NTE)
    fixed_charge: Decimal | None = None  # a token charge (a drug the practice did not buy), whatever the units
    non_covered: bool = False  # the token charge is also reported as non-covered (UB-04 FL48, 837I SV207)

    @property
    def ndc(self) -> str | None:
        return self.ndc_parts[0].ndc if len(self.ndc_parts) == 1 else None

    @property
    def ndc_unit(self) -> str | None:
        units = {p.ndc_unit for p in self.ndc_parts}
        return units.pop() if len(units) == 1 else None

    @property
    def ndc_quantity(self) -> Fraction | None:
        return self.ndc_parts[0].ndc_quantity if len(self.ndc_parts) == 1 else None

    def keyed_text(self) -> str:
        """The line as a coder keys it: J2357-JW x 15 units, N4 50242004062 UN 0.5."""
        mods = "".join(f"-{m}" for m in self.modifiers)
        ndc = "; ".join(
            f"N4{p.ndc.replace('-', '')} {p.ndc_unit}{plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES)}"
            if p.ndc_unit
            else f"N4{p.ndc.replace('-', '')} (NDC unit and quantity: see the package label)"
            for p in self.ndc_parts
        )
        token = f"  charge ${self.fixed_charge}" + (" (also non-covered)" if self.non_covered else "")
        return (
            f"{self.code}{mods} x {self.units} units"
            + (f"  NDC {ndc}" if ndc else "")
            + (token if self.fixed_charge is not None else "")
        )


@dataclass(frozen=True)
class CalcResult:
    case: Case
    code: Code
    dose: Quantity  # as the coder gave it
    containers: tuple[ContainerUse, ...]
    auto_selected: bool
    dose_in_billing_unit: Quantity
    labelled_contents: Quantity
    administered_units: int
    discarded_amount: Quantity
    discarded_units: int
    lines: tuple[ClaimLine, ...]
    warnings: tuple[Warning_, ...]
    rules: tuple[str, ...]
    admin_code_suggestion: str
    larger_container_than_needed: bool = False
    better_combination: tuple[ContainerUse, ...] = field(default=())
    quarter_facts: QuarterFacts | None = None  # imported CMS data for the date of service, when there is any

    @property
    def date_of_service(self) -> dt.date:
        return self.case.date_of_service

    @property
    def total_billed_units(self) -> int:
        return self.administered_units + self.discarded_units

    @property
    def has_jw(self) -> bool:
        return any("JW" in line.modifiers for line in self.lines)

    @property
    def has_jz(self) -> bool:
        return any("JZ" in line.modifiers for line in self.lines)

    def keyed_text(self) -> str:
        return "\n".join(line.keyed_text() for line in self.lines)


@dataclass(frozen=True)
class Units:
    labelled: Fraction  # in the billing unit's unit
    administered: int
    discarded_amount: Fraction
    discarded: int  # whole units discarded, capped by the labelled contents


@dataclass(frozen=True)
class LineCheck:
    code: str
    units: int
    correct_units: int
    ok: bool
    reasons: tuple[str, ...]
