"""Load and validate the whole data pack; any problem names file, record and field."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from importlib.resources.abc import Traversable
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from omaliref.data.pack_check import Checker, type_ok
from omaliref.data.pack_schema import PACK
from omaliref.data.pack_words import CONDITION_WORDS
from omaliref.data.resources import PACK_FILES, read_text
from omaliref.domain.calculator import RULE_IDS
from omaliref.domain.checklist import CONDITION_KEYS, ChecklistItem
from omaliref.domain.cms_facts import MueLimit
from omaliref.domain.errors import PackError
from omaliref.domain.model import (
    SECTION_ORDER,
    Administration,
    Catalog,
    Code,
    Correction,
    DoseLimit,
    DoseTable,
    FixedDose,
    Interval,
    Modifier,
    PackInfo,
    Product,
    RouteFacts,
    Rule,
    Source,
    Topic,
    ndc11_candidates,
    normalize_code,
)
from omaliref.domain.quantities import Quantity
from omaliref.domain.quarter import Quarter
from omaliref.domain.supply import SupplyRule
from omaliref.domain.vocab import PAYER_KINDS, SETTINGS, SUPPLIERS, MueSetting

if TYPE_CHECKING:
    from omaliref.data.payers import PayerFile

FILES = PACK_FILES
NDC_PATTERN = re.compile(r"\d{5}-\d{4}-\d{2}")


def _parse(file: str, read: Callable[[str], str]) -> dict[str, Any]:
    try:
        return tomllib.loads(read(file))
    except tomllib.TOMLDecodeError as exc:
        raise PackError(file, "whole file", "", f"not valid TOML ({exc})") from None
    except (FileNotFoundError, OSError) as exc:
        raise PackError(file, "whole file", "", f"cannot be read ({exc.__class__.__name__})") from None


def load_catalog(root: Traversable | None = None) -> Catalog:
    """Read and validate every file of the pack; raise PackError at the first problem."""
    return catalog_from_texts(read_pack_texts(root))


def _read(name: str, root: Traversable | None) -> str:
    try:
        return read_text(name, root)
    except (FileNotFoundError, OSError, UnicodeDecodeError) as exc:
        raise PackError(name, "whole file", "", f"cannot be read ({exc.__class__.__name__})") from None


def catalog_from_texts(texts: Mapping[str, str]) -> Catalog:
    """Validate the pack's TOML texts into a Catalog (the only way a Catalog is built from the pack)."""
    raw = {name: _parse(name, lambda n: texts[n]) for name in FILES}
    info = _pack_info(raw["pack.toml"])
    sources = _sources(raw["sources.toml"])
    ids = set(sources)

    def checker(file: str) -> Checker:
        return Checker(file, ids, info.as_of)

    codes = _codes(checker("codes.toml"), raw["codes.toml"])
    modifiers = _modifiers(checker("modifiers.toml"), raw["modifiers.toml"])
    products = _products(checker("products.toml"), raw["products.toml"], codes)
    rules, routes, administration = _rules(checker("rules.toml"), raw["rules.toml"], modifiers)
    tables, fixed = _dose_tables(checker("dose_tables.toml"), raw["dose_tables.toml"])
    dosed, dose_caveats = _dosed_codes(checker("dose_tables.toml"), raw["dose_tables.toml"], codes)
    payer_file = _payer_file(texts["payers.toml"], ids)
    return Catalog(
        info,
        codes,
        products,
        modifiers,
        _topics(checker("topics.toml"), raw["topics.toml"], codes),
        _corrections(checker("corrections.toml"), raw["corrections.toml"], codes, modifiers),
        rules,
        sources,
        tables,
        fixed,
        _checklist(checker("checklist.toml"), raw["checklist.toml"], codes),
        {p.id: p for p in payer_file.profiles},
        _mues(checker("mue.toml"), raw["mue.toml"], codes),
        state_340b=payer_file.states,
        supply_rules=_supply(checker("supply.toml"), raw["supply.toml"], payer_file),
        routes=routes,
        administration=administration,
        dose_table_codes=dosed,
        dose_table_caveats=dose_caveats,
    )


