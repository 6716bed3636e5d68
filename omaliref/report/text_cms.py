"""CMS quarters and the site folder as text: `import`, `quarters`, `changes`, `review` and `site check`."""

from __future__ import annotations

from typing import Any

from omaliref.domain.text import one_line
from omaliref.domain.vocab import REVIEW_VERDICTS


def import_reports(data: dict[str, Any]) -> str:
    out = []
    for r in data["imported"]:
        out.append(
            f"{r['status']:9} {r['quarter']} {r['kind']:9}{(' ' + r['setting']) if r['setting'] else ''}: "
            f"{r['rows']} rows"
            + (f" ({r['skipped']} CPT/CDT or non-record rows left out)" if r["skipped"] else "")
            + f" — {r['file']}"
        )
        out += [f"  skipped line {row['line']}: {row['reason']}" for row in r["skipped_rows"]]
    return "\n".join(out)


def site_check(data: dict[str, Any]) -> str:
    files = data["cms_files"]
    quarters = sorted({f["quarter"] for f in files})
    verdict = f"{len(data['problems'])} problem(s) (listed above)" if data["problems"] else "no problem found"
    return "\n".join(
        [
            f"{data['folder']}: {verdict}",
            f"  {len(files)} CMS file(s)" + (f" for {', '.join(quarters)}" if quarters else ""),
            *(f"    {f['quarter']} {f['kind']}: {f['file']}" for f in files),
            "  organization payer profiles: " + (", ".join(data["payer_profiles"]) or "none"),
        ]
    )


def quarters(data: dict[str, Any]) -> str:
    return (
        "\n".join(
            f"{q['quarter']}: "
            + ", ".join(
                f"{f['kind']}{'/' + f['setting'] if f['setting'] else ''} ({f['rows']} rows)" for f in q["files"]
            )
            for q in data["quarters"]
        )
        or "No CMS quarter imported yet (omaliref import PATH…)."
    )


def review(data: dict[str, Any]) -> str:
    counts = data["counts"]
    lines = [
        f"Data pack {data['pack_version']} against "
        + (f"CMS {data['quarter_requested']}" if data["quarter_requested"] else "the newest imported CMS files")
        + ": "
        + ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
    ]
    first = ("contradicted", "settled", "ended", "not-listed", "not-imported")  # what needs a person first
    order = {v: first.index(v) if v in first else len(first) for v in REVIEW_VERDICTS}
    for item in sorted(data["items"], key=lambda i: order[i["verdict"]]):
        mark = "!!" if item["verdict"] == "contradicted" else "  "
        lines.append(f"{mark}{item['verdict']:<13} {item['kind']:<8} {item['id']:<14} {item['detail']}")
    return "\n".join(lines)


CHANGE_TITLES = {
    "codes_added": "Codes added",
    "codes_terminated": "Codes terminated",
    "codes_removed": "Codes no longer in the file",
    "descriptor_changes": "Descriptors changed",
    "payment_limit_changes": "Payment limits changed",
    "mue_changes": "MUE values changed",
    "ndcs_added": "NDCs added to the crosswalk",
    "ndcs_removed": "NDCs no longer in the crosswalk",
}


def _mue(value: Any) -> str:
    return f"{value['value']} units (MAI {value['mai']})" if value else "none"


def change_row(kind: str, row: dict[str, Any]) -> str:
    """One change as a coder reads it (the 'What changed' dialog and `changes` text; JSON keeps the rows)."""
    if kind in ("codes_added", "codes_removed"):
        return f"{row['code']}: {row['descriptor']}"
    if kind == "codes_terminated":
        replaced = f"; use {row['replaced_by']}" if row.get("replaced_by") else ""
        return f"{row['code']}: ends {row['termination_date']}{replaced}"
    if kind == "descriptor_changes":
        return f"{row['code']}: '{row['from']}' became '{row['to']}'"
    if kind == "payment_limit_changes":
        before, after = (f"${row[k]} per unit" if row[k] is not None else "not priced" for k in ("from", "to"))
        return f"{row['code']}: {before} → {after}"
    if kind == "mue_changes":
        return f"{row['code']} ({row['setting']}): {_mue(row['from'])} → {_mue(row['to'])}"
    if kind in ("ndcs_added", "ndcs_removed"):
        return f"{row['code']}: NDC {row['ndc']} ({row['drug_name']})"
    return ", ".join(f"{k} {v}" for k, v in row.items())


def changes(data: dict[str, Any], keys: list[str]) -> str:
    codes = data["codes"]
    lines = [f"Changes {data['from']} → {data['to']}" + (f" for {', '.join(codes)}" if codes else "")]
    for key in keys:
        rows = data[key]
        if rows:
            lines.append(f"{CHANGE_TITLES.get(key, key)} ({len(rows)}):")
            lines += [f"  {one_line(change_row(key, row))}" for row in rows]
    return "\n".join(lines if len(lines) > 1 else lines + ["  no changes"])
