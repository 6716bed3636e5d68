"""The checklist shows the checks that apply to the case, escalates them from the calculation, and gives a verdict."""

from __future__ import annotations

import datetime as dt

import pytest

from omaliref.domain import case as case_module
from omaliref.domain.calculator import calculate
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.checklist import checklist_for
from omaliref.domain.dosing import label_dose
from omaliref.domain.errors import InputError
from omaliref.domain.outcome import Outcome
from omaliref.domain.outcome import evaluate as evaluate_case
from omaliref.report.as_text import checklist_summary
from tests.conftest import TODAY


def result(catalog, code, dose, *packages, payer="medicare", m340b=""):
    return calculate(
        catalog,
        case_from_input(CaseInput(code=code, dose=dose, containers=packages, payer=payer, modifier_340b=m340b), TODAY),
    )


def Case(
    code,
    payer="medicare",
    indication=None,
    *,
    setting="office",
    modifier_340b="",
    date_of_service=TODAY,
    result=None,
    dose_answer=None,
    profile=None,
    supplied_by="practice",
):
    """The case, and the calculation and dose check made for it: what the checklist engine takes."""
    return (
        case_module.Case(
            code,
            date_of_service,
            payer=profile.kind if profile else payer,
            setting=setting,
            modifier_340b=modifier_340b,
            indication=indication,
            profile=profile,
            supplied_by=supplied_by,
        ),
        result,
        dose_answer,
    )


def evaluate(catalog, spec):
    return checklist_for(catalog, *spec)


def ids(evaluation):
    return {a.item.id: a.severity for a in evaluation.items}


def test_medicare_j2357_with_jw_makes_waste_items_blockers(catalog):
    case = Case("J2357", "medicare", "asthma", result=result(catalog, "J2357", "225mg", "50242-0040-62x2"))
    ev = evaluate(catalog, case)
    items = ids(ev)
    for item in ("jw-waste-documented", "jw-single-dose-only", "jw-units-within-contents"):
        assert items[item] == "blocker"
    assert "jz-whole-container" not in items
    assert items["smallest-container"] == "high"
    assert ev.verdict() == "blockers"
    assert {f.id for f in ev.findings} >= {"jw-line", "larger-container"}


def test_jz_case_lists_jz_item_not_jw(catalog):
    items = ids(evaluate(catalog, Case("J2357", "medicare", result=result(catalog, "J2357", "150mg"))))
    assert "jz-whole-container" in items and "jw-waste-documented" not in items


def test_without_calculation_jw_items_are_conditional(catalog):
    ev = evaluate(catalog, Case("J2357", "medicare"))
    jw = [a for a in ev.items if a.item.id == "jw-waste-documented"]
    assert jw and jw[0].conditional and jw[0].severity == "high"


def test_commercial_case_lists_prior_authorization(catalog):
    items = ids(evaluate(catalog, Case("J2357", "commercial")))
    assert "prior-auth" in items and "site-of-service" in items
    assert "prior-auth" not in ids(evaluate(catalog, Case("J2357", "medicare")))


def test_j0490_medicare_lists_route_modifier(catalog):
    assert "route-modifier-j0490" in ids(evaluate(catalog, Case("J0490", "medicare")))
    assert "route-modifier-j0490" not in ids(evaluate(catalog, Case("J0490", "commercial")))


def test_medicaid_needs_ndc(catalog):
    assert ids(evaluate(catalog, Case("J2357", "medicaid")))["ndc-medicaid"] == "blocker"


