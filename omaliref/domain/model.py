"""The data pack as frozen values: codes, packages, modifiers, topics, corrections, rules, sources."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from omaliref.domain.cms_facts import MueLimit
from omaliref.domain.errors import InputError, UnknownIdError
from omaliref.domain.quantities import Quantity
from omaliref.domain.vocab import CONFIDENCES

__all__ = ["CONFIDENCES"]  # re-exported for the pack loader

SECTION_ORDER = (
    "definition",
    "clinical-context",
    "modifiers",
    "documentation",
    "denials",
    "commercial",
    "similar-codes",
)


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from, how settled it is and when it was last checked."""

    confidence: str
    sources: tuple[str, ...]
    as_of: dt.date


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    date: str
    kind: str


@dataclass(frozen=True)
class DoseLimit:
    quantity: Quantity
    note: str
    sources: tuple[str, ...]
    what: str = "label dose"  # what the limit is, in the refusal sentence ("far above the largest J2357 label dose")
    warn_above: bool = True  # a dose between the limit and the refusal gets a warning (imported bounds: not)


@dataclass(frozen=True)
class Interval:
    """The shortest interval between doses that the label allows."""

    weeks: int
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Code:
    code: str
    descriptor: str
    descriptor_verified: bool
    billing_unit: Quantity
    unit_verified: bool
    drug: str
    brands: tuple[str, ...]
    category: str
    status: str
    summary: str
    provenance: Provenance
    short_descriptor: str = ""
    effective_from: dt.date | None = None
    effective_from_confidence: str = ""
    effective_to: dt.date | None = None
    replaced_by: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    route_modifier_required: bool = False
    weight_based: bool = False  # the label dose depends on body weight
    admin_codes: tuple[str, ...] = ()
    lookalikes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    max_single_dose: DoseLimit | None = None
    min_single_dose: DoseLimit | None = None
    dates_source: str = ""  # the source id that states effective_from/effective_to (a CMS HCPCS file)
    pricing_note: str = ""  # said with every calculation when no imported quarter gives a payment limit
    shortest_interval: Interval | None = None  # the label's shortest interval between doses

    def in_force_on(self, day: dt.date) -> bool:
        after_start = self.effective_from is None or day >= self.effective_from
        before_end = self.effective_to is None or day <= self.effective_to
        return after_start and before_end


@dataclass(frozen=True)
class Product:
    """One NDC package; container_amount is what one vial/syringe/device/implant is labelled to hold."""

    ndc: str
    listed_ndc: str
    code: str
    brand: str
    presentation: str
    form: str
    container_amount: Quantity
    container_type: str
    route: str
    marketing_status: str
    presentation_verified: bool
    auto_select: bool
    ndc_unit: str
    ndc_quantity: Fraction
    ndc_unit_confidence: str
    provenance: Provenance
    volume_ml: Fraction | None = None
    containers_per_package: int | None = None
    container_type_confidence: str = "high"
    marketing_start: dt.date | None = None
    status_note: str = ""
    notes: tuple[str, ...] = ()
    ndc_unit_note: str = ""  # where the NDC unit and quantity come from when the pack does not give them (imported)

    @property
    def ndc11(self) -> str:
        return self.ndc.replace("-", "")

    @property
    def single_dose(self) -> bool:
        return self.container_type == "single-dose"

    @property
    def verified(self) -> bool:
        """NDC, contents and single-dose status all established: only then may the calculator choose it itself."""
        return (
            self.presentation_verified
            and self.container_type != "unknown"
            and self.container_type_confidence != "low"
            and self.provenance.confidence != "low"
        )


@dataclass(frozen=True)
class Modifier:
    code: str
    descriptor: str
    meaning: str
    provenance: Provenance
    short_descriptor: str = ""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    replaced_by: tuple[str, ...] = ()
    dates_source: str = ""  # the source id that states effective_from/effective_to (a CMS HCPCS file)
    required_from: dt.date | None = None
    required_note: str = ""
    status_note: str = ""
    payers: tuple[str, ...] = ()
    common_errors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def in_force_on(self, day: dt.date) -> bool:
        after_start = self.effective_from is None or day >= self.effective_from
        before_end = self.effective_to is None or day <= self.effective_to
        return after_start and before_end


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    body: str
    provenance: Provenance
    code: str = ""
    section: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correction:
    id: str
    codes: tuple[str, ...]
    terms: tuple[str, ...]
    always_show: bool
    wrong: str
    right: str
    points_to: str
    provenance: Provenance


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    provenance: Provenance
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    before_note: str = ""

    def in_force_on(self, day: dt.date) -> bool:
        after_start = self.effective_from is None or day >= self.effective_from
        before_end = self.effective_to is None or day <= self.effective_to
        return after_start and before_end


