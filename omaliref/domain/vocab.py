"""Every closed vocabulary the code relies on, defined once.

The data pack, the CLI, the panes and the reports take their words from here; UI labels for them live once in
`omaliref.ui.labels`. The pack loader checks the pack's words against these tuples, so a typo in a TOML file is a
PackError at load, never a silent mismatch later.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

# an id (payer profile, checklist item): lower-case ASCII letters and digits in words joined by single hyphens; the
# payer files, `payers check`, the site settings and the state file all take this one rule (red team 2026-12 #16)
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ID_RULE = "lower-case letters and digits (a-z, 0-9) in words joined by single hyphens, e.g. acme-bcbs"

PayerKind = Literal["medicare", "medicare-advantage", "medicaid", "commercial"]
Setting = Literal["office", "hospital-outpatient"]
Modifier340B = Literal["", "JG", "TB", "U8", "UD"]
MultiNdc = Literal["split-lines", "split-lines-kp-kq", "single-line-note"]
JwJzPolicy = Literal["medicare", "jw-only", "jw-weight-based-only", "none"]
DeviceUnit = Literal["ML", "UN"]
ClaimForm = Literal["cms1500", "ub04"]
OutputFormat = Literal["text", "json", "cms1500", "ub04", "x12"]
Indication = Literal["asthma", "crswnp", "csu", "food-allergy"]
WarningLevel = Literal["error", "warning", "info"]
Severity = Literal["blocker", "high", "advisory"]
Verdict = Literal["blockers", "high-risk", "ready"]
LineKind = Literal["administered", "discarded"]
Confidence = Literal["high", "medium", "low"]
Route = Literal["SC", "IV", "IM", "implant", ""]
ContainerType = Literal["single-dose", "multi-dose", "unknown"]
# what a code is: only a "drug" is calculable; "other" is an imported code whose unit CMS does not give
CodeCategory = Literal["drug", "device", "fallback", "other"]
# what one container is; "package" is an imported crosswalk package (what it holds is not in the file)
ProductForm = Literal["vial", "prefilled-syringe", "autoinjector", "implant", "unmapped", "package"]
MarketingStatus = Literal["listed", "not verified"]
# what the pack says of a code (its dates say when): in use, ended, or ended with replaced_by to bill instead
CodeStatus = Literal["active", "ended", "replaced"]
# who supplied the drug: the practice bought it (buy and bill), a specialty pharmacy shipped it for the patient
# (white bagging), a manufacturer's free-drug program, or the patient brought it (brown bagging)
SuppliedBy = Literal["practice", "specialty-pharmacy", "manufacturer", "patient"]
# what a drug line becomes when the practice did not buy the drug
SupplyAction = Literal["token-charge", "leave-off"]
MueSetting = Literal["practitioner", "outpatient-hospital", "dme-supplier"]
CmsKind = Literal["hcpcs", "asp", "crosswalk", "mue"]
# the pack vs a CMS quarter: "settled" = the pack called the fact unverified and CMS states it; "ended" = CMS states
# an end date the pack agrees with (never "confirmed")
NdcUnit = Literal["UN", "ML", "GR", "F2", "ME"]  # the X12 / NUCC NDC units of measure (CTP05-1, item 24A)
# What `omaliref audit` checks on a keyed drug line; a finding names its check (and the pack's rule when one applies).
AuditCheck = Literal[
    "row",
    "not-judged",
    "code",
    "date",
    "payer-profile",
    "setting",
    "units",
    "ndc-format",
    "ndc-code",
    "ndc-listed",
    "ndc-unit",
    "ndc-quantity",
    "units-ndc",
    "mue",
    "payer-max-units",
    "jw-jz",
    "in-force",
    "340b",
    "route",
    "multi-ndc",
    "duplicate",
]
ReviewVerdict = Literal["confirmed", "settled", "contradicted", "ended", "not-listed", "not-imported"]

PAYER_KINDS: tuple[PayerKind, ...] = get_args(PayerKind)
SETTINGS: tuple[Setting, ...] = get_args(Setting)
MODIFIERS_340B: tuple[str, ...] = tuple(m for m in get_args(Modifier340B) if m)
MEDICARE_340B_MODIFIERS = ("JG", "TB")  # Medicare Part B's; U8 and UD are Medicaid programs'
MULTI_NDC_MODES: tuple[MultiNdc, ...] = get_args(MultiNdc)
JW_JZ_POLICIES: tuple[JwJzPolicy, ...] = get_args(JwJzPolicy)
DEVICE_UNITS: tuple[DeviceUnit, ...] = get_args(DeviceUnit)
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
CMS1500_NDC_GAPS = (0, 1, 3)  # blanks between the NDC and the unit qualifier in item 24A (NUCC 1; Medicare print 3)
NGS_JURISDICTIONS = ("J6", "JK")  # National Government Services' Part A/B jurisdictions
# The claim form of each setting: office claims are professional (CMS-1500 / 837P), hospital outpatient claims are
# institutional (UB-04 / 837I, drugs requiring detailed coding under revenue code 0636).
FORM_FOR_SETTING: dict[Setting, ClaimForm] = {"office": "cms1500", "hospital-outpatient": "ub04"}
DRUG_REVENUE_CODE = "0636"
INDICATIONS: tuple[Indication, ...] = get_args(Indication)
WARNING_LEVELS: tuple[WarningLevel, ...] = get_args(WarningLevel)  # most severe first
SEVERITIES: tuple[Severity, ...] = get_args(Severity)  # most severe first
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
REVIEW_VERDICTS: tuple[ReviewVerdict, ...] = get_args(ReviewVerdict)
LINE_KINDS: tuple[LineKind, ...] = get_args(LineKind)
CONFIDENCES: tuple[Confidence, ...] = get_args(Confidence)  # best first
ROUTES: tuple[Route, ...] = get_args(Route)
CONTAINER_TYPES: tuple[ContainerType, ...] = get_args(ContainerType)
CODE_CATEGORIES: tuple[CodeCategory, ...] = get_args(CodeCategory)
PRODUCT_FORMS: tuple[ProductForm, ...] = get_args(ProductForm)
MARKETING_STATUSES: tuple[MarketingStatus, ...] = get_args(MarketingStatus)
CODE_STATUSES: tuple[CodeStatus, ...] = get_args(CodeStatus)
SUPPLIERS: tuple[SuppliedBy, ...] = get_args(SuppliedBy)
SUPPLY_ACTIONS: tuple[SupplyAction, ...] = get_args(SupplyAction)
SUPPLIER_TEXT: dict[SuppliedBy, str] = {
    "practice": "the practice's own stock (buy and bill)",
    "specialty-pharmacy": "a specialty pharmacy, for this patient (white bagging)",
    "manufacturer": "a manufacturer's free-drug program",
    "patient": "the patient (brown bagging)",
}
MUE_SETTINGS: tuple[MueSetting, ...] = get_args(MueSetting)
CMS_KINDS: tuple[CmsKind, ...] = get_args(CmsKind)
NDC_UNITS: tuple[NdcUnit, ...] = get_args(NdcUnit)
AUDIT_CHECKS: tuple[AuditCheck, ...] = get_args(AuditCheck)

# Which NCCI MUE table applies to a claim from each setting (practitioner claims are CMS-1500 / 837P, hospital
# outpatient claims UB-04 / 837I); the DME supplier table never applies to a drug given in the office.
MUE_TABLE_FOR_SETTING: dict[Setting, MueSetting] = {
    "office": "practitioner",
    "hospital-outpatient": "outpatient-hospital",
}

# Omalizumab indications whose label dose depends on IgE and weight.
WEIGHT_BASED_INDICATIONS: tuple[Indication, ...] = ("asthma", "crswnp", "food-allergy")


def words(vocabulary: tuple[str, ...]) -> str:
    """'a, b or c' for a sentence that lists what is accepted."""
    shown = [w for w in vocabulary if w]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
