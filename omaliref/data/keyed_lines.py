"""Drug lines already keyed, read from a charge export (CSV or TSV) for `omaliref audit`, streamed row by row.

Header names are matched loosely (HCPCS, Modifier 1-4, NDC Qty, DOS …). A column whose header looks like patient
data (names, member ids, dates of birth, addresses, MRN, SSN, phone) is skipped unread: its values never reach an
AuditLine, so they cannot be printed, logged or stored; the report names the skipped headers.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from omaliref.domain.audit import AuditLine
from omaliref.domain.errors import InputError

# Normalized header (lower case, letters and digits only) -> the AuditLine field it fills.
EXACT_HEADERS: dict[str, str] = {
    **dict.fromkeys(
        ("code", "hcpcs", "hcpcscode", "hcpcscpt", "cpthcpcs", "cpthcpcscode", "cpt", "cptcode", "procedure")
        + ("procedurecode", "proccode", "billingcode", "jcode", "drugcode"),
        "code",
    ),
    **dict.fromkeys(("modifier", "modifiers", "mod", "mods", "modifiercodes"), "modifiers"),
    **dict.fromkeys(
        ("units", "unit", "hcpcsunits", "billedunits", "serviceunits", "unitsbilled", "billingunits", "qty")
        + ("quantity", "unitcount", "svcunits", "serviceunitcount"),
        "units",
    ),
    **dict.fromkeys(("ndc", "ndccode", "ndc11", "ndcnumber", "nationaldrugcode"), "ndc"),
    **dict.fromkeys(("ndcqualifier", "qualifier", "productidqualifier", "ndcqual", "idqualifier"), "ndc_qualifier"),
    **dict.fromkeys(
        ("ndcunit", "ndcuom", "ndcunitofmeasure", "ndcunitqualifier", "unitofmeasure", "uom", "ndcmeasure"),
        "ndc_unit",
    ),
    **dict.fromkeys(("ndcquantity", "ndcqty", "ndcunits", "ndcunitquantity", "ndcamount"), "ndc_quantity"),
    **dict.fromkeys(
        ("dateofservice", "dos", "servicedate", "date", "dosfrom", "fromdate", "servicefromdate", "datefrom")
        + ("svcdate",),
        "date",
    ),
    **dict.fromkeys(("payerprofile", "profile", "payer", "payerprofileid"), "payer_profile"),
    **dict.fromkeys(("setting", "placeofservice", "pos", "siteofservice"), "setting"),
    **dict.fromkeys(
        ("line", "lineref", "linereference", "lineid", "lineno", "linenumber", "ref", "reference", "chargeid")
        + ("chargeline", "lineitem"),
        "ref",
    ),
    **dict.fromkeys(("claim", "claimid", "claimno", "claimnumber", "claimref", "encounter", "encounterid"), "claim"),
}
# Words in a header that mark patient data (checked after the exact names above, before the loose matches).
PATIENT_WORDS = re.compile(
    r"patient|name|member|subscriber|insured|guarantor|beneficiary|dob|birth|address|street|city|zip|postal"
    r"|county|mrn|medicalrecord|ssn|socialsecurity|phone|fax|email|account|acct|mbi|hicn|medicareid|medicaidid"
    r"|policy|gender|sex|race|ethnic"
)
PATIENT_HEADERS = frozenset(("age", "state", "id", "first", "last", "initials", "mi"))
MODIFIER_COLUMN = re.compile(r"(?:modifier|mod)[1-4]")


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def field_for(header: str) -> str | None:
    """The AuditLine field a header fills, 'patient' for a column to skip unread, None for a column not used."""
    name = _normal(header)
    if name in EXACT_HEADERS:
        return EXACT_HEADERS[name]
    if MODIFIER_COLUMN.fullmatch(name):
        return "modifiers"
    if name in PATIENT_HEADERS or PATIENT_WORDS.search(name):
        return "patient"
    if "ndc" in name:
        if "qual" in name:
            return "ndc_qualifier"
        if "qty" in name or "quantity" in name:
            return "ndc_quantity"
        if "unit" in name or "uom" in name or "measure" in name:
            return "ndc_unit"
        return "ndc"
    if "hcpcs" in name or "cpt" in name:
        return "code"
    if name.startswith(("modifier", "mod")):
        return "modifiers"
    if "dateofservice" in name or name.startswith("dos"):
        return "date"
    if "units" in name:
        return "units"
    if "payerprofile" in name:
        return "payer_profile"
    return None


@dataclass
class LinesInput:
    """The lines of one input, read as they are iterated; which columns were skipped and which were not used."""

    kind: str  # "csv", "tsv", "837P" or "837I"
    lines: Iterator[AuditLine]
    skipped_columns: tuple[str, ...] = ()  # patient data: skipped unread
    unused_columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def read_lines(stream: TextIO, name: str = "-") -> LinesInput:
    """A CSV/TSV charge export (or an 837, see keyed_x12) as AuditLines, streamed."""
    try:
        first = stream.readline()
        while first and not first.strip():
            first = stream.readline()
    except UnicodeDecodeError:
        raise InputError(f"{name[:200]} is not a text file: audit reads CSV, TSV or 837 (X12) files.") from None
    if not first:
        raise InputError(f"{name[:200]} is empty: audit reads CSV, TSV or 837 (X12) files with a header row.")
    if first.lstrip("\ufeff").lstrip().startswith("ISA"):
        from omaliref.data.keyed_x12 import read_x12

        return read_x12(first, stream, name)
    return _read_delimited(first, stream, name)


def _read_delimited(first: str, stream: TextIO, name: str) -> LinesInput:
    header_line = first.lstrip("\ufeff")
    delimiter = "\t" if "\t" in header_line else (";" if header_line.count(";") > header_line.count(",") else ",")
    try:
        headers = next(csv.reader([header_line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise InputError(f"{name[:200]}: the header row cannot be read as CSV.") from None
    columns: dict[str, list[int]] = {}
    skipped: list[str] = []
    unused: list[str] = []
    for index, header in enumerate(headers):
        target = field_for(header)
        shown = header.strip()[:60]
        if target == "patient":
            skipped.append(shown)
        elif target is None or (target != "modifiers" and target in columns):
            unused.append(shown)
        else:
            columns.setdefault(target, []).append(index)
    if "code" not in columns:
        raise InputError(
            f"{name[:200]}: no column for the HCPCS code (headers read: "
            + ", ".join(h.strip()[:30] for h in headers[:20] if field_for(h) != "patient")
            + "); name one 'HCPCS' or 'Code'."
        )
    kind = "tsv" if delimiter == "\t" else "csv"
    return LinesInput(kind, _rows(stream, delimiter, columns, name, len(headers)), tuple(skipped), tuple(unused))


def _rows(stream: TextIO, delimiter: str, columns: dict[str, list[int]], name: str, width: int) -> Iterator[AuditLine]:
    """One AuditLine per non-blank row; only the mapped cells are read into it. A row with more cells than the
    header (an unquoted comma in a name, say) is not read at all: its cells no longer sit under their headers, and
    a patient's name could land in a column that is shown."""
    reader = csv.reader(stream, delimiter=delimiter)
    single = {f: idx[0] for f, idx in columns.items() if f != "modifiers"}
    modifier_cells = columns.get("modifiers", [])
    try:
        for number in itertools.count(1):
            row = next(reader, None)
            if row is None:
                return
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                yield AuditLine(
                    ref=f"row {number}",
                    code="",
                    unreadable=f"Row {number} has {len(row)} cells under {width} headers: its cells are not under "
                    "their headers, so it was not read.",
                )
                continue

            def cell(f: str, row: list[str] = row) -> str:
                i = single.get(f)
                return row[i] if i is not None and i < len(row) else ""

            yield AuditLine(
                ref=cell("ref").strip()[:40] or f"row {number}",
                code=cell("code"),
                modifiers=tuple(row[i] for i in modifier_cells if i < len(row) and row[i].strip()),
                units=cell("units"),
                ndc=cell("ndc"),
                ndc_qualifier=cell("ndc_qualifier"),
                ndc_unit=cell("ndc_unit"),
                ndc_quantity=cell("ndc_quantity"),
                date=cell("date"),
                payer_profile=cell("payer_profile"),
                setting=cell("setting"),
                claim=cell("claim"),
            )
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"{name[:200]} cannot be read past row {number}: {exc.__class__.__name__}.") from None
