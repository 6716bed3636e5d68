"""Every public JSON shape the CLI prints, each made by one function here.

These shapes are public: scripts, IT and the tests use them. Add fields, never rename or remove one; the golden
files in tests/golden pin them key for key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from omaliref.domain.audit import Finding, LineAudit, split_modifiers
from omaliref.domain.calculator import NDC_QUANTITY_PLACES, CalcResult, ClaimLine, LineCheck, Warning_
from omaliref.domain.claim_forms import (
    claim_item_19,
    cms1500_layout,
    fl43,
    item_19,
    item_24a,
    line_charge,
    x12_segments,
)
from omaliref.domain.cms_facts import QuarterFacts, decimal_text, money_text
from omaliref.domain.dosing import DoseAnswer
from omaliref.domain.model import Catalog, Code, Modifier, Product, Topic, dates_label, units_per_container
from omaliref.domain.outcome import Outcome
from omaliref.domain.pack_review import ReviewItem
from omaliref.domain.payer import PROVENANCE_FIELDS, FieldBasis, PayerProfile
from omaliref.domain.quantities import Quantity, plain_amount
from omaliref.domain.records import Entry, ImportRecord, ImportReport, SiteCheck
from omaliref.domain.search import SearchHit
from omaliref.domain.vocab import FORM_FOR_SETTING, REVIEW_VERDICTS, Setting
from omaliref.report import as_text


def quantity(q: Quantity) -> dict[str, str]:
    return {"amount": plain_amount(q.amount), "unit": q.unit}


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _num(value: Fraction | None) -> str | None:
    return plain_amount(value) if value is not None else None


def sources(catalog: Catalog, ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {"id": s.id, "title": s.title, "url": s.url, "date": s.date, "kind": s.kind}
        for s in catalog.resolve_sources(ids)
    ]


def hit(h: SearchHit) -> dict[str, Any]:
    return {
        "id": h.entry.id,
        "kind": h.entry.kind,
        "title": h.entry.title,
        "summary": h.entry.summary,
        "alerts": list(h.alerts),
        "code": h.entry.code or None,
        "score": round(h.score, 1),
        "why": list(h.reasons),
    }


def product(catalog: Catalog, p: Product) -> dict[str, Any]:
    per_container = units_per_container(p, catalog.codes[p.code])
    return {
        "ndc": p.ndc,
        "ndc11": p.ndc11,
        "listed_ndc": p.listed_ndc,
        "code": p.code,
        "brand": p.brand,
        "presentation": p.presentation,
        "form": p.form,
        "container_amount": quantity(p.container_amount),
        "volume_ml": _num(p.volume_ml),
        "containers_per_package": p.containers_per_package,
        "units_per_container": int(per_container),
        "units_per_package": int(per_container * p.containers_per_package) if p.containers_per_package else None,
        "single_dose": p.single_dose,
        "container_type": p.container_type,
        "container_type_confidence": p.container_type_confidence,
        "route": p.route,
        "marketing_status": p.marketing_status,
        "marketing_start": _date(p.marketing_start),
        "status_note": p.status_note,
        "presentation_verified": p.presentation_verified,
        "ndc_unit": p.ndc_unit,
        "ndc_quantity": plain_amount(p.ndc_quantity),
        "ndc_unit_confidence": p.ndc_unit_confidence,
        "notes": list(p.notes),
        "confidence": p.provenance.confidence,
        "as_of": p.provenance.as_of.isoformat(),
        "sources": sources(catalog, p.provenance.sources),
    }


def topic(catalog: Catalog, t: Topic) -> dict[str, Any]:
    return {
        "id": t.id,
        "code": t.code or None,
        "section": t.section or None,
        "title": t.title,
        "body": t.body,
        "keywords": list(t.keywords),
        "confidence": t.provenance.confidence,
        "as_of": t.provenance.as_of.isoformat(),
        "sources": sources(catalog, t.provenance.sources),
    }


def code(catalog: Catalog, c: Code) -> dict[str, Any]:
    sections = catalog.sections_for(c.code)
    all_ids = (*c.provenance.sources, *(i for t in sections for i in t.provenance.sources))
    return {
        "id": c.code,
        "kind": "code",
        "code": c.code,
        "descriptor": c.descriptor,
        "descriptor_verified": c.descriptor_verified,
        "short_descriptor": c.short_descriptor or None,
        "billing_unit": quantity(c.billing_unit),
        "unit_verified": c.unit_verified,
        "drug": c.drug,
        "brands": list(c.brands),
        "category": c.category,
        "status": c.status,
        "effective_from": _date(c.effective_from),
        "effective_from_confidence": c.effective_from_confidence or None,
        "effective_to": _date(c.effective_to),
        "replaced_by": list(c.replaced_by),
        "dates_source": c.dates_source or None,
        "dates_stated_by": dates_label(c.dates_source) if c.dates_source else None,
        "pricing_note": c.pricing_note or None,
        "routes": list(c.routes),
        "route_modifier_required": c.route_modifier_required,
        "admin_codes": list(c.admin_codes),
        "summary": c.summary,
        "notes": list(c.notes),
        "confidence": c.provenance.confidence,
        "as_of": c.provenance.as_of.isoformat(),
        "max_single_dose": (
            quantity(c.max_single_dose.quantity) | {"note": c.max_single_dose.note} if c.max_single_dose else None
        ),
        "lookalikes": [{"code": o, "descriptor": catalog.codes[o].descriptor} for o in c.lookalikes],
        "alerts": [f"Look-alike: {x.right}" for x in catalog.corrections_for(c.code) if x.always_show],
        "corrections": [
            {"id": x.id, "wrong": x.wrong, "right": x.right, "points_to": x.points_to}
            for x in catalog.corrections_for(c.code)
        ],
        "products": [product(catalog, p) for p in catalog.products_for(c.code)],
        "sections": [topic(catalog, t) for t in sections],
        "sources": sources(catalog, tuple(all_ids)),
    }


def modifier(catalog: Catalog, m: Modifier) -> dict[str, Any]:
    return {
        "id": m.code,
        "kind": "modifier",
        "code": m.code,
        "descriptor": m.descriptor,
        "short_descriptor": m.short_descriptor or None,
        "meaning": m.meaning,
        "effective_from": _date(m.effective_from),
        "effective_to": _date(m.effective_to),
        "replaced_by": list(m.replaced_by),
        "dates_source": m.dates_source or None,
        "dates_stated_by": dates_label(m.dates_source) if m.dates_source else None,
        "required_from": _date(m.required_from),
        "required_note": m.required_note or None,
        "status_note": m.status_note or None,
        "payers": list(m.payers),
        "common_errors": list(m.common_errors),
        "aliases": list(m.aliases),
        "confidence": m.provenance.confidence,
        "as_of": m.provenance.as_of.isoformat(),
        "sources": sources(catalog, m.provenance.sources),
    }


def warning(w: Warning_) -> dict[str, Any]:
    return {"level": w.level, "message": w.message, "rule": w.rule or None, "source_ids": list(w.sources)}


def line(
    claim_line: ClaimLine,
    setting: Setting = "office",
    gap: int = 1,
    *,
    box: str = "24a",
    quantity_width: int | None = None,
    charge_per_unit: Decimal | None = None,
) -> dict[str, Any]:
    return {
        "code": claim_line.code,
        "modifiers": list(claim_line.modifiers),
        "units": claim_line.units,
        "kind": claim_line.kind,
        "ndc": claim_line.ndc.replace("-", "") if claim_line.ndc else None,
        "ndc_unit": claim_line.ndc_unit or None,
        "ndc_quantity": plain_amount(claim_line.ndc_quantity, NDC_QUANTITY_PLACES)
        if claim_line.ndc_quantity is not None
        else None,
        "keyed": claim_line.keyed_text(),
        "ndc_parts": [
            {
                "ndc": p.ndc.replace("-", ""),
                "ndc_unit": p.ndc_unit or None,
                "ndc_quantity": plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES),
                "containers": p.containers,
            }
            for p in claim_line.ndc_parts
        ],
        "note": claim_line.note or None,
        "cms1500_24a": item_24a(claim_line, gap, box, quantity_width),
        "ub04_fl43": fl43(claim_line),
        "x12": list(x12_segments(claim_line, setting, charge_per_unit)),
        "cms1500_item19": item_19(claim_line, box) or None,
        "charge": line_charge(claim_line, charge_per_unit)
        if charge_per_unit is not None or claim_line.fixed_charge is not None
        else None,
        "non_covered_charge": str(claim_line.fixed_charge) if claim_line.non_covered else None,
    }


def field_basis(b: FieldBasis) -> dict[str, Any]:
    """One value of a profile field with where it comes from: a source, or `default: true`."""
    value = dict(b.value) if isinstance(b.value, Mapping) else b.value
    return {
        "value": value,
        "status": b.status,
        "default": b.status == "default",
        "source": b.source or None,
        "quote": b.quote or None,
        "locator": b.locator or None,
        "checked": _date(b.checked),
        "effective_from": _date(b.effective_from),
        "effective_to": _date(b.effective_to),
        "form": b.form,
        "why": b.why or None,
        "set_by": b.set_by or None,
    }


def profile(p: PayerProfile) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "multi_ndc": p.multi_ndc,
        "jw_jz": p.jw_jz,
        "modifier_340b": p.modifier_340b,
        "ndc_unit_devices": p.ndc_unit_devices,
        "ndc_required": p.ndc_required,
        "cms1500_ndc_gap": p.cms1500_ndc_gap,
        "max_units": dict(p.max_units),
        "prior_authorization": p.prior_authorization,
        "step_therapy": p.step_therapy,
        "mac": p.mac or None,
        "sample": p.sample,
        "note": p.note or None,
        "sources": list(p.sources),
        "origin": p.origin,
        "replaces": p.replaces or None,  # the origin of the profile of the same id this one replaced
        "state": p.state or None,
        "cms1500_ndc_box": p.cms1500_ndc_box,
        "modifier_340b_ub04_position": p.modifier_340b_ub04_position,
        "resolved_on": _date(p.resolved_on),
        "fields": {name: [field_basis(b) for b in p.basis_for(name)] for name in PROVENANCE_FIELDS},
        "defaults": [name for name in PROVENANCE_FIELDS if p.provenance(name).status == "default"],
        "in_force": {b.field: field_basis(b) for b in p.chosen} or None,
    }


def _line_for(r: CalcResult, claim_line: ClaimLine) -> dict[str, Any]:
    gap, box, width = cms1500_layout(r.case.payer_profile)
    return line(claim_line, r.case.setting, gap, box=box, quantity_width=width, charge_per_unit=r.case.charge_per_unit)


def calc_result(catalog: Catalog, r: CalcResult) -> dict[str, Any]:
    return {
        "code": r.code.code,
        "descriptor": r.code.descriptor,
        "billing_unit": quantity(r.code.billing_unit),
        "unit_verified": r.code.unit_verified,
        "dose": quantity(r.dose),
        "dose_in_billing_unit": quantity(r.dose_in_billing_unit),
        "date_of_service": r.date_of_service.isoformat(),
        "payer": r.case.payer,
        "setting": r.case.setting,
        "separately_payable": r.case.separately_payable,
        "modifier_340b": r.case.modifier_340b or None,
        "supplied_by": r.case.supplied_by,
        "auto_selected": r.auto_selected,
        "packages": [
            {
                "ndc": c.product.ndc,
                "description": f"{c.product.brand} {c.product.presentation}",
                "count": c.count,
                "container_amount": quantity(c.product.container_amount),
            }
            for c in r.containers
        ],
        "labelled_contents": quantity(r.labelled_contents),
        "lines": [_line_for(r, cl) for cl in r.lines],
        "profile": profile(r.case.payer_profile),
        "cms1500_item19": claim_item_19(r.lines, r.case.payer_profile.cms1500_ndc_box) or None,
        "charge_per_unit": str(r.case.charge_per_unit) if r.case.charge_per_unit is not None else None,
        "provenance": as_text.provenance_line(r),
        "claim_form": FORM_FOR_SETTING[r.case.setting],
        "administered_units": r.administered_units,
        "administered_amount": quantity(r.dose_in_billing_unit),
        "discarded_units": r.discarded_units,
        "discarded_amount": quantity(r.discarded_amount),
        "warnings": [warning(w) for w in r.warnings],
        "rules": [
            {"id": rid, "title": catalog.rule(rid).title, "sources": list(catalog.rule(rid).provenance.sources)}
            for rid in r.rules
        ],
        "admin_code_suggestion": r.admin_code_suggestion,
        "larger_container_than_needed": r.larger_container_than_needed,
        "payment_limit": _payment_limit(r.quarter_facts),
        "mue": _mues(r.quarter_facts),
        "cms_quarter": r.quarter_facts.quarter if r.quarter_facts else None,
    }


def _payment_limit(facts: QuarterFacts | None) -> dict[str, Any] | None:
    p = facts.payment_limit if facts else None
    if p is None:
        return None
    return {
        "quarter": p.quarter,
        "per_unit": money_text(p.limit) if p.limit is not None else None,
        "dosage": p.dosage,
        "coinsurance_percent": decimal_text(p.coinsurance) if p.coinsurance is not None else None,
        "notes": p.notes,
        "source_id": p.source_id,
    }


def _mues(facts: QuarterFacts | None) -> list[dict[str, Any]]:
    return [
        {
            "quarter": m.quarter,
            "setting": m.setting,
            "value": m.value,
            "mai": m.mai,
            "mai_text": m.mai_text,
            "rationale": m.rationale,
            "source_id": m.source_id,
            "shipped": m.shipped,
        }
        for m in (facts.mues if facts else ())
    ]


def dose_answer(a: DoseAnswer) -> dict[str, Any]:
    return {
        "indication": a.indication,
        "status": a.status,
        "doses_mg": list(a.doses_mg),
        "interval_weeks": a.interval_weeks,
        "label_dose": a.label or None,
        "message": a.message,
        "table": a.table_id,
        "confidence": a.confidence,
        "source_ids": list(a.sources),
    }


def checklist(catalog: Catalog, outcome: Outcome, ticked: frozenset[str] = frozenset()) -> dict[str, Any]:
    case, e = outcome.case, outcome.checklist
    return {
        "code": case.code,
        "payer": case.payer,
        "setting": case.setting,
        "indication": case.indication,
        "date_of_service": case.date_of_service.isoformat(),
        "items": [
            {
                "id": a.item.id,
                "text": a.item.text,
                "why": a.item.why,
                "severity": a.severity,
                "base_severity": a.item.severity,
                "conditional": a.conditional,
                "escalated_by": a.escalated_by or None,
                "detail": a.detail or None,
                "condition": a.condition or None,
                "ticked": a.item.id in ticked,
                "sources": list(a.item.provenance.sources),
            }
            for a in e.items
        ],
        "findings": [
            {"id": f.id, "severity": f.severity, "message": f.message, "origin": f.origin} for f in e.findings
        ],
        "verdict": e.verdict(ticked),
        "calculation": units(catalog, outcome) if outcome.calculation else None,
        "dose_check": dose_answer(outcome.dose_answer) if outcome.dose_answer else None,
    }


def units(catalog: Catalog, outcome: Outcome) -> dict[str, Any]:
    """`units`: the calculation, with the dose check when the case asked for one."""
    assert outcome.calculation is not None
    out = calc_result(catalog, outcome.calculation)
    checks = [w for w in (outcome.dose_check, outcome.interval_check) if w is not None]
    out["warnings"][0:0] = [warning(w) for w in checks]
    last = outcome.case.last_dose
    out["last_dose"] = last.isoformat() if last else None
    out["days_since_last_dose"] = (outcome.case.date_of_service - last).days if last else None
    return out


def line_check(c: LineCheck) -> dict[str, Any]:
    return {"code": c.code, "units": c.units, "correct_units": c.correct_units, "ok": c.ok, "reasons": list(c.reasons)}


def search(query: str, hits: list[SearchHit]) -> dict[str, Any]:
    return {"query": query, "results": [hit(h) for h in hits]}


def entry(e: Entry) -> dict[str, Any]:
    """`show`: a code (with what the imported quarters say), modifier, NDC or topic."""
    if isinstance(e.item, Code):
        data = code(e.catalog, e.item)
        if e.imported:
            data["imported"] = e.imported
            data["conflicts"] = [c for q in e.imported["quarters"] for c in q["conflicts"]]
        if e.imported_only:
            data |= {
                "origin": "cms-import",
                "field_sources": {
                    "descriptor": e.item.provenance.sources[0],  # the HCPCS file, or the ASP file without one
                    "billing_unit": e.item.provenance.sources[-1],
                },
            }
        return data
    if isinstance(e.item, Modifier):
        return modifier(e.catalog, e.item)
    if isinstance(e.item, Topic):
        return topic(e.catalog, e.item) | {"kind": "topic"}
    return (
        product(e.catalog, e.item)
        | {"kind": "product", "id": e.item.ndc}
        | ({"origin": "cms-import"} if e.imported_only else {})
    )


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
