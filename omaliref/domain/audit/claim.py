"""Checks across the lines of one code on one claim and day: the MUE and the payer's maximum units, several NDCs
of one drug (rule ndc-line-per-ndc), and repeated lines."""

from __future__ import annotations

from omaliref.domain.audit.findings import Finding
from omaliref.domain.audit.lines import ReadLine, rule_sources
from omaliref.domain.cms_facts import QuarterFacts
from omaliref.domain.vocab import WarningLevel


def check_mue(lines: list[ReadLine], facts: QuarterFacts | None) -> None:
    """MUE of the setting's table (the imported quarter's, else the pack's), and the payer's maximum units:
    per line for MAI 1, for the day's total otherwise."""
    total = 0
    limit_hit: set[str] = set()
    for r in lines:
        if r.units is None:
            continue
        total += r.units
        for m in facts.mues if facts else ():
            counted = r.units if m.mai == 1 else total
            if counted > m.value and m.source_id not in limit_hit:
                limit_hit.add(m.source_id)
                r.findings.append(
                    Finding(
                        "error",
                        "mue",
                        f"{counted} {r.line.code.strip().upper()[:10]} units "
                        + ("on the line" if m.mai == 1 else "on the day")
                        + f" exceed the {m.text()}.",
                        "Check the units; if they are right, document medical necessity and expect to appeal"
                        + (" (MAI 3)." if m.mai == 3 else "."),
                        sources=(m.source_id,) if m.source_id else (),
                    )
                )
        profile = r.profile
        assert profile is not None and r.code is not None
        cap = profile.max_units.get(r.code.code)
        if cap is not None and total > cap and "payer" not in limit_hit:
            limit_hit.add("payer")
            r.findings.append(
                Finding(
                    "warning",
                    "payer-max-units",
                    f"{total} units are more than {profile.name}'s maximum of {cap} {r.code.code} units.",
                    "Expect a denial unless the payer granted an exception.",
                    "payer-max-units",
                    rule_sources(r, "payer-max-units") + profile.sources,
                )
            )


def check_multi_ndc(lines: list[ReadLine]) -> None:
    """Several NDCs of one code as the payer profile wants them (rule ndc-line-per-ndc)."""
    profile = lines[0].profile
    assert profile is not None
    sources = rule_sources(lines[0], "ndc-line-per-ndc") + profile.sources

    def finding(level: WarningLevel, message: str, fix: str) -> Finding:
        return Finding(level, "multi-ndc", message, fix, "ndc-line-per-ndc", sources)

    for discarded in (False, True):
        mine = [r for r in lines if r.jw == discarded and r.ndc11]
        ndcs = list(dict.fromkeys(r.ndc11 for r in mine))
        for r in mine:
            kp_kq = [m for m in r.modifiers if m in ("KP", "KQ")]
            if profile.multi_ndc == "single-line-note" and len(ndcs) > 1 and r.ndc11 != ndcs[0]:
                r.findings.append(
                    finding(
                        "error",
                        f"{profile.name} wants one line with the first NDC and the others in the note "
                        "(item 19 / NTE); split lines of one drug are denied as duplicates.",
                        f"Fold this line into the {ndcs[0]} line and name NDC {r.ndc11} in the note.",
                    )
                )
            elif profile.multi_ndc == "split-lines-kp-kq" and len(ndcs) > 1 and not discarded:
                first = r.ndc11 == ndcs[0]
                wanted = "KP" if first else "KQ"
                if kp_kq != [wanted] and first:
                    r.findings.append(
                        finding(
                            "error",
                            f"{profile.name} wants KP on the first NDC's line; this line has "
                            f"{'/'.join(kp_kq) or 'neither'}.",
                            "Put KP on this line.",
                        )
                    )
                elif kp_kq != [wanted]:  # the payer's notice is cut off before the second line: KQ is inferred
                    r.findings.append(
                        finding(
                            "warning",
                            f"{profile.name}'s notice puts KP on the first NDC's line; KQ on the others is inferred "
                            f"(the notice is cut off), and this line has {'/'.join(kp_kq) or 'neither'}.",
                            "Put KQ on this line if the plan confirms it.",
                        )
                    )
            elif kp_kq and (profile.multi_ndc != "split-lines-kp-kq" or len(ndcs) < 2):
                r.findings.append(
                    finding(
                        "warning",
                        f"{'/'.join(kp_kq)} on a line, but {profile.name} does not ask for KP/KQ here.",
                        "Remove KP/KQ unless the payer asks for them.",
                    )
                )


def check_duplicates(lines: list[ReadLine]) -> None:
    """A line repeating an earlier one's modifiers and NDC: a duplicate when the units match too."""
    seen: dict[tuple[tuple[str, ...], str], ReadLine] = {}
    for r in lines:
        key = (tuple(sorted(r.modifiers)), r.ndc11)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = r
            continue
        same_units = earlier.units == r.units
        r.findings.append(
            Finding(
                "error" if same_units else "warning",
                "duplicate",
                f"Same code, modifiers and NDC as line {earlier.line.ref}"
                + (" and the same units: payers deny it as a duplicate." if same_units else "."),
                "Delete the repeated line." if same_units else "Combine the two lines into one with the units added.",
            )
        )