def _pack_info(data: dict[str, Any]) -> PackInfo:
    """pack.toml: the pack's version, title and as_of (no record of the pack was checked later)."""
    Checker("pack.toml", set()).check("pack", data, PACK.fields)
    return PackInfo(data["version"], data["as_of"], data["title"])


def _sources(data: dict[str, Any]) -> dict[str, Source]:
    ck = Checker("sources.toml", set())
    sources: dict[str, Source] = {}
    for label, row in ck.records(data, "source"):
        if row["url"] and not row["url"].startswith(("http://", "https://")):
            raise ck.fail(label, "url", "must start with http:// or https://")
        sources[row["id"]] = ck.build(Source, row, "source")
    return sources


def _payer_file(text: str, source_ids: set[str]) -> PayerFile:
    from omaliref.data.payers import parse_payer_file

    return parse_payer_file(text, "payers.toml", origin="built-in", source_ids=source_ids)


def _codes(ck: Checker, data: dict[str, Any]) -> dict[str, Code]:
    out: dict[str, Code] = {}
    for label, row in ck.records(data, "code"):
        if normalize_code(row["code"]) != row["code"] or not re.fullmatch(r"[A-Z]\d{4}", row["code"]):
            raise ck.fail(label, "code", "must be a HCPCS Level II code such as J2357")
        ck.dates_in_order(label, row)
        if row["status"] != "active" and "effective_to" not in row:
            raise ck.fail(label, "status", f"a code {row['status']} gives its effective_to (its last date of service)")
        out[row["code"]] = ck.build(
            Code,
            row,
            "code",
            billing_unit=ck.quantity(label, "billing_unit", row["billing_unit"]),
            max_single_dose=_dose_limit(ck, label, row, "max_single_dose"),
            min_single_dose=_dose_limit(ck, label, row, "min_single_dose"),
            dates_source=ck.dates_source(label, row),
            shortest_interval=_interval(ck, label, row),
        )
    for code in out.values():
        for name in ("lookalikes", "replaced_by"):
            for other in getattr(code, name):
                if other not in out:
                    raise ck.fail(f"code '{code.code}'", name, f"'{other}' is not a code in the pack")
    return out


def _interval(ck: Checker, label: str, row: dict[str, Any]) -> Interval | None:
    raw = row.get("shortest_interval")
    if raw is None:
        return None
    if set(raw) != {"weeks", "note", "sources"}:
        raise ck.fail(label, "shortest_interval", 'expected { weeks = 2, note = "…", sources = ["…"] }')
    weeks, sources = raw["weeks"], raw["sources"]
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= 52:
        raise ck.fail(label, "shortest_interval.weeks", "must be a whole number of weeks from 1 to 52")
    if not isinstance(sources, list) or not sources or any(s not in ck.source_ids for s in sources):
        raise ck.fail(label, "shortest_interval.sources", "cite resolvable source ids")
    return Interval(weeks, str(raw["note"]), tuple(sources))


MUE_TABLE_FIELDS: dict[str, MueSetting] = {
    "practitioner": "practitioner",
    "outpatient_hospital": "outpatient-hospital",
    "dme_supplier": "dme-supplier",
}


def _mues(ck: Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, tuple[MueLimit, ...]]:
    """Shipped MUE values: one MueLimit per table the record gives, labelled with the record's quarter."""
    out: dict[str, tuple[MueLimit, ...]] = {}
    for label, row in ck.records(data, "mue"):
        _known_code(ck, label, row["code"], codes)
        try:
            Quarter.parse(row["quarter"])
        except ValueError:
            raise ck.fail(label, "quarter", f"'{row['quarter']}' is not a quarter such as 2026Q2") from None
        if row["mai"] not in (1, 2, 3):
            raise ck.fail(label, "mai", "must be 1, 2 or 3")
        tables = [(key, setting) for key, setting in MUE_TABLE_FIELDS.items() if key in row]
        if not tables:
            raise ck.fail(label, "practitioner", "give the value of at least one MUE table")
        for key, _ in tables:
            if row[key] < 0:
                raise ck.fail(label, key, "must not be negative")
        source = row["sources"][0]
        out[row["code"]] = tuple(
            MueLimit(
                row["quarter"], setting, row[key], row["mai"], row["mai_text"], row["rationale"], source, shipped=True
            )
            for key, setting in tables
        )
    return out


