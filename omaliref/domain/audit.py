"""Audit drug lines already keyed (a charge export, an 837, a paste): lines in, findings out.

Pure: a source (the Library) hands in the catalog of each code and date of service (the pack, plus the imported
quarter), the quarter's CMS facts and the payer profiles. The checks reuse the calculator's knowledge — packages,
billing units per container, the NDC unit a profile wants, the in-force checks of codes and modifiers — and cite
the pack's rules and sources, so the audit and the calculator cannot drift apart.

Lines of one claim and day are audited together (JW partner lines, JZ, several NDCs, duplicates, MUE totals): a
group is a run of consecutive lines with the same claim, date of service, payer profile and setting, so the input
streams through in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from omaliref.domain.calculator import (
    DEVICE_FORMS,
    NDC_QUANTITY_PLACES,
    ContainerUse,
    claim_ndc_unit,
    code_in_force,
    modifier_in_force,
    package_notes,
    require_calculable,
)
from omaliref.domain.case import parse_date
from omaliref.domain.cms_facts import QuarterFacts, with_shipped_mue
from omaliref.domain.errors import InputError
from omaliref.domain.model import (
    Catalog,
    Code,
    Product,
    ndc11_candidates,
    normalize_code,
    refuse_twelve_digit_ndc,
    units_per_container,
)
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import format_amount, parse_number, plain_amount
from omaliref.domain.vocab import (
    FORM_FOR_SETTING,
    MEDICARE_340B_MODIFIERS,
    MODIFIERS_340B,
    NDC_UNITS,
    SETTINGS,
    WARNING_LEVELS,
    AuditCheck,
    Setting,
    WarningLevel,
)

_NOT_DIGITS = re.compile(r"[^0-9]")
_FIELD_MAX = 200  # longer text in one field is a paste accident; it is cut before it is quoted
# Place-of-service codes as charge exports carry them: 11 office; 19 and 22 hospital outpatient departments.
SETTING_FOR_POS: dict[str, Setting] = {"11": "office", "19": "hospital-outpatient", "22": "hospital-outpatient"}


@dataclass(frozen=True)
class AuditLine:
    """One drug line as keyed, field texts as read (the audit says what is wrong with them). Nothing here
    identifies the patient; `claim` only groups the lines of one claim and is never shown."""

    ref: str
    code: str
    modifiers: tuple[str, ...] = ()
    units: str = ""
    ndc: str = ""
    ndc_qualifier: str = ""
    ndc_unit: str = ""
    ndc_quantity: str = ""
    date: str = ""
    payer_profile: str = ""
    setting: str = ""
    claim: str = ""
    unreadable: str = ""  # the reader could not read the row safely: why (the audit says so, judges nothing)


@dataclass(frozen=True)
class Finding:
    """What is wrong with a line, how sure, which rule and sources say so, and the fix in one sentence."""

    level: WarningLevel
    check: AuditCheck
    message: str
    fix: str
    rule: str = ""  # the id of the pack's rule when one applies
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(dict.fromkeys(self.sources)))  # each source cited once


@dataclass(frozen=True)
class LineAudit:
    line: AuditLine
    findings: tuple[Finding, ...]
    judged: bool  # False: the code is not in the pack or the imported quarters (or unreadable): not checked

    @property
    def worst(self) -> WarningLevel | None:
        return min((f.level for f in self.findings), key=WARNING_LEVELS.index, default=None)

    @property
    def rank(self) -> int:
        """Sort key, worst first: errors 0, warnings 1, info 2, clean 3."""
        worst = self.worst
        return WARNING_LEVELS.index(worst) if worst else len(WARNING_LEVELS)


class AuditSource(Protocol):
    """What the audit needs from the data layer (the Library provides it)."""

    def catalog_for(self, code_text: str, day: dt.date) -> Catalog: ...

    def facts_for(self, code: str, day: dt.date, setting: Setting) -> QuarterFacts | None: ...

    def profile(self, ident: str) -> PayerProfile: ...

    def crosswalk_codes(self, ndc11: str, day: dt.date) -> tuple[str, str, tuple[str, ...]] | None: ...


@dataclass
class _Line:
    """A line read for the checks: parsed values, what it resolved to, and its findings so far."""

    line: AuditLine
    findings: list[Finding] = field(default_factory=list)
    judged: bool = False
    code: Code | None = None
    catalog: Catalog | None = None
    day: dt.date | None = None
    profile: PayerProfile | None = None
    setting: Setting = "office"
    modifiers: tuple[str, ...] = ()
    units: int | None = None
    ndc11: str = ""
    product: Product | None = None

    @property
    def jw(self) -> bool:
        return "JW" in self.modifiers

    @property
    def jz(self) -> bool:
        return "JZ" in self.modifiers


class Auditor:
    """Audits lines against one source; remembers profiles and quarter facts for the run."""

    def __init__(
        self, source: AuditSource, profile: PayerProfile, setting: Setting = "office", acquired_340b: bool = False
    ) -> None:
        self.source = source
        self.acquired_340b = acquired_340b  # the organization says every line is a 340B-acquired drug
        self.default_profile = profile
        self.default_setting = setting
        self._profiles: dict[str, PayerProfile | InputError] = {}
        # per catalog (the Library keeps one per code and quarter): its packages by 11-digit NDC
        self._ndc_index: dict[int, tuple[Catalog, dict[str, Product]]] = {}
        self._per_container: dict[tuple[str, str], Fraction] = {}
        self._package_notes: dict[tuple[str, dt.date], tuple[Finding, ...]] = {}
        self._facts_seen: dict[tuple[str, dt.date, Setting], QuarterFacts | None] = {}

    def audit(self, lines: Iterable[AuditLine]) -> Iterator[LineAudit]:
        """Each line's findings, in input order, a claim-and-day group at a time."""
        for _key, group in itertools.groupby(lines, key=_group_key):
            read = [self._read(line) for line in group]
            self._group_checks(read)
            for r in read:
                yield LineAudit(r.line, tuple(_worst_first(r.findings)), r.judged)

    # -- one line ----------------------------------------------------------------------------------------------

    def _read(self, line: AuditLine) -> _Line:
        r = _Line(line)
        if line.unreadable:
            r.findings.append(
                Finding("error", "row", line.unreadable, "Quote the cells that hold the delimiter, or fix the row.")
            )
            return r
        r.profile = self._profile(r)
        r.setting = self._setting(r)
        code_text = normalize_code(line.code[:_FIELD_MAX])
        if not re.fullmatch(r"[A-Z]\d{4}", code_text):
            shown = line.code.strip()[:40]
            r.findings.append(
                Finding(
                    "error",
                    "code",
                    f"'{shown}' is not a HCPCS code." if shown else "The line has no HCPCS code.",
                    "Key the drug's HCPCS code: a letter and four digits, e.g. J2357.",
                )
            )
            return r
        try:
            r.day = _day(line.date)
        except InputError as exc:
            r.findings.append(
                Finding("error", "date", str(exc), "Key the date of service; the line cannot be judged without it.")
            )
            return r
        if r.profile is not None:  # the payer's values in force on the date, for the line's claim form (state rows)
            r.profile = r.profile.in_force(r.day, FORM_FOR_SETTING[r.setting])
        try:
            catalog = self.source.catalog_for(code_text, r.day)
        except InputError as exc:
            r.findings.append(Finding("info", "not-judged", str(exc), "Import the CMS files of that quarter."))
            return r
        code = catalog.codes.get(code_text)
        if code is None:
            r.findings.append(
                Finding(
                    "info",
                    "not-judged",
                    f"{code_text} is neither in the data pack nor in an imported CMS quarter: the line is not judged.",
                    "Check it by hand, or import the CMS quarter that lists the code.",
                )
            )
            return r
        try:
            require_calculable(code)
        except InputError as exc:
            r.findings.append(
                Finding("info", "not-judged", f"{exc} The line is not judged.", "Check it against the payer's rule.")
            )
            return r
        r.judged, r.code, r.catalog = True, code, catalog
        r.modifiers = split_modifiers(line.modifiers)
        self._in_force(r, catalog, code, r.day)
        self._units(r)
        self._ndc(r, catalog, code, r.day)
        self._modifier_340b(r)
        return r

    def _profile(self, r: _Line) -> PayerProfile:
        ident = r.line.payer_profile.strip()[:_FIELD_MAX]
        if not ident:
            return self.default_profile
        if ident not in self._profiles:
            try:
                self._profiles[ident] = self.source.profile(ident)
            except InputError as exc:
                self._profiles[ident] = exc
        found = self._profiles[ident]
        if isinstance(found, InputError):
            r.findings.append(
                Finding(
                    "error",
                    "payer-profile",
                    f"{found} The line is judged under {self.default_profile.name}.",
                    "Name a known payer profile in the payer profile column (omaliref payers lists them).",
                )
            )
            return self.default_profile
        return found

    def _setting(self, r: _Line) -> Setting:
        text = r.line.setting.strip().lower()[:_FIELD_MAX]
        if not text:
            return self.default_setting
        for setting in SETTINGS:
            if text == setting:
                return setting
        if text in SETTING_FOR_POS:
            return SETTING_FOR_POS[text]
        if text in ("outpatient", "hopd", "opps"):
            return "hospital-outpatient"
        r.findings.append(
            Finding(
                "error",
                "setting",
                f"Setting '{text[:40]}' is not known; the line is judged as {self.default_setting}.",
                "Key office or hospital-outpatient (or place of service 11, 19 or 22).",
            )
        )
        return self.default_setting

    def _in_force(self, r: _Line, catalog: Catalog, code: Code, day: dt.date) -> None:
        """The calculator's own refusals: a code or modifier not valid on the date of service."""
        sources = tuple(dict.fromkeys(((code.dates_source,) if code.dates_source else ()) + code.provenance.sources))
        try:
            for w in code_in_force(code, day).warnings:
                r.findings.append(
                    Finding(w.level, "in-force", w.message, "Check the date of service.", w.rule, w.sources)
                )
        except InputError as exc:
            r.findings.append(
                Finding("error", "in-force", str(exc), f"Bill the code in force on {day}.", sources=sources)
            )
        for text in r.modifiers:
            try:
                modifier_in_force(catalog, text, day, "modifiers")
            except InputError as exc:
                modifier = catalog.modifiers[text]
                instead = " or ".join(modifier.replaced_by)
                mod_sources = tuple(
                    dict.fromkeys(
                        ((modifier.dates_source,) if modifier.dates_source else ()) + modifier.provenance.sources
                    )
                )
                r.findings.append(
                    Finding(
                        "error",
                        "in-force",
                        str(exc),
                        f"Replace {text} with {instead}." if instead else f"Remove {text} from the line.",
                        "modifier-340b" if text in MEDICARE_340B_MODIFIERS else "",
                        mod_sources,
                    )
                )

    def _units(self, r: _Line) -> None:
        text = r.line.units.strip()[:_FIELD_MAX]
        try:
            value = _number(text, "units")
        except InputError as exc:
            r.findings.append(Finding("error", "units", str(exc), "Key the HCPCS units as a whole number above 0."))
            return
        if value <= 0 or value.denominator != 1:
            r.findings.append(
                Finding(
                    "error",
                    "units",
                    f"{format_amount(value)} HCPCS units: units are whole and above 0.",
                    "Key whole billing units: administered units round up, discarded units round down.",
                    "units-round-up",
                    self._rule_sources(r, "units-round-up"),
                )
            )
            return
        r.units = int(value)

    def _rule_sources(self, r: _Line, rule: str) -> tuple[str, ...]:
        assert r.catalog is not None
        return r.catalog.rule(rule).provenance.sources

    def _ndc(self, r: _Line, catalog: Catalog, code: Code, day: dt.date) -> None:
        line, profile = r.line, r.profile
        assert profile is not None
        ndc_text = line.ndc.strip()[:_FIELD_MAX]
        fmt = self._rule_sources(r, "ndc-format")
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
            return
        qualifier = line.ndc_qualifier.strip().upper()[:_FIELD_MAX]
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
        try:
            refuse_twelve_digit_ndc(ndc_text, "ndc")
        except InputError as exc:
            r.findings.append(
                Finding("error", "ndc-format", str(exc), "Key the 11-digit 5-4-2 NDC.", "ndc-format", fmt)
            )
            return
        digits = _NOT_DIGITS.sub("", ndc_text)
        parts = [p for p in ndc_text.replace(" ", "-").split("-") if p]
        five_four_two = len(parts) == 3 and [len(p) for p in parts] == [5, 4, 2] and digits == "".join(parts)
        if not (five_four_two or (len(digits) == 11 and digits == ndc_text.replace("-", ""))):
            known = [
                p.ndc11
                for cand in ndc11_candidates(ndc_text)
                for p in catalog.products.values()
                if p.ndc11 == cand and p.code == code.code
            ]
            hint = f" It may stand for {known[0]}." if len(known) == 1 else ""
            r.findings.append(
                Finding(
                    "error",
                    "ndc-format",
                    f"NDC '{ndc_text[:40]}' has {len(digits)} digits: claims carry the 11-digit 5-4-2 NDC "
                    f"(a 10-digit NDC is padded with a leading zero in one of its three parts).{hint}",
                    f"Key {known[0]}." if len(known) == 1 else "Key the 11-digit NDC from the CMS crosswalk.",
                    "ndc-format",
                    fmt,
                )
            )
            return
        r.ndc11 = digits
        product = self._packages(catalog).get(digits)
        if product is None:
            self._ndc_by_crosswalk(r, code, digits, day)
            return
        if product.code != code.code:
            other = catalog.codes.get(product.code)
            drug = f" ({other.drug})" if other else ""
            corrections = [c.right for c in catalog.corrections_for(code.code) if c.points_to == product.code]
            r.findings.append(
                Finding(
                    "error",
                    "ndc-code",
                    f"NDC {product.ndc} is {product.brand}{drug}, billed under {product.code}, not {code.code}."
                    + (f" {corrections[0]}" if corrections else ""),
                    f"Bill {product.code} for this NDC, or key the {code.code} NDC of the package opened.",
                    sources=product.provenance.sources,
                )
            )
            return
        r.product = product
        key = (product.ndc, day)
        if key not in self._package_notes:
            if len(self._package_notes) > 4096:
                self._package_notes.clear()
            self._package_notes[key] = tuple(
                Finding(w.level, "ndc-listed", w.message, "Check the package label and the NDC.", w.rule, w.sources)
                for w in package_notes((ContainerUse(product, 1),), day).warnings
            )
        r.findings += self._package_notes[key]
        self._ndc_unit_and_quantity(r, code, product)

    def _ndc_by_crosswalk(self, r: _Line, code: Code, ndc11: str, day: dt.date) -> None:
        """An NDC the pack does not hold, against the imported crosswalk of the date's quarter: listed under the
        code (nothing to say; its contents are not known well enough to check units), under another code, or not
        listed; without an imported crosswalk it cannot be confirmed."""
        listed = self.source.crosswalk_codes(ndc11, day)
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
        source = (source_id,)
        if codes:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-code",
                    f"The CMS NDC-HCPCS crosswalk of {quarter} lists NDC {ndc11} under {' and '.join(codes)}, "
                    f"not {code.code}.",
                    f"Bill {' or '.join(codes)} for this NDC, or key the {code.code} NDC of the package opened.",
                    sources=source,
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
                sources=source,
            )
        )

    def _packages(self, catalog: Catalog) -> dict[str, Product]:
        """The catalog's packages by 11-digit NDC, built once per catalog."""
        held = self._ndc_index.get(id(catalog))
        if held is None or held[0] is not catalog:
            if len(self._ndc_index) > 256:
                self._ndc_index.clear()
            held = (catalog, {p.ndc11: p for p in catalog.products.values()})
            self._ndc_index[id(catalog)] = held
        return held[1]

    def _ndc_unit_and_quantity(self, r: _Line, code: Code, product: Product) -> None:
        line, profile = r.line, r.profile
        assert profile is not None
        unit = line.ndc_unit.strip().upper()[:_FIELD_MAX]
        fmt = self._rule_sources(r, "ndc-format")
        if not unit:
            if profile.ndc_required:
                r.findings.append(
                    Finding(
                        "error",
                        "ndc-unit",
                        f"No NDC unit of measure: {profile.name} requires it with the NDC.",
                        "Key the NDC unit (UN, ML, GR, F2 or ME) and the quantity.",
                        "ndc-format",
                        fmt,
                    )
                )
            return
        if unit not in NDC_UNITS:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-unit",
                    f"NDC unit '{unit[:10]}' is not an NDC unit of measure.",
                    "Key UN, ML, GR, F2 or ME.",
                    "ndc-format",
                    fmt,
                )
            )
            return
        expected, per_container = claim_ndc_unit(product, profile)
        if expected and unit != expected:
            device = product.form in DEVICE_FORMS
            profile_says = device and profile.ndc_unit_devices == "UN"
            level: WarningLevel = "warning" if device and not profile_says else "error"
            rule = "ndc-unit-syringe" if device else "ndc-format"
            why = (
                f"{profile.name} wants prefilled syringes and autoinjectors in UN"
                if profile_says
                else f"the {product.form} is counted in {expected}"
            )
            r.findings.append(
                Finding(
                    level,
                    "ndc-unit",
                    f"NDC {product.ndc} in {unit}: {why}.",
                    f"Key the NDC quantity in {expected}.",
                    rule,
                    self._rule_sources(r, rule) + product.provenance.sources,
                )
            )
        quantity = self._ndc_quantity(r)
        if quantity is None or r.units is None or not expected:
            return
        if unit == expected:
            per = per_container
        elif unit == "ML" and product.volume_ml:
            per = product.volume_ml
        elif unit == "UN":
            per = Fraction(1)
        else:
            return
        self._units_for_quantity(r, code, product, quantity, unit, per)

    def _ndc_quantity(self, r: _Line) -> Fraction | None:
        text = r.line.ndc_quantity.strip()[:_FIELD_MAX]
        fmt = self._rule_sources(r, "ndc-format")
        if not text:
            assert r.profile is not None
            if r.profile.ndc_required:
                r.findings.append(
                    Finding(
                        "error",
                        "ndc-quantity",
                        f"No NDC quantity: {r.profile.name} requires it with the NDC.",
                        "Key the NDC quantity: the amount given (or discarded) in the NDC unit.",
                        "ndc-format",
                        fmt,
                    )
                )
            return None
        try:
            value = _number(text, "NDC quantity")
        except InputError as exc:
            r.findings.append(Finding("error", "ndc-quantity", str(exc), "Key the NDC quantity as a number."))
            return None
        if value <= 0:
            r.findings.append(
                Finding(
                    "error", "ndc-quantity", "The NDC quantity is not above 0.", "Key the NDC quantity given or wasted."
                )
            )
            return None
        decimals = Decimal(text).as_tuple().exponent
        if isinstance(decimals, int) and -decimals > NDC_QUANTITY_PLACES:
            r.findings.append(
                Finding(
                    "error",
                    "ndc-quantity",
                    f"NDC quantity {text[:20]} has {-decimals} decimals; claim forms take {NDC_QUANTITY_PLACES}.",
                    f"Round the NDC quantity to {NDC_QUANTITY_PLACES} decimals, e.g. "
                    f"{plain_amount(value, NDC_QUANTITY_PLACES)}.",
                    "ndc-format",
                    fmt,
                )
            )
        return value

    def _units_for_quantity(
        self, r: _Line, code: Code, product: Product, quantity: Fraction, unit: str, per: Fraction
    ) -> None:
        """HCPCS units against the NDC quantity: billing units per container x containers (a quantity with three
        decimals may have been rounded, so its bounds allow half a thousandth either way)."""
        assert r.units is not None
        per_unit = self._per_container.get((product.ndc, code.code))
        if per_unit is None:
            per_unit = self._per_container.setdefault((product.ndc, code.code), units_per_container(product, code))
        least, most = unit_bounds(quantity, per, per_unit, r.jw)
        assert r.profile is not None
        if r.profile.multi_ndc == "single-line-note":  # the line's units also cover the NDCs in its note
            most = r.units
        if least <= r.units <= most:
            return
        holds = f"{plain_amount(quantity, NDC_QUANTITY_PLACES)} {unit} of {product.ndc}"
        each = f"{format_amount(per_unit)} {code.code} units per {format_amount(per)} {unit}"
        rule = "waste-round-down" if r.jw else "units-round-up"
        sources = self._rule_sources(r, rule) + product.provenance.sources
        if r.units > most:
            r.findings.append(
                Finding(
                    "error",
                    "units-ndc",
                    f"{r.units} units are more than {holds} holds ({each}: at most {most}).",
                    "Correct the units or the NDC quantity so they describe the same amount.",
                    rule,
                    sources,
                )
            )
        else:
            r.findings.append(
                Finding(
                    "warning",
                    "units-ndc",
                    f"{r.units} units are fewer than {holds} stands for ({each}: at least {least}).",
                    "Correct the NDC quantity to the amount "
                    + ("discarded" if r.jw else "given")
                    + ", or bill the discarded units on a JW line.",
                    rule,
                    sources,
                )
            )

    def _modifier_340b(self, r: _Line) -> None:
        profile, catalog = r.profile, r.catalog
        assert profile is not None and catalog is not None
        used = [m for m in r.modifiers if m in MODIFIERS_340B]
        if not used:
            if self.acquired_340b:
                self._missing_340b(r, profile, catalog)
            return
        if len(used) > 1:
            r.findings.append(
                Finding(
                    "error",
                    "340b",
                    f"Two 340B modifiers on one line: {', '.join(used)}.",
                    "Keep the one modifier the payer wants.",
                    "payer-340b-modifier",
                    self._rule_sources(r, "payer-340b-modifier"),
                )
            )
            return
        m = used[0]
        if profile.kind == "medicare":
            if m not in MEDICARE_340B_MODIFIERS:
                r.findings.append(
                    Finding(
                        "error",
                        "340b",
                        f"{m} is a Medicaid program's 340B modifier; Medicare Part B uses JG or TB.",
                        "Replace it with TB (JG ended 2024-12-31).",
                        "modifier-340b",
                        self._rule_sources(r, "modifier-340b"),
                    )
                )
            return
        wanted = profile.modifier_340b
        rule = "payer-340b-modifier"
        if wanted == "none":
            r.findings.append(
                Finding(
                    "warning",
                    "340b",
                    f"{profile.name} names no 340B modifier; the line carries {m}.",
                    f"Check the payer's 340B rule; remove {m} if the payer does not want it.",
                    rule,
                    self._rule_sources(r, rule) + profile.sources,
                )
            )
        elif m != wanted:
            r.findings.append(
                Finding(
                    "error",
                    "340b",
                    f"{profile.name} uses {wanted} for 340B drugs, not {m}.",
                    f"Replace {m} with {wanted}.",
                    rule,
                    self._rule_sources(r, rule) + profile.sources,
                )
            )
        elif wanted == "UD" and r.setting == "hospital-outpatient" and r.modifiers[0] != "UD":
            r.findings.append(
                Finding(
                    "warning",
                    "340b",
                    f"{profile.name}: UD is the first modifier on institutional claims.",
                    "Move UD to the first modifier position.",
                    rule,
                    self._rule_sources(r, rule) + profile.sources,
                )
            )

    def _missing_340b(self, r: _Line, profile: PayerProfile, catalog: Catalog) -> None:
        """A 340B-acquired drug's line without the modifier its payer wants on the date (rules modifier-340b,
        payer-340b-modifier); a payer that names none wants none."""
        assert r.day is not None
        if profile.kind == "medicare":
            rule = catalog.rule("modifier-340b")
            if not rule.in_force_on(r.day):
                return
            wanted = [
                m for m in MEDICARE_340B_MODIFIERS if m in catalog.modifiers and catalog.modifiers[m].in_force_on(r.day)
            ]
            if profile.modifier_340b in wanted:
                wanted = [profile.modifier_340b]
            rule_id = rule.id
        elif profile.modifier_340b != "none":
            wanted, rule_id = [profile.modifier_340b], "payer-340b-modifier"
        else:
            return
        first = " as the first modifier" if wanted == ["UD"] and r.setting == "hospital-outpatient" else ""
        r.findings.append(
            Finding(
                "error",
                "340b",
                f"A 340B-acquired drug without {' or '.join(wanted)}: {profile.name} wants it on {r.day}.",
                f"Add {' or '.join(wanted)}{first}.",
                rule_id,
                self._rule_sources(r, rule_id) + profile.sources,
            )
        )

    # -- the lines of one claim and day ----------------------------------------------------------------------

    def _group_checks(self, read: Sequence[_Line]) -> None:
        judged = [r for r in read if r.judged and r.code is not None]
        for code in dict.fromkeys(r.code.code for r in judged if r.code is not None):
            lines = [r for r in judged if r.code is not None and r.code.code == code]
            self._mue(lines)
            self._waste(lines)
            self._multi_ndc(lines)
            self._duplicates(lines)

    def _facts(self, r: _Line) -> QuarterFacts | None:
        assert r.code is not None and r.day is not None and r.catalog is not None
        key = (r.code.code, r.day, r.setting)
        if key not in self._facts_seen:
            if len(self._facts_seen) > 4096:  # a long batch over many days: start afresh rather than grow
                self._facts_seen.clear()
            facts = self.source.facts_for(r.code.code, r.day, r.setting)
            self._facts_seen[key] = with_shipped_mue(facts, r.catalog.mues.get(r.code.code, ()), r.setting)
        return self._facts_seen[key]

    def _mue(self, lines: list[_Line]) -> None:
        """MUE of the setting's table (the imported quarter's, else the pack's), and the payer's maximum units:
        per line for MAI 1, for the day's total otherwise."""
        first = lines[0]
        facts = self._facts(first)
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
                        self._rule_sources(r, "payer-max-units") + profile.sources,
                    )
                )

    def _waste(self, lines: list[_Line]) -> None:
        """JW and JZ as the payer's policy and the date of service want them (rules jw-required, jz-required,
        single-dose-only, jw-line-ndc, payer-jw-jz-policy)."""
        has_jw = any(r.jw for r in lines)
        for r in lines:
            profile, catalog, day, code = r.profile, r.catalog, r.day, r.code
            assert profile is not None and catalog is not None and day is not None and code is not None
            product = r.product
            single_dose = (
                product.single_dose
                if product is not None
                else bool(catalog.products_for(code.code))
                and all(p.single_dose for p in catalog.products_for(code.code))
            )
            if (r.jw or r.jz) and product is not None and product.container_type == "multi-dose":
                r.findings.append(
                    Finding(
                        "error",
                        "jw-jz",
                        f"{'JW' if r.jw else 'JZ'} on a multiple-dose container ({product.ndc}): JW and JZ apply to "
                        "single-dose containers only.",
                        "Remove JW/JZ from the line.",
                        "single-dose-only",
                        self._rule_sources(r, "single-dose-only"),
                    )
                )
                continue
            if r.jw and r.jz:
                r.findings.append(
                    Finding(
                        "error",
                        "jw-jz",
                        "JW and JZ on one line: JW marks discarded units, JZ says nothing was discarded.",
                        "Bill the discarded units on their own JW line and drop JZ.",
                        "jz-required",
                        self._rule_sources(r, "jz-required"),
                    )
                )
                continue
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
                        self._rule_sources(r, "jw-line-ndc"),
                    )
                )
            if r.jz and has_jw:
                r.findings.append(
                    Finding(
                        "error",
                        "jw-jz",
                        f"JZ says nothing was discarded, but a JW line bills discarded {code.code} units on the same "
                        "claim and day.",
                        "Remove JZ from the administered line when a JW line bills the waste.",
                        "jz-required",
                        self._rule_sources(r, "jz-required"),
                    )
                )
            self._waste_policy(r, profile, catalog, code, day, single_dose, has_jw)

    def _waste_policy(
        self,
        r: _Line,
        profile: PayerProfile,
        catalog: Catalog,
        code: Code,
        day: dt.date,
        single_dose: bool,
        has_jw: bool,
    ) -> None:
        policy = profile.jw_jz
        rule_sources = self._rule_sources(r, "payer-jw-jz-policy") + profile.sources
        if policy == "none" and (r.jw or r.jz):
            r.findings.append(
                Finding(
                    "warning",
                    "jw-jz",
                    f"{profile.name} wants no JW or JZ.",
                    "Remove JW/JZ; check the payer's waste rule.",
                    "payer-jw-jz-policy",
                    rule_sources,
                )
            )
            return
        if policy in ("jw-only", "jw-weight-based-only") and r.jz:
            r.findings.append(
                Finding(
                    "warning",
                    "jw-jz",
                    f"{profile.name} does not use JZ.",
                    "Remove JZ.",
                    "payer-jw-jz-policy",
                    rule_sources,
                )
            )
        if policy == "jw-weight-based-only" and r.jw:
            vial = r.product is None or r.product.form == "vial"
            if not (code.weight_based and vial):
                r.findings.append(
                    Finding(
                        "warning",
                        "jw-jz",
                        f"{profile.name} pays JW only for weight-based drugs from single-dose vials.",
                        "Remove the JW line: this payer does not pay this waste.",
                        "payer-jw-jz-policy",
                        rule_sources,
                    )
                )
        if policy != "medicare" or r.jw or r.jz or has_jw or not single_dose:
            return
        jz_rule = catalog.rule("jz-required")
        if not jz_rule.in_force_on(day):
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
                self._rule_sources(r, rule),
            )
        )

    def _multi_ndc(self, lines: list[_Line]) -> None:
        """Several NDCs of one code as the payer profile wants them (rule ndc-line-per-ndc)."""
        profile = lines[0].profile
        assert profile is not None
        for discarded in (False, True):
            mine = [r for r in lines if r.jw == discarded and r.ndc11]
            ndcs = list(dict.fromkeys(r.ndc11 for r in mine))
            sources = self._rule_sources(lines[0], "ndc-line-per-ndc") + profile.sources
            for r in mine:
                kp_kq = [m for m in r.modifiers if m in ("KP", "KQ")]
                if profile.multi_ndc == "single-line-note" and len(ndcs) > 1 and r.ndc11 != ndcs[0]:
                    r.findings.append(
                        Finding(
                            "error",
                            "multi-ndc",
                            f"{profile.name} wants one line with the first NDC and the others in the note "
                            "(item 19 / NTE); split lines of one drug are denied as duplicates.",
                            f"Fold this line into the {ndcs[0]} line and name NDC {r.ndc11} in the note.",
                            "ndc-line-per-ndc",
                            sources,
                        )
                    )
                elif profile.multi_ndc == "split-lines-kp-kq" and len(ndcs) > 1 and not discarded:
                    wanted = "KP" if r.ndc11 == ndcs[0] else "KQ"
                    if kp_kq != [wanted]:
                        r.findings.append(
                            Finding(
                                "error",
                                "multi-ndc",
                                f"{profile.name} wants KP on the first NDC's line and KQ on the others; this line "
                                f"has {'/'.join(kp_kq) or 'neither'}.",
                                f"Put {wanted} on this line.",
                                "ndc-line-per-ndc",
                                sources,
                            )
                        )
                elif kp_kq and (profile.multi_ndc != "split-lines-kp-kq" or len(ndcs) < 2):
                    r.findings.append(
                        Finding(
                            "warning",
                            "multi-ndc",
                            f"{'/'.join(kp_kq)} on a line, but {profile.name} does not ask for KP/KQ here.",
                            "Remove KP/KQ unless the payer asks for them.",
                            "ndc-line-per-ndc",
                            sources,
                        )
                    )

    def _duplicates(self, lines: list[_Line]) -> None:
        seen: dict[tuple[tuple[str, ...], str], _Line] = {}
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
                    "Delete the repeated line."
                    if same_units
                    else "Combine the two lines into one with the units added.",
                )
            )


