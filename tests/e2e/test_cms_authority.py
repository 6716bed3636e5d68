"""CMS is the authority where it speaks (#23): the date of service decides whether a code or modifier may be billed,
the pack's CMS-stated dates are enforced, and an imported HCPCS file's ADD DT and TERM DT override the pack with the
file named. Excerpts of the real October 2025 HCPCS file and April 2026 MUE table are in tests/fixtures/cms_real;
a synthetic file (tests/fixtures/cms.py) ends J2357 and JW to show the override."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from omaliref.cli import main
from omaliref.data.library import Library
from omaliref.data.pack import catalog_from_texts, read_pack_texts
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.errors import InputError
from tests.fixtures.cms import procedure, record

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "cms_real"
HCPCS_OCT25 = REAL / "HCPC2025_OCT_ANWEB-excerpt.xlsx"
MUE_APR26 = REAL / "MCR_MUE_PractitionerServices_Eff_04-01-2026-excerpt.csv"


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_jg_after_2024_is_refused_naming_tb_and_its_end_date(capsys):
    code, out, err = cli(capsys, "units", "J2357", "--dose", "300mg", "--date", "2026-06-01", "--340b", "JG")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "JG ended on 2024-12-31" in err and "use TB" in err
    code, out, _err = cli(capsys, "units", "J2357", "--dose", "300mg", "--date", "2024-06-01", "--340b", "JG")
    assert code == 0 and "J2357-JZ-JG x 60 units" in out


def test_show_states_modifier_dates_and_resolves_aliases(capsys):
    code, out, _err = cli(capsys, "show", "JG")
    assert code == 0 and "ENDED 2024-12-31 (CMS HCPCS 2025Q4): use TB" in out
    for modifier, words in (
        ("KP", "First drug of a multiple drug unit dose formulation"),
        ("U8", "Medicaid level of care 8, as defined by each state"),
        ("UD", "Medicaid level of care 13, as defined by each state"),
        ("XS", "Separate structure"),
    ):
        code, out, _err = cli(capsys, "show", modifier, "--json")
        data = json.loads(out)
        assert code == 0 and words in data["descriptor"] and data["dates_source"] == "cms-hcpcs-2025-10"


def test_an_alias_finds_its_record():
    library = Library.open()
    assert library.entry("XS").id == "XS"
    catalog = library.catalog
    assert catalog.modifier("59") is catalog.modifiers["59"]  # a record's own code wins over another's alias


def test_q5154_is_settled_and_calculable_without_a_blocker(capsys):
    code, out, _err = cli(capsys, "show", "Q5154", "--json")
    data = json.loads(out)
    assert data["descriptor"] == "Injection, omalizumab-igec (omlyclo), biosimilar, 5 mg"
    assert data["unit_verified"] and data["billing_unit"] == {"amount": "5", "unit": "mg"} and not data["alerts"]
    code, out, _err = cli(capsys, "checklist", "Q5154", "--dose", "375mg", "--json")
    assert code == 0 and not [i for i in json.loads(out)["items"] if i["severity"] == "blocker"]
    code, out, _err = cli(capsys, "units", "Q5154", "--dose", "375mg", "--json")
    data = json.loads(out)
    assert code == 0 and data["lines"]
    assert any("no Medicare payment limit yet" in w["message"] for w in data["warnings"])


def test_an_ended_code_says_so(capsys):
    code, out, _err = cli(capsys, "show", "S1090")
    assert code == 0 and "ENDED 2019-09-30" in out
    code, _out, err = cli(capsys, "units", "S1090", "--dose", "370mcg", "--date", "2020-01-15")
    assert code == 2 and "S1090 ended on 2019-09-30" in err and "J7401" in err


def test_a_code_before_its_cms_start_date_is_refused(capsys):
    code, _out, err = cli(capsys, "units", "Q5154", "--dose", "300mg", "--date", "2025-09-15")
    assert code == 2 and "Q5154 is valid from 2025-10-01 (CMS HCPCS 2025Q4)" in err


def test_with_nothing_imported_the_shipped_mue_warns_and_names_its_quarter(capsys):
    code, out, _err = cli(capsys, "units", "J2357", "--dose", "650mg", "--json")
    data = json.loads(out)
    assert code == 0
    over = [w for w in data["warnings"] if "exceed the MUE CMS 2026Q2" in w["message"]]
    assert over and over[0]["level"] == "warning" and "120 units" in over[0]["message"]
    assert data["mue"][0]["shipped"] and data["mue"][0]["source_id"] == "cms-mue-2026-04"


def test_an_imported_mue_for_the_date_of_service_wins_over_the_shipped_one(capsys, tmp_path):
    doctored = tmp_path / MUE_APR26.name
    doctored.write_bytes(MUE_APR26.read_bytes().replace(b"J2357,120,", b"J2357,100,"))
    assert cli(capsys, "import", str(doctored))[0] == 0
    code, out, _err = cli(capsys, "units", "J2357", "--dose", "550mg", "--date", "2026-05-01", "--json")
    data = json.loads(out)
    assert code == 0 and [(m["value"], m["shipped"]) for m in data["mue"]] == [(100, False)]


# --- the October 2025 HCPCS file, an excerpt of the real one ------------------------------------------------


def test_review_against_the_october_2025_hcpcs_excerpt(capsys):
    assert cli(capsys, "import", str(HCPCS_OCT25), str(MUE_APR26))[0] == 0
    code, out, _err = cli(capsys, "review", "--json")
    assert code == 0, out  # nothing in the shipped pack contradicts CMS
    items = {(i["kind"], i["id"]): i for i in json.loads(out)["items"]}
    assert items[("code", "S1090")]["verdict"] == "ended" and "2019-09-30" in items[("code", "S1090")]["detail"]
    assert items[("modifier", "JG")]["verdict"] == "ended" and "2024-12-31" in items[("modifier", "JG")]["detail"]
    assert items[("code", "J2356")]["verdict"] == items[("code", "Q5154")]["verdict"] == "confirmed"
    assert items[("mue", "J2357")]["verdict"] == "confirmed"
    assert not [i for i in items.values() if i["verdict"] == "confirmed" and "ended" in i["detail"]]


def test_a_pack_whose_descriptor_cms_contradicts_is_flagged(capsys):
    assert cli(capsys, "import", str(HCPCS_OCT25))[0] == 0
    texts = read_pack_texts()
    texts["codes.toml"] = texts["codes.toml"].replace(
        'descriptor = "Injection, omalizumab, 5 mg"', 'descriptor = "Injection, omalizumab, 10 mg"', 1
    )
    # S1090 active in the pack (a code that is not active must give its effective_to)
    active = (
        texts["codes.toml"]
        .replace("effective_to = 2019-09-30\n", "", 1)
        .replace('status = "ended"', 'status = "active"', 1)
    )
    for pack_codes, ident in ((texts["codes.toml"], "J2357"), (active, "S1090")):
        library = Library(catalog_from_texts({**texts, "codes.toml": pack_codes}), None, Library.database_path())
        library.store = library._open_reader()
        item = library.review_of("code", ident)
        assert item.verdict == "contradicted", item


def test_a_settled_fact_says_what_to_take(capsys):
    assert cli(capsys, "import", str(HCPCS_OCT25))[0] == 0
    texts = read_pack_texts()
    texts["codes.toml"] = texts["codes.toml"].replace(
        'code = "J2356"\ndescriptor = "Injection, tezepelumab-ekko, 1 mg"\ndescriptor_verified = true',
        'code = "J2356"\ndescriptor = "Injection, tezepelumab-ekko, 1 mg"\ndescriptor_verified = false',
        1,
    )
    library = Library(catalog_from_texts(texts), None, Library.database_path())
    library.store = library._open_reader()
    item = library.review_of("code", "J2356")
    assert item.verdict == "settled" and "'Injection, tezepelumab-ekko, 1 mg', added 2022-07-01" in item.detail


# --- an imported file overrides the pack's dates ------------------------------------------------------------


def _hcpcs_ending_j2357_and_jw(folder: Path) -> Path:
    lines = procedure(
        "J2357",
        "Injection, omalizumab, 5 mg",
        "Omalizumab injection",
        PRICE1="51",
        COV="C",
        ADD_DT="20050101",
        ACT_EFF_DT="20270401",
        TERM_DT="20270331",
        ACTION_CD="D",
    )
    lines.append(
        record(
            HCPC="JW",
            SEQNUM="00100",
            RECID="7",
            LONG_DESCRIPTION="Drug amount discarded/not administered to any patient",
            SHORT_DESCRIPTION="Discarded drug not administe",
            COV="C",
            ADD_DT="20030101",
            ACT_EFF_DT="20270401",
            TERM_DT="20270331",
            ACTION_CD="D",
        )
    )
    for modifier, long, short, added in (
        ("JZ", "Zero drug amount discarded/not administered to any patient", "Zero drug wasted", "20230101"),
        ("TB", "Drug or biological acquired with 340b drug pricing program discount", "340b drug", "20180101"),
    ):
        fields = {
            "LONG_DESCRIPTION": long,
            "SHORT_DESCRIPTION": short,
            "ADD_DT": added,
            "ACT_EFF_DT": added,
            "ACTION_CD": "N",
        }
        lines.append(record(HCPC=modifier, SEQNUM="00100", RECID="7", **fields))
    path = folder / "HCPC2027_APR_ANWEB.txt"  # three records at least: what makes a text an HCPCS file
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    return path


def test_an_imported_hcpcs_file_ends_a_code_and_a_modifier_the_pack_has_active(capsys, tmp_path):
    assert cli(capsys, "import", str(_hcpcs_ending_j2357_and_jw(tmp_path)))[0] == 0
    code, out, err = cli(capsys, "units", "J2357", "--dose", "150mg", "--date", "2027-05-03")
    assert code == 2 and out == ""
    assert "J2357 ended on 2027-03-31 (CMS HCPCS 2027Q2, imported)" in err
    code, out, _err = cli(capsys, "units", "J2357", "--dose", "150mg", "--date", "2027-03-01")
    assert code == 0 and "J2357-JZ x 30 units" in out
    code, out, _err = cli(capsys, "show", "JW")
    assert "ENDED 2027-03-31 (CMS HCPCS 2027Q2, imported)" in out
    code, out, _err = cli(capsys, "show", "J2357")
    assert "ENDED 2027-03-31" in out and "CMS HCPCS 2027Q2, imported" in out


def test_a_line_whose_modifier_the_imported_file_ended_is_refused_whole(tmp_path):
    text = _hcpcs_ending_j2357_and_jw(tmp_path).read_text(encoding="cp1252")
    only_jw = tmp_path / "only-jw" / "HCPC2027_APR_ANWEB.txt"
    only_jw.parent.mkdir()
    only_jw.write_text("\r\n".join(line for line in text.splitlines() if not line.startswith("J2357")), "cp1252")
    library = Library.open()
    library.import_files([only_jw])
    library.reopen()
    case = case_from_input(
        CaseInput(code="J2357", dose="75mg", containers=("50242-0040-62",), date="2027-05-03"),
        dt.date(2026, 12, 3),
        library.profile_for(),
    )
    with pytest.raises(InputError, match=r"JW ended on 2027-03-31 \(CMS HCPCS 2027Q2, imported\)"):
        library.evaluate(case)


@pytest.mark.parametrize("typed", ["050242-0227-01", "050242022701"])
def test_a_12_digit_ndc_gets_one_sentence_wherever_it_is_typed(capsys, typed):
    for argv in (
        ("units", "J2357", "--dose", "300mg", "--package", typed),
        ("units", "J2357", "--dose", "300mg", "--package", f"{typed}x2"),
        ("show", typed),
    ):
        code, out, err = cli(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1, argv
        assert "12-digit NDC" in err and "2033-03-07" in err and "11-digit" in err
    code, out, _err = cli(capsys, "show", "50242-0227-01")  # the 11-digit NDC it must not be confused with
    assert code == 0 and out.startswith("50242-0227-01")


def test_every_modifier_a_profile_or_the_calculator_can_put_on_a_line_is_a_record(catalog):
    """#23: KP, KQ, U8, UD, TB … are records with CMS descriptors and dates, so show and the date check see them."""
    from omaliref.domain.payer import PROFILE_340B
    from omaliref.domain.vocab import MODIFIERS_340B

    emitted = {"JW", "JZ", "JA", "JB", "KP", "KQ", *MODIFIERS_340B, *(m for m in PROFILE_340B if m != "none")}
    missing = emitted - set(catalog.modifiers)
    assert not missing
    assert all(catalog.modifiers[m].dates_source == "cms-hcpcs-2025-10" for m in emitted)
