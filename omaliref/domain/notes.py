"""A message for the coder and the rules behind it: what every calculation step returns."""

from __future__ import annotations

from dataclasses import dataclass

from omaliref.domain.vocab import WarningLevel


@dataclass(frozen=True)
class Warning_:
    """A message for the coder; rule/sources say where it comes from."""

    level: WarningLevel
    message: str
    rule: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notes:
    """What one step adds to the result: its warnings and the rules it applied, in order."""

    warnings: tuple[Warning_, ...] = ()
    rules: tuple[str, ...] = ()

    def __add__(self, other: Notes) -> Notes:
        return Notes(self.warnings + other.warnings, self.rules + other.rules)
