"""The one layout table: the columns CMS uses in each file kind (docs/domain/cms-files.md), read by the parsers and
by the test fixtures that build synthetic files (tests/fixtures/cms.py), so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from omaliref.domain.vocab import MueSetting


@dataclass(frozen=True)
class AnwebColumn:
    """One field of the HCPCS ANWEB record: its columns in the TXT edition (1-based, inclusive, as CMS's record
    layout prints them) and its header in the XLSX edition."""

    first: int
    last: int
    header: str

    @property
    def span(self) -> tuple[int, int]:
        """The 0-based [start, end) slice of a TXT record line."""
        return self.first - 1, self.last


# Keyed by CMS's own field names (the record layout's); the fixtures build records with these names
ANWEB: dict[str, AnwebColumn] = {
    "HCPC": AnwebColumn(1, 5, "HCPC"),
    "SEQNUM": AnwebColumn(6, 10, "SEQNUM"),
    "RECID": AnwebColumn(11, 11, "RECID"),
    "LONG_DESCRIPTION": AnwebColumn(12, 91, "LONG DESCRIPTION"),
    "SHORT_DESCRIPTION": AnwebColumn(92, 119, "SHORT DESCRIPTION"),
    "PRICE1": AnwebColumn(120, 121, "PRICE1"),
    "MULT_PI": AnwebColumn(128, 128, "MULT_PI"),
    "XREF1": AnwebColumn(205, 209, "XREF1"),
    "COV": AnwebColumn(230, 230, "COV"),
    "ASC_GRP": AnwebColumn(231, 232, "ASC_GRP"),
    "ASC_DT": AnwebColumn(233, 240, "ASC_DT"),
    "BETOS": AnwebColumn(257, 259, "BETOS"),
    "TOS1": AnwebColumn(261, 261, "TOS1"),
    "TOS2": AnwebColumn(262, 262, "TOS2"),
    "ANEST_BU": AnwebColumn(266, 268, "ANEST_BU"),
    "ADD_DT": AnwebColumn(269, 276, "ADD DT"),
    "ACT_EFF_DT": AnwebColumn(277, 284, "ACT EFF DT"),
    "TERM_DT": AnwebColumn(285, 292, "TERM DT"),
    "ACTION_CD": AnwebColumn(293, 293, "ACTION CD"),
}
ANWEB_RECORD_WIDTH = 320

# The fields the HCPCS parser reads, by the name it gives them: the record's key, then (on a first line, record id
# 3 or 7) the detail fields
ANWEB_KEY_FIELDS = {"code": "HCPC", "seq": "SEQNUM", "recid": "RECID", "description": "LONG_DESCRIPTION"}
ANWEB_DETAIL_FIELDS = {
    "short_description": "SHORT_DESCRIPTION",
    "pricing": "PRICE1",
    "coverage": "COV",
    "betos": "BETOS",
    "xref1": "XREF1",
    "add_date": "ADD_DT",
    "action_date": "ACT_EFF_DT",
    "term_date": "TERM_DT",
    "action": "ACTION_CD",
}

# The CSV files: each column's header as CMS prints it, in CMS's order; the parser's name for it, or None for a
# column it does not read. Headers are matched case-, space- and underscore-insensitively.
ASP_COLUMNS: dict[str, str | None] = {
    "HCPCS Code": "code",
    "Short Description": "desc",
    "HCPCS Code Dosage": "dosage",
    "Payment Limit": "limit",
    "Co-insurance Percentage": "coinsurance",  # not in every year's file
    "Vaccine AWP%": None,
    "Vaccine Limit": None,
    "Blood AWP%": None,
    "Blood limit": None,
    "Clotting Factor": None,
    "Notes": "notes",
}
CROSSWALK_CODE = "_{year}_CODE"  # the year is often last year's
CROSSWALK_COLUMNS: dict[str, str | None] = {
    CROSSWALK_CODE: "code",
    "Short Description": None,
    "LABELER NAME": "labeler",
    "NDC": "ndc",  # NDC2 in some quarters
    "Drug Name": "drug",
    "HCPCS dosage": "dosage",
    "PKG SIZE": "size",
    "PKG QTY": "qty",
    "BILLUNITS": "units",
    "BILLUNITSPKG": "units_pkg",
}
CROSSWALK_ALIASES = {"ndc": ("NDC2",)}
MUE_COLUMNS = ("HCPCS/CPT Code", "{setting} MUE Values", "MUE Adjudication Indicator", "MUE Rationale")
MUE_HEADER_SETTINGS: dict[str, MueSetting] = {  # the words of the MUE Values header that name the table
    "practitioner": "practitioner",
    "outpatient hospital": "outpatient-hospital",
    "dme supplier": "dme-supplier",
}
MUE_FILE_SETTINGS: dict[str, MueSetting] = {  # the same, as the file name writes them
    "PractitionerServices": "practitioner",
    "OutpatientHospitalServices": "outpatient-hospital",
    "DMESupplierServices": "dme-supplier",
}
