"""JW/JZ, the 340B modifier and the route modifier, and the drug line when the practice did not buy the drug."""

from __future__ import annotations

from dataclasses import replace

from omaliref.domain.calculator.dose import modifier_in_force
from omaliref.domain.calculator.results import ClaimLine, ContainerUse, Units, rule_note
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.payer import PayerProfile
from omaliref.domain.supply import NOT_KNOWN_SOURCES, supply_not_known, supply_rule_for
from omaliref.domain.vocab import MEDICARE_340B_MODIFIERS, SUPPLIER_TEXT, WarningLevel


def label_confirmed(catalog: Catalog, case: Case, containers: tuple[ContainerUse, ...]) -> list[ContainerUse]:
    """The containers of unknown single-dose status whose label the coder confirmed: an NDC the coder named and
    confirmed, never one the calculator chose (one tick once covered whatever package it then picked, #25)."""
    if not case.containers:
        return []
    named: set[str] = set()
    for text in case.single_dose_ndcs:
        try:
            named.add(catalog.product(text).ndc)
        except InputError:
            continue  # an NDC no longer named, or mistyped: it confirms nothing
    return [c for c in containers if c.product.container_type == "unknown" and c.product.ndc in named]


def waste_modifiers_allowed(catalog: Catalog, case: Case, containers: tuple[ContainerUse, ...]) -> tuple[bool, Notes]:
    """Rules jw-jz-not-separately-payable and single-dose-only: may JW/JZ appear at all?"""
    confirmed = label_confirmed(catalog, case, containers)
    single_dose = all(c.product.single_dose or c in confirmed for c in containers)
    notes = Notes()
    if confirmed:
        notes += Notes(
            (
                Warning_(
                    "info",
                    "Single-dose status of "
                    + ", ".join(c.product.ndc for c in confirmed)
                    + " confirmed by you from the label (the data does not give it).",
                    rule="single-dose-only",
                ),
            )
        )
    allowed = True
    if not case.separately_payable:
        allowed = False
        notes += rule_note(
            catalog,
            "info",
            "Not separately payable (packaged OPPS, FQHC/RHC or CAP): no JW/JZ.",
            "jw-jz-not-separately-payable",
            applied=True,
        )
    elif not single_dose:
        allowed = False
        text = _not_single_dose(case, containers)
        notes += rule_note(catalog, "warning", text, "single-dose-only", applied=True)
    inferred = sorted(
        {c.product.ndc for c in containers if c.product.single_dose and c.product.container_type_confidence != "high"}
    )
    if inferred:
        notes += Notes(
            (
                Warning_(
                    "info",
                    "Single-dose status of a container used is inferred ("
                    + ", ".join(inferred)
                    + "); JW/JZ are shown on that basis.",
                ),
            )
        )
    return allowed, notes


def _not_single_dose(case: Case, containers: tuple[ContainerUse, ...]) -> str:
    """Rule single-dose-only: why JW/JZ are not applied, and what would let them apply."""
    unknown = [c.product.ndc for c in containers if c.product.container_type == "unknown"]
    if unknown and not case.containers:
        text = (
            "Single-dose status of " + ", ".join(unknown) + ", chosen by the calculator, is not established: "
            "JW/JZ not applied. A single-dose confirmation covers only an NDC you name: name the NDC opened "
            "(the package list, or --package) and, if its label says single-dose, confirm it ('Label says "
            "single-dose', or --single-dose) to apply JW/JZ."
        )
    elif unknown:
        text = (
            "Single-dose status of " + ", ".join(unknown) + " is not established: JW/JZ not applied. If the "
            "label says single-dose, confirm it ('Label says single-dose', or --single-dose) to apply JW/JZ."
        )
    else:
        text = "Multi-dose container: JW/JZ never apply."
    return text


