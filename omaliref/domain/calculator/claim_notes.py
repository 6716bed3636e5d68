"""What the coder is told about the lines: several NDCs, NDC units, dated payer values, limits, packages."""

from __future__ import annotations

import datetime as dt

from omaliref.domain.calculator.results import ClaimLine, ContainerUse, rule_note
from omaliref.domain.case import Case
from omaliref.domain.model import Catalog, Code
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.payer import PayerProfile


def ndc_notes(
    catalog: Catalog, containers: tuple[ContainerUse, ...], lines: tuple[ClaimLine, ...], profile: PayerProfile
) -> Notes:
    """Rules ndc-line-per-ndc, jw-line-ndc, ndc-format and ndc-unit-syringe: how the NDCs go on the lines."""
    notes = _several_ndcs(catalog, containers, profile)
    if any(line.kind == "discarded" for line in lines):
        notes += rule_note(
            catalog,
            "info",
            "NDC quantity by amount: each line's NDC quantity is the amount given or wasted in the NDC's unit, and "
            "the JW line repeats the NDC of the container the drug was discarded from (LifeWise 2024 convention; "
            "no CMS text says which NDC) — verify per payer.",
            "jw-line-ndc",
            applied=True,
        )
    fractional_un = sorted(
        {p.ndc for line in lines for p in line.ndc_parts if p.ndc_unit == "UN" and p.ndc_quantity.denominator != 1}
    )
    if fractional_un:
        notes += rule_note(
            catalog,
            "warning",
            "UN counts containers, but the quantity by amount is a fraction for "
            + ", ".join(fractional_un)
            + ": some payers want whole containers — check the payer's rule before sending.",
            "jw-line-ndc",
        )
    notes += _ndc_units(catalog, containers, profile)
    return notes


def _several_ndcs(catalog: Catalog, containers: tuple[ContainerUse, ...], profile: PayerProfile) -> Notes:
    """Rule ndc-line-per-ndc: how this payer wants a dose drawn from several NDCs, and who says so."""
    if len({c.product.ndc for c in containers}) < 2:
        return Notes()
    how = {
        "split-lines": "one line per NDC, the units split",
        "split-lines-kp-kq": "one line per NDC, KP on the first and KQ on the others",
        "single-line-note": "one line with the first NDC; the others in the note (item 19 / NTE)",
    }[profile.multi_ndc]
    basis = profile.provenance("multi_ndc")
    whose = "the app's default" if basis.status == "default" else basis.describe()
    notes = rule_note(
        catalog, "info", f"Several NDCs: {how} ({profile.name}; {whose}).", "ndc-line-per-ndc", applied=True
    )
    if profile.multi_ndc != "single-line-note" and basis.status != "sourced":
        notes += _payers_differ(profile)
    return notes


def _ndc_units(catalog: Catalog, containers: tuple[ContainerUse, ...], profile: PayerProfile) -> Notes:
    """Rules ndc-format and ndc-unit-syringe: an NDC unit of measure missing from the data, or only a default."""
    notes = Notes()
    for product in {c.product.ndc: c.product for c in containers if c.product.ndc_unit_note}.values():
        notes += Notes(
            (Warning_("warning", f"{product.ndc}: {product.ndc_unit_note}", sources=product.provenance.sources),)
        )
    missing = [c.product.ndc for c in containers if not c.product.ndc_unit]
    if missing:
        notes += rule_note(
            catalog,
            "warning",
            "The NDC unit of measure is not in the data for "
            + ", ".join(missing)
            + ": take it (UN, ML, …) and the quantity from the package label"
            + (f" ({profile.name} requires them on every drug line)." if profile.ndc_required else "."),
            "ndc-format",
        )
    elif any(c.product.ndc_unit_confidence == "low" and not c.product.ndc_unit_note for c in containers):
        notes += rule_note(
            catalog,
            "info",
            "NDC unit "
            + "/".join(sorted({c.product.ndc_unit for c in containers if not c.product.ndc_unit_note}))
            + " is the default for this container; some payers want UN — verify per payer.",
            "ndc-unit-syringe",
            applied=True,
        )
    return notes


