"""A calendar quarter (2027Q1): CMS publishes its files by quarter, and a date of service falls in one.

Its own small module: the start-up path needs Quarter without the CMS file parsers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_QUARTER_YEAR, LATEST_QUARTER_YEAR = 2000, 2100


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1).start
        return nxt - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = re.fullmatch(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", text, flags=re.I)
        if not m or not EARLIEST_QUARTER_YEAR <= int(m.group(1)) <= LATEST_QUARTER_YEAR:
            raise ValueError(
                f"'{text[:20]}' is not a quarter: use YYYYQn from {EARLIEST_QUARTER_YEAR} to "
                f"{LATEST_QUARTER_YEAR}, e.g. 2027Q1"
            )
        return cls(int(m.group(1)), int(m.group(2)))
