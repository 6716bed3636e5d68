"""The Auditor: reads each keyed line, resolves its code, payer profile and setting, runs the checks of one line,
then those of the lines of one claim and day."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence

from omaliref.domain.audit.claim import check_duplicates, check_mue, check_multi_ndc
from omaliref.domain.audit.findings import Finding, LineAudit, findings_worst_first
from omaliref.domain.audit.lines import (
    FIELD_MAX,
    SETTING_FOR_POS,
    AuditLine,
    AuditSource,
    ReadLine,
    day_of_service,
    group_key,
    split_modifiers,
)
from omaliref.domain.audit.modifiers import check_340b, check_in_force, check_route
from omaliref.domain.audit.ndc import NdcCheck
from omaliref.domain.audit.quantity import QuantityCheck, check_units
from omaliref.domain.audit.waste import check_waste
from omaliref.domain.calculator import require_calculable
from omaliref.domain.cms_facts import QuarterFacts, with_shipped_mue
from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, Code, normalize_code
from omaliref.domain.payer import PayerProfile
from omaliref.domain.vocab import FORM_FOR_SETTING, SETTINGS, Setting


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
        self._facts_seen: dict[tuple[str, dt.date, Setting], QuarterFacts | None] = {}
        self._ndc = NdcCheck(source.crosswalk_codes)
        self._quantity = QuantityCheck()

    def audit(self, lines: Iterable[AuditLine]) -> Iterator[LineAudit]:
        """Each line's findings, in input order, a claim-and-day group at a time."""
        for _key, group in itertools.groupby(lines, key=group_key):
            read = [self._read(line) for line in group]
            self._group_checks(read)
            for r in read:
                yield LineAudit(r.line, tuple(findings_worst_first(r.findings)), r.judged)

    # -- one line ----------------------------------------------------------------------------------------------

    def _read(self, line: AuditLine) -> ReadLine:
        r = ReadLine(line)
        if line.unreadable:
            r.findings.append(
                Finding("error", "row", line.unreadable, "Quote the cells that hold the delimiter, or fix the row.")
            )
            return r
        r.profile = self._profile(r)
        r.setting = self._setting(r)
        code_text = _code_text(r)
        if code_text is None or not _dated(r):
            return r
        assert r.day is not None
        if r.profile is not None:  # the payer's values in force on the date, for the line's claim form (state rows)
            r.profile = r.profile.in_force(r.day, FORM_FOR_SETTING[r.setting])
        resolved = self._resolve(r, code_text, r.day)
        if resolved is None:
            return r
        catalog, code = resolved
        r.judged, r.code, r.catalog = True, code, catalog
        r.modifiers = split_modifiers(line.modifiers)
        check_in_force(r, catalog, code, r.day)
        check_units(r)
        self._ndc.check(r, catalog, code, r.day)
        if r.product is not None:
            self._quantity.check(r, code, r.product)
        check_340b(r, self.acquired_340b)
        check_route(r, catalog, code, r.day)
        return r

    def _resolve(self, r: ReadLine, code_text: str, day: dt.date) -> tuple[Catalog, Code] | None:
        """The catalog of the code and day, and the code in it, when the code can be judged."""
        try:
            catalog = self.source.catalog_for(code_text, day)
        except InputError as exc:
            r.findings.append(Finding("info", "not-judged", str(exc), "Import the CMS files of that quarter."))
            return None
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
            return None
        try:
            require_calculable(code)
        except InputError as exc:
            r.findings.append(
                Finding("info", "not-judged", f"{exc} The line is not judged.", "Check it against the payer's rule.")
            )
            return None
        return catalog, code

    def _profile(self, r: ReadLine) -> PayerProfile:
        ident = r.line.payer_profile.strip()[:FIELD_MAX]
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

    def _setting(self, r: ReadLine) -> Setting:
        text = r.line.setting.strip().lower()[:FIELD_MAX]
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

    # -- the lines of one claim and day ----------------------------------------------------------------------

    def _group_checks(self, read: Sequence[ReadLine]) -> None:
        judged = [r for r in read if r.judged and r.code is not None]
        for code in dict.fromkeys(r.code.code for r in judged if r.code is not None):
            lines = [r for r in judged if r.code is not None and r.code.code == code]
            check_mue(lines, self._facts(lines[0]))
            check_waste(lines)
            check_multi_ndc(lines)
            check_duplicates(lines)

    def _facts(self, r: ReadLine) -> QuarterFacts | None:
        assert r.code is not None and r.day is not None and r.catalog is not None
        key = (r.code.code, r.day, r.setting)
        if key not in self._facts_seen:
            if len(self._facts_seen) > 4096:  # a long batch over many days: start afresh rather than grow
                self._facts_seen.clear()
            facts = self.source.facts_for(r.code.code, r.day, r.setting)
            self._facts_seen[key] = with_shipped_mue(facts, r.catalog.mues.get(r.code.code, ()), r.setting)
        return self._facts_seen[key]


def _code_text(r: ReadLine) -> str | None:
    """The line's code, normalized, when it is shaped like a HCPCS code."""
    code_text = normalize_code(r.line.code[:FIELD_MAX])
    if re.fullmatch(r"[A-Z]\d{4}", code_text):
        return code_text
    shown = r.line.code.strip()[:40]
    r.findings.append(
        Finding(
            "error",
            "code",
            f"'{shown}' is not a HCPCS code." if shown else "The line has no HCPCS code.",
            "Key the drug's HCPCS code: a letter and four digits, e.g. J2357.",
        )
    )
    return None


def _dated(r: ReadLine) -> bool:
    """Reads the date of service; without one the line cannot be judged."""
    try:
        r.day = day_of_service(r.line.date)
    except InputError as exc:
        r.findings.append(
            Finding("error", "date", str(exc), "Key the date of service; the line cannot be judged without it.")
        )
        return False
    return True
