"""Payer profiles from files: the built-in resources/payers.toml, then the organization's payers.toml files.

The organization's files are read from the site config folder, the user config folder and the file named by
OMALIREF_PAYERS, in that order; a profile with an id already seen replaces it. A broken organization file never
stops the app: it is reported in one sentence and left out, and the built-ins are used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from omaliref.domain.errors import PackError
from omaliref.domain.payer import PayerProfile
from omaliref.domain.vocab import CMS1500_NDC_GAPS, DeviceUnit, JwJzPolicy, MultiNdc, PayerKind

ENV_VAR = "OMALIREF_PAYERS"
# --payer (a payer kind) -> the built-in profile it stands for
PROFILE_FOR_KIND: dict[str, str] = {
    "medicare": "medicare-part-b",
    "medicare-advantage": "medicare-advantage",
    "medicaid": "medicaid",
    "commercial": "commercial",
}


@dataclass(frozen=True)
class Profiles:
    """Every profile by id, and one sentence for each organization file that could not be used."""

    by_id: Mapping[str, PayerProfile]
    notices: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the organization files that were read


def parse_profiles(text: str, file: str, *, origin: str, source_ids: set[str] | None = None) -> list[PayerProfile]:
    """Profiles from one payers.toml; a PackError names file, record and field. Built-in profiles must cite
    resolvable source ids (`source_ids`); an organization's may cite anything. The parser and schema load here:
    with no organization file, start-up never needs them (the built-ins come compiled with the pack)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(file, "whole file", "", f"not valid TOML ({exc})") from None
    extra = set(data) - {"payer"}
    if extra:
        raise PackError(file, "top level", sorted(extra)[0], "unknown table; expected only [[payer]]")
    rows = data.get("payer", [])
    if not isinstance(rows, list) or not rows:
        raise PackError(file, "top level", "payer", "expected one or more [[payer]] records")
    seen: set[str] = set()
    return [_profile(row, index, file, origin, source_ids, seen) for index, row in enumerate(rows, start=1)]


def _profile(row: Any, index: int, file: str, origin: str, source_ids: set[str] | None, seen: set[str]) -> PayerProfile:
    from omaliref.data.pack_schema import PAYER

    label = f"payer '{row['id']}'" if isinstance(row, dict) and isinstance(row.get("id"), str) else f"payer #{index}"

    def fail(field: str, problem: str) -> PackError:
        return PackError(file, label, field, problem)

    if not isinstance(row, dict):
        raise fail("", "expected a table")
    for name in row:
        if name not in PAYER.fields:
            raise fail(name, f"unknown field; known: {', '.join(PAYER.fields)}")
    for name, spec in PAYER.fields.items():
        if name not in row:
            if spec.required:
                raise fail(name, "missing required field")
            continue
        value = row[name]
        ok = {
            "str": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "strs": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "dict": isinstance(value, dict),
        }[spec.type]
        if not ok:
            raise fail(name, f"expected {spec.type}, got {type(value).__name__}")
        if spec.choices and value not in spec.choices:
            raise fail(name, f"'{value}' is not allowed: must be one of {', '.join(spec.choices)}")
    ident = row["id"]
    if not ident or ident != ident.strip().lower() or " " in ident:
        raise fail("id", "must be lower-case words joined by hyphens")
    if ident in seen:
        raise fail("id", f"duplicate id '{ident}'")
    seen.add(ident)
    gap = row.get("cms1500_ndc_gap", 1)
    if gap not in CMS1500_NDC_GAPS:
        raise fail("cms1500_ndc_gap", f"must be one of {', '.join(map(str, CMS1500_NDC_GAPS))}")
    max_units = row.get("max_units", {})
    for code, limit in max_units.items():
        if not (isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < 1_000_000):
            raise fail(f"max_units.{code}", "must be a whole number of units from 1 to 999,999")
    sources = tuple(row.get("sources", ()))
    if source_ids is not None:
        if not sources:
            raise fail("sources", "a built-in profile cites at least one source id")
        for sid in sources:
            if sid not in source_ids:
                raise fail("sources", f"unresolved source id '{sid}'")
    return PayerProfile(
        id=ident,
        name=row["name"],
        kind=cast(PayerKind, row["kind"]),
        multi_ndc=cast(MultiNdc, row.get("multi_ndc", "split-lines")),
        jw_jz=cast(JwJzPolicy, row.get("jw_jz", "medicare")),
        modifier_340b=row.get("modifier_340b", "none"),
        ndc_unit_devices=cast(DeviceUnit, row.get("ndc_unit_devices", "ML")),
        ndc_required=row.get("ndc_required", True),
        cms1500_ndc_gap=gap,
        max_units=dict(max_units),
        prior_authorization=row.get("prior_authorization", False),
        step_therapy=row.get("step_therapy", False),
        mac=row.get("mac", "").strip().upper(),
        sample=row.get("sample", False),
        sources=sources,
        origin=origin,
        note=row.get("note", ""),
    )


def organization_files(config_dir: Path) -> list[Path]:
    """Site config folder, user config folder, then OMALIREF_PAYERS: each read when it exists."""
    from platformdirs import site_config_dir

    candidates = [Path(site_config_dir("omaliref", appauthor=False)) / "payers.toml", config_dir / "payers.toml"]
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        candidates.append(Path(named))
    return [p for p in dict.fromkeys(candidates) if p.exists() or p == Path(named)]


def load_profiles(built_in: Mapping[str, PayerProfile], files: Iterable[Path]) -> Profiles:
    """The built-ins (checked with the pack) merged with each organization file."""
    by_id = dict(built_in)
    notices, read = [], []
    for path in files:
        try:
            if not path.is_file():
                raise PackError(str(path), "whole file", "", "does not exist or is not a file")
            profiles = parse_profiles(path.read_text(encoding="utf-8"), str(path), origin=str(path))
        except PackError as exc:
            notices.append(f"The payer file {exc} — it was left out; the built-in profiles are used.")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            notices.append(f"The payer file {path} could not be read ({exc.__class__.__name__}) — it was left out.")
            continue
        read.append(str(path))
        by_id |= {p.id: p for p in profiles}
    return Profiles(by_id, tuple(notices), tuple(read))
