"""The ASP payment-limit file: a preamble with its effective dates, then one row per priced code."""

from __future__ import annotations

import itertools
import re

from omaliref.domain.cms import csv_rows
from omaliref.domain.cms.layout import ASP_COLUMNS
from omaliref.domain.cms.rows import Fields, Parsed, RowStream, ShouldCancel, never, number
from omaliref.domain.quarter import Quarter

_WANTED = {key: (name,) for name, key in ASP_COLUMNS.items() if key and key != "coinsurance"}
_COINSURANCE = next(name for name, key in ASP_COLUMNS.items() if key == "coinsurance")
_HEADER = re.compile(r"HCPCS Code", re.I)


def asp_stream(text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never) -> RowStream:
    """The file's effective dates and header now, its rows as they are read."""
    head, rest = csv_rows.head(text, file, should_cancel)
    h = csv_rows.header_index(head, file, _HEADER, "'HCPCS Code'")
    start, end = csv_rows.effective(head, file, h)
    line, header = head[h]
    cols = csv_rows.columns(header, _WANTED, file, line)
    coins = (
        csv_rows.columns(header, {"c": (_COINSURANCE,)}, file, line)["c"]
        if any("co-insurance" in h.lower() for h in header)
        else None
    )
    pick = csv_rows.picker([cols["desc"], cols["dosage"], cols["limit"], cols["notes"], coins or 0])

    def make(record: list[str], code: str) -> Fields:
        desc, dosage, limit, notes, coinsurance, _ = pick(record)
        return (
            code,
            desc,
            dosage,
            number(limit, "Payment Limit") if limit else None,
            (number(coinsurance, "Co-insurance") if coinsurance else None) if coins is not None else None,
            notes,
        )

    stream = RowStream("asp", file, Quarter.of(start), start, end, iter(()))
    rows = itertools.chain(head[h + 1 :], rest)
    stream.rows = csv_rows.level2_rows(rows, stream, "payment-limit", make, lines=csv_rows.line_count(text))
    return stream


def parse_asp(text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never) -> Parsed:
    return asp_stream(text, file, quarter, should_cancel).parsed()
