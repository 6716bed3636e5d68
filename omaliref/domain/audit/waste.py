"""JW and JZ on the lines of one claim and day, as the payer's policy and the date of service want them (rules
jw-required, jz-required, single-dose-only, jw-line-ndc, payer-jw-jz-policy, jw-jz-other-payers)."""

from __future__ import annotations

from omaliref.domain.audit.findings import Finding
from omaliref.domain.audit.lines import ReadLine, rule_sources
from omaliref.domain.model import Catalog, Code
from omaliref.domain.payer import PayerProfile


def check_waste(lines: list[ReadLine]) -> None:
    """The JW and JZ of the judged lines of one code on one claim and day."""
    has_jw = any(r.jw for r in lines)
    for r in lines:
        if _misplaced(r):
            continue
        _partners(r, lines, has_jw)
        profile, catalog, code = r.profile, r.catalog, r.code
        assert profile is not None and catalog is not None and code is not None
        if _payer_policy(r, profile, code):
            continue
        if profile.jw_jz == "medicare" and not (r.jw or r.jz or has_jw) and _single_dose(r, catalog, code):
            _missing_jz(r, profile, catalog)


def _single_dose(r: ReadLine, catalog: Catalog, code: Code) -> bool:
    """The line's package is single-dose; without a package, every package of the code in the catalog is."""
    if r.product is not None:
        return r.product.single_dose
    products = catalog.products_for(code.code)
    return bool(products) and all(p.single_dose for p in products)


def _misplaced(r: ReadLine) -> bool:
    """JW or JZ on a multiple-dose container, or JW and JZ on one line: nothing more is said of the line's waste."""
    product = r.product
    if (r.jw or r.jz) and product is not None and product.container_type == "multi-dose":
        r.findings.append(
            Finding(
                "error",
                "jw-jz",
                f"{'JW' if r.jw else 'JZ'} on a multiple-dose container ({product.ndc}): JW and JZ apply to "
                "single-dose containers only.",
                "Remove JW/JZ from the line.",
                "single-dose-only",
                rule_sources(r, "single-dose-only"),
            )
        )
        return True
    if r.jw and r.jz:
        r.findings.append(
            Finding(
                "error",
                "jw-jz",
                "JW and JZ on one line: JW marks discarded units, JZ says nothing was discarded.",
                "Bill the discarded units on their own JW line and drop JZ.",
                "jz-required",
                rule_sources(r, "jz-required"),
            )
        )
        return True
    return False


def _partners(r: ReadLine, lines: list[ReadLine], has_jw: bool) -> None:
    """A JW line needs an administered line of its NDC; JZ says nothing was discarded, so no JW line goes with it."""
    if r.jw and not any(not o.jw and o.ndc11 == r.ndc11 for o in lines):
        which = f"NDC {r.ndc11}" if r.ndc11 else "no NDC"
        r.findings.append(
            Finding(
                "error",
                "jw-jz",
                f"A JW line with {which} and no administered line of the same NDC on the claim and day.",
                "Key the JW line with the NDC of the container the drug was discarded from, next to its "
                "administered line.",
                "jw-line-ndc",
                rule_sources(r, "jw-line-ndc"),
            )
        )
    if r.jz and has_jw:
        assert r.code is not None
        r.findings.append(
            Finding(
                "error",
                "jw-jz",
                f"JZ says nothing was discarded, but a JW line bills discarded {r.code.code} units on the same "
                "claim and day.",
                "Remove JZ from the administered line when a JW line bills the waste.",
                "jz-required",
                rule_sources(r, "jz-required"),
            )
        )


def _payer_policy(r: ReadLine, profile: PayerProfile, code: Code) -> bool:
    """The payer's own JW/JZ policy (rule payer-jw-jz-policy); True when it wants neither, so nothing more is said."""
    policy = profile.jw_jz
    sources = rule_sources(r, "payer-jw-jz-policy") + profile.sources

    def finding(message: str, fix: str) -> Finding:
        return Finding("warning", "jw-jz", message, fix, "payer-jw-jz-policy", sources)

    if policy == "none" and (r.jw or r.jz):
        r.findings.append(finding(f"{profile.name} wants no JW or JZ.", "Remove JW/JZ; check the payer's waste rule."))
        return True
    if policy == "jw-only" and r.jz:
        r.findings.append(finding(f"{profile.name} does not use JZ.", "Remove JZ."))
    elif policy == "jw-weight-based-only" and r.jz:  # the payer's JW rule predates JZ: its source is silent on it
        r.findings.append(
            Finding(
                "info",
                "jw-jz",
                f"{profile.name}'s JW rule does not address JZ: whether it takes JZ is not known.",
                "Keep or remove JZ as the plan's current billing guidance says.",
                "payer-jw-jz-policy",
                sources,
            )
        )
    if policy == "jw-weight-based-only" and r.jw:
        vial = r.product is None or r.product.form == "vial"
        if not (code.weight_based and vial):
            r.findings.append(
                finding(
                    f"{profile.name} pays JW only for weight-based drugs from single-dose vials.",
                    "Remove the JW line: this payer does not pay this waste.",
                )
            )
    return False


def _missing_jz(r: ReadLine, profile: PayerProfile, catalog: Catalog) -> None:
    """A single-dose container's line with neither JZ nor a JW line, once JZ is required (rule jz-required; for
    other payers following the Medicare convention, jw-jz-other-payers)."""
    assert r.day is not None
    jz_rule = catalog.rule("jz-required")
    if not jz_rule.in_force_on(r.day):
        return
    medicare = profile.kind == "medicare"
    rule = "jz-required" if medicare else "jw-jz-other-payers"
    r.findings.append(
        Finding(
            "error" if medicare else "warning",
            "jw-jz",
            f"No JZ and no JW line: from {jz_rule.effective_from} a single-dose container's line carries JZ when "
            "nothing was discarded, or a JW line bills the discarded units"
            + ("." if medicare else f" (the Medicare convention; {profile.name} may differ)."),
            "Add JZ to the line if nothing was discarded; else key the discarded units on a JW line.",
            rule,
            rule_sources(r, rule),
        )
    )
