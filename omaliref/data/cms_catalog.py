"""Imported CMS data as domain objects, so search, show and the calculator treat it like the curated pack.

Curated facts win for the codes the pack holds; imported values are shown beside them with their source, and a
disagreement (descriptor, billing unit) is flagged, never silently resolved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from omaliref.data.cms_store import CmsStore
from omaliref.domain.cms import AspRow, HcpcsRow, descriptor_dosage, dosage_quantity
from omaliref.domain.cms_facts import MueLimit, PaymentLimit, QuarterFacts, decimal_text, money_text
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code, DoseLimit, Modifier, Product, Provenance, Source
from omaliref.domain.quantities import Quantity
from omaliref.domain.quarter import Quarter
from omaliref.domain.search import SearchEntry
from omaliref.domain.vocab import MUE_TABLE_FOR_SETTING, Setting

IMPORTED_BIAS = -60.0  # below curated entries of equal match


def source_id(quarter: str, kind: str, setting: str = "") -> str:
    return f"cms-{kind}{'-' + setting if setting else ''}-{quarter}"


def sources(store: CmsStore) -> dict[str, Source]:
    out = {}
    for rec in store.imports():
        sid = source_id(rec.quarter, rec.kind, rec.setting)
        out[sid] = Source(
            sid,
            f"CMS {rec.kind.upper()} file {rec.file} (imported {rec.imported_at})",
            "",
            f"effective {rec.effective_from} to {rec.effective_to}; SHA-256 {rec.sha256[:12]}…",
            "cms",
        )
    return out


def _billing_unit(quarter: str, asp: AspRow | None, row: HcpcsRow | None) -> tuple[Quantity | None, str, str]:
    """(unit, the source id it came from, why there is none): read from the ASP "HCPCS Code Dosage" and the HCPCS
    descriptor's tail. None when neither reads as a quantity, or when the two files disagree (never chosen)."""
    asp_text = asp.dosage if asp else ""
    hcpcs_text = descriptor_dosage(row.long_description) if row else ""
    readings = []
    for raw, origin in ((asp_text, source_id(quarter, "asp")), (hcpcs_text, source_id(quarter, "hcpcs"))):
        parsed = dosage_quantity(raw) if raw else None
        if parsed:
            readings.append((Quantity(Fraction(parsed[0]), parsed[1]), origin))
    if not readings:
        return (
            None,
            "",
            f"No billing unit could be read (CMS wrote the dosage as '{asp_text}'); the calculator cannot use "
            "this code.",
        )
    if len({unit for unit, _ in readings}) > 1:
        return (
            None,
            "",
            f"The CMS files disagree on the billing unit: HCPCS '{hcpcs_text}', ASP '{asp_text}'; the calculator "
            "will not choose between them.",
        )
    return readings[0][0], readings[0][1], ""


def imported_code(store: CmsStore, quarter: str, code: str) -> tuple[Code, tuple[Product, ...]] | None:
    """An imported code from the quarter's HCPCS file, or, without one, from its ASP payment-limit file (short
    descriptor and "HCPCS Code Dosage"); its packages from the crosswalk. None when neither file names it."""
    row, asp = store.hcpcs(quarter, code), store.asp(quarter, code)
    if row is None and asp is None:
        return None
    unit, unit_source, no_unit = _billing_unit(quarter, asp, row)
    kind = "hcpcs" if row is not None else "asp"
    record = store.import_for(quarter, kind)
    as_of = dt.date.fromisoformat(record.imported_at[:10]) if record else Quarter.parse(quarter).start
    ids = tuple(dict.fromkeys(s for s in (source_id(quarter, kind), unit_source) if s))
    domain_code = _code_of(quarter, code, row, asp, unit, no_unit, Provenance("high", ids, as_of))
    products = _crosswalk_products(store, quarter, code, unit, as_of) if unit is not None else []
    if unit is not None and products:
        domain_code = replace(domain_code, max_single_dose=_dose_bound(store, quarter, code, unit, products))
    return domain_code, tuple(products)


