"""Load and validate the whole data pack; any problem names file, record and field."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib.resources.abc import Traversable
from typing import Any

from omaliref.data.pack_schema import CONDITION_WORDS, TABLES, Field
from omaliref.data.resources import PACK_FILES, read_text
from omaliref.domain.calculator import RULE_IDS
from omaliref.domain.checklist import CONDITION_KEYS, ChecklistItem
from omaliref.domain.cms_facts import MueLimit
from omaliref.domain.errors import PackError
from omaliref.domain.model import (
    SECTION_ORDER,
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
    Provenance,
    Rule,
    Source,
    Topic,
    normalize_code,
)
from omaliref.domain.quantities import Quantity, canonical_unit
from omaliref.domain.quarter import Quarter
from omaliref.domain.supply import SupplyRule
from omaliref.domain.vocab import PAYER_KINDS, SETTINGS, SUPPLIERS, MueSetting

FILES = PACK_FILES
NDC_PATTERN = re.compile(r"\d{5}-\d{4}-\d{2}")
Schema = Mapping[str, Field]
SCHEMAS: dict[str, Schema] = {name: table.fields for name, table in TABLES.items()}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind in ("quantity", "dose_limit", "dict"):
        return isinstance(value, dict)
    if kind == "bands":
        return isinstance(value, list) and all(
            isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) for x in b) for b in value
        )
    if kind == "cells":
        return isinstance(value, list) and all(
            isinstance(r, list) and all(isinstance(c, str) for c in r) for r in value
        )
    raise AssertionError(kind)  # pragma: no cover


class _Checker:
    """Checks one file's records against a schema and the pack-wide references."""

    def __init__(self, file: str, source_ids: set[str]) -> None:
        self.file = file
        self.source_ids = source_ids

    def fail(self, record: str, field: str, problem: str) -> PackError:
        return PackError(self.file, record, field, problem)

    def records(self, data: dict[str, Any], table: str, key: str) -> list[tuple[str, dict[str, Any]]]:
        extra = set(data) - {table}
        if extra:
            raise self.fail("top level", sorted(extra)[0], f"unknown table; expected only [[{table}]]")
        rows = data.get(table, [])
        if not isinstance(rows, list) or not rows:
            raise self.fail("top level", table, f"expected one or more [[{table}]] records")
        seen: set[str] = set()
        out = []
        for index, row in enumerate(rows, start=1):
            label = f"{table} #{index}"
            if isinstance(row.get(key), str) and row[key]:
                label = f"{table} '{row[key]}'"
            self.check(label, row, SCHEMAS[table])
            ident = row[key]
            if ident in seen:
                raise self.fail(label, key, f"duplicate {key} '{ident}'")
            seen.add(ident)
            out.append((label, row))
        return out

    def check(self, label: str, row: dict[str, Any], schema: Schema) -> None:
        for name in row:
            if name not in schema:
                raise self.fail(label, name, "unknown field")
        for name, spec in schema.items():
            if name not in row:
                if spec.required:
                    raise self.fail(label, name, "missing required field")
                continue
            if not _type_ok(spec.type, row[name]):
                raise self.fail(label, name, f"expected {spec.type}, got {type(row[name]).__name__}")
            if spec.type == "str" and spec.required and not row[name].strip() and name != "url":
                raise self.fail(label, name, "must not be empty")
            if spec.choices and row[name] not in spec.choices:
                raise self.fail(label, name, f"'{row[name]}' is not allowed: must be one of {', '.join(spec.choices)}")
        if "sources" in schema:
            if not row["sources"]:
                raise self.fail(label, "sources", "cite at least one source id")
            for sid in row["sources"]:
                if sid not in self.source_ids:
                    raise self.fail(label, "sources", f"unresolved source id '{sid}'")

    def quantity(self, label: str, field: str, value: dict[str, Any]) -> Quantity:
        if set(value) - {"amount", "unit", "sources", "note"} or not {"amount", "unit"} <= set(value):
            raise self.fail(label, field, 'expected { amount = "…", unit = "…" }')
        amount = self.decimal(label, f"{field}.amount", value["amount"])
        unit_text = value["unit"]
        unit = canonical_unit(unit_text) if isinstance(unit_text, str) else None
        if unit is None and unit_text != "per payer instruction":
            raise self.fail(label, f"{field}.unit", f"unit '{unit_text}' does not parse")
        return Quantity(amount, unit or unit_text)

    def decimal(self, label: str, field: str, text: Any) -> Fraction:
        if not isinstance(text, str):
            raise self.fail(label, field, 'write numbers as strings, e.g. "5", so they stay exact')
        try:
            value = Fraction(Decimal(text))
        except (InvalidOperation, ValueError):
            raise self.fail(label, field, f"'{text}' is not a decimal number") from None
        if value <= 0:
            raise self.fail(label, field, "must be greater than zero")
        return value


