"""What the CSV files share (ASP payment limits, crosswalk, MUE): streamed records, the preamble's effective
dates, the header row, and the data rows after it, read as they are stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from omaliref.domain.cms.errors import CellError, FileFormatError
from omaliref.domain.cms.rows import (
    CANCEL_EVERY,
    LEVEL2,
    MONTH_NAMES,
    Fields,
    RowStream,
    ShouldCancel,
    SkippedRow,
    never,
)
from omaliref.domain.errors import ImportCancelled
from omaliref.domain.quarter import EARLIEST_QUARTER_YEAR, LATEST_QUARTER_YEAR

Record = tuple[int, list[str]]  # the physical line a CSV record starts on, and its cells
_CODE = re.compile(r"(" + LEVEL2.pattern + r")|[A-Z0-9]{5}")


def records(text: str, file: str, should_cancel: ShouldCancel = never) -> Iterator[Record]:
    """CSV records with the physical line each starts on (quoted cells may span lines); CR-only line ends too.
    Streamed: a parser holds a window of rows, never the file's rows as lists of cells (the January 2025 crosswalk,
    ~190 empty trailing columns a row, held 24 MB of them for a 1.6 MB file). Cancel is heard as it reads."""
    reader = csv.reader(io.StringIO(text, newline=None))  # universal newlines: CRLF and CR-only read as LF
    line = 1
    try:
        for count, record in enumerate(reader, start=1):
            if not count % CANCEL_EVERY and should_cancel():
                raise ImportCancelled()
            # blank rows are never read: kept, 10 MB of them took 1.7 GB (the first cell decides most rows at once)
            if (record and record[0].strip()) or "".join(record).strip():
                yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileFormatError(file, line, f"well-formed CSV ({exc})") from None


def head(text: str, file: str, should_cancel: ShouldCancel = never) -> tuple[list[Record], Iterator[Record]]:
    """The first 30 records (where the preamble and the header are looked for) and the rest, still unread."""
    rest = records(text, file, should_cancel)
    return list(itertools.islice(rest, 30)), rest


def line_count(text: str) -> int:
    """How many physical lines the text has (for how far a parse has read)."""
    return max(text.count("\n"), text.count("\r")) + 1


def effective(records: list[Record], file: str, before: int) -> tuple[dt.date, dt.date]:
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


def header_index(records: list[Record], file: str, test: re.Pattern[str], what: str) -> int:
    for index, (_, record) in enumerate(records[:30]):
        if record and test.fullmatch(record[0].strip()):
            return index
    raise FileFormatError(file, 1, f"a header row starting with {what} within the first 30 rows")


def cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def picker(indexes: Sequence[int]) -> Callable[[list[str]], list[str]]:
    """The cells at `indexes` of a record, stripped ('' past its end), in one C call for most rows."""
    get, width = operator.itemgetter(*indexes, 0), max(indexes) + 1  # the 0 makes it a tuple even for one index

    def pick(record: list[str]) -> list[str]:
        if len(record) < width:
            record = record + [""] * (width - len(record))
        return [c.strip() for c in get(record)]

    return pick


def normal(header: str) -> str:
    """A header as it is matched: case, spaces and underscores do not count."""
    return re.sub(r"[\s_]+", " ", header).strip().lower()


def columns(header: list[str], wanted: Mapping[str, tuple[str, ...]], file: str, line: int) -> dict[str, int]:
    """Where each wanted column is (its names, as the layout table writes them, first found wins)."""
    norm = [normal(h) for h in header]
    out = {}
    for key, names in wanted.items():
        for name in names:
            if normal(name) in norm:
                out[key] = norm.index(normal(name))
                break
        else:
            raise FileFormatError(file, line, f"a '{normal(names[0])}' column in the header")
    return out


def _unusable(stream: RowStream, line: int, exc: CellError) -> None:
    """Report a row skipped for one unusable value (the CellError names the field, then the value in quotes)."""
    message = str(exc)
    field, _, rest = message.partition(" '")
    stream.skipped_rows.append(SkippedRow(stream.file, line, field, rest.partition("'")[0], message))


def level2_rows(
    rows: Iterable[Record],
    stream: RowStream,
    what: str,
    make: Callable[[list[str], str], Fields],
    *,
    lines: int,
    unique: bool = True,
) -> Iterator[Fields]:
    """The data rows after the header, each built by `make(record, code)` as it is read: Level II codes only
    (CPT/CDT rows are counted in `stream.skipped`, not kept), blank rows skipped, a row without a 5-character code
    refuses the file. A row with an unusable value, or a second row for a code when codes must be unique, is
    skipped and reported in `stream.skipped_rows`."""
    seen: dict[str, int] = {}
    classify = _CODE.fullmatch  # one test: a Level II code, or another 5-character code (CPT/CDT), or neither
    line, any_row, others, kept = 1, False, 0, 0
    for line, record in rows:
        code = record[0].strip().upper() if record else ""
        if not code and not any(c.strip() for c in record):
            continue
        m = classify(code)
        if m is None or m.lastindex is None:
            if m is None:
                raise FileFormatError(
                    stream.file, line, f"a 5-character HCPCS code in the first column, not '{code[:20]}'"
                )
            others += 1
            continue
        any_row = True
        try:
            row = make(record, code)
        except CellError as exc:
            _unusable(stream, line, exc)
            continue
        if unique and seen.setdefault(code, line) != line:
            reason = f"a second row for {code} (the first is line {seen[code]}); the first is kept"
            stream.skipped_rows.append(SkippedRow(stream.file, line, "code", code, reason))
            continue
        kept += 1
        if not kept % 256:  # how far the file is read, for the progress bar: often enough for a window of rows
            stream.read = line / lines
        yield row
    stream.skipped += others
    if not any_row:
        raise FileFormatError(stream.file, line, f"{what} rows after the header (none found)")
