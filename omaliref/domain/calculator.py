"""Unit & waste calculator: a Case -> the claim lines a coder keys, with the reason for every number.

`calculate` is a sequence of named steps. Each step returns its own `Notes` (warnings and the ids of the rules in
rules.toml it applied); nothing mutates a shared list. Arithmetic is exact (Fraction); nothing here reads files,
the clock or Qt.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from math import gcd, lcm
from typing import TYPE_CHECKING

from omaliref.domain.case import MAX_CONTAINERS, Case
from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.model import Catalog, Code, Product, dates_label
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import Quantity, format_amount, plain_amount
from omaliref.domain.supply import NOT_KNOWN_SOURCES, supply_not_known, supply_rule_for
from omaliref.domain.vocab import (
    FORM_FOR_SETTING,
    MEDICARE_340B_MODIFIERS,
    SUPPLIER_TEXT,
    LineKind,
    ProductForm,
    WarningLevel,
)

if TYPE_CHECKING:  # imported CMS facts exist only with an import database
    from omaliref.domain.cms_facts import QuarterFacts

__all__ = ["Notes", "Warning_"]  # re-exported: the calculator's public result types

NDC_QUANTITY_PLACES = 3  # claim forms take up to three decimals in the NDC quantity
CALCULABLE_UNITS = ("mg", "mcg", "g", "units", "ml")

# The rule ids of rules.toml this module applies; the pack loader refuses a pack that lacks one.
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


def _note(catalog: Catalog, level: WarningLevel, message: str, rule: str, *, applied: bool = False) -> Notes:
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


# -- the dose --------------------------------------------------------------------------------------------------


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


# -- containers ------------------------------------------------------------------------------------------------


def selectable(catalog: Catalog, code: Code, day: dt.date, single_dose_confirmed: bool = False) -> list[Product]:
    """Packages the calculator may choose by itself on this date: verified ones, and imported CMS packages (NDC and
    contents from the crosswalk) once the coder has confirmed single-dose from the label."""
    return [
        p
        for p in catalog.products_for(code.code)
        if p.auto_select
        and (p.verified or (p.container_type == "unknown" and p.presentation_verified and single_dose_confirmed))
        and not (p.marketing_start and p.marketing_start > day)
    ]


def best_combination(products: list[Product], dose: Fraction, unit: str) -> tuple[ContainerUse, ...]:
    """The combination that wastes least, then uses fewest containers, then the most of the larger packages.

    One product per distinct size: among same-size packages a verified one, then a listed one, then the lowest NDC
    stands for the size, so ties never depend on file order (and the 75 and 300 mg Xolair syringes are chosen
    alike, never a syringe and an autoinjector by their records' confidence). The search is a
    reachability table over container counts (bitsets over the amounts reachable with at most k containers), so it
    is polynomial in the number of sizes and the container cap — never a walk over every combination.
    """
    by_size: dict[Fraction, Product] = {}
    for product in sorted(
        products,
        key=lambda p: (not p.verified, p.marketing_status != "listed", p.ndc),
    ):
        by_size.setdefault(product.container_amount.to(unit).amount, product)
    sizes = sorted(by_size, reverse=True)
    counts = least_waste_counts(sizes, dose, MAX_CONTAINERS)
    return tuple(ContainerUse(by_size[s], c) for s, c in zip(sizes, counts, strict=False) if c)


def least_waste_counts(sizes: list[Fraction], dose: Fraction, cap: int) -> tuple[int, ...]:
    """Counts per size (sizes largest first) covering `dose` with least waste, then fewest containers, then the
    most of the larger sizes; () when `cap` containers cannot cover the dose."""
    if not sizes or dose <= 0 or dose > cap * sizes[0]:
        return ()
    scale = lcm(*(s.denominator for s in sizes), dose.denominator)
    steps = [int(s * scale) for s in sizes]
    grid = gcd(*steps)
    steps = [s // grid for s in steps]
    need = -(-int(dose * scale) // grid)  # amounts are compared on the grid; the dose rounds up to it
    # No optimum reaches need + the largest size: dropping any one of its containers would still cover the dose.
    width = need + max(steps)
    mask = (1 << width) - 1
    reach = [1]  # reach[k]: bit t set when amount t (on the grid) is reachable with at most k containers
    at_least_need = ~((1 << need) - 1)
    for _ in range(cap):
        prev = reach[-1]
        nxt = prev
        for step in steps:
            nxt |= (prev << step) & mask
        reach.append(nxt)
        if nxt == prev:
            break
    covering = reach[-1] & at_least_need & mask
    if not covering:
        return ()
    total = (covering & -covering).bit_length() - 1  # the least reachable amount that covers the dose
    k = next(i for i, r in enumerate(reach) if r >> total & 1)
    counts = [0] * len(steps)
    while total:  # largest size first whenever the rest stays reachable with one container fewer
        k -= 1
        index = next(i for i, s in enumerate(steps) if total >= s and reach[k] >> (total - s) & 1)
        counts[index] += 1
        total -= steps[index]
    return tuple(counts)


def named_containers(catalog: Catalog, code: Code, case: Case, unit: str) -> tuple[ContainerUse, ...]:
    """The containers the coder named, merged by NDC, largest first; an NDC of another code is explained."""
    counts: Counter[str] = Counter()
    products: dict[str, Product] = {}
    for ndc_text, count in case.containers:
        product = catalog.product(ndc_text)
        if product.code != code.code:
            other = catalog.codes[product.code]
            message = (
                f"NDC {product.ndc} is {product.brand} ({other.drug}), billed under {other.code}, not {code.code}."
            )
            corrections = [c for c in catalog.corrections_for(code.code) if c.points_to == other.code]
            if corrections:
                raise LookalikeError(f"{message} {corrections[0].right}", points_to=other.code, field="containers")
            raise InputError(message, field="containers")
        counts[product.ndc] += count
        products[product.ndc] = product
    if sum(counts.values()) > MAX_CONTAINERS:
        raise InputError(f"More than {MAX_CONTAINERS} containers in all: check the counts.", field="containers")
    return tuple(
        ContainerUse(products[n], c)
        for n, c in sorted(counts.items(), key=lambda kv: -products[kv[0]].container_amount.to(unit).amount)
    )


def chosen_containers(
    catalog: Catalog, code: Code, dose: Quantity, day: dt.date, single_dose_confirmed: bool = False
) -> tuple[tuple[ContainerUse, ...], Notes]:
    """Rule smallest-container: the least-waste combination of the packages the calculator may choose."""
    candidates = selectable(catalog, code, day, single_dose_confirmed)
    if not candidates:
        hint = " ".join(c.right for c in catalog.corrections_for(code.code) if c.always_show)
        unconfirmed = any(p.auto_select and p.container_type == "unknown" for p in catalog.products_for(code.code))
        reason = (
            "name the NDC opened (from the package list, or --package) and, if its label says single-dose, "
            "confirm single-dose from the label ('Label says single-dose', or --single-dose) for JW/JZ"
            if unconfirmed
            else "name the NDC opened"
        )
        raise InputError(
            f"The data pack has no packages for {code.code} ({code.drug}) that can be chosen automatically (only "
            f"verified packages are): {reason}. {hint}".strip(),
            field="containers",
        )
    best = best_combination(candidates, dose.amount, dose.unit)
    if not best:
        raise InputError(
            f"The dose needs more than {MAX_CONTAINERS} containers: check the dose and its unit.", field="dose"
        )
    return best, Notes(
        (
            Warning_(
                "info",
                "Containers chosen automatically (least waste, then fewest containers): "
                + " + ".join(f"{c.count} x {c.product.container_amount} ({c.product.ndc})" for c in best)
                + ". Enter the NDCs actually opened if they differ.",
                rule="smallest-container",
            ),
        )
    )


def smallest_container(
    catalog: Catalog,
    code: Code,
    dose: Quantity,
    day: dt.date,
    discarded: Fraction,
    single_dose_confirmed: bool = False,
) -> tuple[tuple[ContainerUse, ...], Notes]:
    """Rule smallest-container, for containers the coder named: would smaller ones have wasted less?"""
    best = best_combination(selectable(catalog, code, day, single_dose_confirmed), dose.amount, dose.unit)
    if not best:
        return (), Notes()
    best_waste = (
        sum((c.product.container_amount.to(dose.unit).amount * c.count for c in best), Fraction(0)) - dose.amount
    )
    if best_waste >= discarded:
        return (), Notes()
    return best, _note(
        catalog,
        "warning",
        "Smaller containers would have covered the dose with less waste ("
        + " + ".join(f"{c.count} x {c.product.container_amount} {c.product.ndc}" for c in best)
        + f", {format_amount(best_waste)} {dose.unit} waste): a payer may question this waste.",
        "smallest-container",
        applied=True,
    )


# -- units -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    labelled: Fraction  # in the billing unit's unit
    administered: int
    discarded_amount: Fraction
    discarded: int  # whole units discarded, capped by the labelled contents


def count_units(code: Code, containers: tuple[ContainerUse, ...], dose: Quantity) -> tuple[Units, Notes]:
    """Rules units-round-up and waste-round-down."""
    billing = code.billing_unit.amount
    labelled = sum((c.product.container_amount.to(dose.unit).amount * c.count for c in containers), Fraction(0))
    if labelled < dose.amount:
        raise InputError(
            f"The containers opened hold {format_amount(labelled)} {dose.unit}, less than the "
            f"{format_amount(dose.amount)} {dose.unit} dose: add the containers used.",
            field="containers",
        )
    total_units = int(labelled / billing)
    administered = -int(-dose.amount // billing)
    discarded = labelled - dose.amount
    units = Units(labelled, administered, discarded, min(int(discarded // billing), total_units - administered))
    return units, Notes(rules=("units-round-up",) + (("waste-round-down",) if discarded else ()))


# -- modifiers -------------------------------------------------------------------------------------------------


def label_confirmed(catalog: Catalog, case: Case, containers: tuple[ContainerUse, ...]) -> list[ContainerUse]:
    """The containers of unknown single-dose status whose label the coder confirmed: an NDC the coder named and
    confirmed, never one the calculator chose (one tick once covered whatever package it then picked, #25)."""
    if not case.containers:
        return []
    named: set[str] = set()
    for text in case.single_dose_ndcs:
        try:
            named.add(catalog.product(text).ndc)
        except InputError:
            continue  # an NDC no longer named, or mistyped: it confirms nothing
    return [c for c in containers if c.product.container_type == "unknown" and c.product.ndc in named]


def waste_modifiers_allowed(catalog: Catalog, case: Case, containers: tuple[ContainerUse, ...]) -> tuple[bool, Notes]:
    """Rules jw-jz-not-separately-payable and single-dose-only: may JW/JZ appear at all?"""
    confirmed = label_confirmed(catalog, case, containers)
    single_dose = all(c.product.single_dose or c in confirmed for c in containers)
    notes = Notes()
    if confirmed:
        notes += Notes(
            (
                Warning_(
                    "info",
                    "Single-dose status of "
                    + ", ".join(c.product.ndc for c in confirmed)
                    + " confirmed by you from the label (the data does not give it).",
                    rule="single-dose-only",
                ),
            )
        )
    allowed = True
    if not case.separately_payable:
        allowed = False
        notes += _note(
            catalog,
            "info",
            "Not separately payable (packaged OPPS, FQHC/RHC or CAP): no JW/JZ.",
            "jw-jz-not-separately-payable",
            applied=True,
        )
    elif not single_dose:
        allowed = False
        unknown = [c.product.ndc for c in containers if c.product.container_type == "unknown"]
        if unknown and not case.containers:
            text = (
                "Single-dose status of " + ", ".join(unknown) + ", chosen by the calculator, is not established: "
                "JW/JZ not applied. A single-dose confirmation covers only an NDC you name: name the NDC opened "
                "(the package list, or --package) and, if its label says single-dose, confirm it ('Label says "
                "single-dose', or --single-dose) to apply JW/JZ."
            )
        elif unknown:
            text = (
                "Single-dose status of " + ", ".join(unknown) + " is not established: JW/JZ not applied. If the "
                "label says single-dose, confirm it ('Label says single-dose', or --single-dose) to apply JW/JZ."
            )
        else:
            text = "Multi-dose container: JW/JZ never apply."
        notes += _note(catalog, "warning", text, "single-dose-only", applied=True)
    inferred = sorted(
        {c.product.ndc for c in containers if c.product.single_dose and c.product.container_type_confidence != "high"}
    )
    if inferred:
        notes += Notes(
            (
                Warning_(
                    "info",
                    "Single-dose status of a container used is inferred ("
                    + ", ".join(inferred)
                    + "); JW/JZ are shown on that basis.",
                ),
            )
        )
    return allowed, notes


def waste_modifiers(
    catalog: Catalog,
    case: Case,
    units: Units,
    allowed: bool,
    code: Code | None = None,
    containers: tuple[ContainerUse, ...] = (),
) -> tuple[bool, bool, Notes]:
    """Rules jw-min-one-unit, cap-labelled-contents, jw-required, jz-optional, jz-required, jw-jz-returned,
    jw-jz-other-payers and payer-jw-jz-policy, in force on the date of service: (emit JW, emit JZ, notes)."""
    day = case.date_of_service
    notes = Notes()
    emit_jw = allowed and units.discarded >= 1
    if allowed and units.discarded_amount and units.discarded < 1:
        notes += Notes(rules=("jw-min-one-unit",))
    jw_rule, jz_opt, jz_req = catalog.rule("jw-required"), catalog.rule("jz-optional"), catalog.rule("jz-required")
    if emit_jw:
        notes += Notes(rules=("cap-labelled-contents",))
        if jw_rule.in_force_on(day):
            notes += Notes(rules=("jw-required",))
        else:
            notes += _note(catalog, "info", jw_rule.before_note, "jw-required")
    emit_jz = False
    if allowed and not emit_jw:
        if jz_req.in_force_on(day):
            emit_jz = True
            notes += Notes(
                rules=("jz-required",)
                + (("jw-jz-returned",) if catalog.rule("jw-jz-returned").in_force_on(day) else ())
            )
        elif jz_opt.in_force_on(day):
            emit_jz = True
            notes += _note(
                catalog,
                "info",
                f"JZ is optional for dates of service before {jz_req.effective_from}; "
                "shown because nothing was discarded.",
                "jz-optional",
                applied=True,
            )
        elif jz_opt.effective_from and day < jz_opt.effective_from:
            notes += _note(
                catalog, "info", f"JZ did not exist before {jz_opt.effective_from}: not emitted.", "jz-optional"
            )
    profile = case.payer_profile
    if profile.jw_jz != "medicare" and (emit_jw or emit_jz or units.discarded >= 1):
        emit_jw, emit_jz, policy = _payer_waste_policy(catalog, profile, emit_jw, emit_jz, code, containers)
        return emit_jw, emit_jz, notes + policy
    if (emit_jw or emit_jz) and case.payer != "medicare":
        notes += _note(
            catalog,
            "warning",
            f"JW/JZ shown by the Medicare convention ({profile.name}); {case.payer} plans vary — check this payer's "
            "rule.",
            "jw-jz-other-payers",
            applied=True,
        )
    return emit_jw, emit_jz, notes


def _payer_waste_policy(
    catalog: Catalog,
    profile: PayerProfile,
    emit_jw: bool,
    emit_jz: bool,
    code: Code | None,
    containers: tuple[ContainerUse, ...],
) -> tuple[bool, bool, Notes]:
    """Rule payer-jw-jz-policy: the payer profile's own JW/JZ policy replaces the Medicare convention."""
    if profile.jw_jz == "none":
        jw, jz, text = False, False, "no JW or JZ"
    elif profile.jw_jz == "jw-only":
        jw, jz, text = emit_jw, False, "JW for waste, no JZ"
    else:  # jw-weight-based-only
        weight_vials = bool(code and code.weight_based) and all(c.product.form == "vial" for c in containers)
        jw, jz = emit_jw and weight_vials, False
        text = "JW only for weight-based drugs from single-dose vials; JZ not addressed, so not added" + (
            "" if weight_vials or not emit_jw else " — this case is not one, so its waste is not billed"
        )
    basis = profile.provenance("jw_jz")
    whose = "" if basis.bounded else f"; {basis.describe()}"  # a dated value is explained by dated_values
    said = f"{profile.name}: {text} (payer profile{whose})."
    if profile.kind == "medicare":  # Medicare's own rule is JW/JZ: a profile of that kind turning it off is a risk
        said += (
            " Medicare requires JW or JZ on separately payable drugs from single-dose containers: check this profile."
        )
    level: WarningLevel = "warning" if profile.kind == "medicare" else "info"
    policy = _note(catalog, level, said, "payer-jw-jz-policy", applied=True)
    return jw, jz, policy


NOT_BOUGHT_MODIFIERS = (
    "No JW/JZ: the practice did not buy this drug, and the JW/JZ policy covers separately payable drugs "
    "(inferred: no source addresses a no-cost line)."
)


def drug_supplied_by(catalog: Catalog, case: Case, lines: tuple[ClaimLine, ...]) -> tuple[tuple[ClaimLine, ...], Notes]:
    """A drug the practice did not buy: the payer's rule for its line (token charge, or left off), from supply.toml;
    where no rule is known the lines stay as computed and a warning lists the choices (the checklist holds a
    blocker), so a paid drug line is never shown without a word."""
    if case.supplied_by == "practice":
        return lines, Notes()
    profile = case.payer_profile
    who = SUPPLIER_TEXT[case.supplied_by]
    rule = supply_rule_for(catalog.supply_rules, profile.id, case.payer, case.setting, case.supplied_by)
    if rule is None:
        return lines, Notes((Warning_("warning", supply_not_known(profile.name, who), sources=NOT_KNOWN_SOURCES),))
    said = f"Drug supplied by {who}: {rule.text}"
    if rule.action == "leave-off":
        text = f"{said} The drug line is left off; bill the administration ({admin_code_text(case)}) alone."
        return (), Notes((Warning_("warning", text, sources=rule.provenance.sources),))
    token = tuple(replace(line, fixed_charge=rule.charge, non_covered=rule.non_covered) for line in lines)
    charged = f" Each drug line is charged ${rule.charge}" + (", the same as non-covered." if rule.non_covered else ".")
    return token, Notes((Warning_("warning", said + charged, sources=rule.provenance.sources),))


def admin_code_text(case: Case) -> str:
    return "96372" if case.setting == "office" else "the administration code"


def modifier_340b(catalog: Catalog, case: Case) -> tuple[tuple[str, ...], Notes]:
    """Rules modifier-340b (Medicare; a modifier not in force on the date of service, such as JG from 2025, is
    refused) and payer-340b-modifier (other payers' profiles)."""
    if not case.modifier_340b:
        return (), Notes()
    if case.supplied_by != "practice":
        raise InputError(
            f"A 340B modifier marks a drug the practice bought under 340B, but this one was supplied by "
            f"{SUPPLIER_TEXT[case.supplied_by]}: remove one of them.",
            field="340b",
        )
    if case.payer != "medicare":
        return _payer_340b(catalog, case)
    if case.modifier_340b not in MEDICARE_340B_MODIFIERS:
        raise InputError(
            f"{case.modifier_340b} is a Medicaid program's 340B modifier; Medicare Part B uses JG or TB.", field="340b"
        )
    rule, day = catalog.rule("modifier-340b"), case.date_of_service
    if not case.separately_payable:
        return (), _note(
            catalog, "info", "340B modifier not added: the requirement covers separately payable Part B drugs.", rule.id
        )
    if not rule.in_force_on(day):
        return (), _note(
            catalog, "warning", f"{case.modifier_340b} did not exist before {rule.effective_from}: not added.", rule.id
        )
    modifier_in_force(catalog, case.modifier_340b, day, "340b")
    return (case.modifier_340b,), Notes(rules=(rule.id,))


def _payer_340b(catalog: Catalog, case: Case) -> tuple[tuple[str, ...], Notes]:
    """Rule payer-340b-modifier: a non-Medicare payer's 340B modifier comes from its profile."""
    profile = case.payer_profile
    if profile.modifier_340b == "none":
        return (), _note(
            catalog,
            "info",
            f"340B modifier not added: {profile.name} names no 340B modifier (the JG/TB requirement in the data pack "
            f"is Medicare Part B's); check {case.payer} rules.",
            "modifier-340b",
        )
    notes = Notes(rules=("payer-340b-modifier",))
    if case.modifier_340b != profile.modifier_340b:
        notes += _note(
            catalog,
            "warning",
            f"{profile.name} uses {profile.modifier_340b} for 340B drugs, not {case.modifier_340b}: "
            f"{profile.modifier_340b} is on the lines.",
            "payer-340b-modifier",
        )
    return (profile.modifier_340b,), notes


def _in_second_place(modifiers: tuple[str, ...], modifier: str) -> tuple[str, ...]:
    """The modifier moved to the second position (first when it is alone)."""
    rest = tuple(m for m in modifiers if m != modifier)
    return rest[:1] + (modifier,) + rest[1:]


ROUTE_MODIFIERS = {"IV": "JA", "SC": "JB"}


def route_modifier(
    catalog: Catalog, code: Code, case: Case, containers: tuple[ContainerUse, ...]
) -> tuple[tuple[str, ...], Notes]:
    """Rule route-modifier-j0490: JA (IV) or JB (SC) on a multi-route code, for Medicare."""
    if not code.route_modifier_required:
        return (), Notes()
    rule = catalog.rule("route-modifier-j0490")
    routes = {c.product.route for c in containers}
    if len(routes) > 1:
        raise InputError(
            f"{code.code}: IV and SC containers on one claim line; enter one route at a time.", field="containers"
        )
    route_mod = ROUTE_MODIFIERS.get(routes.pop())
    if route_mod is None:
        return (), Notes()
    if case.payer == "medicare" and rule.in_force_on(case.date_of_service):
        notes = Notes(rules=(rule.id,))
        if route_mod == "JB":
            notes += _note(
                catalog,
                "warning",
                f"{code.code} given SC: Medicare MACs list SC belimumab as "
                "self-administered — the line is expected to be denied.",
                rule.id,
            )
        return (route_mod,), notes
    reason = (
        rule.before_note
        if not rule.in_force_on(case.date_of_service)
        else (f"{case.payer} plans vary; some (e.g. Priority Health) require it.")
    )
    return (), _note(catalog, "info", f"Route modifier {route_mod} not added: {reason}", rule.id)


# -- lines and the notes about them ----------------------------------------------------------------------------


DEVICE_FORMS: tuple[ProductForm, ...] = ("prefilled-syringe", "autoinjector")


def claim_ndc_unit(product: Product, profile: PayerProfile) -> tuple[str, Fraction]:
    """The NDC unit a payer wants for one container and one container's quantity in it: a prefilled syringe or
    autoinjector counts as 1 UN when the profile says so, else the package's own unit (ML for devices)."""
    if product.form in DEVICE_FORMS and profile.ndc_unit_devices == "UN" and product.ndc_unit:
        return "UN", Fraction(1)
    return product.ndc_unit, product.ndc_quantity


@dataclass(frozen=True)
class NdcGroup:
    """The containers of one NDC, what of the dose they gave and what of them was thrown away."""

    use: ContainerUse
    unit: str  # the NDC unit of measure on the claim
    quantity: Fraction  # NDC quantity of all its containers
    given: Fraction  # amount of the dose drawn from them (in the billing unit's unit)
    given_units: int
    discarded_units: int

    @property
    def labelled(self) -> Fraction:
        return self.use.product.container_amount.amount * self.use.count

    def part(self, amount: Fraction) -> NdcPart:
        """This NDC with the quantity for `amount` of its contents (the amount given, or the amount wasted)."""
        share = amount / self.labelled if self.labelled else Fraction(0)
        return NdcPart(self.use.product.ndc, self.unit, self.quantity * share, self.use.count)


def ndc_groups(
    containers: tuple[ContainerUse, ...], dose: Quantity, billing: Fraction, discarded: int, profile: PayerProfile
) -> tuple[NdcGroup, ...]:
    """Split the dose over the NDCs, largest containers first: administered units are rounded once for the dose
    (the last NDC drawn from takes the rounding), and the whole discarded units go to the NDCs they were left in."""
    groups = []
    remaining, jw_left = dose.amount, discarded
    for use in containers:
        product = use.product
        labelled = product.container_amount.to(dose.unit).amount * use.count
        given = min(labelled, remaining)
        remaining -= given
        given_units = -int(-given // billing)
        room = int(labelled / billing) - given_units
        wasted = min(int((labelled - given) // billing), room, jw_left)
        jw_left -= wasted
        unit, per_container = claim_ndc_unit(product, profile)
        groups.append(NdcGroup(use, unit, per_container * use.count, given, given_units, wasted))
    return tuple(groups)


def claim_lines(
    code: Code,
    containers: tuple[ContainerUse, ...],
    dose: Quantity,
    units: Units,
    emit_jw: bool,
    emit_jz: bool,
    extra: tuple[str, ...],
    profile: PayerProfile,
    leading: tuple[str, ...] = (),
) -> tuple[ClaimLine, ...]:
    """Rules ndc-line-per-ndc and jw-line-ndc: one line per NDC (or one line with a note, as the payer wants);
    units over all lines always equal the administered units plus the JW units."""
    groups = ndc_groups(containers, dose, code.billing_unit.amount, units.discarded if emit_jw else 0, profile)
    given = [g for g in groups if g.given_units]
    wasted = [g for g in groups if g.discarded_units]
    admin_mods = leading + (("JZ",) if emit_jz else ())
    if profile.multi_ndc == "single-line-note" or len(groups) == 1:
        first = given[0]
        lines = [
            ClaimLine(
                code.code,
                admin_mods + extra,
                units.administered,
                "administered",
                (first.part(first.given),),
                _other_ndcs(g.part(g.given) for g in given[1:]),
            )
        ]
        if wasted:
            lines.append(
                ClaimLine(
                    code.code,
                    leading + ("JW",) + extra,
                    sum(g.discarded_units for g in wasted),
                    "discarded",
                    (wasted[0].part(wasted[0].labelled - wasted[0].given),),
                    _other_ndcs(g.part(g.labelled - g.given) for g in wasted[1:]),
                )
            )
        return tuple(lines)
    kp_kq = profile.multi_ndc == "split-lines-kp-kq" and len(given) > 1
    lines = [
        ClaimLine(
            code.code,
            admin_mods + ((("KP",) if i == 0 else ("KQ",)) if kp_kq else ()) + extra,
            g.given_units,
            "administered",
            (g.part(g.given),),
        )
        for i, g in enumerate(given)
    ]
    lines += [
        ClaimLine(code.code, leading + ("JW",) + extra, g.discarded_units, "discarded", (g.part(g.labelled - g.given),))
        for g in wasted
    ]
    return tuple(lines)


NOTE_MAX = 80  # 837P NTE02 is at most 80 characters (TR3; pyx12 and linuxforhealth reject a longer one)


def _other_ndcs(parts: Iterable[NdcPart]) -> str:
    """The note a single-line payer wants for the other NDCs (CMS-1500 item 19 / 837P NTE02): the readable form when
    it fits in NTE02's 80 characters, else tighter forms of the same NDCs; refused when even the tightest does not."""
    shown = [
        (f"N4{p.ndc.replace('-', '')}", f"{p.ndc_unit}{plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES)}")
        for p in parts
    ]
    if not shown:
        return ""
    ladder = (
        "Also NDC " + "; ".join(f"{n} {q}" for n, q in shown),
        "; ".join(f"{n} {q}" for n, q in shown),
        " ".join(f"{n}{q}" for n, q in shown),
        " ".join(f"{n[2:]}{q}" for n, q in shown),
    )
    for note in ladder:
        if len(note) <= NOTE_MAX:
            return note
    raise InputError(
        f"{len(shown) + 1} NDCs do not fit one line's note ({NOTE_MAX} characters in the 837P NTE02): enter fewer "
        "NDCs per line, or choose a payer profile that splits lines.",
        field="containers",
    )


def ndc_notes(
    catalog: Catalog, containers: tuple[ContainerUse, ...], lines: tuple[ClaimLine, ...], profile: PayerProfile
) -> Notes:
    """Rules ndc-line-per-ndc, jw-line-ndc, ndc-format and ndc-unit-syringe: how the NDCs go on the lines."""
    notes = Notes()
    if len({c.product.ndc for c in containers}) > 1:
        how = {
            "split-lines": "one line per NDC, the units split",
            "split-lines-kp-kq": "one line per NDC, KP on the first and KQ on the others",
            "single-line-note": "one line with the first NDC; the others in the note (item 19 / NTE)",
        }[profile.multi_ndc]
        basis = profile.provenance("multi_ndc")
        whose = "the app's default" if basis.status == "default" else basis.describe()
        notes += _note(
            catalog, "info", f"Several NDCs: {how} ({profile.name}; {whose}).", "ndc-line-per-ndc", applied=True
        )
        if profile.multi_ndc != "single-line-note" and basis.status != "sourced":
            notes += _payers_differ(profile)
    if any(line.kind == "discarded" for line in lines):
        notes += _note(
            catalog,
            "info",
            "NDC quantity by amount: each line's NDC quantity is the amount given or wasted in the NDC's unit, and "
            "the JW line repeats the NDC of the container the drug was discarded from (LifeWise 2024 convention; "
            "no CMS text says which NDC) — verify per payer.",
            "jw-line-ndc",
            applied=True,
        )
    fractional_un = sorted(
        {p.ndc for line in lines for p in line.ndc_parts if p.ndc_unit == "UN" and p.ndc_quantity.denominator != 1}
    )
    if fractional_un:
        notes += _note(
            catalog,
            "warning",
            "UN counts containers, but the quantity by amount is a fraction for "
            + ", ".join(fractional_un)
            + ": some payers want whole containers — check the payer's rule before sending.",
            "jw-line-ndc",
        )
    for product in {c.product.ndc: c.product for c in containers if c.product.ndc_unit_note}.values():
        notes += Notes(
            (Warning_("warning", f"{product.ndc}: {product.ndc_unit_note}", sources=product.provenance.sources),)
        )
    missing = [c.product.ndc for c in containers if not c.product.ndc_unit]
    if missing:
        notes += _note(
            catalog,
            "warning",
            "The NDC unit of measure is not in the data for "
            + ", ".join(missing)
            + ": take it (UN, ML, …) and the quantity from the package label"
            + (f" ({profile.name} requires them on every drug line)." if profile.ndc_required else "."),
            "ndc-format",
        )
    elif any(c.product.ndc_unit_confidence == "low" and not c.product.ndc_unit_note for c in containers):
        notes += _note(
            catalog,
            "info",
            "NDC unit "
            + "/".join(sorted({c.product.ndc_unit for c in containers if not c.product.ndc_unit_note}))
            + " is the default for this container; some payers want UN — verify per payer.",
            "ndc-unit-syringe",
            applied=True,
        )
    return notes


def _payers_differ(profile: PayerProfile) -> Notes:
    """Several NDCs on split lines where the payer's own rule is not known: say who is known to deny them."""
    if profile.kind == "medicare":
        text = (
            "MACs differ on several NDCs of one drug: Palmetto GBA (JM) wants one line with the other NDC in item 19 "
            "/ NTE02 and denies split lines as duplicates; no CMS instruction was found, and one line per NDC is "
            "this app's default, not a Medicare rule — choose your MAC's profile or check its rule."
        )
        return Notes((Warning_("warning", text, "ndc-line-per-ndc", ("palmetto-ndc",)),))
    if profile.kind in ("commercial", "medicare-advantage"):
        text = (
            "Plans differ on several NDCs of one drug: Blue Cross NC (commercial and Medicare Advantage) pays one "
            "claim line of a drug per day and denies the other lines without JW; one line per NDC is this app's "
            "default — check the plan's rule."
        )
        return Notes((Warning_("warning", text, "ndc-line-per-ndc", ("bcnc-drugs-commercial", "bcnc-drugs-ma")),))
    return Notes()


MEDICARE_PAPER_UNITS = ("UN", "F2", "GR", "ML")  # Claims Processing Manual ch. 26 item 24: ME is not among them
MEDICARE_PAPER_QUANTITY_WIDTH = 6  # "six bytes available for quantity" (positions 17-24 less the qualifier)


def medicare_paper(lines: tuple[ClaimLine, ...], profile: PayerProfile, form: str) -> Notes:
    """Medicare's CMS-1500 item 24A layout: ME is refused, and a quantity longer than six characters is shortened."""
    if profile.kind != "medicare" or form != "cms1500":
        return Notes()
    parts = [p for line in lines for p in line.ndc_parts]
    refused = sorted({p.ndc_unit for p in parts if p.ndc_unit and p.ndc_unit not in MEDICARE_PAPER_UNITS})
    if refused:
        raise InputError(
            f"Medicare's CMS-1500 layout takes the NDC unit UN, F2, GR or ML, not {', '.join(refused)}: give the "
            "quantity in one of those units.",
            field="containers",
        )
    width = MEDICARE_PAPER_QUANTITY_WIDTH
    long = sorted({p.ndc for p in parts if len(plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES)) > width})
    if not long:
        return Notes()
    return Notes(
        (
            Warning_(
                "warning",
                "Medicare's item 24A has six characters for the NDC quantity: the quantity of "
                + ", ".join(long)
                + " is rounded to fit on paper (the 837 keeps three decimals).",
                sources=("cms-iom-ch26-24",),
            ),
        )
    )


def dated_values(profile: PayerProfile, uses_340b: bool) -> Notes:
    """Say which of the payer's dated values applied on the date of service, and their source."""
    fields = ("jw_jz", "multi_ndc", "ndc_unit_devices", "cms1500_ndc_box") + (
        ("modifier_340b", "modifier_340b_ub04_position") if uses_340b else ()
    )
    return Notes(
        tuple(
            Warning_(
                "info",
                f"{profile.name}: the {b.field} value in force on {profile.resolved_on} is '{b.value}' "
                f"({b.bounds_text()}; {b.describe()}).",
                sources=(b.source,) if b.source else (),
            )
            for b in profile.dated_values
            if b.field in fields
        )
    )


def payer_limits(catalog: Catalog, code: Code, lines: tuple[ClaimLine, ...], profile: PayerProfile) -> Notes:
    """Rule payer-max-units."""
    notes = Notes()
    total = sum(line.units for line in lines)
    limit = profile.max_units.get(code.code)
    if limit is not None and total > limit:
        notes += _note(
            catalog,
            "warning",
            f"{total} units are more than {profile.name}'s maximum of {limit} {code.code} units: expect a denial "
            "unless the payer granted an exception.",
            "payer-max-units",
            applied=True,
        )
    return notes


def package_notes(containers: tuple[ContainerUse, ...], day: dt.date) -> Notes:
    """Marketing status, unverified presentations, and packages first marketed after the date of service."""
    out: list[Warning_] = []
    for c in containers:
        p = c.product
        if p.marketing_status != "listed":
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc}: marketing status {p.marketing_status}. {p.status_note}".strip(),
                    sources=p.provenance.sources,
                )
            )
        elif not p.presentation_verified or (p.container_type != "unknown" and not p.verified):
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc} is not a verified package ({p.presentation}; {p.provenance.confidence} confidence): "
                    "check the NDC, contents and single-dose status on the package label before billing.",
                    sources=p.provenance.sources,
                )
            )
        if p.marketing_start and p.marketing_start > day:
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc} was first marketed {p.marketing_start}, after the date of service {day}.",
                    sources=p.provenance.sources,
                )
            )
    return Notes(tuple(out))


