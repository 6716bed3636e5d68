"""The audit sheet as HTML (the Qt layer prints it or writes it as PDF): what was billed, why, and from which
sources, with the time it was made and the versions of the app and the data. No patient-identifying data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from html import escape

from omaliref.domain.claim_forms import keyed
from omaliref.domain.model import Catalog
from omaliref.domain.outcome import Outcome
from omaliref.domain.vocab import DRUG_REVENUE_CODE, FORM_FOR_SETTING, MODIFIERS_340B, SUPPLIER_TEXT
from omaliref.report.as_text import VERDICT_TEXT, containers_text, provenance_line, units_summary


def audit_sheet(
    catalog: Catalog,
    outcome: Outcome | None,
    ticked: Collection[str],
    *,
    made_at: dt.datetime,
    app_version: str,
    stale: bool = False,
) -> str:
    parts = [
        "<h1>omaliref audit sheet</h1>",
        f"<p>Made {made_at:%Y-%m-%d %H:%M} · omaliref {escape(app_version)} · Data pack "
        f"{escape(catalog.info.version)}, as of {catalog.info.as_of}</p>",
    ]
    if outcome is None:
        parts.append("<p><b>No case.</b></p>")
        return "".join(parts)
    case, r = outcome.case, outcome.calculation
    on_lines = sorted({m for line in r.lines for m in line.modifiers} & set(MODIFIERS_340B)) if r and not stale else []
    carried = (
        f" (the lines carry {' '.join(on_lines) or 'none'})"
        if case.modifier_340b and r and not stale and on_lines != [case.modifier_340b]
        else ""
    )
    revenue = f" · revenue code {DRUG_REVENUE_CODE}" if FORM_FOR_SETTING[case.setting] == "ub04" else ""
    parts.append(
        f"<p>Date of service {case.date_of_service} · payer {escape(case.payer_profile.name)} · setting "
        f"{escape(case.setting.replace('-', ' '))}{revenue} · "
        f"{'separately payable' if case.separately_payable else 'not separately payable'} · indication "
        f"{escape(case.indication or 'not given')} · 340B {escape(case.modifier_340b or 'no')}{escape(carried)} · "
        "CMS quarter "
        f"{escape((r.quarter_facts.quarter if r and r.quarter_facts else None) or 'none imported')} · last dose "
        + (
            f"{case.last_dose} ({(case.date_of_service - case.last_dose).days} days before)"
            if case.last_dose
            else "not given"
        )
        + f" · drug supplied by {escape(SUPPLIER_TEXT[case.supplied_by])}</p>"
        # filled in by hand on the printed sheet: the app stores no names and no claim or patient references
        "<p>Prepared by ____________________ · Reviewed by ____________________ · "
        "Claim / encounter reference ____________________</p>"
    )
    if r is None or stale:
        parts.append("<p><b>No valid calculation.</b></p>")
    else:
        parts.append(
            f"<h2>{escape(r.code.code)} — {escape(r.code.descriptor)}</h2>"
            f"<p>1 unit = {escape(str(r.code.billing_unit))}; dose {escape(str(r.dose))}</p>"
            f"<p>Containers: {escape(containers_text(r))}</p><p>{escape(units_summary(r))}</p>"
            f"<p><i>{escape(provenance_line(r))}</i></p>"
        )
        rows = "".join(
            f"<tr><td>{escape(line.code)}</td><td>{escape(' '.join(line.modifiers) or '—')}</td>"
            f"<td align='right'>{line.units}</td><td>{escape(k.ndc or '—')}</td><td>{escape(k.ndc_unit or '—')}</td>"
            f"<td align='right'>{escape(k.ndc_quantity or '—')}</td><td>{escape(line.note)}</td>"
            f"<td>{escape(line.keyed_text())}</td></tr>"
            for line, k in ((line, keyed(line)) for line in r.lines)
        )
        parts.append(
            "<h3>Claim lines</h3><table border='1' cellspacing='0' cellpadding='3'>"
            "<tr><th>Code</th><th>Modifiers</th><th>Units</th><th>NDC (N4)</th><th>NDC unit</th><th>NDC qty</th>"
            f"<th>Note</th><th>As keyed</th></tr>{rows}</table>"
            f"<p>Administration: {escape(r.admin_code_suggestion)}</p>"
        )
        if outcome.warnings:
            parts.append(
                "<h3>Warnings</h3><ul>"
                + "".join(f"<li>[{w.level}] {escape(w.message)}</li>" for w in outcome.warnings)
                + "</ul>"
            )
        parts.append(
            "<h3>Rules applied</h3><ul>"
            + "".join(
                f"<li>{escape(catalog.rule(rid).title)} — sources "
                f"{escape(', '.join(catalog.rule(rid).provenance.sources))}</li>"
                for rid in r.rules
            )
            + "</ul>"
        )
    evaluation = outcome.checklist
    parts.append(
        f"<h3>Checklist — {escape(VERDICT_TEXT[evaluation.verdict(ticked)])}</h3><ul>"
        + "".join(
            f"<li>[{'x' if a.item.id in ticked else ' '}] ({a.severity}) {escape(a.item.text)}</li>"
            for a in evaluation.items
        )
        + "</ul>"
    )
    if evaluation.findings:
        parts.append(
            "<h3>Findings</h3><ul>"
            + "".join(f"<li>({f.severity}) {escape(f.message)}</li>" for f in evaluation.findings)
            + "</ul>"
        )
    source_ids: list[str] = []
    if r is not None and not stale:
        source_ids += [s for rid in r.rules for s in catalog.rule(rid).provenance.sources]
        source_ids += list(r.code.provenance.sources)
    known = [s for s in dict.fromkeys(source_ids) if s in catalog.sources]
    parts.append(
        "<h3>Sources</h3><ul>"
        + "".join(
            f"<li>{escape(s.id)} — {escape(s.title)} ({escape(s.date)})"
            + (f" {escape(s.url)}" if s.url else "")
            + "</li>"
            for s in catalog.resolve_sources(known)
        )
        + "</ul>"
    )
    parts.append("<p><small>Contains no patient-identifying data.</small></p>")
    return "".join(parts)
