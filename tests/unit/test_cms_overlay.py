"""CMS quarterly files over the pack: the calculator, search, conflicts and changes with imported quarters, and the
setting's MUE table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from omaliref.data.cms_catalog import conflicts, search_entries
from omaliref.data.cms_import import import_paths
from omaliref.data.cms_store import CmsStore
from omaliref.data.library import Library
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.cms_changes import changes
from omaliref.domain.errors import InputError
from omaliref.domain.search import SearchIndex, entries_from_catalog
from tests.fixtures.cms import MUE_CSV, anweb_text, procedure, quarter_zips, write_zip

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def store(tmp_path):
    s = CmsStore(tmp_path / "cms.sqlite3")
    yield s
    s.close()


# --- overlay: calculator, search, conflicts, changes --------------------------------------------------------


@pytest.fixture
def two_quarters(store, tmp_path):
    import_paths(store, quarter_zips(tmp_path / "q1"))
    import_paths(store, quarter_zips(tmp_path / "q2", month="APR", changes=True))
    return store


def calc(catalog, store, code, dose, *packages, date="2027-02-01", single=False, setting="office"):
    raw = CaseInput(code=code, dose=dose, containers=packages, date=date, single_dose_confirmed=single, setting=setting)
    return Library(catalog, store).evaluate(case_from_input(raw, TODAY)).calculation


def test_calculator_for_an_imported_only_code(catalog, two_quarters):
    r = calc(catalog, two_quarters, "J0001", "25mg", "99999-0001-10", single=True)
    assert [(l.modifiers, l.units) for l in r.lines] == [((), 3), (("JW",), 7)]
    assert any("99999-0001-10 confirmed by you from the label" in w.message for w in r.warnings)
    assert r.quarter_facts.payment_limit.limit == Decimal("12.345")
    assert [(m.value, m.mai) for m in r.quarter_facts.mues] == [(10, 3)]
    q2 = calc(catalog, two_quarters, "J0001", "25mg", "99999-0001-10", date="2027-05-01")
    assert q2.quarter_facts.payment_limit.limit == Decimal("13.000")  # the date of service picks the quarter
    assert not q2.has_jw and any("not established" in w.message for w in q2.warnings)
    # Unconfirmed single-dose status: the calculator does not choose a crosswalk package by itself.
    with pytest.raises(InputError, match="confirm single-dose from the label"):
        calc(catalog, two_quarters, "J0001", "25mg", date="2027-05-01")


def test_a_single_dose_confirmation_never_covers_a_package_the_calculator_chose(catalog, two_quarters):
    """--single-dose without --package: the calculator may choose a crosswalk package, but JW/JZ need the coder to
    have named that NDC (#25: one tick once put JZ on a package the coder never saw)."""
    chosen = calc(catalog, two_quarters, "J0001", "25mg", single=True)
    assert chosen.auto_selected and [c.product.ndc for c in chosen.containers] == ["99999-0001-10"]
    assert [(l.modifiers, l.units) for l in chosen.lines] == [((), 3)]
    assert not any("confirmed by you" in w.message for w in chosen.warnings)
    assert any("chosen by the calculator, is not established" in w.message for w in chosen.warnings)
    named = calc(catalog, two_quarters, "J0001", "25mg", "99999-0001-10", single=True)
    assert [(l.modifiers, l.units) for l in named.lines] == [((), 3), (("JW",), 7)]


def test_a_single_dose_confirmation_is_per_ndc(catalog, two_quarters):
    """The window confirms named NDCs one by one: a confirmation of one package never carries to another."""
    store = two_quarters

    def with_confirmed(packages, confirmed):
        raw = CaseInput(code="J0001", dose="25mg", containers=packages, date="2027-05-01", single_dose_ndcs=confirmed)
        return Library(catalog, store).evaluate(case_from_input(raw, TODAY)).calculation

    assert with_confirmed(["99999-0001-10"], ["99999000110"]).has_jw  # the same NDC, typed another way
    other = with_confirmed(["99999-0001-10"], ["99999-0002-01"])
    assert not other.has_jw and any("not established" in w.message for w in other.warnings)
    assert not with_confirmed(["99999-0001-10"], []).has_jw


def test_units_above_the_mue_warn(catalog, two_quarters):
    r = calc(catalog, two_quarters, "J0001", "150mg", "99999-0001-10x2", single=True)
    assert any(w.level == "warning" and "exceed the MUE" in w.message for w in r.warnings)


def test_an_imported_code_refuses_a_dose_far_past_its_mue_as_a_curated_code_refuses_one_past_its_label(
    catalog, two_quarters
):
    with pytest.raises(InputError) as refused:
        calc(catalog, two_quarters, "J0001", "1100mg", "99999-0001-10x12", single=True)
    assert str(refused.value) == (
        "A 1,100 mg dose is far above the largest J0001 dose its 2027Q1 MUE allows (100 mg): check the dose and its "
        "unit."
    )
    assert refused.value.field == "dose"
    assert calc(catalog, two_quarters, "J0001", "400mg", "99999-0001-10x4").administered_units == 40  # 4x: allowed


def test_imported_packages_key_with_an_ndc_unit_from_the_crosswalk_named_by_file(catalog, two_quarters):
    r = calc(catalog, two_quarters, "J0001", "25mg", "99999-0001-10", single=True)
    assert [(p.ndc_unit, p.ndc_quantity) for line in r.lines for p in line.ndc_parts] == [
        ("UN", Fraction(1, 4)),
        ("UN", Fraction(3, 4)),
    ]
    note = next(w for w in r.warnings if w.message.startswith("99999-0001-10: NDC unit UN"))
    assert (
        "ASP NDC-HCPCS Crosswalk" in note.message and "10 billing units per item, 10 items per package" in note.message
    )
    assert note.sources == ("cms-crosswalk-2027Q1",)
    assert not any("not in the data" in w.message for w in r.warnings)


def test_terminated_imported_code_is_an_error_with_its_date(catalog, two_quarters):
    with pytest.raises(InputError, match="ended on 2026-06-30; for 2027-02-01 use J0001"):
        calc(catalog, two_quarters, "J0002", "5mg")


def test_no_imported_quarter_covers_the_date(catalog, two_quarters):
    with pytest.raises(InputError, match="no imported quarter covers"):
        calc(catalog, two_quarters, "J0001", "25mg", date="2026-11-01")


def test_curated_code_gets_payment_limit_and_mue(catalog, two_quarters):
    r = calc(catalog, two_quarters, "J2357", "375mg")
    assert r.code.descriptor == "Injection, omalizumab, 5 mg"  # curated facts stay
    assert r.quarter_facts.payment_limit.limit == Decimal("40.000")


def test_search_finds_imported_codes_below_curated(catalog, two_quarters):
    extra = search_entries(catalog, two_quarters)
    codes = {e.id: e for e in extra if e.kind == "code"}
    # J2357 is curated; A0003 and Q0004 are priced in the ASP file though the HCPCS file lacks them (#19)
    assert set(codes) == {"J0001", "J0002", "J0006", "A0003", "Q0004"}
    assert codes["Q0004"].title.endswith("[CMS 2027Q2 ASP]") and codes["J0006"].title.endswith("[CMS 2027Q2]")
    index = SearchIndex(entries_from_catalog(catalog) + extra, catalog.corrections)
    assert index.search("J0006", 1)[0].entry.id == "J0006"
    assert index.search("examplemab", 3)[0].entry.id == "J0001"
    assert index.search("J2357", 1)[0].entry.title.startswith("J2357 — Injection, omalizumab, 5 mg")
    assert index.search("99999000201", 1)[0].entry.id == "99999-0002-01"


def test_conflicts_are_flagged(catalog, two_quarters):
    assert conflicts(catalog.codes["J2357"], two_quarters, "2027Q1") == []
    found = conflicts(catalog.codes["J2357"], two_quarters, "2027Q2")
    assert found and "Descriptor" in found[0] and "(revised)" in found[0]


def test_changes_between_quarters(two_quarters):
    tables = {q: two_quarters.tables(q) for q in ("2027Q1", "2027Q2")}
    diff = changes(tables["2027Q1"], tables["2027Q2"])
    assert [c["code"] for c in diff["codes_added"]] == ["J0006"]
    assert [c["code"] for c in diff["descriptor_changes"]] == ["J2357"]
    assert {(c["code"], c["to"]) for c in diff["payment_limit_changes"]} == {("J0001", "13.000"), ("J0003", None)}
    assert diff["mue_changes"][0]["to"] == {"value": 12, "mai": 3}
    assert [c["ndc"] for c in diff["ndcs_added"]] == ["99999-0002-01"]
    only = changes(tables["2027Q1"], tables["2027Q2"], {"J2357"})
    assert only["payment_limit_changes"] == [] and len(only["descriptor_changes"]) == 1


def test_terminated_code_shows_in_changes(store, tmp_path):
    first = anweb_text(
        procedure(
            "J0007",
            "Injection, goneab, 1 mg",
            "Inj goneab",
            PRICE1="51",
            ADD_DT="20200101",
            ACT_EFF_DT="20200101",
            ACTION_CD="N",
        )
    )
    later = anweb_text(
        procedure(
            "J0007",
            "Injection, goneab, 1 mg",
            "Inj goneab",
            PRICE1="51",
            ADD_DT="20200101",
            ACT_EFF_DT="20270401",
            TERM_DT="20270331",
            XREF1="J0001",
            ACTION_CD="D",
        )
    )
    import_paths(
        store,
        [
            write_zip(tmp_path / "a.zip", {"HCPC2027_JAN_ANWEB.txt": first}),
            write_zip(tmp_path / "b.zip", {"HCPC2027_APR_ANWEB.txt": later}),
        ],
    )
    diff = changes(store.tables("2027Q1"), store.tables("2027Q2"))
    assert diff["codes_terminated"] == [{"code": "J0007", "termination_date": "2027-03-31", "replaced_by": "J0001"}]


# --- the setting chooses the MUE table (practitioner for office, outpatient hospital for hospital outpatient) ----


def _mue_tables(folder, values):
    """One MUE file per setting, J2357 at the given value in each (the DME table at 0, as CMS publishes it)."""
    files = []
    folder.mkdir(parents=True, exist_ok=True)
    for setting, header, value in values:
        text = MUE_CSV.replace("Practitioner Services MUE Values", header).replace("J2357,99,", f"J2357,{value},")
        files.append(write_zip(folder / f"mue-{setting}.zip", {f"MCR_MUE_{setting}_Eff_01-01-2027.csv": text}))
    return files


@pytest.fixture
def mue_by_setting(store, tmp_path):
    import_paths(
        store,
        quarter_zips(tmp_path / "q1")[:3]
        + _mue_tables(
            tmp_path / "mue",
            [
                ("PractitionerServices", "Practitioner Services MUE Values", 120),
                ("OutpatientHospitalServices", "Outpatient Hospital Services MUE Values", 100),
                ("DMESupplierServices", "DME Supplier Services MUE Values", 0),
            ],
        ),
    )
    return store


def test_office_case_is_checked_against_the_practitioner_mue(catalog, mue_by_setting):
    r = calc(catalog, mue_by_setting, "J2357", "600mg")  # 120 units, office
    assert [(m.setting, m.value) for m in r.quarter_facts.mues] == [("practitioner", 120)]
    assert not any("exceed the MUE" in w.message for w in r.warnings)  # the DME table's 0 never applies


def test_hospital_outpatient_case_uses_the_outpatient_hospital_mue(catalog, mue_by_setting):
    r = calc(catalog, mue_by_setting, "J2357", "600mg", setting="hospital-outpatient")
    assert [(m.setting, m.value) for m in r.quarter_facts.mues] == [("outpatient-hospital", 100)]
    assert any(
        w.level == "warning" and "120 units exceed the MUE 2027Q1 (outpatient-hospital)" in w.message
        for w in r.warnings
    )
