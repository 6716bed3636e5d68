"""The records the reports print about the data's housekeeping: imports, `show` entries and site checks.

They live in the domain so that `omaliref.report` prints them without importing the data layer that makes them
(import-linter holds it); the data modules build them and re-export their names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the site settings load this module at start-up, before any CMS code
    from omaliref.domain.cms import SkippedRow
    from omaliref.domain.model import Catalog, Code, Modifier, Product, Topic
    from omaliref.domain.pack_review import ReviewItem


@dataclass(frozen=True)
class ImportReport:
    file: str
    kind: str
    quarter: str
    setting: str
    rows: int
    skipped: int
    status: str  # "imported", "replaced" (a different file for the same quarter) or "unchanged"
    sha256: str
    skipped_rows: tuple[SkippedRow, ...] = ()  # rows with an unusable value, left out (file, line, field, value)


@dataclass(frozen=True)
class ImportRecord:
    quarter: str
    kind: str
    setting: str
    file: str
    sha256: str
    effective_from: dt.date
    effective_to: dt.date
    rows: int
    imported_at: str


@dataclass(frozen=True)
class Entry:
    """One thing `show` can show, with the catalog that holds it (the pack, plus an imported code if needed)."""

    kind: str  # "code", "modifier", "product" or "topic"
    id: str
    catalog: Catalog
    item: Code | Modifier | Product | Topic
    imported: dict[str, Any] | None = None  # what the imported quarters say (codes only)
    imported_only: bool = False  # not in the curated pack: it came from the CMS files
    quarter: str | None = None
    review: ReviewItem | None = None  # what the imported CMS files say of a curated record (None before any)


@dataclass(frozen=True)
class SiteProblem:
    """One thing wrong in a site folder: which file, where (line, key; 0 and '' for a whole file), and why."""

    file: str
    line: int
    key: str
    why: str

    def __str__(self) -> str:
        where = (f", line {self.line}" if self.line else "") + (f", key '{self.key}'" if self.key else "")
        return f"{self.file}{where}: {self.why}"


@dataclass(frozen=True)
class CmsFileSeen:
    file: str
    kind: str
    quarter: str


@dataclass(frozen=True)
class SiteCheck:
    """Everything `omaliref site check DIR` found: every problem at once, and what is usable."""

    folder: str
    problems: tuple[SiteProblem, ...]
    cms_files: tuple[CmsFileSeen, ...]
    payer_profiles: tuple[str, ...]
    settings_file: str