def _payers_differ(profile: PayerProfile) -> Notes:
    """Several NDCs on split lines where the payer's own rule is not known: say who is known to deny them."""
    if profile.kind == "medicare":
        text = (
            "MACs differ on several NDCs of one drug: Palmetto GBA (JM) wants one line with the other NDC in item 19 "
            "/ NTE02 and denies split lines as duplicates; no CMS instruction was found, and one line per NDC is "
            "this app's default, not a Medicare rule — choose your MAC's profile or check its rule."
        )
        return Notes((Warning_("warning", text, "ndc-line-per-ndc", ("palmetto-ndc",)),))
    if profile.kind in ("commercial", "medicare-advantage"):
        text = (
            "Plans differ on several NDCs of one drug: Blue Cross NC (commercial and Medicare Advantage) pays one "
            "claim line of a drug per day and denies the other lines without JW; one line per NDC is this app's "
            "default — check the plan's rule."
        )
        return Notes((Warning_("warning", text, "ndc-line-per-ndc", ("bcnc-drugs-commercial", "bcnc-drugs-ma")),))
    return Notes()


def dated_values(profile: PayerProfile, uses_340b: bool) -> Notes:
    """Say which of the payer's dated values applied on the date of service, and their source."""
    fields = ("jw_jz", "multi_ndc", "ndc_unit_devices", "cms1500_ndc_box") + (
        ("modifier_340b", "modifier_340b_ub04_position") if uses_340b else ()
    )
    return Notes(
        tuple(
            Warning_(
                "info",
                f"{profile.name}: the {b.field} value in force on {profile.resolved_on} is '{b.value}' "
                f"({b.bounds_text()}; {b.describe()}).",
                sources=(b.source,) if b.source else (),
            )
            for b in profile.dated_values
            if b.field in fields
        )
    )


def payer_limits(catalog: Catalog, code: Code, lines: tuple[ClaimLine, ...], profile: PayerProfile) -> Notes:
    """Rule payer-max-units."""
    notes = Notes()
    total = sum(line.units for line in lines)
    limit = profile.max_units.get(code.code)
    if limit is not None and total > limit:
        notes += rule_note(
            catalog,
            "warning",
            f"{total} units are more than {profile.name}'s maximum of {limit} {code.code} units: expect a denial "
            "unless the payer granted an exception.",
            "payer-max-units",
            applied=True,
        )
    return notes


def package_notes(containers: tuple[ContainerUse, ...], day: dt.date) -> Notes:
    """Marketing status, unverified presentations, and packages first marketed after the date of service."""
    out: list[Warning_] = []
    for c in containers:
        p = c.product
        if p.marketing_status != "listed":
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc}: marketing status {p.marketing_status}. {p.status_note}".strip(),
                    sources=p.provenance.sources,
                )
            )
        elif not p.presentation_verified or (p.container_type != "unknown" and not p.verified):
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc} is not a verified package ({p.presentation}; {p.provenance.confidence} confidence): "
                    "check the NDC, contents and single-dose status on the package label before billing.",
                    sources=p.provenance.sources,
                )
            )
        if p.marketing_start and p.marketing_start > day:
            out.append(
                Warning_(
                    "warning",
                    f"{p.ndc} was first marketed {p.marketing_start}, after the date of service {day}.",
                    sources=p.provenance.sources,
                )
            )
    return Notes(tuple(out))


def admin_code(catalog: Catalog, code: Code, case: Case, containers: tuple[ContainerUse, ...]) -> str:
    """Rule admin-code: the administration service goes on its own line; its code follows the containers' route
    (rules.toml [[route]], in file order), else the code's own admin_codes."""
    routes = {c.product.route for c in containers}
    facts = next((f for f in catalog.routes.values() if f.route in routes), None)
    if facts is not None:
        return facts.admin_code
    if not code.admin_codes:  # an imported code: the CMS files give no route
        return catalog.administration[case.setting].no_route
    return ", ".join(code.admin_codes)
