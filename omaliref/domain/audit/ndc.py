"""The NDC of a line: its format (N4, 11 digits in 5-4-2), and whether it is a package of the line's code, in the
pack or in the imported NDC-HCPCS crosswalk of the date's quarter."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from omaliref.domain.audit.findings import Finding
from omaliref.domain.audit.lines import FIELD_MAX, ReadLine, rule_sources
from omaliref.domain.calculator import ContainerUse, package_notes
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code, Product, ndc11_candidates, refuse_twelve_digit_ndc

_NOT_DIGITS = re.compile(r"[^0-9]")

# the quarter, the crosswalk file's source id and the codes it lists the NDC under; None: no crosswalk covers the day
Crosswalk = Callable[[str, dt.date], tuple[str, str, tuple[str, ...]] | None]


class NdcCheck:
    """Checks the NDC of each line; remembers each catalog's packages by NDC and each package's notes by day."""

    def __init__(self, crosswalk: Crosswalk) -> None:
        self.crosswalk = crosswalk
        # per catalog (the Library keeps one per code and quarter): its packages by 11-digit NDC
        self._ndc_index: dict[int, tuple[Catalog, dict[str, Product]]] = {}
        self._package_notes: dict[tuple[str, dt.date], tuple[Finding, ...]] = {}

    def check(self, r: ReadLine, catalog: Catalog, code: Code, day: dt.date) -> None:
        """Sets the line's 11-digit NDC, and its package when the pack holds it under the line's code."""
        digits = ndc_digits(r, catalog, code)
        if digits is None:
            return
        r.ndc11 = digits
        product = self._packages(catalog).get(digits)
        if product is None:
            self._by_crosswalk(r, code, digits, day)
            return
        if product.code != code.code:
            r.findings.append(_other_code(catalog, code, product))
            return
        r.product = product
        r.findings += self._notes(product, day)

    def _notes(self, product: Product, day: dt.date) -> tuple[Finding, ...]:
        """The calculator's notes on the package on the day (not yet listed, discontinued, ...)."""
        key = (product.ndc, day)
        if key not in self._package_notes:
            if len(self._package_notes) > 4096:
                self._package_notes.clear()
            self._package_notes[key] = tuple(
                Finding(w.level, "ndc-listed", w.message, "Check the package label and the NDC.", w.rule, w.sources)
                for w in package_notes((ContainerUse(product, 1),), day).warnings
            )
        return self._package_notes[key]

    def _packages(self, catalog: Catalog) -> dict[str, Product]:
        """The catalog's packages by 11-digit NDC, built once per catalog."""
        held = self._ndc_index.get(id(catalog))
        if held is None or held[0] is not catalog:
            if len(self._ndc_index) > 256:
                self._ndc_index.clear()
            held = (catalog, {p.ndc11: p for p in catalog.products.values()})
            self._ndc_index[id(catalog)] = held
        return held[1]

    def _by_crosswalk(self, r: ReadLine, code: Code, ndc11: str, day: dt.date) -> None:
        """An NDC the pack does not hold, against the imported crosswalk of the date's quarter: listed under the
        code (nothing to say; its contents are not known well enough to check units), under another code, or not
        listed; without an imported crosswalk it cannot be confirmed."""
        listed = self.crosswalk(ndc11, day)
        if listed is None:
            r.findings.append(
                Finding(
                    "warning",
                    "ndc-code",
                    f"NDC {ndc11} is not in the data pack, and no imported CMS crosswalk covers {day}: it cannot "
                    f"be confirmed as a {code.code} package.",
                    "Import the quarter's NDC-HCPCS crosswalk, or check the NDC against the package label.",
                )
            )
            return
        quarter, source_id, codes = listed
        if code.code in codes:
            return
        if codes:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-code",
                    f"The CMS NDC-HCPCS crosswalk of {quarter} lists NDC {ndc11} under {' and '.join(codes)}, "
                    f"not {code.code}.",
                    f"Bill {' or '.join(codes)} for this NDC, or key the {code.code} NDC of the package opened.",
                    sources=(source_id,),
                )
            )
            return
        r.findings.append(
            Finding(
                "error",
                "ndc-code",
                f"NDC {ndc11} is neither a {code.code} package in the data pack nor listed in the CMS NDC-HCPCS "
                f"crosswalk of {quarter}.",
                f"Key the NDC of the package opened, as the {quarter} crosswalk lists it under {code.code}.",
                sources=(source_id,),
            )
        )


