"""Codes and modifiers in force on the date of service, and the 340B modifier the payer wants (rules
modifier-340b, payer-340b-modifier)."""

from __future__ import annotations

import datetime as dt

from omaliref.domain.audit.findings import Finding
from omaliref.domain.audit.lines import ReadLine, rule_sources
from omaliref.domain.calculator import code_in_force, modifier_in_force
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code
from omaliref.domain.payer import PayerProfile
from omaliref.domain.vocab import MEDICARE_340B_MODIFIERS, MODIFIERS_340B


def check_in_force(r: ReadLine, catalog: Catalog, code: Code, day: dt.date) -> None:
    """The calculator's own refusals: a code or modifier not valid on the date of service."""
    sources = tuple(dict.fromkeys(((code.dates_source,) if code.dates_source else ()) + code.provenance.sources))
    try:
        for w in code_in_force(code, day).warnings:
            r.findings.append(Finding(w.level, "in-force", w.message, "Check the date of service.", w.rule, w.sources))
    except InputError as exc:
        r.findings.append(Finding("error", "in-force", str(exc), f"Bill the code in force on {day}.", sources=sources))
    for text in r.modifiers:
        try:
            modifier_in_force(catalog, text, day, "modifiers")
        except InputError as exc:
            modifier = catalog.modifiers[text]
            instead = " or ".join(modifier.replaced_by)
            dates = (modifier.dates_source,) if modifier.dates_source else ()
            r.findings.append(
                Finding(
                    "error",
                    "in-force",
                    str(exc),
                    f"Replace {text} with {instead}." if instead else f"Remove {text} from the line.",
                    "modifier-340b" if text in MEDICARE_340B_MODIFIERS else "",
                    tuple(dict.fromkeys(dates + modifier.provenance.sources)),
                )
            )


def check_340b(r: ReadLine, acquired_340b: bool) -> None:
    """The line's 340B modifier against the payer's; `acquired_340b`: every line is a 340B-acquired drug, so a
    line without the modifier its payer wants is a finding too."""
    profile, catalog = r.profile, r.catalog
    assert profile is not None and catalog is not None
    used = [m for m in r.modifiers if m in MODIFIERS_340B]
    if not used:
        if acquired_340b:
            _missing_340b(r, profile, catalog)
        return
    if len(used) > 1:
        r.findings.append(
            Finding(
                "error",
                "340b",
                f"Two 340B modifiers on one line: {', '.join(used)}.",
                "Keep the one modifier the payer wants.",
                "payer-340b-modifier",
                rule_sources(r, "payer-340b-modifier"),
            )
        )
        return
    m = used[0]
    if profile.kind != "medicare":
        _payer_340b(r, profile, m)
    elif m not in MEDICARE_340B_MODIFIERS:
        r.findings.append(
            Finding(
                "error",
                "340b",
                f"{m} is a Medicaid program's 340B modifier; Medicare Part B uses JG or TB.",
                "Replace it with TB (JG ended 2024-12-31).",
                "modifier-340b",
                rule_sources(r, "modifier-340b"),
            )
        )


def _payer_340b(r: ReadLine, profile: PayerProfile, m: str) -> None:
    """One 340B modifier on the line of a payer other than Medicare: the one its profile names, first on an
    institutional claim when it is UD."""
    wanted, rule = profile.modifier_340b, "payer-340b-modifier"
    sources = rule_sources(r, rule) + profile.sources
    if wanted == "none":
        r.findings.append(
            Finding(
                "warning",
                "340b",
                f"{profile.name} names no 340B modifier; the line carries {m}.",
                f"Check the payer's 340B rule; remove {m} if the payer does not want it.",
                rule,
                sources,
            )
        )
    elif m != wanted:
        r.findings.append(
            Finding(
                "error",
                "340b",
                f"{profile.name} uses {wanted} for 340B drugs, not {m}.",
                f"Replace {m} with {wanted}.",
                rule,
                sources,
            )
        )
    elif wanted == "UD" and r.setting == "hospital-outpatient" and r.modifiers[0] != "UD":
        r.findings.append(
            Finding(
                "warning",
                "340b",
                f"{profile.name}: UD is the first modifier on institutional claims.",
                "Move UD to the first modifier position.",
                rule,
                sources,
            )
        )


def _missing_340b(r: ReadLine, profile: PayerProfile, catalog: Catalog) -> None:
    """A 340B-acquired drug's line without the modifier its payer wants on the date (rules modifier-340b,
    payer-340b-modifier); a payer that names none wants none."""
    assert r.day is not None
    if profile.kind == "medicare":
        rule = catalog.rule("modifier-340b")
        if not rule.in_force_on(r.day):
            return
        wanted = [
            m for m in MEDICARE_340B_MODIFIERS if m in catalog.modifiers and catalog.modifiers[m].in_force_on(r.day)
        ]
        if profile.modifier_340b in wanted:
            wanted = [profile.modifier_340b]
        rule_id = rule.id
    elif profile.modifier_340b != "none":
        wanted, rule_id = [profile.modifier_340b], "payer-340b-modifier"
    else:
        return
    first = " as the first modifier" if wanted == ["UD"] and r.setting == "hospital-outpatient" else ""
    r.findings.append(
        Finding(
            "error",
            "340b",
            f"A 340B-acquired drug without {' or '.join(wanted)}: {profile.name} wants it on {r.day}.",
            f"Add {' or '.join(wanted)}{first}.",
            rule_id,
            rule_sources(r, rule_id) + profile.sources,
        )
    )


def check_route(r: ReadLine, catalog: Catalog, code: Code, day: dt.date) -> None:
    """Rule route-modifier-j0490: a multi-route code's line carries the route modifier of its NDC's route (JA for
    IV, JB for SC) for Medicare from the rule's date; a route modifier that names the other route is wrong for any
    payer. The calculator puts it on the lines it makes; a keyed line is checked the same way."""
    if not code.route_modifier_required:
        return
    rule = catalog.rule("route-modifier-j0490")
    sources = rule_sources(r, rule.id)
    by_modifier = {facts.modifier: route for route, facts in catalog.routes.items() if facts.modifier}
    keyed = [m for m in r.modifiers if m in by_modifier]
    route = r.product.route if r.product is not None else ""
    facts = catalog.routes.get(route)
    wanted = facts.modifier if facts is not None else ""
    medicare = r.profile is not None and r.profile.kind == "medicare" and rule.in_force_on(day)
    if wanted and any(m != wanted for m in keyed):
        wrong = next(m for m in keyed if m != wanted)
        r.findings.append(
            Finding(
                "error",
                "route",
                f"{wrong} says {by_modifier[wrong]}, but NDC {r.ndc11} is given {route}.",
                f"Replace {wrong} with {wanted}.",
                rule.id,
                sources,
            )
        )
    elif medicare and not keyed:
        what = wanted or " or ".join(f"{m} ({route})" for m, route in by_modifier.items())
        r.findings.append(
            Finding(
                "error" if wanted else "warning",
                "route",
                f"A Medicare {code.code} line carries its route modifier (from {rule.effective_from}): {what}.",
                f"Add {wanted}." if wanted else "Add the modifier of the route given (the line names no NDC).",
                rule.id,
                sources,
            )
        )