def test_340b_items(catalog):
    items = ids(
        evaluate(
            catalog, Case("J2357", "medicare", modifier_340b="TB", result=result(catalog, "J2357", "150mg", m340b="TB"))
        )
    )
    # From 2025-01-01 the 340B item names TB: JG ended 2024-12-31 (CMS HCPCS file; truth audit T3-01) ...
    assert "modifier-340b-tb-2025" in items and "modifier-340b" not in items
    item = catalog.checklist[[i.id for i in catalog.checklist].index("modifier-340b-tb-2025")]
    assert item.provenance.confidence == "high" and "cms-hcpcs-2025-10" in item.provenance.sources
    # ... and through 2024, when JG or TB was the entity's choice, the JG-or-TB item applies.
    early = ids(evaluate(catalog, Case("J2357", "medicare", modifier_340b="JG", date_of_service=dt.date(2024, 6, 3))))
    assert "modifier-340b" in early and "modifier-340b-tb-2025" not in early
    assert not {"modifier-340b", "modifier-340b-tb-2025"} & set(ids(evaluate(catalog, Case("J2357", "medicare"))))


def test_lookalike_codes_get_the_blocker(catalog):
    assert ids(evaluate(catalog, Case("J7402", "medicare")))["lookalike-not-omalizumab"] == "blocker"
    assert "sinuva-insertion" in ids(evaluate(catalog, Case("J7402", "medicare")))


def test_weight_based_items_only_for_weight_based_indications(catalog):
    assert "ige-weight-recorded" in ids(evaluate(catalog, Case("J2357", indication="asthma")))
    assert "ige-weight-recorded" not in ids(evaluate(catalog, Case("J2357", indication="csu")))


def test_dose_differs_from_label_escalates(catalog):
    r = result(catalog, "J2357", "375mg")
    answer = label_dose(catalog, "asthma", ige=150, weight_kg=65, age_years=30)  # label: 300 mg q4
    ev = evaluate(catalog, Case("J2357", "medicare", "asthma", result=r, dose_answer=answer))
    assert ids(ev)["dose-matches-label"] == "high"
    assert any(f.id == "dose-differs" for f in ev.findings)


def test_date_condition(catalog):
    import datetime as dt

    early = evaluate(catalog, Case("J2357", modifier_340b="JG", date_of_service=dt.date(2024, 6, 1)))
    assert "modifier-340b-jg-2025" not in ids(early)


def test_verdict_moves_to_ready_when_everything_is_ticked(catalog):
    case = Case("J2357", "medicare", "csu", result=result(catalog, "J2357", "300mg"))
    ev = evaluate(catalog, case)
    assert ev.verdict() in ("blockers", "high-risk")
    assert ev.verdict({a.item.id for a in ev.items}) == "ready"


def test_summary_text_has_lines_checks_and_no_free_text(catalog):
    case = Case("J2357", "medicare", "asthma", result=result(catalog, "J2357", "225mg", "50242-0040-62x2"))
    ev = evaluate(catalog, case)
    text = checklist_summary(
        catalog, Outcome(case[0], case[1], None, None, ev, catalog=catalog), {"jw-waste-documented"}
    )
    assert "J2357-JW x 15 units" in text and "J2357 x 45 units" in text
    assert "[x] (blocker) Discarded amount" in text
    assert "Verdict: Not ready" in text


@pytest.mark.parametrize(
    "fields", [{"payer": "tricare"}, {"setting": "home"}, {"indication": "eczema"}, {"code": "j2357x"}]
)
def test_bad_case_values(catalog, fields):
    with pytest.raises(InputError):
        case_from_input(CaseInput(**({"code": "J2357"} | fields)), TODAY)


