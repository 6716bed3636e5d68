"""How old the data pack is on a given day, and whether a newer CMS quarter has begun since it was checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from omaliref.domain.quarter import Quarter


@dataclass(frozen=True)
class Freshness:
    as_of: dt.date
    age_days: int
    stale: bool  # a calendar quarter began after as_of and its CMS files are not imported
    quarter: str  # today's quarter

    @property
    def age_text(self) -> str:
        return "checked today" if self.age_days == 0 else f"{self.age_days} day{'s' * (self.age_days != 1)} old"

    @property
    def banner(self) -> str:
        """What the coder is told when the pack is stale ('' when it is not)."""
        if not self.stale:
            return ""
        return (
            f"The data pack was last checked {self.as_of}; quarter {self.quarter} has begun since. Codes, units, "
            f"NDCs and rules may have changed: import the {self.quarter} CMS files (File → Import CMS files…, or "
            "omaliref import) and check the lines against them."
        )


def freshness(as_of: dt.date, today: dt.date, imported_quarters: Collection[str] = ()) -> Freshness:
    current = Quarter.of(today)
    newer = (current.year, current.q) > (Quarter.of(as_of).year, Quarter.of(as_of).q)
    return Freshness(as_of, max(0, (today - as_of).days), newer and str(current) not in imported_quarters, str(current))
