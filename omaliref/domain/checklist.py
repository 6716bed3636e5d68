"""Documentation and denial-risk checklist: the checks that apply to this case, and a verdict.

The engine is pure: a case (code, payer, indication, setting, date, and optionally the calculator's result)
goes in; applicable items, automatic findings and a verdict come out. Ticks are the coder's confirmations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omaliref.domain.errors import InputError

if TYPE_CHECKING:  # only for type hints; no import cycle at run time
    from omaliref.domain.calculator import CalcResult
    from omaliref.domain.dosing import DoseAnswer
    from omaliref.domain.model import Catalog, Provenance

SEVERITIES = ("blocker", "high", "advisory")
SETTINGS = ("office", "hospital-outpatient")
PAYERS = ("medicare", "medicaid", "commercial")
INDICATIONS = ("asthma", "crswnp", "csu", "food-allergy")
WEIGHT_BASED = ("asthma", "crswnp", "food-allergy")
# condition key -> the value type the data pack must use for it
CONDITION_KEYS = {
    "codes": "strs", "payers": "strs", "indications": "strs", "settings": "strs",
    "jw_used": "bool", "jz_used": "bool", "is_340b": "bool", "weight_based": "bool",
    "from": "date", "to": "date", "escalate_on": "str",
}


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    why: str
    severity: str
    when: Mapping[str, Any]
    provenance: Provenance


@dataclass(frozen=True)
class Case:
    code: str
    payer: str = "medicare"
    indication: str = ""
    setting: str = "office"
    date_of_service: dt.date | None = None
    modifier_340b: str = ""
    result: CalcResult | None = None
    dose_answer: DoseAnswer | None = None


@dataclass(frozen=True)
class AppliedItem:
    item: ChecklistItem
    severity: str  # after escalation by a finding
    conditional: bool  # shown because the case does not yet say whether it applies (no calculation yet)
    escalated_by: str = ""


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    message: str


@dataclass(frozen=True)
class Evaluation:
    items: tuple[AppliedItem, ...]
    findings: tuple[Finding, ...]

    def verdict(self, ticked: Collection[str] = ()) -> str:
        """'blockers' while a blocker is open, 'high-risk' while a high item is open, else 'ready'."""
        open_severities = {a.severity for a in self.items if a.item.id not in ticked}
        open_severities |= {f.severity for f in self.findings if f.severity == "blocker"}
        if "blocker" in open_severities:
            return "blockers"
        if "high" in open_severities or any(f.severity == "high" for f in self.findings):
            return "high-risk"
        return "ready"


VERDICT_TEXT = {
    "blockers": "Not ready: blockers open",
    "high-risk": "Check before billing: high risks open",
    "ready": "Ready: nothing open",
}


def validate_case(case: Case) -> None:
    """Values must be known; the code must look like a HCPCS code (it may come from an imported CMS file, so
    its existence is checked by the caller that knows what was imported)."""
    if not re.fullmatch(r"[A-Z]\d{4}", case.code):
        raise InputError(f"'{case.code[:40]}' is not a HCPCS code (a letter and four digits, e.g. J2357).",
                         field="code")
    if case.payer not in PAYERS:
        raise InputError(f"Payer '{case.payer[:40]}' is not known: use {', '.join(PAYERS)}.", field="payer")
    if case.setting not in SETTINGS:
        raise InputError(f"Setting '{case.setting[:40]}' is not known: use {', '.join(SETTINGS)}.", field="setting")
    if case.indication and case.indication not in INDICATIONS:
        raise InputError(f"Indication '{case.indication[:40]}' is not known: use {', '.join(INDICATIONS)}.",
                         field="indication")


def _findings(case: Case) -> list[Finding]:
    out: list[Finding] = []
    result = case.result
    if result is None:
        out.append(Finding("no-calculation", "advisory", "No calculation yet: JW/JZ items are shown as conditional."))
        return out
    if result.has_jw:
        out.append(Finding("jw-line", "high", f"JW line of {result.discarded_units} units: the waste documentation "
                           "items are blockers until confirmed."))
    if result.larger_container_than_needed:
        out.append(Finding("larger-container", "high", "Containers larger than needed were opened: the waste may "
                           "be questioned (smallest-container rule)."))
    answer = case.dose_answer
    if answer is not None and result.code.code in ("J2357", "Q5154"):
        dose_mg = result.dose_in_billing_unit.to("mg").amount
        if answer.status == "dose" and dose_mg not in {d for d in answer.doses_mg}:
            out.append(Finding("dose-differs", "high", f"The dose given differs from the label dose ({answer.label})."))
        elif answer.status != "dose":
            out.append(Finding("dose-unchecked", "advisory", answer.message))
    for warning in result.warnings:
        if warning.level == "warning":
            out.append(Finding(f"calc:{warning.rule or 'note'}", "advisory", warning.message))
    return out


def _matches(when: Mapping[str, Any], case: Case, date: dt.date | None) -> tuple[bool, bool]:
    """(applies, conditional). Conditional when the item hinges on JW/JZ and there is no calculation yet."""
    result = case.result
    conditional = False
    if "codes" in when and case.code not in when["codes"]:
        return False, False
    if "payers" in when and case.payer not in when["payers"]:
        return False, False
    if "settings" in when and case.setting not in when["settings"]:
        return False, False
    if "indications" in when and case.indication not in when["indications"]:
        return False, False
    if "weight_based" in when and (case.indication in WEIGHT_BASED) != when["weight_based"]:
        return False, False
    if "is_340b" in when and bool(case.modifier_340b) != when["is_340b"]:
        return False, False
    if date is not None:
        if "from" in when and date < when["from"]:
            return False, False
        if "to" in when and date > when["to"]:
            return False, False
    for key, attr in (("jw_used", "has_jw"), ("jz_used", "has_jz")):
        if key in when:
            if result is None:
                if when[key]:
                    conditional = True
                else:
                    return False, False
            elif getattr(result, attr) != when[key]:
                return False, False
    return True, conditional


def evaluate(catalog: Catalog, case: Case) -> Evaluation:
    validate_case(case)
    date = case.date_of_service or (case.result.date_of_service if case.result else None)
    findings = _findings(case)
    finding_ids = {f.id for f in findings}
    applied = []
    for item in catalog.checklist:
        assert isinstance(item, ChecklistItem)
        applies, conditional = _matches(item.when, case, date)
        if not applies:
            continue
        severity, by = item.severity, ""
        trigger = item.when.get("escalate_on", "")
        if trigger and trigger in finding_ids:
            target = "blocker" if trigger == "jw-line" else "high"
            if SEVERITIES.index(target) < SEVERITIES.index(item.severity):  # escalate, never soften
                severity, by = target, trigger
        applied.append(AppliedItem(item, severity, conditional, by))
    applied.sort(key=lambda a: (SEVERITIES.index(a.severity), a.item.id))
    return Evaluation(tuple(applied), tuple(findings))


def summary_text(catalog: Catalog, case: Case, evaluation: Evaluation, ticked: Collection[str] = ()) -> str:
    """Plain text for a charge comment or audit note. Holds codes, units and checks only: no patient data."""
    result = case.result
    lines = [f"omaliref check — {case.code}, payer {case.payer}, setting {case.setting}"
             + (f", indication {case.indication}" if case.indication else "")
             + (f", DOS {result.date_of_service}" if result else
                (f", DOS {case.date_of_service}" if case.date_of_service else ""))]
    if result is not None:
        lines.append(f"Dose {result.request.dose} = {result.administered_units} units administered"
                     + (f"; {result.discarded_units} units discarded (JW)" if result.has_jw else ""))
        lines.append("Claim lines:")
        lines += [f"  {line.keyed_text()}" for line in result.lines]
        lines.append("Rules applied: " + ", ".join(result.rules))
        warns = [w for w in result.warnings if w.level in ("error", "warning")]
        if warns:
            lines.append("Warnings:")
            lines += [f"  - {w.message}" for w in warns]
    for title, want in (("Confirmed", True), ("Open", False)):
        chosen = [a for a in evaluation.items if (a.item.id in ticked) == want]
        if chosen:
            lines.append(f"{title}:")
            lines += [f"  [{'x' if want else ' '}] ({a.severity}) {a.item.text}" for a in chosen]
    if evaluation.findings:
        lines.append("Findings:")
        lines += [f"  - ({f.severity}) {f.message}" for f in evaluation.findings]
    lines.append(f"Verdict: {VERDICT_TEXT[evaluation.verdict(ticked)]}")
    lines.append(f"Data pack {catalog.info.version}, as of {catalog.info.as_of}")
    return "\n".join(lines)
