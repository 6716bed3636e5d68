"""The HCPCS Level II file: records from the TXT (fixed width) or the XLSX edition, grouped into one row per code.
CPT (numeric) and CDT (D-series) codes are dropped: AMA/ADA content the app may not redistribute."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from omaliref.domain.cms.errors import CellError, FileFormatError, QuarterUnknown
from omaliref.domain.cms.layout import ANWEB, ANWEB_DETAIL_FIELDS, ANWEB_KEY_FIELDS, ANWEB_RECORD_WIDTH
from omaliref.domain.cms.rows import (
    LEVEL2,
    MONTHS,
    Fields,
    Parsed,
    RowStream,
    ShouldCancel,
    SkippedRow,
    date8,
    heed,
    never,
)
from omaliref.domain.quarter import EARLIEST_QUARTER_YEAR, LATEST_QUARTER_YEAR, Quarter

RECORD = re.compile(r"([A-V][0-9]{4}|   [A-Z0-9]{2})([0-9]{5})([3478])")  # code, sequence number, record id


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


DETAIL_FIELDS = tuple(ANWEB_DETAIL_FIELDS)
_TXT_SLICES = {name: ANWEB[cms].span for name, cms in ANWEB_DETAIL_FIELDS.items()}
_DESCRIPTION = ANWEB[ANWEB_KEY_FIELDS["description"]].span
XLSX_COLUMNS = {name: ANWEB[cms].header for name, cms in {**ANWEB_KEY_FIELDS, **ANWEB_DETAIL_FIELDS}.items()}


_XLSX_CODE = re.compile(r"[A-Z0-9]{2,5}")
_SPACES = re.compile(r"\s{2,}")
_RECIDS = frozenset("3478")  # the record ids of a procedure (3 first line, 4 more) and a modifier (7, 8)
_CHUNK_ROWS = 1000  # XLSX rows read column by column at a time


def hcpcs_records_from_text(text: str, file: str, should_cancel: ShouldCancel = never) -> tuple[list[HcpcsRecord], int]:
    """The records of the TXT edition and how many disclaimer lines came before them; Cancel is heard as it reads."""
    records: list[HcpcsRecord] = []
    skipped = 0
    action = ANWEB["ACTION_CD"].last
    for number_, raw in enumerate(text.splitlines(), start=1):
        heed(should_cancel, number_)
        if not raw.strip():
            continue
        m = RECORD.match(raw)
        if not m:
            if records:  # a non-record line after records began: the file is not what it claims
                raise FileFormatError(
                    file, number_, "a 320-character HCPCS record (code, sequence number, record id 3/4/7/8)"
                )
            skipped += 1  # disclaimer text before the records
            continue
        code, seq, recid = m.group(1).strip(), int(m.group(2)), m.group(3)
        line = raw.ljust(ANWEB_RECORD_WIDTH)
        details = None
        if recid in "37":
            if len(raw.rstrip()) < action:  # a first line always carries the action code in column 293
                raise FileFormatError(
                    file,
                    number_,
                    f"the first record line of {code} to hold the detail fields "
                    f"through the action code, column {action} (it ends at column "
                    f"{len(raw.rstrip())}: truncated file?)",
                )
            details = {name: line[a:b].strip() for name, (a, b) in _TXT_SLICES.items()}
        records.append(HcpcsRecord(number_, code, seq, recid, line[_DESCRIPTION[0] : _DESCRIPTION[1]], details))
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


def _wanted_cells(
    row: Sequence[object], columns: dict[str, int], pick: Callable[[Sequence[object]], tuple[object, ...]], widest: int
) -> tuple[str, list[str]]:
    """A record row's description as written and its wanted cells stripped. The reader gives whole rows of text: the
    wanted cells in one C call, stripped in another (str.strip refuses a number, a date or a missing cell: only then
    are the cells made text one by one)."""
    if len(row) > widest:
        picked = pick(row)
        try:
            return cast(str, picked[3]), list(map(str.strip, picked))  # type: ignore[arg-type]
        except TypeError:
            cells = [cell_text(v) for v in picked]
    else:
        cells = [cell_text(row[index]) if index < len(row) else "" for index in columns.values()]
    return cells[3], [c.strip() for c in cells]


def _text_columns(
    chunk: Sequence[Sequence[object]], pick: Callable[[Sequence[object]], tuple[object, ...]]
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The wanted cells of a chunk of rows, column by column, as written and stripped: one C call a column while its
    cells are text, cell_text one by one in a column holding a number or a date."""
    written: list[tuple[str, ...]] = []
    stripped: list[tuple[str, ...]] = []
    for column in zip(*map(pick, chunk), strict=True):
        try:
            stripped.append(tuple(map(str.strip, column)))
            written.append(cast(tuple[str, ...], column))
        except TypeError:
            text = tuple(map(cell_text, column))
            written.append(text)
            stripped.append(tuple(map(str.strip, text)))
    return written, stripped


