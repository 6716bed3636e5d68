"""Unit & waste calculator: dose + containers + date of service -> the claim lines a coder keys.

Every number carries its reason: the result lists the rules applied (ids from rules.toml) and each warning says
which rule or fact it comes from. Arithmetic is exact (Fraction); nothing here reads files, the clock or Qt.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.model import Catalog, Code, Product
from omaliref.domain.quantities import Quantity, format_amount, parse_quantity, plain_amount

NDC_QUANTITY_PLACES = 3  # claim forms take up to three decimals in the NDC quantity

PAYERS = ("medicare", "medicaid", "commercial")
MODIFIERS_340B = ("JG", "TB")
MAX_CONTAINERS = 60  # beyond this the dose is a typo, not a plan (a 600 mg omalizumab dose needs 2)
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_FUTURE_DAYS = 366


@dataclass(frozen=True)
class Warning_:
    """A message for the coder: level is 'error', 'warning' or 'info'; rule/sources say where it comes from."""

    level: str
    message: str
    rule: str = ""
    sources: tuple[str, ...] = ()


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
    kind: str  # "administered" or "discarded"
    ndc_parts: tuple[NdcPart, ...]

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
            if p.ndc_unit else f"N4{p.ndc.replace('-', '')} (NDC unit and quantity: see the package label)"
            for p in self.ndc_parts
        )
        return f"{self.code}{mods} x {self.units} units" + (f"  NDC {ndc}" if ndc else "")


@dataclass(frozen=True)
class CalcRequest:
    code: str
    dose: Quantity
    containers: tuple[tuple[str, int], ...] = ()  # (NDC as typed, count); empty = choose automatically
    date_of_service: dt.date | None = None
    payer: str = "medicare"
    separately_payable: bool = True
    modifier_340b: str = ""  # "", "JG" or "TB"
    single_dose_confirmed: bool = False  # the coder read "single-dose" on a label the data does not describe


@dataclass(frozen=True)
class CalcResult:
    request: CalcRequest
    code: Code
    date_of_service: dt.date
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
    quarter_facts: object | None = None  # cms.QuarterFacts when imported CMS data covers the date of service

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


def parse_containers(specs: list[str] | tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """'50242-0040-62x2' -> ('50242-0040-62', 2). A count must be a whole number from 1 to MAX_CONTAINERS."""
    out = []
    for spec in specs:
        text = spec.strip()
        ndc, sep, count_text = text.lower().rpartition("x")
        if not sep:
            ndc, count_text = text, "1"
        count_text = count_text.strip()
        if not count_text.isascii() or not count_text.isdigit():
            raise InputError(f"Package '{text[:40]}': the count after 'x' must be a whole number, e.g. 50242-0040-62x2.",
                             field="containers")
        count = int(count_text)
        if count <= 0:
            raise InputError(f"Package '{text[:40]}': the count must be at least 1.", field="containers")
        if count > MAX_CONTAINERS:
            raise InputError(f"Package '{text[:40]}': {count} containers is more than {MAX_CONTAINERS}; check the count.",
                             field="containers")
        out.append((ndc.strip(), count))
    return tuple(out)


def parse_date(text: str) -> dt.date:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text[:40]}' is not a date: use YYYY-MM-DD, e.g. 2026-11-27.", field="date") from None


def check_date(day: dt.date, today: dt.date) -> None:
    if day < EARLIEST_DATE:
        raise InputError(f"Date of service {day} is before {EARLIEST_DATE}: the data pack has no rules that old.",
                         field="date")
    if (day - today).days > LATEST_FUTURE_DAYS:
        raise InputError(f"Date of service {day} is more than a year in the future: check the year.", field="date")


def dose_for_code(code: Code, dose: Quantity, catalog: Catalog) -> Quantity:
    """Express a dose in the code's billing unit, or explain why it does not fit that code."""
    unit = code.billing_unit.unit
    if dose.unit == "implant":
        implants = [p for p in catalog.products_for(code.code) if p.form == "implant"]
        if not implants:
            raise InputError(f"{code.code} is not an implant: give the dose in {unit}.", field="dose")
        return Quantity(dose.amount * implants[0].container_amount.to(unit).amount, unit)
    if dose.unit == "million units" and unit == "units":
        return dose.to("units")
    if not dose.convertible_to(unit):
        raise _lookalike_or(catalog, code, dose, InputError(
            f"A dose in {dose.unit} does not fit {code.code}, which is billed per {format_amount(code.billing_unit.amount)} {unit}.",
            field="dose"))
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
                f"{code.code} does not fit a {dose}: {correction.right}", points_to=target.code, field="code")
    return fallback