def _prov(row: dict[str, Any]) -> Provenance:
    return Provenance(row["confidence"], tuple(row["sources"]), row["as_of"])


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

    info_data = raw["pack.toml"]
    for name in ("version", "as_of", "title"):
        if name not in info_data:
            raise PackError("pack.toml", "pack", name, "missing required field")
    info = PackInfo(str(info_data["version"]), info_data["as_of"], str(info_data["title"]))

    source_check = _Checker("sources.toml", set())
    sources: dict[str, Source] = {}
    for label, row in source_check.records(raw["sources.toml"], "source", "id"):
        if row["url"] and not row["url"].startswith(("http://", "https://")):
            raise source_check.fail(label, "url", "must start with http:// or https://")
        sources[row["id"]] = Source(row["id"], row["title"], row["url"], row["date"], row["kind"])
    ids = set(sources)

    codes = _codes(_Checker("codes.toml", ids), raw["codes.toml"])
    modifiers = _modifiers(_Checker("modifiers.toml", ids), raw["modifiers.toml"])
    mues = _mues(_Checker("mue.toml", ids), raw["mue.toml"], codes)
    modifier_check = _Checker("modifiers.toml", ids)
    for modifier in modifiers.values():
        label = f"modifier '{modifier.code}'"
        for other in modifier.replaced_by:
            if other not in modifiers:
                raise modifier_check.fail(label, "replaced_by", f"'{other}' is not a modifier in the pack")
        if modifier.effective_from and modifier.effective_to and modifier.effective_to < modifier.effective_from:
            raise modifier_check.fail(label, "effective_to", "is before effective_from")
    products = _products(_Checker("products.toml", ids), raw["products.toml"], codes)
    topics = _topics(_Checker("topics.toml", ids), raw["topics.toml"], codes)
    corrections = _corrections(_Checker("corrections.toml", ids), raw["corrections.toml"], codes, modifiers)
    rules = _rules(_Checker("rules.toml", ids), raw["rules.toml"])
    missing = [rule_id for rule_id in RULE_IDS if rule_id not in rules]
    if missing:
        raise PackError(
            "rules.toml",
            f"rule '{missing[0]}'",
            "id",
            "the calculator applies this rule, but the pack has no rule with this id (renamed or removed?)",
        )
    tables, fixed = _dose_tables(_Checker("dose_tables.toml", ids), raw["dose_tables.toml"])
    checklist = _checklist(_Checker("checklist.toml", ids), raw["checklist.toml"], codes)
    supply = _supply(_Checker("supply.toml", ids), raw["supply.toml"])

    checker = _Checker("codes.toml", ids)
    for code in codes.values():
        for other in (*code.lookalikes, *code.replaced_by):
            if other not in codes:
                raise checker.fail(f"code '{code.code}'", "lookalikes", f"'{other}' is not a code in the pack")
    from omaliref.data.payers import parse_payer_file

    payer_file = parse_payer_file(texts["payers.toml"], "payers.toml", origin="built-in", source_ids=ids)
    payer_ids = {p.id for p in payer_file.profiles} | set(PAYER_KINDS)
    for rule in supply:
        if rule.payer not in payer_ids:
            raise PackError(
                "supply.toml", f"supply '{rule.id}'", "payer", f"'{rule.payer}' is no profile or payer kind"
            )
    return Catalog(
        info,
        codes,
        products,
        modifiers,
        topics,
        corrections,
        rules,
        sources,
        tables,
        fixed,
        checklist,
        {p.id: p for p in payer_file.profiles},
        mues,
        state_340b=payer_file.states,
        supply_rules=supply,
    )