def _plain_records(
    chunk: Sequence[Sequence[object]], first: int, pick: Callable[[Sequence[object]], tuple[object, ...]], widest: int
) -> list[HcpcsRecord] | None:
    """A chunk of record rows read column by column (a C call a column, not a Python loop a row: 24.5 -> 22.7 ms over
    the 2019 sheet), or None when a row is not a plain record line (short, blank, malformed): read row by row, they
    are skipped or refused with their line."""
    if min(map(len, chunk)) <= widest:
        return None
    written, stripped = _text_columns(chunk, pick)
    codes, seqs, recids = stripped[0], stripped[1], stripped[2]  # XLSX_COLUMNS' order
    ascii_seqs = all(map(str.isascii, seqs)) and all(map(str.isdigit, seqs))
    if not (all(map(_XLSX_CODE.fullmatch, codes)) and ascii_seqs and _RECIDS.issuperset(recids)):
        return None
    details = [
        dict(zip(DETAIL_FIELDS, cells, strict=True)) if recid in "37" else None
        for cells, recid in zip(zip(*stripped[4:], strict=True), recids, strict=True)
    ]
    lines = range(first, first + len(chunk))
    return list(map(HcpcsRecord, lines, codes, map(int, seqs), recids, written[3], details))


def _row_records(
    chunk: Sequence[Sequence[object]], first: int, columns: dict[str, int], file: str
) -> Iterator[HcpcsRecord]:
    """A chunk of rows read one by one: blank rows skipped, a row that is not a record line refused with its line."""
    pick, widest = operator.itemgetter(*columns.values()), max(columns.values())
    for number_, row in enumerate(chunk, start=first):
        description, stripped = _wanted_cells(row, columns, pick, widest)
        code, seq, recid = stripped[0], stripped[1], stripped[2]  # XLSX_COLUMNS' order
        if not (code or seq or recid) and not any(cell_text(c).strip() for c in row):
            continue
        ascii_seq = seq.isascii() and seq.isdigit()
        if not (_XLSX_CODE.fullmatch(code) and ascii_seq and recid in _RECIDS):
            raise FileFormatError(file, number_, "an HCPCS record row (code, sequence number, record id 3/4/7/8)")
        details = dict(zip(DETAIL_FIELDS, stripped[4:], strict=True)) if recid in "37" else None
        yield HcpcsRecord(number_, code, int(seq), recid, description, details)


def _xlsx_header(rows: Iterator[Sequence[object]], file: str) -> tuple[dict[str, int], int]:
    """The columns named by the header row (within the first 50 rows) and its line."""
    for number_, row in enumerate(rows, start=1):
        names = [cell_text(c).strip().upper() for c in row]
        if "HCPC" in names and "RECID" in names:
            missing = [name for name in XLSX_COLUMNS.values() if name not in names]
            if missing:
                raise FileFormatError(file, number_, f"a '{missing[0]}' column in the HCPCS header row")
            return {key: names.index(name) for key, name in XLSX_COLUMNS.items()}, number_
        if number_ > 50:
            raise FileFormatError(
                file, number_, "the HCPCS header row (HCPC, SEQNUM, RECID, …) within the first 50 rows"
            )
    raise FileFormatError(file, 1, "the HCPCS header row (HCPC, SEQNUM, RECID, …)")


