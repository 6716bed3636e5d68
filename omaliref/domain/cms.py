"""Parsers for the CMS quarterly files (layouts in docs/domain/cms-file-formats.md). Pure: text in, rows out.

Every parser refuses a file that does not match its layout with a FileFormatError naming the file, the line and
what was expected, so a partial import is never presented as complete. CPT (numeric) and CDT (D-series) rows are
dropped: they are AMA/ADA content the app may not redistribute.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from omaliref.domain.errors import OmalirefError
from omaliref.domain.vocab import MueSetting

MONTHS = {
    m: i
    for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)
}
MONTH_NAMES = {
    name: i
    for i, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}
LEVEL2 = re.compile(r"[A-CE-V]\d{4}")  # Level II codes; D (CDT, ADA) and numeric CPT are left out
MUE_FILE_SETTINGS: dict[str, MueSetting] = {
    "PractitionerServices": "practitioner",
    "OutpatientHospitalServices": "outpatient-hospital",
    "DMESupplierServices": "dme-supplier",
}


class FileFormatError(OmalirefError):
    """A CMS file that does not match its layout: which file, which line, what was expected."""

    def __init__(self, file: str, line: int, expected: str) -> None:
        self.file, self.line, self.expected = file, line, expected
        super().__init__(f"{file}, line {line}: {expected}")


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1).start
        return nxt - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = re.fullmatch(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", text, flags=re.I)
        if not m:
            raise ValueError(f"'{text[:20]}' is not a quarter: use YYYYQn, e.g. 2027Q1")
        return cls(int(m.group(1)), int(m.group(2)))


@dataclass(frozen=True)
class HcpcsRow:
    code: str
    is_modifier: bool
    long_description: str
    short_description: str
    pricing: str
    coverage: str
    betos: str
    xref1: str
    add_date: dt.date | None
    action_date: dt.date | None
    term_date: dt.date | None
    action: str


@dataclass(frozen=True)
class AspRow:
    code: str
    short_description: str
    dosage: str
    payment_limit: Decimal | None  # None when the file says N/A
    coinsurance: Decimal | None
    notes: str


@dataclass(frozen=True)
class CrosswalkRow:
    code: str
    ndc_raw: str
    ndc11: str  # '' when the ID is not a 5-4-2 NDC (devices carry alternate IDs)
    labeler: str
    drug_name: str
    dosage: str
    pkg_size: Decimal | None
    pkg_qty: Decimal | None
    billunits: Decimal | None
    billunits_pkg: Decimal | None


@dataclass(frozen=True)
class MueRow:
    code: str
    value: int
    mai: int
    mai_text: str
    rationale: str


@dataclass(frozen=True)
class SettingMue:
    """An MUE row with the table (setting) it came from."""

    setting: MueSetting
    row: MueRow


@dataclass(frozen=True)
class QuarterTables:
    """One imported quarter's rows of every kind, typed as parsed."""

    hcpcs: list[HcpcsRow]
    asp: list[AspRow]
    crosswalk: list[CrosswalkRow]
    mue: list[SettingMue]


@dataclass(frozen=True)
class Parsed:
    kind: str
    file: str
    quarter: Quarter
    effective_from: dt.date
    effective_to: dt.date
    rows: tuple[object, ...]
    setting: str = ""  # MUE only
    skipped: int = 0  # CPT/CDT or non-record rows left out


