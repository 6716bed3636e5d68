"""The case a coder enters, in one frozen shape, and the one place raw input becomes a Case.

The CLI's arguments and the panes' field texts both go through `case_from_input`, so a value is accepted or refused
with the same sentence everywhere, and the field it names is the widget (or option) to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import cast

from omaliref.domain.errors import InputError
from omaliref.domain.model import normalize_code, refuse_twelve_digit_ndc
from omaliref.domain.payer import PayerProfile, generic_profile
from omaliref.domain.quantities import Quantity, parse_number, parse_quantity
from omaliref.domain.vocab import (
    FORM_FOR_SETTING,
    INDICATIONS,
    MODIFIERS_340B,
    PAYER_KINDS,
    SETTINGS,
    SUPPLIERS,
    Indication,
    Modifier340B,
    PayerKind,
    Setting,
    SuppliedBy,
    words,
)

MAX_CONTAINERS = 60  # beyond this the dose is a typo, not a plan (a 600 mg omalizumab dose needs 2)
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_FUTURE_DAYS = 366
_MAX_FIELD = 200  # longer field text is a paste accident, not input


@dataclass(frozen=True)
class Case:
    """Everything the coder said about one administration; nothing here identifies the patient."""

    code: str
    date_of_service: dt.date
    dose: Quantity | None = None  # None: the checklist only, no calculation
    containers: tuple[tuple[str, int], ...] = ()  # (NDC as typed, count); empty = choose automatically
    payer: PayerKind = "medicare"
    setting: Setting = "office"
    separately_payable: bool = True
    modifier_340b: Modifier340B = ""
    # The coder read "single-dose" on the label of these NDCs (as typed), which the data does not describe. It
    # applies to an NDC the coder named only, never to one the calculator chose (#25).
    single_dose_ndcs: tuple[str, ...] = ()
    single_dose_confirmed: bool = False  # --single-dose: the NDCs named; alone, the calculator may choose (no JW/JZ)
    indication: Indication | None = None
    ige: Fraction | None = None  # IU/mL, pre-treatment
    weight_kg: Fraction | None = None
    age_years: Fraction | None = None
    units_intended: int | None = field(default=None)  # `check`: the units the coder means to bill
    profile: PayerProfile | None = None  # the payer's profile; None: the generic profile of `payer`
    today: dt.date | None = None  # the day the case was entered (a later date of service is warned about)
    charge_per_unit: Decimal | None = None  # the practice's charge per billing unit; None: the 837 shows a placeholder
    last_dose: dt.date | None = None  # the date of the previous dose, for the interval check
    supplied_by: SuppliedBy = "practice"  # who supplied the drug: the practice bought it unless said otherwise

    @property
    def payer_profile(self) -> PayerProfile:
        return self.profile or generic_profile(self.payer)


def parse_code(text: str) -> str:
    code = normalize_code(text[:_MAX_FIELD])
    if not re.fullmatch(r"[A-Z]\d{4}", code):
        raise InputError(
            f"'{text.strip()[:40]}' is not a code in the data pack: a HCPCS code is a letter and four "
            "digits, e.g. J2357.",
            field="code",
        )
    return code


def parse_dose(text: str) -> Quantity:
    try:
        return parse_quantity(text, what="dose")
    except InputError as exc:
        raise InputError(str(exc), field="dose") from None


def parse_containers(specs: list[str] | tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """'50242-0040-62x2' -> ('50242-0040-62', 2). A count must be a whole number from 1 to MAX_CONTAINERS."""
    out = []
    for spec in specs:
        text = spec.strip()
        ndc, sep, count_text = text.lower().rpartition("x")
        if not sep or not any(ch.isdigit() for ch in ndc):  # 'xyz' is no NDC with a count: the NDC check says so
            ndc, count_text = text, "1"
        count_text = count_text.strip()
        if not count_text.isascii() or not count_text.isdigit():
            raise InputError(
                f"Package '{text[:40]}': the count after 'x' must be a whole number, e.g. 50242-0040-62x2.",
                field="containers",
            )
        if len(count_text) > 3 or int(count_text) > MAX_CONTAINERS:
            raise InputError(
                f"Package '{text[:40]}': {count_text[:8]}{'…' if len(count_text) > 8 else ''} "
                f"containers is more than {MAX_CONTAINERS}; check the count.",
                field="containers",
            )
        count = int(count_text)
        if count <= 0:
            raise InputError(f"Package '{text[:40]}': the count must be at least 1.", field="containers")
        refuse_twelve_digit_ndc(ndc, "containers")
        out.append((ndc.strip(), count))
    return tuple(out)


def split_container_text(text: str) -> list[str]:
    """The containers field holds NDCxCOUNT items separated by commas, semicolons or spaces."""
    return [s for s in re.split(r"[,;\s]+", text[: _MAX_FIELD * 4]) if s]


_DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("m", "d", "y")),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), ("y", "m", "d")),
)
DATE_FORMATS_TEXT = "YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD (e.g. 2026-06-01, 06/01/2026, 20260601)"


def parse_date(text: str) -> dt.date:
    """Accept the forms US coders type; refuse anything else rather than reinterpret it."""
    stripped = text.strip()[:_MAX_FIELD]
    for pattern, order in _DATE_FORMATS:
        match = pattern.fullmatch(stripped)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=False))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise InputError(
                    f"'{stripped[:40]}' is not a date: month {parts['m']} has no day {parts['d']} "
                    f"(use {DATE_FORMATS_TEXT}).",
                    field="date",
                ) from None
    raise InputError(f"'{stripped[:40]}' is not a date: use {DATE_FORMATS_TEXT}.", field="date")


def check_date(day: dt.date, today: dt.date) -> None:
    if day < EARLIEST_DATE:
        raise InputError(
            f"Date of service {day} is before {EARLIEST_DATE}: the data pack has no rules that old.", field="date"
        )
    if (day - today).days > LATEST_FUTURE_DAYS:
        raise InputError(f"Date of service {day} is more than a year in the future: check the year.", field="date")


def _choice(text: str, allowed: tuple[str, ...], what: str, field_name: str) -> str:
    value = text.strip().lower()
    if value not in allowed:
        raise InputError(f"{what} '{text.strip()[:40]}' is not known: use {words(allowed)}.", field=field_name)
    return value


def parse_payer(text: str) -> PayerKind:
    return cast(PayerKind, _choice(text, PAYER_KINDS, "Payer", "payer"))


def parse_setting(text: str) -> Setting:
    return cast(Setting, _choice(text, SETTINGS, "Setting", "setting"))


def parse_indication(text: str) -> Indication | None:
    if not text.strip():
        return None
    return cast(Indication, _choice(text, INDICATIONS, "Indication", "indication"))


def parse_340b(text: str, profile: PayerProfile | None = None) -> Modifier340B:
    """JG, TB, U8, UD, none, or yes (the payer profile's 340B modifier)."""
    value = text.strip().upper()
    if value in ("", "NONE", "NO"):
        return ""
    if value == "YES":
        if profile is None or profile.modifier_340b == "none":
            name = f"payer profile '{profile.id}'" if profile else "the payer"
            dated = [
                f"{b.value} {b.bounds_text()}"
                for b in (profile.basis_for("modifier_340b") if profile else ())
                if b.bounded and b.value != "none"
            ]
            when = f" on {profile.resolved_on} (it names {'; '.join(dated)})" if profile and dated else ""
            raise InputError(
                f"--340b yes needs a 340B modifier, and {name} names none{when}: give JG, TB, U8 or UD, or choose "
                "a profile that names one.",
                field="340b",
            )
        value = profile.modifier_340b
    if value not in MODIFIERS_340B:
        raise InputError(
            f"340B modifier '{text.strip()[:40]}' is not known: use {words(MODIFIERS_340B)} or none.", field="340b"
        )
    return cast(Modifier340B, value)


def parse_charge(text: str) -> Decimal | None:
    """The charge per billing unit: dollars and cents, more than zero."""
    if not text.strip():
        return None
    try:
        value = parse_number(text, what="charge")
    except InputError as exc:
        raise InputError(str(exc), field="charge") from None
    if value <= 0 or value >= 1_000_000 or (value * 100).denominator != 1:
        raise InputError(
            f"The charge '{text.strip()[:40]}' must be an amount in dollars and cents from 0.01 to 999,999.99.",
            field="charge",
        )
    return Decimal(value.numerator * 100 // value.denominator) / 100


def parse_optional_number(text: str | None, what: str, field_name: str) -> Fraction | None:
    if text is None or not text.strip():
        return None
    try:
        value = parse_number(text, what=what)
    except InputError as exc:
        raise InputError(str(exc), field=field_name) from None
    if value <= 0:
        raise InputError(f"The {what} must be greater than zero.", field=field_name)
    return value


def parse_whole(text: str, what: str, low: int, high: int, field_name: str = "") -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.lstrip("-").isdigit():
        raise InputError(f"The {what} '{stripped[:40]}' must be a whole number.", field=field_name)
    if len(stripped.lstrip("-")) > len(str(high)) or not low <= int(stripped) <= high:
        raise InputError(f"The {what} must be from {low:,} to {high:,}.", field=field_name)
    return int(stripped)


@dataclass(frozen=True)
class CaseInput:
    """What the coder typed for one case, as text (CLI arguments or the window's fields), before any of it is read:
    the defaults are those of a case given only its code."""

    code: str
    dose: str | None = None  # None: not given (the checklist only); "" is refused
    containers: tuple[str, ...] = ()  # NDCxCOUNT items
    date: str = ""  # empty: today
    payer: str = "medicare"
    setting: str = "office"
    modifier_340b: str = ""
    separately_payable: bool = True
    single_dose_confirmed: bool = False
    single_dose_ndcs: tuple[str, ...] = ()
    indication: str = ""
    ige: str = ""
    weight: str = ""
    age: str = ""
    units: str = ""
    charge: str = ""
    last_dose: str = ""
    supplied_by: str = ""


def case_from_input(raw: CaseInput, today: dt.date, profile: PayerProfile | None = None) -> Case:
    """Raw text (CLI arguments or UI field texts) -> a Case, or an InputError naming the field to fix."""
    day = parse_date(raw.date) if raw.date.strip() else today
    check_date(day, today)
    parsed_containers = parse_containers(raw.containers)
    parsed_dose = parse_dose(raw.dose) if raw.dose is not None else None  # None: not given; "" is refused
    if parsed_containers and parsed_dose is None:
        raise InputError(
            "--package needs --dose: the containers only mean something with the dose given.", field="dose"
        )
    parsed_setting = parse_setting(raw.setting)
    profile = _profile_in_force(profile, day, parsed_setting)
    return Case(
        code=parse_code(raw.code),
        date_of_service=day,
        dose=parsed_dose,
        containers=parsed_containers,
        payer=profile.kind if profile is not None else parse_payer(raw.payer),
        setting=parsed_setting,
        separately_payable=raw.separately_payable,
        modifier_340b=parse_340b(raw.modifier_340b, profile),
        single_dose_confirmed=raw.single_dose_confirmed,
        single_dose_ndcs=tuple(raw.single_dose_ndcs)
        + (tuple(ndc for ndc, _count in parsed_containers) if raw.single_dose_confirmed else ()),
        indication=parse_indication(raw.indication),
        ige=parse_optional_number(raw.ige, "IgE", "ige"),
        weight_kg=parse_optional_number(raw.weight, "weight", "weight"),
        age_years=parse_optional_number(raw.age, "age", "age"),
        units_intended=parse_whole(raw.units, "units", 1, 1_000_000, "units") if raw.units.strip() else None,
        profile=profile,
        today=today,
        charge_per_unit=parse_charge(raw.charge),
        last_dose=parse_last_dose(raw.last_dose, day),
        supplied_by=parse_supplied_by(raw.supplied_by),
    )


def _profile_in_force(profile: PayerProfile | None, day: dt.date, setting: Setting) -> PayerProfile | None:
    """The payer's values in force on the date of service, for the setting's claim form; a profile that wants a
    line note the setting's claim has no place for is refused."""
    if profile is None:
        return None
    profile = profile.in_force(day, FORM_FOR_SETTING[setting])
    if profile.multi_ndc == "single-line-note" and setting == "hospital-outpatient":
        raise InputError(
            f"Payer profile '{profile.id}' puts a second NDC in a line note (CMS-1500 item 19 / 837P NTE), which a "
            "hospital outpatient claim (UB-04 / 837I) has no place for: choose a profile that splits lines.",
            field="payer",
        )
    return profile


def parse_supplied_by(text: str) -> SuppliedBy:
    """practice (the default), specialty-pharmacy, manufacturer or patient."""
    value = text.strip().lower() or "practice"
    if value not in SUPPLIERS:
        raise InputError(
            f"Supplied by '{text.strip()[:40]}' is not known: use {words(SUPPLIERS)}.", field="supplied_by"
        )
    return value


def parse_last_dose(text: str, day: dt.date) -> dt.date | None:
    """The previous dose's date: before the date of service (a same-day or later one is a slip, not a schedule)."""
    if not text.strip():
        return None
    try:
        last = parse_date(text)
    except InputError as exc:
        raise InputError(
            str(exc).replace("is not a date", "is not a date for the last dose"), field="last_dose"
        ) from None
    if last >= day:
        raise InputError(f"The last dose ({last}) must be before the date of service ({day}).", field="last_dose")
    if last < EARLIEST_DATE:
        raise InputError(f"The last dose ({last}) is before {EARLIEST_DATE}: check the year.", field="last_dose")
    return last
