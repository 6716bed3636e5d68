"""Audit sheet: the calculation, rules, warnings and checklist as a printable page (PDF or printer)."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument

from omaliref.domain.calculator import CalcResult
from omaliref.domain.checklist import VERDICT_TEXT, Evaluation
from omaliref.domain.model import Catalog


def audit_html(catalog: Catalog, result: CalcResult | None, evaluation: Evaluation | None,
               ticked: frozenset[str], context: str) -> str:
    parts = ["<h1>omaliref audit sheet</h1>", f"<p>{escape(context)}</p>"]
    if result is None:
        parts.append("<p><b>No valid calculation.</b></p>")
    else:
        r = result
        parts.append(f"<h2>{escape(r.code.code)} — {escape(r.code.descriptor)}</h2>"
                     f"<p>1 unit = {escape(str(r.code.billing_unit))}; dose {escape(str(r.request.dose))}; date of "
                     f"service {r.date_of_service}; payer {escape(r.request.payer)}</p>"
                     "<p>Containers: " + escape(", ".join(f"{c.count} x {c.product.ndc} ({c.product.container_amount})"
                                                          for c in r.containers)) + "</p>")
        rows = "".join(f"<tr><td>{escape(l.code)}</td><td>{escape(' '.join(l.modifiers) or '—')}</td>"
                       f"<td align='right'>{l.units}</td><td>{escape(l.keyed_text())}</td></tr>" for l in r.lines)
        parts.append("<h3>Claim lines</h3><table border='1' cellspacing='0' cellpadding='3'>"
                     f"<tr><th>Code</th><th>Modifiers</th><th>Units</th><th>As keyed</th></tr>{rows}</table>"
                     f"<p>Administration: {escape(r.admin_code_suggestion)}</p>")
        if r.warnings:
            parts.append("<h3>Warnings</h3><ul>" + "".join(
                f"<li>[{w.level}] {escape(w.message)}</li>" for w in r.warnings) + "</ul>")
        parts.append("<h3>Rules applied</h3><ul>" + "".join(
            f"<li>{escape(catalog.rule(rid).title)} — sources {escape(', '.join(catalog.rule(rid).provenance.sources))}</li>"
            for rid in r.rules) + "</ul>")
    if evaluation is not None:
        parts.append(f"<h3>Checklist — {escape(VERDICT_TEXT[evaluation.verdict(ticked)])}</h3><ul>" + "".join(
            f"<li>[{'x' if a.item.id in ticked else ' '}] ({a.severity}) {escape(a.item.text)}</li>"
            for a in evaluation.items) + "</ul>")
        if evaluation.findings:
            parts.append("<h3>Findings</h3><ul>" + "".join(
                f"<li>({f.severity}) {escape(f.message)}</li>" for f in evaluation.findings) + "</ul>")
    ids = list(r.rules) if result is not None else []
    source_ids = [s for rid in ids for s in catalog.rule(rid).provenance.sources]
    if result is not None:
        source_ids += list(result.code.provenance.sources)
    parts.append("<h3>Sources</h3><ul>" + "".join(
        f"<li>{escape(s.id)} — {escape(s.title)} ({escape(s.date)})</li>" for s in catalog.resolve_sources(source_ids))
        + "</ul>")
    parts.append(f"<p><small>Data pack {escape(catalog.info.version)}, as of {catalog.info.as_of}. "
                 "Contains no patient-identifying data.</small></p>")
    return "".join(parts)


def write_pdf(html: str, path: str) -> None:
    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    writer.setTitle("omaliref audit sheet")
    writer.setCreator("omaliref")
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
