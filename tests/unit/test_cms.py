"""CMS quarterly files: parsers with their quirks, refusals with file and line, storage, overlay, changes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from omaliref.data.cms_import import import_paths, read_members
from omaliref.data.cms_store import CmsStore
from omaliref.domain.cms import (
    FileFormatError,
    Quarter,
    descriptor_dosage,
    dosage_quantity,
    kind_of_text,
    parse,
)
from omaliref.domain.errors import ImportCancelled, InputError
from tests.fixtures.cms import ASP_CSV, CROSSWALK_CSV, MUE_CSV, NAMES, anweb_text, procedure, quarter_zips, write_zip

TODAY = dt.date(2026, 11, 27)


# --- parsers ---------------------------------------------------------------------------------------------


def test_anweb_continuation_lines_modifiers_and_terminated_codes():
    parsed = parse("hcpcs", anweb_text(), NAMES["hcpcs"])
    rows = {(r.code, r.is_modifier): r for r in parsed.rows}
    assert str(parsed.quarter) == "2027Q1" and parsed.skipped == 1  # the disclaimer line
    assert rows[("ZY", True)].long_description == (
        "Synthetic test modifier: item furnished with an example service when the example condition applies"
    )
    j1 = rows[("J0001", False)]
    assert j1.long_description.endswith(
        "for intravenous or subcutaneous use, not for use when drug is self-administered, 10 mg"
    )
    assert (j1.pricing, j1.coverage, j1.add_date, j1.action) == ("51", "D", dt.date(2026, 7, 1), "A")
    j2 = rows[("J0002", False)]
    assert (j2.term_date, j2.xref1, j2.action) == (dt.date(2026, 6, 30), "J0001", "D")
    j2357 = rows[("J2357", False)]
    assert (j2357.long_description, j2357.betos, j2357.add_date) == (
        "Injection, omalizumab, 5 mg",
        "O1E",
        dt.date(2005, 1, 1),
    )


def test_asp_preamble_na_multiline_notes_and_cpt_rows_dropped():
    parsed = parse("asp", ASP_CSV, NAMES["asp"])
    rows = {r.code: r for r in parsed.rows}
    assert (parsed.effective_from, parsed.effective_to) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert rows["J2357"].dosage == "5 MG" and rows["J2357"].payment_limit == Decimal("40.000")
    assert rows["J0001"].coinsurance == Decimal("18.250") and "Inflation" in rows["J0001"].notes
    assert rows["A0003"].payment_limit is None and rows["A0003"].notes.count("\n") == 1
    assert "90371" not in rows and parsed.skipped == 1  # CPT row: AMA content, not kept


@pytest.mark.parametrize("header", ["NDC", "NDC2"])
def test_crosswalk_ndc_header_variants_and_alternate_ids(header):
    text = CROSSWALK_CSV.replace(",LABELER NAME,NDC,", f",LABELER NAME,{header},")
    rows = parse("crosswalk", text, NAMES["crosswalk"]).rows
    by_ndc = {r.ndc_raw: r for r in rows}
    assert by_ndc["50242-0215-01"].billunits == 30 and by_ndc["50242-0215-01"].ndc11 == "50242021501"
    assert by_ndc["99999-0001-10"].billunits_pkg == 100 and by_ndc["99999-0001-10"].pkg_qty == 10
    assert by_ndc["999999000012"].ndc11 == ""  # a device's alternate ID is kept raw, never taken for an NDC


def test_mue_ama_notice_row_and_multiline_header():
    parsed = parse("mue", MUE_CSV, NAMES["mue"])
    assert parsed.setting == "practitioner" and str(parsed.quarter) == "2027Q1"
    assert [(r.code, r.value, r.mai) for r in parsed.rows] == [
        ("E0001", 1, 2),
        ("J0001", 10, 3),
        ("J0002", 0, 3),
        ("J2357", 99, 3),
    ]
    assert parsed.skipped == 1  # 99999, a CPT-style code


def test_latin1_bytes_decode():
    from omaliref.domain.cms import decode

    assert "®" in decode("CPT® notice".encode("latin-1"))


@pytest.mark.parametrize(
    "kind, text, name, line, expected",
    [
        ("hcpcs", anweb_text()[:700], NAMES["hcpcs"], 5, "truncated"),
        ("hcpcs", anweb_text() + "this is not a record\r\n", NAMES["hcpcs"], 9, "320-character HCPCS record"),
        ("hcpcs", anweb_text(), "HCPC2027_FEB_ANWEB.txt", 0, "quarter month"),
        ("asp", ASP_CSV.replace("HCPCS Code,Short", "Code,Short"), NAMES["asp"], 1, "'HCPCS Code'"),
        (
            "asp",
            ASP_CSV.replace('"Effective January 1, 2027 through March 31, 2027"', "Effective soon"),
            NAMES["asp"],
            1,
            "Effective",
        ),
        ("crosswalk", CROSSWALK_CSV.replace(",BILLUNITS,", ",UNITS,"), NAMES["crosswalk"], 9, "'billunits' column"),
        ("mue", MUE_CSV.replace("Practitioner Services MUE Values", "MUE Values"), "mue.csv", 4, "naming its setting"),
        ("asp", CROSSWALK_CSV, NAMES["asp"], 1, "'HCPCS Code'"),  # the wrong file under an ASP name
    ],
)
def test_files_that_do_not_match_their_layout_are_refused_with_line(kind, text, name, line, expected):
    with pytest.raises(FileFormatError) as info:
        parse(kind, text, name)
    assert info.value.line == line and expected in info.value.expected and info.value.file == name


@pytest.mark.parametrize(
    "kind, text, name, field, value",
    [
        ("hcpcs", anweb_text().replace("20260630", "20261399"), NAMES["hcpcs"], "TERM_DT", ""),
        (
            "asp",
            ASP_CSV.replace("J0001,Inj examplemab 10 mg,10 MG,12.345", "J0001,Inj examplemab 10 mg,10 MG,twelve"),
            NAMES["asp"],
            "Payment Limit",
            "twelve",
        ),
        ("asp", ASP_CSV.replace("10 MG,12.345", "10 MG,NaN"), NAMES["asp"], "Payment Limit", "NaN"),
        ("asp", ASP_CSV.replace("10 MG,12.345", "10 MG,-5"), NAMES["asp"], "Payment Limit", "-5"),
        ("asp", ASP_CSV.replace("10 MG,12.345", "10 MG,1e5000"), NAMES["asp"], "Payment Limit", "1e5000"),
        ("mue", MUE_CSV.replace("J0001,10,3 Date", "J0001,ten,3 Date"), NAMES["mue"], "MUE Values", "ten"),
        (
            "mue",
            MUE_CSV.replace("J0001,10,3 Date", "J0001,12345678901234567890123,3 Date"),
            NAMES["mue"],
            "MUE Values",
            "12345678901234567890",
        ),
    ],
)
def test_a_row_with_one_unusable_value_is_skipped_and_reported(kind, text, name, field, value):
    parsed = parse(kind, text, name)
    assert len(parsed.skipped_rows) == 1
    skipped = parsed.skipped_rows[0]
    assert skipped.file == name and skipped.line > 0 and skipped.field == field and value in skipped.value


def test_files_are_recognized_by_content_not_name():
    from tests.fixtures.cms import texts

    for kind, text in texts().items():
        assert kind_of_text(text) == kind
    assert kind_of_text("July 2024 AWP NDC - HCPCS Crosswalk for Medicare Part B Drugs,,\n") is None
    assert kind_of_text("just some notes\nabout the release\n") is None


def test_dosage_helpers():
    assert dosage_quantity("10 MG") == (Decimal(10), "mg")
    assert dosage_quantity("100 UNITS") == (Decimal(100), "units")
    assert dosage_quantity("1 microCurie") is None and dosage_quantity("") is None
    assert descriptor_dosage("Injection, omalizumab, 5 mg") == "5 mg"
    assert descriptor_dosage("Injection, thing, per 50 mg") == "50 mg"


def test_quarter():
    assert str(Quarter.of(dt.date(2027, 5, 2))) == "2027Q2"
    assert Quarter.parse("2027q4").end == dt.date(2027, 12, 31)
    with pytest.raises(ValueError):
        Quarter.parse("2027-13")


# --- storage ---------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    s = CmsStore(tmp_path / "cms.sqlite3")
    yield s
    s.close()


def test_import_zips_and_idempotency(store, tmp_path):
    zips = quarter_zips(tmp_path / "q1")
    first = import_paths(store, zips)
    assert [(r.kind, r.status, r.rows) for r in first] == [
        ("hcpcs", "imported", 4),
        ("asp", "imported", 5),
        ("crosswalk", "imported", 5),
        ("mue", "imported", 4),
    ]
    before = store.tables("2027Q1")
    again = import_paths(store, zips)
    assert {r.status for r in again} == {"unchanged"}
    assert store.tables("2027Q1") == before
    assert len(store.imports()) == 4 and all(len(r.sha256) == 64 for r in store.imports())


def test_extracted_files_import_too(store, tmp_path):
    from tests.fixtures.cms import texts

    paths = []
    for kind, text in texts().items():
        path = tmp_path / NAMES[kind]
        path.write_bytes(text.encode("cp1252"))
        paths.append(path)
    assert len(import_paths(store, paths)) == 4


def test_broken_file_refuses_the_whole_import(store, tmp_path):
    import_paths(store, quarter_zips(tmp_path / "good"))
    bad = write_zip(tmp_path / "bad.zip", {NAMES["asp"]: ASP_CSV.replace("HCPCS Code Dosage", "Dose")})
    other = quarter_zips(tmp_path / "q2", month="APR", changes=True)
    with pytest.raises(FileFormatError) as info:
        import_paths(store, [*other, bad])
    assert info.value.line == 9 and "bad.zip/" in info.value.file
    assert store.quarters() == ["2027Q1"]  # nothing of the April files was stored either


def test_wrong_file_in_zip_and_zip_without_cms_files(store, tmp_path):
    wrong = write_zip(tmp_path / "wrong.zip", {NAMES["hcpcs"]: ASP_CSV})  # named like HCPCS, holds ASP limits
    assert [r.kind for r in import_paths(store, [wrong])] == ["asp"]  # the content decides, not the name
    empty = write_zip(tmp_path / "empty.zip", {"readme.txt": "hello"})
    with pytest.raises(FileFormatError, match="inside the zip"):
        read_members([empty])
    with pytest.raises(InputError, match="does not exist"):
        read_members([tmp_path / "missing.zip"])


def test_interrupted_import_leaves_the_previous_quarter_intact(store, tmp_path):
    import_paths(store, quarter_zips(tmp_path / "q1"))
    before = store.tables("2027Q1").asp
    changed = write_zip(tmp_path / "asp2.zip", {NAMES["asp"]: ASP_CSV.replace("12.345", "99.999")})
    # The write fails once the old rows are deleted and the new ones are going in, before the commit (a full or
    # failing disk): the database itself refuses the new rows.
    other = sqlite3.connect(store.path)
    with other:
        other.execute("CREATE TRIGGER disk_fails BEFORE INSERT ON asp BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    other.close()
    with pytest.raises(OSError, match=r"could not be written .*disk I/O error"):
        import_paths(store, [changed])
    assert store.tables("2027Q1").asp == before
    assert store.import_for("2027Q1", "asp").file.endswith("Payment Limit File 121626.csv")


def test_cancel_rolls_back(store, tmp_path):
    with pytest.raises(ImportCancelled):
        import_paths(store, quarter_zips(tmp_path / "q1"), should_cancel=lambda: True)
    assert store.quarters() == []


def big_crosswalk(rows: int) -> str:
    """The synthetic crosswalk with `rows` more NDC rows (a code has many NDCs: none is a duplicate)."""
    row = 'J0001,Inj examplemab 10 mg,"Example Pharma, LLC",99999-{:04d}-{:02d},Examplemab,10 MG,4,10,10,100\n'
    return CROSSWALK_CSV + "".join(row.format(i // 100, i % 100) for i in range(rows))


def test_cancel_is_heard_while_a_csv_file_parses_not_only_between_files(store, tmp_path):
    """Issue #27: Cancel was checked between files only, so a long CSV parsed to its end after Cancel. It is now
    heard every 1,000 records as the file parses. Cancel given at the second look once the file is being read is
    heard at record 2,000: before the first window of 2,000 rows is stored (a look only between windows would
    have stored one, and said 'storing'), and nothing is committed."""
    path = write_zip(tmp_path / "big.zip", {NAMES["crosswalk"]: big_crosswalk(200_000)})
    labels: list[str] = []
    looks: list[int] = []

    def should_cancel() -> bool:
        if any(label.startswith("reading") for label in labels):
            looks.append(1)
        return len(looks) >= 2

    with pytest.raises(ImportCancelled):
        import_paths(store, [path], progress=lambda d, t, label: labels.append(label), should_cancel=should_cancel)
    assert len(looks) == 2
    assert not any(label.startswith("storing") for label in labels)  # heard while parsing, not between windows
    assert store.quarters() == [] and store.imports() == []


def test_every_parser_hears_cancel_as_it_reads():
    """The domain parsers take should_cancel and look at it every 1,000 records: a CSV or a TXT edition that is
    cancelled stops there, not at its end (200,000 records would be 200 looks)."""
    anweb = anweb_text() + "\r\n".join(
        line
        for i in range(3_000)
        for line in procedure(f"J{i:04d}", "Injection, synthetic", "Inj synthetic", ADD_DT="20260101", ACTION_CD="N")
    )
    for kind, text, name in (
        ("crosswalk", big_crosswalk(200_000), NAMES["crosswalk"]),
        ("hcpcs", anweb, NAMES["hcpcs"]),
    ):
        looks: list[int] = []

        def should_cancel(looks: list[int] = looks) -> bool:
            looks.append(1)
            return len(looks) >= 2

        with pytest.raises(ImportCancelled):
            parse(kind, text, name, should_cancel=should_cancel)
        assert len(looks) == 2, kind
    assert parse("hcpcs", anweb, NAMES["hcpcs"], should_cancel=lambda: False).rows  # never asked to stop: all of it


def test_the_quick_xlsx_reference_check_finds_what_the_general_one_finds():
    """_places_cells_beyond reads r="…" with a literal-prefix regex and falls back to the general _FAR_REF when a
    sheet writes an r attribute another way: both give the same answer on every form."""
    from omaliref.data.cms_import import _FAR_REF, _places_cells_beyond

    head = b'<worksheet xmlns:r="http://schemas.openxmlformats.org/r"><sheetData><row r="1">'
    for cell in (
        b'<c r="A1"><v>1</v></c>',
        b'<c r="BL50000"><v>1</v></c>',
        b'<c r="XFD19"><v>1</v></c>',
        b'<c r="A60000"><v>1</v></c>',
        b'<c r="BM1"><v>1</v></c>',
        b'<c r = "XFD19"><v>1</v></c>',
        b"<c r='A60000'><v>1</v></c>",
        b'<c\tr="A60000"><v>1</v></c>',
        b'<c r= "A1"><v>1</v></c>',
        b'<c\nr="$A$1"><v>1</v></c>',
    ) + tuple(
        b'<c r="' + ref + b'"><v>1</v></c>'
        for ref in (b"AB12", b"B12", b"BL$50000", b"BM$1", b"Z9999", b"12345", b"50000", b"50001", b"A0", b"AAA1", b"")
    ):
        sheet = head + cell + b"</row></sheetData></worksheet>"
        assert _places_cells_beyond(sheet) == bool(_FAR_REF.search(sheet)), cell


XLSX_CELLS = (
    b'<c r="A1"><v>1</v></c>',
    b'<c r="BL50000" s="1"/>',
    b'<c r="XFD19"><v>1</v></c>',
    b"<c r='A1'><v>1</v></c>",
    b'<c t="n" r="A1"><v>1</v></c>',  # a reference, not first
    b"<c><v>1</v></c>",  # none: placed by counting
    b"<c/>",
    b'<c\tt="n"><v>1</v></c>',
    b'<x:c r="A1"><x:v>1</x:v></x:c>',
    b'<x:c t="n"><x:v>1</x:v></x:c>',  # prefixed, no reference
    b"<x:c/>",
    b"<x:c\n/>",
    b'<x:col min="1"/>',  # a prefixed element that is not a cell
    b'<cols><col min="1" max="2"/></cols>',
    b'<row r="60000"/>',
    b'<row r = "7"><c r="B7"/></row>',
    b"a:c b:c> text :c",
)


@pytest.mark.parametrize("cell", XLSX_CELLS)
def test_the_quick_xlsx_checks_agree_with_the_exact_ones_cell_by_cell(cell):
    """_places_cells_beyond runs the exact patterns (_FAR_REF, _IMPLICIT_CELL) only when quick literal scans cannot
    rule them out: on every form, alone and beside plain cells, it answers as they do."""
    from omaliref.data.cms_import import _FAR_REF, _IMPLICIT_CELL, _places_cells_beyond

    head = b'<worksheet xmlns:r="http://schemas.openxmlformats.org/r"><sheetData><row r="1">'
    for sheet in (
        head + cell + b"</row></sheetData></worksheet>",
        head + b'<c r="A1" t="s"><v>0</v></c>' + cell + b'<c r="B1"/></row></sheetData></worksheet>',
    ):
        exact = bool(_FAR_REF.search(sheet) or _IMPLICIT_CELL.search(sheet))
        assert _places_cells_beyond(sheet) == exact, sheet


def test_the_quick_xlsx_checks_agree_with_the_exact_ones_on_random_sheets():
    """Sheets of random pieces (plain cells, far and unplaced cells, other spellings, prefixes, stray text): the
    quick path and the exact patterns give the same answer on each."""
    import random

    from omaliref.data.cms_import import _FAR_REF, _IMPLICIT_CELL, _places_cells_beyond

    rng = random.Random(28)
    pieces = [*XLSX_CELLS, b'<c r="AV6809" s="1" t="s"><v>12</v></c>', b'</row><row r="2">', b" ", b"\r\n"]
    plain = [b'<c r="A%d" t="s"><v>1</v></c>' % n for n in range(1, 40)]
    for _ in range(400):
        body = plain + rng.sample(pieces, rng.randint(0, 3))
        rng.shuffle(body)
        sheet = b'<?xml version="1.0"?>\r\n<worksheet><sheetData><row r="1">' + b"".join(body) + b"</row></sheetData>"
        exact = bool(_FAR_REF.search(sheet) or _IMPLICIT_CELL.search(sheet))
        assert _places_cells_beyond(sheet) == exact, sheet


def test_coinsurance_and_payment_limit_never_print_in_exponent_form():
    from omaliref.domain.cms_facts import decimal_text, money_text

    assert decimal_text(Decimal("2E+1")) == "20"
    assert decimal_text(Decimal("11.7410")) == "11.741"
    assert money_text(Decimal("12.5")) == "12.500" and money_text(Decimal("1E+2")) == "100.000"


def test_blank_rows_are_not_kept_while_looking_for_the_header():
    """Earlier red team #6: a plain CSV of 10 M blank lines kept every one as a record before the header was looked
    for (10 MB took 1.7 GB, 130 MB took 22 GB); blank rows are dropped as they are read, lines still counted."""
    from omaliref.domain.cms import _records

    text = "Payment Allowance Limits\n" + "\n" * 100_000 + ",,,\n" * 1_000 + "HCPCS Code,Short Description\n"
    assert list(_records(text, "blank.csv")) == [
        (1, ["Payment Allowance Limits"]),
        (101_002, ["HCPCS Code", "Short Description"]),
    ]


def test_a_second_first_record_line_for_a_code_is_reported_not_merged():
    """Earlier red team #12: an ANWEB file with two first-record lines for J0001 was merged silently into one
    descriptor ('…, SECOND COPY, 99 mg use, …, 10 mg'); like an ASP or MUE duplicate, the first is kept and the
    second reported with its line."""
    from omaliref.domain.cms import parse_hcpcs
    from tests.fixtures.cms import NAMES, anweb_text, procedure

    text = anweb_text() + "\r\n".join(
        procedure(
            "J0001",
            "Injection, SECOND COPY, 99 mg",
            "second",
            PRICE1="51",
            ADD_DT="20260101",
            ACT_EFF_DT="20260101",
            ACTION_CD="N",
        )
    )
    parsed = parse_hcpcs(text + "\r\n", NAMES["hcpcs"])
    j0001 = next(row for row in parsed.rows if row.code == "J0001")
    assert "SECOND COPY" not in j0001.long_description
    [skipped] = [row for row in parsed.skipped_rows if row.value == "J0001"]
    assert "second first record line for J0001" in skipped.reason and "the first is kept" in skipped.reason
    assert skipped.line > 0