def waste_modifiers(
    catalog: Catalog,
    case: Case,
    units: Units,
    allowed: bool,
    code: Code | None = None,
    containers: tuple[ContainerUse, ...] = (),
) -> tuple[bool, bool, Notes]:
    """Rules jw-min-one-unit, cap-labelled-contents, jw-required, jz-optional, jz-required, jw-jz-returned,
    jw-jz-other-payers and payer-jw-jz-policy, in force on the date of service: (emit JW, emit JZ, notes)."""
    day = case.date_of_service
    notes = Notes()
    emit_jw = allowed and units.discarded >= 1
    if allowed and units.discarded_amount and units.discarded < 1:
        notes += Notes(rules=("jw-min-one-unit",))
    jw_rule, jz_opt, jz_req = catalog.rule("jw-required"), catalog.rule("jz-optional"), catalog.rule("jz-required")
    if emit_jw:
        notes += Notes(rules=("cap-labelled-contents",))
        if jw_rule.in_force_on(day):
            notes += Notes(rules=("jw-required",))
        else:
            notes += rule_note(catalog, "info", jw_rule.before_note, "jw-required")
    emit_jz = False
    if allowed and not emit_jw:
        if jz_req.in_force_on(day):
            emit_jz = True
            notes += Notes(
                rules=("jz-required",)
                + (("jw-jz-returned",) if catalog.rule("jw-jz-returned").in_force_on(day) else ())
            )
        elif jz_opt.in_force_on(day):
            emit_jz = True
            notes += rule_note(
                catalog,
                "info",
                f"JZ is optional for dates of service before {jz_req.effective_from}; "
                "shown because nothing was discarded.",
                "jz-optional",
                applied=True,
            )
        elif jz_opt.effective_from and day < jz_opt.effective_from:
            notes += rule_note(
                catalog, "info", f"JZ did not exist before {jz_opt.effective_from}: not emitted.", "jz-optional"
            )
    profile = case.payer_profile
    if profile.jw_jz != "medicare" and (emit_jw or emit_jz or units.discarded >= 1):
        emit_jw, emit_jz, policy = _payer_waste_policy(catalog, profile, emit_jw, emit_jz, code, containers)
        return emit_jw, emit_jz, notes + policy
    if (emit_jw or emit_jz) and case.payer != "medicare":
        notes += rule_note(
            catalog,
            "warning",
            f"JW/JZ shown by the Medicare convention ({profile.name}); {case.payer} plans vary — check this payer's "
            "rule.",
            "jw-jz-other-payers",
            applied=True,
        )
    return emit_jw, emit_jz, notes


def _payer_waste_policy(
    catalog: Catalog,
    profile: PayerProfile,
    emit_jw: bool,
    emit_jz: bool,
    code: Code | None,
    containers: tuple[ContainerUse, ...],
) -> tuple[bool, bool, Notes]:
    """Rule payer-jw-jz-policy: the payer profile's own JW/JZ policy replaces the Medicare convention."""
    if profile.jw_jz == "none":
        jw, jz, text = False, False, "no JW or JZ"
    elif profile.jw_jz == "jw-only":
        jw, jz, text = emit_jw, False, "JW for waste, no JZ"
    else:  # jw-weight-based-only
        weight_vials = bool(code and code.weight_based) and all(c.product.form == "vial" for c in containers)
        jw, jz = emit_jw and weight_vials, False
        text = "JW only for weight-based drugs from single-dose vials; JZ not addressed, so not added" + (
            "" if weight_vials or not emit_jw else " — this case is not one, so its waste is not billed"
        )
    basis = profile.provenance("jw_jz")
    whose = "" if basis.bounded else f"; {basis.describe()}"  # a dated value is explained by dated_values
    said = f"{profile.name}: {text} (payer profile{whose})."
    if profile.kind == "medicare":  # Medicare's own rule is JW/JZ: a profile of that kind turning it off is a risk
        said += (
            " Medicare requires JW or JZ on separately payable drugs from single-dose containers: check this profile."
        )
    level: WarningLevel = "warning" if profile.kind == "medicare" else "info"
    policy = rule_note(catalog, level, said, "payer-jw-jz-policy", applied=True)
    return jw, jz, policy


NOT_BOUGHT_MODIFIERS = (
    "No JW/JZ: the practice did not buy this drug, and the JW/JZ policy covers separately payable drugs "
    "(inferred: no source addresses a no-cost line)."
)


def drug_supplied_by(
    catalog: Catalog, case: Case, lines: tuple[ClaimLine, ...], admin_code: str
) -> tuple[tuple[ClaimLine, ...], Notes]:
    """A drug the practice did not buy: the payer's rule for its line (token charge, or left off), from supply.toml;
    where no rule is known the lines stay as computed and a warning lists the choices (the checklist holds a
    blocker), so a paid drug line is never shown without a word."""
    if case.supplied_by == "practice":
        return lines, Notes()
    profile = case.payer_profile
    who = SUPPLIER_TEXT[case.supplied_by]
    rule = supply_rule_for(catalog.supply_rules, profile.id, case.payer, case.setting, case.supplied_by)
    if rule is None:
        return lines, Notes((Warning_("warning", supply_not_known(profile.name, who), sources=NOT_KNOWN_SOURCES),))
    said = f"Drug supplied by {who}: {rule.text}"
    if rule.action == "leave-off":
        text = f"{said} The drug line is left off; bill the administration alone: {admin_code}."
        return (), Notes((Warning_("warning", text, sources=rule.provenance.sources),))
    token = tuple(replace(line, fixed_charge=rule.charge, non_covered=rule.non_covered) for line in lines)
    charged = f" Each drug line is charged ${rule.charge}" + (", the same as non-covered." if rule.non_covered else ".")
    return token, Notes((Warning_("warning", said + charged, sources=rule.provenance.sources),))


