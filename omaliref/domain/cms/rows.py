"""What the CMS parsers make: typed rows, the skipped-row reports, a parsed file, and the cell readers they share."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from omaliref.domain.cms.errors import CellError
from omaliref.domain.errors import ImportCancelled
from omaliref.domain.quarter import LATEST_QUARTER_YEAR, Quarter
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
MAX_NUMBER = Decimal(10) ** 9  # no CMS payment limit, package size or MUE comes near a billion


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


ShouldCancel = Callable[[], bool]
CANCEL_EVERY = 1000  # records read between two looks at Cancel while a file parses
ROW_WINDOW = 2000  # rows parsed, then stored, at a time: an import's memory does not grow with its files


Fields = tuple[object, ...]  # a row's fields, in its class's order
ROW_CLASSES: dict[str, type] = {"hcpcs": HcpcsRow, "asp": AspRow, "crosswalk": CrosswalkRow, "mue": MueRow}


def never() -> bool:
    return False


def heed(should_cancel: ShouldCancel, count: int) -> None:
    """Raise ImportCancelled on every CANCEL_EVERY-th record when Cancel was asked for."""
    if count % CANCEL_EVERY == 0 and should_cancel():
        raise ImportCancelled()


@dataclass
class RowStream:
    """A file being parsed: what it says of itself (read first), then its rows as they are read, a window at a
    time. Mutable on purpose: `skipped` and `skipped_rows` are complete once the rows have been read."""

    kind: CmsKind
    file: str
    quarter: Quarter
    effective_from: dt.date
    effective_to: dt.date
    rows: Iterator[Fields]  # read once
    setting: str = ""  # MUE only
    skipped: int = 0
    skipped_rows: list[SkippedRow] = dataclasses.field(default_factory=list)
    count: int = 0  # rows read so far
    read: float = 0.0  # how much of the file is read, 0..1 (for a progress bar)

    def windows(self, size: int = ROW_WINDOW) -> Iterator[list[Fields]]:
        """The rows, `size` at a time, each as its fields (in its row class's order: `ROW_CLASSES[kind](*fields)`
        is the row; an import stores the fields without making the rows)."""
        while window := list(itertools.islice(self.rows, size)):
            self.count += len(window)
            yield window
        self.read = 1.0

    def parsed(self) -> Parsed:
        """Every row read into one value (a test, a review, a comparison: not an import, which stores windows)."""
        make = ROW_CLASSES[self.kind]
        rows = tuple(make(*fields) for window in self.windows() for fields in window)
        return Parsed(
            self.kind,
            self.file,
            self.quarter,
            self.effective_from,
            self.effective_to,
            rows,
            self.setting,
            self.skipped,
            tuple(self.skipped_rows),
        )

    @classmethod
    def of(cls, parsed: Parsed) -> RowStream:
        """A parsed file's rows as a stream (to store what is already parsed)."""
        return cls(
            parsed.kind,
            parsed.file,
            parsed.quarter,
            parsed.effective_from,
            parsed.effective_to,
            map(operator.attrgetter(*(f.name for f in dataclasses.fields(ROW_CLASSES[parsed.kind]))), parsed.rows),
            parsed.setting,
            parsed.skipped,
            list(parsed.skipped_rows),
        )


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


@functools.lru_cache(maxsize=4096)  # an HCPCS file has ~27,000 dates and a few thousand distinct ones
def date8(text: str, field: str) -> dt.date | None:
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


@functools.lru_cache(maxsize=4096)  # a file repeats its numbers (package sizes, percentages): made once each
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
