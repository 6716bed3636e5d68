"""The JSON shapes of a case: `units` (the calculation and its claim lines), `check`, `checklist` and `dose`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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
from omaliref.domain.model import Catalog
from omaliref.domain.outcome import Outcome
from omaliref.domain.quantities import plain_amount
from omaliref.domain.vocab import FORM_FOR_SETTING, Setting
from omaliref.report import as_text
from omaliref.report.json_payers import profile
from omaliref.report.json_reference import quantity


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


def units(catalog: Catalog | None, outcome: Outcome) -> dict[str, Any]:
    """`units`: the calculation, with the dose check when the case asked for one, and every source its facts rest
    on (the CMS files of an imported code included). Made from the outcome alone: `catalog` is kept for callers
    and ignored (the outcome carries the catalog it was computed against)."""
    assert outcome.calculation is not None
    out = calc_result(outcome.catalog, outcome.calculation)
    out["sources"] = [
        {"id": s.id, "title": s.title, "url": s.url, "date": s.date, "kind": s.kind} for s in outcome.sources
    ]
    checks = [w for w in (outcome.dose_check, outcome.interval_check) if w is not None]
    out["warnings"][0:0] = [warning(w) for w in checks]
    last = outcome.case.last_dose
    out["last_dose"] = last.isoformat() if last else None
    out["days_since_last_dose"] = (outcome.case.date_of_service - last).days if last else None
    return out


def line_check(c: LineCheck) -> dict[str, Any]:
    return {"code": c.code, "units": c.units, "correct_units": c.correct_units, "ok": c.ok, "reasons": list(c.reasons)}