def _codes(ck: _Checker, data: dict[str, Any]) -> dict[str, Code]:
    out: dict[str, Code] = {}
    for label, row in ck.records(data, "code", "code"):
        if normalize_code(row["code"]) != row["code"] or not re.fullmatch(r"[A-Z]\d{4}", row["code"]):
            raise ck.fail(label, "code", "must be a HCPCS Level II code such as J2357")
        limit, lowest = (_dose_limit(ck, label, row, name) for name in ("max_single_dose", "min_single_dose"))
        if "effective_from" in row and "effective_to" in row and row["effective_to"] < row["effective_from"]:
            raise ck.fail(label, "effective_to", "is before effective_from")
        out[row["code"]] = Code(
            code=row["code"],
            descriptor=row["descriptor"],
            descriptor_verified=row["descriptor_verified"],
            billing_unit=ck.quantity(label, "billing_unit", row["billing_unit"]),
            unit_verified=row["unit_verified"],
            drug=row["drug"],
            brands=tuple(row["brands"]),
            category=row["category"],
            status=row["status"],
            summary=row["summary"],
            provenance=_prov(row),
            short_descriptor=row.get("short_descriptor", ""),
            effective_from=row.get("effective_from"),
            effective_from_confidence=row.get("effective_from_confidence", ""),
            effective_to=row.get("effective_to"),
            replaced_by=tuple(row.get("replaced_by", ())),
            routes=tuple(row["routes"]),
            route_modifier_required=row.get("route_modifier_required", False),
            weight_based=row.get("weight_based", False),
            admin_codes=tuple(row["admin_codes"]),
            lookalikes=tuple(row["lookalikes"]),
            notes=tuple(row["notes"]),
            max_single_dose=limit,
            min_single_dose=lowest,
            dates_source=_dates_source(ck, label, row),
            pricing_note=row.get("pricing_note", ""),
            shortest_interval=_interval(ck, label, row),
        )
    return out


def _interval(ck: _Checker, label: str, row: dict[str, Any]) -> Interval | None:
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


def _dates_source(ck: _Checker, label: str, row: dict[str, Any]) -> str:
    """The source stating a record's dates must resolve, and be one the record cites."""
    sid = str(row.get("dates_source", ""))
    if sid and (sid not in ck.source_ids or sid not in row["sources"]):
        raise ck.fail(label, "dates_source", f"'{sid}' must be one of the record's sources")
    return sid


MUE_TABLE_FIELDS: dict[str, MueSetting] = {
    "practitioner": "practitioner",
    "outpatient_hospital": "outpatient-hospital",
    "dme_supplier": "dme-supplier",
}


def _mues(ck: _Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, tuple[MueLimit, ...]]:
    """Shipped MUE values: one MueLimit per table the record gives, labelled with the record's quarter."""
    out: dict[str, tuple[MueLimit, ...]] = {}
    for label, row in ck.records(data, "mue", "code"):
        if row["code"] not in codes:
            raise ck.fail(label, "code", f"'{row['code']}' is not a code in the pack")
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


def _dose_limit(ck: _Checker, label: str, row: dict[str, Any], name: str) -> DoseLimit | None:
    if name not in row:
        return None
    raw = row[name]
    qty = ck.quantity(label, name, raw)
    sources = raw.get("sources", [])
    if not sources or any(s not in ck.source_ids for s in sources):
        raise ck.fail(label, f"{name}.sources", "cite resolvable source ids")
    return DoseLimit(qty, str(raw.get("note", "")), tuple(sources))


def _products(ck: _Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, Product]:
    out: dict[str, Product] = {}
    for label, row in ck.records(data, "product", "ndc"):
        if not NDC_PATTERN.fullmatch(row["ndc"]):
            raise ck.fail(label, "ndc", f"'{row['ndc']}' is not an 11-digit 5-4-2 NDC such as 50242-0215-01")
        listed_digits = re.sub(r"\D", "", row["listed_ndc"])
        if len(listed_digits) not in (10, 11):
            raise ck.fail(label, "listed_ndc", "must have 10 or 11 digits")
        if row["code"] not in codes:
            raise ck.fail(label, "code", f"'{row['code']}' is not a code in the pack")
        code = codes[row["code"]]
        amount = ck.quantity(label, "container_amount", row["container_amount"])
        if not amount.convertible_to(code.billing_unit.unit) and amount.unit != code.billing_unit.unit:
            raise ck.fail(label, "container_amount", f"unit {amount.unit} does not fit {code.code}'s billing unit")
        units = amount.to(code.billing_unit.unit).amount / code.billing_unit.amount
        if units.denominator != 1:
            raise ck.fail(label, "container_amount", f"is not a whole number of {code.code} billing units")
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
        per_package = row.get("containers_per_package")
        if per_package is not None and per_package <= 0:
            raise ck.fail(label, "containers_per_package", "must be a positive whole number")
        out[row["ndc"]] = Product(
            ndc=row["ndc"],
            listed_ndc=row["listed_ndc"],
            code=row["code"],
            brand=row["brand"],
            presentation=row["presentation"],
            form=row["form"],
            container_amount=amount,
            container_type=row["container_type"],
            route=row["route"],
            marketing_status=row["marketing_status"],
            presentation_verified=row["presentation_verified"],
            auto_select=row["auto_select"],
            ndc_unit=row["ndc_unit"],
            ndc_quantity=ck.decimal(label, "ndc_quantity", row["ndc_quantity"]),
            ndc_unit_confidence=row["ndc_unit_confidence"],
            provenance=_prov(row),
            volume_ml=ck.decimal(label, "volume_ml", row["volume_ml"]) if "volume_ml" in row else None,
            containers_per_package=per_package,
            container_type_confidence=row.get("container_type_confidence", "high"),
            marketing_start=row.get("marketing_start"),
            status_note=row.get("status_note", ""),
            notes=tuple(row["notes"]),
        )
    return out


