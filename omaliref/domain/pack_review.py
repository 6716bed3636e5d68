"""The curated pack checked against the imported CMS files: each code, modifier, MUE value and package confirmed,
settled, contradicted, ended or not listed, with the quarter and file that say so.

"Not listed" is not a contradiction: the ASP crosswalk lists only NDCs reported for Medicare Part B pricing, and a
quarter's HCPCS file may simply not have been imported. A contradiction is a fact the pack states that CMS's file
states differently (an active record CMS ends is one); it needs a person to look, and the pack is never changed by a
review. "Settled" is a fact the pack calls unverified that CMS states: the detail says what to take. "Ended" is a
code or modifier whose end date CMS states and the pack agrees with: it is never "confirmed".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from omaliref.domain.cms import descriptor_dosage  # review runs only with an import database, never at start-up
from omaliref.domain.cms_facts import MueLimit, decimal_text
from omaliref.domain.model import Code, Modifier, Product, units_per_container
from omaliref.domain.quantities import format_amount
from omaliref.domain.quarter import Quarter
from omaliref.domain.vocab import ReviewVerdict

if TYPE_CHECKING:
    from omaliref.domain.cms import CrosswalkRow, HcpcsRow


@dataclass(frozen=True)
class ReviewItem:
    """One curated fact against one quarter's file."""

    kind: str  # "code", "modifier", "mue" or "package"
    id: str  # the code or modifier, or the NDC as the pack writes it
    code: str
    verdict: ReviewVerdict
    quarter: str | None  # the quarter checked against; None when no imported quarter has that file
    detail: str
    source_id: str = ""  # the imported file's source id, when one was read


def review_code(
    code: Code, quarter: str | None, row: HcpcsRow | None, conflicts: Sequence[str], source_id: str
) -> ReviewItem:
    """A curated code against the HCPCS file: descriptor, unit, ADD DT and TERM DT."""

    def item(verdict: ReviewVerdict, detail: str) -> ReviewItem:
        return ReviewItem("code", code.code, code.code, verdict, quarter, detail, source_id if quarter else "")

    if quarter is None:
        return item("not-imported", "No HCPCS file is imported.")
    if row is None:
        why = ""
        if code.effective_from is not None and code.effective_from > Quarter.parse(quarter).end:
            why = f" (the pack has it from {code.effective_from.isoformat()}, after that quarter)"
        return item("not-listed", f"{code.code} is not in the {quarter} HCPCS file{why}.")
    problems = list(conflicts) + _date_problems(code.code, code.effective_from, code.effective_to, row, quarter)
    if problems:
        return item("contradicted", "; ".join(problems))
    if row.term_date is not None:
        return item("ended", f"ended {row.term_date.isoformat()} (CMS {quarter}), as the pack says")
    unsettled = [
        label
        for label, open_ in (
            ("descriptor", not code.descriptor_verified),
            ("billing unit", not code.unit_verified and bool(descriptor_dosage(row.long_description))),
            ("start date", bool(code.effective_from_confidence) and code.effective_from_confidence != "high"),
            ("confidence", code.provenance.confidence == "low"),
        )
        if open_
    ]
    stated = f"'{row.long_description}'" + (f", added {row.add_date.isoformat()}" if row.add_date else "")
    if unsettled:
        return item("settled", f"The pack calls its {', '.join(unsettled)} unverified; CMS {quarter} states {stated}")
    return item("confirmed", f"CMS {quarter}: {stated}")


def _date_problems(ident: str, start: dt.date | None, end: dt.date | None, row: HcpcsRow, quarter: str) -> list[str]:
    """Where the file's ADD DT and TERM DT disagree with the pack's dates (an active record CMS ends is one)."""
    out = []
    if row.term_date is not None and end is None:
        out.append(f"CMS {quarter} ends {ident} on {row.term_date.isoformat()}; the pack has it active")
    elif row.term_date is not None and end is not None and row.term_date != end:
        out.append(f"CMS {quarter} ends {ident} on {row.term_date.isoformat()}; the pack on {end.isoformat()}")
    elif row.term_date is None and end is not None and end < Quarter.parse(quarter).start:
        # a file from a quarter before the pack's end date rightly lists the record as active then
        out.append(f"CMS {quarter} lists {ident} as active; the pack ends it on {end.isoformat()}")
    if start is not None and row.add_date is not None and row.add_date != start:
        out.append(f"CMS {quarter} adds {ident} on {row.add_date.isoformat()}; the pack has {start.isoformat()}")
    return out


