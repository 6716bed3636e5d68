"""The dose: in the code's billing unit, within the label's limits, on a date the code is in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from omaliref.domain.calculator.results import CALCULABLE_UNITS, ClaimLine
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.model import Catalog, Code, dates_label
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.quantities import Quantity, format_amount


def dose_for_code(code: Code, dose: Quantity, catalog: Catalog) -> Quantity:
    """Express a dose in the code's billing unit, or explain why it does not fit that code."""
    unit = code.billing_unit.unit
    if dose.unit == "implant":
        implants = [p for p in catalog.products_for(code.code) if p.form == "implant"]
        if not implants:
            raise InputError(f"{code.code} is not an implant: give the dose in {unit}.", field="dose")
        if dose.amount.denominator != 1:
            raise InputError(
                f"Implants are placed whole: give a whole number of implants (e.g. 1implant), not {dose}.",
                field="dose",
            )
        return Quantity(dose.amount * implants[0].container_amount.to(unit).amount, unit)
    if dose.unit == "million units" and unit == "units":
        return dose.to("units")
    if not dose.convertible_to(unit):
        raise _lookalike_or(
            catalog,
            code,
            dose,
            InputError(
                f"A dose in {dose.unit} does not fit {code.code}, which is billed per "
                f"{format_amount(code.billing_unit.amount)} {unit}.",
                field="dose",
            ),
        )
    return dose.to(unit)


def _lookalike_or(catalog: Catalog, code: Code, dose: Quantity, fallback: InputError) -> InputError:
    """If the dose fits a code this one is commonly mistaken for, say so and point there."""
    for correction in catalog.corrections_for(code.code):
        target = catalog.codes.get(correction.points_to)
        if target is None or target.code == code.code or target.max_single_dose is None:
            continue
        limit = target.max_single_dose.quantity
        if dose.convertible_to(limit.unit) and dose.to(limit.unit).amount <= limit.amount:
            return LookalikeError(
                f"{code.code} does not fit a {dose}: {correction.right}", points_to=target.code, field="code"
            )
    return fallback


def code_in_force(code: Code, day: dt.date) -> Notes:
    """A code ended before the date of service is refused, and so is one that begins after it when CMS states the
    date; a start date the research could not settle is only flagged."""
    said = f" ({dates_label(code.dates_source)})" if code.dates_source else ""
    if code.effective_to and day > code.effective_to:
        raise InputError(
            f"{code.code} ended on {code.effective_to}{said}; for {day} use "
            f"{' or '.join(code.replaced_by) or 'its replacement'}.",
            field="code",
        )
    if code.effective_from and day < code.effective_from:
        if code.effective_from_confidence == "high":
            raise InputError(
                f"{code.code} is valid from {code.effective_from}{said}; {day} is earlier: check the date of "
                "service, or bill the code in force then.",
                field="code",
            )
        return Notes(
            (
                Warning_(
                    "warning",
                    f"{code.code} is reported effective from {code.effective_from} "
                    f"({code.effective_from_confidence or 'unknown'} confidence); {day} is earlier.",
                    sources=code.provenance.sources,
                ),
            )
        )
    return Notes()


def modifier_in_force(catalog: Catalog, text: str, day: dt.date, field: str) -> None:
    """A modifier that has ended, or not begun, on the date of service is refused with one sentence that names
    the dates, who states them, and what replaced it."""
    modifier = catalog.modifiers.get(text)
    if modifier is None or modifier.in_force_on(day):
        return
    said = f" ({dates_label(modifier.dates_source)})" if modifier.dates_source else ""
    if modifier.effective_to is not None and day > modifier.effective_to:
        instead = (
            f"; for {day} use {' or '.join(modifier.replaced_by)}" if modifier.replaced_by else f": not valid for {day}"
        )
        raise InputError(f"{modifier.code} ended on {modifier.effective_to}{said}{instead}.", field=field)
    raise InputError(f"{modifier.code} is valid from {modifier.effective_from}{said}: not for {day}.", field=field)


def lines_in_force(catalog: Catalog, lines: Iterable[ClaimLine], day: dt.date) -> None:
    """Every modifier on the lines is valid on the date of service (an imported HCPCS file may end one the pack
    still has): otherwise no lines at all."""
    for line in lines:
        for text in line.modifiers:
            modifier_in_force(catalog, text, day, "date")


