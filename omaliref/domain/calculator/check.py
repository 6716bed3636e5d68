"""Check my line: the units a coder intends to bill against the correct ones, with the reason for a mismatch."""

from __future__ import annotations

from fractions import Fraction

from omaliref.domain.calculator.calculation import calculate
from omaliref.domain.calculator.dose import dose_for_code, dose_limits, require_calculable
from omaliref.domain.calculator.results import LineCheck
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog
from omaliref.domain.quantities import format_amount


def check_line(catalog: Catalog, case: Case) -> LineCheck:
    """Compare the units a coder intends to bill with the correct administered units; explain a mismatch."""
    code = catalog.code(case.code)
    if case.dose is None or case.units_intended is None:
        raise InputError("Give the dose and the units you intend to bill.", field="units")
    units_intended = case.units_intended
    require_calculable(code)
    amount = dose_for_code(code, case.dose, catalog)
    dose_limits(catalog, code, case.dose, amount)
    billing = code.billing_unit.amount
    correct = -int(-amount.amount // billing)
    reasons: list[str] = []
    per = f"{format_amount(billing)} {amount.unit}"
    if units_intended == correct:
        reasons.append(
            f"{units_intended} units match {format_amount(amount.amount)} {amount.unit} ÷ {per} per unit, rounded up."
        )
    else:
        if Fraction(units_intended) == amount.amount and billing != 1:
            reasons.append(
                f"{units_intended} looks like the dose in {amount.unit} keyed as units: {code.code} is "
                f"{per} per unit, so {format_amount(amount.amount)} {amount.unit} = {correct} units."
            )
        elif units_intended > correct and units_intended % correct == 0:
            reasons.append(
                f"{units_intended} is {units_intended // correct} times the correct {correct} units: "
                f"check the unit size ({per} per unit)."
            )
        else:
            reasons.append(
                f"The correct administered units are {correct} ({format_amount(amount.amount)} "
                f"{amount.unit} ÷ {per}, rounded up), not {units_intended}."
            )
        for lookalike in code.lookalikes:
            other = catalog.codes.get(lookalike)
            if (
                other
                and other.billing_unit.convertible_to(amount.unit)
                and other.billing_unit.amount != billing
                and amount.to(other.billing_unit.unit).amount / other.billing_unit.amount == units_intended
            ):
                reasons.append(
                    f"{units_intended} units is what the dose would be under {other.code} "
                    f"({other.drug}, {format_amount(other.billing_unit.amount)} "
                    f"{other.billing_unit.unit} per unit) — unit size confusion."
                )
    if case.containers:
        result = calculate(catalog, case)  # containers hold enough: else an InputError says so
        if units_intended > result.labelled_contents.amount / billing:
            reasons.append(
                f"{units_intended} units is more than the containers opened hold "
                f"({result.labelled_contents}, {int(result.labelled_contents.amount / billing)} units)."
            )
    return LineCheck(code.code, units_intended, correct, units_intended == correct, tuple(reasons))