def test_every_condition_key(catalog):
    """One synthetic item per condition key: it applies exactly when its condition holds."""
    import datetime as dt
    from dataclasses import replace

    from omaliref.domain.checklist import CONDITION_KEYS, ChecklistItem
    from omaliref.domain.model import Provenance

    prov = Provenance("high", ("S1",), dt.date(2026, 11, 27))
    conditions = {
        "codes": ["J2182"],
        "payers": ["medicaid"],
        "indications": ["crswnp"],
        "settings": ["hospital-outpatient"],
        "jw_used": True,
        "jz_used": True,
        "is_340b": True,
        "weight_based": False,
        "from": dt.date(2025, 1, 1),
        "to": dt.date(2024, 12, 31),
        "escalate_on": "larger-container",
        "ngs_mac": True,
        "prior_authorization": True,
        "step_therapy": True,
        "supplied_by": ["specialty-pharmacy"],
    }
    assert set(conditions) == set(CONDITION_KEYS)
    items = tuple(
        ChecklistItem(f"only-{k.replace('_', '-')}", k, "why", "advisory", {k: v}, prov) for k, v in conditions.items()
    )
    cat = replace(catalog, checklist=items)
    jw = result(catalog, "J2182", "40mg", "00173-0881-01")
    jz = result(catalog, "J2357", "150mg")

    def applies(key, case):
        return f"only-{key.replace('_', '-')}" in ids(evaluate(cat, case))

    assert applies("codes", Case("J2182")) and not applies("codes", Case("J2357"))
    assert applies("payers", Case("J2357", "medicaid")) and not applies("payers", Case("J2357", "commercial"))
    assert applies("indications", Case("J2357", indication="crswnp")) and not applies("indications", Case("J2357"))
    assert applies("settings", Case("J2357", setting="hospital-outpatient")) and not applies("settings", Case("J2357"))
    assert applies("jw_used", Case("J2182", result=jw)) and not applies("jw_used", Case("J2357", result=jz))
    assert applies("jz_used", Case("J2357", result=jz)) and not applies("jz_used", Case("J2182", result=jw))
    assert applies("is_340b", Case("J2357", modifier_340b="TB")) and not applies("is_340b", Case("J2357"))
    assert applies("weight_based", Case("J2357", indication="csu")) and not applies(
        "weight_based", Case("J2357", indication="asthma")
    )
    late, early = dt.date(2025, 6, 1), dt.date(2024, 6, 1)
    assert applies("from", Case("J2357", date_of_service=late)) and not applies(
        "from", Case("J2357", date_of_service=early)
    )
    assert applies("to", Case("J2357", date_of_service=early)) and not applies(
        "to", Case("J2357", date_of_service=late)
    )
    assert applies("escalate_on", Case("J2357"))  # escalate_on never hides an item; it only raises it
    assert applies("supplied_by", Case("J2357", supplied_by="specialty-pharmacy")) and not applies(
        "supplied_by", Case("J2357")
    )
    from omaliref.domain.payer import PayerProfile

    ngs = PayerProfile("ngs", "NGS", "medicare", mac="J6")
    jm = PayerProfile("jm", "Palmetto", "medicare", mac="JM")
    assert applies("ngs_mac", Case("J2357", profile=ngs)) and not applies("ngs_mac", Case("J2357", profile=jm))
    unknown_mac = evaluate(cat, Case("J2357"))  # no MAC named: shown, as conditional
    assert any(a.item.id == "only-ngs-mac" and a.conditional for a in unknown_mac.items)
    for key in ("prior_authorization", "step_therapy"):
        assert applies(key, Case("J2357", "commercial")) and not applies(key, Case("J2357", "medicare"))


def test_shipped_items_for_setting_and_indication(catalog):
    assert "opps-po-pn" in ids(evaluate(catalog, Case("J2357", "medicare", setting="hospital-outpatient")))
    assert "opps-po-pn" not in ids(evaluate(catalog, Case("J2357", "medicare", setting="office")))
    assert "csu-fixed-dose" in ids(evaluate(catalog, Case("J2357", indication="csu")))


LENTOCILIN = "84383-0110-01"  # J0561, imported during the shortage: single-dose status not established in the pack


def unconfirmed(catalog, dose, *, date="2026-11-02", payer="medicare", confirm=False, profile=None):
    case = case_from_input(
        CaseInput(
            code="J0561",
            dose=dose,
            containers=(LENTOCILIN,),
            date=date,
            payer=payer,
            single_dose_ndcs=(LENTOCILIN,) if confirm else (),
        ),
        TODAY,
        catalog.payer_profiles[profile] if profile else None,
    )
    return checklist_for(catalog, case, calculate(catalog, case), None)


