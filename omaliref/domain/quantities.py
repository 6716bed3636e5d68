"""Exact amounts with units: parsing what a coder types and converting within one dimension."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from omaliref.domain.errors import InputError

# Each unit maps to (dimension, size in the dimension's base unit). Conversion never crosses dimensions.
_UNITS: dict[str, tuple[str, Fraction]] = {
    "mcg": ("mass", Fraction(1)),
    "mg": ("mass", Fraction(1000)),
    "g": ("mass", Fraction(1_000_000)),
    "units": ("units", Fraction(1)),
    "million units": ("units", Fraction(1_000_000)),
    "implant": ("implant", Fraction(1)),
    "stent": ("stent", Fraction(1)),
    "ml": ("volume", Fraction(1)),  # CMS bills some drugs per mL/cc (solutions, contrast)
}
_ALIASES = {
    "mcg": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "ug": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "units": "units",
    "unit": "units",
    "u": "units",
    "iu": "units",
    "mu": "million units",
    "million units": "million units",
    "million": "million units",
    "implant": "implant",
    "implants": "implant",
    "stent": "stent",
    "stents": "stent",
    "ml": "ml",
    "cc": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
}
ACCEPTED_UNITS = "mg, mcg, g, units, MU (million units), mL or implant"
_MAX_TEXT = 64  # avoid pathological work on huge pasted text


@dataclass(frozen=True, order=True)
class Quantity:
    """An exact amount in a named unit (Fraction, never float)."""

    amount: Fraction
    unit: str

    @property
    def dimension(self) -> str:
        return _UNITS[self.unit][0] if self.unit in _UNITS else self.unit

    def convertible_to(self, unit: str) -> bool:
        return self.unit in _UNITS and unit in _UNITS and _UNITS[self.unit][0] == _UNITS[unit][0]

    def to(self, unit: str) -> Quantity:
        if self.unit == unit:
            return self
        if not self.convertible_to(unit):
            raise InputError(f"{self.unit} cannot be converted to {unit}.")
        return Quantity(self.amount * _UNITS[self.unit][1] / _UNITS[unit][1], unit)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.unit}"


def canonical_unit(text: str) -> str | None:
    return _ALIASES.get(text.strip().lower())


def format_amount(value: Fraction) -> str:
    """Exact decimal text when it terminates (up to 12 places, so 0.0000001 mg is never shown as 0), else 4
    decimal places; thousands separators for big numbers; never an exponent."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    d = Decimal(value.numerator) / Decimal(value.denominator)
    for places in range(1, 13):
        if (value * 10**places).denominator == 1:
            return f"{d:,.{places}f}"
    text = f"{d:,.4f}".rstrip("0").rstrip(".")
    return text if text.strip("-") != "0" else ("-" if value < 0 else "") + "less than 0.0001"


def plain_amount(value: Fraction, places: int = 4) -> str:
    """Machine-friendly decimal text (no separators) for JSON; non-terminating values rounded to `places`."""
    if value.denominator == 1:
        return str(value.numerator)
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return format(d.quantize(Decimal(1).scaleb(-places)).normalize(), "f")


def parse_number(text: str, *, what: str = "amount") -> Fraction:
    """Parse a plain decimal number typed by a coder; refuse anything that is not one."""
    raw = text
    text = text.strip()
    if not text:
        raise InputError(f"The {what} is empty: type a number such as 375.")
    if len(text) > _MAX_TEXT:
        raise InputError(f"The {what} is too long to be a number.")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InputError(f"The {what} contains control characters: type digits only, such as 375.")
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
        raise InputError(f"The {what} '{raw.strip()}' uses non-ASCII digits: type 0–9.")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")  # thousands separators: 2,400,000
    elif "," in text:
        raise InputError(f"The {what} '{text}' has a comma: use a decimal point (1.5, not 1,5).")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise InputError(f"The {what} '{text}' is not a number: type digits such as 375 or 1.5.")
    try:
        value = Fraction(Decimal(text))
    except (InvalidOperation, ValueError):  # pragma: no cover - regex above already filters
        raise InputError(f"The {what} '{text}' is not a number.") from None
    return value


def parse_quantity(text: str, *, default_unit: str | None = None, what: str = "dose") -> Quantity:
    """Parse '375mg', '375 mg', '1350mcg', '2400000units', '2.4MU', '1implant'."""
    stripped = text.strip()
    if not stripped:
        raise InputError(f"The {what} is empty: type an amount with its unit, such as 375mg.")
    if len(stripped) > _MAX_TEXT:
        raise InputError(f"The {what} is too long: type an amount with its unit, such as 375mg.")
    if re.fullmatch(r"[+-]?(nan|inf|infinity)\s*[a-z ]*", stripped.lower()):
        raise InputError(f"The {what} '{stripped}' is not a number: type digits such as 375mg.")
    match = re.fullmatch(r"([^a-zA-Zµμ]*?)\s*([a-zA-Zµμ][a-zA-Zµμ ]*)?", stripped)
    if match is None:
        raise InputError(f"The {what} '{stripped}' is not an amount with a unit: type e.g. 375mg or 2.4MU.")
    number_text, unit_text = match.group(1), match.group(2)
    if unit_text is None:
        if default_unit is None:
            raise InputError(f"The {what} '{stripped}' has no unit: add one of {ACCEPTED_UNITS} (e.g. 375mg).")
        unit = default_unit
    else:
        found = canonical_unit(unit_text)
        if found is None:
            raise InputError(f"'{unit_text.strip()}' is not a dose unit: use {ACCEPTED_UNITS}.")
        unit = found
    amount = parse_number(number_text, what=what)
    if amount <= 0:
        raise InputError(f"The {what} must be greater than zero.")
    return Quantity(amount, unit)