def _selectable(catalog: Catalog, code: Code, day: dt.date) -> list[Product]:
    out = []
    for product in catalog.products_for(code.code):
        if not product.auto_select:
            continue
        if product.marketing_start and product.marketing_start > day:
            continue
        out.append(product)
    return out


_CONF_RANK = {"high": 0, "medium": 1, "low": 2}


def best_combination(products: list[Product], dose: Fraction, unit: str) -> tuple[ContainerUse, ...]:
    """The combination that wastes least, then uses fewest containers, then the best-documented packages.

    One product per distinct size: among same-size packages the best-documented (verified presentation, higher
    confidence, then NDC order) stands for the size, so ties never depend on file order.
    """
    by_size: dict[Fraction, Product] = {}
    for product in sorted(products, key=lambda p: (not p.presentation_verified, p.marketing_status != "listed",
                                                   _CONF_RANK[p.provenance.confidence], p.ndc)):
        by_size.setdefault(product.container_amount.to(unit).amount, product)
    sizes = sorted(by_size, reverse=True)
    if not sizes:
        return ()
    best: tuple[Fraction, int, tuple[int, ...]] | None = None
    smallest = sizes[-1]
    # Enumerate the larger sizes; the smallest size then fills what remains (ceil), which is optimal for
    # that prefix in both waste and count. Each count is bounded by what alone covers the dose.
    ranges = [range(0, min(int(-(-dose // size)), MAX_CONTAINERS) + 1) for size in sizes[:-1]]
    for prefix in itertools.product(*ranges):
        covered = sum((c * s for c, s in zip(prefix, sizes)), Fraction(0))
        last = max(0, int(-(-(dose - covered) // smallest)))
        counts = (*prefix, last)
        if sum(counts) > MAX_CONTAINERS:
            continue
        total = covered + last * smallest
        key = (total - dose, sum(counts), tuple(-c for c in counts))
        if best is None or key < best:
            best = key
    if best is None:
        return ()
    counts = tuple(-c for c in best[2])
    return tuple(ContainerUse(by_size[s], c) for s, c in zip(sizes, counts) if c)


def calculate(catalog: Catalog, request: CalcRequest, *, today: dt.date) -> CalcResult:
    """Apply the rules in force on the date of service and return the claim lines with their reasons."""
    code = catalog.code(request.code)
    day = request.date_of_service or today
    check_date(day, today)
    if request.payer not in PAYERS:
        raise InputError(f"Payer '{request.payer}' is not known: use {', '.join(PAYERS)}.", field="payer")
    if request.modifier_340b not in ("", *MODIFIERS_340B):
        raise InputError(f"340B modifier '{request.modifier_340b}' is not known: use JG, TB or none.", field="340b")
    warnings: list[Warning_] = []
    rules: list[str] = []

    if not code.in_force_on(day):
        if code.effective_to and day > code.effective_to:
            raise InputError(
                f"{code.code} ended on {code.effective_to}; for {day} use {' or '.join(code.replaced_by) or 'its replacement'}.",
                field="code")
        if code.effective_from and day < code.effective_from:
            warnings.append(Warning_("warning", f"{code.code} is reported effective from {code.effective_from} "
                                     f"({code.effective_from_confidence or 'unknown'} confidence); {day} is earlier.",
                                     sources=code.provenance.sources))
    if code.category != "drug" or code.billing_unit.unit not in ("mg", "mcg", "g", "units"):
        raise InputError(f"{code.code} ({code.drug}) has no fixed drug billing unit to calculate with; "
                         "follow the payer's instruction.", field="code")

    dose = dose_for_code(code, request.dose, catalog)
    unit = code.billing_unit.unit
    if code.max_single_dose is not None:
        limit = code.max_single_dose.quantity.to(unit)
        if dose.amount > 4 * limit.amount:
            raise _lookalike_or(catalog, code, request.dose, InputError(
                f"A {request.dose} dose is far above the largest {code.code} label dose ({code.max_single_dose.quantity}): "
                "check the dose and its unit.", field="dose"))
        if dose.amount > limit.amount:
            warnings.append(Warning_("warning", f"The dose is above the largest label dose for {code.code} "
                                     f"({code.max_single_dose.quantity}; {code.max_single_dose.note}).",
                                     sources=code.max_single_dose.sources))
    if not code.unit_verified:
        warnings.append(Warning_("warning", f"The {code.code} billing unit ({format_amount(code.billing_unit.amount)} {unit}) "
                                 "is NOT verified against the CMS HCPCS file: confirm it with the payer before billing.",
                                 sources=code.provenance.sources))
    for correction in catalog.corrections_for(code.code):
        if correction.always_show:
            warnings.append(Warning_("warning", correction.right, sources=correction.provenance.sources))

    containers, auto = _containers(catalog, code, request, dose, day, warnings)
    billing = code.billing_unit.amount
    labelled = sum((c.product.container_amount.to(unit).amount * c.count for c in containers), Fraction(0))
    if labelled < dose.amount:
        raise InputError(f"The containers opened hold {format_amount(labelled)} {unit}, less than the "
                         f"{format_amount(dose.amount)} {unit} dose: add the containers used.", field="containers")
    total_units = int(labelled / billing)  # whole by pack validation
    administered_units = -int(-dose.amount // billing)
    rules.append("units-round-up")
    discarded = labelled - dose.amount
    discarded_units = min(int(discarded // billing), total_units - administered_units)
    if discarded:
        rules.append("waste-round-down")

    # Which waste modifiers apply on this date, for this drug and payer.
    confirmed = [c for c in containers if c.product.container_type == "unknown" and request.single_dose_confirmed]
    single_dose = all(c.product.single_dose or c in confirmed for c in containers)
    if confirmed:
        warnings.append(Warning_("info", "Single-dose status of " + ", ".join(c.product.ndc for c in confirmed)
                                 + " confirmed by you from the label (the data does not give it).",
                                 rule="single-dose-only"))
    jw_allowed = jz_allowed = True
    if not request.separately_payable:
        jw_allowed = jz_allowed = False
        rules.append("jw-jz-not-separately-payable")
        warnings.append(Warning_("info", "Not separately payable (packaged OPPS, FQHC/RHC or CAP): no JW/JZ.",
                                 rule="jw-jz-not-separately-payable",
                                 sources=catalog.rule("jw-jz-not-separately-payable").provenance.sources))
    elif not single_dose:
        jw_allowed = jz_allowed = False
        rules.append("single-dose-only")
        unknown = [c.product.ndc for c in containers if c.product.container_type == "unknown"]
        text = ("Single-dose status of " + ", ".join(unknown) + " is not established: JW/JZ not applied. If the "
                "label says single-dose, confirm it (--single-dose) to apply JW/JZ."
                if unknown else "Multi-dose container: JW/JZ never apply.")
        warnings.append(Warning_("warning", text, rule="single-dose-only",
                                 sources=catalog.rule("single-dose-only").provenance.sources))
    if any(c.product.single_dose and c.product.container_type_confidence != "high" for c in containers):
        warnings.append(Warning_("info", "Single-dose status of a container used is inferred (" + ", ".join(
            sorted({c.product.ndc for c in containers if c.product.container_type_confidence != 'high'}))
            + "); JW/JZ are shown on that basis.", sources=()))

    jw_rule, jz_opt, jz_req = catalog.rule("jw-required"), catalog.rule("jz-optional"), catalog.rule("jz-required")
    emit_jw = jw_allowed and discarded_units >= 1
    if jw_allowed and discarded and discarded_units < 1:
        rules.append("jw-min-one-unit")
    if emit_jw:
        rules.append("cap-labelled-contents")
        if jw_rule.in_force_on(day):
            rules.append("jw-required")
        else:
            warnings.append(Warning_("info", jw_rule.before_note, rule="jw-required", sources=jw_rule.provenance.sources))
    emit_jz = False
    if jz_allowed and not emit_jw:
        if jz_req.in_force_on(day):
            emit_jz = True
            rules.append("jz-required")
            if catalog.rule("jw-jz-returned").in_force_on(day):
                rules.append("jw-jz-returned")
        elif jz_opt.in_force_on(day):
            emit_jz = True
            rules.append("jz-optional")
            warnings.append(Warning_("info", f"JZ is optional for dates of service before {jz_req.effective_from}; "
                                     "shown because nothing was discarded.", rule="jz-optional",
                                     sources=jz_opt.provenance.sources))
        elif jz_opt.effective_from and day < jz_opt.effective_from:
            warnings.append(Warning_("info", f"JZ did not exist before {jz_opt.effective_from}: not emitted.",
                                     rule="jz-optional", sources=jz_opt.provenance.sources))
    if (emit_jw or emit_jz) and request.payer != "medicare":
        other = catalog.rule("jw-jz-other-payers")
        rules.append(other.id)
        warnings.append(Warning_("warning", f"JW/JZ shown by the Medicare convention; {request.payer} plans vary — "
                                 "check this payer's rule.", rule=other.id, sources=other.provenance.sources))

    extra_modifiers = _line_modifiers(catalog, code, request, containers, day, warnings, rules)

    # Smallest-container check (only when the coder chose the containers).
    better: tuple[ContainerUse, ...] = ()
    larger = False
    if not auto:
        candidates = _selectable(catalog, code, day)
        best = best_combination(candidates, dose.amount, unit)
        if best:
            best_waste = sum((c.product.container_amount.to(unit).amount * c.count for c in best), Fraction(0)) - dose.amount
            if best_waste < discarded:
                larger, better = True, best
                rules.append("smallest-container")
                warnings.append(Warning_(
                    "warning", f"Smaller containers would have covered the dose with less waste ("
                    + " + ".join(f"{c.count} x {c.product.container_amount} {c.product.ndc}" for c in best)
                    + f", {format_amount(best_waste)} {unit} waste): a payer may question this waste.",
                    rule="smallest-container", sources=catalog.rule("smallest-container").provenance.sources))

    lines = _lines(code, containers, administered_units, discarded_units, emit_jw, emit_jz, extra_modifiers)
    if auto:
        rules.append("smallest-container")
    if emit_jw:
        warnings.append(Warning_("info", "NDC quantity is split between the administered and JW lines in "
                                 "proportion to their units; some payers want it otherwise — verify per payer.",
                                 rule="ndc-format", sources=catalog.rule("ndc-format").provenance.sources))
    if len({c.product.ndc for c in containers}) > 1:
        warnings.append(Warning_("info", "More than one NDC: a payer that requires an NDC on every line needs one "
                                 "line per NDC (see the NDC parts).", rule="ndc-format",
                                 sources=catalog.rule("ndc-format").provenance.sources))
    if any(not c.product.ndc_unit for c in containers):
        warnings.append(Warning_("warning", "The NDC unit of measure is not in the data for "
                                 + ", ".join(c.product.ndc for c in containers if not c.product.ndc_unit)
                                 + ": take it (UN, ML, …) and the quantity from the package label.",
                                 rule="ndc-format", sources=catalog.rule("ndc-format").provenance.sources))
    elif any(c.product.ndc_unit_confidence == "low" for c in containers):
        rule = catalog.rule("ndc-unit-syringe")
        rules.append(rule.id)
        warnings.append(Warning_("info", "NDC unit " + "/".join(sorted({c.product.ndc_unit for c in containers}))
                                 + " is the default for this container; some payers want UN — verify per payer.",
                                 rule=rule.id, sources=rule.provenance.sources))
    for c in containers:
        if c.product.marketing_status != "listed":
            warnings.append(Warning_("warning", f"{c.product.ndc}: marketing status {c.product.marketing_status}. "
                                     f"{c.product.status_note}".strip(), sources=c.product.provenance.sources))
        elif not c.product.presentation_verified:
            warnings.append(Warning_("info", f"{c.product.ndc}: {c.product.presentation}.",
                                     sources=c.product.provenance.sources))
        if c.product.marketing_start and c.product.marketing_start > day:
            warnings.append(Warning_("warning", f"{c.product.ndc} was first marketed {c.product.marketing_start}, "
                                     f"after the date of service {day}.", sources=c.product.provenance.sources))
    admin_rule = catalog.rule("admin-code")
    rules.append(admin_rule.id)
    admin = _admin_suggestion(code, containers)
    return CalcResult(
        request=request, code=code, date_of_service=day, containers=containers, auto_selected=auto,
        dose_in_billing_unit=dose, labelled_contents=Quantity(labelled, unit),
        administered_units=administered_units, discarded_amount=Quantity(discarded, unit),
        discarded_units=discarded_units if emit_jw else 0, lines=lines, warnings=tuple(warnings),
        rules=tuple(dict.fromkeys(rules)), admin_code_suggestion=admin,
        larger_container_than_needed=larger, better_combination=better,
    )


def _containers(catalog: Catalog, code: Code, request: CalcRequest, dose: Quantity, day: dt.date,
                warnings: list[Warning_]) -> tuple[tuple[ContainerUse, ...], bool]:
    if request.containers:
        counts: Counter[str] = Counter()
        products: dict[str, Product] = {}
        for ndc_text, count in request.containers:
            product = catalog.product(ndc_text)
            if product.code != code.code:
                other = catalog.codes[product.code]
                message = (f"NDC {product.ndc} is {product.brand} ({other.drug}), billed under {other.code}, "
                           f"not {code.code}.")
                corrections = [c for c in catalog.corrections_for(code.code) if c.points_to == other.code]
                if corrections:
                    raise LookalikeError(f"{message} {corrections[0].right}", points_to=other.code, field="containers")
                raise InputError(message, field="containers")
            counts[product.ndc] += count
            products[product.ndc] = product
        if sum(counts.values()) > MAX_CONTAINERS:
            raise InputError(f"More than {MAX_CONTAINERS} containers in all: check the counts.", field="containers")
        uses = tuple(ContainerUse(products[n], c) for n, c in sorted(
            counts.items(), key=lambda kv: -products[kv[0]].container_amount.to(dose.unit).amount))
        return uses, False
    candidates = _selectable(catalog, code, day)
    if not candidates:
        hint = " ".join(c.right for c in catalog.corrections_for(code.code) if c.always_show)
        raise InputError(f"The data pack has no packages for {code.code} ({code.drug}) that can be chosen "
                         f"automatically: name the NDC opened. {hint}".strip(), field="containers")
    best = best_combination(candidates, dose.amount, dose.unit)
    if not best:
        raise InputError(f"The dose needs more than {MAX_CONTAINERS} containers: check the dose and its unit.",
                         field="dose")
    warnings.append(Warning_("info", "Containers chosen automatically (least waste, then fewest containers): "
                             + " + ".join(f"{c.count} x {c.product.container_amount} ({c.product.ndc})" for c in best)
                             + ". Enter the NDCs actually opened if they differ.", rule="smallest-container"))
    return best, True


def _line_modifiers(catalog: Catalog, code: Code, request: CalcRequest, containers: tuple[ContainerUse, ...],
                    day: dt.date, warnings: list[Warning_], rules: list[str]) -> tuple[str, ...]:
    mods: list[str] = []
    if request.modifier_340b:
        rule = catalog.rule("modifier-340b")
        if request.payer != "medicare":
            warnings.append(Warning_("info", f"340B modifier not added: the JG/TB requirement in the data pack is "
                                     f"Medicare Part B; check {request.payer} rules.", rule=rule.id,
                                     sources=rule.provenance.sources))
        elif not request.separately_payable:
            warnings.append(Warning_("info", "340B modifier not added: the requirement covers separately payable "
                                     "Part B drugs.", rule=rule.id, sources=rule.provenance.sources))
        elif not rule.in_force_on(day):
            warnings.append(Warning_("warning", f"{request.modifier_340b} did not exist before {rule.effective_from}: "
                                     "not added.", rule=rule.id, sources=rule.provenance.sources))
        else:
            mods.append(request.modifier_340b)
            rules.append(rule.id)
            confirm = catalog.rule("jg-confirm-2025")
            if request.modifier_340b == "JG" and confirm.in_force_on(day):
                rules.append(confirm.id)
                warnings.append(Warning_("warning", "JG on a date of service from 2025-01-01: sources conflict on "
                                         "whether JG was retired for TB — confirm with your MAC that JG is still "
                                         "accepted.", rule=confirm.id, sources=confirm.provenance.sources))
    if code.route_modifier_required:
        rule = catalog.rule("route-modifier-j0490")
        routes = {c.product.route for c in containers}
        if len(routes) > 1:
            raise InputError(f"{code.code}: IV and SC containers on one claim line; enter one route at a time.",
                             field="containers")
        route = routes.pop()
        route_mod = {"IV": "JA", "SC": "JB"}.get(route)
        if route_mod and request.payer == "medicare" and rule.in_force_on(day):
            mods.append(route_mod)
            rules.append(rule.id)
            if route_mod == "JB":
                warnings.append(Warning_("warning", f"{code.code} given SC: Medicare MACs list SC belimumab as "
                                         "self-administered — the line is expected to be denied.", rule=rule.id,
                                         sources=rule.provenance.sources))
        elif route_mod:
            note = rule.before_note if not rule.in_force_on(day) else (
                f"{request.payer} plans vary; some (e.g. Priority Health) require it.")
            warnings.append(Warning_("info", f"Route modifier {route_mod} not added: {note}", rule=rule.id,
                                     sources=rule.provenance.sources))
    return tuple(mods)


def _lines(code: Code, containers: tuple[ContainerUse, ...], administered_units: int, discarded_units: int,
           emit_jw: bool, emit_jz: bool, extra: tuple[str, ...]) -> tuple[ClaimLine, ...]:
    total_units = administered_units + (discarded_units if emit_jw else 0)

    def parts(share_units: int) -> tuple[NdcPart, ...]:
        # The NDC quantity of each line is its share (in billed units) of the containers opened.
        share = Fraction(share_units, total_units) if total_units else Fraction(0)
        return tuple(NdcPart(c.product.ndc, c.product.ndc_unit, c.product.ndc_quantity * c.count * share, c.count)
                     for c in containers)

    admin_mods = (("JZ",) if emit_jz else ()) + extra
    lines = [ClaimLine(code.code, admin_mods, administered_units, "administered", parts(administered_units))]
    if emit_jw:
        lines.append(ClaimLine(code.code, ("JW",) + extra, discarded_units, "discarded", parts(discarded_units)))
    return tuple(lines)


def _admin_suggestion(code: Code, containers: tuple[ContainerUse, ...]) -> str:
    routes = {c.product.route for c in containers}
    if routes & {"SC", "IM"}:
        return "96372 (SC/IM injection); 96401 only where the payer allows"
    if "IV" in routes:
        return "96365 or 96413 (IV infusion, up to 1 hour) — payer-dependent"
    if code.admin_codes:
        return ", ".join(code.admin_codes)
    return ""


def check_line(catalog: Catalog, code_text: str, dose: Quantity, units_intended: int,
               containers: tuple[tuple[str, int], ...] = (), *, today: dt.date) -> tuple[bool, int, list[str]]:
    """Compare the units a coder intends to bill with the correct administered units; explain a mismatch."""
    code = catalog.code(code_text)
    if units_intended <= 0:
        raise InputError("The units to check must be a whole number of at least 1.", field="units")
    amount = dose_for_code(code, dose, catalog)
    billing = code.billing_unit.amount
    correct = -int(-amount.amount // billing)
    reasons: list[str] = []
    if units_intended == correct:
        reasons.append(f"{units_intended} units match {format_amount(amount.amount)} {amount.unit} ÷ "
                       f"{format_amount(billing)} {amount.unit} per unit, rounded up.")
    else:
        if Fraction(units_intended) == amount.amount and billing != 1:
            reasons.append(f"{units_intended} looks like the dose in {amount.unit} keyed as units: {code.code} is "
                           f"{format_amount(billing)} {amount.unit} per unit, so {format_amount(amount.amount)} "
                           f"{amount.unit} = {correct} units.")
        elif units_intended > correct and units_intended % correct == 0:
            reasons.append(f"{units_intended} is {units_intended // correct} times the correct {correct} units: "
                           f"check the unit size ({format_amount(billing)} {amount.unit} per unit).")
        else:
            reasons.append(f"The correct administered units are {correct} ({format_amount(amount.amount)} "
                           f"{amount.unit} ÷ {format_amount(billing)} {amount.unit}, rounded up), not {units_intended}.")
        for lookalike in code.lookalikes:
            other = catalog.codes.get(lookalike)
            if other and other.billing_unit.convertible_to(amount.unit) and other.billing_unit.amount != billing:
                other_units = amount.to(other.billing_unit.unit).amount / other.billing_unit.amount
                if other_units == units_intended:
                    reasons.append(f"{units_intended} units is what the dose would be under {other.code} "
                                   f"({other.drug}, {format_amount(other.billing_unit.amount)} "
                                   f"{other.billing_unit.unit} per unit) — unit size confusion.")
    if containers:
        request = CalcRequest(code.code, dose, containers)
        result = calculate(catalog, request, today=today)  # containers hold enough: else an InputError says so
        if units_intended > result.labelled_contents.amount / billing:
            reasons.append(f"{units_intended} units is more than the containers opened hold "
                           f"({result.labelled_contents}, {int(result.labelled_contents.amount / billing)} units).")
    return units_intended == correct, correct, reasons


def parse_dose(text: str) -> Quantity:
    return parse_quantity(text, what="dose")
