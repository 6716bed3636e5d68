"""Where a payer profile's rule value comes from, read from one file's tables: the problem every reader collects,
the checks of a rule field's value, and the { value, source, quote, checked } / { value, default = true, why } shapes.

A rule field (multi_ndc, jw_jz, …) is a bare value (organization files only: "set by this file"), a table saying
where the value comes from, or an array of such tables bounded by effective_from / effective_to / form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from omaliref.domain.payer import CMS1500_NDC_BOXES, PROFILE_340B, FieldBasis
from omaliref.domain.text import one_line
from omaliref.domain.vocab import CMS1500_NDC_GAPS, DEVICE_UNITS, JW_JZ_POLICIES, MULTI_NDC_MODES, ClaimForm

BASIS_KEYS = (
    "value",
    "source",
    "quote",
    "locator",
    "checked",
    "effective_from",
    "effective_to",
    "form",
    "default",
    "why",
)
UB04_POSITIONS = (0, 1, 2)
CLAIM_FORMS: tuple[ClaimForm, ...] = ("cms1500", "ub04")
SHAPE = (
    'write { value = …, source = "<id>", quote = "…", checked = YYYY-MM-DD } for a payer\'s rule, or '
    '{ value = …, default = true, why = "…" } for the app\'s choice'
)
Where = tuple[str, int, str]  # (table, index of its record, the record's label)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a payer file: where (line, record, field), the value, and why."""

    line: int
    record: str
    field: str
    value: str
    why: str

    def __str__(self) -> str:
        value = f" = {self.value}" if self.value else ""
        return f"line {self.line}: {self.record}, field '{self.field}'{value}: {self.why}"


def _text(value: Any) -> str:
    """A profile's free text as one printable line: control, bidi and line-separator characters are replaced at load,
    so a name or note can neither clear a terminal nor forge a claim line (red team 2026-12 #8)."""
    return one_line(str(value)).strip()


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _keys_as_text(value: Any) -> Any:
    """A max_units table with its codes as printable text (the only rule value whose keys are free text)."""
    return {_text(k): v for k, v in value.items()} if isinstance(value, dict) else value


def _value_problem(name: str, value: Any) -> str:
    """Why a rule field's value is not allowed ('' when it is)."""
    words: dict[str, tuple[Any, ...]] = {
        "multi_ndc": MULTI_NDC_MODES,
        "jw_jz": JW_JZ_POLICIES,
        "modifier_340b": PROFILE_340B,
        "ndc_unit_devices": DEVICE_UNITS,
        "cms1500_ndc_box": CMS1500_NDC_BOXES,
        "cms1500_ndc_gap": CMS1500_NDC_GAPS,
        "modifier_340b_ub04_position": UB04_POSITIONS,
    }
    if name in ("ndc_required", "prior_authorization", "step_therapy"):
        return "" if isinstance(value, bool) else f"expected true or false, got {type(value).__name__}"
    if name == "max_units":
        if not isinstance(value, dict):
            return "expected a table of code = units, e.g. { J2357 = 120 }"
        for limit in value.values():
            if not (isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < 1_000_000):
                return "each maximum must be a whole number of units from 1 to 999,999"
        return ""
    allowed = words[name]
    if isinstance(value, bool) or value not in allowed:
        return f"{_shown(value)} is not allowed: must be one of " + ", ".join(map(str, allowed))
    return ""


