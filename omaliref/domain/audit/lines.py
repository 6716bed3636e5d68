"""Keyed lines in: the line as keyed, the line as read for the checks, and the parsing of its fields."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from omaliref.domain.audit.findings import Finding
from omaliref.domain.case import parse_date
from omaliref.domain.cms_facts import QuarterFacts
from omaliref.domain.model import Catalog, Code, Product
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import parse_number
from omaliref.domain.vocab import Setting

FIELD_MAX = 200  # longer text in one field is a paste accident; it is cut before it is quoted
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


class AuditSource(Protocol):
    """What the audit needs from the data layer (the Library provides it)."""

    def catalog_for(self, code_text: str, day: dt.date) -> Catalog: ...

    def facts_for(self, code: str, day: dt.date, setting: Setting) -> QuarterFacts | None: ...

    def profile(self, ident: str) -> PayerProfile: ...

    def crosswalk_codes(self, ndc11: str, day: dt.date) -> tuple[str, str, tuple[str, ...]] | None: ...


@dataclass
class ReadLine:
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


def rule_sources(r: ReadLine, rule: str) -> tuple[str, ...]:
    """The sources of one of the pack's rules, from the catalog the line was judged against."""
    assert r.catalog is not None
    return r.catalog.rule(rule).provenance.sources


def group_key(line: AuditLine) -> tuple[str, str, str, str]:
    """Lines of one claim, date of service, payer profile and setting are audited together."""
    return (line.claim.strip(), line.date.strip(), line.payer_profile.strip().lower(), line.setting.strip().lower())


def split_modifiers(texts: Iterable[str]) -> tuple[str, ...]:
    """'JW TB', 'JW,TB', 'JW-TB' or 'JWTB' -> ('JW', 'TB'), in the order keyed."""
    out: list[str] = []
    for text in texts:
        for token in re.split(r"[\s,;:/|\-]+", text.strip().upper()[:FIELD_MAX]):
            if len(token) > 2 and len(token) % 2 == 0 and token.isalnum():
                out += [token[i : i + 2] for i in range(0, len(token), 2)]
            elif token:
                out.append(token)
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def number(text: str, what: str) -> Fraction:
    """parse_number, remembered: a batch repeats the same few unit counts and quantities."""
    return parse_number(text, what=what)


@functools.lru_cache(maxsize=1024)
def day_of_service(text: str) -> dt.date:
    return parse_date(text)
