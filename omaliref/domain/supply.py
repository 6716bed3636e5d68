"""Who supplied the drug, and what its claim line becomes when the practice did not buy it (#31).

A drug the practice did not pay for is not payable as a drug; its administration still is. Payers differ on the drug
line: Medicare contractors want the drug code kept at a token charge on the same claim as the administration, some
Medicaid and commercial plans want it left off. The pack's `supply.toml` holds each rule with its source; where no
rule is known for the payer, the calculation says so and lists the choices, and the checklist holds a blocker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from omaliref.domain.model import Provenance
from omaliref.domain.vocab import Setting, SuppliedBy, SupplyAction


@dataclass(frozen=True)
class SupplyRule:
    """What one payer (a profile id, or a payer kind) wants on the drug line for drugs it did not buy."""

    id: str
    payer: str
    settings: tuple[Setting, ...]
    supplied_by: tuple[SuppliedBy, ...]
    action: SupplyAction
    text: str
    provenance: Provenance
    charge: Decimal | None = None  # token-charge: the drug line's charge
    non_covered: bool = False  # token-charge on the UB-04: the same amount as non-covered (FL48, 837I SV207)
    inferred: bool = False  # the sources speak of a neighbouring case (e.g. patient-supplied, not white bagging)


def supply_rule_for(
    rules: Sequence[object], profile_id: str, payer: str, setting: Setting, supplied_by: SuppliedBy
) -> SupplyRule | None:
    """The rule for a drug the practice did not buy: the profile's own, else its payer kind's; None when the practice
    bought it or no rule is known."""
    if supplied_by == "practice":
        return None
    for key in (profile_id, payer):
        for rule in rules:
            assert isinstance(rule, SupplyRule)
            if rule.payer == key and setting in rule.settings and supplied_by in rule.supplied_by:
                return rule
    return None


NOT_KNOWN_SOURCES = ("sup-ngs-patient-supplied", "sup-bcnc-sp-network", "sup-bridgespan-phantom", "sup-chpw-admin-only")


def supply_not_known(payer: str, who: str) -> str:
    """The one sentence for a drug the practice did not buy under a payer whose rule is not known."""
    return (
        f"Drug supplied by {who}: how {payer} wants the drug line is NOT KNOWN. The lines below are as if the practice "
        "had bought it. Payers differ: leave the drug line off and bill the administration alone (Blue Cross NC, "
        "Texas Medicaid; one Medicaid plan also wants no $0.01 line), or keep the drug code at $0.01 with the "
        "administration (Medicare contractors NGS and CGS; BridgeSpan). Ask the payer before billing."
    )
