"""Parsers for the CMS quarterly files (layouts in docs/domain/cms-files.md and `layout`). Pure: text or records in,
rows out.

A file is recognized by its content (`detect`). A file whose layout does not match is refused whole with file, line
and what was expected; a row that fits the layout but has one unusable value is skipped and reported (file, line,
field, value). CPT (numeric) and CDT (D-series) rows are dropped: they are AMA/ADA content the app may not
redistribute. Each parser opens a file as a `RowStream` (what the file says of itself, then its rows a window at a
time, for an import) or parses it whole into a `Parsed`.
"""

from __future__ import annotations

from collections.abc import Callable

from omaliref.domain.cms.asp import asp_stream, parse_asp
from omaliref.domain.cms.crosswalk import NDC542, crosswalk_stream, parse_crosswalk
from omaliref.domain.cms.csv_rows import records as _records
from omaliref.domain.cms.detect import kind_of_text
from omaliref.domain.cms.dosage import CMS_UNIT_WORDS, descriptor_dosage, dosage_quantity
from omaliref.domain.cms.errors import CellError, FileFormatError, QuarterUnknown
from omaliref.domain.cms.hcpcs import (
    DETAIL_FIELDS,
    XLSX_COLUMNS,
    HcpcsRecord,
    cell_text,
    hcpcs_records_from_rows,
    hcpcs_records_from_text,
    hcpcs_stream,
    parse_hcpcs,
    parse_hcpcs_records,
    quarter_from_hcpcs_name,
    quarter_from_records,
)
from omaliref.domain.cms.layout import MUE_FILE_SETTINGS, MUE_HEADER_SETTINGS
from omaliref.domain.cms.mue import mue_stream, parse_mue
from omaliref.domain.cms.rows import (
    LEVEL2,
    MAX_NUMBER,
    MONTH_NAMES,
    MONTHS,
    ROW_CLASSES,
    ROW_WINDOW,
    AspRow,
    CrosswalkRow,
    Fields,
    HcpcsRow,
    MueRow,
    Parsed,
    QuarterTables,
    RowStream,
    SettingMue,
    ShouldCancel,
    SkippedRow,
    decode,
    never,
    number,
)
from omaliref.domain.quarter import Quarter

__all__ = [
    "CMS_UNIT_WORDS",
    "DETAIL_FIELDS",
    "LEVEL2",
    "MAX_NUMBER",
    "MONTHS",
    "MONTH_NAMES",
    "MUE_FILE_SETTINGS",
    "MUE_HEADER_SETTINGS",
    "NDC542",
    "PARSERS",
    "ROW_CLASSES",
    "ROW_WINDOW",
    "STREAMS",
    "XLSX_COLUMNS",
    "AspRow",
    "CellError",
    "CrosswalkRow",
    "Fields",
    "FileFormatError",
    "HcpcsRecord",
    "HcpcsRow",
    "MueRow",
    "Parsed",
    "Quarter",
    "QuarterTables",
    "QuarterUnknown",
    "RowStream",
    "SettingMue",
    "ShouldCancel",
    "SkippedRow",
    "_records",
    "asp_stream",
    "cell_text",
    "crosswalk_stream",
    "decode",
    "descriptor_dosage",
    "dosage_quantity",
    "hcpcs_records_from_rows",
    "hcpcs_records_from_text",
    "hcpcs_stream",
    "kind_of_text",
    "mue_stream",
    "number",
    "open_stream",
    "parse",
    "parse_asp",
    "parse_crosswalk",
    "parse_hcpcs",
    "parse_hcpcs_records",
    "parse_mue",
    "quarter_from_hcpcs_name",
    "quarter_from_records",
]


def _hcpcs_text_stream(
    text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never
) -> RowStream:
    records, skipped = hcpcs_records_from_text(text, file, should_cancel)
    return hcpcs_stream(records, file, skipped, quarter)


Opener = Callable[[str, str, Quarter | None, ShouldCancel], RowStream]
STREAMS: dict[str, Opener] = {
    "hcpcs": _hcpcs_text_stream,
    "asp": asp_stream,
    "crosswalk": crosswalk_stream,
    "mue": mue_stream,
}
PARSERS = {"hcpcs": parse_hcpcs, "asp": parse_asp, "crosswalk": parse_crosswalk, "mue": parse_mue}


def open_stream(
    kind: str, text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never
) -> RowStream:
    """A file of this kind opened for an import: its rows are parsed as they are read, Cancel heard as they are."""
    return STREAMS[kind](text, file, quarter, should_cancel)


def parse(
    kind: str, text: str, file: str, quarter: Quarter | None = None, should_cancel: ShouldCancel = never
) -> Parsed:
    """A whole file of this kind parsed into one value."""
    return open_stream(kind, text, file, quarter, should_cancel).parsed()
