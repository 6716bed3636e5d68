"""Every text the app shows or copies about a result, written once: the CLI, the panes, the checklist summary and
the audit sheet all use these functions, so the wording never drifts between them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from omaliref.domain.calculator import CalcResult, LineCheck
from omaliref.domain.claim_forms import claim_item_19, missing_ndc_unit
from omaliref.domain.model import Catalog
from omaliref.domain.outcome import Outcome
from omaliref.domain.search import SearchHit
from omaliref.domain.vocab import FORM_FOR_SETTING, WARNING_LEVELS, Verdict

# Payer profiles and the CMS quarters are written in their own modules and named here too, so `as_text.<name>` is
# every text the app shows.
from omaliref.report.text_cms import (
    CHANGE_TITLES,
    change_row,
    changes,
    import_reports,
    quarters,
    review,
    site_check,
)
from omaliref.report.text_payers import (
    FIELD_LABELS,
    MULTI_NDC_TEXT,
    SAMPLE_TEXT,
    defaults_in_use,
    payer_file,
    profile,
    profiles,
    provenance_line,
    provenance_summary,
)

__all__ = [
    "CHANGE_TITLES",
    "FIELD_LABELS",
    "MULTI_NDC_TEXT",
    "SAMPLE_TEXT",
    "VERDICT_TEXT",
    "audit",
    "change_row",
    "changes",
    "checklist_summary",
    "claim_form",
    "containers_text",
    "defaults_in_use",
    "entry",
    "import_reports",
    "line_check",
    "outcome",
    "payer_file",
    "profile",
    "profiles",
    "provenance_line",
    "provenance_summary",
    "quarters",
    "review",
    "search",
    "site_check",
    "units_summary",
]

VERDICT_TEXT: dict[Verdict, str] = {
    "blockers": "Not ready: blockers open",
    "high-risk": "Check before billing: high risks open",
    "ready": "Ready: nothing open",
}


def units_summary(r: CalcResult) -> str:
    """'Administered 375 mg = 75 units · Nothing discarded' — the one-line answer."""
    if r.has_jw:
        waste = f"Discarded {r.discarded_amount} = {r.discarded_units} units (JW)"
    elif r.discarded_amount.amount:
        waste = f"Discarded {r.discarded_amount}, no JW line (under one unit, or JW does not apply: see the warnings)"
    else:
        waste = "Nothing discarded"
    return f"Administered {r.dose_in_billing_unit} = {r.administered_units} units · {waste}"


def containers_text(r: CalcResult) -> str:
    return ", ".join(f"{c.count} x {c.product.ndc} ({c.product.container_amount})" for c in r.containers)


def outcome(o: Outcome) -> str:
    """`units`: the calculation with its lines, warnings and rules."""
    r = o.calculation
    assert r is not None
    out = [
        f"{r.code.code} — {r.code.descriptor} (1 unit = {r.code.billing_unit})",
        f"Date of service {r.date_of_service}; payer {r.case.payer_profile.name}"
        + (f" ({SAMPLE_TEXT})" if r.case.payer_profile.sample else "")
        + f"; setting {r.case.setting}",
        f"Containers: {containers_text(r)}",
        units_summary(r),
        "",
        "Claim lines:",
    ]
    out += [f"  {line.keyed_text()}" + (f"  [note: {line.note}]" if line.note else "") for line in r.lines]
    item_19 = claim_item_19(r.lines, r.case.payer_profile.cms1500_ndc_box)
    if item_19 and FORM_FOR_SETTING[r.case.setting] == "cms1500":
        out.append(f"  CMS-1500 item 19 (once per claim): {item_19}")
    if r.admin_code_suggestion:
        out.append(f"  Administration (separate line): {r.admin_code_suggestion}")
    out += ["", provenance_line(r)]
    if o.warnings:
        out += ["", "Warnings:"] + [f"  [{w.level}] {w.message}" for w in o.warnings]
    out += ["", "Rules applied: " + ", ".join(r.rules)]
    return "\n".join(out)


def checklist_summary(catalog: Catalog, o: Outcome, ticked: Collection[str] = ()) -> str:
    """Plain text for a charge comment or audit note. Holds codes, units and checks only: no patient data."""
    case, r, evaluation = o.case, o.calculation, o.checklist
    lines = [
        f"omaliref check — {case.code}, payer {case.payer} ({case.payer_profile.id}"
        + (f", {SAMPLE_TEXT}" if case.payer_profile.sample else "")
        + f"), setting {case.setting}"
        + (f", indication {case.indication}" if case.indication else "")
        + f", DOS {case.date_of_service}"
    ]
    if case.payer_profile.replacement:  # an organization's profile in place of another of that id (#11)
        lines.append(f"Payer profile: {case.payer_profile.replacement}.")
    if r is not None:
        lines.append(
            f"Dose {r.dose} = {r.administered_units} units administered"
            + (f"; {r.discarded_units} units discarded (JW)" if r.has_jw else "")
        )
        lines.append("Claim lines:")
        lines += [f"  {line.keyed_text()}" for line in r.lines]
        lines.append("Rules applied: " + ", ".join(r.rules))
        warns = [w for w in o.warnings if w.level != "info"]
        if warns:
            lines.append("Warnings:")
            lines += [f"  - {w.message}" for w in warns]
    for title, want in (("Confirmed", True), ("Open", False)):
        chosen = [a for a in evaluation.items if (a.item.id in ticked) == want]
        if chosen:
            lines.append(f"{title}:")
            lines += [f"  [{'x' if want else ' '}] ({a.severity}) {a.item.text}" for a in chosen]
    if evaluation.findings:
        lines.append("Findings:")
        lines += [f"  - ({f.severity}) {f.message}" for f in evaluation.findings]
    lines.append(f"Verdict: {VERDICT_TEXT[evaluation.verdict(ticked)]}")
    lines.append(f"Data pack {catalog.info.version}, as of {catalog.info.as_of}")
    return "\n".join(lines)


def line_check(c: LineCheck) -> str:
    return ("OK: " if c.ok else "MISMATCH: ") + " ".join(c.reasons)


def search(query: str, hits: list[SearchHit]) -> str:
    lines = [
        f"{i}. [{h.entry.kind}] {h.entry.title}" + "".join(f"\n   ! {a}" for a in h.alerts)
        for i, h in enumerate(hits, 1)
    ]
    return "\n".join(lines) or f"No match for '{query}'."


def _provenance(data: dict[str, Any]) -> str:
    return f"Confidence {data['confidence']}; as of {data['as_of']}; sources " + ", ".join(
        s["id"] for s in data["sources"]
    )


def entry(data: dict[str, Any]) -> str:
    """`show` as text, from the same dict as `show --json`: every confidence and unsettled note it holds."""
    kind = data["kind"]
    if kind == "code":
        return _code(data)
    if kind == "modifier":
        out = [f"{data['code']} — {data['descriptor']}", data["meaning"]]
        dates = [
            f"{label} {data[k]}"
            for k, label in (("effective_from", "effective from"), ("required_from", "required from"))
            if data.get(k)
        ]
        if data.get("effective_to"):
            dates.append(
                f"ENDED {data['effective_to']}"
                + (f" ({data['dates_stated_by']})" if data.get("dates_stated_by") else "")
                + (f": use {' or '.join(data['replaced_by'])}" if data.get("replaced_by") else "")
            )
        if dates:
            joined = "; ".join(dates)
            out.append(
                joined[:1].upper() + joined[1:] + (f" — {data['required_note']}" if data["required_note"] else "")
            )
        if data["status_note"]:
            out.append(f"Note: {data['status_note']}")
        out += [f"Common error: {e}" for e in data["common_errors"]]
        out.append(_provenance(data))
        return "\n".join(out)
    if kind == "topic":
        return f"{data['title']}\n\n{data['body']}\n\n{_provenance(data)}"
    out = [
        f"{data['ndc']} — {data['brand']} {data['presentation']}",
        f"{data['code']}: {data['units_per_container']} units per container; marketing status "
        f"{data['marketing_status']}" + (f" ({data['status_note']})" if data["status_note"] else ""),
        f"Container type {data['container_type']} ({data['container_type_confidence']} confidence); NDC unit "
        f"{data['ndc_unit'] or 'not in the data'} ({data['ndc_unit_confidence']} confidence)",
    ]
    out += [f"Note: {n}" for n in data["notes"]]
    out.append(_provenance(data))
    if data.get("origin") == "cms-import":
        out.append("(imported from the CMS crosswalk; not in the curated pack)")
    return "\n".join(out)


def _code(data: dict[str, Any]) -> str:
    unit = data["billing_unit"]
    out = [
        f"{data['code']} — {data['descriptor']}"
        + ("" if data["descriptor_verified"] else "  (descriptor NOT VERIFIED)"),
        f"1 unit = {unit['amount']} {unit['unit']}" + ("" if data["unit_verified"] else "  (NOT VERIFIED)"),
        f"Status: {data['status']}; confidence {data['confidence']}; as of {data['as_of']}",
    ]
    if data["effective_from"] or data["effective_to"]:
        dates = [
            f"from {data['effective_from']}" if data["effective_from"] else "",
            f"to {data['effective_to']}" if data["effective_to"] else "",
        ]
        confidence = data["effective_from_confidence"]
        stated = data.get("dates_stated_by")
        out.append(
            ("ENDED " + data["effective_to"] + "; effective " if data["effective_to"] else "Effective ")
            + " ".join(d for d in dates if d)
            + (f" ({stated})" if stated else f" ({confidence} confidence)" if confidence else "")
            + (f"; replaced by {', '.join(data['replaced_by'])}" if data["replaced_by"] else "")
        )
    out += [f"! {a}" for a in data["alerts"]]
    if data.get("pricing_note"):
        out.append(f"! {data['pricing_note']}")
    out.append(data["summary"])
    out += [f"Note: {n}" for n in data["notes"]]
    for p in data["products"]:
        flags = [f"{p['units_per_container']} units", f"{p['confidence']} confidence"]
        if not p["presentation_verified"]:
            flags.append("not verified")
        if p["marketing_status"] != "listed":
            flags.append(f"marketing status {p['marketing_status']}")
        out.append(f"  {p['ndc']}  {p['presentation']}  ({'; '.join(flags)})")
    for s in data["sections"]:
        out += ["", f"{s['title']}  ({s['confidence']} confidence; as of {s['as_of']})", s["body"]]
    out += [f"! CONFLICT: {c}" for c in data.get("conflicts", [])]
    if data.get("origin") == "cms-import":
        quarter = data["field_sources"]["descriptor"].rsplit("-", 1)[-1]
        out.append(f"(imported from the CMS files, {quarter}; not in the curated pack)")
    return "\n".join(out)


def claim_form(data: dict[str, Any], form: str) -> str:
    """`units --format cms1500|ub04|x12`: the lines as that form carries them, one claim line per row; on the
    CMS-1500, item 19 (one box per claim) follows the lines once."""
    rows = []
    in_19 = data["profile"].get("cms1500_ndc_box") == "19"
    for line in data["lines"]:
        mods = " ".join(line["modifiers"])
        if form == "x12":
            rows += line["x12"]
        elif form == "cms1500":
            shaded = line["cms1500_24a"] or ("(NDC in item 19)" if in_19 else missing_ndc_unit(line["ndc"]))
            rows.append(f"{line['code']} {mods:<8} {line['units']:>5}  {shaded}")
        else:
            fl43 = line["ub04_fl43"] or missing_ndc_unit(line["ndc"])
            rows.append(f"0636 {line['code']} {mods:<8} {line['units']:>5}  {fl43}")
    if form == "cms1500" and data.get("cms1500_item19"):
        rows.append(f"Item 19: {data['cms1500_item19']}")
    return "\n".join(rows)


def audit(data: dict[str, Any], name: str) -> str:
    """`omaliref audit`: a summary, the columns skipped, then one block per line, worst first."""
    counts, given = data["counts"], data["input"]
    out = [
        f"Audit of {name} ({given['kind']}): {counts['lines']} lines, {counts['judged']} judged; "
        f"{counts['error']} with errors, {counts['warning']} with warnings, {counts['info']} with notes only, "
        f"{counts['clean']} clean."
    ]
    if given["acquired_340b"]:
        out.append("Every line is read as a 340B-acquired drug (--340b).")
    if given["skipped_columns"]:
        out.append("Skipped unread (patient data): " + ", ".join(given["skipped_columns"]) + ".")
    if given["unused_columns"]:
        out.append("Not used: " + ", ".join(given["unused_columns"]) + ".")

    def rank(item: dict[str, Any]) -> int:
        return WARNING_LEVELS.index(item["worst"]) if item["worst"] else len(WARNING_LEVELS)

    for line in sorted(data["lines"], key=rank):
        mods = "".join(f"-{m}" for m in line["modifiers"])
        ndc = (
            f"  {line['ndc_qualifier'] or 'N4'} {line['ndc']} {line['ndc_unit']} {line['ndc_quantity']}".rstrip()
            if line["ndc"]
            else ""
        )
        where = ", ".join(w for w in (line["payer_profile"], line["setting"]) if w)
        out.append("")
        out.append(
            f"{line['ref']}: {line['code']}{mods} x {line['units'] or '?'}{ndc}  {line['date_of_service']}"
            + (f" ({where})" if where else "")
        )
        if not line["findings"]:
            out.append("  clean")
        for f in line["findings"]:
            cited = "; ".join(
                part
                for part in (
                    f"rule {f['rule']}" if f["rule"] else "",
                    "sources " + ", ".join(f["source_ids"]) if f["source_ids"] else "",
                )
                if part
            )
            out.append(f"  {f['level'].upper()} [{f['check']}] {f['message']}")
            out.append(f"    Fix: {f['fix']}" + (f" ({cited})" if cited else ""))
    return "\n".join(out)
