"""The JSON shapes of the reference: `search` and `show` (codes, modifiers, packages and topics)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from omaliref.domain.model import Catalog, Code, Modifier, Product, Topic, dates_label, units_per_container
from omaliref.domain.quantities import Quantity, plain_amount
from omaliref.domain.records import Entry
from omaliref.domain.search import SearchHit


def quantity(q: Quantity) -> dict[str, str]:
    return {"amount": plain_amount(q.amount), "unit": q.unit}


def iso_date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def amount_or_none(value: Fraction | None) -> str | None:
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
        "volume_ml": amount_or_none(p.volume_ml),
        "containers_per_package": p.containers_per_package,
        "units_per_container": int(per_container),
        "units_per_package": int(per_container * p.containers_per_package) if p.containers_per_package else None,
        "single_dose": p.single_dose,
        "container_type": p.container_type,
        "container_type_confidence": p.container_type_confidence,
        "route": p.route,
        "marketing_status": p.marketing_status,
        "marketing_start": iso_date(p.marketing_start),
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
        "effective_from": iso_date(c.effective_from),
        "effective_from_confidence": c.effective_from_confidence or None,
        "effective_to": iso_date(c.effective_to),
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
        "effective_from": iso_date(m.effective_from),
        "effective_to": iso_date(m.effective_to),
        "replaced_by": list(m.replaced_by),
        "dates_source": m.dates_source or None,
        "dates_stated_by": dates_label(m.dates_source) if m.dates_source else None,
        "required_from": iso_date(m.required_from),
        "required_note": m.required_note or None,
        "status_note": m.status_note or None,
        "payers": list(m.payers),
        "common_errors": list(m.common_errors),
        "aliases": list(m.aliases),
        "confidence": m.provenance.confidence,
        "as_of": m.provenance.as_of.isoformat(),
        "sources": sources(catalog, m.provenance.sources),
    }


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
