"""Omalizumab label-dose look-up from the verified US tables only; outside them it says so, never guesses."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from omaliref.domain.errors import InputError
from omaliref.domain.model import Catalog, DoseTable, FixedDose
from omaliref.domain.vocab import INDICATIONS, words


@dataclass(frozen=True)
class DoseAnswer:
    """status: 'dose' (label dose found), 'no-dose' (label: insufficient data), 'not-in-pack' (unverified)."""

    status: str
    indication: str
    doses_mg: tuple[int, ...]
    interval_weeks: int | None
    message: str
    table_id: str
    confidence: str
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        if not self.doses_mg:
            return ""
        return " or ".join(f"{d} mg" for d in self.doses_mg) + f" every {self.interval_weeks} weeks"


def _band_index(value: Fraction, bands: tuple[tuple[int, int], ...]) -> int | None:
    for index, (low, high) in enumerate(bands):
        lower_ok = value >= low if index == 0 else value > low
        if lower_ok and value <= high:
            return index
    return None


def _cell(cell: str) -> tuple[int, int]:
    mg, interval = cell.split(" q")
    return int(mg), int(interval)


def label_dose(
    catalog: Catalog,
    indication: str,
    *,
    ige: Fraction | None,
    weight_kg: Fraction | None,
    age_years: Fraction | None = None,
) -> DoseAnswer:
    """The label dose for the indication: the fixed CSU dose, or the cell of the weight/IgE table."""
    _check_inputs(indication, ige, weight_kg, age_years)
    if indication == "csu":
        return _fixed_dose(catalog, indication, age_years)
    if ige is None or weight_kg is None:
        raise InputError("Weight-based dosing needs the pre-treatment IgE (IU/mL) and the weight (kg).", field="ige")
    tables = [t for t in catalog.dose_tables if t.indication == indication]
    table = _choose_table(tables, indication, age_years)
    if not table.complete and not table.cells:
        return _answer(
            "not-in-pack",
            table,
            indication,
            f"The {table.population} dose table is NOT in the data pack. {table.limits_note}",
        )
    row = _band_index(ige, table.ige_bands)
    col = _band_index(weight_kg, table.weight_bands)
    if row is None or col is None:
        return _outside(table, indication, "IgE" if row is None else "weight")
    return _cell_answer(table, indication, table.cells[row][col])


def _check_inputs(
    indication: str, ige: Fraction | None, weight_kg: Fraction | None, age_years: Fraction | None
) -> None:
    if indication not in INDICATIONS:
        raise InputError(f"Indication '{indication[:40]}' is not known: use {words(INDICATIONS)}.", field="indication")
    for name, value in (("IgE", ige), ("weight", weight_kg), ("age", age_years)):
        if value is not None and value <= 0:
            raise InputError(f"The {name} must be greater than zero.", field=name.lower())
    if age_years is not None and age_years > 120:
        raise InputError("The age must be 120 years or less.", field="age")
    if weight_kg is not None and weight_kg > 500:
        raise InputError("The weight must be in kilograms (500 kg or less).", field="weight")


def _fixed_dose(catalog: Catalog, indication: str, age_years: Fraction | None) -> DoseAnswer:
    """A fixed label dose (CSU): the pack loader guarantees its record."""
    fixed = next(f for f in catalog.fixed_doses if f.indication == indication)
    if age_years is not None and age_years < fixed.min_age:
        return _answer("not-in-pack", fixed, indication, f"CSU is labelled for ages {fixed.min_age} and older.")
    doses = tuple(_cell(d)[0] for d in fixed.doses)
    said = f"{fixed.population}: {' or '.join(f'{d} mg' for d in doses)} every 4 weeks. {fixed.note}"
    return _answer("dose", fixed, indication, said, doses, 4)


def _outside(table: DoseTable, indication: str, what: str) -> DoseAnswer:
    """An IgE or weight outside the table: the label gives no dose, or the pack lacks that part of the table."""
    if table.complete:
        said = (
            f"The {what} is outside the {table.population} table: the label gives insufficient data to recommend "
            "a dose."
        )
        return _answer("no-dose", table, indication, said)
    said = (
        f"The {what} is outside the verified part of the {table.population} table; "
        f"{table.limits_note} Consult the FDA label."
    )
    return _answer("not-in-pack", table, indication, said)


def _cell_answer(table: DoseTable, indication: str, cell: str) -> DoseAnswer:
    """One cell of a dose table: '?' not verified, '-' no dose, else the dose and its interval."""
    if cell == "?":
        said = f"This cell of the {table.population} table is NOT verified in the data pack: consult the FDA label."
        return _answer("not-in-pack", table, indication, said)
    if cell == "-":
        said = f"{table.population}: the label gives insufficient data to recommend a dose for this IgE and weight."
        return _answer("no-dose", table, indication, said)
    mg, interval = _cell(cell)
    return _answer("dose", table, indication, f"{table.population}: {mg} mg every {interval} weeks.", (mg,), interval)


def _answer(
    status: str,
    record: DoseTable | FixedDose,
    indication: str,
    message: str,
    doses_mg: tuple[int, ...] = (),
    interval_weeks: int | None = None,
) -> DoseAnswer:
    """An answer citing the table or fixed dose it comes from."""
    prov = record.provenance
    return DoseAnswer(status, indication, doses_mg, interval_weeks, message, record.id, prov.confidence, prov.sources)


def _choose_table(tables: list[DoseTable], indication: str, age: Fraction | None) -> DoseTable:
    if indication == "asthma":
        if age is None:
            raise InputError("Asthma dosing depends on age (12 and older vs 6 to under 12): give the age.", field="age")
        if age < 6:
            raise InputError("Omalizumab for asthma is labelled for ages 6 and older.", field="age")
        for table in tables:
            if age >= table.min_age and (table.max_age_exclusive is None or age < table.max_age_exclusive):
                return table
    else:
        table = tables[0]
        if age is not None and age < table.min_age:
            raise InputError(f"{table.population} is labelled for ages {table.min_age} and older.", field="age")
        return table
    raise AssertionError("dose tables cover every asthma age from 6")  # pragma: no cover


def dose_matches(answer: DoseAnswer, dose_mg: Fraction) -> bool | None:
    """True/False when the label dose is known; None when it is not in the pack."""
    if answer.status != "dose":
        return None
    return dose_mg in {Fraction(d) for d in answer.doses_mg}