def _code_of(
    quarter: str,
    code: str,
    row: HcpcsRow | None,
    asp: AspRow | None,
    unit: Quantity | None,
    no_unit: str,
    prov: Provenance,
) -> Code:
    """The imported code as the pack would hold it: the HCPCS record's facts, else the ASP file's short descriptor."""
    term, add = (row.term_date, row.add_date) if row else (None, None)
    origin = (
        f"Imported from the CMS HCPCS file for {quarter}; not reviewed for the curated pack."
        if row is not None
        else f"Imported from the CMS ASP payment-limit file for {quarter} (no HCPCS file imported for that quarter): "
        "CMS's short descriptor only; not reviewed for the curated pack."
    )
    notes = [origin, no_unit] if no_unit else [origin]  # the last note says why a code cannot be calculated
    descriptor = row.long_description if row else (asp.short_description if asp else code)
    return Code(
        code=code,
        descriptor=descriptor,
        descriptor_verified=True,
        billing_unit=unit or Quantity(Fraction(1), "per payer instruction"),
        unit_verified=unit is not None,
        drug=(row.short_description or row.long_description) if row else descriptor,
        brands=(),
        category="drug" if unit else "other",
        status="terminated" if term else "active",
        summary=descriptor,
        provenance=prov,
        short_descriptor=row.short_description if row else descriptor,
        effective_from=add,
        effective_from_confidence="high" if add else "",
        effective_to=term,
        replaced_by=(row.xref1,) if row and row.xref1 else (),
        notes=tuple(notes),
    )


def _crosswalk_products(store: CmsStore, quarter: str, code: str, unit: Quantity, as_of: dt.date) -> list[Product]:
    """The code's packages from the quarter's crosswalk: billing units per item times the code's unit each."""
    products = []
    crosswalk = store.import_for(quarter, "crosswalk")
    for xw in store.crosswalk(quarter, code):
        if not xw.ndc11 or xw.billunits is None or xw.billunits <= 0:
            continue
        ndc = f"{xw.ndc11[:5]}-{xw.ndc11[5:9]}-{xw.ndc11[9:]}"
        per_item = Fraction(xw.billunits) * unit.amount
        qty = xw.pkg_qty
        products.append(
            Product(
                ndc=ndc,
                listed_ndc=xw.ndc_raw,
                code=code,
                brand=xw.drug_name,
                presentation=f"{xw.drug_name} ({xw.labeler}), {decimal_text(xw.billunits)} units per item; "
                f"PKG SIZE {_text(xw.pkg_size)} (unit not stated by CMS)",
                form="package",
                container_amount=Quantity(per_item, unit.unit),
                container_type="unknown",
                route="",
                marketing_status="listed",
                presentation_verified=True,  # NDC and billing units per item come from the CMS crosswalk
                auto_select=True,
                ndc_unit="UN",  # one per item: the crosswalk counts billing units per item, its size has no unit
                ndc_quantity=Fraction(1),
                ndc_unit_confidence="low",
                ndc_unit_note=_ndc_unit_note(xw, crosswalk.file if crosswalk else f"for {quarter}"),
                provenance=Provenance("high", (source_id(quarter, "crosswalk"),), as_of),
                containers_per_package=int(qty) if qty and qty == qty.to_integral_value() and qty > 0 else None,
                container_type_confidence="low",
                status_note="From the CMS ASP NDC-HCPCS crosswalk; single-dose status and the unit of the "
                "package size are not in the file.",
            )
        )
    return products


def _ndc_unit_note(xw: Any, crosswalk_file: str) -> str:
    """Why an imported package's NDC unit is UN and its quantity counts items: what the crosswalk gives, by file."""
    items = f"{decimal_text(xw.pkg_qty)} item{'s' * (xw.pkg_qty != 1)}" if xw.pkg_qty else ""
    per_package = f", {items} per package" if items else ""
    return (
        f"NDC unit UN, the quantity counting the items used, from the CMS crosswalk {crosswalk_file} "
        f"({decimal_text(xw.billunits)} billing units per item{per_package}). CMS does not state the unit of the "
        f"package size ({_text(xw.pkg_size)}): for a payer that wants ML or GR, take the amount from the label."
    )


BOUND_PACKAGES = 2  # the bound without an MUE: twice the largest package; a dose past 4x that (8 packages) is a slip