def _other_code(catalog: Catalog, code: Code, product: Product) -> Finding:
    """The pack holds the NDC under another code (a look-alike's correction says which mix-up it is)."""
    other = catalog.codes.get(product.code)
    drug = f" ({other.drug})" if other else ""
    corrections = [c.right for c in catalog.corrections_for(code.code) if c.points_to == product.code]
    return Finding(
        "error",
        "ndc-code",
        f"NDC {product.ndc} is {product.brand}{drug}, billed under {product.code}, not {code.code}."
        + (f" {corrections[0]}" if corrections else ""),
        f"Bill {product.code} for this NDC, or key the {code.code} NDC of the package opened.",
        sources=product.provenance.sources,
    )


def ndc_digits(r: ReadLine, catalog: Catalog, code: Code) -> str | None:
    """The line's NDC as 11 digits, when it is keyed as an NDC claims carry (qualifier N4; 11 digits, or 5-4-2);
    None, with the finding, when it is missing or malformed."""
    profile, fmt = r.profile, rule_sources(r, "ndc-format")
    assert profile is not None
    ndc_text = r.line.ndc.strip()[:FIELD_MAX]
    if not ndc_text:
        if profile.ndc_required:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-format",
                    f"No NDC: {profile.name} requires the NDC on every drug line.",
                    "Key N4, the 11-digit NDC, its unit and quantity.",
                    "ndc-format",
                    fmt + profile.sources,
                )
            )
        return None
    ndc_text = _qualified(r, ndc_text, fmt)
    try:
        refuse_twelve_digit_ndc(ndc_text, "ndc")
    except InputError as exc:
        r.findings.append(Finding("error", "ndc-format", str(exc), "Key the 11-digit 5-4-2 NDC.", "ndc-format", fmt))
        return None
    digits = _NOT_DIGITS.sub("", ndc_text)
    parts = [p for p in ndc_text.replace(" ", "-").split("-") if p]
    five_four_two = len(parts) == 3 and [len(p) for p in parts] == [5, 4, 2] and digits == "".join(parts)
    if five_four_two or (len(digits) == 11 and digits == ndc_text.replace("-", "")):
        return digits
    r.findings.append(_not_eleven_digits(catalog, code, ndc_text, digits, fmt))
    return None


def _qualified(r: ReadLine, ndc_text: str, fmt: tuple[str, ...]) -> str:
    """The NDC without its qualifier; a qualifier other than N4 is a finding."""
    qualifier = r.line.ndc_qualifier.strip().upper()[:FIELD_MAX]
    if ndc_text[:2].upper() == "N4":  # 'N450242021501': the qualifier keyed with the NDC, as item 24A shows it
        qualifier, ndc_text = qualifier or "N4", ndc_text[2:].strip()
    if qualifier and qualifier != "N4":
        r.findings.append(
            Finding(
                "error",
                "ndc-format",
                f"NDC qualifier '{qualifier[:10]}': an NDC is qualified N4.",
                "Key N4 before the NDC.",
                "ndc-format",
                fmt,
            )
        )
    return ndc_text


def _not_eleven_digits(catalog: Catalog, code: Code, ndc_text: str, digits: str, fmt: tuple[str, ...]) -> Finding:
    """A 10-digit (or otherwise short) NDC, with the pack's one package of the code it may stand for."""
    known = [
        p.ndc11
        for cand in ndc11_candidates(ndc_text)
        for p in catalog.products.values()
        if p.ndc11 == cand and p.code == code.code
    ]
    hint = f" It may stand for {known[0]}." if len(known) == 1 else ""
    return Finding(
        "error",
        "ndc-format",
        f"NDC '{ndc_text[:40]}' has {len(digits)} digits: claims carry the 11-digit 5-4-2 NDC "
        f"(a 10-digit NDC is padded with a leading zero in one of its three parts).{hint}",
        f"Key {known[0]}." if len(known) == 1 else "Key the 11-digit NDC from the CMS crosswalk.",
        "ndc-format",
        fmt,
    )
