"""The reference pane: one catalog entry rendered as HTML, with links between entries."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser

from omaliref.domain.model import (
    Catalog,
    Code,
    Correction,
    Modifier,
    Product,
    Provenance,
    Topic,
    dates_label,
    units_per_container,
)
from omaliref.domain.quantities import format_amount
from omaliref.ui.labels import REVIEW_LABELS

if TYPE_CHECKING:
    from omaliref.domain.pack_review import ReviewItem
    from omaliref.domain.records import Entry

LINK_SCHEME = "entry"
BADGE = {
    "high": ("#1e5631", "#dff0d8", "HIGH confidence"),
    "medium": ("#7a4b00", "#fff0cc", "MEDIUM confidence"),
    "low": ("#8b0000", "#fde2e2", "LOW confidence — check with the payer"),
    # an imported CMS entry: CMS's own words, but nobody reviewed it for the pack, so it gets no confidence badge
    "not-reviewed": ("#333333", "#e6e6e6", "NOT REVIEWED — imported from the CMS files, not in the curated pack"),
}


def _badge(confidence: str) -> str:
    fg, bg, text = BADGE[confidence]
    return f'<span style="color:{fg}; background:{bg}; font-weight:bold;">&nbsp;{text}&nbsp;</span>'


def _link(ident: str, text: str | None = None) -> str:
    return f'<a href="{LINK_SCHEME}:{escape(ident)}">{escape(text or ident)}</a>'


def _banner(messages: list[str]) -> str:
    if not messages:
        return ""
    rows = "".join(f"<p style='margin:2px'>⚠ <b>LOOK-ALIKE:</b> {escape(m)}</p>" for m in messages)
    return (
        f'<table width="100%" cellpadding="6" style="background:#fde2e2; color:#5a0000; '
        f'border:2px solid #8b0000;"><tr><td>{rows}</td></tr></table><br>'
    )


def _body(text: str) -> str:
    """Topic bodies: blank-line paragraphs and '- ' bullets."""
    out, bullets = [], []
    for block in text.split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        for line in lines:
            if line.startswith("- "):
                bullets.append(f"<li>{escape(line[2:])}</li>")
            else:
                if bullets:
                    out.append("<ul>" + "".join(bullets) + "</ul>")
                    bullets = []
                out.append(f"<p>{escape(line)}</p>")
        if bullets:
            out.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
    return "".join(out)


def _sources(catalog: Catalog, provenances: list[Provenance]) -> str:
    ids = [i for p in provenances for i in p.sources]
    rows = []
    for source in catalog.resolve_sources(ids):
        title = escape(source.title)
        if source.url:
            title = f'<a href="{escape(source.url)}">{title}</a>'
        rows.append(f"<li><b>{escape(source.id)}</b> — {title} <i>({escape(source.date)}; {source.kind})</i></li>")
    as_of = max(p.as_of for p in provenances)
    return f"<h3>Sources</h3><p>Checked as of {as_of}.</p><ul>{''.join(rows)}</ul>"


def code_html(
    catalog: Catalog, code: Code, alerts: list[str], review: ReviewItem | None = None, imported: bool = False
) -> str:
    unit = code.billing_unit
    unverified = "" if code.unit_verified else " <span style='color:#8b0000'>(NOT VERIFIED)</span>"
    parts = [
        _banner(alerts),
        f"<h1 style='margin-bottom:0'>{escape(code.code)} — {escape(code.descriptor)}</h1>",
        f"<p style='font-size:20pt; margin-top:4px'><b>1 unit = {escape(format_amount(unit.amount))} "
        f"{escape(unit.unit)}</b>{unverified}</p>",
        f"<p>{_badge('not-reviewed' if imported else code.provenance.confidence)} &nbsp; "
        f"Status: <b>{escape(code.status)}</b>",
    ]
    stated = f" ({escape(dates_label(code.dates_source))})" if code.dates_source else ""
    if code.effective_from:
        parts.append(
            f" · effective {code.effective_from}"
            + (stated or (f" ({code.effective_from_confidence} confidence)" if code.effective_from_confidence else ""))
        )
    if code.effective_to:
        parts.append(
            f" · <b>ended {code.effective_to}</b>{stated}; replaced by " + ", ".join(_link(c) for c in code.replaced_by)
        )
    parts.append("</p>")
    parts.append(review_html(review))
    parts.append(f"<p>{escape(code.summary)}</p>")
    if code.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in code.notes) + "</ul>")
    if code.lookalikes:
        parts.append(
            "<p><b>Look-alike and similar codes:</b> "
            + " · ".join(_link(o, f"{o} ({catalog.codes[o].drug})") for o in code.lookalikes)
            + "</p>"
        )
    if code.admin_codes:
        parts.append(f"<p><b>Administration code to pair:</b> {escape(', '.join(code.admin_codes))}</p>")
    products = catalog.products_for(code.code)
    if products:
        # One line per package, not a six-column table: in a 360 px pane the table wrapped its headers and the
        # imported presentations to one word per line (seen at 1366x768).
        parts.append("<h2>Packages</h2><ul>")
        for p in products:
            units = units_per_container(p, code)
            status = escape(p.marketing_status) + ("" if p.presentation_verified else "; presentation not confirmed")
            parts.append(
                f"<li><b style='white-space:nowrap'>{_link(p.ndc)}</b> — {escape(str(p.container_amount))}, "
                f"{format_amount(units)} unit{'s' * (units != 1)} each; container {escape(p.container_type)}; "
                f"{status}<br><small>{escape(p.presentation)}</small></li>"
            )
        parts.append("</ul>")
    for topic in catalog.sections_for(code.code):
        parts.append(f"<h2>{escape(topic.title)}</h2><p>{_badge(topic.provenance.confidence)}</p>{_body(topic.body)}")
    provenances = [code.provenance, *(t.provenance for t in catalog.sections_for(code.code))]
    if imported:  # its packages, NDCs and units per item come from the crosswalk: that file is a source too
        provenances += [p.provenance for p in products]
    parts.append(_sources(catalog, provenances))
    return "".join(parts)


def modifier_html(catalog: Catalog, mod: Modifier, review: ReviewItem | None = None) -> str:
    parts = [
        f"<h1>Modifier {escape(mod.code)}</h1>",
        f"<p style='font-size:14pt'><b>{escape(mod.descriptor)}</b></p>",
        review_html(review),
        f"<p>{_badge(mod.provenance.confidence)}</p>",
        f"<p>{escape(mod.meaning)}</p>",
    ]
    dates = []
    stated = f" ({escape(dates_label(mod.dates_source))})" if mod.dates_source else ""
    if mod.effective_from:
        dates.append(f"exists from {mod.effective_from}")
    if mod.required_from:
        dates.append(f"required from {mod.required_from}")
    if mod.effective_to:
        instead = f"; use {', '.join(_link(m) for m in mod.replaced_by)}" if mod.replaced_by else ""
        dates.append(f"<b>ended {mod.effective_to}</b>{stated}{instead}")
    elif dates and stated:
        dates[0] += stated
    if dates:
        parts.append(f"<p><b>Dates of service:</b> {', '.join(dates)}</p>")
    for label, text in (("When required", mod.required_note), ("Note", mod.status_note)):
        if text:
            parts.append(f"<p><b>{label}:</b> {escape(text)}</p>")
    if mod.payers:
        parts.append(f"<p><b>Payers:</b> {escape(', '.join(mod.payers))}</p>")
    if mod.common_errors:
        parts.append(
            "<h3>Common errors</h3><ul>" + "".join(f"<li>{escape(e)}</li>" for e in mod.common_errors) + "</ul>"
        )
    parts.append(_sources(catalog, [mod.provenance]))
    return "".join(parts)


def review_html(review: ReviewItem | None) -> str:
    """The CMS line: what the newest imported file says about this curated fact (nothing before any import)."""
    if review is None or not REVIEW_LABELS[review.verdict]:
        return ""
    colour = "#9c0006" if review.verdict == "contradicted" else "#333333"
    return f"<p style='color:{colour}'><b>{escape(REVIEW_LABELS[review.verdict])}.</b> {escape(review.detail)}</p>"


def product_html(catalog: Catalog, product: Product, review: ReviewItem | None = None, imported: bool = False) -> str:
    code = catalog.codes[product.code]
    units = units_per_container(product, code)
    rows = [
        ("NDC (11-digit)", product.ndc11),
        ("As listed", product.listed_ndc),
        ("Presentation", product.presentation),
        ("Labelled amount", str(product.container_amount)),
        (f"{code.code} units per container", format_amount(units)),
        ("Containers per package", str(product.containers_per_package or "not established")),
        ("Container type", product.container_type),
        ("Route", product.route),
        ("Marketing status", product.marketing_status + (f" — {product.status_note}" if product.status_note else "")),
        (
            "NDC unit on claims",
            f"{product.ndc_unit} {format_amount(product.ndc_quantity)} per container "
            f"({product.ndc_unit_confidence} confidence; payer-specific)",
        ),
        *((("Where the NDC unit comes from", product.ndc_unit_note),) if product.ndc_unit_note else ()),
    ]
    table = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
    notes = "".join(f"<li>{escape(n)}</li>" for n in product.notes)
    return (
        f"<h1>{escape(product.ndc)} — {escape(product.brand)}</h1>"
        f"<p style='font-size:14pt'>Billed under {_link(code.code)}: {escape(code.descriptor)}</p>"
        f"<p>{_badge('not-reviewed' if imported else product.provenance.confidence)}</p>{review_html(review)}"
        f"<table cellpadding='3'>{table}</table>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + _sources(catalog, [product.provenance])
    )


def topic_html(catalog: Catalog, topic: Topic) -> str:
    back = f"<p>Part of {_link(topic.code)}</p>" if topic.code else ""
    return (
        f"<h1>{escape(topic.title)}</h1>{back}<p>{_badge(topic.provenance.confidence)}</p>{_body(topic.body)}"
        + _sources(catalog, [topic.provenance])
    )


class ReferenceView(QTextBrowser):
    """Shows one entry; entry links emit entry_requested, web links open in the system browser."""

    entry_requested = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.current_id = ""
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.setAccessibleName("Reference")
        self.clear_entry()

    def clear_entry(self) -> None:
        """Nothing shown (at start, and after New case: no entry of the last case stays in view)."""
        self.current_id = ""
        self.setHtml("<p>Type in the search box: a code (J2357), a drug or brand, an NDC, a modifier or a topic.</p>")

    def show_entry(self, entry: Entry, corrections: Sequence[Correction] = ()) -> None:
        """Render an entry with the catalog the Library resolved it in (the pack, dated by the newest imported HCPCS
        file, or the pack plus the imported quarter for a code or NDC only the CMS files hold)."""
        cat = entry.catalog
        self.current_id = entry.id
        if entry.kind == "code":
            code = cat.codes[entry.id]
            always = (c for c in cat.corrections_for(entry.id) if c.always_show)
            shown = list(dict.fromkeys([*corrections, *always]))
            html = code_html(cat, code, [c.right for c in shown], entry.review, imported=entry.imported_only)
        elif entry.kind == "modifier":
            html = modifier_html(cat, cat.modifiers[entry.id], entry.review)
        elif entry.kind == "product":
            html = product_html(cat, cat.products[entry.id], entry.review, imported=entry.imported_only)
        else:
            html = topic_html(cat, cat.topics[entry.id])
        self.setHtml(html)

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME:
            self.entry_requested.emit(url.path())
        elif url.scheme() in ("http", "https"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)  # the user's browser; the app itself opens no socket