def _dose_bound(store: CmsStore, quarter: str, code: str, unit: Quantity, products: list[Product]) -> DoseLimit:
    """A plausibility bound for an imported code, which has no label dose: the quarter's largest MUE when an MUE
    file is imported, else twice the largest crosswalk package. The calculator refuses a dose past 4x the bound
    with the sentence it uses for a curated code's label dose (J9035 4000 mg was once accepted silently)."""
    mues = store.mue(quarter, code)
    largest = max((m.row.value for m in mues), default=0)
    if largest > 0:  # an MUE of 0 says "not payable", not how large a dose is
        return DoseLimit(
            Quantity(largest * unit.amount, unit.unit),
            f"the largest MUE of {quarter}: {largest} units per day",
            tuple(dict.fromkeys(source_id(quarter, "mue", m.setting) for m in mues)),
            what=f"dose its {quarter} MUE allows",
            warn_above=False,  # the quarter's facts warn when the units exceed the MUE of the setting
        )
    biggest = max(products, key=lambda p: p.container_amount.amount)
    return DoseLimit(
        Quantity(BOUND_PACKAGES * biggest.container_amount.amount, unit.unit),
        f"twice its largest package in the {quarter} crosswalk, {biggest.container_amount} ({biggest.ndc})",
        (source_id(quarter, "crosswalk"),),
        what="dose its packages suggest",
        warn_above=False,
    )


def _quarter_for_codes(store: CmsStore, day: dt.date) -> str | None:
    q = store.quarter_for(day)
    return q if q and (store.import_for(q, "hcpcs") or store.import_for(q, "asp")) else None


def _with_imported(catalog: Catalog, store: CmsStore, quarter: str, code: str) -> Catalog:
    """The catalog plus one code's imported facts and crosswalk packages; a curated code keeps its own facts and
    gains only the packages the pack lacks, and those only when the coder names them (never chosen for a curated
    code: its verified packages are)."""
    found = imported_code(store, quarter, code)
    if found is None:
        return catalog
    domain_code, products = found
    if code in catalog.codes:
        products = tuple(replace(p, auto_select=False) for p in products)
    return replace(
        catalog,
        codes={**catalog.codes, code: catalog.codes.get(code, domain_code)},
        products={**catalog.products, **{p.ndc: p for p in products if p.ndc not in catalog.products}},
        sources={**catalog.sources, **sources(store)},
    )


def _stated(record: Code | Modifier, row: HcpcsRow, sid: str) -> dict[str, Any] | None:
    """The dates the imported HCPCS file states (ADD DT, TERM DT), citing the file; None when it states nothing new.
    A file without a TERM DT leaves the pack's end date (review reports the difference)."""
    start = row.add_date or record.effective_from
    end = row.term_date or record.effective_to
    if (start, end) == (record.effective_from, record.effective_to):
        return None
    sources = tuple(dict.fromkeys((sid, *record.provenance.sources)))
    return {
        "effective_from": start,
        "effective_to": end,
        "dates_source": sid,
        "provenance": replace(record.provenance, sources=sources),
    }


def with_cms_dates(catalog: Catalog, store: CmsStore, code: str) -> Catalog:
    """The newest imported HCPCS file is the authority on when a code or modifier begins and ends: its ADD DT and
    TERM DT replace the pack's for `code` and for every modifier the pack holds, with the file named."""
    quarter = store.latest_hcpcs_quarter()
    if quarter is None:
        return catalog
    sid = source_id(quarter, "hcpcs")
    codes, modifiers = dict(catalog.codes), dict(catalog.modifiers)
    row = store.hcpcs(quarter, code) if code in codes else None
    stated = _stated(codes[code], row, sid) if row is not None else None
    if row is not None and stated is not None:
        successor = (row.xref1,) if row.xref1 and row.term_date else ()
        codes[code] = replace(
            codes[code], **stated, effective_from_confidence="high", replaced_by=codes[code].replaced_by or successor
        )
    for mod in store.hcpcs_modifiers(quarter):
        said = _stated(modifiers[mod.code], mod, sid) if mod.code in modifiers else None
        if said is not None:
            modifiers[mod.code] = replace(modifiers[mod.code], **said)
    if codes == catalog.codes and modifiers == catalog.modifiers:
        return catalog
    return replace(catalog, codes=codes, modifiers=modifiers, sources={**catalog.sources, **sources(store)})


