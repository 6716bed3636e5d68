"""The whole calculation: the steps in order, each returning its notes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from omaliref.domain.calculator.claim_notes import admin_code, dated_values, ndc_notes, package_notes, payer_limits
from omaliref.domain.calculator.containers import chosen_containers, count_units, named_containers, smallest_container
from omaliref.domain.calculator.dose import (
    code_in_force,
    code_notes,
    dose_for_code,
    dose_limits,
    future_date,
    lines_in_force,
    require_calculable,
)
from omaliref.domain.calculator.lines import claim_lines, medicare_paper
from omaliref.domain.calculator.modifiers import (
    NOT_BOUGHT_MODIFIERS,
    _in_second_place,
    drug_supplied_by,
    modifier_340b,
    route_modifier,
    waste_modifiers,
    waste_modifiers_allowed,
)
from omaliref.domain.calculator.results import CalcResult, ClaimLine, ContainerUse, Units
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.quantities import Quantity
from omaliref.domain.vocab import FORM_FOR_SETTING

if TYPE_CHECKING:  # imported CMS facts exist only with an import database
    from omaliref.domain.cms_facts import QuarterFacts


def calculate(catalog: Catalog, case: Case) -> CalcResult:
    """Apply the rules in force on the date of service and return the claim lines with their reasons."""
    if case.dose is None:
        raise InputError("Type the dose given, e.g. 375mg.", field="dose")
    code = catalog.code(case.code)
    day = case.date_of_service
    notes = code_in_force(code, day) + future_date(case)
    require_calculable(code)
    dose = dose_for_code(code, case.dose, catalog)
    notes += dose_limits(catalog, code, case.dose, dose) + code_notes(catalog, code)

    auto = not case.containers
    if auto:
        containers, chosen = chosen_containers(catalog, code, dose, day, case.single_dose_confirmed)
        notes += chosen
    else:
        containers = named_containers(catalog, code, case, dose.unit)
    units, counted = count_units(code, containers, dose)
    emit_jw, emit_jz, m340b, route, modifier_notes = _modifiers(catalog, code, case, units, containers)
    notes += counted + modifier_notes
    better: tuple[ContainerUse, ...] = ()
    if not auto:
        better, smaller = smallest_container(
            catalog, code, dose, day, units.discarded_amount, case.single_dose_confirmed
        )
        notes += smaller
    form = FORM_FOR_SETTING[case.setting]
    lines = _placed_lines(code, case, containers, dose, units, (emit_jw, emit_jz), m340b, route)
    lines_in_force(catalog, lines, day)
    notes += medicare_paper(lines, case.payer_profile, form) + dated_values(case.payer_profile, bool(m340b))
    if auto:
        notes += Notes(rules=("smallest-container",))
    notes += ndc_notes(catalog, containers, lines, case.payer_profile) + package_notes(containers, day)
    notes += payer_limits(catalog, code, lines, case.payer_profile) + Notes(rules=("admin-code",))
    administration = admin_code(catalog, code, case, containers)  # by the containers' route, as its own line says
    lines, supplied = drug_supplied_by(catalog, case, lines, administration)
    notes += supplied
    return CalcResult(
        case=case,
        code=code,
        dose=case.dose,
        containers=containers,
        auto_selected=auto,
        dose_in_billing_unit=dose,
        labelled_contents=Quantity(units.labelled, dose.unit),
        administered_units=units.administered,
        discarded_amount=Quantity(units.discarded_amount, dose.unit),
        discarded_units=units.discarded if emit_jw else 0,
        lines=lines,
        warnings=notes.warnings,
        rules=tuple(dict.fromkeys(notes.rules)),
        admin_code_suggestion=administration,
        larger_container_than_needed=bool(better),
        better_combination=better,
    )


def _modifiers(
    catalog: Catalog, code: Code, case: Case, units: Units, containers: tuple[ContainerUse, ...]
) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...], Notes]:
    """JW, JZ, the 340B modifier and the route modifier, with their notes in the order the coder reads them."""
    allowed, eligibility = waste_modifiers_allowed(catalog, case, containers)
    emit_jw, emit_jz, waste = waste_modifiers(catalog, case, units, allowed, code, containers)
    m340b, m340b_notes = modifier_340b(catalog, case)
    if case.supplied_by != "practice":  # not bought: not separately payable, not 340B-acquired
        emit_jw = emit_jz = False
        waste = Notes((Warning_("info", NOT_BOUGHT_MODIFIERS),))
    route, route_notes = route_modifier(catalog, code, case, containers)
    return emit_jw, emit_jz, m340b, route, eligibility + waste + m340b_notes + route_notes


def _placed_lines(
    code: Code,
    case: Case,
    containers: tuple[ContainerUse, ...],
    dose: Quantity,
    units: Units,
    waste: tuple[bool, bool],
    m340b: tuple[str, ...],
    route: tuple[str, ...],
) -> tuple[ClaimLine, ...]:
    """The claim lines with the 340B modifier where the payer puts it on the UB-04 (Illinois first, South Carolina
    second: rule payer-340b-modifier); elsewhere it follows the others."""
    form = FORM_FOR_SETTING[case.setting]
    position = (
        case.payer_profile.modifier_340b_ub04_position if m340b and form == "ub04" and case.payer != "medicare" else 0
    )
    leading = m340b if position == 1 else ()
    extra = route if leading else m340b + route
    lines = claim_lines(code, containers, dose, units, *waste, extra, case.payer_profile, leading)
    if position == 2:
        lines = tuple(replace(line, modifiers=_in_second_place(line.modifiers, m340b[0])) for line in lines)
    return lines


def with_quarter_facts(result: CalcResult, facts: QuarterFacts | None) -> CalcResult:
    """The quarter's payment limit and the setting's MUE added to a calculation (see cms_facts); a code the pack
    says has no payment limit yet says so while no imported quarter gives one."""
    unpriced: tuple[Warning_, ...] = ()
    if result.code.pricing_note and (facts is None or facts.payment_limit is None):
        unpriced = (Warning_("warning", result.code.pricing_note, sources=result.code.provenance.sources),)
    if facts is None:
        return replace(result, warnings=result.warnings + unpriced)
    warnings = result.warnings + unpriced + facts.warnings(result.total_billed_units)
    return replace(result, warnings=warnings, quarter_facts=facts)
