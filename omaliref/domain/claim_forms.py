"""A claim line as each form carries it: the keyed fields, CMS-1500 item 24A, UB-04 FL43 and an 837 preview.

Pure text building from a ClaimLine; the payer profile gives the 24A spacing and the setting gives the form
(office: CMS-1500 / 837P; hospital outpatient: UB-04 / 837I).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from omaliref.domain.calculator import MEDICARE_PAPER_QUANTITY_WIDTH, NDC_QUANTITY_PLACES, ClaimLine
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import plain_amount
from omaliref.domain.vocab import DRUG_REVENUE_CODE, FORM_FOR_SETTING, Setting

ELEMENT, COMPONENT, SEGMENT = "*", ":", "~"
KEYED_FIELDS = ("code", "modifiers", "units", "qualifier", "ndc", "ndc_unit", "ndc_quantity", "note")


@dataclass(frozen=True)
class KeyedLine:
    """The fields a coder keys, in the order of the copied row."""

    code: str
    modifiers: str
    units: int
    qualifier: str
    ndc: str
    ndc_unit: str
    ndc_quantity: str
    note: str

    def row(self) -> str:
        return "\t".join(str(getattr(self, name)) for name in KEYED_FIELDS)


def keyed(line: ClaimLine) -> KeyedLine:
    part = line.ndc_parts[0] if len(line.ndc_parts) == 1 else None
    quantity = plain_amount(part.ndc_quantity, NDC_QUANTITY_PLACES) if part and part.ndc_unit else ""
    return KeyedLine(
        line.code,
        " ".join(line.modifiers),
        line.units,
        "N4" if part else "",
        part.ndc.replace("-", "") if part else "",
        part.ndc_unit if part else "",
        quantity,
        line.note,
    )


def cms1500_layout(profile: PayerProfile) -> tuple[int, str, int | None]:
    """The payer's item 24A: blanks between NDC and unit, the box the NDC goes in, and the quantity's width (Medicare:
    six characters, Claims Processing Manual ch. 26)."""
    width = MEDICARE_PAPER_QUANTITY_WIDTH if profile.kind == "medicare" else None
    return profile.cms1500_ndc_gap, profile.cms1500_ndc_box, width


def fit_quantity(quantity: Fraction, width: int | None) -> str:
    """The NDC quantity in at most `width` characters (fewer decimals, rounded half-even), when a form caps it."""
    text = plain_amount(quantity, NDC_QUANTITY_PLACES)
    places = NDC_QUANTITY_PLACES
    while width is not None and len(text) > width and places > 0:
        places -= 1
        text = plain_amount(quantity, places)
    return text


def item_24a(line: ClaimLine, gap: int, box: str = "24a", quantity_width: int | None = None) -> str | None:
    """CMS-1500 item 24A shaded area: N4, the NDC, `gap` blanks, unit qualifier and quantity; None when the payer
    wants the NDC in item 19 instead (`box` "19")."""
    k = keyed(line)
    if box != "24a" or not (k.ndc and k.ndc_unit):
        return None
    part = line.ndc_parts[0]
    return f"N4{k.ndc}{' ' * gap}{k.ndc_unit}{fit_quantity(part.ndc_quantity, quantity_width)}"


def item_19(line: ClaimLine, box: str = "24a") -> str:
    """What this line puts in CMS-1500 item 19: its NDC when the payer wants NDCs there, and its note."""
    k = keyed(line)
    own = f"N4{k.ndc} {k.ndc_unit}{k.ndc_quantity}" if box == "19" and k.ndc and k.ndc_unit else ""
    return "; ".join(t for t in (own, line.note) if t)


def claim_item_19(lines: Iterable[ClaimLine], box: str = "24a") -> str:
    """Item 19 is one box per claim: every line's part of it, once, numbered by line when there are several."""
    parts = [(number, text) for number, line in enumerate(lines, 1) if (text := item_19(line, box))]
    if len(parts) == 1:
        return parts[0][1]
    return " / ".join(f"line {number}: {text}" for number, text in parts)


def fl43(line: ClaimLine) -> str | None:
    """UB-04 FL43: N4, the NDC, unit qualifier and quantity with no delimiter (NUBC)."""
    k = keyed(line)
    return f"N4{k.ndc}{k.ndc_unit}{k.ndc_quantity}" if k.ndc and k.ndc_unit else None


CHARGE_PLACEHOLDER = "CHARGE"  # not a number on purpose: a preview without a charge must not pass for a $0 claim


def line_charge(line: ClaimLine, charge_per_unit: Decimal | None) -> str:
    """The line's charge: its token charge, else its units times the charge per billing unit (to the cent), else the
    marked placeholder."""
    if line.fixed_charge is not None:
        return str(line.fixed_charge)
    if charge_per_unit is None:
        return CHARGE_PLACEHOLDER
    return str((charge_per_unit * line.units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def missing_ndc_unit(ndc: str | None) -> str:
    """What a claim view shows where the NDC unit and quantity are not known: the NDC and why, never a bare gap."""
    if not ndc:
        return "No single NDC on this line: see the note"
    return f"N4{ndc.replace('-', '')}: NDC unit and quantity not in the data, take them from the package label"


def x12_gap(line: ClaimLine) -> str:
    """Why an 837 preview has no Loop 2410 LIN/CTP ('' when it has one)."""
    k = keyed(line)
    if k.ndc and k.ndc_unit:
        return ""
    return "(no LIN/CTP: " + (missing_ndc_unit(k.ndc) if k.ndc else "no single NDC on this line") + ")"


def x12_segments(line: ClaimLine, setting: Setting, charge_per_unit: Decimal | None = None) -> tuple[str, ...]:
    """The service line (SV1 for 837P, SV2 with revenue code 0636 for 837I), its note, and its Loop 2410 LIN/CTP.
    Without a charge per unit the monetary element carries the CHARGE placeholder, never a plausible 0."""
    k = keyed(line)
    procedure = COMPONENT.join(["HC", line.code, *line.modifiers[:4]])
    charge = line_charge(line, charge_per_unit)
    if FORM_FOR_SETTING[setting] == "cms1500":
        service = ELEMENT.join(["SV1", procedure, charge, "UN", str(line.units), "", "", "1"])
    else:
        elements = ["SV2", DRUG_REVENUE_CODE, procedure, charge, "UN", str(line.units)]
        service = ELEMENT.join(elements + (["", charge] if line.non_covered else []))  # SV207 non-covered
    out = [service + SEGMENT]
    if line.note and FORM_FOR_SETTING[setting] == "cms1500":
        out.append(ELEMENT.join(["NTE", "ADD", line.note.upper()]) + SEGMENT)
    if k.ndc and k.ndc_unit:
        out.append(ELEMENT.join(["LIN", "", "N4", k.ndc]) + SEGMENT)
        out.append(ELEMENT.join(["CTP", "", "", "", k.ndc_quantity, k.ndc_unit]) + SEGMENT)
    return tuple(out)
