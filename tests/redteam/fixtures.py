"""The red team 2026-12 fixtures that verify3.sh needs, rebuilt from the report's appendix (mk2, mk_misc, mk_hostile,
mk_xlsx, mk_payers) into the folder given: synthetic CMS files and payer files, never real data.

Usage: python tests/redteam/fixtures.py FOLDER [--slow]   (--slow adds the XLSX bombs and the blank CSVs, ~1 GB)
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: tests.fixtures

from tests.fixtures.cms import (
    ASP_CSV,
    CROSSWALK_CSV,
    NAMES,
    anweb_text,
    big_anweb,
    procedure,
    quarter_zips,
    write_zip,
)

REPO = Path(__file__).resolve().parents[2]
ANWEB_XLSX = REPO / "tests" / "fixtures" / "cms_real" / "anweb.xlsx"


def put(folder: Path, rel: str, data: str | bytes, encoding: str = "cp1252") -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def cms_files(d: Path, big: int) -> None:
    """Quarters, a big HCPCS quarter, and the earlier review's files (#12 duplicates, #26 a patient's file name)."""
    quarter_zips(d / "q1")
    quarter_zips(d / "q2", month="APR", changes=True)
    write_zip(d / "big-jan.zip", {"HCPC2027_JAN_ANWEB_vBIG.txt": big_anweb(big, seed=3)})
    second = procedure(
        "J0001", "Injection, SECOND COPY, 99 mg", "second", PRICE1="51", ADD_DT="20260101", ACT_EFF_DT="20260101",
        ACTION_CD="N",
    )  # fmt: skip
    put(d, "dupanweb/" + NAMES["hcpcs"], anweb_text() + "\r\n".join(second) + "\r\n")
    put(d, "dupasp/" + NAMES["asp"], ASP_CSV + "J0001,Inj examplemab 10 mg DUP,10 MG,99.000,20.000,,,,,,,,\n")
    asp_zip = next(p for p in (d / "q2").iterdir() if "payment-limit" in p.name)
    put(d, "phi/JaneDoe MRN12345 DOB 1970-01-01.csv.zip", asp_zip.read_bytes())
    # non-ASCII digits in crosswalk NDCs (#15)
    put(
        d,
        "xwuni/" + NAMES["crosswalk"],
        CROSSWALK_CSV.replace("99999-0001-10", "９９９９９-０００１-１０")
        + 'J0001,Inj examplemab 10 mg,"Example Pharma, LLC",٩٩٩٩٩-٠٠٠٢-١٠,Examplemab,10 MG,1,1,3,3\n',
        "utf-8",
    )
    # a replacement 2027Q1 crosswalk (J0001: 20 mg packages) and ASP file (new price, new code J0007) (#6)
    put(
        d,
        "q1b/" + NAMES["crosswalk"],
        CROSSWALK_CSV.replace("Examplemab,10 MG,4,10,10,100", "Examplemab,10 MG,4,10,2,20"),
    )
    put(
        d,
        "q1b/" + NAMES["asp"],
        ASP_CSV.replace("10 MG,12.345", "10 MG,99.000") + "J0007,Inj newcode 1 mg,1 MG,1.000,20.000,,,,,,,,\n",
    )


def hostile(d: Path) -> None:
    """X12 delimiters, TAB, CR/LF, ANSI escapes, bidi overrides and U+2028 in every free-text cell (#8)."""
    from tests.fixtures.cms import MUE_CSV

    d = d / "hostile"
    d.mkdir(parents=True, exist_ok=True)
    evil = "X~ISA*00*EVIL:^|\tTAB\x1b[2J\x1b]0;pwned\x07\u202eRLO\u2028LS"
    evilnl = evil + "\r\nNM1*85*2*INJECTED~\nSE*1*0001~"

    def q(s: str) -> str:
        return '"' + s.replace('"', '""') + '"'

    asp = ASP_CSV.replace(
        "J0001,Inj examplemab 10 mg,10 MG,12.345,18.250,,,,,,Inflation-adjusted coinsurance,,",
        f"J0001,{q('Inj examplemab ' + evilnl)},10 MG,12.345,18.250,,,,,,{q('note ' + evilnl)},,",
    )
    xw = CROSSWALK_CSV.replace(
        'J0001,Inj examplemab 10 mg,"Example Pharma, LLC",99999-0001-10,Examplemab,10 MG,4,10,10,100',
        f"J0001,{q('short ' + evilnl)},{q('Labeler ' + evilnl)},99999-0001-10,{q('Drug ' + evilnl)},10 MG,4,10,10,100",
    )
    mue = MUE_CSV.replace(
        "J0001,10,3 Date of Service Edit: Clinical,Prescribing Information",
        f"J0001,10,{q('3 ' + evilnl)},{q('Rationale ' + evilnl)}",
    )
    esc = "~*:^\t\x1b[31m\u202e"  # fixed-width TXT: no newline can go in, everything else can
    hc = anweb_text(
        procedure(
            "J0009", ("Injection, evilmab " + esc + ", 10 mg")[:80], ("Inj evilmab " + esc)[:28], PRICE1="51",
            COV="D", ADD_DT="20260101", ACT_EFF_DT="20260101", ACTION_CD="N",
        )
    )  # fmt: skip
    (d / NAMES["asp"]).write_text(
        asp.replace("J2357,Omal", "J0009,Inj evilmab,10 MG,1.000,20.000,,,,,,x,,\nJ2357,Omal"), encoding="utf-8"
    )
    (d / NAMES["crosswalk"]).write_text(
        xw + f'J0009,evil,"L",99999-0009-01,{q("Evil " + evilnl)},10 MG,1,1,1,1\n', encoding="utf-8"
    )
    (d / NAMES["mue"]).write_text(mue, encoding="utf-8")
    (d / NAMES["hcpcs"]).write_text(hc, encoding="utf-8")


def xlsx(d: Path, slow: bool) -> None:
    """Hostile XLSX editions of tests/fixtures/cms_real/anweb.xlsx (#7, #12)."""
    d = d / "xlsx"
    d.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(ANWEB_XLSX) as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()

    def build(name: str, text: str | None = None, gen: Callable[[], Iterator[bytes]] | None = None) -> None:
        with zipfile.ZipFile(d / name, "w", zipfile.ZIP_DEFLATED) as z:
            for member, data in parts.items():
                if member == "xl/worksheets/sheet1.xml":
                    if gen is not None:
                        info = zipfile.ZipInfo(member)
                        info.compress_type = zipfile.ZIP_DEFLATED
                        with z.open(info, "w", force_zip64=True) as w:
                            for chunk in gen():
                                w.write(chunk)
                        continue
                    data = (text if text is not None else sheet).encode()
                z.writestr(member, data)

    last_row = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    build(
        "dim-lastrow.xlsx",
        sheet.replace('<dimension ref="A1:AV18" />', '<dimension ref="A1:XFD1048576" />').replace(
            "</sheetData>", last_row
        ),
    )
    build("truncated-xml.xlsx", sheet[: len(sheet) // 2])
    if not slow:
        return

    def rows() -> Iterator[bytes]:  # a 400 MB sheet of empty rows, ~0.4 MB compressed
        head, tail = sheet.split("</sheetData>")
        yield head.encode()
        blob = b'<row r="18"></row>' * 100_000
        for _ in range(220):
            yield blob
        yield ("</sheetData>" + tail).encode()

    build("sheet-bomb.xlsx", gen=rows)
    with zipfile.ZipFile(d / "sst-bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:  # 20 M shared strings
        for member, data in parts.items():
            if member == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if member == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            z.writestr(member, data)
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as w:
            w.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(200):
                w.write(b"<si><t>x</t></si>" * 100_000)
            w.write(b"</sst>")


def payers(d: Path) -> None:
    """Payer files (#4, #8, #11, #16, #19)."""
    d = d / "payers"
    d.mkdir(parents=True, exist_ok=True)
    p = '[[payer]]\nid = "{id}"\nname = "{name}"\nkind = "commercial"\n'
    files = {
        "shadow.toml": '[[payer]]\nid = "medicare-part-b"\nname = "Medicare Part B (MAC not set)"\nkind = "medicare"\n'
        'jw_jz = "none"\nmulti_ndc = "single-line-note"\ncms1500_ndc_gap = 3\nndc_unit_devices = "UN"\n'
        "max_units = { J2357 = 1 }\n",
        "evil.toml": '[[payer]]\nid = "evil"\nname = "Evil\\u001b[2J\\u001b]0;pwned\\u0007\\nNM1*85*2*X~\\tTAB\\u202eRLO"\n'
        'kind = "commercial"\nnote = "line1\\nCLAIM LINES: J2357-JZ x 999 units\\u001b[31m"\nmac = "J6\\n~*:^"\n',
        "deep.toml": p.format(id="deep", name="d") + "x = " + "[" * 100000 + "]" * 100000 + "\n",
        "bigint.toml": p.format(id="bi", name="U") + "cms1500_ndc_gap = " + "9" * 5000 + "\n",
        "underscore.toml": '[[payer]]\nid = "acme_bcbs"\nname = "ACME BCBS (our contract)"\nkind = "commercial"\n',
        "huge.toml": p.format(id="huge", name="Huge") + 'note = "' + "x" * 100_000_000 + '"\n',
    }
    for name, text in files.items():
        (d / name).write_text(text)


def blank_csvs(d: Path) -> None:
    """The earlier review's #6 as plain files: an ASP title, then 10 M / 40 M blank lines."""
    for mb in (10, 40):
        with open(d / f"blank{mb}.csv", "w") as handle:
            handle.write("Payment Allowance Limits for Medicare Part B Drugs\n")
            for _ in range(mb):
                handle.write("\n" * 1_000_000)


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    slow = "--slow" in argv
    big = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--big=")), "100000"))
    folder.mkdir(parents=True, exist_ok=True)
    cms_files(folder, big)
    hostile(folder)
    xlsx(folder, slow)
    payers(folder)
    if slow:
        blank_csvs(folder)
    print("fixtures in", folder, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
