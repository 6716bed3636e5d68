"""Units and NDC quantity: the HCPCS units as keyed, the NDC unit of measure the payer wants, the NDC quantity,
and whether the units and the quantity describe the same amount."""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from fractions import Fraction

from omaliref.domain.audit.findings import Finding
from omaliref.domain.audit.lines import FIELD_MAX, ReadLine, number, rule_sources
from omaliref.domain.calculator import DEVICE_FORMS, NDC_QUANTITY_PLACES, claim_ndc_unit
from omaliref.domain.errors import InputError
from omaliref.domain.model import Code, Product, units_per_container
from omaliref.domain.quantities import format_amount, plain_amount
from omaliref.domain.vocab import NDC_UNITS, WarningLevel


def check_units(r: ReadLine) -> None:
    """The HCPCS units: a whole number above 0 (rule units-round-up)."""
    text = r.line.units.strip()[:FIELD_MAX]
    try:
        value = number(text, "units")
    except InputError as exc:
        r.findings.append(Finding("error", "units", str(exc), "Key the HCPCS units as a whole number above 0."))
        return
    if value <= 0 or value.denominator != 1:
        r.findings.append(
            Finding(
                "error",
                "units",
                f"{format_amount(value)} HCPCS units: units are whole and above 0.",
                "Key whole billing units: administered units round up, discarded units round down.",
                "units-round-up",
                rule_sources(r, "units-round-up"),
            )
        )
        return
    r.units = int(value)


@functools.lru_cache(maxsize=4096)
def unit_bounds(quantity: Fraction, per: Fraction, per_unit: Fraction, discarded: bool) -> tuple[int, int]:
    """The fewest and most HCPCS units an NDC quantity stands for: `per` is one container's quantity, `per_unit`
    its billing units. Given units round up (rule units-round-up), discarded units down (waste-round-down); a
    whole number of containers may be billed by whole containers, so it allows anything above one container
    fewer. Cached: a batch repeats the same few quantities."""
    rounded = (quantity * 10 ** (NDC_QUANTITY_PLACES - 1)).denominator != 1  # a third decimal: maybe rounded
    slack = Fraction(1, 2 * 10**NDC_QUANTITY_PLACES) if rounded else Fraction(0)
    low, high = (quantity - slack) / per * per_unit, (quantity + slack) / per * per_unit
    containers = quantity / per
    whole = containers.denominator == 1
    if discarded:
        return (1 if whole else math.floor(low)), math.floor(high)
    return (math.floor((containers - 1) * per_unit) + 1 if whole else math.ceil(low)), math.ceil(high)


class QuantityCheck:
    """Checks a line's NDC unit and quantity against its package; remembers billing units per container."""

    def __init__(self) -> None:
        self._per_container: dict[tuple[str, str], Fraction] = {}

    def check(self, r: ReadLine, code: Code, product: Product) -> None:
        """The NDC unit and quantity of a line whose NDC is a package of its code in the pack."""
        assert r.profile is not None
        expected, per_container = claim_ndc_unit(product, r.profile)
        unit = _ndc_unit(r, product, expected)
        if unit is None:
            return
        quantity = _ndc_quantity(r)
        if quantity is None or r.units is None or not expected:
            return
        if unit == expected:
            per = per_container
        elif unit == "ML" and product.volume_ml:
            per = product.volume_ml
        elif unit == "UN":
            per = Fraction(1)
        else:
            return
        self._units_for_quantity(r, code, product, quantity, unit, per)

    def _units_for_quantity(
        self, r: ReadLine, code: Code, product: Product, quantity: Fraction, unit: str, per: Fraction
    ) -> None:
        """HCPCS units against the NDC quantity: billing units per container x containers (a quantity with three
        decimals may have been rounded, so its bounds allow half a thousandth either way)."""
        assert r.units is not None and r.profile is not None
        per_unit = self._per_container.get((product.ndc, code.code))
        if per_unit is None:
            per_unit = self._per_container.setdefault((product.ndc, code.code), units_per_container(product, code))
        least, most = unit_bounds(quantity, per, per_unit, r.jw)
        if r.profile.multi_ndc == "single-line-note":  # the line's units also cover the NDCs in its note
            most = r.units
        if least <= r.units <= most:
            return
        holds = f"{plain_amount(quantity, NDC_QUANTITY_PLACES)} {unit} of {product.ndc}"
        each = f"{format_amount(per_unit)} {code.code} units per {format_amount(per)} {unit}"
        rule = "waste-round-down" if r.jw else "units-round-up"
        sources = rule_sources(r, rule) + product.provenance.sources
        if r.units > most:
            r.findings.append(
                Finding(
                    "error",
                    "units-ndc",
                    f"{r.units} units are more than {holds} holds ({each}: at most {most}).",
                    "Correct the units or the NDC quantity so they describe the same amount.",
                    rule,
                    sources,
                )
            )
        else:
            r.findings.append(
                Finding(
                    "warning",
                    "units-ndc",
                    f"{r.units} units are fewer than {holds} stands for ({each}: at least {least}).",
                    "Correct the NDC quantity to the amount "
                    + ("discarded" if r.jw else "given")
                    + ", or bill the discarded units on a JW line.",
                    rule,
                    sources,
                )
            )


