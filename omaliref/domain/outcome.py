"""One case in, one outcome out: the calculation, the dose check and the checklist for a Case.

The CLI, both panes, the audit sheet and the tests all call `evaluate`; nothing else combines these pieces.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from omaliref.domain.calculator import CalcResult, calculate, with_quarter_facts
from omaliref.domain.case import Case
from omaliref.domain.checklist import Evaluation, checklist_for
from omaliref.domain.cms_facts import with_shipped_mue
from omaliref.domain.dosing import DoseAnswer, dose_matches, label_dose
from omaliref.domain.model import Catalog, normalize_code
from omaliref.domain.notes import Warning_
from omaliref.domain.vocab import OMALIZUMAB_CODES, WARNING_LEVELS, Verdict

if TYPE_CHECKING:  # imported CMS facts exist only with an import database
    from omaliref.domain.cms_facts import QuarterFacts


@dataclass(frozen=True)
class Outcome:
    case: Case
    calculation: CalcResult | None  # None when the case has no dose (checklist only)
    dose_answer: DoseAnswer | None  # the label dose for the case's indication, IgE and weight, when asked
    dose_check: Warning_ | None  # how the dose given compares with that label dose
    checklist: Evaluation
    interval_check: Warning_ | None = None  # the time since the last dose against the label's interval

    @property
    def warnings(self) -> tuple[Warning_, ...]:
        """Every message for the coder, most severe first (the dose check leads its level)."""
        checks = tuple(w for w in (self.dose_check, self.interval_check) if w is not None)
        found = checks + (self.calculation.warnings if self.calculation else ())
        return tuple(sorted(found, key=lambda w: WARNING_LEVELS.index(w.level)))

    def verdict(self, ticked: Collection[str] = ()) -> Verdict:
        return self.checklist.verdict(ticked)


def dose_answer_for(catalog: Catalog, case: Case) -> DoseAnswer | None:
    """The label dose, when the case names an omalizumab indication and what its table needs."""
    if case.code not in OMALIZUMAB_CODES or case.indication is None:
        return None
    if case.indication != "csu" and (case.ige is None or case.weight_kg is None):
        return None
    return label_dose(catalog, case.indication, ige=case.ige, weight_kg=case.weight_kg, age_years=case.age_years)


def dose_check(answer: DoseAnswer | None, result: CalcResult | None) -> Warning_ | None:
    if answer is None or result is None or result.code.code not in OMALIZUMAB_CODES:
        return None
    matches = dose_matches(answer, result.dose_in_billing_unit.to("mg").amount)
    if matches is None:
        return Warning_("info", f"Dose check: {answer.message}", sources=answer.sources)
    if matches:
        return Warning_("info", f"Dose check: matches the label dose ({answer.label}).", sources=answer.sources)
    return Warning_(
        "warning", f"Dose check: the dose differs from the label dose ({answer.label}).", sources=answer.sources
    )


def interval_check(catalog: Catalog, case: Case, answer: DoseAnswer | None) -> Warning_ | None:
    """The days since the last dose against the label: the dose table's interval when the case gives the table's
    inputs, else the label's shortest interval for the drug; a dose given sooner is a denial the desk can catch."""
    if case.last_dose is None:
        return None
    days = (case.date_of_service - case.last_dose).days
    code = catalog.codes.get(normalize_code(case.code))
    since = f"{days} days since the last dose ({case.last_dose})"
    if answer is not None and answer.interval_weeks:
        weeks, basis, sources = answer.interval_weeks, f"the label dose for this case ({answer.label})", answer.sources
    elif code is not None and code.shortest_interval is not None:
        weeks, sources = code.shortest_interval.weeks, code.shortest_interval.sources
        basis = f"the label's shortest interval for {code.code} ({code.shortest_interval.note})"
    else:
        return Warning_(
            "info", f"{since}; the data pack has no label interval for {case.code}: check the payer's limit."
        )
    if days < weeks * 7:
        return Warning_(
            "warning",
            f"Early dose: {since}; {basis} is every {weeks} weeks ({weeks * 7} days). A dose given sooner than the "
            "label or the authorization allows is denied: check the order and the payer's frequency limit.",
            sources=sources,
        )
    return Warning_("info", f"{since}: not sooner than {basis}, every {weeks} weeks.", sources=sources)


def evaluate(catalog: Catalog, case: Case, facts: QuarterFacts | None = None) -> Outcome:
    """Calculate (when there is a dose), check the dose against the label, and apply the checklist.

    `catalog` must hold the case's code (the Library adds an imported one); `facts` are the imported CMS quarter's
    payment limit and the MUE of the case's setting.
    """
    facts = with_shipped_mue(facts, catalog.mues.get(normalize_code(case.code), ()), case.setting)
    result = with_quarter_facts(calculate(catalog, case), facts) if case.dose is not None else None
    answer = dose_answer_for(catalog, case)
    return Outcome(
        case,
        result,
        answer,
        dose_check(answer, result),
        checklist_for(catalog, case, result, answer if result is not None else None),
        interval_check(catalog, case, answer),
    )
