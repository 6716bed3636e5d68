"""Audit drug lines already keyed (a charge export, an 837, a paste): lines in, findings out.

Pure: a source (the Library) hands in the catalog of each code and date of service (the pack, plus the imported
quarter), the quarter's CMS facts and the payer profiles. The checks reuse the calculator's knowledge — packages,
billing units per container, the NDC unit a profile wants, the in-force checks of codes and modifiers — and cite
the pack's rules and sources, so the audit and the calculator cannot drift apart.

Lines of one claim and day are audited together (JW partner lines, JZ, several NDCs, duplicates, MUE totals): a
group is a run of consecutive lines with the same claim, date of service, payer profile and setting, so the input
streams through in bounded memory.

The modules, along the checks' seams: `lines` (the line as keyed and as read, field parsing), `findings`,
`auditor` (reading a line, resolving its code, grouping), `ndc` (format and package), `quantity` (units and NDC
quantity), `modifiers` (in force, 340B), `waste` (JW/JZ) and `claim` (MUE, several NDCs, duplicates).
"""

from omaliref.domain.audit.auditor import Auditor
from omaliref.domain.audit.findings import Finding, LineAudit, worst_first
from omaliref.domain.audit.lines import SETTING_FOR_POS, AuditLine, AuditSource, split_modifiers
from omaliref.domain.audit.quantity import unit_bounds

__all__ = [
    "SETTING_FOR_POS",
    "AuditLine",
    "AuditSource",
    "Auditor",
    "Finding",
    "LineAudit",
    "split_modifiers",
    "unit_bounds",
    "worst_first",
]
