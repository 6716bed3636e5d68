"""Unit & waste calculator: a Case -> the claim lines a coder keys, with the reason for every number.

`calculate` is a sequence of named steps. Each step returns its own `Notes` (warnings and the ids of the rules in
rules.toml it applied); nothing mutates a shared list. Arithmetic is exact (Fraction); nothing here reads files,
the clock or Qt. The steps live in the modules of this package (dose, containers, modifiers, lines, claim_notes,
calculation, check); every name other modules use is re-exported here.
"""

from omaliref.domain.calculator.calculation import calculate, with_quarter_facts
from omaliref.domain.calculator.check import check_line
from omaliref.domain.calculator.claim_notes import admin_code, dated_values, ndc_notes, package_notes, payer_limits
from omaliref.domain.calculator.containers import (
    best_combination,
    chosen_containers,
    count_units,
    least_waste_counts,
    named_containers,
    selectable,
    smallest_container,
)
from omaliref.domain.calculator.dose import (
    code_in_force,
    code_notes,
    dose_for_code,
    dose_limits,
    future_date,
    lines_in_force,
    modifier_in_force,
    require_calculable,
)
from omaliref.domain.calculator.lines import (
    DEVICE_FORMS,
    MEDICARE_PAPER_QUANTITY_WIDTH,
    MEDICARE_PAPER_UNITS,
    NOTE_MAX,
    NdcGroup,
    _other_ndcs,
    claim_lines,
    claim_ndc_unit,
    medicare_paper,
    ndc_groups,
)
from omaliref.domain.calculator.modifiers import (
    NOT_BOUGHT_MODIFIERS,
    _in_second_place,
    drug_supplied_by,
    label_confirmed,
    modifier_340b,
    route_modifier,
    waste_modifiers,
    waste_modifiers_allowed,
)
from omaliref.domain.calculator.results import (
    CALCULABLE_UNITS,
    NDC_QUANTITY_PLACES,
    RULE_IDS,
    CalcResult,
    ClaimLine,
    ContainerUse,
    LineCheck,
    NdcPart,
    Units,
)
from omaliref.domain.case import MAX_CONTAINERS
from omaliref.domain.notes import Notes, Warning_

__all__ = [
    "CALCULABLE_UNITS",
    "DEVICE_FORMS",
    "MAX_CONTAINERS",
    "MEDICARE_PAPER_QUANTITY_WIDTH",
    "MEDICARE_PAPER_UNITS",
    "NDC_QUANTITY_PLACES",
    "NOTE_MAX",
    "NOT_BOUGHT_MODIFIERS",
    "RULE_IDS",
    "CalcResult",
    "ClaimLine",
    "ContainerUse",
    "LineCheck",
    "NdcGroup",
    "NdcPart",
    "Notes",
    "Units",
    "Warning_",
    "_in_second_place",
    "_other_ndcs",
    "admin_code",
    "best_combination",
    "calculate",
    "check_line",
    "chosen_containers",
    "claim_lines",
    "claim_ndc_unit",
    "code_in_force",
    "code_notes",
    "count_units",
    "dated_values",
    "dose_for_code",
    "dose_limits",
    "drug_supplied_by",
    "future_date",
    "label_confirmed",
    "least_waste_counts",
    "lines_in_force",
    "medicare_paper",
    "modifier_340b",
    "modifier_in_force",
    "named_containers",
    "ndc_groups",
    "ndc_notes",
    "package_notes",
    "payer_limits",
    "require_calculable",
    "route_modifier",
    "selectable",
    "smallest_container",
    "waste_modifiers",
    "waste_modifiers_allowed",
    "with_quarter_facts",
]