def review_modifier(modifier: Modifier, quarter: str | None, row: HcpcsRow | None, source_id: str) -> ReviewItem:
    """A curated modifier against the HCPCS file: descriptor (while active), ADD DT and TERM DT."""

    def item(verdict: ReviewVerdict, detail: str) -> ReviewItem:
        return ReviewItem(
            "modifier", modifier.code, modifier.code, verdict, quarter, detail, source_id if quarter else ""
        )

    if quarter is None:
        return item("not-imported", "No HCPCS file is imported.")
    if row is None:
        cpt = " (a CPT modifier: the AMA's, not HCPCS Level II)" if modifier.code.isdigit() else ""
        return item("not-listed", f"{modifier.code} is not in the {quarter} HCPCS file{cpt}.")
    problems = _date_problems(modifier.code, modifier.effective_from, modifier.effective_to, row, quarter)
    if row.term_date is None and _norm(row.long_description) != _norm(modifier.descriptor):
        problems.append(f"Descriptor: pack '{modifier.descriptor}' vs CMS {quarter} '{row.long_description}'")
    if problems:
        return item("contradicted", "; ".join(problems))
    if row.term_date is not None:
        return item("ended", f"ended {row.term_date.isoformat()} (CMS {quarter}), as the pack says")
    added = f", added {row.add_date.isoformat()}" if row.add_date else ""
    if modifier.provenance.confidence == "low":
        return item(
            "settled", f"The pack marks it low confidence; CMS {quarter} states '{row.long_description}'{added}"
        )
    return item("confirmed", f"CMS {quarter}: '{row.long_description}'{added}")


def review_mue(code: str, shipped: Sequence[MueLimit], imported: Sequence[MueLimit], source_id: str) -> ReviewItem:
    """The pack's MUE values against the newest imported MUE files, table by table."""
    quarter = imported[0].quarter if imported else None

    def item(verdict: ReviewVerdict, detail: str) -> ReviewItem:
        return ReviewItem("mue", code, code, verdict, quarter, detail, source_id if quarter else "")

    if quarter is None:
        return item("not-imported", "No MUE file is imported.")
    if any(str(Quarter.parse(quarter)) < str(Quarter.parse(m.quarter)) for m in shipped):  # "2026Q2" sorts as time
        return item(
            "not-imported",
            f"The newest imported MUE file ({quarter}) is older than the pack's values (CMS {shipped[0].quarter}).",
        )
    theirs = {m.setting: m for m in imported}
    differ, missing = [], []
    for mine in shipped:
        other = theirs.get(mine.setting)
        if other is None:
            missing.append(mine.setting)
        elif other.value != mine.value:
            differ.append(f"{mine.setting}: pack {mine.value} (CMS {mine.quarter}), CMS {quarter} {other.value}")
    if differ:
        same_quarter = all(m.quarter == quarter for m in shipped)
        if same_quarter:
            return item("contradicted", "; ".join(differ))
        return item("settled", f"CMS {quarter} states newer values: " + "; ".join(differ))
    if missing and len(missing) == len(shipped):
        return item("not-listed", f"{code} is not in the imported {quarter} MUE tables.")
    values = ", ".join(f"{m.setting} {m.value}" for m in shipped if m.setting in theirs)
    return item("confirmed", f"CMS {quarter}: {values} units")


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _same(a: Fraction, b: Decimal) -> bool:
    return a == Fraction(b)


def review_package(
    product: Product, code: Code, quarter: str | None, rows: Sequence[CrosswalkRow], source_id: str
) -> ReviewItem:
    """A curated package against the crosswalk rows carrying its NDC (under any code)."""
    ndc = product.ndc

    def item(verdict: ReviewVerdict, detail: str) -> ReviewItem:
        return ReviewItem("package", ndc, product.code, verdict, quarter, detail, source_id if quarter else "")

    if quarter is None:
        return item("not-imported", "No ASP NDC-HCPCS crosswalk is imported.")
    if not rows:
        return item(
            "not-listed", f"{ndc} is not in the {quarter} crosswalk (it lists only NDCs reported for Part B pricing)."
        )
    mine = [r for r in rows if r.code == product.code]
    if not mine:
        others = ", ".join(sorted({r.code for r in rows}))
        return item("contradicted", f"CMS {quarter} maps {ndc} to {others}, the pack to {product.code}")
    row = mine[0]
    problems = []
    per_container = units_per_container(product, code)
    if row.billunits is not None and not _same(per_container, row.billunits):
        problems.append(
            f"billing units per item: pack {format_amount(per_container)}, CMS {decimal_text(row.billunits)}"
        )
    if (
        product.containers_per_package is not None
        and row.pkg_qty is not None
        and not _same(Fraction(product.containers_per_package), row.pkg_qty)
    ):
        problems.append(f"items per package: pack {product.containers_per_package}, CMS {decimal_text(row.pkg_qty)}")
    if problems:
        return item("contradicted", f"CMS {quarter} {row.drug_name}: " + "; ".join(problems))
    units = decimal_text(row.billunits) if row.billunits is not None else "?"
    return item("confirmed", f"CMS {quarter}: {row.drug_name} under {row.code}, {units} billing units per item")
