"""Documentation and denial-risk checklist: the checks that apply to this case, and a verdict.

The engine is pure: the case, and the calculation and dose check made for it, go in; applicable items, automatic
findings and a verdict come out. Ticks are the coder's confirmations and belong to the case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from omaliref.domain.cms_facts import mue_exceeded_text
from omaliref.domain.supply import supply_not_known, supply_rule_for
from omaliref.domain.vocab import (
    SEVERITIES,
    SUPPLIER_TEXT,
    WEIGHT_BASED_INDICATIONS,
    Severity,
    Verdict,
)

if TYPE_CHECKING:  # only for type hints; no import cycle at run time
    from omaliref.domain.calculator import CalcResult
    from omaliref.domain.case import Case
    from omaliref.domain.dosing import DoseAnswer
    from omaliref.domain.model import Catalog, Provenance

# condition key -> the value type the data pack must use for it
CONDITION_KEYS = {
    "codes": "strs",
    "payers": "strs",
    "indications": "strs",
    "settings": "strs",
    "jw_used": "bool",
    "jz_used": "bool",
    "is_340b": "bool",
    "weight_based": "bool",
    "from": "date",
    "to": "date",
    "escalate_on": "str",
    "ngs_mac": "bool",
    "prior_authorization": "bool",
    "step_therapy": "bool",
    "supplied_by": "strs",
}
# The findings this module raises that a checklist item may escalate on, and the severity each escalates to.
ESCALATIONS: dict[str, Severity] = {
    "jw-line": "blocker",
    "larger-container": "high",
    "dose-differs": "high",
    "mue-exceeded": "high",
}
# Calculator warnings (by rule) that predict a denial: the checklist repeats them as its own finding, which holds the
# verdict, instead of an advisory note pointing at the calculator pane.
DENIALS: dict[str, Severity] = {"payer-max-units": "high"}
FINDING_IDS = (
    "no-calculation",
    "jw-line",
    "larger-container",
    "dose-differs",
    "dose-unchecked",
    "single-dose-unknown",
    "mue-exceeded",
    "payer-max-units",
    "code-ended",
    "supply-not-known",
)
FindingOrigin = Literal["case", "calculation"]


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    why: str
    severity: Severity
    when: Mapping[str, Any]
    provenance: Provenance


@dataclass(frozen=True)
class AppliedItem:
    item: ChecklistItem
    severity: Severity  # after escalation by a finding
    conditional: bool  # shown because the case does not yet say whether it applies (no calculation, no MAC)
    escalated_by: str = ""
    detail: str = ""  # what the payer profile adds, e.g. its 340B modifier
    condition: str = ""  # when conditional: what it hinges on, e.g. "if JW is billed", "if your MAC is NGS"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: Severity
    message: str
    origin: FindingOrigin = "case"  # "calculation": a calculator warning repeated as a finding


@dataclass(frozen=True)
class Evaluation:
    items: tuple[AppliedItem, ...]
    findings: tuple[Finding, ...]

    def verdict(self, ticked: Collection[str] = ()) -> Verdict:
        """'blockers' while a blocker is open, 'high-risk' while a high item is open, else 'ready'."""
        open_severities = {a.severity for a in self.items if a.item.id not in ticked}
        open_severities |= {f.severity for f in self.findings if f.severity == "blocker"}
        if "blocker" in open_severities:
            return "blockers"
        if "high" in open_severities or any(f.severity == "high" for f in self.findings):
            return "high-risk"
        return "ready"


def _findings(result: CalcResult | None, answer: DoseAnswer | None, dosed: Collection[str]) -> list[Finding]:
    """The automatic findings; `dosed` are the codes the pack's dose tables dose."""
    out: list[Finding] = []
    if result is None:
        out.append(Finding("no-calculation", "advisory", "No calculation yet: JW/JZ items are shown as conditional."))
        return out
    if result.has_jw:
        out.append(
            Finding(
                "jw-line",
                "high",
                f"JW line of {result.discarded_units} units: the waste documentation "
                "items are blockers until confirmed.",
            )
        )
    exceeded = _mue_exceeded(result)
    if exceeded:
        out.append(Finding("mue-exceeded", "high", exceeded))
    if result.larger_container_than_needed:
        out.append(
            Finding(
                "larger-container",
                "high",
                "Containers larger than needed were opened: the waste may be questioned (smallest-container rule).",
            )
        )
    if answer is not None and result.code.code in dosed:
        dose_mg = result.dose_in_billing_unit.to("mg").amount
        if answer.status == "dose" and dose_mg not in set(answer.doses_mg):
            out.append(Finding("dose-differs", "high", f"The dose given differs from the label dose ({answer.label})."))
        elif answer.status != "dose":
            out.append(Finding("dose-unchecked", "advisory", answer.message))
    for warning in result.warnings:
        if warning.rule in DENIALS:  # a denial the payer's own limit predicts: the checklist's to say, and it holds
            out.append(Finding(warning.rule, DENIALS[warning.rule], warning.message))
        elif warning.level == "warning" and not (exceeded and warning.message == exceeded):
            out.append(Finding(f"calc:{warning.rule or 'note'}", "advisory", warning.message, "calculation"))
    return out


def _mue_exceeded(result: CalcResult) -> str:
    """The sentence for the quarter's MUE the units exceed (every unit on the line is denied), as the calculator
    says it; '' when none is. A certain denial holds the verdict; a calculator note alone does not."""
    total = result.total_billed_units
    over = result.quarter_facts.exceeded(total) if result.quarter_facts is not None else ()
    return mue_exceeded_text(total, over[0]) if over else ""


