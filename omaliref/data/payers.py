"""Payer profiles from files: the built-in resources/payers.toml, then the organization's payers.toml files.

The organization's files are read from the site config folder, the site folder, the user config folder and the file
named by OMALIREF_PAYERS, in that order; a profile with an id already seen replaces it and says so wherever it is
used (`PayerProfile.replacement`), except that a user's file never replaces one of the site's files: that profile is
left out with a notice. A broken organization file never stops the app: whatever it holds (a pipe, a device, more
than MAX_FILE_BYTES, nesting the parser cannot take) it is reported in one sentence and left out, and the built-ins
are used.

A rule field (multi_ndc, jw_jz, …) is a bare value (organization files only: "set by this file"), a table saying
where the value comes from ({ value, source, quote or locator, checked } or { value, default = true, why }), or an
array of such tables bounded by effective_from / effective_to / form. Every problem in a file is collected with its
line, so `omaliref payers check` can list them all at once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from omaliref.domain.errors import PackError
from omaliref.domain.payer import (
    CMS1500_NDC_BOXES,
    PROFILE_340B,
    PROVENANCE_FIELDS,
    FieldBasis,
    PayerProfile,
    State340B,
)
from omaliref.domain.payer import PROFILE_FOR_KIND as PROFILE_FOR_KIND  # re-exported: its home is domain.payer
from omaliref.domain.text import one_line
from omaliref.domain.vocab import (
    CMS1500_NDC_GAPS,
    DEVICE_UNITS,
    ID_PATTERN,
    ID_RULE,
    JW_JZ_POLICIES,
    MODIFIERS_340B,
    MULTI_NDC_MODES,
    PAYER_KINDS,
    ClaimForm,
    DeviceUnit,
    JwJzPolicy,
    MultiNdc,
    PayerKind,
)

ENV_VAR = "OMALIREF_PAYERS"
# the largest payer file read (the built-in one is ~40 KB; 1 MB holds ~3,500 profiles): a 100 MB file added 9 s to
# every start (red team 2026-12 #19)
MAX_FILE_BYTES = 1_000_000
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
UB04_POSITIONS = (0, 1, 2)
CLAIM_FORMS: tuple[ClaimForm, ...] = ("cms1500", "ub04")
SHAPE = (
    'write { value = …, source = "<id>", quote = "…", checked = YYYY-MM-DD } for a payer\'s rule, or '
    '{ value = …, default = true, why = "…" } for the app\'s choice'
)


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


@dataclass(frozen=True)
class Profiles:
    """Every profile by id, and one sentence for each organization file that could not be used."""

    by_id: Mapping[str, PayerProfile]
    notices: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the organization files that were read


@dataclass(frozen=True)
class PayerFile:
    profiles: tuple[PayerProfile, ...]
    states: tuple[State340B, ...]
    problems: tuple[Problem, ...]


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


class _Reader:
    """Reads one payer file, collecting every problem with its line instead of stopping at the first."""

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

    def date(self, where: tuple[str, int, str], name: str, value: Any) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.fail(*where, name, value, "expected a date written YYYY-MM-DD (no quotes)")
        return None

    def source(self, where: tuple[str, int, str], name: str, sid: Any) -> str:
        if not isinstance(sid, str) or not sid.strip():
            self.fail(*where, name, sid, "expected a source id")
            return ""
        if self.source_ids is not None and sid not in self.source_ids:
            self.fail(*where, name, sid, "unresolved source id (not in sources.toml)")
        return sid

    def basis(self, where: tuple[str, int, str], name: str, raw: Any) -> list[FieldBasis]:
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
            if self.source_ids is not None:
                self.fail(*where, name, raw, f"a built-in profile says where each value comes from: {SHAPE}")
                return []
            why = _value_problem(name, raw)
            if why:
                self.fail(*where, name, raw, why)
                return []
            return [FieldBasis(name, _keys_as_text(raw), set_by=self.origin)]
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
        if default:
            for key in ("source", "quote", "locator", "checked"):
                if key in raw:
                    self.fail(*where, f"{name}.{key}", raw[key], "a default has no source: drop it or default = true")
                    ok = False
            basis = FieldBasis(name, value, why=_text(texts["why"]), form=form, effective_from=start, effective_to=end)
        else:
            if "source" not in raw:
                self.fail(*where, name, None, f"neither a source nor default = true: {SHAPE}")
                return []
            sid = self.source(where, f"{name}.source", raw["source"])
            checked = self.date(where, f"{name}.checked", raw.get("checked"))
            if self.source_ids is not None:
                if not (texts["quote"] or texts["locator"]):
                    self.fail(*where, name, None, "a sourced value needs a short quote or a locator")
                    ok = False
                if checked is None and "checked" not in raw:
                    self.fail(
                        *where, name, None, "a sourced value needs the date it was checked (checked = YYYY-MM-DD)"
                    )
                    ok = False
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
        return [basis] if ok else []

    def profile(self, row: Any, index: int, seen: set[str], states: Iterable[State340B]) -> PayerProfile | None:
        label = (
            f"payer '{row['id']}'" if isinstance(row, dict) and isinstance(row.get("id"), str) else f"payer #{index}"
        )
        where = ("payer", index, label)
        if not isinstance(row, dict):
            self.fail(*where, "", None, "expected a table")
            return None
        from omaliref.data.pack_schema import PAYER

        count = len(self.problems)
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


def read_payer_text(path: Path) -> str:
    """The text of one payer file, read only when it is a regular file of at most MAX_FILE_BYTES: a named pipe is
    opened without waiting for a writer and a device (/dev/zero) is never read (red team 2026-12 #18). A PackError
    names what was refused; OSError and UnicodeDecodeError when the file cannot be read as UTF-8."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):  # checked on what was opened, so a file swapped in between is no way round
        os.close(descriptor)
        why = "is not a regular file (a pipe, a device or a folder), so it is not read"
        raise PackError(str(path), "whole file", "", why)
    with os.fdopen(descriptor, "rb") as file:
        data = b"" if info.st_size > MAX_FILE_BYTES else file.read(MAX_FILE_BYTES + 1)
    size = max(info.st_size, len(data))
    if size > MAX_FILE_BYTES:
        why = f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a payer file, so it is not read"
        raise PackError(str(path), "whole file", "", why)
    return data.decode("utf-8")


def organization_tiers(config_dir: Path) -> tuple[list[Path], list[Path]]:
    """The site's payer files (site config folder, then the site folder) and the user's (user config folder, then
    OMALIREF_PAYERS): each read when it exists (a named one always, so its absence is said)."""
    from platformdirs import site_config_dir

    from omaliref.data.site import resolve

    site = [
        Path(site_config_dir("omaliref", appauthor=False)) / "payers.toml",
        *resolve().payer_files(),  # the site folder's, when IT named one (OMALIREF_SITE_DIR or settings.toml)
    ]
    user = [config_dir / "payers.toml"]
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        user.append(Path(named))
    kept = [p for p in dict.fromkeys([*site, *user]) if p.exists() or p == Path(named)]
    return [p for p in kept if p in site], [p for p in kept if p not in site]


def organization_files(config_dir: Path) -> list[Path]:
    """Site config folder, site folder, user config folder, then OMALIREF_PAYERS: each read when it exists."""
    site, user = organization_tiers(config_dir)
    return [*site, *user]


def load_profiles(
    built_in: Mapping[str, PayerProfile],
    files: Iterable[Path],
    states: Iterable[State340B] = (),
    *,
    site: Collection[Path] = (),
) -> Profiles:
    """The built-ins (checked with the pack) merged with each organization file, in order: a later file's profile
    replaces an earlier one of the same id and says so (`PayerProfile.replaces`), except that a user's file (one not
    in `site`) never replaces the site's: that profile is left out with a notice and the site's is used."""
    by_id = dict(built_in)
    notices: list[str] = []
    read: list[str] = []
    site_ids: dict[str, Path] = {}
    for path in files:
        try:
            if not path.exists():
                raise PackError(str(path), "whole file", "", "does not exist")
            profiles = parse_profiles(read_payer_text(path), str(path), origin=str(path), states=states)
        except PackError as exc:
            notices.append(f"The payer file {exc} — it was left out; the built-in profiles are used.")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            notices.append(f"The payer file {path} could not be read ({exc.__class__.__name__}) — it was left out.")
            continue
        except Exception as exc:  # whatever a file holds, it never stops the app (#4)
            notices.append(
                f"The payer file {path} could not be used ({_unusable(exc)}) — it was left out; "
                "the built-in profiles are used."
            )
            continue
        read.append(str(path))
        for profile in profiles:
            if path not in site and profile.id in site_ids:
                notices.append(
                    f"The payer file {path} defines '{profile.id}', which the site's file {site_ids[profile.id]} "
                    "defines too: the site's profile is used (a user's file never replaces the organization's)."
                )
                continue
            if path in site:
                site_ids[profile.id] = path
            earlier = by_id.get(profile.id)
            by_id[profile.id] = replace(profile, replaces=earlier.origin) if earlier is not None else profile
    return Profiles(by_id, tuple(notices), tuple(read))
