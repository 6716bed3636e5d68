"""A claim line as each form carries it: the keyed fields, CMS-1500 item 24A, UB-04 FL43 and an 837 preview.

Pure text building from a ClaimLine; the payer profile gives the 24A spacing and the setting gives the form
(office: CMS-1500 / 837P; hospital outpatient: UB-04 / 837I).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from omaliref.domain.calculator import NDC_QUANTITY_PLACES, ClaimLine
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


def tsv(lines: Iterable[ClaimLine]) -> str:
    """Copy claim lines: a header row, then one claim line per row, fields separated by tabs."""
    return "\n".join(["\t".join(KEYED_FIELDS), *(keyed(line).row() for line in lines)])


def item_24a(line: ClaimLine, gap: int) -> str | None:
    """CMS-1500 item 24A shaded area: N4, the NDC, `gap` blanks, unit qualifier and quantity."""
    k = keyed(line)
    return f"N4{k.ndc}{' ' * gap}{k.ndc_unit}{k.ndc_quantity}" if k.ndc and k.ndc_unit else None


def fl43(line: ClaimLine) -> str | None:
    """UB-04 FL43: N4, the NDC, unit qualifier and quantity with no delimiter (NUBC)."""
    k = keyed(line)
    return f"N4{k.ndc}{k.ndc_unit}{k.ndc_quantity}" if k.ndc and k.ndc_unit else None


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


def x12_segments(line: ClaimLine, setting: Setting) -> tuple[str, ...]:
    """The service line (SV1 for 837P, SV2 with revenue code 0636 for 837I), its note, and its Loop 2410 LIN/CTP.
    Charges are not known here: the monetary elements carry 0."""
    k = keyed(line)
    procedure = COMPONENT.join(["HC", line.code, *line.modifiers[:4]])
    if FORM_FOR_SETTING[setting] == "cms1500":
        service = ELEMENT.join(["SV1", procedure, "0", "UN", str(line.units), "", "", "1"])
    else:
        service = ELEMENT.join(["SV2", DRUG_REVENUE_CODE, procedure, "0", "UN", str(line.units)])
    out = [service + SEGMENT]
    if line.note and FORM_FOR_SETTING[setting] == "cms1500":
        out.append(ELEMENT.join(["NTE", "ADD", line.note.upper()]) + SEGMENT)
    if k.ndc and k.ndc_unit:
        out.append(ELEMENT.join(["LIN", "", "N4", k.ndc]) + SEGMENT)
        out.append(ELEMENT.join(["CTP", "", "", "", k.ndc_quantity, k.ndc_unit]) + SEGMENT)
    return tuple(out)
