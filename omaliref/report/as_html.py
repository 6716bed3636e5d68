"""The audit sheet as HTML (the Qt layer prints it or writes it as PDF): what was billed, why, and from which
sources, with the time it was made and the versions of the app and the data. No patient-identifying data.

The sheet is a function of the outcome alone: rules, titles and sources come from the catalog the outcome was
computed against (for an imported code, the pack plus its CMS quarter), never from one handed in beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from html import escape

from omaliref.domain.calculator import CalcResult
from omaliref.domain.claim_forms import keyed
from omaliref.domain.model import Catalog, PackInfo
from omaliref.domain.outcome import Outcome
from omaliref.domain.vocab import DRUG_REVENUE_CODE, MODIFIERS_340B, SUPPLIER_TEXT
from omaliref.report.as_text import VERDICT_TEXT, containers_text, provenance_line, units_summary


def audit_sheet(
    catalog: Catalog | None,
    outcome: Outcome | None,
    ticked: Collection[str],
    *,
    made_at: dt.datetime,
    app_version: str,
    stale: bool = False,
) -> str:
    """The sheet of `outcome`, or of no case. Deprecated `catalog`: it only dates a sheet without an outcome; an
    outcome's own catalog always wins (passing another one dropped an imported code's CMS sources)."""
    if outcome is not None:
        return outcome_sheet(outcome, ticked, made_at=made_at, app_version=app_version, stale=stale)
    if catalog is None:
        raise ValueError("audit_sheet needs an outcome, or the catalog that dates a sheet without one")
    return empty_sheet(catalog.info, made_at=made_at, app_version=app_version)


def empty_sheet(info: PackInfo, *, made_at: dt.datetime, app_version: str) -> str:
    """The sheet when there is no case: who made it, when, with which data."""
    return _heading(info, made_at, app_version) + "<p><b>No case.</b></p>"


def outcome_sheet(
    outcome: Outcome, ticked: Collection[str], *, made_at: dt.datetime, app_version: str, stale: bool = False
) -> str:
    """The sheet of one outcome; `stale`: the window's input no longer matches it, so its calculation is left out."""
    r = None if stale else outcome.calculation
    parts = [_heading(outcome.catalog.info, made_at, app_version), _case_line(outcome, r), _SIGNATURES]
    parts.append(_calculation(outcome, r) if r is not None else "<p><b>No valid calculation.</b></p>")
    parts.append(_checklist(outcome, ticked))
    parts.append(_sources(outcome, r))
    parts.append("<p><small>Contains no patient-identifying data.</small></p>")
    return "".join(parts)


# filled in by hand on the printed sheet: the app stores no names and no claim or patient references
_SIGNATURES = (
    "<p>Prepared by ____________________ · Reviewed by ____________________ · "
    "Claim / encounter reference ____________________</p>"
)


def _heading(info: PackInfo, made_at: dt.datetime, app_version: str) -> str:
    return (
        "<h1>omaliref audit sheet</h1>"
        f"<p>Made {made_at:%Y-%m-%d %H:%M} · omaliref {escape(app_version)} · Data pack "
        f"{escape(info.version)}, as of {info.as_of}</p>"
    )


def _case_line(outcome: Outcome, r: CalcResult | None) -> str:
    """The case in one paragraph: date, payer, setting, indication, 340B, CMS quarter, last dose, supplier."""
    case = outcome.case
    on_lines = sorted({m for line in r.lines for m in line.modifiers} & set(MODIFIERS_340B)) if r else []
    carried = (
        f" (the lines carry {' '.join(on_lines) or 'none'})"
        if case.modifier_340b and r and on_lines != [case.modifier_340b]
        else ""
    )
    revenue = f" · revenue code {DRUG_REVENUE_CODE}" if outcome.claim_form == "ub04" else ""
    facts = outcome.calculation.quarter_facts if outcome.calculation else None  # shown even while stale
    quarter = (facts.quarter if facts else None) or "none imported"
    last_dose = (
        f"{case.last_dose} ({(case.date_of_service - case.last_dose).days} days before)"
        if case.last_dose
        else "not given"
    )
    return (
        f"<p>Date of service {case.date_of_service} · payer {escape(case.payer_profile.name)} · setting "
        f"{escape(case.setting.replace('-', ' '))}{revenue} · "
        f"{'separately payable' if case.separately_payable else 'not separately payable'} · indication "
        f"{escape(case.indication or 'not given')} · 340B {escape(case.modifier_340b or 'no')}{escape(carried)} · "
        f"CMS quarter {escape(quarter)} · last dose {last_dose} · drug supplied by "
        f"{escape(SUPPLIER_TEXT[case.supplied_by])}</p>"
    )


def _calculation(outcome: Outcome, r: CalcResult) -> str:
    """The code, the containers and units, the claim lines as keyed, the warnings and the rules applied."""
    parts = [
        f"<h2>{escape(r.code.code)} — {escape(r.code.descriptor)}</h2>"
        f"<p>1 unit = {escape(str(r.code.billing_unit))}; dose {escape(str(r.dose))}</p>"
        f"<p>Containers: {escape(containers_text(r))}</p><p>{escape(units_summary(r))}</p>"
        f"<p><i>{escape(provenance_line(r))}</i></p>",
        _claim_lines(r),
    ]
    if outcome.warnings:
        parts.append(_items("Warnings", (f"[{w.level}] {w.message}" for w in outcome.warnings)))
    rules = (f"{rule.title} — sources {', '.join(rule.provenance.sources)}" for rule in outcome.rules_applied)
    parts.append(_items("Rules applied", rules))
    return "".join(parts)


def _claim_lines(r: CalcResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(line.code)}</td><td>{escape(' '.join(line.modifiers) or '—')}</td>"
        f"<td align='right'>{line.units}</td><td>{escape(k.ndc or '—')}</td><td>{escape(k.ndc_unit or '—')}</td>"
        f"<td align='right'>{escape(k.ndc_quantity or '—')}</td><td>{escape(line.note)}</td>"
        f"<td>{escape(line.keyed_text())}</td></tr>"
        for line, k in ((line, keyed(line)) for line in r.lines)
    )
    return (
        "<h3>Claim lines</h3><table border='1' cellspacing='0' cellpadding='3'>"
        "<tr><th>Code</th><th>Modifiers</th><th>Units</th><th>NDC (N4)</th><th>NDC unit</th><th>NDC qty</th>"
        f"<th>Note</th><th>As keyed</th></tr>{rows}</table>"
        f"<p>Administration: {escape(r.admin_code_suggestion)}</p>"
    )


def _checklist(outcome: Outcome, ticked: Collection[str]) -> str:
    evaluation = outcome.checklist
    items = (f"[{'x' if a.item.id in ticked else ' '}] ({a.severity}) {a.item.text}" for a in evaluation.items)
    out = _items(f"Checklist — {VERDICT_TEXT[evaluation.verdict(ticked)]}", items)
    if evaluation.findings:
        out += _items("Findings", (f"({f.severity}) {f.message}" for f in evaluation.findings))
    return out


def _sources(outcome: Outcome, r: CalcResult | None) -> str:
    """Every source of the calculation, resolved against the outcome's catalog (an imported code's CMS files too)."""
    found = outcome.sources if r is not None else ()
    return _items(
        "Sources",
        (f"{s.id} — {s.title} ({s.date})" + (f" {s.url}" if s.url else "") for s in found),
    )


def _items(title: str, texts: Iterable[str]) -> str:
    """A heading and a bulleted list, every text escaped."""
    return f"<h3>{escape(title)}</h3><ul>" + "".join(f"<li>{escape(t)}</li>" for t in texts) + "</ul>"