@dataclass(frozen=True)
class DoseTable:
    """A weight/IgE dose table; cells hold '150 q4', '-' (no dose) or '?' (not verified)."""

    id: str
    indication: str
    population: str
    min_age: int
    complete: bool
    provenance: Provenance
    max_age_exclusive: int | None = None
    ige_bands: tuple[tuple[int, int], ...] = ()
    weight_bands: tuple[tuple[int, int], ...] = ()
    cells: tuple[tuple[str, ...], ...] = ()
    limits_note: str = ""


@dataclass(frozen=True)
class FixedDose:
    id: str
    indication: str
    population: str
    min_age: int
    doses: tuple[str, ...]
    note: str
    provenance: Provenance


@dataclass(frozen=True)
class RouteFacts:
    """What a route means on the claim: the administration code to pair, and the route modifier a multi-route code
    takes (rules admin-code and route-modifier-j0490)."""

    route: str
    admin_code: str
    provenance: Provenance
    modifier: str = ""
    medicare_note: str = ""  # said when the modifier goes on a Medicare line
    other_payers: str = ""  # said when the modifier is left off another payer's line


@dataclass(frozen=True)
class Administration:
    """The advice when no route is known, in one setting (an imported code: the CMS files give no route)."""

    setting: str
    no_route: str
    provenance: Provenance


@dataclass(frozen=True)
class PackInfo:
    version: str
    as_of: dt.date
    title: str


@dataclass(frozen=True)
class Catalog:
    """Everything the data pack holds, indexed for look-up by id."""

    info: PackInfo
    codes: Mapping[str, Code]
    products: Mapping[str, Product]
    modifiers: Mapping[str, Modifier]
    topics: Mapping[str, Topic]
    corrections: tuple[Correction, ...]
    rules: Mapping[str, Rule]
    sources: Mapping[str, Source]
    dose_tables: tuple[DoseTable, ...] = ()
    fixed_doses: tuple[FixedDose, ...] = ()
    checklist: tuple[object, ...] = field(default=())
    payer_profiles: Mapping[str, object] = field(default_factory=dict)  # built-in PayerProfile by id
    mues: Mapping[str, tuple[MueLimit, ...]] = field(default_factory=dict)  # shipped CMS MUE values by code
    state_340b: tuple[object, ...] = ()  # built-in State340B rows (Medicaid 340B modifier by state)
    supply_rules: tuple[object, ...] = ()  # SupplyRule rows: the drug line when the practice did not buy the drug
    routes: Mapping[str, RouteFacts] = field(default_factory=dict)  # by route, in rules.toml order
    administration: Mapping[str, Administration] = field(default_factory=dict)  # by setting
    dose_table_codes: tuple[str, ...] = ()  # the codes the dose tables dose (dose_tables.toml [[dosed_code]])
    # a dosed code whose record is not of high confidence -> its why, said with every dose check of that code
    dose_table_caveats: Mapping[str, str] = field(default_factory=dict)

    def modifier(self, text: str) -> Modifier | None:
        """A modifier by its code or by an alias another record lists (XS is both a record and 59's alias)."""
        key = normalize_code(text)
        if key in self.modifiers:
            return self.modifiers[key]
        return next((m for m in self.modifiers.values() if key in m.aliases), None)

    def code(self, code: str) -> Code:
        key = normalize_code(code)
        try:
            return self.codes[key]
        except KeyError:
            raise UnknownIdError(
                f"'{code.strip()[:40]}' is not a code in the data pack; known codes: {', '.join(sorted(self.codes))}.",
                field="code",
            ) from None

    def products_for(self, code: str) -> tuple[Product, ...]:
        return tuple(p for p in self.products.values() if p.code == code)

    def dose_names(self) -> frozenset[str]:
        """What names a drug the dose tables dose, lower case: each such code, its drug and its packages' brands."""
        names = set()
        for code in self.dose_table_codes:
            names |= {code, self.codes[code].drug, *(p.brand for p in self.products_for(code))}
        return frozenset(n.lower() for n in names)

    def product(self, ndc_text: str) -> Product:
        refuse_twelve_digit_ndc(ndc_text, "ndc")
        digits = "".join(ch for ch in ndc_text if ch.isdigit())
        for candidate in ndc11_candidates(ndc_text):
            for product in self.products.values():
                if product.ndc11 == candidate:
                    return product
        shown = ndc_text.strip()[:40]
        if len(digits) not in (10, 11):
            raise UnknownIdError(f"'{shown}' is not an NDC: type 10 or 11 digits, e.g. 50242-0215-01.", field="ndc")
        near = [p for p in self.products.values() if _one_digit_off(digits, p.ndc11)][:3]
        hint = (
            " Did you mean " + " or ".join(f"{p.ndc} ({p.brand}, {p.container_amount})" for p in near) + "?"
            if near
            else ""
        )
        raise UnknownIdError(f"NDC {shown} is not in the data pack.{hint}", field="ndc")

    def sections_for(self, code: str) -> tuple[Topic, ...]:
        found = [t for t in self.topics.values() if t.code == code]
        return tuple(sorted(found, key=lambda t: SECTION_ORDER.index(t.section)))

    def corrections_for(self, code: str) -> tuple[Correction, ...]:
        return tuple(c for c in self.corrections if code in c.codes)

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def resolve_sources(self, ids: Iterable[str]) -> tuple[Source, ...]:
        return tuple(self.sources[i] for i in dict.fromkeys(ids))


