"""The importer on files as CMS published them: excerpts kept in tests/fixtures/cms_real (bytes, names, quirks and
both HCPCS editions unchanged apart from dropping rows), and, when OMALIREF_CMS_REAL names a folder, every file in it.

The excerpts keep what bit us: an HCPCS zip with a TXT and an XLSX edition of the same records, an XLSX renamed to
`anweb.xlsx` (no quarter in its name), a crosswalk row whose BILLUNITS reads `21.3125?`, and the July 2024 pricing
file's extra trailing columns.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from omaliref.data.cms_import import Member, hcpcs_records, import_paths, read_members
from omaliref.data.cms_store import CmsStore
from omaliref.domain.cms import FileFormatError, QuarterUnknown, quarter_from_hcpcs_name
from omaliref.domain.cms_facts import decimal_text
from omaliref.domain.quarter import Quarter

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "cms_real"
HCPCS_ZIP = REAL / "2019-Alpha-Numeric-HCPCS-File-excerpt.zip"
ANWEB_XLSX = REAL / "anweb.xlsx"
CROSSWALK_APR24 = REAL / "section 508 version of April 2024 ASP NDC-HCPCS Crosswalk 032124.csv"
CROSSWALK_JUL24 = REAL / "section 508 version of July 2024 ASP NDC-HCPCS Crosswalk 061824.csv"
ASP_JUL24 = REAL / "section 508 version of Jul 2024 ASP Pricing File 062024.csv"


@pytest.fixture
def store(tmp_path):
    s = CmsStore(tmp_path / "cms.sqlite3")
    yield s
    s.close()


def test_hcpcs_zip_with_both_editions_imports_the_txt_and_the_editions_agree():
    with zipfile.ZipFile(HCPCS_ZIP) as archive:
        names = archive.namelist()
    assert any(n.endswith(".txt") and "ANWEB" in n for n in names) and any(n.endswith(".xlsx") for n in names)

    members = read_members([HCPCS_ZIP])
    assert [(m.kind, m.xlsx) for m in members] == [("hcpcs", False)]  # the README and the XLSX twin are not imported

    with zipfile.ZipFile(HCPCS_ZIP) as archive:
        xlsx_name = next(n for n in archive.namelist() if n.endswith(".xlsx"))
        xlsx_bytes = archive.read(xlsx_name)
    xlsx_member = Member("hcpcs", xlsx_name, xlsx_bytes, xlsx=True)
    txt_records = hcpcs_records(members[0])
    xlsx_records = hcpcs_records(xlsx_member)

    def same_in_both(record):  # the TXT numbers lines 00100, 00200…, the XLSX 0010, 0020…: only order counts
        return record.code, record.recid, record.description.strip(), record.details

    assert txt_records and [same_in_both(r) for r in txt_records] == [same_in_both(r) for r in xlsx_records]
    for records in (txt_records, xlsx_records):
        assert [r.seq for r in records] == sorted(r.seq for r in records)


def test_2019_contractor_file_is_the_first_quarter_of_2019(store):
    (report,) = import_paths(store, [HCPCS_ZIP], now=dt.datetime(2026, 12, 1))
    assert (report.kind, report.quarter) == ("hcpcs", "2019Q1")
    j2357 = store.hcpcs("2019Q1", "J2357")
    assert j2357 is not None and j2357.long_description == "Injection, omalizumab, 5 mg"
    modifiers = {r.code: r for r in store.tables("2019Q1").hcpcs if r.is_modifier}
    assert "discarded" in modifiers["JW"].long_description.lower()
    assert "340b" in modifiers["JG"].long_description.lower()


def test_renamed_xlsx_edition_takes_its_quarter_from_the_latest_action_date(store):
    (report,) = import_paths(store, [ANWEB_XLSX], now=dt.datetime(2026, 12, 1))
    # anweb.xlsx says nothing about its quarter in its name; its latest action dates are April 2020
    assert (report.kind, report.quarter) == ("hcpcs", "2020Q2")
    assert store.hcpcs("2020Q2", "J2357") is not None


def test_quarter_in_a_name_is_read_only_when_it_is_possible():
    assert quarter_from_hcpcs_name("HCPC2019_CONTR_ANWEB.txt") == Quarter(2019, 1)
    assert quarter_from_hcpcs_name("HCPC2020_APR_ANWEB_v2.txt") == Quarter(2020, 2)
    assert quarter_from_hcpcs_name("HCPC2020_OCT_ANWEB.xlsx") == Quarter(2020, 4)
    assert quarter_from_hcpcs_name("anweb.xlsx") is None
    with pytest.raises(FileFormatError, match="possible"):  # no HCPCS file is that old: a damaged name
        quarter_from_hcpcs_name("HCPC1899_JAN_ANWEB.txt")
    with pytest.raises(FileFormatError, match="possible"):
        quarter_from_hcpcs_name("HCPC2020_FEB_ANWEB.txt")


def test_misspelled_and_renamed_files_are_recognized_by_content(tmp_path, store):
    odd = tmp_path / "crosswalk - copy (2).CSV"
    odd.write_bytes(CROSSWALK_JUL24.read_bytes())
    pricing = tmp_path / "Pricng_fle_jul.txt"
    pricing.write_bytes(ASP_JUL24.read_bytes())
    reports = {r.kind: r for r in import_paths(store, [odd, pricing], now=dt.datetime(2026, 12, 1))}
    assert reports["crosswalk"].quarter == reports["asp"].quarter == "2024Q3"


def test_april_2024_crosswalk_junk_cell_skips_one_row_and_says_which(store):
    (report,) = import_paths(store, [CROSSWALK_APR24], now=dt.datetime(2026, 12, 1))
    assert report.quarter == "2024Q2"
    assert [(row.line, row.reason) for row in report.skipped_rows] == [(20, "BILLUNITS '21.3125?' is not a number")]
    ndcs = {r.ndc_raw for r in store.crosswalk("2024Q2", "J2357")}
    assert ndcs == {"50242-0040-62", "50242-0214-01", "50242-0215-01"}
    assert store.crosswalk("2024Q2", "J7674") == []


def test_july_2024_pricing_and_crosswalk_carry_xolair_autoinjectors(store):
    import_paths(store, [ASP_JUL24, CROSSWALK_JUL24], now=dt.datetime(2026, 12, 1))
    limit = store.asp("2024Q3", "J2357")
    assert limit is not None and limit.payment_limit == Decimal("38.326")
    rows = {r.ndc_raw: r for r in store.crosswalk("2024Q3", "J2357")}
    assert rows["50242-0227-55"].drug_name == "XOLAIR AUTOINJECTOR"
    assert rows["50242-0227-55"].billunits_pkg == Decimal("60")


def quarterless_hcpcs_file(folder: Path) -> Path:
    """The 2019 TXT records renamed `codes.txt`, with every action date blanked: nothing says the quarter."""
    with zipfile.ZipFile(HCPCS_ZIP) as archive:
        txt = next(n for n in archive.namelist() if n.endswith(".txt") and "ANWEB" in n)
        lines = archive.read(txt).decode("cp1252").splitlines()
    blanked = [line[:276] + " " * 8 + line[284:] if len(line) > 284 and line[10:11] in "37" else line for line in lines]
    nameless = folder / "codes.txt"
    nameless.write_text("\r\n".join(blanked), encoding="cp1252")
    return nameless


def test_a_file_without_any_quarter_is_refused_until_one_is_named(tmp_path, store):
    """A renamed TXT whose records carry no action date says nothing about its quarter: refused, then imported
    into the quarter the coder names."""
    nameless = quarterless_hcpcs_file(tmp_path)
    with pytest.raises(QuarterUnknown, match="--quarter"):
        import_paths(store, [nameless], now=dt.datetime(2026, 12, 1))
    assert store.quarters() == []
    (report,) = import_paths(store, [nameless], now=dt.datetime(2026, 12, 1), quarter=Quarter(2019, 1))
    assert report.quarter == "2019Q1" and store.hcpcs("2019Q1", "J2357") is not None


@pytest.mark.parametrize(
    "value",
    ["0", "0.000001", "1e-9", "38.326", "1E+3", "120", "0.5", "100000", "2.50", "1e-20"],
)
def test_decimal_text_never_writes_an_exponent(value):
    text = decimal_text(Decimal(value))
    assert "e" not in text.lower() and Decimal(text) == Decimal(value)


def test_cli_import_of_every_excerpt_is_clean_on_stderr(tmp_path):
    """The CLI prints the report and nothing else: no library warnings leak to a coder's terminal."""
    files = [str(p) for p in sorted(REAL.iterdir())]
    env = {**os.environ, "OMALIREF_STATE_DIR": str(tmp_path / "state"), "PYTHONWARNINGS": "default"}
    run = subprocess.run(
        [sys.executable, "-m", "omaliref", "import", *files],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "2020Q2 hcpcs" in run.stdout and "2019Q1 hcpcs" in run.stdout
    assert "skipped line 20: BILLUNITS '21.3125?' is not a number" in run.stdout


# --- every real file, when the folder of CMS downloads is at hand --------------------------------------------

_REAL_DIR = os.environ.get("OMALIREF_CMS_REAL", "")


def _real_files() -> list[Path]:
    if not _REAL_DIR or not Path(_REAL_DIR).is_dir():
        return []
    return sorted(
        p for p in Path(_REAL_DIR).rglob("*") if p.is_file() and p.suffix.lower() in {".zip", ".csv", ".txt", ".xlsx"}
    )


@pytest.mark.skipif(not _real_files(), reason="set OMALIREF_CMS_REAL to a folder of CMS downloads to run")
@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_every_real_cms_file_imports(path, store):
    reports = import_paths(store, [path], now=dt.datetime(2026, 12, 1))
    assert reports
    for report in reports:
        assert report.rows > 0 and report.quarter
        # a real file may have a bad row; it is reported, and it is never most of the file
        assert len(report.skipped_rows) < max(1, report.rows // 10)


def _real_file(name: str) -> Path | None:
    return next((p for p in _real_files() if p.name == name), None)


@pytest.mark.skipif(
    _real_file("HCPC2025_OCT_ANWEB.xlsx") is None,
    reason="set OMALIREF_CMS_REAL to a folder holding HCPC2025_OCT_ANWEB.xlsx",
)
def test_the_shipped_pack_against_the_whole_october_2025_hcpcs_file_and_april_2026_mue(store):
    """#23: the real files settle JG, S1090, Q5154 and the MUE values; nothing in the pack contradicts them."""
    from omaliref.data.library import Library
    from omaliref.data.pack_cache import shipped_catalog

    paths = [p for p in (_real_file("HCPC2025_OCT_ANWEB.xlsx"),) if p is not None]
    paths += [p for p in _real_files() if p.name.startswith("MCR_MUE_") and "04-01-2026" in p.name]
    import_paths(store, paths, now=dt.datetime(2026, 12, 1))
    library = Library(shipped_catalog(), store, store.path)
    items = {(i.kind, i.id): i for i in library.review()}
    assert not [i for i in items.values() if i.verdict == "contradicted"]
    assert items[("code", "S1090")].verdict == "ended" and items[("modifier", "JG")].verdict == "ended"
    assert items[("code", "Q5154")].verdict == items[("code", "J2356")].verdict == "confirmed"
    assert items[("mue", "J2357")].verdict == "confirmed" and "120" in items[("mue", "J2357")].detail
