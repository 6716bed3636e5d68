"""The ASP NDC-HCPCS crosswalk: a title and effective line, then one row per NDC (a code has many)."""

from __future__ import annotations

import itertools
import re

from omaliref.domain.cms import csv_rows
from omaliref.domain.cms.layout import CROSSWALK_ALIASES, CROSSWALK_COLUMNS
from omaliref.domain.cms.rows import CrosswalkRow, Parsed, RowStream, ShouldCancel, never, number
from omaliref.domain.quarter import Quarter

NDC542 = re.compile(r"[0-9]{5}-[0-9]{4}-[0-9]{2}")
_WANTED = {
    key: (name, *CROSSWALK_ALIASES.get(key, ())) for name, key in CROSSWALK_COLUMNS.items() if key and key != "code"
}
_HEADER = re.compile(r"_[0-9]{4}_CODE", re.I)


def crosswalk_stream(
    text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never
) -> RowStream:
    """The file's effective dates and header now, its rows as they are read."""
    head, rest = csv_rows.head(text, file, should_cancel)
    h = csv_rows.header_index(head, file, _HEADER, "'_YYYY_CODE'")
    start, end = csv_rows.effective(head, file, h)
    line, header = head[h]
    c = csv_rows.columns(header, _WANTED, file, line)
    cell = csv_rows.cell

    def make(record: list[str], code: str) -> CrosswalkRow:
        raw = cell(record, c["ndc"])
        return CrosswalkRow(
            code,
            raw,
            raw.replace("-", "") if NDC542.fullmatch(raw) else "",
            cell(record, c["labeler"]),
            cell(record, c["drug"]),
            cell(record, c["dosage"]),
            number(cell(record, c["size"]), "PKG SIZE"),
            number(cell(record, c["qty"]), "PKG QTY"),
            number(cell(record, c["units"]), "BILLUNITS"),
            number(cell(record, c["units_pkg"]), "BILLUNITSPKG"),
        )

    stream = RowStream("crosswalk", file, Quarter.of(start), start, end, iter(()))
    rows = itertools.chain(head[h + 1 :], rest)
    lines = csv_rows.line_count(text)
    # a code has many NDCs: not unique
    stream.rows = csv_rows.level2_rows(rows, stream, "crosswalk", make, lines=lines, unique=False)
    return stream


def parse_crosswalk(
    text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never
) -> Parsed:
    return crosswalk_stream(text, file, quarter, should_cancel).parsed()