def decode(data: bytes) -> str:
    """cp1252 first (curly quotes in notices), latin-1 as the fallback that never fails."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _date8(text: str, file: str, line: int, field: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise FileFormatError(file, line, f"{field} '{text}' is not a YYYYMMDD date") from None


def _decimal(text: str, file: str, line: int, field: str) -> Decimal | None:
    text = text.strip().replace(",", "")
    if not text or text.upper() == "N/A":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise FileFormatError(file, line, f"{field} '{text[:20]}' is not a number") from None


# --- HCPCS Level II ANWEB fixed-width TXT --------------------------------------------------------------

_RECORD = re.compile(r"([A-V]\d{4}|   [A-Z0-9]{2})(\d{5})([3478])")


def quarter_from_hcpcs_name(file: str) -> Quarter:
    m = re.search(r"HCPC(\d{4})_([A-Z]{3})", file, flags=re.I)
    if not m or m.group(2).upper() not in ("JAN", "APR", "JUL", "OCT"):
        raise FileFormatError(file, 0, "file name like HCPC2027_JAN_ANWEB….txt (year and quarter month)")
    return Quarter(int(m.group(1)), (MONTHS[m.group(2).upper()] - 1) // 3 + 1)


def parse_hcpcs(text: str, file: str) -> Parsed:
    quarter = quarter_from_hcpcs_name(file)
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    firsts: dict[tuple[str, str], tuple[int, str]] = {}
    skipped = 0
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        m = _RECORD.match(raw)
        if not m:
            if groups:  # a non-record line after records began: the file is not what it claims
                raise FileFormatError(
                    file, number, "a 320-character HCPCS record (code, sequence number, record id 3/4/7/8)"
                )
            skipped += 1  # disclaimer text before the records
            continue
        code, seq, recid = m.group(1).strip(), int(m.group(2)), m.group(3)
        family = "proc" if recid in "34" else "mod"
        key = (code, family)
        line = raw.ljust(320)
        groups.setdefault(key, []).append((seq, line[11:91]))
        if recid in "37":
            if len(raw.rstrip()) < 293:  # a first line always carries the action code in column 293
                raise FileFormatError(
                    file,
                    number,
                    f"the first record line of {code} to hold the detail fields "
                    f"through the action code, column 293 (it ends at column "
                    f"{len(raw.rstrip())}: truncated file?)",
                )
            firsts[key] = (number, line)
    if not groups:
        raise FileFormatError(file, 1, "HCPCS Level II records (none found)")
    rows = []
    for key, slices in groups.items():
        code, family = key
        if key not in firsts:
            raise FileFormatError(file, len(lines), f"a first record line (record id 3 or 7) for {code}")
        number, line = firsts[key]
        description = " ".join(s.strip() for _, s in sorted(slices))
        description = re.sub(r"\s{2,}", " ", description).strip()
        if family == "proc" and not LEVEL2.fullmatch(code):
            skipped += 1
            continue
        rows.append(
            HcpcsRow(
                code=code,
                is_modifier=family == "mod",
                long_description=description,
                short_description=line[91:119].strip(),
                pricing=line[119:121].strip(),
                coverage=line[229:230].strip(),
                betos=line[256:259].strip(),
                xref1=line[204:209].strip(),
                add_date=_date8(line[268:276], file, number, "ADD_DT"),
                action_date=_date8(line[276:284], file, number, "ACT_EFF_DT"),
                term_date=_date8(line[284:292], file, number, "TERM_DT"),
                action=line[292:293].strip(),
            )
        )
    return Parsed("hcpcs", file, quarter, quarter.start, quarter.end, tuple(rows), skipped=skipped)


# --- CSV helpers ---------------------------------------------------------------------------------------


def _records(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text))
    out = []
    line = 1
    for record in reader:
        out.append((line, record))
        line = reader.line_num + 1
    return out


def _effective(records: list[tuple[int, list[str]]], file: str, before: int) -> tuple[dt.date, dt.date]:
    pattern = re.compile(
        r"Effective\s+([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})\s+through\s+([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})", flags=re.I
    )
    for _, record in records[:before]:
        m = pattern.search(" ".join(record))
        if m:
            try:
                start = dt.date(int(m.group(3)), MONTH_NAMES[m.group(1).lower()], int(m.group(2)))
                end = dt.date(int(m.group(6)), MONTH_NAMES[m.group(4).lower()], int(m.group(5)))
            except (KeyError, ValueError):
                break
            return start, end
    raise FileFormatError(file, 1, "an 'Effective <Month D, YYYY> through <Month D, YYYY>' line before the header")


def _header_index(records: list[tuple[int, list[str]]], file: str, test: re.Pattern[str], what: str) -> int:
    for index, (_, record) in enumerate(records[:30]):
        if record and test.fullmatch(record[0].strip()):
            return index
    raise FileFormatError(file, 1, f"a header row starting with {what} within the first 30 rows")


def _columns(header: list[str], wanted: dict[str, tuple[str, ...]], file: str, line: int) -> dict[str, int]:
    norm = [re.sub(r"[\s_]+", " ", h).strip().lower() for h in header]
    out = {}
    for key, names in wanted.items():
        for name in names:
            if name in norm:
                out[key] = norm.index(name)
                break
        else:
            raise FileFormatError(file, line, f"a '{names[0]}' column in the header")
    return out


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def _level2_rows(
    records: list[tuple[int, list[str]]], file: str, what: str
) -> tuple[list[tuple[int, list[str], str]], int, int]:
    """Data rows after the header: (line, record, code) for Level II codes, how many CPT/CDT rows were left out,
    and the last line read. Blank rows are skipped; a row without a 5-character code refuses the file."""
    rows, skipped, line = [], 0, records[0][0] if records else 1
    for line, record in records:
        code = _cell(record, 0).upper()
        if not code and not any(c.strip() for c in record):
            continue
        if not re.fullmatch(r"[A-Z0-9]{5}", code):
            raise FileFormatError(file, line, f"a 5-character HCPCS code in the first column, not '{code[:20]}'")
        if not LEVEL2.fullmatch(code):
            skipped += 1
            continue
        rows.append((line, record, code))
    if not rows:
        raise FileFormatError(file, line, f"{what} rows after the header (none found)")
    return rows, skipped, line


# --- ASP payment limits --------------------------------------------------------------------------------


def parse_asp(text: str, file: str) -> Parsed:
    records = _records(text)
    h = _header_index(records, file, re.compile(r"HCPCS Code", re.I), "'HCPCS Code'")
    start, end = _effective(records, file, h)
    line, header = records[h]
    cols = _columns(
        header,
        {
            "code": ("hcpcs code",),
            "desc": ("short description",),
            "dosage": ("hcpcs code dosage",),
            "limit": ("payment limit",),
            "notes": ("notes",),
        },
        file,
        line,
    )
    coins = (
        _columns(header, {"c": ("co-insurance percentage",)}, file, line)["c"]
        if any("co-insurance" in h.lower() for h in header)
        else None
    )
    found, skipped, _ = _level2_rows(records[h + 1 :], file, "payment-limit")
    rows = [
        AspRow(
            code,
            _cell(record, cols["desc"]),
            _cell(record, cols["dosage"]),
            _decimal(_cell(record, cols["limit"]), file, line, "Payment Limit"),
            _decimal(_cell(record, coins), file, line, "Co-insurance") if coins is not None else None,
            _cell(record, cols["notes"]),
        )
        for line, record, code in found
    ]
    q = Quarter.of(start)
    return Parsed("asp", file, q, start, end, tuple(rows), skipped=skipped)


# --- ASP NDC-HCPCS crosswalk ---------------------------------------------------------------------------

NDC542 = re.compile(r"\d{5}-\d{4}-\d{2}")


def parse_crosswalk(text: str, file: str) -> Parsed:
    records = _records(text)
    h = _header_index(records, file, re.compile(r"_\d{4}_CODE", re.I), "'_YYYY_CODE'")
    start, end = _effective(records, file, h)
    line, header = records[h]
    cols = _columns(
        header,
        {
            "ndc": ("ndc", "ndc2"),
            "labeler": ("labeler name",),
            "drug": ("drug name",),
            "dosage": ("hcpcs dosage",),
            "size": ("pkg size",),
            "qty": ("pkg qty",),
            "units": ("billunits",),
            "units_pkg": ("billunitspkg",),
        },
        file,
        line,
    )
    found, skipped, _ = _level2_rows(records[h + 1 :], file, "crosswalk")
    rows = []
    for line, record, code in found:
        raw = _cell(record, cols["ndc"])
        rows.append(
            CrosswalkRow(
                code,
                raw,
                raw.replace("-", "") if NDC542.fullmatch(raw) else "",
                _cell(record, cols["labeler"]),
                _cell(record, cols["drug"]),
                _cell(record, cols["dosage"]),
                _decimal(_cell(record, cols["size"]), file, line, "PKG SIZE"),
                _decimal(_cell(record, cols["qty"]), file, line, "PKG QTY"),
                _decimal(_cell(record, cols["units"]), file, line, "BILLUNITS"),
                _decimal(_cell(record, cols["units_pkg"]), file, line, "BILLUNITSPKG"),
            )
        )
    return Parsed("crosswalk", file, Quarter.of(start), start, end, tuple(rows), skipped=skipped)


# --- NCCI MUE tables -----------------------------------------------------------------------------------

_MUE_NAME = re.compile(r"MCR_MUE_(\w+?)_Eff_(\d{2})-(\d{2})-(\d{4})", re.I)


def parse_mue(text: str, file: str) -> Parsed:
    m = _MUE_NAME.search(file)
    if not m or m.group(1) not in MUE_FILE_SETTINGS:
        raise FileFormatError(file, 0, "file name like MCR_MUE_PractitionerServices_Eff_01-01-2027.csv")
    setting = MUE_FILE_SETTINGS[m.group(1)]
    start = dt.date(int(m.group(4)), int(m.group(2)), int(m.group(3)))
    records = _records(text)
    h = _header_index(records, file, re.compile(r"HCPCS/\s*CPT Code", re.I), "'HCPCS/CPT Code'")
    line, header = records[h]
    if len(header) < 4 or "mue values" not in header[1].lower() or "adjudication" not in header[2].lower():
        raise FileFormatError(
            file, line, "header columns: HCPCS/CPT Code, … MUE Values, MUE Adjudication Indicator, MUE Rationale"
        )
    found, skipped, _ = _level2_rows(records[h + 1 :], file, "MUE")
    rows = []
    for line, record, code in found:
        value_text, mai_text = _cell(record, 1), _cell(record, 2)
        if not value_text.isdigit() or mai_text[:1] not in ("1", "2", "3"):
            raise FileFormatError(file, line, "a whole-number MUE value and an adjudication indicator 1, 2 or 3")
        rows.append(MueRow(code, int(value_text), int(mai_text[0]), mai_text[1:].strip(), _cell(record, 3)))
    q = Quarter.of(start)
    return Parsed("mue", file, q, q.start, q.end, tuple(rows), setting=setting, skipped=skipped)


# --- which parser a file needs -------------------------------------------------------------------------

MEMBER_PATTERNS = (
    ("hcpcs", re.compile(r"(?i)(^|/)HCPC\d{4}_[^/]*ANWEB[^/]*\.txt$")),
    ("asp", re.compile(r"(?i)(^|/)section 508 version of [^/]*(Payment Limit File|ASP Pricing File)[^/]*\.csv$")),
    ("crosswalk", re.compile(r"(?i)(^|/)section 508 version of [^/]*\bASP NDC-HCPCS Crosswalk[^/]*\.csv$")),
    ("mue", re.compile(r"(?i)(^|/)MCR_MUE_\w+_Eff_\d{2}-\d{2}-\d{4}\.csv$")),
)
EXCLUDE = re.compile(r"(?i)TRANS|Correction|recordlayout|proc_notes")
PARSERS = {"hcpcs": parse_hcpcs, "asp": parse_asp, "crosswalk": parse_crosswalk, "mue": parse_mue}


def kind_of(name: str) -> str | None:
    if EXCLUDE.search(name.rsplit("/", 1)[-1]):
        return None
    for kind, pattern in MEMBER_PATTERNS:
        if pattern.search(name):
            return kind
    return None


def parse(kind: str, text: str, file: str) -> Parsed:
    return PARSERS[kind](text, file)


def dosage_quantity(dosage: str) -> tuple[Decimal, str] | None:
    """'10 MG' -> (10, 'mg'); '100 UNITS' -> (100, 'units'); None when it is not a unit the calculator knows."""
    m = re.fullmatch(r"\s*(?:per\s+)?([\d.]+)\s*([A-Za-z]+)\s*", dosage)
    if not m:
        return None
    unit = {"mg": "mg", "mcg": "mcg", "g": "g", "gm": "g", "unit": "units", "units": "units", "iu": "units"}.get(
        m.group(2).lower()
    )
    try:
        amount = Decimal(m.group(1))
    except InvalidOperation:
        return None
    return (amount, unit) if unit and amount > 0 else None


def descriptor_dosage(description: str) -> str:
    """The billing unit at the tail of a long descriptor: '…, 5 mg' -> '5 mg' ('' when there is none)."""
    m = re.search(r",\s*(?:per\s+)?([\d.]+\s*(?:mg|mcg|g|units?))\s*$", description, flags=re.I)
    return m.group(1) if m else ""
