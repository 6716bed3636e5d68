"""Read CMS files as downloaded or passed around (zips, extracted files, renamed files, the XLSX edition), parse
them all, then store them.

Files are recognized by their content, not their names. Everything is parsed before anything is written: if one
file does not match its layout the whole import is refused with that file's name and line, so the database never
holds a half-updated quarter. Rows with one unusable value are left out and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from omaliref.data.cms_store import CmsStore, ImportCancelled, ImportReport
from omaliref.data.state import CMS_DB_NAME, StateDirs
from omaliref.domain.cms import (
    FileFormatError,
    HcpcsRecord,
    Parsed,
    decode,
    hcpcs_records_from_rows,
    hcpcs_records_from_text,
    kind_of_text,
    parse,
    parse_hcpcs_records,
)
from omaliref.domain.errors import InputError
from omaliref.domain.quarter import Quarter
from omaliref.domain.vocab import CmsKind

DB_NAME = CMS_DB_NAME
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # a real ANWEB TXT is ~10 MB; anything far larger is not a CMS file
MAX_MEMBERS = 2_000
XLSX_SIGNATURE = "xl/workbook.xml"
# An XLSX is a zip of XML parts that openpyxl inflates and parses: bounded before it sees them (red team 2026-12
# #7). A real ANWEB workbook is ~9,000 rows of 48 columns, its sheet some tens of MB, deflated ~10:1.
MAX_XLSX_PART_BYTES = 150 * 1024 * 1024
MAX_XLSX_BYTES = 300 * 1024 * 1024  # all parts together
MAX_XLSX_RATIO = 200  # for parts over 1 MB: 0.97 MB holding a 400 MB sheet is not a CMS file
MAX_XLSX_COLUMNS = 64  # columns read per row: a dimension of A1:XFD… is not 16,384 columns of work per row
MAX_XLSX_ROWS = 200_000
MAX_EMPTY_XLSX_ROWS = 1_000  # a run this long ends the sheet: a stray cell a million rows down is not a record


@dataclass(frozen=True)
class Member:
    kind: CmsKind
    name: str  # as shown to the user: zip/member or the file name
    data: bytes
    xlsx: bool = False


Progress = Callable[[int, int, str], None]  # (done, total, file name)


def db_path(state_dir: str | None = None) -> Path:
    return StateDirs.resolve(state_dir).data / DB_NAME


def open_store(state_dir: str | None = None) -> CmsStore:
    return CmsStore(db_path(state_dir))


def _check_xlsx_parts(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts would inflate beyond any CMS file, before openpyxl reads one of them."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            inflated = info.file_size > 1024 * 1024 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1)
            if info.file_size > MAX_XLSX_PART_BYTES or total > MAX_XLSX_BYTES or inflated:
                raise FileFormatError(
                    name,
                    0,
                    "an XLSX workbook of CMS size (a part of this one is far larger, or compressed beyond reason)",
                )


def _xlsx_rows(
    data: bytes, name: str, limit: int | None = None, should_cancel: Callable[[], bool] = lambda: False
) -> list[tuple[object, ...]]:
    """The first sheet's rows (openpyxl, read-only: the XLSX edition is streamed, not loaded whole), at most
    MAX_XLSX_COLUMNS wide, ending at a long run of empty rows."""
    import io

    import openpyxl  # only an XLSX import needs it

    try:
        _check_xlsx_parts(data, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # CMS's sheets carry headers/footers openpyxl cannot parse
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                rows: list[tuple[object, ...]] = []
                empty = 0
                for row in sheet.iter_rows(max_col=MAX_XLSX_COLUMNS, values_only=True):
                    if limit is not None and len(rows) >= limit:
                        break
                    empty = empty + 1 if all(cell is None for cell in row) else 0
                    if empty > MAX_EMPTY_XLSX_ROWS:
                        break
                    if len(rows) >= MAX_XLSX_ROWS:
                        raise FileFormatError(name, len(rows), f"an XLSX sheet of at most {MAX_XLSX_ROWS:,} rows")
                    if len(rows) % 1000 == 0 and should_cancel():  # Cancel works while a workbook is read
                        raise ImportCancelled()
                    rows.append(tuple(row))
                return rows
            finally:
                book.close()
    except (FileFormatError, ImportCancelled):
        raise
    except Exception as exc:  # a damaged workbook: openpyxl and the XML parser (ParseError, EOFError…) say so many ways
        raise FileFormatError(name, 0, f"a readable XLSX workbook ({exc.__class__.__name__})") from None


def _is_xlsx(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return XLSX_SIGNATURE in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _kind(name: str, data: bytes) -> tuple[CmsKind | None, bool]:
    """What this file is, from its content: (kind, is the XLSX edition)."""
    if data[:2] == b"PK" and _is_xlsx(data):
        rows = _xlsx_rows(data, name, limit=60)
        names = {str(c).strip().upper() for row in rows for c in row if c is not None}
        return ("hcpcs" if {"HCPC", "SEQNUM", "RECID"} <= names else None), True
    return kind_of_text(decode(data[:200_000])), False


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes; FIFOs, devices and links to them are refused before anything is read."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc.__class__.__name__}).") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is not a regular file (a pipe, device or folder): name the CMS files themselves.")
    if path.stat().st_size > MAX_MEMBER_BYTES:
        raise FileFormatError(path.name, 0, "a CMS file under 200 MB")
    return path.read_bytes()


def _zip_members(path: Path, data: bytes) -> list[Member]:
    import io

    members: list[Member] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > MAX_MEMBERS:
                raise FileFormatError(path.name, 0, f"a CMS zip (it has {len(infos)} members)")
            for info in infos:
                label = f"{path.name}/{info.filename}"
                if info.flag_bits & 0x1:
                    raise FileFormatError(
                        label, 0, "an unencrypted file: damaged or unsupported zip; download it again"
                    )
                if info.file_size > MAX_MEMBER_BYTES or (
                    info.compress_size and info.file_size / info.compress_size > 1000
                ):
                    raise FileFormatError(
                        label, 0, "a CMS file under 200 MB (this member is far larger, or compressed beyond reason)"
                    )
                with archive.open(info) as handle:  # bounded: a lying central directory cannot exhaust memory
                    member = handle.read(MAX_MEMBER_BYTES + 1)
                if len(member) > MAX_MEMBER_BYTES:
                    raise FileFormatError(label, 0, "a CMS file under 200 MB (this member is far larger)")
                kind, xlsx = _kind(label, member)
                if kind is not None:
                    members.append(Member(kind, label, member, xlsx))
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise FileFormatError(
            path.name, 0, f"a readable zip ({exc.__class__.__name__}): damaged or unsupported zip; download it again"
        ) from None
    text_hcpcs = any(m.kind == "hcpcs" and not m.xlsx for m in members)
    # a zip with both editions of the HCPCS file: the TXT is imported, the XLSX (the same records) is not
    return [m for m in members if not (m.xlsx and text_hcpcs)]


def read_members(paths: Sequence[str | Path]) -> list[Member]:
    members: list[Member] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path} does not exist.")
        if path.is_dir():
            raise InputError(f"{path} is a folder: name the zips or files inside it.")
        data = _read_regular(path)
        if data[:2] == b"PK" and not _is_xlsx(data):
            found = _zip_members(path, data)
            if not found:
                raise FileFormatError(
                    path.name,
                    0,
                    "a CMS file inside the zip (the HCPCS file, the ASP payment "
                    "limits, the ASP NDC-HCPCS crosswalk or an MUE table)",
                )
            members += found
            continue
        kind, xlsx = _kind(path.name, data)
        if kind is None:
            raise FileFormatError(
                path.name,
                1,
                "a CMS file: the HCPCS Level II file (TXT or XLSX), the ASP "
                "payment-limit file, the ASP NDC-HCPCS crosswalk or an NCCI MUE table (recognized "
                "by their content)",
            )
        members.append(Member(kind, path.name, data, xlsx))
    return members


def parse_member(
    member: Member, quarter: Quarter | None = None, should_cancel: Callable[[], bool] = lambda: False
) -> Parsed:
    if member.xlsx:
        rows = _xlsx_rows(member.data, member.name, should_cancel=should_cancel)
        records, skipped = hcpcs_records_from_rows(rows, member.name)
        return parse_hcpcs_records(records, member.name, skipped, quarter)
    return parse(member.kind, decode(member.data), member.name, quarter)


def hcpcs_records(member: Member) -> list[HcpcsRecord]:
    """The records of an HCPCS member (for comparing the two editions)."""
    if member.xlsx:
        return hcpcs_records_from_rows(_xlsx_rows(member.data, member.name), member.name)[0]
    return hcpcs_records_from_text(decode(member.data), member.name)[0]


def import_paths(
    store: CmsStore,
    paths: Sequence[str | Path],
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] = lambda: False,
    now: dt.datetime | None = None,
    quarter: Quarter | None = None,
) -> list[ImportReport]:
    """Parse every file, then store each in its own transaction; cancel between and within files. `quarter` is
    used only for a file that does not say which quarter it is for."""
    members = read_members(paths)
    if not members:
        raise InputError("No CMS files were given.")
    total = len(members) * 2
    parsed = []
    for index, member in enumerate(members):
        if should_cancel():
            raise ImportCancelled()
        if progress:
            progress(index, total, f"reading {member.name}")
        parsed.append((parse_member(member, quarter, should_cancel), hashlib.sha256(member.data).hexdigest()))
    reports = []
    stamp = now or dt.datetime.now()
    for index, (item, sha) in enumerate(parsed):
        if should_cancel():
            raise ImportCancelled()
        if progress:
            progress(len(members) + index, total, f"storing {item.file}")
        reports.append(store.store(item, sha, now=stamp, should_cancel=should_cancel))
    if progress:
        progress(total, total, "done")
    return reports