def future_date(case: Case) -> Notes:
    """A date of service after the day the case is entered is allowed (scheduled doses) but never silent."""
    if case.today is not None and case.date_of_service > case.today:
        return Notes(
            (
                Warning_(
                    "warning",
                    f"The date of service {case.date_of_service} is in the future (today is "
                    f"{case.today}): check the date before billing.",
                ),
            )
        )
    return Notes()


def require_calculable(code: Code) -> None:
    if code.category != "drug" or code.billing_unit.unit not in CALCULABLE_UNITS:
        why = f" {code.notes[-1]}" if code.category == "other" and code.notes else ""  # imported: what CMS wrote
        raise InputError(
            f"{code.code} ({code.drug}) has no fixed drug billing unit to calculate with; "
            f"follow the payer's instruction.{why}",
            field="code",
        )


def dose_limits(catalog: Catalog, code: Code, given: Quantity, dose: Quantity) -> Notes:
    """Far above the largest label dose, or far below the smallest, is a slip (refused, with a suggestion when the
    number fits as billing units); above the largest or below the smallest is a warning."""
    notes = Notes()
    if code.max_single_dose is not None:
        limit = code.max_single_dose.quantity.to(dose.unit)
        if dose.amount > 4 * limit.amount:
            raise _lookalike_or(
                catalog,
                code,
                given,
                InputError(
                    f"A {given} dose is far above the largest {code.code} {code.max_single_dose.what} "
                    f"({code.max_single_dose.quantity}): check the dose and its unit.",
                    field="dose",
                ),
            )
        if dose.amount > limit.amount and code.max_single_dose.warn_above:
            notes += Notes(
                (
                    Warning_(
                        "warning",
                        f"The dose is above the largest label dose for {code.code} "
                        f"({code.max_single_dose.quantity}; {code.max_single_dose.note}).",
                        sources=code.max_single_dose.sources,
                    ),
                )
            )
    if code.min_single_dose is not None:
        lowest = code.min_single_dose.quantity.to(dose.unit)
        if dose.amount * 4 < lowest.amount:
            raise InputError(
                f"A {given} dose is far below the smallest {code.code} label dose ({code.min_single_dose.quantity}: "
                f"{code.min_single_dose.note}).{_as_billing_units(code, given)}",
                field="dose",
            )
        if dose.amount < lowest.amount:
            notes += Notes(
                (
                    Warning_(
                        "warning",
                        f"The dose is below the smallest labelled dose for {code.code} "
                        f"({code.min_single_dose.quantity}; {code.min_single_dose.note}): check the dose.",
                        sources=code.min_single_dose.sources,
                    ),
                )
            )
    return notes


def _as_billing_units(code: Code, given: Quantity) -> str:
    """' Did you mean …?' when the number typed, read as billing units, is a dose within the label range."""
    as_units = Quantity(given.amount * code.billing_unit.amount, code.billing_unit.unit)
    lowest, highest = code.min_single_dose, code.max_single_dose
    if lowest is None or not as_units.convertible_to(lowest.quantity.unit):
        return ""
    amount = as_units.to(lowest.quantity.unit).amount
    if amount < lowest.quantity.amount or (highest and amount > highest.quantity.to(lowest.quantity.unit).amount):
        return ""
    shown, typed = (
        f"{format_amount(as_units.amount)} {as_units.unit}",
        f"{format_amount(as_units.amount)}{as_units.unit}",
    )
    if as_units.unit == "units" and as_units.amount >= 1_000_000:
        millions = format_amount(as_units.amount / 1_000_000)
        shown, typed = f"{millions} MU = {shown}", f"{millions}MU"
    return f" Did you mean {format_amount(given.amount)} billing units, {shown}? Type the dose itself (e.g. {typed})."


def code_notes(catalog: Catalog, code: Code) -> Notes:
    """An unverified billing unit, and corrections the pack says to show with every calculation."""
    out: list[Warning_] = []
    if not code.unit_verified:
        out.append(
            Warning_(
                "warning",
                f"The {code.code} billing unit ({format_amount(code.billing_unit.amount)} "
                f"{code.billing_unit.unit}) is NOT verified against the CMS HCPCS file: confirm it with "
                "the payer before billing.",
                sources=code.provenance.sources,
            )
        )
    out += [
        Warning_("warning", c.right, sources=c.provenance.sources)
        for c in catalog.corrections_for(code.code)
        if c.always_show
    ]
    return Notes(tuple(out))
