"""Payer profiles as text: `payers list`, `payers show`, `payers check`, and the provenance line that names the
profile and the defaults a calculation's lines rest on."""

from __future__ import annotations

from collections.abc import Sequence

from omaliref.domain.calculator import DEVICE_FORMS, CalcResult
from omaliref.domain.outcome import Outcome
from omaliref.domain.payer import FieldBasis, PayerProfile
from omaliref.domain.vocab import FORM_FOR_SETTING

# What each rule field of a payer profile is called in every text view.
FIELD_LABELS: dict[str, str] = {
    "multi_ndc": "Several NDCs",
    "jw_jz": "JW/JZ",
    "modifier_340b": "340B modifier",
    "modifier_340b_ub04_position": "340B modifier position on the UB-04",
    "ndc_unit_devices": "NDC unit for prefilled syringes and autoinjectors",
    "ndc_required": "NDC on every drug line",
    "cms1500_ndc_gap": "CMS-1500 item 24A blanks between the NDC and the unit",
    "cms1500_ndc_box": "CMS-1500 box for the NDC on paper",
    "max_units": "Maximum units",
    "prior_authorization": "Prior authorization",
    "step_therapy": "Step therapy",
}


MULTI_NDC_TEXT = {
    "split-lines": "one line per NDC",
    "split-lines-kp-kq": "one line per NDC, KP on the first and KQ on the others",
    "single-line-note": "one line, the other NDCs in the note (item 19 / NTE)",
}


SAMPLE_TEXT = "SAMPLE: confirm with the payer"


def _field_value(name: str, value: object) -> str:
    if name == "multi_ndc":
        return MULTI_NDC_TEXT.get(str(value), str(value))
    if name == "cms1500_ndc_box":
        return "item 24A (shaded part)" if value == "24a" else "item 19"
    if name == "modifier_340b_ub04_position":
        return {0: "after the others", 1: "first", 2: "second"}.get(value, str(value)) if isinstance(value, int) else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{code} {n}" for code, n in value.items()) or "none known"
    return str(value)


def _basis_text(b: FieldBasis) -> str:
    bounds = f" [{b.bounds_text()}]" if b.bounded else ""
    return f"{_field_value(b.field, b.value)}{bounds} — {b.describe()}"


def profile(p: PayerProfile) -> str:
    """`payers show`: each rule field with its value and where it comes from (a source, or the app's default)."""
    out = [
        f"{p.id} — {p.name}" + (f"  ({SAMPLE_TEXT})" if p.sample else ""),
        f"Kind {p.kind}; from {p.origin}"
        + (f"; MAC {p.mac}" if p.mac else "")
        + (f"; state {p.state}" if p.state else ""),
    ]
    if p.replacement:
        out.append(f"Replaces: {p.replacement}.")
    for name, label in FIELD_LABELS.items():
        options = p.basis_for(name)
        if len(options) == 1:
            out.append(f"{label}: {_basis_text(options[0])}")
        else:
            out.append(f"{label}:")
            out += [f"  {_basis_text(b)}" for b in options]
    if p.note:
        out.append(p.note)
    if p.sources:
        out.append("Sources: " + ", ".join(p.sources))
    return "\n".join(out)


def profiles(found: list[PayerProfile]) -> str:
    return "\n".join(
        f"{p.id:24} {p.kind:19} {p.name}"
        + (" [sample]" if p.sample else "")
        + ("" if p.origin == "built-in" else f" [{p.origin}]")
        + (f" [replaces {'the built-in' if p.replaces == 'built-in' else p.replaces}]" if p.replaces else "")
        for p in found
    )


def defaults_in_use(r: CalcResult) -> tuple[FieldBasis, ...]:
    """The profile values the calculation's lines depend on that are not the payer's sourced rule."""
    p, case = r.case.payer_profile, r.case
    form = FORM_FOR_SETTING[case.setting]
    used: list[str] = []
    if len({c.product.ndc for c in r.containers}) > 1:
        used.append("multi_ndc")
    if r.has_jw or r.has_jz or r.discarded_amount.amount:
        used.append("jw_jz")
    if case.modifier_340b and case.payer != "medicare":
        used += ["modifier_340b"] + (["modifier_340b_ub04_position"] if form == "ub04" else [])
    if any(c.product.form in DEVICE_FORMS for c in r.containers):
        used.append("ndc_unit_devices")
    if form == "cms1500":
        used += ["cms1500_ndc_box"] + (["cms1500_ndc_gap"] if p.cms1500_ndc_box == "24a" else [])
    return tuple(b for name in used if (b := p.provenance(name)).status != "sourced")


def provenance_line(r: CalcResult) -> str:
    """One line naming the payer profile, "sample" when it is one, and the defaults the lines depend on: the CLI's
    stderr line for machine formats, the units text, and what the window shows beside the payer and after a copy."""
    p = r.case.payer_profile
    head = _profile_head(p)
    found = defaults_in_use(r)
    if not found:
        return f"{head}; every profile value these lines use is sourced."
    shown = "; ".join(
        f"{FIELD_LABELS[b.field]}: {_field_value(b.field, b.value)}"
        + (" (set by the organization's file, no source)" if b.status == "organization" else "")
        for b in found
    )
    return f"{head}; these lines rest on defaults (the app's choice, not the payer's rule): {shown}."


def _profile_head(p: PayerProfile) -> str:
    """'Payer profile ID (name, origin)', with "sample" and what it replaced when it did (red team 2026-12 #11)."""
    return (
        f"Payer profile {p.id} ({p.name}, {p.origin})"
        + (f" — {SAMPLE_TEXT}" if p.sample else "")
        + (f" — {p.replacement}" if p.replacement else "")
    )


def provenance_summary(o: Outcome) -> str:
    """The provenance line for an outcome (the profile alone when there is no calculation)."""
    if o.calculation is not None:
        return provenance_line(o.calculation)
    return _profile_head(o.case.payer_profile) + "."


def payer_file(file: str, found: Sequence[PayerProfile]) -> str:
    """`payers check FILE` of a valid file: how many profiles, and their ids."""
    return f"{file}: {len(found)} payer profile(s) valid: " + ", ".join(p.id for p in found)