def _ndc_unit(r: ReadLine, product: Product, expected: str) -> str | None:
    """The NDC unit of measure as keyed, when it is one; a unit other than `expected` (the one the package is
    counted in, or the payer wants) is a finding, and the unit is still returned for the quantity check."""
    profile, fmt = r.profile, rule_sources(r, "ndc-format")
    assert profile is not None
    unit = r.line.ndc_unit.strip().upper()[:FIELD_MAX]
    if not unit:
        if profile.ndc_required:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-unit",
                    f"No NDC unit of measure: {profile.name} requires it with the NDC.",
                    "Key the NDC unit (UN, ML, GR, F2 or ME) and the quantity.",
                    "ndc-format",
                    fmt,
                )
            )
        return None
    if unit not in NDC_UNITS:
        r.findings.append(
            Finding(
                "error",
                "ndc-unit",
                f"NDC unit '{unit[:10]}' is not an NDC unit of measure.",
                "Key UN, ML, GR, F2 or ME.",
                "ndc-format",
                fmt,
            )
        )
        return None
    if expected and unit != expected:
        device = product.form in DEVICE_FORMS
        profile_says = device and profile.ndc_unit_devices == "UN"
        level: WarningLevel = "warning" if device and not profile_says else "error"
        rule = "ndc-unit-syringe" if device else "ndc-format"
        why = (
            f"{profile.name} wants prefilled syringes and autoinjectors in UN"
            if profile_says
            else f"the {product.form} is counted in {expected}"
        )
        r.findings.append(
            Finding(
                level,
                "ndc-unit",
                f"NDC {product.ndc} in {unit}: {why}.",
                f"Key the NDC quantity in {expected}.",
                rule,
                rule_sources(r, rule) + product.provenance.sources,
            )
        )
    return unit


def _ndc_quantity(r: ReadLine) -> Fraction | None:
    """The NDC quantity as keyed: a number above 0, with at most the decimals claim forms take."""
    text = r.line.ndc_quantity.strip()[:FIELD_MAX]
    fmt = rule_sources(r, "ndc-format")
    if not text:
        assert r.profile is not None
        if r.profile.ndc_required:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-quantity",
                    f"No NDC quantity: {r.profile.name} requires it with the NDC.",
                    "Key the NDC quantity: the amount given (or discarded) in the NDC unit.",
                    "ndc-format",
                    fmt,
                )
            )
        return None
    try:
        value = number(text, "NDC quantity")
    except InputError as exc:
        r.findings.append(Finding("error", "ndc-quantity", str(exc), "Key the NDC quantity as a number."))
        return None
    if value <= 0:
        r.findings.append(
            Finding(
                "error", "ndc-quantity", "The NDC quantity is not above 0.", "Key the NDC quantity given or wasted."
            )
        )
        return None
    decimals = Decimal(text).as_tuple().exponent
    if isinstance(decimals, int) and -decimals > NDC_QUANTITY_PLACES:
        r.findings.append(
            Finding(
                "error",
                "ndc-quantity",
                f"NDC quantity {text[:20]} has {-decimals} decimals; claim forms take {NDC_QUANTITY_PLACES}.",
                f"Round the NDC quantity to {NDC_QUANTITY_PLACES} decimals, e.g. "
                f"{plain_amount(value, NDC_QUANTITY_PLACES)}.",
                "ndc-format",
                fmt,
            )
        )
    return value
