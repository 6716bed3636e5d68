"""Every public JSON shape the CLI prints, each made by one function here.

These shapes are public: scripts, IT and the tests use them. Add fields, never rename or remove one; the golden
files in tests/golden pin them key for key.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from omaliref.domain.pack_review import ReviewItem
from omaliref.domain.records import ImportRecord, ImportReport, SiteCheck
from omaliref.domain.vocab import REVIEW_VERDICTS

# The shapes of a case, the reference, payer profiles and the audit, made in their own modules and named here too,
# so `as_json.<shape>` is every public shape.
from omaliref.report.json_audit import audit, audit_counts, audit_input, audited_line, finding
from omaliref.report.json_claims import (
    calc_result,
    checklist,
    dose_answer,
    line,
    line_check,
    units,
    warning,
)
from omaliref.report.json_payers import field_basis, payer_file, payer_file_refused, payers, profile
from omaliref.report.json_reference import code, entry, hit, modifier, product, quantity, search, sources, topic

__all__ = [
    "audit",
    "audit_counts",
    "audit_input",
    "audited_line",
    "calc_result",
    "changes",
    "checklist",
    "code",
    "dose_answer",
    "entry",
    "field_basis",
    "finding",
    "hit",
    "import_reports",
    "line",
    "line_check",
    "modifier",
    "payer_file",
    "payer_file_refused",
    "payers",
    "product",
    "profile",
    "quantity",
    "quarters",
    "review",
    "search",
    "site_check",
    "sources",
    "topic",
    "units",
    "warning",
]


def import_reports(reports: list[ImportReport], quarters: list[str]) -> dict[str, Any]:
    return {"imported": [dataclasses.asdict(r) for r in reports], "quarters": quarters}


def site_check(checked: SiteCheck) -> dict[str, Any]:
    """`omaliref site check DIR --json`: every problem of a site folder, and what every workstation will use."""
    return {
        "folder": checked.folder,
        "settings_file": checked.settings_file,
        "problems": [dataclasses.asdict(p) for p in checked.problems],
        "cms_files": [dataclasses.asdict(f) for f in checked.cms_files],
        "payer_profiles": list(checked.payer_profiles),
    }


def review(quarter: str | None, pack_version: str, items: list[ReviewItem]) -> dict[str, Any]:
    """`omaliref review --json`: every curated code and package with its verdict against a CMS quarter."""
    return {
        "pack_version": pack_version,
        "quarter_requested": quarter,
        "counts": {verdict: sum(1 for i in items if i.verdict == verdict) for verdict in REVIEW_VERDICTS},
        "items": [
            {
                "kind": i.kind,
                "id": i.id,
                "code": i.code,
                "verdict": i.verdict,
                "quarter": i.quarter,
                "detail": i.detail,
                "source_id": i.source_id or None,
            }
            for i in items
        ],
    }


def quarters(records: list[ImportRecord]) -> dict[str, Any]:
    return {
        "quarters": [
            {
                "quarter": q,
                "files": [
                    {
                        "kind": r.kind,
                        "setting": r.setting or None,
                        "file": r.file,
                        "sha256": r.sha256,
                        "rows": r.rows,
                        "effective_from": r.effective_from.isoformat(),
                        "effective_to": r.effective_to.isoformat(),
                        "imported_at": r.imported_at,
                    }
                    for r in records
                    if r.quarter == q
                ],
            }
            for q in dict.fromkeys(r.quarter for r in records)
        ]
    }


def changes(old: str, new: str, codes: set[str] | None, diff: dict[str, list[dict[str, object]]]) -> dict[str, Any]:
    return {"from": old, "to": new, "codes": sorted(codes) if codes else None, **diff}
