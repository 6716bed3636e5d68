"""The containers opened (named, or the least-waste combination chosen) and the units they give."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fractions import Fraction
from math import gcd, lcm

from omaliref.domain.calculator.results import ContainerUse, Units, rule_note
from omaliref.domain.case import MAX_CONTAINERS, Case
from omaliref.domain.errors import InputError, LookalikeError
from omaliref.domain.model import Catalog, Code, Product
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.quantities import Quantity, format_amount


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
    return best, rule_note(
        catalog,
        "warning",
        "Smaller containers would have covered the dose with less waste ("
        + " + ".join(f"{c.count} x {c.product.container_amount} {c.product.ndc}" for c in best)
        + f", {format_amount(best_waste)} {dose.unit} waste): a payer may question this waste.",
        "smallest-container",
        applied=True,
    )


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