def _known_code(ck: Checker, label: str, code: str, codes: Mapping[str, Code], field: str = "code") -> None:
    if code not in codes:
        raise ck.fail(label, field, f"'{code}' is not a code in the pack")


def _dose_limit(ck: Checker, label: str, row: dict[str, Any], name: str) -> DoseLimit | None:
    if name not in row:
        return None
    raw = row[name]
    qty = ck.quantity(label, name, raw)
    sources = raw.get("sources", [])
    if not sources or any(s not in ck.source_ids for s in sources):
        raise ck.fail(label, f"{name}.sources", "cite resolvable source ids")
    return DoseLimit(qty, str(raw.get("note", "")), tuple(sources))


def _products(ck: Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, Product]:
    out: dict[str, Product] = {}
    for label, row in ck.records(data, "product"):
        if not NDC_PATTERN.fullmatch(row["ndc"]):
            raise ck.fail(label, "ndc", f"'{row['ndc']}' is not an 11-digit 5-4-2 NDC such as 50242-0215-01")
        if len(re.sub(r"\D", "", row["listed_ndc"])) not in (10, 11):
            raise ck.fail(label, "listed_ndc", "must have 10 or 11 digits")
        if row["ndc"].replace("-", "") not in ndc11_candidates(row["listed_ndc"]):
            raise ck.fail(label, "listed_ndc", f"'{row['listed_ndc']}' is not the NDC {row['ndc']} as listed")
        _known_code(ck, label, row["code"], codes)
        if row["route"] not in codes[row["code"]].routes:
            raise ck.fail(
                label, "route", f"{row['code']} is given {', '.join(codes[row['code']].routes) or 'by no route'}"
            )
        amount = _container_amount(ck, label, row, codes[row["code"]])
        if row["auto_select"] and not (
            row["presentation_verified"]
            and row["container_type"] != "unknown"
            and row.get("container_type_confidence", "high") != "low"
            and row["confidence"] != "low"
        ):
            raise ck.fail(
                label,
                "auto_select",
                "only a verified package (NDC, contents and single-dose status "
                "established, not low confidence) may be chosen automatically",
            )
        if row.get("containers_per_package", 1) <= 0:
            raise ck.fail(label, "containers_per_package", "must be a positive whole number")
        out[row["ndc"]] = ck.build(
            Product,
            row,
            "product",
            container_amount=amount,
            ndc_quantity=ck.decimal(label, "ndc_quantity", row["ndc_quantity"]),
            volume_ml=ck.decimal(label, "volume_ml", row["volume_ml"]) if "volume_ml" in row else None,
        )
    return out


def _container_amount(ck: Checker, label: str, row: dict[str, Any], code: Code) -> Quantity:
    """What one container holds: in the code's unit, and a whole number of its billing units."""
    amount = ck.quantity(label, "container_amount", row["container_amount"])
    if not amount.convertible_to(code.billing_unit.unit) and amount.unit != code.billing_unit.unit:
        raise ck.fail(label, "container_amount", f"unit {amount.unit} does not fit {code.code}'s billing unit")
    if (amount.to(code.billing_unit.unit).amount / code.billing_unit.amount).denominator != 1:
        raise ck.fail(label, "container_amount", f"is not a whole number of {code.code} billing units")
    return amount


def _modifiers(ck: Checker, data: dict[str, Any]) -> dict[str, Modifier]:
    out: dict[str, Modifier] = {}
    for label, row in ck.records(data, "modifier"):
        if not re.fullmatch(r"[A-Z0-9]{2}", row["code"]):
            raise ck.fail(label, "code", "must be a two-character modifier")
        ck.dates_in_order(label, row)
        out[row["code"]] = ck.build(Modifier, row, "modifier", dates_source=ck.dates_source(label, row))
    for modifier in out.values():
        for other in modifier.replaced_by:
            if other not in out:
                raise ck.fail(f"modifier '{modifier.code}'", "replaced_by", f"'{other}' is not a modifier in the pack")
    return out


