"""Red team 2026-12 #7 and #12: an XLSX is bounded before the reader sees it and while it is read. A 6 KB sheet whose
dimension claims A1:XFD1048576 (16 minutes before), a sheet that inflates 400:1, and broken XML each end in one
sentence (exit 2) or an import, in seconds; also without defusedxml (a test extra, not a runtime dependency)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.e2e.test_cms_real import ANWEB_XLSX

PARTS = {i.filename: zipfile.ZipFile(ANWEB_XLSX).read(i.filename) for i in zipfile.ZipFile(ANWEB_XLSX).infolist()}
SHEET_NAME = "xl/worksheets/sheet1.xml"
SHEET = PARTS[SHEET_NAME].decode()
LAST_ROW = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
# openpyxl (the reader before issue 28) used defusedxml when it could import it: kept blocked, so a runtime-only
# install is tested as it runs
WITHOUT_DEFUSEDXML = "import sys; sys.modules['defusedxml'] = None; from omaliref.cli import main; sys.exit(main())"


def build(path, sheet=None, chunks=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in PARTS.items():
            if name == SHEET_NAME and chunks is not None:
                streamed = zipfile.ZipInfo(name)
                streamed.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(streamed, "w", force_zip64=True) as out:
                    for chunk in chunks:
                        out.write(chunk)
                continue
            if name == SHEET_NAME and sheet is not None:
                data = sheet.encode()
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def run(state, *args, runtime_only=False):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    command = ["-c", WITHOUT_DEFUSEDXML, *args] if runtime_only else ["-m", "omaliref", *args]
    # the bound is for a broken build only (the dimension bomb ran 16 minutes): nothing here waits on time
    return subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env, timeout=300)


def one_sentence(out):
    return out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_a_dimension_bomb_is_read_only_as_far_as_its_rows_go(tmp_path):
    bomb = build(
        tmp_path / "dim-lastrow.xlsx",
        SHEET.replace('<dimension ref="A1:AV18" />', '<dimension ref="A1:XFD1048576" />').replace(
            "</sheetData>", LAST_ROW
        ),
    )
    assert bomb.stat().st_size < 10_000
    out = run(tmp_path / "state", "import", str(bomb))
    assert out.returncode == 0 or one_sentence(out), out.stderr
    if out.returncode == 0:  # the stray cell a million rows down is ignored; the real records are imported
        assert "hcpcs" in out.stdout


def test_an_xlsx_whose_sheet_inflates_beyond_reason_is_refused_before_it_is_parsed(tmp_path):
    head, tail = SHEET.split("</sheetData>")
    empty_rows = b"<row></row>" * 20_000

    def chunks():
        yield head.encode()
        for _ in range(300):  # ~66 MB of empty rows that deflate ~1000:1
            yield empty_rows
        yield ("</sheetData>" + tail).encode()

    bomb = build(tmp_path / "sheet-bomb.xlsx", chunks=chunks())
    assert bomb.stat().st_size < 1_000_000
    out = run(tmp_path / "state", "import", str(bomb))
    assert one_sentence(out), out.stderr
    assert "XLSX" in out.stderr


@pytest.mark.parametrize("runtime_only", [False, True], ids=["test-venv", "without-defusedxml"])
def test_broken_xml_in_an_xlsx_is_one_sentence_and_exit_2(tmp_path, runtime_only):
    truncated = build(tmp_path / "truncated-xml.xlsx", SHEET[: len(SHEET) // 2])
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + "]>"
    )
    laughs = build(tmp_path / "laughs.xlsx", lol + SHEET.replace("<t>HCPC</t>", "<t>HCPC&lol9;</t>"))
    xxe = build(
        tmp_path / "xxe.xlsx",
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
        + SHEET.replace("Injection, givosiran", "Injection, &xxe; givosiran"),
    )
    for workbook in (truncated, laughs, xxe):
        out = run(tmp_path / "state", "import", str(workbook), runtime_only=runtime_only)
        assert one_sentence(out), (workbook.name, out.stderr[-500:])
        assert "XLSX" in out.stderr


def test_cancel_is_heard_while_a_workbook_is_read():
    """Red team 2026-12 #7: Cancel was checked only between files, so a long workbook ran on after it."""
    from omaliref.data.cms_import import Member, parse_member
    from omaliref.domain.errors import ImportCancelled

    asked: list[int] = []

    def cancel():
        asked.append(1)
        return True

    with pytest.raises(ImportCancelled):
        parse_member(Member("hcpcs", "anweb.xlsx", ANWEB_XLSX.read_bytes(), xlsx=True), should_cancel=cancel)
    assert asked