def dates_label(source_id: str) -> str:
    """Who states a record's dates, in a few words: 'cms-hcpcs-2025-10' (the pack's citation of a CMS file) ->
    'CMS HCPCS 2025Q4'; an imported file's 'cms-hcpcs-2025Q4' -> 'CMS HCPCS 2025Q4, imported'."""
    cited = re.fullmatch(r"cms-hcpcs-(\d{4})-(\d{2})", source_id)
    if cited:
        return f"CMS HCPCS {cited.group(1)}Q{(int(cited.group(2)) - 1) // 3 + 1}"
    imported = re.fullmatch(r"cms-hcpcs-(\d{4}Q[1-4])", source_id)
    return f"CMS HCPCS {imported.group(1)}, imported" if imported else source_id


def _one_digit_off(typed: str, ndc11: str) -> bool:
    """A typing slip away from an NDC: one digit left out, one digit wrong, or two neighbours swapped."""
    if len(typed) == 10:
        return any(ndc11[:i] + ndc11[i + 1 :] == typed for i in range(11))
    if len(typed) != 11:
        return False
    differ = [i for i in range(11) if typed[i] != ndc11[i]]
    swapped = len(differ) == 2 and differ[1] == differ[0] + 1 and typed[differ[0]] == ndc11[differ[1]]
    return len(differ) == 1 or (swapped and typed[differ[1]] == ndc11[differ[0]])


def units_per_container(product: Product, code: Code) -> Fraction:
    """How many billing units one container holds (whole for the curated pack; may be fractional when imported)."""
    return product.container_amount.to(code.billing_unit.unit).amount / code.billing_unit.amount


def normalize_code(text: str) -> str:
    """'j-2357 ' -> 'J2357'."""
    return "".join(ch for ch in text if ch.isalnum()).upper()


TWELVE_DIGIT_NDC = re.compile(r"\s*(?:[0-9]{6}-[0-9]{4}-[0-9]{2}|[0-9]{12})\s*")


def refuse_twelve_digit_ndc(text: str, field: str) -> None:
    """The FDA's 12-digit (6-4-2) NDC is law from 2033-03-07 but claims keep the 11-digit NDC of HIPAA X12 5010:
    one sentence, never a silent mismatch with an 11-digit NDC that shares its digits."""
    if TWELVE_DIGIT_NDC.fullmatch(text):
        raise InputError(
            f"{text.strip()} is a 12-digit NDC (the FDA's 6-4-2 format, in effect from 2033-03-07); claims "
            "still carry the 11-digit 5-4-2 NDC under HIPAA X12 5010: type the 11-digit NDC from the package or "
            "the CMS crosswalk.",
            field=field,
        )


def ndc11_candidates(text: str) -> tuple[str, ...]:
    """The 11-digit forms an NDC as typed could stand for (10-digit NDCs are ambiguous without dashes)."""
    stripped = text.strip()
    parts = [p for p in stripped.replace(" ", "-").split("-") if p]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        a, b, c = parts
        if len(a) <= 5 and len(b) <= 4 and len(c) <= 2:
            return (a.zfill(5) + b.zfill(4) + c.zfill(2),)
    digits = "".join(ch for ch in stripped if ch.isdigit())
    if len(digits) == 11:
        return (digits,)
    if len(digits) == 10:
        return ("0" + digits, digits[:5] + "0" + digits[5:], digits[:9] + "0" + digits[9:])
    return ()