def catalog_for(catalog: Catalog, store: CmsStore | None, code_text: str, day: dt.date) -> Catalog:
    """The catalog, plus the imported code (and its crosswalk packages) when the pack does not hold it."""
    if store is None:
        return catalog
    code = re.sub(r"[^A-Za-z0-9]", "", code_text).upper()
    quarter = _quarter_for_codes(store, day)
    if code in catalog.codes:
        # a curated code: the quarter's crosswalk NDCs the pack lacks may be named as containers opened
        return _with_imported(catalog, store, quarter, code) if quarter is not None else catalog
    if quarter is None:
        latest = store.latest_code_quarter()
        if latest and (store.hcpcs(latest, code) is not None or store.asp(latest, code) is not None):
            raise InputError(
                f"{code} is only in the imported CMS data, and no imported quarter covers {day} "
                f"(imported: {', '.join(store.quarters())}): import that quarter's files.",
                field="code",
            )
        return catalog
    return _with_imported(catalog, store, quarter, code)


def catalog_with_latest(
    catalog: Catalog, store: CmsStore, code: str | None = None, *, ndc: str | None = None
) -> Catalog:
    """The catalog plus one imported code (by code or by one of its NDCs) from the newest imported quarter."""
    quarter = store.latest_code_quarter()
    if quarter is None:
        return catalog
    if code is None and ndc is not None:
        rows = store.ndc(ndc.replace("-", ""))
        code = rows[0].code if rows else None
    if code is None:
        return catalog
    return _with_imported(catalog, store, quarter, code)


def quarter_facts(store: CmsStore | None, code: str, day: dt.date, setting: Setting) -> QuarterFacts | None:
    """The quarter's payment limit and the MUE of the table the setting's claims are checked against."""
    if store is None or not store.quarters():
        return None
    quarter = store.quarter_for(day)
    if quarter is None:
        return QuarterFacts(
            None,
            note=f"No imported CMS quarter covers {day} (imported: "
            f"{', '.join(store.quarters())}): payment limit and MUE not shown.",
        )
    asp = store.asp(quarter, code)
    limit = None
    if asp is not None:
        limit = PaymentLimit(
            quarter,
            asp.dosage,
            asp.payment_limit,
            asp.coinsurance,
            asp.notes,
            source_id(quarter, "asp"),
        )
    table = MUE_TABLE_FOR_SETTING[setting]
    mues = tuple(
        MueLimit(
            quarter,
            table,
            m.row.value,
            m.row.mai,
            m.row.mai_text,
            m.row.rationale,
            source_id(quarter, "mue", m.setting),
        )
        for m in store.mue(quarter, code)
        if m.setting == table
    )
    return QuarterFacts(quarter, limit, mues)


def search_entries(catalog: Catalog, store: CmsStore | None) -> list[SearchEntry]:
    """Imported codes and NDCs of the newest imported quarter that the curated pack does not hold."""
    if store is None:
        return []
    quarter = store.latest_code_quarter()
    if quarter is None:
        return []
    named: set[str] = set()
    return (
        _hcpcs_entries(catalog, store, quarter, named)
        + _asp_entries(catalog, store, quarter, named)
        + _ndc_entries(catalog, store, quarter)
    )


def _hcpcs_entries(catalog: Catalog, store: CmsStore, quarter: str, named: set[str]) -> list[SearchEntry]:
    """The quarter's HCPCS codes the pack lacks; `named` gains every code the file names."""
    entries = []
    for row in store.hcpcs_codes(quarter):
        named.add(row.code)
        if row.code in catalog.codes:
            continue
        status = f"terminated {row.term_date}" if row.term_date else "active"
        entries.append(
            SearchEntry(
                row.code,
                "code",
                f"{row.code} — {row.long_description} [CMS {quarter}]",
                f"Imported from the CMS HCPCS file ({quarter}); {status}.",
                row.code,
                (row.code.lower(),),
                (row.short_description,),
                row.long_description,
                IMPORTED_BIAS,
            )
        )
    return entries


