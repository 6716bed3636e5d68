"""Checking one pack file against the schema, and building its records from the checked rows.

A record's fields are read from the schema and the record's dataclass: a field the dataclass has and the row gives is
copied (a list as a tuple), `provenance` is built from confidence, sources and as_of, and what needs parsing (a
quantity, a decimal) is passed in by the loader. The field lists are written in the schema and the dataclass only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

from omaliref.data.pack_schema import TABLES, Field
from omaliref.domain.errors import PackError
from omaliref.domain.model import Provenance
from omaliref.domain.quantities import Quantity, canonical_unit

Schema = Mapping[str, Field]
SCHEMAS: dict[str, Schema] = {name: table.fields for name, table in TABLES.items()}
# The field types a loader must parse itself: they are never copied as they stand.
PARSED_TYPES = frozenset({"quantity", "dose_limit", "dict"})
R = TypeVar("R")


def type_ok(kind: str, value: Any) -> bool:
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


def provenance(row: dict[str, Any]) -> Provenance:
    return Provenance(row["confidence"], tuple(row["sources"]), row["as_of"])


def _copied(value: Any) -> Any:
    """A TOML list as a tuple (a list of lists as a tuple of tuples); anything else as it is."""
    return tuple(_copied(v) for v in value) if isinstance(value, list) else value


class Checker:
    """Checks one file's records against the schema and the pack-wide references, and builds them."""

    def __init__(self, file: str, source_ids: set[str], as_of: dt.date | None = None) -> None:
        self.file = file
        self.source_ids = source_ids
        self.as_of = as_of  # the pack's as_of: no record was checked later than the pack
        self.tables = tuple(t.table for t in TABLES.values() if t.file == file)

    def fail(self, record: str, field: str, problem: str) -> PackError:
        return PackError(self.file, record, field, problem)

    def records(self, data: dict[str, Any], table: str) -> list[tuple[str, dict[str, Any]]]:
        """The checked rows of one [[table]] with their labels; every table of the file is required, and a table
        the schema does not name for this file (a renamed [[fixed]]) is refused."""
        extra = set(data) - set(self.tables)
        if extra:
            expected = " and ".join(f"[[{t}]]" for t in self.tables)
            raise self.fail("top level", sorted(extra)[0], f"unknown table; expected only {expected}")
        key = TABLES[table].key
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
            if not type_ok(spec.type, row[name]):
                raise self.fail(label, name, f"expected {spec.type}, got {type(row[name]).__name__}")
            if spec.type == "str" and spec.required and not row[name].strip() and name != "url":
                raise self.fail(label, name, "must not be empty")
            words = [row[name]] if spec.type == "str" else row[name] if spec.type == "strs" else []
            for word in words if spec.choices else ():
                if word not in spec.choices:
                    raise self.fail(label, name, f"'{word}' is not allowed: must be one of {', '.join(spec.choices)}")
        if "sources" in schema:
            self.cited(label, "sources", row["sources"])
        if "as_of" in row and self.as_of is not None and row["as_of"] > self.as_of:
            raise self.fail(
                label, "as_of", f"{row['as_of']} is later than the pack's as_of ({self.as_of}, pack.toml): raise that"
            )

    def cited(self, label: str, field: str, ids: Any) -> tuple[str, ...]:
        """Source ids that resolve in sources.toml, at least one."""
        if not isinstance(ids, list) or not ids or not all(isinstance(s, str) for s in ids):
            raise self.fail(label, field, "cite at least one source id")
        for sid in ids:
            if sid not in self.source_ids:
                raise self.fail(label, field, f"unresolved source id '{sid}'")
        return tuple(ids)

    def build(self, cls: type[R], row: dict[str, Any], table: str, **parsed: Any) -> R:
        """A record of `cls` from a checked row: `parsed` values first, then provenance, then the row's own fields
        (a field the row leaves out keeps the dataclass default)."""
        schema = SCHEMAS[table]
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in parsed:
                values[f.name] = parsed[f.name]
            elif f.name == "provenance":
                values[f.name] = provenance(row)
            elif f.name in row and f.name in schema:
                assert schema[f.name].type not in PARSED_TYPES, f"{table}.{f.name} must be parsed by the loader"
                values[f.name] = _copied(row[f.name])
        return cls(**values)

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

    def dates_source(self, label: str, row: dict[str, Any]) -> str:
        """The source stating a record's dates must resolve, and be one the record cites."""
        sid = str(row.get("dates_source", ""))
        if sid and (sid not in self.source_ids or sid not in row["sources"]):
            raise self.fail(label, "dates_source", f"'{sid}' must be one of the record's sources")
        return sid

    def dates_in_order(self, label: str, row: dict[str, Any]) -> None:
        if "effective_from" in row and "effective_to" in row and row["effective_to"] < row["effective_from"]:
            raise self.fail(label, "effective_to", "is before effective_from")
