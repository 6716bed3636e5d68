"""One payers.toml read and checked: its [[payer]] profiles and [[state_340b]] rows, with every problem found (line,
record, field, value, why), so `omaliref payers check` can list them all at once. The TOML parser and the schema load
here: with no organization file, start-up never needs them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from omaliref.data.payer_basis import UB04_POSITIONS, Problem, RecordReader, Where, _text
from omaliref.domain.errors import PackError
from omaliref.domain.payer import PROVENANCE_FIELDS, FieldBasis, PayerProfile, State340B
from omaliref.domain.vocab import (
    ID_PATTERN,
    ID_RULE,
    MODIFIERS_340B,
    PAYER_KINDS,
    DeviceUnit,
    JwJzPolicy,
    MultiNdc,
    PayerKind,
)

STATE_KEYS = (
    "state",
    "modifier",
    "ub04_position",
    "effective_from",
    "effective_to",
    "source",
    "quote",
    "checked",
    "note",
)


@dataclass(frozen=True)
class PayerFile:
    profiles: tuple[PayerProfile, ...]
    states: tuple[State340B, ...]
    problems: tuple[Problem, ...]


class _Reader(RecordReader):
    """Reads one payer file's [[payer]] and [[state_340b]] records."""

    def profile(self, row: Any, index: int, seen: set[str], states: Iterable[State340B]) -> PayerProfile | None:
        label = (
            f"payer '{row['id']}'" if isinstance(row, dict) and isinstance(row.get("id"), str) else f"payer #{index}"
        )
        where = ("payer", index, label)
        if not isinstance(row, dict):
            self.fail(*where, "", None, "expected a table")
            return None
        count = len(self.problems)
        ident, kind, state, sources = self._profile_fields(where, row, seen)
        basis: list[FieldBasis] = []
        for name in PROVENANCE_FIELDS:
            if name in row:
                basis += self.basis(where, name, row[name])
        if kind == "medicare":
            for b in basis:
                if b.field == "ndc_unit_devices" and b.value == "ME":  # pragma: no cover - DEVICE_UNITS has no ME
                    self.fail(*where, b.field, b.value, "Medicare's CMS-1500 layout takes UN, F2, GR or ML, not ME")
        if state and kind == "medicaid" and not any(b.field == "modifier_340b" for b in basis):
            for row_340b in states:
                if row_340b.state == state:
                    basis += row_340b.as_basis()
        if len(self.problems) > count:
            return None
        return self._profile_of(row, ident, kind, state, sources, basis)

    def _profile_fields(self, where: Where, row: dict[str, Any], seen: set[str]) -> tuple[str, Any, str, list[str]]:
        """The fields of a profile that are not rule values, checked: (id, kind, state, source ids)."""
        from omaliref.data.pack_schema import PAYER

        known = tuple(PAYER.fields)
        for name in row:
            if name not in known:
                self.fail(*where, name, row[name], "unknown field; known: " + ", ".join(known))
        for name in ("id", "name", "kind"):
            if not isinstance(row.get(name), str):
                self.fail(*where, name, row.get(name), "missing required field" if name not in row else "expected text")
        ident = str(row["id"]) if isinstance(row.get("id"), str) else ""
        if "id" in row and isinstance(row["id"], str) and not ID_PATTERN.fullmatch(ident):
            self.fail(*where, "id", ident, f"not a profile id: use {ID_RULE}")
        if ident in seen:
            self.fail(*where, "id", ident, f"duplicate id '{ident}'")
        seen.add(ident)
        kind = row.get("kind")
        if isinstance(kind, str) and kind not in PAYER_KINDS:
            self.fail(*where, "kind", kind, "not allowed: must be one of " + ", ".join(PAYER_KINDS))
        for name in ("mac", "note", "state"):
            if name in row and not isinstance(row[name], str):
                self.fail(*where, name, row[name], "expected text")
        state = str(row.get("state", "")).strip().upper()
        if state and not re.fullmatch(r"[A-Z]{2}", state):
            self.fail(*where, "state", row["state"], "expected a two-letter state code, e.g. TX")
        if "sample" in row and not isinstance(row["sample"], bool):
            self.fail(*where, "sample", row["sample"], "expected true or false")
        sources = row.get("sources", [])
        if not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            self.fail(*where, "sources", sources, "expected a list of source ids")
            sources = []
        if self.source_ids is not None:
            if not sources:
                self.fail(*where, "sources", None, "a built-in profile cites at least one source id")
            for sid in sources:
                self.source(where, "sources", sid)
        return ident, kind, state, sources

    def _profile_of(
        self, row: dict[str, Any], ident: str, kind: Any, state: str, sources: list[str], basis: list[FieldBasis]
    ) -> PayerProfile:
        """The profile of a record without problems: each rule's undated value, the app's default where none."""
        undated = {b.field: b.value for b in basis if not b.bounded}
        return PayerProfile(
            id=ident,
            name=_text(row["name"]),
            kind=cast(PayerKind, kind),
            multi_ndc=cast(MultiNdc, undated.get("multi_ndc", "split-lines")),
            jw_jz=cast(JwJzPolicy, undated.get("jw_jz", "medicare")),
            modifier_340b=cast(str, undated.get("modifier_340b", "none")),
            ndc_unit_devices=cast(DeviceUnit, undated.get("ndc_unit_devices", "ML")),
            ndc_required=cast(bool, undated.get("ndc_required", True)),
            cms1500_ndc_gap=cast(int, undated.get("cms1500_ndc_gap", 1)),
            max_units=dict(cast(dict[str, int], undated.get("max_units", {}))),
            prior_authorization=cast(bool, undated.get("prior_authorization", False)),
            step_therapy=cast(bool, undated.get("step_therapy", False)),
            mac=_text(row.get("mac", "")).upper(),
            sample=bool(row.get("sample", False)),
            sources=tuple(_text(s) for s in sources),
            origin=self.origin,
            note=_text(row.get("note", "")),
            state=state,
            cms1500_ndc_box=cast(Any, undated.get("cms1500_ndc_box", "24a")),
            modifier_340b_ub04_position=cast(int, undated.get("modifier_340b_ub04_position", 0)),
            basis=tuple(basis),
        )

    def state_row(self, row: Any, index: int) -> State340B | None:
        label = f"state_340b #{index}" + (f" ({row.get('state')})" if isinstance(row, dict) else "")
        where = ("state_340b", index, label)
        if not isinstance(row, dict):
            self.fail(*where, "", None, "expected a table")
            return None
        from omaliref.data.pack_schema import STATE_340B

        count = len(self.problems)
        for name in row:
            if name not in STATE_340B.fields:
                self.fail(*where, name, row[name], "unknown field; known: " + ", ".join(STATE_340B.fields))
        state = row.get("state")
        if not (isinstance(state, str) and re.fullmatch(r"[A-Z]{2}", state)):
            self.fail(*where, "state", state, "expected a two-letter state code in capitals, e.g. TX")
        modifier = row.get("modifier")
        if modifier not in MODIFIERS_340B:
            self.fail(*where, "modifier", modifier, "must be one of " + ", ".join(MODIFIERS_340B))
        position = row.get("ub04_position", 0)
        if isinstance(position, bool) or position not in UB04_POSITIONS:
            self.fail(*where, "ub04_position", position, "must be 0 (after the others), 1 (first) or 2 (second)")
        sid = self.source(where, "source", row.get("source"))
        for name in ("quote", "note", "position_quote"):
            if not isinstance(row.get(name, ""), str):
                self.fail(*where, name, row[name], "expected text")
        if not row.get("quote"):
            self.fail(*where, "quote", None, "a state row quotes its source")
        checked = self.date(where, "checked", row.get("checked"))
        if checked is None and "checked" not in row:
            self.fail(*where, "checked", None, "missing: the date the source was checked (YYYY-MM-DD)")
        start = self.date(where, "effective_from", row.get("effective_from"))
        end = self.date(where, "effective_to", row.get("effective_to"))
        if position and not (row.get("position_quote") or row.get("quote")):  # pragma: no cover - quote is required
            self.fail(*where, "position_quote", None, "a position quotes its source")
        if len(self.problems) > count or checked is None:
            return None
        return State340B(
            state=cast(str, state),
            modifier=cast(str, modifier),
            ub04_position=cast(int, position),
            source=sid,
            quote=_text(row["quote"]),
            checked=checked,
            effective_from=start,
            effective_to=end,
            note=_text(row.get("note", "")),
            position_quote=_text(row.get("position_quote", "")),
        )