def _modifiers(ck: _Checker, data: dict[str, Any]) -> dict[str, Modifier]:
    out: dict[str, Modifier] = {}
    for label, row in ck.records(data, "modifier", "code"):
        if not re.fullmatch(r"[A-Z0-9]{2}", row["code"]):
            raise ck.fail(label, "code", "must be a two-character modifier")
        out[row["code"]] = Modifier(
            code=row["code"],
            descriptor=row["descriptor"],
            meaning=row["meaning"],
            provenance=_prov(row),
            short_descriptor=row.get("short_descriptor", ""),
            effective_from=row.get("effective_from"),
            effective_to=row.get("effective_to"),
            replaced_by=tuple(row.get("replaced_by", ())),
            dates_source=_dates_source(ck, label, row),
            required_from=row.get("required_from"),
            required_note=row.get("required_note", ""),
            status_note=row.get("status_note", ""),
            payers=tuple(row["payers"]),
            common_errors=tuple(row["common_errors"]),
            aliases=tuple(row.get("aliases", ())),
        )
    return out


def _topics(ck: _Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> dict[str, Topic]:
    out: dict[str, Topic] = {}
    for label, row in ck.records(data, "topic", "id"):
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]):
            raise ck.fail(label, "id", "must be lower-case words joined by hyphens")
        code = row.get("code", "")
        if code and code not in codes:
            raise ck.fail(label, "code", f"'{code}' is not a code in the pack")
        if bool(code) != bool(row.get("section")):
            raise ck.fail(label, "section", "a topic has both code and section, or neither")
        if code and row["section"] not in SECTION_ORDER:
            raise ck.fail(label, "section", f"must be one of {', '.join(SECTION_ORDER)}")
        out[row["id"]] = Topic(
            row["id"],
            row["title"],
            row["body"].strip(),
            _prov(row),
            code,
            row.get("section", ""),
            tuple(row["keywords"]),
        )
    return out


def _corrections(
    ck: _Checker, data: dict[str, Any], codes: Mapping[str, Code], modifiers: Mapping[str, Modifier]
) -> tuple[Correction, ...]:
    out = []
    for label, row in ck.records(data, "correction", "id"):
        for ref in (*row["codes"], row["points_to"]):
            if ref not in codes and ref not in modifiers:
                raise ck.fail(
                    label,
                    "codes" if ref in row["codes"] else "points_to",
                    f"'{ref}' is not a code or modifier in the pack",
                )
        out.append(
            Correction(
                row["id"],
                tuple(row["codes"]),
                tuple(t.lower() for t in row["terms"]),
                row["always_show"],
                row["wrong"],
                row["right"],
                row["points_to"],
                _prov(row),
            )
        )
    return tuple(out)


def _rules(ck: _Checker, data: dict[str, Any]) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for label, row in ck.records(data, "rule", "id"):
        if "effective_from" in row and "effective_to" in row and row["effective_to"] < row["effective_from"]:
            raise ck.fail(label, "effective_to", "is before effective_from")
        out[row["id"]] = Rule(
            row["id"],
            row["title"],
            row["text"],
            _prov(row),
            row.get("effective_from"),
            row.get("effective_to"),
            row.get("before_note", ""),
        )
    return out


DOSE = re.compile(r"[0-9]+ q[24]")  # '150 q4': mg every 2 or 4 weeks