def test_unknown_single_dose_status_holds_the_verdict_with_jz_when_nothing_is_discarded(catalog):
    evaluation = unconfirmed(catalog, "1200000units")
    held = [f for f in evaluation.findings if f.id == "single-dose-unknown"]
    assert [(f.severity, f.origin) for f in held] == [("high", "case")]
    assert "JZ" in held[0].message and LENTOCILIN in held[0].message
    assert not any(f.id == "calc:single-dose-only" for f in evaluation.findings)  # said once, not twice
    every_item = {a.item.id for a in evaluation.items}
    assert evaluation.verdict(every_item) == "high-risk"  # ticking every item does not make it ready


def test_unknown_single_dose_status_with_waste_names_the_jw_line(catalog):
    held = [f for f in unconfirmed(catalog, "600000units").findings if f.id == "single-dose-unknown"]
    assert len(held) == 1 and "a JW line for the 600,000 units discarded" in held[0].message


def test_a_confirmed_label_clears_the_finding(catalog):
    evaluation = unconfirmed(catalog, "1200000units", confirm=True)
    assert not any(f.id == "single-dose-unknown" for f in evaluation.findings)


def test_no_finding_where_no_modifier_would_be_required(catalog):
    # before JZ was required (2023-07-01) a line with nothing discarded needed neither modifier
    early = unconfirmed(catalog, "1200000units", date="2025-01-01")
    assert any(f.id == "single-dose-unknown" for f in early.findings)
    before_jz = unconfirmed(catalog, "1200000units", date="2023-06-30")
    assert not any(f.id == "single-dose-unknown" for f in before_jz.findings)
    # Texas Medicaid pays JW only for weight-based drugs and has no JZ: penicillin G benzathine needs neither
    for dose in ("1200000units", "600000units"):
        texas = unconfirmed(catalog, dose, payer="medicaid", profile="texas-medicaid")
        assert not any(f.id == "single-dose-unknown" for f in texas.findings)


def test_units_above_the_mue_are_a_high_finding_that_raises_the_mue_item(catalog):
    """600 mg from five 150 mg vials: 120 units and a 30-unit JW line, 150 units against J2357's MUE of 120 (MAI 3):
    every unit is denied, so the checklist says it as a high finding (once) and its MUE item is high too."""
    case = case_from_input(
        CaseInput(code="J2357", dose="600mg", containers=("50242-0040-62x5",), date="2026-11-02"), TODAY
    )
    outcome = evaluate_case(catalog, case)
    over = [f for f in outcome.checklist.findings if f.id == "mue-exceeded"]
    assert [f.severity for f in over] == ["high"] and over[0].message.startswith("150 units exceed the MUE")
    assert not any(f.message == over[0].message for f in outcome.checklist.findings if f.id != "mue-exceeded")
    assert ids(outcome.checklist)["mue-check"] == "high"
    within = evaluate_case(catalog, case_from_input(CaseInput(code="J2357", dose="600mg", date="2026-11-02"), TODAY))
    assert ids(within.checklist)["mue-check"] == "advisory"
    assert not any(f.id == "mue-exceeded" for f in within.checklist.findings)


def test_units_above_a_payers_own_maximum_hold_the_verdict(catalog):
    """An organization's profile with a maximum per administration (max_units): more units are denied unless the
    payer granted an exception, so the checklist says so as a high finding of its own, not a calculator note."""
    from dataclasses import replace

    capped = replace(catalog.payer_profiles["commercial"], id="acme", name="Acme Health", max_units={"J2357": 60})
    case = case_from_input(CaseInput(code="J2357", dose="375mg", payer="commercial", date="2026-11-02"), TODAY, capped)
    outcome = evaluate_case(catalog, case)
    held = [f for f in outcome.checklist.findings if f.id == "payer-max-units"]
    assert [(f.severity, f.origin) for f in held] == [("high", "case")] and "Acme Health's maximum of 60" in held[
        0
    ].message
    assert not any(f.id == "calc:payer-max-units" for f in outcome.checklist.findings)
    assert outcome.checklist.verdict({a.item.id for a in outcome.checklist.items}) == "high-risk"
