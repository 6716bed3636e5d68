"""What the audit says about a line: its findings, each with a level, a rule, its sources and a fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from omaliref.domain.vocab import WARNING_LEVELS, AuditCheck, WarningLevel

if TYPE_CHECKING:  # a LineAudit holds the line it judged; the line's module needs Finding first
    from omaliref.domain.audit.lines import AuditLine


@dataclass(frozen=True)
class Finding:
    """What is wrong with a line, how sure, which rule and sources say so, and the fix in one sentence."""

    level: WarningLevel
    check: AuditCheck
    message: str
    fix: str
    rule: str = ""  # the id of the pack's rule when one applies
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(dict.fromkeys(self.sources)))  # each source cited once


@dataclass(frozen=True)
class LineAudit:
    line: AuditLine
    findings: tuple[Finding, ...]
    judged: bool  # False: the code is not in the pack or the imported quarters (or unreadable): not checked

    @property
    def worst(self) -> WarningLevel | None:
        return min((f.level for f in self.findings), key=WARNING_LEVELS.index, default=None)

    @property
    def rank(self) -> int:
        """Sort key, worst first: errors 0, warnings 1, info 2, clean 3."""
        worst = self.worst
        return WARNING_LEVELS.index(worst) if worst else len(WARNING_LEVELS)


def findings_worst_first(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: WARNING_LEVELS.index(f.level))


def worst_first(results: Iterable[LineAudit]) -> list[LineAudit]:
    """Lines with errors first, then warnings, then info, then clean lines; input order within each."""
    return sorted(results, key=lambda a: a.rank)