class RecordReader:
    """Reads the records of one payer file, collecting every problem with its line instead of stopping at the first;
    here the parts every record shares (dates, source ids) and the rule fields' provenance."""

    def __init__(self, text: str, file: str, origin: str, source_ids: set[str] | None) -> None:
        self.lines = text.splitlines()
        self.file, self.origin, self.source_ids = file, origin, source_ids
        self.problems: list[Problem] = []
        self.headers = {
            table: [i for i, line in enumerate(self.lines, 1) if re.match(rf"\s*\[\[\s*{table}\s*\]\]", line)]
            for table in ("payer", "state_340b")
        }

    def line_of(self, table: str, index: int, name: str) -> int:
        """The line of field `name` in the index-th [[table]] record (its header line when not found)."""
        starts = self.headers[table]
        if index > len(starts):
            return 1
        start = starts[index - 1]
        later = [h for t in self.headers.values() for h in t if h > start]
        end = min(later) if later else len(self.lines) + 1
        key = name.split(".")[0]
        for number in range(start, end):
            if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[number - 1]):
                return number
        return start

    def fail(self, table: str, index: int, record: str, name: str, value: Any, why: str) -> None:
        line = self.line_of(table, index, name)
        self.problems.append(Problem(line, record, name, "" if value is None else _shown(value), why))

    def date(self, where: Where, name: str, value: Any) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.fail(*where, name, value, "expected a date written YYYY-MM-DD (no quotes)")
        return None

    def source(self, where: Where, name: str, sid: Any) -> str:
        if not isinstance(sid, str) or not sid.strip():
            self.fail(*where, name, sid, "expected a source id")
            return ""
        if self.source_ids is not None and sid not in self.source_ids:
            self.fail(*where, name, sid, "unresolved source id (not in sources.toml)")
        return sid

    def basis(self, where: Where, name: str, raw: Any) -> list[FieldBasis]:
        """A rule field's value(s) with where each comes from."""
        if isinstance(raw, list) and raw and all(isinstance(r, dict) for r in raw):
            out = [b for r in raw for b in self.basis(where, name, r)]
            if len(out) == len(raw) and sum(not b.bounded for b in out) > 1:
                self.fail(
                    *where, name, None, "more than one value without effective dates or form: say when each applies"
                )
            return out
        bare_table = name == "max_units" and isinstance(raw, dict) and "value" not in raw  # { J2357 = 120 }
        if not isinstance(raw, dict) or bare_table:
            return self._bare_basis(where, name, raw)
        return self._table_basis(where, name, raw)

    def _bare_basis(self, where: Where, name: str, raw: Any) -> list[FieldBasis]:
        """A bare value: an organization file's own setting (a built-in profile must say where each comes from)."""
        if self.source_ids is not None:
            self.fail(*where, name, raw, f"a built-in profile says where each value comes from: {SHAPE}")
            return []
        why = _value_problem(name, raw)
        if why:
            self.fail(*where, name, raw, why)
            return []
        return [FieldBasis(name, _keys_as_text(raw), set_by=self.origin)]

    def _table_basis(self, where: Where, name: str, raw: dict[str, Any]) -> list[FieldBasis]:
        """{ value, source, … } or { value, default = true, why }, with its dates and form."""
        ok = True
        for key in raw:
            if key not in BASIS_KEYS:
                self.fail(*where, f"{name}.{key}", raw[key], f"unknown key; known: {', '.join(BASIS_KEYS)}")
                ok = False
        if "value" not in raw:
            self.fail(*where, name, None, f"missing 'value': {SHAPE}")
            return []
        value = _keys_as_text(raw["value"])
        why = _value_problem(name, value)
        if why:
            self.fail(*where, name, value, why)
            ok = False
        start = self.date(where, f"{name}.effective_from", raw.get("effective_from"))
        end = self.date(where, f"{name}.effective_to", raw.get("effective_to"))
        if start and end and end < start:
            self.fail(*where, f"{name}.effective_to", raw["effective_to"], "ends before effective_from")
            ok = False
        form = raw.get("form")
        if form is not None and form not in CLAIM_FORMS:
            self.fail(*where, f"{name}.form", form, "must be cms1500 (professional) or ub04 (institutional)")
            ok = False
        default = raw.get("default", False)
        if not isinstance(default, bool):
            self.fail(*where, f"{name}.default", default, "expected true or false")
            return []
        texts = {k: raw.get(k, "") for k in ("quote", "locator", "why")}
        for key, text in texts.items():
            if not isinstance(text, str):
                self.fail(*where, f"{name}.{key}", text, "expected text")
                ok = False
        bounds = (form, start, end)
        if default:
            made: tuple[FieldBasis, bool] | None = self._default(where, name, raw, value, texts, bounds)
        else:
            made = self._sourced(where, name, raw, value, texts, bounds)
        return [made[0]] if made is not None and made[1] and ok else []

    def _default(
        self, where: Where, name: str, raw: dict[str, Any], value: Any, texts: dict[str, Any], bounds: tuple[Any, ...]
    ) -> tuple[FieldBasis, bool]:
        """The app's choice: no source, and why it was chosen."""
        ok = True
        for key in ("source", "quote", "locator", "checked"):
            if key in raw:
                self.fail(*where, f"{name}.{key}", raw[key], "a default has no source: drop it or default = true")
                ok = False
        form, start, end = bounds
        return FieldBasis(name, value, why=_text(texts["why"]), form=form, effective_from=start, effective_to=end), ok

    def _sourced(
        self, where: Where, name: str, raw: dict[str, Any], value: Any, texts: dict[str, Any], bounds: tuple[Any, ...]
    ) -> tuple[FieldBasis, bool] | None:
        """The payer's rule: its source id, and (built-in profiles) a quote or locator and the date it was checked."""
        if "source" not in raw:
            self.fail(*where, name, None, f"neither a source nor default = true: {SHAPE}")
            return None
        ok = True
        sid = self.source(where, f"{name}.source", raw["source"])
        checked = self.date(where, f"{name}.checked", raw.get("checked"))
        if self.source_ids is not None:
            if not (texts["quote"] or texts["locator"]):
                self.fail(*where, name, None, "a sourced value needs a short quote or a locator")
                ok = False
            if checked is None and "checked" not in raw:
                self.fail(*where, name, None, "a sourced value needs the date it was checked (checked = YYYY-MM-DD)")
                ok = False
        form, start, end = bounds
        basis = FieldBasis(
            name,
            value,
            source=_text(sid),
            quote=_text(texts["quote"]),
            locator=_text(texts["locator"]),
            checked=checked,
            form=form,
            effective_from=start,
            effective_to=end,
        )
        return basis, ok
