"""The billing unit a CMS file writes ('10 MG', '100 UNITS', '…, 5 mg'), as a quantity the calculator knows."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from omaliref.domain.quantities import canonical_unit

# What the ASP file and HCPCS descriptors write that the coder's unit words (quantities.canonical_unit) do not
# cover (seen 2024-2026: GM, USP UNIT). Anything that is not one number and one unit ("per dose", "PER VIAL",
# "SQ CM", "microCurie", "UP TO 250 MILLION CAR T CELLS", "10 MG/2 MG") is not guessed.
CMS_UNIT_WORDS = {"gm": "g", "usp unit": "units", "usp units": "units"}


def dosage_quantity(dosage: str) -> tuple[Decimal, str] | None:
    """'10 MG' -> (10, 'mg'); '100 UNITS' -> (100, 'units'); None when it is not a unit the calculator knows."""
    m = re.fullmatch(r"\s*(?:per\s+)?([0-9.,]+)\s*((?:USP\s+)?[A-Za-z]+)\s*", dosage, flags=re.I)
    if not m:
        return None
    word = re.sub(r"\s+", " ", m.group(2).lower())
    unit = canonical_unit(CMS_UNIT_WORDS.get(word, word))
    try:
        amount = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    return (amount, unit) if unit and amount.is_finite() and amount > 0 else None


def descriptor_dosage(description: str) -> str:
    """The billing unit at the tail of a long descriptor: '…, 5 mg' -> '5 mg' ('' when there is none)."""
    m = re.search(r",\s*(?:per\s+)?([0-9.]+\s*(?:mg|mcg|g|units?))\s*$", description, flags=re.I)
    return m.group(1) if m else ""
