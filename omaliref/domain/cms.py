"""Parsers for the CMS quarterly files (layouts in docs/domain/cms-files.md). Pure: text or records in, rows out.

A file is recognized by its content (the name is only a hint): the ASP payment-limit preamble and header, the
crosswalk's title and `_YYYY_CODE` header, the MUE notice and header, the HCPCS record layout. A file whose layout
does not match is refused whole with file, line and what was expected; a row that fits the layout but has one
unusable value is skipped and reported (file, line, field, value). CPT (numeric) and CDT (D-series) rows are
dropped: they are AMA/ADA content the app may not redistribute.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from omaliref.domain.errors import OmalirefError
from omaliref.domain.quantities import canonical_unit
from omaliref.domain.quarter import EARLIEST_QUARTER_YEAR, LATEST_QUARTER_YEAR, Quarter
from omaliref.domain.vocab import CmsKind, MueSetting

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
LEVEL2 = re.compile(r"[A-CE-V][0-9]{4}")  # Level II codes; D (CDT, ADA) and numeric CPT are left out
MUE_FILE_SETTINGS: dict[str, MueSetting] = {
    "PractitionerServices": "practitioner",
    "OutpatientHospitalServices": "outpatient-hospital",
    "DMESupplierServices": "dme-supplier",
}
MUE_HEADER_SETTINGS: dict[str, MueSetting] = {
    "practitioner": "practitioner",
    "outpatient hospital": "outpatient-hospital",
    "dme supplier": "dme-supplier",
}
MAX_NUMBER = Decimal(10) ** 9  # no CMS payment limit, package size or MUE comes near a billion


class FileFormatError(OmalirefError):
    """A CMS file that does not match its layout: which file, which line, what was expected."""

    def __init__(self, file: str, line: int, expected: str) -> None:
        self.file, self.line, self.expected = file, line, expected
        super().__init__(f"{file}, line {line}: expected {expected}.")  # a whole sentence, never a bare fragment


class QuarterUnknown(FileFormatError):
    """Nothing in the file says which quarter it is for: the import must be told (--quarter)."""

    def __init__(self, file: str) -> None:
        super().__init__(
            file,
            0,
            "a quarter: nothing in the file says which quarter it is for — give it, e.g. "
            "--quarter 2027Q1 (or the Quarter field of the import dialog)",
        )


class CellError(ValueError):
    """One value of a row that fits the layout cannot be used; the row is skipped and reported."""


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
class SkippedRow:
    """A row that fits the layout but holds one value that cannot be used: left out, and said so."""

    file: str
    line: int
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    kind: CmsKind
    file: str
    quarter: Quarter
    effective_from: dt.date
    effective_to: dt.date
    rows: tuple[object, ...]
    setting: str = ""  # MUE only
    skipped: int = 0  # CPT/CDT or non-record rows left out
    skipped_rows: tuple[SkippedRow, ...] = ()  # rows with an unusable value, left out


def decode(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (a BOM is dropped), else cp1252 (CMS's own), else latin-1 (never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _date8(text: str, field: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:  # not strptime: it was a third of an HCPCS import's parsing time
        if not (len(text) == 8 and text.isascii() and text.isdigit()):
            raise ValueError(text)
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CellError(f"{field} '{text[:20]}' is not a YYYYMMDD date") from None
    if not 1900 <= day.year <= LATEST_QUARTER_YEAR:
        raise CellError(f"{field} '{text}' is outside any plausible date")
    return day


def number(text: str, field: str) -> Decimal | None:
    """A CMS number ('1,234.5', 'N/A' or empty = none); NaN, infinities, negatives and absurd sizes are refused."""
    text = text.strip().replace(",", "")
    if not text or text.upper() == "N/A":
        return None
    if len(text) > 30:
        raise CellError(f"{field} '{text[:20]}…' is too long to be a number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{field} '{text[:20]}' is not a number") from None
    if not value.is_finite() or value < 0 or value >= MAX_NUMBER:
        raise CellError(f"{field} '{text[:20]}' is not a finite, non-negative number of sane size")
    return value


# --- recognizing a file by its content ------------------------------------------------------------------

_RECORD = re.compile(r"([A-V][0-9]{4}|   [A-Z0-9]{2})([0-9]{5})([3478])")


def kind_of_text(text: str) -> CmsKind | None:
    """Which CMS file this text is, from its first lines; None when it is none of them."""
    head = text[:20_000]
    lowered = head.lower()
    if "awp" in lowered[:400] and "crosswalk" in lowered[:400]:
        return None  # the AWP crosswalk CMS ships beside the ASP one: not what the calculator uses
    if "payment allowance limits for medicare part b drugs" in lowered or re.search(
        r"(?im)^\W*hcpcs code\W*,.*payment limit", head
    ):
        return "asp"
    if re.search(r"(?i)ndc\s*-\s*hcpcs\s+crosswalk", head[:2000]) or re.search(r"(?im)^\W*_[0-9]{4}_code\W*,", head):
        return "crosswalk"
    if "mue values" in lowered and "hcpcs/" in lowered:
        return "mue"
    records = [line for line in head.splitlines() if _RECORD.match(line) and len(line.rstrip()) >= 90]
    if len(records) >= 3:
        return "hcpcs"
    return None


# --- HCPCS Level II file: records from the TXT (fixed width) or the XLSX edition ------------------------


@dataclass(frozen=True)
class HcpcsRecord:
    """One record line (TXT) or row (XLSX): code, sequence number, record id, its slice of the long description,
    and on a first line (record id 3 or 7) the detail fields."""

    line: int
    code: str
    seq: int
    recid: str
    description: str
    details: dict[str, str] | None = None


DETAIL_FIELDS = (
    "short_description",
    "pricing",
    "coverage",
    "betos",
    "xref1",
    "add_date",
    "action_date",
    "term_date",
    "action",
)
_TXT_SLICES = {
    "short_description": (91, 119),
    "pricing": (119, 121),
    "coverage": (229, 230),
    "betos": (256, 259),
    "xref1": (204, 209),
    "add_date": (268, 276),
    "action_date": (276, 284),
    "term_date": (284, 292),
    "action": (292, 293),
}
XLSX_COLUMNS = {
    "code": "HCPC",
    "seq": "SEQNUM",
    "recid": "RECID",
    "description": "LONG DESCRIPTION",
    "short_description": "SHORT DESCRIPTION",
    "pricing": "PRICE1",
    "coverage": "COV",
    "betos": "BETOS",
    "xref1": "XREF1",
    "add_date": "ADD DT",
    "action_date": "ACT EFF DT",
    "term_date": "TERM DT",
    "action": "ACTION CD",
}


_XLSX_CODE = re.compile(r"[A-Z0-9]{2,5}")
_CODE5 = re.compile(r"[A-Z0-9]{5}")
_SPACES = re.compile(r"\s{2,}")


def hcpcs_records_from_text(text: str, file: str) -> tuple[list[HcpcsRecord], int]:
    """The records of the TXT edition and how many disclaimer lines came before them."""
    records: list[HcpcsRecord] = []
    skipped = 0
    for number_, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _RECORD.match(raw)
        if not m:
            if records:  # a non-record line after records began: the file is not what it claims
                raise FileFormatError(
                    file, number_, "a 320-character HCPCS record (code, sequence number, record id 3/4/7/8)"
                )
            skipped += 1  # disclaimer text before the records
            continue
        code, seq, recid = m.group(1).strip(), int(m.group(2)), m.group(3)
        line = raw.ljust(320)
        details = None
        if recid in "37":
            if len(raw.rstrip()) < 293:  # a first line always carries the action code in column 293
                raise FileFormatError(
                    file,
                    number_,
                    f"the first record line of {code} to hold the detail fields "
                    f"through the action code, column 293 (it ends at column "
                    f"{len(raw.rstrip())}: truncated file?)",
                )
            details = {name: line[a:b].strip() for name, (a, b) in _TXT_SLICES.items()}
        records.append(HcpcsRecord(number_, code, seq, recid, line[11:91], details))
    return records, skipped


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text CMS typed: empty for none, and a whole number stored as a number (20251001.0,
    as a reader gives it) as '20251001'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def hcpcs_records_from_rows(rows: Iterable[Sequence[object]], file: str) -> tuple[list[HcpcsRecord], int]:
    """The records of the XLSX edition: disclaimer rows, then a header row naming the columns (or a header in
    row 1), then one row per record line. Only the columns the records use are turned into text."""
    columns: dict[str, int] | None = None
    records: list[HcpcsRecord] = []
    skipped = 0
    for number_, row in enumerate(rows, start=1):
        if columns is None:
            names = [cell_text(c).strip().upper() for c in row]
            if "HCPC" in names and "RECID" in names:
                missing = [name for name in XLSX_COLUMNS.values() if name not in names]
                if missing:
                    raise FileFormatError(file, number_, f"a '{missing[0]}' column in the HCPCS header row")
                columns = {key: names.index(name) for key, name in XLSX_COLUMNS.items()}
                pick, widest = operator.itemgetter(*columns.values()), max(columns.values())
            else:
                skipped += 1
                if number_ > 50:
                    raise FileFormatError(
                        file, number_, "the HCPCS header row (HCPC, SEQNUM, RECID, …) within the first 50 rows"
                    )
            continue
        if len(row) > widest:  # the reader gives whole rows: the wanted cells in one C call
            cells = [v if type(v) is str else cell_text(v) for v in pick(row)]
        else:
            cells = [cell_text(row[index]) if index < len(row) else "" for index in columns.values()]
        code, seq, recid = cells[0].strip(), cells[1].strip(), cells[2].strip()  # XLSX_COLUMNS' order
        if not (code or seq or recid) and not any(cell_text(c).strip() for c in row):
            continue
        ascii_seq = seq.isascii() and seq.isdigit()
        if not (_XLSX_CODE.fullmatch(code) and ascii_seq and recid in ("3", "4", "7", "8")):
            raise FileFormatError(file, number_, "an HCPCS record row (code, sequence number, record id 3/4/7/8)")
        details = dict(zip(DETAIL_FIELDS, [c.strip() for c in cells[4:]], strict=True)) if recid in "37" else None
        records.append(HcpcsRecord(number_, code, int(seq), recid, cells[3], details))
    if columns is None:
        raise FileFormatError(file, 1, "the HCPCS header row (HCPC, SEQNUM, RECID, …)")
    return records, skipped


def quarter_from_hcpcs_name(file: str) -> Quarter | None:
    """HCPC2027_JAN_ANWEB… -> 2027Q1; the annual HCPC2019_CONTR_ANWEB… is January's."""
    m = re.search(r"HCPC([0-9]{4})_([A-Z]{3,5})", file, flags=re.I)
    if not m:
        return None
    year, month = int(m.group(1)), m.group(2).upper()
    if month == "CONTR":
        month = "JAN"
    if month not in ("JAN", "APR", "JUL", "OCT") or not EARLIEST_QUARTER_YEAR <= year <= LATEST_QUARTER_YEAR:
        raise FileFormatError(file, 0, f"a file name whose year and quarter month are possible, not '{m.group(0)}'")
    return Quarter(year, (MONTHS[month] - 1) // 3 + 1)


def quarter_from_records(records: Sequence[HcpcsRecord]) -> Quarter | None:
    """The quarter of the latest action effective date in the file (a quarter's file carries that quarter's
    actions); None when no record has one."""
    latest = None
    for record in records:
        text = (record.details or {}).get("action_date", "")
        if re.fullmatch(r"[0-9]{8}", text):
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            latest = day if latest is None or day > latest else latest
    return Quarter.of(latest) if latest and EARLIEST_QUARTER_YEAR <= latest.year <= LATEST_QUARTER_YEAR else None


def parse_hcpcs_records(
    records: Sequence[HcpcsRecord], file: str, skipped: int = 0, quarter: Quarter | None = None
) -> Parsed:
    """Group the record lines into codes; the quarter comes from the name, else the records, else `quarter`."""
    if not records:
        raise FileFormatError(file, 1, "HCPCS Level II records (none found)")
    found = quarter_from_hcpcs_name(file) or quarter_from_records(records) or quarter
    if found is None:
        raise QuarterUnknown(file)
    groups: dict[tuple[str, str], list[HcpcsRecord]] = {}
    firsts: dict[tuple[str, str], HcpcsRecord] = {}  # each code's first line: found once, not by scanning its lines
    bad: list[SkippedRow] = []
    copy_of: tuple[str, str] | None = None  # the code whose second first line (and its continuation) is left out
    for record in records:
        group = (record.code, "proc" if record.recid in "34" else "mod")
        kept = firsts.get(group)
        if record.details is not None and kept is None:
            firsts[group] = record
        elif record.details is not None and kept is not None:
            reason = f"a second first record line for {record.code} (the first is line {kept.line}); the first is kept"
            bad.append(SkippedRow(file, record.line, "HCPC", record.code, reason))
            copy_of = group
            continue
        if record.details is None and copy_of == group:
            continue
        copy_of = None
        groups.setdefault(group, []).append(record)
    rows = []
    for (code, family), lines in groups.items():
        first = firsts.get((code, family))
        if first is None:
            raise FileFormatError(file, lines[-1].line, f"a first record line (record id 3 or 7) for {code}")
        if family == "proc" and not LEVEL2.fullmatch(code):
            skipped += 1
            continue
        if len(lines) > 1:
            lines.sort(key=lambda r: r.seq)
        description = _SPACES.sub(" ", " ".join(r.description.strip() for r in lines))
        d = first.details or {}
        dates: dict[str, dt.date | None] = {}
        for key, cms_name in (("add_date", "ADD_DT"), ("action_date", "ACT_EFF_DT"), ("term_date", "TERM_DT")):
            try:
                dates[key] = _date8(d[key], cms_name)
            except CellError as exc:
                bad.append(SkippedRow(file, first.line, cms_name, d[key], str(exc)))
                break
        else:
            rows.append(
                HcpcsRow(
                    code,
                    family == "mod",
                    description.strip(),
                    d["short_description"],
                    d["pricing"],
                    d["coverage"],
                    d["betos"],
                    d["xref1"],
                    dates["add_date"],
                    dates["action_date"],
                    dates["term_date"],
                    d["action"],
                )
            )
    return Parsed("hcpcs", file, found, found.start, found.end, tuple(rows), skipped=skipped, skipped_rows=tuple(bad))


def parse_hcpcs(text: str, file: str, quarter: Quarter | None = None) -> Parsed:
    records, skipped = hcpcs_records_from_text(text, file)
    return parse_hcpcs_records(records, file, skipped, quarter)


# --- CSV helpers ---------------------------------------------------------------------------------------


def _records(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on (quoted cells may span lines); CR-only line ends too.
    Streamed: a parser holds a window of rows, never the file's rows as lists of cells (the January 2025 crosswalk,
    ~190 empty trailing columns a row, held 24 MB of them for a 1.6 MB file)."""
    reader = csv.reader(io.StringIO(text, newline=None))  # universal newlines: CRLF and CR-only read as LF
    line = 1
    try:
        for record in reader:
            if "".join(record).strip():  # blank rows are never read: kept, 10 MB of them took 1.7 GB
                yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileFormatError(file, line, f"well-formed CSV ({exc})") from None


def _head(text: str, file: str) -> tuple[list[tuple[int, list[str]]], Iterator[tuple[int, list[str]]]]:
    """The first 30 records (where the preamble and the header are looked for) and the rest, still unread."""
    records = _records(text, file)
    return list(itertools.islice(records, 30)), records


def _effective(records: list[tuple[int, list[str]]], file: str, before: int) -> tuple[dt.date, dt.date]:
    pattern = re.compile(
        r"Effective\s+([A-Za-z]+)\s+([0-9]{1,2}),\s*([0-9]{4})\s+through\s+([A-Za-z]+)\s+([0-9]{1,2}),"
        r"\s*([0-9]{4})",
        flags=re.I,
    )
    for line, record in records[:before]:
        m = pattern.search(" ".join(record))
        if m:
            try:
                start = dt.date(int(m.group(3)), MONTH_NAMES[m.group(1).lower()], int(m.group(2)))
                end = dt.date(int(m.group(6)), MONTH_NAMES[m.group(4).lower()], int(m.group(5)))
            except (KeyError, ValueError):
                raise FileFormatError(file, line, f"an effective line with real dates, not '{m.group(0)}'") from None
            if (
                end < start
                or (end - start).days > 400
                or not EARLIEST_QUARTER_YEAR <= start.year <= LATEST_QUARTER_YEAR
            ):
                raise FileFormatError(file, line, f"an effective range of one quarter, not '{m.group(0)}'")
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
    records: Iterable[tuple[int, list[str]]], file: str, what: str, make: object, unique: bool = True
) -> tuple[list[object], list[SkippedRow], int]:
    """The data rows after the header, each built by `make(line, record, code)` as it is read: Level II codes
    only (CPT/CDT rows are counted, not kept), blank rows skipped, a row without a 5-character code refuses the file.
    A row with an unusable value, or a second row for the same key when keys must be unique, is skipped and
    reported. Returns the rows, the skipped rows and how many CPT/CDT rows were left out."""
    rows: list[object] = []
    bad: list[SkippedRow] = []
    seen: dict[object, int] = {}
    skipped, line, any_row = 0, 1, False
    for line, record in records:
        code = _cell(record, 0).upper()
        if not code and not any(c.strip() for c in record):
            continue
        if not _CODE5.fullmatch(code):
            raise FileFormatError(file, line, f"a 5-character HCPCS code in the first column, not '{code[:20]}'")
        if not LEVEL2.fullmatch(code):
            skipped += 1
            continue
        any_row = True
        try:
            row = make(line, record, code)  # type: ignore[operator]
        except CellError as exc:
            message = str(exc)
            field, _, rest = message.partition(" '")
            bad.append(SkippedRow(file, line, field, rest.partition("'")[0], message))
            continue
        if unique:
            key = getattr(row, "code", code)
            if key in seen:
                reason = f"a second row for {code} (the first is line {seen[key]}); the first is kept"
                bad.append(SkippedRow(file, line, "code", code, reason))
                continue
            seen[key] = line
        rows.append(row)
    if not any_row:
        raise FileFormatError(file, line, f"{what} rows after the header (none found)")
    return rows, bad, skipped


# --- ASP payment limits --------------------------------------------------------------------------------


def parse_asp(text: str, file: str, quarter: Quarter | None = None) -> Parsed:
    head, rest = _head(text, file)
    h = _header_index(head, file, re.compile(r"HCPCS Code", re.I), "'HCPCS Code'")
    start, end = _effective(head, file, h)
    line, header = head[h]
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

    def make(line: int, record: list[str], code: str) -> AspRow:
        return AspRow(
            code,
            _cell(record, cols["desc"]),
            _cell(record, cols["dosage"]),
            number(_cell(record, cols["limit"]), "Payment Limit"),
            number(_cell(record, coins), "Co-insurance") if coins is not None else None,
            _cell(record, cols["notes"]),
        )

    rows, bad, skipped = _level2_rows(itertools.chain(head[h + 1 :], rest), file, "payment-limit", make)
    return Parsed("asp", file, Quarter.of(start), start, end, tuple(rows), skipped=skipped, skipped_rows=tuple(bad))


# --- ASP NDC-HCPCS crosswalk ---------------------------------------------------------------------------

NDC542 = re.compile(r"[0-9]{5}-[0-9]{4}-[0-9]{2}")


def parse_crosswalk(text: str, file: str, quarter: Quarter | None = None) -> Parsed:
    head, rest = _head(text, file)
    h = _header_index(head, file, re.compile(r"_[0-9]{4}_CODE", re.I), "'_YYYY_CODE'")
    start, end = _effective(head, file, h)
    line, header = head[h]
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

    def make(line: int, record: list[str], code: str) -> CrosswalkRow:
        raw = _cell(record, cols["ndc"])
        return CrosswalkRow(
            code,
            raw,
            raw.replace("-", "") if NDC542.fullmatch(raw) else "",
            _cell(record, cols["labeler"]),
            _cell(record, cols["drug"]),
            _cell(record, cols["dosage"]),
            number(_cell(record, cols["size"]), "PKG SIZE"),
            number(_cell(record, cols["qty"]), "PKG QTY"),
            number(_cell(record, cols["units"]), "BILLUNITS"),
            number(_cell(record, cols["units_pkg"]), "BILLUNITSPKG"),
        )

    # a code has many NDCs: not unique
    rows, bad, skipped = _level2_rows(itertools.chain(head[h + 1 :], rest), file, "crosswalk", make, unique=False)
    return Parsed(
        "crosswalk", file, Quarter.of(start), start, end, tuple(rows), skipped=skipped, skipped_rows=tuple(bad)
    )


# --- NCCI MUE tables -----------------------------------------------------------------------------------

_MUE_NAME = re.compile(r"MCR_MUE_(\w+?)_Eff_([0-9]{2})-([0-9]{2})-([0-9]{4})", re.I)


def parse_mue(text: str, file: str, quarter: Quarter | None = None) -> Parsed:
    """The setting comes from the header ('Practitioner Services MUE Values'), the quarter from the name's
    effective date, else from `quarter`."""
    head, rest = _head(text, file)
    h = _header_index(head, file, re.compile(r"HCPCS/\s*CPT Code", re.I), "'HCPCS/CPT Code'")
    line, header = head[h]
    if len(header) < 4 or "mue values" not in header[1].lower() or "adjudication" not in header[2].lower():
        raise FileFormatError(
            file, line, "header columns: HCPCS/CPT Code, … MUE Values, MUE Adjudication Indicator, MUE Rationale"
        )
    heading = re.sub(r"\s+", " ", header[1].lower())
    setting = next((s for words, s in MUE_HEADER_SETTINGS.items() if words in heading), None)
    m = _MUE_NAME.search(file)
    if setting is None and m and m.group(1) in MUE_FILE_SETTINGS:
        setting = MUE_FILE_SETTINGS[m.group(1)]
    if setting is None:
        raise FileFormatError(
            file,
            line,
            "an MUE header naming its setting (Practitioner, Outpatient Hospital or DME Supplier Services MUE Values)",
        )
    found_quarter = quarter
    if m:
        try:
            found_quarter = Quarter.of(dt.date(int(m.group(4)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            raise FileFormatError(file, 0, f"a file name with a real effective date, not '{m.group(0)}'") from None
        if not EARLIEST_QUARTER_YEAR <= found_quarter.year <= LATEST_QUARTER_YEAR:
            raise FileFormatError(file, 0, f"a file name with a plausible effective date, not '{m.group(0)}'")
    if found_quarter is None:
        raise QuarterUnknown(file)

    def make(line: int, record: list[str], code: str) -> MueRow:
        value_text, mai_text = _cell(record, 1), _cell(record, 2)
        if not (value_text.isascii() and value_text.isdigit()) or len(value_text) > 6:
            raise CellError(f"MUE Values '{value_text[:20]}' is not a whole number of units")
        if mai_text[:1] not in ("1", "2", "3"):
            raise CellError(f"MUE Adjudication Indicator '{mai_text[:20]}' is not 1, 2 or 3")
        return MueRow(code, int(value_text), int(mai_text[0]), mai_text[1:].strip(), _cell(record, 3))

    rows, bad, skipped = _level2_rows(itertools.chain(head[h + 1 :], rest), file, "MUE", make)
    q = found_quarter
    return Parsed(
        "mue", file, q, q.start, q.end, tuple(rows), setting=setting, skipped=skipped, skipped_rows=tuple(bad)
    )


PARSERS = {"hcpcs": parse_hcpcs, "asp": parse_asp, "crosswalk": parse_crosswalk, "mue": parse_mue}


def parse(kind: str, text: str, file: str, quarter: Quarter | None = None) -> Parsed:
    return PARSERS[kind](text, file, quarter)


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
