"""The data pack's schema, declared once: the loader validates with it and the editors' guide is generated from it.

`python -m omaliref.data.pack_schema > resources/README.md` writes the guide; a test fails when the shipped guide
is out of date (qutebrowser's configdata.yml is the model: one declaration, three uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omaliref.data import pack_words
from omaliref.domain.checklist import CONDITION_KEYS, ESCALATIONS
from omaliref.domain.payer import PROFILE_340B
from omaliref.domain.vocab import (
    CODE_CATEGORIES,
    CODE_STATUSES,
    CONFIDENCES,
    CONTAINER_TYPES,
    DEVICE_UNITS,
    INDICATIONS,
    JW_JZ_POLICIES,
    MARKETING_STATUSES,
    MODIFIERS_340B,
    MULTI_NDC_MODES,
    NDC_UNITS,
    PAYER_KINDS,
    PRODUCT_FORMS,
    ROUTES,
    SETTINGS,
    SEVERITIES,
    SUPPLIERS,
    SUPPLY_ACTIONS,
)


@dataclass(frozen=True)
class Field:
    """One field of a record: its TOML type, whether it is required, what it means, and its closed words."""

    type: str  # str, bool, int, date, strs, quantity, dose_limit, bands, cells, dict, rule (a payer rule field)
    required: bool
    doc: str
    choices: tuple[str, ...] = ()
    word_docs: tuple[str, ...] = ()  # what each of `choices` means, in the same order (the guide lists them)


def _closed(doc: str, meanings: Mapping[str, str], words: tuple[str, ...], *left_out: str) -> Field:
    """A required field of closed words (vocab's, less `left_out`), each with what it means."""
    meant = pack_words.meanings_of(meanings, words, *left_out)
    return Field("str", True, doc, tuple(meant), tuple(meant.values()))


@dataclass(frozen=True)
class Table:
    file: str
    table: str
    key: str
    doc: str
    fields: Mapping[str, Field]


PROVENANCE = {
    "confidence": Field("str", True, "How settled the fact is; follows its best source.", CONFIDENCES),
    "sources": Field("strs", True, "Source ids from sources.toml (at least one)."),
    "as_of": Field("date", True, "When the fact was last checked against its sources."),
}


def _f(kind: str, doc: str, choices: tuple[str, ...] = ()) -> Field:
    return Field(kind, True, doc, choices)


def _o(kind: str, doc: str, choices: tuple[str, ...] = ()) -> Field:
    return Field(kind, False, doc, choices)


TABLES: dict[str, Table] = {
    t.table: t
    for t in (
        Table(
            "sources.toml",
            "source",
            "id",
            "The source register: every fact cites ids from here.",
            {
                "id": _f("str", "S1…S106 mirror the research register; named ids for sources cited inline."),
                "title": _f("str", "Title as published; a third-party copy says 'copy hosted by …'."),
                "url": _f("str", "http(s) address, or empty for a document without one."),
                "date": _f("str", "Publication or revision date as the source gives it."),
                "kind": _f("str", "The publisher's kind (never the host's).", pack_words.SOURCE_KINDS),
            },
        ),
        Table(
            "codes.toml",
            "code",
            "code",
            "HCPCS codes: descriptor, billing unit and what is known about them.",
            {
                "code": _f("str", "HCPCS Level II code, e.g. J2357."),
                "descriptor": _f("str", "Long descriptor as CMS publishes it."),
                "descriptor_verified": _f("bool", "True when checked against the CMS HCPCS file."),
                "short_descriptor": _o("str", "CMS short descriptor."),
                "billing_unit": _f("quantity", 'One billing unit: { amount = "5", unit = "mg" }.'),
                "unit_verified": _f("bool", "True when the unit is checked against the CMS HCPCS file."),
                "drug": _f("str", "Generic name."),
                "brands": _f("strs", "Brand names billed under the code."),
                "category": _closed("What the code is.", pack_words.CATEGORY_MEANINGS, CODE_CATEGORIES, "other"),
                "status": _closed("The code's status; its dates say when.", pack_words.STATUS_MEANINGS, CODE_STATUSES),
                "effective_from": _o("date", "First date of service the code is valid."),
                "effective_from_confidence": _o("str", "Confidence of effective_from.", CONFIDENCES),
                "effective_to": _o("date", "Last date of service the code is valid."),
                "replaced_by": _o("strs", "Codes that replace it after effective_to."),
                "routes": _f("strs", "Routes of administration.", tuple(r for r in ROUTES if r)),
                "route_modifier_required": _o("bool", "JA/JB route modifier needed (multi-route codes)."),
                "weight_based": _o(
                    "bool", "The label dose depends on body weight (Texas Medicaid allows JW only for those)."
                ),
                "admin_codes": _f("strs", "Administration CPT codes usually billed with it."),
                "lookalikes": _f("strs", "Codes commonly confused with it (must exist in the pack)."),
                "summary": _f("str", "One paragraph for the reference pane."),
                "notes": _f("strs", "Further notes, each a sentence."),
                "max_single_dose": _o("dose_limit", "Largest label dose: { amount, unit, note, sources }."),
                "min_single_dose": _o(
                    "dose_limit",
                    "Smallest label dose: { amount, unit, note, sources }; a dose below a "
                    "quarter of it is refused as a slip, below it warned.",
                ),
                "dates_source": _o("str", "The source id that states the dates (a CMS HCPCS file)."),
                "shortest_interval": _o(
                    "dict",
                    "The label's shortest interval between doses: { weeks, note, sources }; a last dose "
                    "closer than this is warned.",
                ),
                "pricing_note": _o(
                    "str", "Said with every calculation when no imported quarter gives a payment limit (e.g. none yet)."
                ),
                **PROVENANCE,
            },
        ),
        Table(
            "products.toml",
            "product",
            "ndc",
            "NDC packages: what one container holds and how it goes on a claim.",
            {
                "ndc": _f("str", "11-digit NDC in 5-4-2 form, e.g. 50242-0215-01."),
                "listed_ndc": _f("str", "The NDC as the labeler lists it (10 digits)."),
                "code": _f("str", "The HCPCS code it is billed under (must exist in codes.toml)."),
                "brand": _f("str", "Brand name."),
                "presentation": _f("str", "What the package is, as the label says."),
                "form": _closed("What one container is.", pack_words.FORM_MEANINGS, PRODUCT_FORMS, "package"),
                "container_amount": _f("quantity", "What one container is labelled to hold (whole billing units)."),
                "volume_ml": _o("str", "Volume of one container in mL."),
                "containers_per_package": _o("int", "Containers in one NDC package."),
                "container_type": _f("str", "Single-dose status (JW/JZ apply only to single-dose).", CONTAINER_TYPES),
                "container_type_confidence": _o("str", "Confidence of container_type.", CONFIDENCES),
                "route": _f("str", "Route of administration.", tuple(r for r in ROUTES if r)),
                "marketing_status": _closed(
                    "The package's marketing status.", pack_words.MARKETING_MEANINGS, MARKETING_STATUSES
                ),
                "marketing_start": _o("date", "First marketed (openFDA)."),
                "status_note": _o("str", "Why the status is what it is."),
                "presentation_verified": _f("bool", "NDC, contents and single-dose status all verified."),
                "auto_select": _f("bool", "The calculator may choose it by itself (only verified packages)."),
                "ndc_unit": _f("str", "NDC unit of measure on the claim.", NDC_UNITS),
                "ndc_quantity": _f("str", 'NDC quantity for one container, e.g. "1" or "0.5".'),
                "ndc_unit_confidence": _f("str", "Confidence of the unit of measure.", CONFIDENCES),
                "notes": _f("strs", "Further notes."),
                **PROVENANCE,
            },
        ),
        Table(
            "mue.toml",
            "mue",
            "code",
            "Medically Unlikely Edits as CMS publishes them, one record per code, used (and labelled with their "
            "quarter) when no imported MUE file covers the date of service; an imported quarter wins.",
            {
                "code": _f("str", "The HCPCS code (must exist in codes.toml)."),
                "quarter": _f("str", "The quarter of the CMS MUE tables, e.g. 2026Q2."),
                "practitioner": _o("int", "MUE of the practitioner services table (units per day)."),
                "outpatient_hospital": _o("int", "MUE of the outpatient hospital services table."),
                "dme_supplier": _o("int", "MUE of the DME supplier services table."),
                "mai": _f("int", "MUE adjudication indicator (1 line, 2 policy, 3 date of service)."),
                "mai_text": _f("str", "The indicator's words as the file prints them."),
                "rationale": _f("str", "CMS's MUE rationale."),
                **PROVENANCE,
            },
        ),
        Table(
            "supply.toml",
            "supply",
            "id",
            "What the drug line becomes when the practice did not buy the drug (white or brown bagging, free drug), "
            "per payer profile or payer kind; where no row matches, the app says the rule is not known.",
            {
                "id": _f("str", "Identifier."),
                "payer": _f("str", "A payer profile id, or a payer kind; the profile's own row wins."),
                "settings": _f("strs", f"Settings it applies to: {', '.join(SETTINGS)}."),
                "supplied_by": _f(
                    "strs", f"Who supplied the drug: {', '.join(s for s in SUPPLIERS if s != 'practice')}."
                ),
                "action": _f("str", "token-charge (the drug line kept at `charge`) or leave-off.", SUPPLY_ACTIONS),
                "charge": _o("str", 'token-charge: the drug line\'s charge, e.g. "0.01".'),
                "non_covered": _o("bool", "token-charge on the UB-04: the same amount as non-covered charge."),
                "inferred": _o("bool", "The sources speak of a neighbouring case; the rule is inferred."),
                "text": _f("str", "What the coder reads: the rule and who says it."),
                "quote": _f("str", "The source's words."),
                **PROVENANCE,
            },
        ),
        Table(
            "modifiers.toml",
            "modifier",
            "code",
            "Modifiers: descriptor, meaning, dates and status.",
            {
                "code": _f("str", "Two characters, e.g. JW."),
                "descriptor": _f("str", "Official descriptor."),
                "short_descriptor": _o("str", "Short descriptor."),
                "meaning": _f("str", "What it means for the coder."),
                "effective_from": _o("date", "First date of service it is valid (CMS HCPCS ADD DT)."),
                "effective_to": _o(
                    "date", "Last date of service it is valid (CMS HCPCS TERM DT); after it the modifier is refused."
                ),
                "replaced_by": _o("strs", "Modifiers to use after effective_to (must exist in the pack)."),
                "dates_source": _o("str", "The source id that states the dates (a CMS HCPCS file)."),
                "required_from": _o("date", "When it became required."),
                "required_note": _o("str", "By whom it is required."),
                "status_note": _o("str", "Unsettled points about it, shown with it."),
                "payers": _f("strs", "Payers the note applies to."),
                "common_errors": _f("strs", "Errors coders make with it."),
                "aliases": _o("strs", "Other words that should find it."),
                **PROVENANCE,
            },
        ),
        Table(
            "topics.toml",
            "topic",
            "id",
            "Reference topics; a code's sections carry code and section.",
            {
                "id": _f("str", "lower-case-words-with-hyphens."),
                "code": _o("str", "The code the section belongs to."),
                "section": _o(
                    "str",
                    "definition, clinical-context, modifiers, documentation, denials, commercial or similar-codes.",
                ),
                "title": _f("str", "Heading."),
                "keywords": _f("strs", "Extra search words."),
                "body": _f("str", "Text; lines starting '- ' are bullets."),
                **PROVENANCE,
            },
        ),
        Table(
            "corrections.toml",
            "correction",
            "id",
            "Known errors (look-alike codes) and what is right.",
            {
                "id": _f("str", "Identifier."),
                "codes": _f("strs", "Codes or modifiers the correction is shown with."),
                "terms": _f("strs", "Search words that trigger it."),
                "always_show": _f("bool", "Show with every calculation of these codes."),
                "wrong": _f("str", "The wrong statement."),
                "right": _f("str", "What is right."),
                "points_to": _f("str", "The code or modifier that is right."),
                **PROVENANCE,
            },
        ),
        Table(
            "rules.toml",
            "rule",
            "id",
            "Billing rules the calculator applies, with their dates. The calculator "
            "refuses a pack that lacks one of its rule ids.",
            {
                "id": _f("str", "Rule id the code names (see RULE_IDS in omaliref/domain/calculator/results.py)."),
                "title": _f("str", "Short title."),
                "text": _f("str", "The rule as the source states it."),
                "effective_from": _o("date", "First date of service the rule is in force."),
                "effective_to": _o("date", "Last date of service the rule is in force."),
                "before_note": _o("str", "What to say for a date before the rule."),
                **PROVENANCE,
            },
        ),
        Table(
            "rules.toml",
            "route",
            "route",
            "What each route means on the claim (rules admin-code and route-modifier-j0490). The administration code "
            "comes from the first record, in file order, whose route a container has; the route modifier goes on a "
            "code with route_modifier_required.",
            {
                "route": _f("str", "The route.", tuple(r for r in ROUTES if r)),
                "admin_code": _f("str", "The administration code to pair, as the coder reads it."),
                "modifier": _o("str", "The route modifier of a multi-route code (must exist in modifiers.toml)."),
                "medicare_note": _o("str", "Said when the route modifier goes on a Medicare line."),
                "other_payers": _o("str", "Said when the route modifier is left off another payer's line."),
                **PROVENANCE,
            },
        ),
        Table(
            "rules.toml",
            "administration",
            "setting",
            "How a sentence names the administration line in each setting (one record per setting).",
            {
                "setting": _f("str", "The setting.", SETTINGS),
                "no_route": _f("str", "The administration advice when neither the packages nor the code give a route."),
                **PROVENANCE,
            },
        ),
        Table(
            "dose_tables.toml",
            "dosed_code",
            "code",
            "The codes the dose tables dose (the dose check, and the names `omaliref dose` accepts).",
            {"code": _f("str", "A code of codes.toml."), "why": _f("str", "Why the tables apply to it."), **PROVENANCE},
        ),
        Table(
            "dose_tables.toml",
            "table",
            "id",
            "Omalizumab dose tables (US label only).",
            {
                "id": _f("str", "Identifier."),
                "indication": _f("str", "Indication.", INDICATIONS),
                "population": _f("str", "Who the table is for."),
                "min_age": _f("int", "Youngest age in years."),
                "max_age_exclusive": _o("int", "Age the table stops at."),
                "ige_bands": _o("bands", "[[low, high], …] IU/mL."),
                "weight_bands": _o("bands", "[[low, high], …] kg."),
                "cells": _o("cells", "One row per IgE band: '150 q4', '-' (no dose) or '?' (not verified)."),
                "complete": _f("bool", "Every cell verified."),
                "limits_note": _o("str", "What the table does not cover."),
                **PROVENANCE,
            },
        ),
        Table(
            "dose_tables.toml",
            "fixed",
            "id",
            "Fixed (not weight-based) label doses.",
            {
                "id": _f("str", "Identifier."),
                "indication": _f("str", "Indication.", INDICATIONS),
                "population": _f("str", "Who the dose is for."),
                "min_age": _f("int", "Youngest age in years."),
                "doses": _f("strs", "Doses, e.g. '150 q4'."),
                "note": _f("str", "Note."),
                **PROVENANCE,
            },
        ),
        Table(
            "checklist.toml",
            "item",
            "id",
            "Documentation and denial-risk checks.",
            {
                "id": _f("str", "Identifier."),
                "text": _f("str", "The check, as the coder reads it."),
                "why": _f("str", "Why it matters."),
                "severity": _f("str", "Severity before escalation.", SEVERITIES),
                "when": _o(
                    "dict",
                    "Conditions, all of which must hold: "
                    + ", ".join(f"{k} ({v})" for k, v in CONDITION_KEYS.items())
                    + f". payers: {', '.join(PAYER_KINDS)}; settings: {', '.join(SETTINGS)}; indications: "
                    + f"{', '.join(INDICATIONS)}; escalate_on: {', '.join(ESCALATIONS)}.",
                ),
                **PROVENANCE,
            },
        ),
    )
}

# pack.toml: the pack as a whole (top-level keys, not a table of records).
PACK = Table(
    "pack.toml",
    "",
    "",
    "The data pack as a whole. No record's as_of may be later than the pack's.",
    {
        "version": _f("str", "The pack's version, e.g. 2026.12.2."),
        "as_of": _f("date", "The date the pack's facts were last checked against docs/domain."),
        "title": _f("str", "What the pack holds, in one line."),
    },
)

# Payer profiles: resources/payers.toml (built in) and the organization's payers.toml files, checked the same way.
PAYER = Table(
    "payers.toml",
    "payer",
    "id",
    "Payer profiles: how one payer wants a case on its claim. Built-in "
    "profiles cite sources and say where each rule value comes from; the organization's files (site or user config "
    "folder, or OMALIREF_PAYERS) may add or replace profiles by id." + pack_words.RULE_DOC,
    {
        "id": _f("str", "lower-case-words-with-hyphens; an organization's profile with a built-in id replaces it."),
        "name": _f("str", "What the coder sees in the picker."),
        "kind": _f("str", "Payer kind (the checklist and the Medicare rules key on it).", PAYER_KINDS),
        "mac": _o("str", "Medicare: the MAC jurisdiction, e.g. J6 or JK (NGS); empty when not known."),
        "state": _o(
            "str", "Medicaid: the two-letter state whose [[state_340b]] rows give the 340B modifier and its position."
        ),
        "sample": _o("bool", "A published example to confirm with the payer before relying on it."),
        "note": _o("str", "What the coder should know about the profile."),
        "sources": _o("strs", "Source ids (built-in profiles: from sources.toml; organization files: free text)."),
        "multi_ndc": _o(
            "rule",
            "Several NDCs for one dose: one line per NDC, with KP/KQ, or one line with the others "
            "in the note (CMS-1500 item 19 / 837P NTE; professional claims only). Default split-lines.",
            MULTI_NDC_MODES,
        ),
        "jw_jz": _o(
            "rule",
            "Discarded-drug modifiers: the Medicare convention, JW only, JW only for weight-based "
            "drugs from single-dose vials (Texas Medicaid), or none. Default medicare.",
            JW_JZ_POLICIES,
        ),
        "modifier_340b": _o("rule", "The payer's 340B modifier (--340b yes applies it). Default none.", PROFILE_340B),
        "modifier_340b_ub04_position": _o(
            "rule", "Where the 340B modifier goes on the UB-04: 0 after the others, 1 first, 2 second. Default 0."
        ),
        "ndc_unit_devices": _o("rule", "NDC unit for prefilled syringes and autoinjectors. Default ML.", DEVICE_UNITS),
        "ndc_required": _o("rule", "An NDC unit and quantity are required on every drug line (true/false)."),
        "cms1500_ndc_gap": _o(
            "rule",
            "Blanks between the NDC and the unit in CMS-1500 item 24A: 0, 1 (NUCC) or 3 "
            "(Medicare's print layout). Default 1.",
        ),
        "cms1500_ndc_box": _o(
            "rule", "Where the NDC goes on a paper CMS-1500: 24a (the shaded part) or 19 (Palmetto GBA). Default 24a."
        ),
        "max_units": _o("rule", "Maximum units per administration by code, e.g. { J2357 = 120 }."),
        "prior_authorization": _o("rule", "The payer requires prior authorization (a checklist item)."),
        "step_therapy": _o("rule", "The payer applies step therapy to these biologics (a checklist item)."),
    },
)
STATE_340B = Table(
    "payers.toml",
    "state_340b",
    "state",
    "Medicaid 340B modifiers by state: the Medicaid profiles naming the state (and --340b yes) use the row in force "
    "on the date of service.",
    {
        "state": _f("str", "Two capital letters, e.g. TX."),
        "modifier": _f("str", "The state's 340B modifier.", MODIFIERS_340B),
        "ub04_position": _o("int", "On the UB-04: 0 after the other modifiers (default), 1 first, 2 second."),
        "effective_from": _o("date", "First date of service the row applies to."),
        "effective_to": _o("date", "Last date of service the row applies to."),
        "source": _f("str", "Source id from sources.toml."),
        "quote": _f("str", "The source's own words for the modifier."),
        "position_quote": _o("str", "The source's own words for the position, when `quote` does not give it."),
        "checked": _f("date", "When the source was checked."),
        "note": _o("str", "Scope and anything else the coder should know."),
    },
)


def guide() -> str:
    """resources/README.md: the editors' guide, generated from TABLES."""
    out = [
        "# The data pack: editors' guide",
        "",
        "Generated from `omaliref/data/pack_schema.py` by `python -m omaliref.data.pack_schema > "
        "resources/README.md`; do not edit by hand. The loader checks every record against this schema and names "
        "file, record and field for any problem. How to add a code, a package or a rule: CONTRIBUTING.md.",
        "",
    ]
    for t in (PACK, *TABLES.values(), PAYER, STATE_340B):
        heading = f"`[[{t.table}]]` (key `{t.key}`)" if t.table else "top-level keys"
        out += [
            f"## `{t.file}`: {heading}",
            "",
            t.doc,
            "",
            "| field | type | required | meaning |",
            "|---|---|---|---|",
        ]
        for name, f in t.fields.items():
            if f.word_docs:
                meant = zip(f.choices, f.word_docs, strict=True)
                words = " One of: " + "; ".join(f"`{c}` — {d}" for c, d in meant) + "."
            else:
                words = f" One of: {', '.join(f'`{c}`' for c in f.choices)}." if f.choices else ""
            out.append(f"| `{name}` | {f.type} | {'yes' if f.required else 'no'} | {f.doc}{words} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(guide(), end="")
