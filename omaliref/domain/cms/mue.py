"""The NCCI MUE tables (practitioner, outpatient hospital, DME supplier): one row per code with its value, its
adjudication indicator and its rationale."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from omaliref.domain.cms import csv_rows
from omaliref.domain.cms.errors import CellError, FileFormatError, QuarterUnknown
from omaliref.domain.cms.layout import MUE_COLUMNS, MUE_FILE_SETTINGS, MUE_HEADER_SETTINGS
from omaliref.domain.cms.rows import Fields, Parsed, RowStream, ShouldCancel, never
from omaliref.domain.quarter import EARLIEST_QUARTER_YEAR, LATEST_QUARTER_YEAR, Quarter
from omaliref.domain.vocab import MueSetting

_MUE_NAME = re.compile(r"MCR_MUE_(\w+?)_Eff_([0-9]{2})-([0-9]{2})-([0-9]{4})", re.I)
_HEADER = re.compile(r"HCPCS/\s*CPT Code", re.I)


def _setting(header: list[str], name: re.Match[str] | None, file: str, line: int) -> MueSetting:
    """The table's setting, from the header ('Practitioner Services MUE Values'), else from the file's name."""
    if len(header) < 4 or "mue values" not in header[1].lower() or "adjudication" not in header[2].lower():
        columns = ", ".join(MUE_COLUMNS).replace("{setting}", "…")
        raise FileFormatError(file, line, f"header columns: {columns}")
    heading = re.sub(r"\s+", " ", header[1].lower())
    setting = next((s for words, s in MUE_HEADER_SETTINGS.items() if words in heading), None)
    if setting is None and name and name.group(1) in MUE_FILE_SETTINGS:
        setting = MUE_FILE_SETTINGS[name.group(1)]
    if setting is None:
        raise FileFormatError(
            file,
            line,
            "an MUE header naming its setting (Practitioner, Outpatient Hospital or DME Supplier Services MUE Values)",
        )
    return setting


def _quarter(name: re.Match[str] | None, file: str, quarter: Quarter | None) -> Quarter:
    """The quarter of the name's effective date, else `quarter`."""
    if name is None:
        if quarter is None:
            raise QuarterUnknown(file)
        return quarter
    try:
        found = Quarter.of(dt.date(int(name.group(4)), int(name.group(2)), int(name.group(3))))
    except ValueError:
        raise FileFormatError(file, 0, f"a file name with a real effective date, not '{name.group(0)}'") from None
    if not EARLIEST_QUARTER_YEAR <= found.year <= LATEST_QUARTER_YEAR:
        raise FileFormatError(file, 0, f"a file name with a plausible effective date, not '{name.group(0)}'")
    return found


_PICK = csv_rows.picker([1, 2, 3])


def _make(record: list[str], code: str) -> Fields:
    """A MueRow's fields."""
    value_text, mai_text, rationale, _ = _PICK(record)
    if not (value_text.isascii() and value_text.isdigit()) or len(value_text) > 6:
        raise CellError(f"MUE Values '{value_text[:20]}' is not a whole number of units")
    if mai_text[:1] not in ("1", "2", "3"):
        raise CellError(f"MUE Adjudication Indicator '{mai_text[:20]}' is not 1, 2 or 3")
    return (code, int(value_text), int(mai_text[0]), mai_text[1:].strip(), rationale)


def mue_stream(text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never) -> RowStream:
    """The setting and quarter now, the rows as they are read."""
    head, rest = csv_rows.head(text, file, should_cancel)
    h = csv_rows.header_index(head, file, _HEADER, "'HCPCS/CPT Code'")
    line, header = head[h]
    name = _MUE_NAME.search(file)
    setting = _setting(header, name, file, line)
    q = _quarter(name, file, quarter)
    stream = RowStream("mue", file, q, q.start, q.end, iter(()), setting=setting)
    rows = itertools.chain(head[h + 1 :], rest)
    stream.rows = csv_rows.level2_rows(rows, stream, "MUE", _make, lines=csv_rows.line_count(text))
    return stream


def parse_mue(text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never) -> Parsed:
    """The setting comes from the header ('Practitioner Services MUE Values'), the quarter from the name's
    effective date, else from `quarter`."""
    return mue_stream(text, file, quarter, should_cancel).parsed()
