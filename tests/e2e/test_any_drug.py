"""Any drug CMS prices (#19): with only a real quarter's ASP payment-limit file and crosswalk imported (no HCPCS
file), codes are calculable from the ASP "HCPCS Code Dosage"; a dosage that is not a quantity is one sentence.

When OMALIREF_CMS_REAL names a folder of CMS downloads, every code of every quarter there is run at 1, 2.5 and 10
billing units (the whole-crosswalk test)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from omaliref.data.library import Library
from omaliref.domain.calculator import CALCULABLE_UNITS
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.cms import dosage_quantity
from omaliref.domain.errors import OmalirefError
from omaliref.domain.quantities import plain_amount
from omaliref.domain.quarter import Quarter
from tests.e2e.test_cms_real import ASP_JUL24, CROSSWALK_JUL24

TODAY = dt.date(2026, 12, 1)


def run(state, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state))
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def asp_only_state(tmp_path_factory):
    state = tmp_path_factory.mktemp("asp-only") / "state"
    out = run(state, "import", str(ASP_JUL24), str(CROSSWALK_JUL24))
    assert out.returncode == 0, out.stderr
    return state


@pytest.mark.parametrize(
    ("code", "dose", "units", "per_unit"),
    [
        ("J0696", "1g", 4, "0.456"),  # ceftriaxone, 250 mg per unit
        ("J1100", "10mg", 10, "0.113"),  # dexamethasone sodium phosphate, 1 mg
        ("J3301", "40mg", 4, "1.029"),  # triamcinolone acetonide, 10 mg
        ("J9035", "400mg", 40, "72.462"),  # bevacizumab, 10 mg
    ],
)
def test_asp_and_crosswalk_alone_give_claim_lines_with_the_payment_limit(asp_only_state, code, dose, units, per_unit):
    out = run(asp_only_state, "units", code, "--dose", dose, "--single-dose", "--date", "2024-08-01", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["administered_units"] == units
    assert data["lines"] and all(line["code"] == code for line in data["lines"])
    assert data["payment_limit"]["quarter"] == "2024Q3" and data["payment_limit"]["per_unit"] == per_unit
    assert data["payment_limit"]["source_id"] == "cms-asp-2024Q3"


def test_asp_only_code_is_searchable_and_shown_with_its_source(asp_only_state):
    found = json.loads(run(asp_only_state, "search", "ceftriaxone", "--json").stdout)["results"]
    assert found and found[0]["id"] == "J0696" and "[CMS 2024Q3 ASP]" in found[0]["title"]
    show = json.loads(run(asp_only_state, "show", "J0696", "--json").stdout)
    assert show["origin"] == "cms-import" and show["billing_unit"] == {"amount": "250", "unit": "mg"}
    assert show["field_sources"]["descriptor"] == "cms-asp-2024Q3"
    check = run(asp_only_state, "check", "J0696", "--dose", "1g", "--units", "4", "--date", "2024-08-01", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["ok"] is True


def test_without_the_single_dose_confirmation_imported_packages_are_not_chosen(asp_only_state):
    out = run(asp_only_state, "units", "J9035", "--dose", "400mg", "--date", "2024-08-01")
    assert out.returncode == 2 and "confirm single-dose from the label" in out.stderr


@pytest.mark.parametrize(
    ("dosage", "expected"),
    [
        ("1 GM", ("1", "g")),
        ("100,000 UNITS", ("100000", "units")),
        ("1 USP UNIT", ("1", "units")),
        ("250 CC", ("250", "ml")),
        ("0.1 mg", ("0.1", "mg")),
        ("50MG", ("50", "mg")),
        ("1 MCG (40 IU)", None),
        ("per dose", None),
        ("PER VIAL", None),
        ("1 SQ CM", None),
        ("10 MG/2 MG", None),
        ("UP TO 250 MILLION CAR T CELLS", None),
    ],
)
def test_dosages_as_cms_writes_them(dosage, expected):
    found = dosage_quantity(dosage)
    assert (None if found is None else (str(found[0]), found[1])) == expected


# --- every code of every real quarter -----------------------------------------------------------------------

_REAL = Path(os.environ.get("OMALIREF_CMS_REAL", "") or "/nonexistent")
_QUARTER_IN_NAME = re.compile(r"(January|Jan|April|APR|July|Jul|October|Oct) (\d{4})", re.I)
_MONTH = {"jan": 1, "apr": 2, "jul": 3, "oct": 4}


def _real_quarters() -> list[tuple[str, Path, Path]]:
    """(quarter, ASP file, crosswalk file) for each quarter that has both under OMALIREF_CMS_REAL."""
    found: dict[str, dict[str, Path]] = collections.defaultdict(dict)
    for path in _REAL.rglob("*.csv") if _REAL.is_dir() else []:
        m = _QUARTER_IN_NAME.search(path.name)
        kind = "crosswalk" if "crosswalk" in path.name.lower() else "asp" if "pric" in path.name.lower() else ""
        if m and kind:
            found[f"{m.group(2)}Q{_MONTH[m.group(1)[:3].lower()]}"][kind] = path
    return [(q, f["asp"], f["crosswalk"]) for q, f in sorted(found.items()) if {"asp", "crosswalk"} <= set(f)]


@pytest.mark.skipif(not _real_quarters(), reason="set OMALIREF_CMS_REAL to a folder of CMS downloads to run")
@pytest.mark.parametrize(("quarter", "asp", "crosswalk"), _real_quarters(), ids=lambda v: str(v)[:6])
def test_every_code_of_a_real_quarter_calculates_or_says_why(tmp_path, quarter, asp, crosswalk):
    library = Library.open(str(tmp_path / "state"))
    library.import_files([asp, crosswalk])
    store = library.store
    assert store is not None
    day = Quarter.parse(quarter).start + dt.timedelta(days=31)
    outcomes: collections.Counter[str] = collections.Counter()
    for code in sorted({row.code for row in store.crosswalk_all(quarter)}):
        catalog = library.catalog_for(code, day)
        known = catalog.codes.get(code)
        unit = known.billing_unit if known else None
        calculable = unit is not None and unit.unit in CALCULABLE_UNITS
        for multiple in ("1", "2.5", "10"):
            amount = Fraction(multiple) * unit.amount if calculable and unit else Fraction(1)
            dose = f"{plain_amount(amount, 6)}{unit.unit if calculable and unit else 'mg'}"
            try:
                outcome = library.evaluate(
                    case_from_input(
                        CaseInput(code=code, dose=dose, date=day.isoformat(), single_dose_confirmed=True), TODAY
                    )
                )
            except OmalirefError as exc:
                assert str(exc) and "\n" not in str(exc)
                outcomes["refused"] += 1
                if not calculable:  # the sentence names what CMS wrote, never a guess
                    assert "no fixed drug billing unit" in str(exc), (code, str(exc))
            else:
                assert calculable, code
                assert outcome.calculation is not None
                assert outcome.calculation.administered_units == math.ceil(Fraction(multiple)), (code, multiple)
                outcomes["calculated"] += 1
    library.close()
    # most priced codes calculate; how fast is the benchmark's business (a timed assertion fails under load)
    assert outcomes["calculated"] > 1000


def test_when_the_hcpcs_and_asp_files_disagree_on_the_unit_both_are_shown_and_nothing_is_calculated(tmp_path):
    from tests.fixtures.cms import ASP_CSV, NAMES, anweb_text, write_zip

    asp = ASP_CSV.replace("J0001,Inj examplemab 10 mg,10 MG,", "J0001,Inj examplemab 10 mg,5 MG,")
    paths = [
        write_zip(tmp_path / "hcpcs.zip", {NAMES["hcpcs"]: anweb_text()}),
        write_zip(tmp_path / "asp.zip", {NAMES["asp"]: asp}),
    ]
    library = Library.open(str(tmp_path / "state"))
    library.import_files(paths)
    with pytest.raises(OmalirefError) as refused:
        library.evaluate(case_from_input(CaseInput(code="J0001", dose="10mg", date="2027-02-01"), TODAY))
    assert "disagree on the billing unit: HCPCS '10 mg', ASP '5 MG'" in str(refused.value)
    library.close()


def test_single_dose_covers_only_an_ndc_the_coder_names(asp_only_state):
    """#25: `--single-dose` once put JZ on whatever crosswalk package the calculator then chose (J1100 100 mg: a
    10 mL package that may be a multiple-dose vial). Now the named NDC gets JW/JZ; a chosen one never does."""
    base = ["units", "J1100", "--dose", "100mg", "--date", "2024-08-01", "--single-dose", "--json"]
    chosen = json.loads(run(asp_only_state, *base).stdout)
    modifiers = {m for line in chosen["lines"] for m in line["modifiers"]}
    assert chosen["lines"] and not modifiers & {"JW", "JZ"}
    assert not any("confirmed by you" in w["message"] for w in chosen["warnings"])
    assert any("chosen by the calculator, is not established" in w["message"] for w in chosen["warnings"])
    named = json.loads(run(asp_only_state, *base, "--package", "00641-0367-25x10").stdout)
    assert [(line["modifiers"], line["units"], line["ndc"]) for line in named["lines"]] == [
        (["JZ"], 100, "00641036725")
    ]
    assert any("00641-0367-25 confirmed by you from the label" in w["message"] for w in named["warnings"])


def test_an_imported_code_keys_in_every_view_and_refuses_an_implausible_dose(asp_only_state):
    """#25 item 2, on the real July 2024 ASP and crosswalk: J9035 400 mg from a named NDC has its NDC unit and
    quantity in every view and a LIN/CTP pair that validates; 4000 mg is refused with a sentence."""
    from tests.fixtures.x12 import envelope, validate

    base = ["units", "J9035", "--dose", "400mg", "--date", "2024-08-01", "--package", "50242-0061-01"]
    data = json.loads(run(asp_only_state, *base, "--charge", "25.00", "--json").stdout)  # pyx12 wants a charge
    (line,) = data["lines"]
    assert (line["ndc"], line["ndc_unit"], line["ndc_quantity"]) == ("50242006101", "UN", "1")
    # Medicare paper: the qualifier and quantity in positions 17-24, three blanks after the NDC (IOM 100-04 ch. 26)
    assert line["cms1500_24a"] == "N450242006101   UN1" and line["ub04_fl43"] == "N450242006101UN1"
    assert line["x12"][1:] == ["LIN**N4*50242006101~", "CTP****1*UN~"]
    ok, ack = validate(envelope("P", [tuple(line["x12"])]))
    assert ok, ack
    note = next(w["message"] for w in data["warnings"] if w["message"].startswith("50242-0061-01: NDC unit UN"))
    assert "section 508 version of July 2024 ASP NDC-HCPCS Crosswalk 061824.csv" in note
    for form, row in (("cms1500", "N450242006101   UN1"), ("ub04", "N450242006101UN1"), ("x12", "CTP****1*UN~")):
        assert row in run(asp_only_state, *base, "--format", form).stdout

    refused = run(asp_only_state, "units", "J9035", "--dose", "4000mg", "--date", "2024-08-01", "--single-dose")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "A 4,000 mg dose is far above the largest J9035 dose its packages suggest (800 mg)" in refused.stderr
