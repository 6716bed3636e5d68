"""One case in, one outcome out: the calculation, the dose check and the checklist for a Case.

The CLI, both panes, the audit sheet and the tests all call `evaluate`; nothing else combines these pieces. An
outcome carries the catalog it was computed against (the pack, plus the imported quarter of an imported code), so
a report of it needs nothing else: the rules it applied, their titles and sources, the sources of its code and
packages and the claim form of its case are read from the outcome, never from another catalog.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omaliref.domain.calculator import CalcResult, calculate, with_quarter_facts
from omaliref.domain.case import Case
from omaliref.domain.checklist import Evaluation, checklist_for
from omaliref.domain.cms_facts import with_shipped_mue
from omaliref.domain.dosing import DoseAnswer, dose_matches, label_dose
from omaliref.domain.model import Catalog, Rule, Source, normalize_code
from omaliref.domain.notes import Warning_
from omaliref.domain.vocab import FORM_FOR_SETTING, WARNING_LEVELS, ClaimForm, Verdict

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
    # the catalog the outcome was computed against: its reports take rules and sources from it, and from no other
    catalog: Catalog = field(kw_only=True, compare=False, repr=False)

    @property
    def warnings(self) -> tuple[Warning_, ...]:
        """Every message for the coder, most severe first (the dose check leads its level)."""
        checks = tuple(w for w in (self.dose_check, self.interval_check) if w is not None)
        found = checks + (self.calculation.warnings if self.calculation else ())
        return tuple(sorted(found, key=lambda w: WARNING_LEVELS.index(w.level)))

    def verdict(self, ticked: Collection[str] = ()) -> Verdict:
        return self.checklist.verdict(ticked)

    @property
    def claim_form(self) -> ClaimForm:
        """The form the case's setting bills on (the payer profile's layout of it is in `case.payer_profile`)."""
        return FORM_FOR_SETTING[self.case.setting]

    @property
    def rules_applied(self) -> tuple[Rule, ...]:
        """The pack's rules the calculation applied, with their titles and sources, in the order applied."""
        if self.calculation is None:
            return ()
        return tuple(self.catalog.rule(rid) for rid in self.calculation.rules)

    @property
    def source_ids(self) -> tuple[str, ...]:
        """Where the calculation's facts come from, each once: the rules applied, the code (an imported code: the
        CMS files of its quarter), the packages, the quarter's payment limit and MUEs."""
        r = self.calculation
        if r is None:
            return ()
        ids = [s for rule in self.rules_applied for s in rule.provenance.sources]
        ids += r.code.provenance.sources
        ids += [s for c in r.containers for s in c.product.provenance.sources]
        facts = r.quarter_facts
        if facts is not None:
            limit = facts.payment_limit
            ids += [limit.source_id] if limit is not None and limit.source_id else []
            ids += [m.source_id for m in facts.mues if m.source_id]
        return tuple(dict.fromkeys(ids))

    @property
    def sources(self) -> tuple[Source, ...]:
        """`source_ids` resolved against the outcome's own catalog (an id it does not know is left out)."""
        return self.catalog.resolve_sources(s for s in self.source_ids if s in self.catalog.sources)


def dose_answer_for(catalog: Catalog, case: Case) -> DoseAnswer | None:
    """The label dose, when the case's code is one the pack's dose tables dose, and the case names an indication
    and what its table needs."""
    if case.code not in catalog.dose_table_codes or case.indication is None:
        return None
    if case.indication != "csu" and (case.ige is None or case.weight_kg is None):
        return None
    return label_dose(catalog, case.indication, ige=case.ige, weight_kg=case.weight_kg, age_years=case.age_years)


def dose_check(catalog: Catalog, answer: DoseAnswer | None, result: CalcResult | None) -> Warning_ | None:
    if answer is None or result is None or result.code.code not in catalog.dose_table_codes:
        return None
    matches = dose_matches(answer, result.dose_in_billing_unit.to("mg").amount)
    caveat = catalog.dose_table_caveats.get(result.code.code)
    said = f" {result.code.code}: {caveat}" if caveat else ""  # a code dosed by inference says so, every time
    if matches is None:
        return Warning_("info", f"Dose check: {answer.message}{said}", sources=answer.sources)
    if matches:
        return Warning_("info", f"Dose check: matches the label dose ({answer.label}).{said}", sources=answer.sources)
    return Warning_(
        "warning", f"Dose check: the dose differs from the label dose ({answer.label}).{said}", sources=answer.sources
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
        dose_check(catalog, answer, result),
        checklist_for(catalog, case, result, answer if result is not None else None),
        interval_check(catalog, case, answer),
        catalog=catalog,
    )
