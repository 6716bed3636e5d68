"""The curated pack checked against an imported CMS quarter: each code and package confirmed, contradicted, or not
listed, with the quarter and file that say so.

"Not listed" is not a contradiction: the ASP crosswalk lists only NDCs reported for Medicare Part B pricing, and a
quarter's HCPCS file may simply not have been imported. A contradiction is a fact the pack states that CMS's file
states differently; it needs a person to look, and the pack is never changed by a review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from omaliref.domain.cms_facts import decimal_text
from omaliref.domain.model import Code, Product, units_per_container
from omaliref.domain.quantities import format_amount
from omaliref.domain.quarter import Quarter
from omaliref.domain.vocab import ReviewVerdict

if TYPE_CHECKING:  # rows only pass through: the CMS parsers load with the import database, not at start-up
    from omaliref.domain.cms import CrosswalkRow, HcpcsRow


@dataclass(frozen=True)
class ReviewItem:
    """One curated fact against one quarter's file."""

    kind: str  # "code" or "package"
    id: str  # the code, or the NDC as the pack writes it
    code: str
    verdict: ReviewVerdict
    quarter: str | None  # the quarter checked against; None when no imported quarter has that file
    detail: str
    source_id: str = ""  # the imported file's source id, when one was read


def review_code(
    code: Code, quarter: str | None, row: HcpcsRow | None, conflicts: Sequence[str], source_id: str
) -> ReviewItem:
    """A curated code against the HCPCS file: present and agreeing, disagreeing (descriptor, unit, terminated), or
    absent."""
    if quarter is None:
        return ReviewItem("code", code.code, code.code, "not-imported", None, "No HCPCS file is imported.")
    if row is None:
        why = ""
        if code.effective_from is not None and code.effective_from > Quarter.parse(quarter).end:
            why = f" (the pack has it from {code.effective_from.isoformat()}, after that quarter)"
        return ReviewItem(
            "code",
            code.code,
            code.code,
            "not-listed",
            quarter,
            f"{code.code} is not in the {quarter} HCPCS file{why}.",
            source_id,
        )
    problems = list(conflicts)
    if row.term_date is not None and code.status == "active" and code.effective_to is None:
        problems.append(f"CMS {quarter} terminates {code.code} on {row.term_date.isoformat()}; the pack has it active")
    if code.effective_from is not None and row.add_date is not None and row.add_date != code.effective_from:
        problems.append(
            f"CMS {quarter} adds {code.code} on {row.add_date.isoformat()}; "
            f"the pack has {code.effective_from.isoformat()}"
        )
    if problems:
        return ReviewItem("code", code.code, code.code, "contradicted", quarter, "; ".join(problems), source_id)
    return ReviewItem(
        "code",
        code.code,
        code.code,
        "confirmed",
        quarter,
        f"CMS {quarter}: '{row.long_description}'",
        source_id,
    )


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