def read_payer_file(
    text: str,
    file: str,
    *,
    origin: str,
    source_ids: set[str] | None = None,
    states: Iterable[State340B] = (),
) -> PayerFile:
    """Every profile and state row of one payers.toml, with every problem found (line, record, field, value, why).
    Built-in profiles must cite resolvable source ids (`source_ids`) and say where each rule value comes from; an
    organization's may give bare values. `states`: the built-in state 340B rows an organization's profile may use."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return PayerFile((), (), (Problem(_toml_line(exc), "whole file", "", "", f"not valid TOML ({exc})"),))
    except Exception as exc:  # nesting 5,000 deep (RecursionError), a 5,000-digit number (ValueError): #4
        return PayerFile((), (), (Problem(1, "whole file", "", "", f"not a usable TOML file ({_unusable(exc)})"),))
    reader = _Reader(text, file, origin, source_ids)
    for name in data:
        if name not in ("payer", "state_340b"):
            reader.problems.append(
                Problem(1, "top level", name, "", "unknown table; expected [[payer]] or [[state_340b]]")
            )
    rows = data.get("payer", [])
    if not isinstance(rows, list) or not rows:
        reader.problems.append(Problem(1, "top level", "payer", "", "expected one or more [[payer]] records"))
        rows = []
    state_rows = data.get("state_340b", [])
    found_states = [
        s for i, r in enumerate(state_rows if isinstance(state_rows, list) else [], 1) if (s := reader.state_row(r, i))
    ]
    known_states = [*found_states, *(s for s in states if s.state not in {f.state for f in found_states})]
    seen: set[str] = set()
    profiles = [p for i, r in enumerate(rows, 1) if (p := reader.profile(r, i, seen, known_states))]
    problems = sorted(reader.problems, key=lambda p: p.line)  # stable: a record's problems keep their order
    return PayerFile(tuple(profiles), tuple(found_states), tuple(problems))


def _unusable(exc: BaseException) -> str:
    """Why the parser gave up, in a few words (a RecursionError's own message is long and says nothing useful)."""
    if isinstance(exc, RecursionError):
        return "values nested too deep"
    if isinstance(exc, MemoryError):
        return "too large to read"
    if isinstance(exc, ValueError) and "digits" in str(exc):  # Python's 4,300-digit limit on int()
        return "a number with thousands of digits"
    text = str(exc).split(";")[0].strip()
    return f"{exc.__class__.__name__}: {text[:120]}" if text else exc.__class__.__name__


def _toml_line(exc: Exception) -> int:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else 1


def parse_payer_file(
    text: str, file: str, *, origin: str, source_ids: set[str] | None = None, states: Iterable[State340B] = ()
) -> PayerFile:
    """One payers.toml, or a PackError naming file, record (with its line) and field of the first problem, and how
    many more there are. The parser and schema load here: with no organization file, start-up never needs them."""
    found = read_payer_file(text, file, origin=origin, source_ids=source_ids, states=states)
    if found.problems:
        first = found.problems[0]
        more = len(found.problems) - 1
        tail = (
            f" (and {more} more problem{'s' if more > 1 else ''}: 'omaliref payers check' lists them)" if more else ""
        )
        value = f" = {first.value}" if first.value else ""
        raise PackError(file, f"{first.record} (line {first.line})", first.field, f"{first.why}{value}{tail}")
    return found


def parse_profiles(
    text: str, file: str, *, origin: str, source_ids: set[str] | None = None, states: Iterable[State340B] = ()
) -> list[PayerProfile]:
    """The profiles of one payers.toml (see parse_payer_file)."""
    return list(parse_payer_file(text, file, origin=origin, source_ids=source_ids, states=states).profiles)