def admin_code(code: Code, containers: tuple[ContainerUse, ...]) -> str:
    """Rule admin-code: the administration service goes on its own line."""
    routes = {c.product.route for c in containers}
    if routes & {"SC", "IM"}:
        return "96372 (SC/IM injection); 96401 only where the payer allows"
    if "IV" in routes:
        return "96365 or 96413 (IV infusion, up to 1 hour) — payer-dependent"
    if not code.admin_codes:  # an imported code: the CMS files give no route
        return "not in the data for this code: choose it by the route given (e.g. 96372 SC/IM injection, 96365 IV)"
    return ", ".join(code.admin_codes)


# -- the whole calculation -------------------------------------------------------------------------------------


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
    allowed, eligibility = waste_modifiers_allowed(catalog, case, containers)
    emit_jw, emit_jz, waste = waste_modifiers(catalog, case, units, allowed, code, containers)
    m340b, m340b_notes = modifier_340b(catalog, case)
    if case.supplied_by != "practice":  # not bought: not separately payable, not 340B-acquired
        emit_jw = emit_jz = False
        waste = Notes((Warning_("info", NOT_BOUGHT_MODIFIERS),))
    route, route_notes = route_modifier(catalog, code, case, containers)
    notes += counted + eligibility + waste + m340b_notes + route_notes
    better: tuple[ContainerUse, ...] = ()
    if not auto:
        better, smaller = smallest_container(
            catalog, code, dose, day, units.discarded_amount, case.single_dose_confirmed
        )
        notes += smaller
    # Where the payer puts its 340B modifier on the UB-04 (Illinois first, South Carolina second: rule
    # payer-340b-modifier); elsewhere it follows the others.
    form = FORM_FOR_SETTING[case.setting]
    position = (
        case.payer_profile.modifier_340b_ub04_position if m340b and form == "ub04" and case.payer != "medicare" else 0
    )
    leading = m340b if position == 1 else ()
    extra = route if leading else m340b + route
    lines = claim_lines(code, containers, dose, units, emit_jw, emit_jz, extra, case.payer_profile, leading)
    if position == 2:
        lines = tuple(replace(line, modifiers=_in_second_place(line.modifiers, m340b[0])) for line in lines)
    lines_in_force(catalog, lines, day)
    notes += medicare_paper(lines, case.payer_profile, form) + dated_values(case.payer_profile, bool(m340b))
    if auto:
        notes += Notes(rules=("smallest-container",))
    notes += ndc_notes(catalog, containers, lines, case.payer_profile) + package_notes(containers, day)
    notes += payer_limits(catalog, code, lines, case.payer_profile) + Notes(rules=("admin-code",))
    lines, supplied = drug_supplied_by(catalog, case, lines)
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
        admin_code_suggestion=admin_code(code, containers),
        larger_container_than_needed=bool(better),
        better_combination=better,
    )


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


# -- check-my-line ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineCheck:
    code: str
    units: int
    correct_units: int
    ok: bool
    reasons: tuple[str, ...]


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