def hcpcs_records_from_rows(rows: Iterable[Sequence[object]], file: str) -> tuple[list[HcpcsRecord], int]:
    """The records of the XLSX edition: disclaimer rows, then a header row naming the columns (or a header in
    row 1), then one row per record line. Only the columns the records use are turned into text, a chunk of rows
    at a time (column by column when every row of it is a plain record line, else row by row)."""
    remaining = iter(rows)
    columns, header = _xlsx_header(remaining, file)
    pick, widest = operator.itemgetter(*columns.values()), max(columns.values())
    records: list[HcpcsRecord] = []
    first = header + 1
    while chunk := list(itertools.islice(remaining, _CHUNK_ROWS)):
        plain = _plain_records(chunk, first, pick, widest)
        records += _row_records(chunk, first, columns, file) if plain is None else plain
        first += len(chunk)
    return records, header - 1


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


def _grouped(
    records: Iterable[HcpcsRecord], file: str, bad: list[SkippedRow]
) -> tuple[dict[tuple[str, str], list[HcpcsRecord]], dict[tuple[str, str], HcpcsRecord]]:
    """The record lines of each code (procedure or modifier) and each code's first line. A second first line for a
    code (and its continuation lines) is left out and reported: the first is kept."""
    groups: dict[tuple[str, str], list[HcpcsRecord]] = {}
    firsts: dict[tuple[str, str], HcpcsRecord] = {}  # each code's first line: found once, not by scanning its lines
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
    return groups, firsts


_DATES = (("add_date", "ADD_DT"), ("action_date", "ACT_EFF_DT"), ("term_date", "TERM_DT"))


def _row(code: str, family: str, lines: list[HcpcsRecord], first: HcpcsRecord, stream: RowStream) -> Fields | None:
    """One code's row (an HcpcsRow's fields) from its record lines; None (and reported) when one of its dates cannot
    be read."""
    if len(lines) > 1:
        lines.sort(key=lambda r: r.seq)
    description = _SPACES.sub(" ", " ".join(r.description.strip() for r in lines))
    d = first.details or {}
    dates: dict[str, dt.date | None] = {}
    for key, cms_name in _DATES:
        try:
            dates[key] = date8(d[key], cms_name)
        except CellError as exc:
            stream.skipped_rows.append(SkippedRow(stream.file, first.line, cms_name, d[key], str(exc)))
            return None
    return (
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


def _rows(
    groups: dict[tuple[str, str], list[HcpcsRecord]], firsts: dict[tuple[str, str], HcpcsRecord], stream: RowStream
) -> Iterator[Fields]:
    for done, ((code, family), lines) in enumerate(groups.items(), start=1):
        stream.read = done / len(groups)
        first = firsts.get((code, family))
        if first is None:
            raise FileFormatError(stream.file, lines[-1].line, f"a first record line (record id 3 or 7) for {code}")
        if family == "proc" and not LEVEL2.fullmatch(code):
            stream.skipped += 1
            continue
        row = _row(code, family, lines, first, stream)
        if row is not None:
            yield row


def hcpcs_stream(
    records: Sequence[HcpcsRecord], file: str, skipped: int = 0, quarter: Quarter | None = None
) -> RowStream:
    """Group the record lines into codes, whose rows are made as they are read; the quarter comes from the name,
    else the records, else `quarter`."""
    if not records:
        raise FileFormatError(file, 1, "HCPCS Level II records (none found)")
    found = quarter_from_hcpcs_name(file) or quarter_from_records(records) or quarter
    if found is None:
        raise QuarterUnknown(file)
    stream = RowStream("hcpcs", file, found, found.start, found.end, iter(()), skipped=skipped)
    groups, firsts = _grouped(records, file, stream.skipped_rows)
    stream.rows = _rows(groups, firsts, stream)
    return stream


def parse_hcpcs_records(
    records: Sequence[HcpcsRecord], file: str, skipped: int = 0, quarter: Quarter | None = None
) -> Parsed:
    return hcpcs_stream(records, file, skipped, quarter).parsed()


def parse_hcpcs(text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never) -> Parsed:
    records, skipped = hcpcs_records_from_text(text, file, should_cancel)
    return parse_hcpcs_records(records, file, skipped, quarter)