@functools.lru_cache(maxsize=4096)
def unit_bounds(quantity: Fraction, per: Fraction, per_unit: Fraction, discarded: bool) -> tuple[int, int]:
    """The fewest and most HCPCS units an NDC quantity stands for: `per` is one container's quantity, `per_unit`
    its billing units. Given units round up (rule units-round-up), discarded units down (waste-round-down); a
    whole number of containers may be billed by whole containers, so it allows anything above one container
    fewer. Cached: a batch repeats the same few quantities."""
    rounded = (quantity * 10 ** (NDC_QUANTITY_PLACES - 1)).denominator != 1  # a third decimal: maybe rounded
    slack = Fraction(1, 2 * 10**NDC_QUANTITY_PLACES) if rounded else Fraction(0)
    low, high = (quantity - slack) / per * per_unit, (quantity + slack) / per * per_unit
    containers = quantity / per
    whole = containers.denominator == 1
    if discarded:
        return (1 if whole else math.floor(low)), math.floor(high)
    return (math.floor((containers - 1) * per_unit) + 1 if whole else math.ceil(low)), math.ceil(high)


@functools.lru_cache(maxsize=4096)
def _number(text: str, what: str) -> Fraction:
    """parse_number, remembered: a batch repeats the same few unit counts and quantities."""
    return parse_number(text, what=what)


@functools.lru_cache(maxsize=1024)
def _day(text: str) -> dt.date:
    return parse_date(text)


def _group_key(line: AuditLine) -> tuple[str, str, str, str]:
    return (line.claim.strip(), line.date.strip(), line.payer_profile.strip().lower(), line.setting.strip().lower())


def split_modifiers(texts: Iterable[str]) -> tuple[str, ...]:
    """'JW TB', 'JW,TB', 'JW-TB' or 'JWTB' -> ('JW', 'TB'), in the order keyed."""
    out: list[str] = []
    for text in texts:
        for token in re.split(r"[\s,;:/|\-]+", text.strip().upper()[:_FIELD_MAX]):
            if len(token) > 2 and len(token) % 2 == 0 and token.isalnum():
                out += [token[i : i + 2] for i in range(0, len(token), 2)]
            elif token:
                out.append(token)
    return tuple(out)


def _worst_first(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: WARNING_LEVELS.index(f.level))


def worst_first(results: Iterable[LineAudit]) -> list[LineAudit]:
    """Lines with errors first, then warnings, then info, then clean lines; input order within each."""
    return sorted(results, key=lambda a: a.rank)