def _dose_tables(ck: _Checker, data: dict[str, Any]) -> tuple[tuple[DoseTable, ...], tuple[FixedDose, ...]]:
    """Both tables of dose_tables.toml are required: a renamed [[fixed]] is a load error, not a crash at use."""
    extra = set(data) - {"table", "fixed"}
    if extra:
        raise ck.fail("top level", sorted(extra)[0], "unknown table; expected only [[table]] and [[fixed]]")
    tables = []
    for label, row in ck.records({"table": data.get("table", [])}, "table", "id"):
        cells = tuple(tuple(r) for r in row.get("cells", []))
        ige = tuple((a, b) for a, b in row.get("ige_bands", []))
        weight = tuple((a, b) for a, b in row.get("weight_bands", []))
        if cells and (len(cells) != len(ige) or any(len(r) != len(weight) for r in cells)):
            raise ck.fail(label, "cells", "must have one row per IgE band and one cell per weight band")
        for r in cells:
            for cell in r:
                if cell not in ("-", "?") and not DOSE.fullmatch(cell):
                    raise ck.fail(label, "cells", f"cell '{cell}' must look like '150 q4', '-' or '?'")
        tables.append(
            DoseTable(
                row["id"],
                row["indication"],
                row["population"],
                row["min_age"],
                row["complete"],
                _prov(row),
                row.get("max_age_exclusive"),
                ige,
                weight,
                cells,
                row.get("limits_note", ""),
            )
        )
    fixed = []
    for label, row in ck.records({"fixed": data.get("fixed", [])}, "fixed", "id"):
        for dose in row["doses"]:
            if not DOSE.fullmatch(dose):
                raise ck.fail(label, "doses", f"dose '{dose}' must look like '150 q4' (mg every 2 or 4 weeks)")
        fixed.append(
            FixedDose(
                row["id"],
                row["indication"],
                row["population"],
                row["min_age"],
                tuple(row["doses"]),
                row["note"],
                _prov(row),
            )
        )
    return tuple(tables), tuple(fixed)


def _supply(ck: _Checker, data: dict[str, Any]) -> tuple[SupplyRule, ...]:
    out = []
    for label, row in ck.records(data, "supply", "id"):
        for field, words in (("settings", SETTINGS), ("supplied_by", SUPPLIERS[1:])):
            bad = [w for w in row[field] if w not in words]
            if bad or not row[field]:
                raise ck.fail(label, field, f"'{(bad or [''])[0]}' is not allowed: use {', '.join(words)}")
        charge = None
        if row["action"] == "token-charge":
            if "charge" not in row:
                raise ck.fail(label, "charge", "a token-charge rule names its charge")
            try:
                charge = Decimal(row["charge"])
            except InvalidOperation:
                raise ck.fail(label, "charge", f"'{row['charge']}' is not an amount") from None
            if not Decimal("0") < charge < Decimal("1.01") or charge != charge.quantize(Decimal("0.01")):
                raise ck.fail(label, "charge", "a token charge is in cents, under $1.01")
        elif "charge" in row or row.get("non_covered"):
            raise ck.fail(label, "charge", "only a token-charge rule has a charge")
        out.append(
            SupplyRule(
                row["id"],
                row["payer"],
                tuple(row["settings"]),
                tuple(row["supplied_by"]),
                row["action"],
                row["text"],
                _prov(row),
                charge,
                row.get("non_covered", False),
                row.get("inferred", False),
            )
        )
    return tuple(out)


def _checklist(ck: _Checker, data: dict[str, Any], codes: Mapping[str, Code]) -> tuple[ChecklistItem, ...]:
    out = []
    for label, row in ck.records(data, "item", "id"):
        when = row.get("when", {})
        for key, value in when.items():
            if key not in CONDITION_KEYS:
                raise ck.fail(label, f"when.{key}", f"unknown condition; known: {', '.join(CONDITION_KEYS)}")
            expected = CONDITION_KEYS[key]
            if not _type_ok(expected, value):
                raise ck.fail(label, f"when.{key}", f"expected {expected}")
            if key == "codes":
                for code in value:
                    if code not in codes:
                        raise ck.fail(label, "when.codes", f"'{code}' is not a code in the pack")
            if key in CONDITION_WORDS:
                for word in value if isinstance(value, list) else [value]:
                    if word not in CONDITION_WORDS[key]:
                        raise ck.fail(label, f"when.{key}", f"'{word}' is not one of {', '.join(CONDITION_WORDS[key])}")
        out.append(ChecklistItem(row["id"], row["text"], row["why"], row["severity"], dict(when), _prov(row)))
    return tuple(out)


def read_pack_texts(root: Traversable | None = None) -> dict[str, str]:
    """Every file of the pack as text (a PackError names a file that cannot be read)."""
    return {name: _read(name, root) for name in FILES}
