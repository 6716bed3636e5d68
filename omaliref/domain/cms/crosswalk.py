"""The ASP NDC-HCPCS crosswalk: a title and effective line, then one row per NDC (a code has many)."""

from __future__ import annotations

import itertools
import re

from omaliref.domain.cms import csv_rows
from omaliref.domain.cms.layout import CROSSWALK_ALIASES, CROSSWALK_COLUMNS
from omaliref.domain.cms.rows import Fields, Parsed, RowStream, ShouldCancel, never, number
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
    pick = csv_rows.picker(
        [c[key] for key in ("ndc", "labeler", "drug", "dosage", "size", "qty", "units", "units_pkg")]
    )

    def make(record: list[str], code: str) -> Fields:
        raw, labeler, drug, dosage, size, qty, units, units_pkg, _ = pick(record)
        return (
            code,
            raw,
            raw.replace("-", "") if NDC542.fullmatch(raw) else "",
            labeler,
            drug,
            dosage,
            number(size, "PKG SIZE") if size else None,
            number(qty, "PKG QTY") if qty else None,
            number(units, "BILLUNITS") if units else None,
            number(units_pkg, "BILLUNITSPKG") if units_pkg else None,
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
