"""What the coder reads for each domain vocabulary word: the only place UI labels for them are written."""

from __future__ import annotations

from omaliref.domain.vocab import (
    INDICATIONS,
    MODIFIERS_340B,
    PAYER_KINDS,
    SETTINGS,
    Indication,
    PayerKind,
    ReviewVerdict,
    Setting,
    SuppliedBy,
    Verdict,
    WarningLevel,
)

_PAYER: dict[PayerKind, str] = {
    "medicare": "Medicare Part B",
    "medicare-advantage": "Medicare Advantage",
    "medicaid": "Medicaid",
    "commercial": "Commercial",
}
_SETTING: dict[Setting, str] = {"office": "Office", "hospital-outpatient": "Hospital outpatient"}
_INDICATION: dict[Indication, str] = {
    "asthma": "Asthma",
    "crswnp": "CRSwNP (nasal polyps)",
    "csu": "Chronic spontaneous urticaria",
    "food-allergy": "IgE-mediated food allergy",
}

# the reference pane's line for a curated fact checked against the imported CMS files ("" = say nothing)
REVIEW_LABELS: dict[ReviewVerdict, str] = {
    "confirmed": "Confirmed by CMS",
    "settled": "Settled by CMS (the pack called it unverified)",
    "contradicted": "CONTRADICTED by CMS — check before billing",
    "ended": "Ended, as CMS states",
    "not-listed": "Not listed by CMS",
    "not-imported": "",
}
PAYER_LABELS = tuple((p, _PAYER[p]) for p in PAYER_KINDS)
SETTING_LABELS = tuple((s, _SETTING[s]) for s in SETTINGS)
INDICATION_LABELS = (("", "— not set —"),) + tuple((i, _INDICATION[i]) for i in INDICATIONS)
M340B_LABELS = (("", "None (not 340B)"),) + tuple((m, m) for m in MODIFIERS_340B)
SUPPLIER_LABELS: tuple[tuple[SuppliedBy, str], ...] = (
    ("practice", "Practice stock (buy and bill)"),
    ("specialty-pharmacy", "Specialty pharmacy, for this patient (white bag)"),
    ("manufacturer", "Manufacturer free-drug program"),
    ("patient", "The patient brought it (brown bag)"),
)
LINE_VIEW_LABELS = (
    ("fields", "Fields to key"),
    ("cms1500", "CMS-1500 item 24A"),
    ("ub04", "UB-04 FL43"),
    ("x12", "837 lines"),
)
# beside a Preferences key the site settings file locks
LOCKED_NOTE = "set by your organization"
LEVEL_MARK: dict[WarningLevel, str] = {"error": "✖ ERROR", "warning": "⚠ WARNING", "info": "ℹ note"}
VERDICT_STYLE: dict[Verdict, str] = {
    "blockers": "background:#8b0000; color:white;",
    "high-risk": "background:#ffd27f; color:#3a2600;",
    "ready": "background:#1e5631; color:white;",
}
