"""Every text the app shows or copies about a result, written once: the CLI, the panes, the checklist summary and
the audit sheet all use these functions, so the wording never drifts between them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from omaliref.domain.calculator import DEVICE_FORMS, CalcResult, LineCheck
from omaliref.domain.claim_forms import claim_item_19, missing_ndc_unit
from omaliref.domain.model import Catalog
from omaliref.domain.outcome import Outcome
from omaliref.domain.payer import FieldBasis, PayerProfile
from omaliref.domain.search import SearchHit
from omaliref.domain.text import one_line
from omaliref.domain.vocab import FORM_FOR_SETTING, REVIEW_VERDICTS, WARNING_LEVELS, Verdict

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


def claim_lines(r: CalcResult) -> str:
    """The lines exactly as the calculator pane shows them, one per row: what Copy claim lines copies."""
    return "\n".join(line.keyed_text() for line in r.lines)


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


# What each rule field of a payer profile is called in every text view.
FIELD_LABELS: dict[str, str] = {
    "multi_ndc": "Several NDCs",
    "jw_jz": "JW/JZ",
    "modifier_340b": "340B modifier",
    "modifier_340b_ub04_position": "340B modifier position on the UB-04",
    "ndc_unit_devices": "NDC unit for prefilled syringes and autoinjectors",
    "ndc_required": "NDC on every drug line",
    "cms1500_ndc_gap": "CMS-1500 item 24A blanks between the NDC and the unit",
    "cms1500_ndc_box": "CMS-1500 box for the NDC on paper",
    "max_units": "Maximum units",
    "prior_authorization": "Prior authorization",
    "step_therapy": "Step therapy",
}
MULTI_NDC_TEXT = {
    "split-lines": "one line per NDC",
    "split-lines-kp-kq": "one line per NDC, KP on the first and KQ on the others",
    "single-line-note": "one line, the other NDCs in the note (item 19 / NTE)",
}
SAMPLE_TEXT = "SAMPLE: confirm with the payer"


def _field_value(name: str, value: object) -> str:
    if name == "multi_ndc":
        return MULTI_NDC_TEXT.get(str(value), str(value))
    if name == "cms1500_ndc_box":
        return "item 24A (shaded part)" if value == "24a" else "item 19"
    if name == "modifier_340b_ub04_position":
        return {0: "after the others", 1: "first", 2: "second"}.get(value, str(value)) if isinstance(value, int) else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{code} {n}" for code, n in value.items()) or "none known"
    return str(value)


def _basis_text(b: FieldBasis) -> str:
    bounds = f" [{b.bounds_text()}]" if b.bounded else ""
    return f"{_field_value(b.field, b.value)}{bounds} — {b.describe()}"


def profile(p: PayerProfile) -> str:
    """`payers show`: each rule field with its value and where it comes from (a source, or the app's default)."""
    out = [
        f"{p.id} — {p.name}" + (f"  ({SAMPLE_TEXT})" if p.sample else ""),
        f"Kind {p.kind}; from {p.origin}"
        + (f"; MAC {p.mac}" if p.mac else "")
        + (f"; state {p.state}" if p.state else ""),
    ]
    if p.replacement:
        out.append(f"Replaces: {p.replacement}.")
    for name, label in FIELD_LABELS.items():
        options = p.basis_for(name)
        if len(options) == 1:
            out.append(f"{label}: {_basis_text(options[0])}")
        else:
            out.append(f"{label}:")
            out += [f"  {_basis_text(b)}" for b in options]
    if p.note:
        out.append(p.note)
    if p.sources:
        out.append("Sources: " + ", ".join(p.sources))
    return "\n".join(out)


def defaults_in_use(r: CalcResult) -> tuple[FieldBasis, ...]:
    """The profile values the calculation's lines depend on that are not the payer's sourced rule."""
    p, case = r.case.payer_profile, r.case
    form = FORM_FOR_SETTING[case.setting]
    used: list[str] = []
    if len({c.product.ndc for c in r.containers}) > 1:
        used.append("multi_ndc")
    if r.has_jw or r.has_jz or r.discarded_amount.amount:
        used.append("jw_jz")
    if case.modifier_340b and case.payer != "medicare":
        used += ["modifier_340b"] + (["modifier_340b_ub04_position"] if form == "ub04" else [])
    if any(c.product.form in DEVICE_FORMS for c in r.containers):
        used.append("ndc_unit_devices")
    if form == "cms1500":
        used += ["cms1500_ndc_box"] + (["cms1500_ndc_gap"] if p.cms1500_ndc_box == "24a" else [])
    return tuple(b for name in used if (b := p.provenance(name)).status != "sourced")


def provenance_line(r: CalcResult) -> str:
    """One line naming the payer profile, "sample" when it is one, and the defaults the lines depend on: the CLI's
    stderr line for machine formats, the units text, and what the window shows beside the payer and after a copy."""
    p = r.case.payer_profile
    head = _profile_head(p)
    found = defaults_in_use(r)
    if not found:
        return f"{head}; every profile value these lines use is sourced."
    shown = "; ".join(
        f"{FIELD_LABELS[b.field]}: {_field_value(b.field, b.value)}"
        + (" (set by the organization's file, no source)" if b.status == "organization" else "")
        for b in found
    )
    return f"{head}; these lines rest on defaults (the app's choice, not the payer's rule): {shown}."


def _profile_head(p: PayerProfile) -> str:
    """'Payer profile ID (name, origin)', with "sample" and what it replaced when it did (red team 2026-12 #11)."""
    return (
        f"Payer profile {p.id} ({p.name}, {p.origin})"
        + (f" — {SAMPLE_TEXT}" if p.sample else "")
        + (f" — {p.replacement}" if p.replacement else "")
    )


def provenance_summary(o: Outcome) -> str:
    """The provenance line for an outcome (the profile alone when there is no calculation)."""
    if o.calculation is not None:
        return provenance_line(o.calculation)
    return _profile_head(o.case.payer_profile) + "."


def profiles(found: list[PayerProfile]) -> str:
    return "\n".join(
        f"{p.id:24} {p.kind:19} {p.name}"
        + (" [sample]" if p.sample else "")
        + ("" if p.origin == "built-in" else f" [{p.origin}]")
        + (f" [replaces {'the built-in' if p.replaces == 'built-in' else p.replaces}]" if p.replaces else "")
        for p in found
    )


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