def _topics(ck: Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, Topic]:
    out: dict[str, Topic] = {}
    for label, row in ck.records(data, "topic"):
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]):
            raise ck.fail(label, "id", "must be lower-case words joined by hyphens")
        code = row.get("code", "")
        if code:
            _known_code(ck, label, code, codes)
        if bool(code) != bool(row.get("section")):
            raise ck.fail(label, "section", "a topic has both code and section, or neither")
        if code and row["section"] not in SECTION_ORDER:
            raise ck.fail(label, "section", f"must be one of {', '.join(SECTION_ORDER)}")
        out[row["id"]] = ck.build(Topic, row, "topic", body=row["body"].strip())
    return out


def _corrections(
    ck: Checker, data: dict[str, Any], codes: Mapping[str, Code], modifiers: Mapping[str, Modifier]
) -> tuple[Correction, ...]:
    out = []
    for label, row in ck.records(data, "correction"):
        for ref in (*row["codes"], row["points_to"]):
            if ref not in codes and ref not in modifiers:
                raise ck.fail(
                    label,
                    "codes" if ref in row["codes"] else "points_to",
                    f"'{ref}' is not a code or modifier in the pack",
                )
        out.append(ck.build(Correction, row, "correction", terms=tuple(t.lower() for t in row["terms"])))
    return tuple(out)


def _rules(
    ck: Checker, data: dict[str, Any], modifiers: Mapping[str, Modifier]
) -> tuple[dict[str, Rule], dict[str, RouteFacts], dict[str, Administration]]:
    """rules.toml: the rules (every id the calculator applies), the facts of each route, and how a sentence names
    the administration line in each setting."""
    rules: dict[str, Rule] = {}
    for label, row in ck.records(data, "rule"):
        ck.dates_in_order(label, row)
        rules[row["id"]] = ck.build(Rule, row, "rule")
    missing = [rule_id for rule_id in RULE_IDS if rule_id not in rules]
    if missing:
        raise ck.fail(
            f"rule '{missing[0]}'",
            "id",
            "the calculator applies this rule, but the pack has no rule with this id (renamed or removed?)",
        )
    routes: dict[str, RouteFacts] = {}
    for label, row in ck.records(data, "route"):
        if row.get("modifier", "") and row["modifier"] not in modifiers:
            raise ck.fail(label, "modifier", f"'{row['modifier']}' is not a modifier in the pack")
        routes[row["route"]] = ck.build(RouteFacts, row, "route")
    administration = {
        row["setting"]: ck.build(Administration, row, "administration") for _, row in ck.records(data, "administration")
    }
    absent = [s for s in SETTINGS if s not in administration]
    if absent:
        raise ck.fail("top level", "administration", f"no [[administration]] record for the setting '{absent[0]}'")
    return rules, routes, administration


DOSE = re.compile(r"[0-9]+ q[24]")  # '150 q4': mg every 2 or 4 weeks


def _dose_tables(ck: Checker, data: dict[str, Any]) -> tuple[tuple[DoseTable, ...], tuple[FixedDose, ...]]:
    """Both tables of dose_tables.toml are required: a renamed [[fixed]] is a load error, not a crash at use."""
    tables = []
    for label, row in ck.records(data, "table"):
        cells, ige, weight = (row.get(name, []) for name in ("cells", "ige_bands", "weight_bands"))
        if cells and (len(cells) != len(ige) or any(len(r) != len(weight) for r in cells)):
            raise ck.fail(label, "cells", "must have one row per IgE band and one cell per weight band")
        for name in ("ige_bands", "weight_bands"):
            bands = row.get(name, [])
            if any(low >= high for low, high in bands) or any(a[1] != b[0] for a, b in pairwise(bands)):
                raise ck.fail(label, name, "each band [low, high] starts where the one before it ends")
        for cell in (c for r in cells for c in r):
            if cell not in ("-", "?") and not DOSE.fullmatch(cell):
                raise ck.fail(label, "cells", f"cell '{cell}' must look like '150 q4', '-' or '?'")
        tables.append(ck.build(DoseTable, row, "table"))
    fixed = []
    for label, row in ck.records(data, "fixed"):
        for dose in row["doses"]:
            if not DOSE.fullmatch(dose):
                raise ck.fail(label, "doses", f"dose '{dose}' must look like '150 q4' (mg every 2 or 4 weeks)")
        fixed.append(ck.build(FixedDose, row, "fixed"))
    if not any(f.indication == "csu" for f in fixed):  # the CSU dose is the one fixed dose the look-up needs
        raise ck.fail("top level", "fixed", "no [[fixed]] record for the indication 'csu'")
    return tuple(tables), tuple(fixed)


