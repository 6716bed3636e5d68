"""Red team 2026-12 #7 and #12: an XLSX is bounded before openpyxl sees it and while it is read. A 6 KB sheet whose
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
# openpyxl uses defusedxml when it can import it; a runtime-only install has none, so block it
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
    from omaliref.data.cms_store import ImportCancelled

    asked: list[int] = []

    def cancel():
        asked.append(1)
        return True

    with pytest.raises(ImportCancelled):
        parse_member(Member("hcpcs", "anweb.xlsx", ANWEB_XLSX.read_bytes(), xlsx=True), should_cancel=cancel)
    assert asked