@pytest.mark.parametrize(
    "extra",
    [
        '<row r="19"><c r="XFD19" t="inlineStr"><is><t>x</t></is></c></row>',  # far right: 19 × 16,384 cells
        '<row r="60000"><c r="A60000"><v>1</v></c></row>',  # far down: the reader holds a grid to the last cell
        "<row r='19'><c r = 'A1048576'><v>1</v></c></row>",  # the same, spelled with other quotes and spaces
        '<row r="19"><c><v>1</v></c></row>',  # a cell without its place: counted from the last, unbounded
        '<x:row r="19"><x:c t="n"><x:v>1</x:v></x:c></x:row>',  # the same under a namespace prefix
    ],
    ids=["far-column", "far-row", "far-row-other-spelling", "unplaced-cell", "unplaced-prefixed-cell"],
)
def test_a_cell_outside_the_bounds_is_refused_before_the_reader_builds_its_grid(tmp_path, extra):
    """calamine holds a sheet as one grid up to its last cell: one value at XFD1048576 cost 2 GB (issue 28)."""
    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import FileFormatError

    workbook = build(tmp_path / "far.xlsx", SHEET.replace("</sheetData>", extra + "</sheetData>"))
    with pytest.raises(FileFormatError, match="XLSX sheet whose cells all lie within A1:BL50000"):
        read_members([workbook])


def test_styled_empty_cells_and_rows_far_away_are_read_as_nothing(tmp_path):
    """Spreadsheet programs write formatting without values far from the data; a reader grid ignores them, and so
    does the bound: only a reference counts, and these stay inside it."""
    from omaliref.data.cms_import import hcpcs_records, read_members

    extra = '<row r="40000" s="1" customFormat="1"/><row r="19"><c r="BL19" s="1"/></row>'
    (member,) = read_members([build(tmp_path / "styled.xlsx", SHEET.replace("</sheetData>", extra + "</sheetData>"))])
    assert [r.code for r in hcpcs_records(member)] == [r.code for r in hcpcs_records(read_members([ANWEB_XLSX])[0])]


def test_numbers_formulas_and_dates_in_the_sheet_read_as_cms_typed_them(tmp_path):
    """A YYYYMMDD stored as a number (20190703.0 to the reader) or as a formula's cached value is the date CMS
    typed; a date where a YYYYMMDD belongs skips that row, said with its line and field."""
    import datetime as dt

    from omaliref.data.cms_import import parse_member, read_members

    typed = '<c r="AT12" t="inlineStr"><is><t>20180101</t></is></c>'  # JG's ACT EFF DT, as CMS wrote it
    assert SHEET.count(typed) == 1

    def parse_with(cell, name):
        return parse_member(read_members([build(tmp_path / name, SHEET.replace(typed, cell))])[0])

    for cell in ('<c r="AT12"><v>20190703</v></c>', '<c r="AT12"><f>20190702+1</f><v>20190703</v></c>'):
        parsed = parse_with(cell, "n.xlsx")
        jg = next(r for r in parsed.rows if r.code == "JG")  # type: ignore[attr-defined]
        assert jg.action_date == dt.date(2019, 7, 3) and not parsed.skipped_rows

    parsed = parse_with('<c r="AT12" t="d"><v>2019-07-03T00:00:00</v></c>', "d.xlsx")
    assert [(r.line, r.field) for r in parsed.skipped_rows] == [(12, "ACT_EFF_DT")]
    assert "JG" not in {r.code for r in parsed.rows}  # type: ignore[attr-defined]


class _Refused(Exception):
    pass


def test_the_reader_opens_the_workbook_while_the_cells_are_checked_and_the_check_speaks_first(tmp_path, monkeypatch):
    """_open_checked_workbook opens the workbook on a thread while the sheets' cells are checked: a far cell is
    refused with the bound even when the reader fails too (the check's refusal first), the book it opened is closed,
    and a reader's failure alone is one sentence about a readable workbook."""
    import python_calamine

    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import FileFormatError

    far = build(
        tmp_path / "far.xlsx", SHEET.replace("</sheetData>", '<row r="60000"><c r="A60000"/></row></sheetData>')
    )
    closed: list[int] = []
    real = python_calamine.CalamineWorkbook.from_filelike

    class Tracked:
        def __init__(self, filelike):
            self.book = real(filelike)

        def close(self):
            closed.append(1)
            self.book.close()

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", Tracked)
    with pytest.raises(FileFormatError, match="within A1:BL50000"):
        read_members([far])
    assert closed == [1]

    def refuse(filelike):
        raise _Refused("the reader cannot open it")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    with pytest.raises(FileFormatError, match="within A1:BL50000"):
        read_members([far])
    with pytest.raises(FileFormatError, match=r"a readable XLSX workbook \(_Refused\)"):
        read_members([ANWEB_XLSX])