def modifier_340b(catalog: Catalog, case: Case) -> tuple[tuple[str, ...], Notes]:
    """Rules modifier-340b (Medicare; a modifier not in force on the date of service, such as JG from 2025, is
    refused) and payer-340b-modifier (other payers' profiles)."""
    if not case.modifier_340b:
        return (), Notes()
    if case.supplied_by != "practice":
        raise InputError(
            f"A 340B modifier marks a drug the practice bought under 340B, but this one was supplied by "
            f"{SUPPLIER_TEXT[case.supplied_by]}: remove one of them.",
            field="340b",
        )
    if case.payer != "medicare":
        return _payer_340b(catalog, case)
    if case.modifier_340b not in MEDICARE_340B_MODIFIERS:
        raise InputError(
            f"{case.modifier_340b} is a Medicaid program's 340B modifier; Medicare Part B uses JG or TB.", field="340b"
        )
    rule, day = catalog.rule("modifier-340b"), case.date_of_service
    if not case.separately_payable:
        return (), rule_note(
            catalog, "info", "340B modifier not added: the requirement covers separately payable Part B drugs.", rule.id
        )
    if not rule.in_force_on(day):
        return (), rule_note(
            catalog, "warning", f"{case.modifier_340b} did not exist before {rule.effective_from}: not added.", rule.id
        )
    modifier_in_force(catalog, case.modifier_340b, day, "340b")
    return (case.modifier_340b,), Notes(rules=(rule.id,))


def _payer_340b(catalog: Catalog, case: Case) -> tuple[tuple[str, ...], Notes]:
    """Rule payer-340b-modifier: a non-Medicare payer's 340B modifier comes from its profile."""
    profile = case.payer_profile
    if profile.modifier_340b == "none":
        return (), rule_note(
            catalog,
            "info",
            f"340B modifier not added: {profile.name} names no 340B modifier (the JG/TB requirement in the data pack "
            f"is Medicare Part B's); check {case.payer} rules.",
            "modifier-340b",
        )
    notes = Notes(rules=("payer-340b-modifier",))
    if case.modifier_340b != profile.modifier_340b:
        notes += rule_note(
            catalog,
            "warning",
            f"{profile.name} uses {profile.modifier_340b} for 340B drugs, not {case.modifier_340b}: "
            f"{profile.modifier_340b} is on the lines.",
            "payer-340b-modifier",
        )
    return (profile.modifier_340b,), notes


def _in_second_place(modifiers: tuple[str, ...], modifier: str) -> tuple[str, ...]:
    """The modifier moved to the second position (first when it is alone)."""
    rest = tuple(m for m in modifiers if m != modifier)
    return rest[:1] + (modifier,) + rest[1:]


def route_modifier(
    catalog: Catalog, code: Code, case: Case, containers: tuple[ContainerUse, ...]
) -> tuple[tuple[str, ...], Notes]:
    """Rule route-modifier-j0490: JA (IV) or JB (SC) on a multi-route code, for Medicare."""
    if not code.route_modifier_required:
        return (), Notes()
    rule = catalog.rule("route-modifier-j0490")
    routes = {c.product.route for c in containers}
    if len(routes) > 1:
        raise InputError(
            f"{code.code}: IV and SC containers on one claim line; enter one route at a time.", field="containers"
        )
    route = routes.pop()
    facts = catalog.routes.get(route)
    if facts is None or not facts.modifier:
        return (), Notes()
    route_mod = facts.modifier
    if case.payer == "medicare" and rule.in_force_on(case.date_of_service):
        notes = Notes(rules=(rule.id,))
        if facts.medicare_note:
            notes += rule_note(catalog, "warning", f"{code.code} given {route}: {facts.medicare_note}", rule.id)
        return (route_mod,), notes
    if not rule.in_force_on(case.date_of_service):
        reason = rule.before_note
    else:
        reason = f"{case.payer} plans vary" + (f"; {facts.other_payers}" if facts.other_payers else ".")
    return (), rule_note(catalog, "info", f"Route modifier {route_mod} not added: {reason}", rule.id)