def _dosed_codes(
    ck: Checker, data: dict[str, Any], codes: Mapping[str, Code]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The codes the dose tables dose, each a code of the pack (the domain asks the pack, never a list in code), and
    the why of each that is not of high confidence: a dose check of that code says it."""
    dosed, caveats = [], {}
    for label, row in ck.records(data, "dosed_code"):
        _known_code(ck, label, row["code"], codes)
        dosed.append(row["code"])
        if row["confidence"] != "high":
            caveats[row["code"]] = f"{row['why']} ({row['confidence']} confidence)"
    return tuple(dosed), caveats


def _supply(ck: Checker, data: dict[str, Any], payer_file: PayerFile) -> tuple[SupplyRule, ...]:
    payer_ids = {p.id for p in payer_file.profiles} | set(PAYER_KINDS)
    out = []
    for label, row in ck.records(data, "supply"):
        for field, words in (("settings", SETTINGS), ("supplied_by", SUPPLIERS[1:])):
            bad = [w for w in row[field] if w not in words]
            if bad or not row[field]:
                raise ck.fail(label, field, f"'{(bad or [''])[0]}' is not allowed: use {', '.join(words)}")
        if row["payer"] not in payer_ids:
            raise ck.fail(label, "payer", f"'{row['payer']}' is no profile or payer kind")
        out.append(ck.build(SupplyRule, row, "supply", charge=_token_charge(ck, label, row)))
    return tuple(out)


def _token_charge(ck: Checker, label: str, row: dict[str, Any]) -> Decimal | None:
    """A token-charge rule's charge, in cents under $1.01; no other rule has one."""
    if row["action"] != "token-charge":
        if "charge" in row or row.get("non_covered"):
            raise ck.fail(label, "charge", "only a token-charge rule has a charge")
        return None
    if "charge" not in row:
        raise ck.fail(label, "charge", "a token-charge rule names its charge")
    try:
        charge = Decimal(row["charge"])
    except InvalidOperation:
        raise ck.fail(label, "charge", f"'{row['charge']}' is not an amount") from None
    if not Decimal("0") < charge < Decimal("1.01") or charge != charge.quantize(Decimal("0.01")):
        raise ck.fail(label, "charge", "a token charge is in cents, under $1.01")
    return charge


def _checklist(ck: Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> tuple[ChecklistItem, ...]:
    out = []
    for label, row in ck.records(data, "item"):
        when = row.get("when", {})
        for key, value in when.items():
            if key not in CONDITION_KEYS:
                raise ck.fail(label, f"when.{key}", f"unknown condition; known: {', '.join(CONDITION_KEYS)}")
            expected = CONDITION_KEYS[key]
            if not type_ok(expected, value):
                raise ck.fail(label, f"when.{key}", f"expected {expected}")
            if key == "codes":
                for code in value:
                    _known_code(ck, label, code, codes, "when.codes")
            if key in CONDITION_WORDS:
                for word in value if isinstance(value, list) else [value]:
                    if word not in CONDITION_WORDS[key]:
                        raise ck.fail(label, f"when.{key}", f"'{word}' is not one of {', '.join(CONDITION_WORDS[key])}")
        out.append(ck.build(ChecklistItem, row, "item", when=dict(when)))
    return tuple(out)


def read_pack_texts(root: Traversable | None = None) -> dict[str, str]:
    """Every file of the pack as text (a PackError names a file that cannot be read)."""
    return {name: _read(name, root) for name in FILES}