def _asp_entries(catalog: Catalog, store: CmsStore, quarter: str, named: set[str]) -> list[SearchEntry]:
    """Priced codes the quarter's HCPCS file (if any) did not name."""
    return [
        SearchEntry(
            asp.code,
            "code",
            f"{asp.code} — {asp.short_description} [CMS {quarter} ASP]",
            f"Imported from the CMS ASP payment-limit file ({quarter}); billing unit {asp.dosage or 'not given'}.",
            asp.code,
            (asp.code.lower(),),
            (asp.short_description,),
            asp.short_description,
            IMPORTED_BIAS,
        )
        for asp in store.asp_codes(quarter)
        if asp.code not in catalog.codes and asp.code not in named
    ]


def _ndc_entries(catalog: Catalog, store: CmsStore, quarter: str) -> list[SearchEntry]:
    """The quarter's crosswalk NDCs the pack lacks, each once."""
    entries = []
    known = {p.ndc11 for p in catalog.products.values()}
    for xw in store.crosswalk_all(quarter) if store.import_for(quarter, "crosswalk") else []:
        if not xw.ndc11 or xw.ndc11 in known:
            continue
        known.add(xw.ndc11)
        ndc = f"{xw.ndc11[:5]}-{xw.ndc11[5:9]}-{xw.ndc11[9:]}"
        entries.append(
            SearchEntry(
                ndc,
                "product",
                f"{ndc} — {xw.drug_name} ({xw.code}) [CMS {quarter}]",
                f"{xw.labeler}; {_text(xw.billunits)} {xw.code} units per item",
                xw.code,
                (xw.ndc11,),
                (xw.drug_name,),
                xw.labeler,
                IMPORTED_BIAS - 20,
            )
        )
    return entries


def conflicts(curated: Code, store: CmsStore, quarter: str) -> list[str]:
    """Where the imported files disagree with the curated pack: both values, flagged."""
    row = store.hcpcs(quarter, curated.code)
    out = []
    if row is not None and _norm(row.long_description) != _norm(curated.descriptor):
        out.append(f"Descriptor: curated '{curated.descriptor}' vs CMS {quarter} '{row.long_description}'")
    if row is not None:
        unit, _origin, _why = _billing_unit(quarter, store.asp(quarter, curated.code), row)
        if (
            unit is not None
            and curated.billing_unit.convertible_to(unit.unit)
            and unit.to(curated.billing_unit.unit).amount != curated.billing_unit.amount
        ):
            out.append(f"Billing unit: curated {curated.billing_unit} vs CMS {quarter} {unit}")
    return out


def _text(value: Decimal | None) -> str:
    return decimal_text(value) if value is not None else "?"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def imported_view(catalog: Catalog, store: CmsStore, code: str) -> dict[str, Any] | None:
    """What the imported quarters say about a code, for show: per quarter, with the source of each field."""
    quarters = [
        q
        for q in store.quarters()
        if store.hcpcs(q, code) or store.asp(q, code) or store.mue(q, code) or store.crosswalk(q, code)
    ]
    if not quarters:
        return None
    out = []
    for q in quarters:
        h, a = store.hcpcs(q, code), store.asp(q, code)
        out.append(
            {
                "quarter": q,
                "descriptor": h.long_description if h else None,
                "short_descriptor": h.short_description if h else None,
                "termination_date": h.term_date.isoformat() if h and h.term_date else None,
                "replaced_by": (h.xref1 or None) if h else None,
                "payment_limit": money_text(a.payment_limit) if a and a.payment_limit is not None else None,
                "dosage": a.dosage if a else None,
                "coinsurance": decimal_text(a.coinsurance) if a and a.coinsurance is not None else None,
                "mue": [
                    {"setting": m.setting, "value": m.row.value, "mai": m.row.mai, "mai_text": m.row.mai_text}
                    for m in store.mue(q, code)
                ],
                "ndcs": [
                    {
                        "ndc": x.ndc_raw,
                        "drug_name": x.drug_name,
                        "billunits": decimal_text(x.billunits) if x.billunits is not None else None,
                        "pkg_qty": decimal_text(x.pkg_qty) if x.pkg_qty is not None else None,
                    }
                    for x in store.crosswalk(q, code)
                ],
                "field_sources": {
                    "descriptor": source_id(q, "hcpcs") if h else None,
                    "payment_limit": source_id(q, "asp") if a else None,
                    "ndcs": source_id(q, "crosswalk"),
                },
                "conflicts": conflicts(catalog.codes[code], store, q) if code in catalog.codes else [],
            }
        )
    return {"quarters": out}
