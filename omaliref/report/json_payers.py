"""The JSON shapes of payer profiles: `payers list`, `payers show`, `payers check` and the profile in `units`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from omaliref.domain.payer import PROVENANCE_FIELDS, FieldBasis, PayerProfile
from omaliref.report.json_reference import iso_date


def field_basis(b: FieldBasis) -> dict[str, Any]:
    """One value of a profile field with where it comes from: a source, or `default: true`."""
    value = dict(b.value) if isinstance(b.value, Mapping) else b.value
    return {
        "value": value,
        "status": b.status,
        "default": b.status == "default",
        "source": b.source or None,
        "quote": b.quote or None,
        "locator": b.locator or None,
        "checked": iso_date(b.checked),
        "effective_from": iso_date(b.effective_from),
        "effective_to": iso_date(b.effective_to),
        "form": b.form,
        "why": b.why or None,
        "set_by": b.set_by or None,
    }


def profile(p: PayerProfile) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "multi_ndc": p.multi_ndc,
        "jw_jz": p.jw_jz,
        "modifier_340b": p.modifier_340b,
        "ndc_unit_devices": p.ndc_unit_devices,
        "ndc_required": p.ndc_required,
        "cms1500_ndc_gap": p.cms1500_ndc_gap,
        "max_units": dict(p.max_units),
        "prior_authorization": p.prior_authorization,
        "step_therapy": p.step_therapy,
        "mac": p.mac or None,
        "sample": p.sample,
        "note": p.note or None,
        "sources": list(p.sources),
        "origin": p.origin,
        "replaces": p.replaces or None,  # the origin of the profile of the same id this one replaced
        "state": p.state or None,
        "cms1500_ndc_box": p.cms1500_ndc_box,
        "modifier_340b_ub04_position": p.modifier_340b_ub04_position,
        "resolved_on": iso_date(p.resolved_on),
        "fields": {name: [field_basis(b) for b in p.basis_for(name)] for name in PROVENANCE_FIELDS},
        "defaults": [name for name in PROVENANCE_FIELDS if p.provenance(name).status == "default"],
        "in_force": {b.field: field_basis(b) for b in p.chosen} or None,
    }


def payers(found: Sequence[PayerProfile], files: Iterable[str], notices: Iterable[str]) -> dict[str, Any]:
    """`payers list --json`: every profile in use, the organization's files read, and what was said about them."""
    return {"profiles": [profile(p) for p in found], "files": list(files), "notices": list(notices)}


def payer_file(file: str, found: Sequence[PayerProfile], problems: Sequence[Any]) -> dict[str, Any]:
    """`payers check FILE --json`: the file's profiles when it is valid, else every problem (dataclasses with line,
    record, field, value and why) and no profile: the app uses none of an invalid file's profiles."""
    return {
        "file": file,
        "profiles": [] if problems else [profile(p) for p in found],
        "problems": [asdict(p) for p in problems],
    }


def payer_file_refused(file: str, record: str, why: str) -> dict[str, Any]:
    """`payers check FILE --json` for a file refused before reading (not a regular file, too large): one problem."""
    problem = {"line": 0, "record": record, "field": "", "value": "", "why": why}
    return {"file": file, "profiles": [], "problems": [problem]}
