"""The JSON shapes of `audit`: each keyed line as read with its findings, what was read, and the counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from omaliref.domain.audit import Finding, LineAudit, split_modifiers


def finding(f: Finding) -> dict[str, Any]:
    return {
        "level": f.level,
        "check": f.check,
        "message": f.message,
        "fix": f.fix,
        "rule": f.rule or None,
        "source_ids": list(f.sources),
    }


def audited_line(a: LineAudit) -> dict[str, Any]:
    """One keyed line as read (never the claim it was grouped by) and its findings, worst first."""
    k = a.line
    return {
        "ref": k.ref,
        "code": k.code.strip(),
        "modifiers": list(split_modifiers(k.modifiers)),
        "units": k.units.strip(),
        "ndc": k.ndc.strip(),
        "ndc_qualifier": k.ndc_qualifier.strip(),
        "ndc_unit": k.ndc_unit.strip(),
        "ndc_quantity": k.ndc_quantity.strip(),
        "date_of_service": k.date.strip(),
        "payer_profile": k.payer_profile.strip() or None,
        "setting": k.setting.strip() or None,
        "judged": a.judged,
        "worst": a.worst,
        "findings": [finding(f) for f in a.findings],
    }


def audit_input(
    kind: str, skipped: tuple[str, ...], unused: tuple[str, ...], profile_id: str, acquired_340b: bool = False
) -> dict[str, Any]:
    return {
        "kind": kind,
        "skipped_columns": list(skipped),
        "unused_columns": list(unused),
        "default_payer_profile": profile_id,
        "acquired_340b": acquired_340b,
    }


def audit_counts(lines: int, judged: int, worst: Mapping[str | None, int]) -> dict[str, int]:
    """How many lines, how many judged, and how many lines have each worst level (None: clean)."""
    return {
        "lines": lines,
        "judged": judged,
        "error": worst.get("error", 0),
        "warning": worst.get("warning", 0),
        "info": worst.get("info", 0),
        "clean": worst.get(None, 0),
    }


def audit(
    kind: str,
    skipped: tuple[str, ...],
    unused: tuple[str, ...],
    results: list[LineAudit],
    profile_id: str,
    acquired_340b: bool = False,
) -> dict[str, Any]:
    """`omaliref audit --json`: the lines in input order, what was read, and counts of lines by worst finding.
    The CLI writes the same three keys streaming (lines first) so a large batch is never held whole."""
    return {
        "input": audit_input(kind, skipped, unused, profile_id, acquired_340b),
        "counts": audit_counts(len(results), sum(a.judged for a in results), Counter(a.worst for a in results)),
        "lines": [audited_line(a) for a in results],
    }