def _single_dose_unknown(catalog: Catalog, result: CalcResult) -> Finding | None:
    """JW/JZ were left off because a container's single-dose status is not established (rule single-dose-only):
    if its label says single-dose, the line lacks the JW line or the JZ the payer requires. A calculator note cannot
    hold the verdict; this finding does, until the coder confirms the label (or names a container of known status)."""
    case = result.case
    profile = case.payer_profile
    withheld = any(w.rule == "single-dose-only" and w.level == "warning" for w in result.warnings)
    unknown = [c.product.ndc for c in result.containers if c.product.container_type == "unknown"]
    if not (withheld and unknown and case.supplied_by == "practice" and profile.jw_jz != "none"):
        return None
    day = case.date_of_service
    if result.discarded_amount.amount > 0:
        if not catalog.rule("jw-required").in_force_on(day):
            return None
        if profile.jw_jz == "jw-weight-based-only" and not result.code.weight_based:
            return None
        needed = f"a JW line for the {result.discarded_amount} discarded"
    elif profile.jw_jz == "medicare" and catalog.rule("jz-required").in_force_on(day):
        needed = "JZ on the line (nothing was discarded)"
    else:
        return None
    return Finding(
        "single-dose-unknown",
        "high",
        f"Single-dose status of {', '.join(unknown)} is not established, so the line carries neither JW nor JZ: "
        f"if the label says single-dose, it needs {needed} under {profile.name}'s JW/JZ policy. Check the label "
        "and confirm it ('Label says single-dose', or --single-dose) before the claim goes.",
    )  # the checklist's own finding (listed in its pane): it holds the verdict, a calculator note does not


def _matches(when: Mapping[str, Any], case: Case, result: CalcResult | None) -> tuple[bool, str]:
    """(applies, condition): the condition is '' when the item surely applies, else what it hinges on (JW/JZ with
    no calculation yet, an NGS item with no MAC named)."""
    conditional = ""
    if "codes" in when and case.code not in when["codes"]:
        return False, ""
    if "payers" in when and case.payer not in when["payers"]:
        return False, ""
    if "settings" in when and case.setting not in when["settings"]:
        return False, ""
    if "indications" in when and case.indication not in when["indications"]:
        return False, ""
    if "weight_based" in when and (case.indication in WEIGHT_BASED_INDICATIONS) != when["weight_based"]:
        return False, ""
    if "is_340b" in when and bool(case.modifier_340b) != when["is_340b"]:
        return False, ""
    if "supplied_by" in when and case.supplied_by not in when["supplied_by"]:
        return False, ""
    profile = case.payer_profile
    for key in ("prior_authorization", "step_therapy"):
        if key in when and getattr(profile, key) != when[key]:
            return False, ""
    if "ngs_mac" in when:
        if profile.ngs is None:
            conditional = "if your MAC is NGS"  # the profile names no MAC
        elif profile.ngs != when["ngs_mac"]:
            return False, ""
    date: dt.date = case.date_of_service
    if "from" in when and date < when["from"]:
        return False, ""
    if "to" in when and date > when["to"]:
        return False, ""
    for key, attr in (("jw_used", "has_jw"), ("jz_used", "has_jz")):
        if key in when:
            if result is None:
                if when[key]:
                    conditional = conditional or f"if {key[:2].upper()} is billed"
                else:
                    return False, ""
            elif getattr(result, attr) != when[key]:
                return False, ""
    return True, conditional


def checklist_for(catalog: Catalog, case: Case, result: CalcResult | None, answer: DoseAnswer | None) -> Evaluation:
    """The items that apply to the case, escalated by what the calculation and the dose check found."""
    findings = _findings(result, answer, catalog.dose_table_codes)
    held = None if result is None else _single_dose_unknown(catalog, result)
    if held is not None:  # said once, as the risk it is, in place of the calculator's advisory note
        findings = [held if f.id == "calc:single-dose-only" else f for f in findings]
    code = catalog.codes.get(case.code)
    if code is not None and code.effective_to and case.date_of_service > code.effective_to:
        # the calculator refuses such a case; the checklist, which also runs without a dose, says it first
        replacement = " or ".join(code.replaced_by) or "its replacement"
        findings.insert(
            0,
            Finding(
                "code-ended",
                "blocker",
                f"{code.code} ended on {code.effective_to}; for {case.date_of_service} bill {replacement}.",
            ),
        )
    profile = case.payer_profile
    if case.supplied_by != "practice" and (
        supply_rule_for(catalog.supply_rules, profile.id, case.payer, case.setting, case.supplied_by) is None
    ):
        findings.insert(
            0,
            Finding(
                "supply-not-known",
                "blocker",
                supply_not_known(profile.name, SUPPLIER_TEXT[case.supplied_by]),
            ),
        )
    finding_ids = {f.id for f in findings}
    applied = []
    for item in catalog.checklist:
        assert isinstance(item, ChecklistItem)
        applies, condition = _matches(item.when, case, result)
        if not applies:
            continue
        severity: Severity = item.severity
        by = ""
        trigger = item.when.get("escalate_on", "")
        if trigger and trigger in finding_ids:
            target = ESCALATIONS[trigger]
            if SEVERITIES.index(target) < SEVERITIES.index(item.severity):  # escalate, never soften
                severity, by = target, trigger
        profile = case.payer_profile
        detail = (
            f"{profile.name}: {profile.modifier_340b}"
            if "is_340b" in item.when and profile.modifier_340b != "none"
            else ""
        )
        applied.append(AppliedItem(item, severity, bool(condition), by, detail, condition))
    applied.sort(key=lambda a: (SEVERITIES.index(a.severity), a.item.id))
    return Evaluation(tuple(applied), tuple(findings))
