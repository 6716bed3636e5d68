"""Label-dose look-up uses the verified US tables only and says so outside them."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from omaliref.domain.dosing import dose_matches, label_dose
from omaliref.domain.errors import InputError


@pytest.mark.parametrize(
    "ige, weight, expected",
    [
        (30, 30, ("dose", (150,), 4)),
        (100, 60, ("dose", (150,), 4)),
        (101, 60, ("dose", (300,), 4)),
        (150, 95, ("dose", (225,), 2)),
        (450, 80, ("dose", (375,), 2)),
        (650, 55, ("dose", (375,), 2)),
        (650, 65, ("no-dose", (), None)),
        (350, 100, ("no-dose", (), None)),
    ],
)
def test_asthma_12_plus_table(catalog, ige, weight, expected):
    a = label_dose(catalog, "asthma", ige=F(ige), weight_kg=F(weight), age_years=F(30))
    assert (a.status, a.doses_mg, a.interval_weeks) == expected


def test_asthma_outside_table_limits(catalog):
    a = label_dose(catalog, "asthma", ige=F(800), weight_kg=F(70), age_years=F(40))
    assert a.status == "no-dose" and "insufficient data" in a.message


def test_pediatric_asthma_table_not_in_pack(catalog):
    a = label_dose(catalog, "asthma", ige=F(200), weight_kg=F(30), age_years=F(8))
    assert a.status == "not-in-pack" and "NOT in the data pack" in a.message


def test_food_allergy_table_not_in_pack(catalog):
    a = label_dose(catalog, "food-allergy", ige=F(200), weight_kg=F(30), age_years=F(8))
    assert a.status == "not-in-pack"


def test_crswnp_verified_rows_and_unverified_cells(catalog):
    assert label_dose(catalog, "crswnp", ige=F(250), weight_kg=F(65)).doses_mg == (450,)
    assert label_dose(catalog, "crswnp", ige=F(850), weight_kg=F(35)).doses_mg == (300,)
    assert label_dose(catalog, "crswnp", ige=F(850), weight_kg=F(75)).status == "not-in-pack"
    assert label_dose(catalog, "crswnp", ige=F(1200), weight_kg=F(75)).status == "not-in-pack"


def test_csu_fixed(catalog):
    a = label_dose(catalog, "csu", ige=None, weight_kg=None, age_years=F(40))
    assert a.doses_mg == (150, 300) and a.interval_weeks == 4
    assert dose_matches(a, F(300)) and not dose_matches(a, F(375))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"indication": "eczema", "ige": F(100), "weight_kg": F(70)}, "not known"),
        ({"indication": "asthma", "ige": F(100), "weight_kg": F(70)}, "give the age"),
        ({"indication": "asthma", "ige": F(100), "weight_kg": F(70), "age_years": F(4)}, "6 and older"),
        ({"indication": "asthma", "ige": F(-1), "weight_kg": F(70), "age_years": F(30)}, "greater than zero"),
        ({"indication": "crswnp", "ige": F(100), "weight_kg": F(70), "age_years": F(12)}, "18 years"),
        ({"indication": "asthma", "ige": None, "weight_kg": F(70), "age_years": F(30)}, "IgE"),
        ({"indication": "asthma", "ige": F(100), "weight_kg": F(900), "age_years": F(30)}, "kilograms"),
    ],
)
def test_bad_dose_inputs(catalog, kwargs, fragment):
    indication = kwargs.pop("indication")
    with pytest.raises(InputError, match=fragment):
        label_dose(catalog, indication, **kwargs)
