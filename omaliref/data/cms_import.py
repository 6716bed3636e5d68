"""Read CMS files as downloaded or passed around (zips, extracted files, renamed files, the XLSX edition), parse
them all, then store them.

Files are recognized by their content, not their names. A command's files are parsed and stored in one transaction:
if one file does not match its layout the whole import is refused (rolled back) with that file's name and line, so
the database never holds a half-updated quarter. Rows with one unusable value are left out and reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import re
import stat
import threading
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from omaliref.data.cms_store import CmsStore, ImportCancelled
from omaliref.data.state import CMS_DB_NAME
from omaliref.domain.cms import (
    FileFormatError,
    HcpcsRecord,
    Parsed,
    RowStream,
    cell_text,
    decode,
    hcpcs_records_from_rows,
    hcpcs_records_from_text,
    hcpcs_stream,
    kind_of_text,
    open_stream,
)
from omaliref.domain.errors import InputError
from omaliref.domain.quarter import Quarter
from omaliref.domain.records import ImportReport
from omaliref.domain.vocab import CmsKind

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

DB_NAME = CMS_DB_NAME
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # a real ANWEB TXT is ~10 MB; anything far larger is not a CMS file
MAX_MEMBERS = 2_000
XLSX_SIGNATURE = "xl/workbook.xml"
# An XLSX is a zip of XML parts that the reader inflates and parses: bounded before it sees them (red team 2026-12
# #7). A real ANWEB workbook is ~9,000 rows of 48 columns, its sheet some tens of MB, deflated ~10:1.
MAX_XLSX_PART_BYTES = 150 * 1024 * 1024
MAX_XLSX_BYTES = 300 * 1024 * 1024  # all parts together
MAX_XLSX_RATIO = 200  # for parts over 1 MB: 0.97 MB holding a 400 MB sheet is not a CMS file
MAX_XLSX_COLUMNS = 64  # A..BL: the HCPCS sheet has 48
# calamine holds the sheet as one grid of (last row × last column) cells, so a stray cell far down or far right
# would cost gigabytes (a one-cell XFD1048576 took 2 GB): every cell reference is checked before it reads a byte
MAX_XLSX_ROWS = 50_000  # a real ANWEB sheet has ~9,000; 50,000 × 64 cells is ~100 MB of grid at worst
MAX_EMPTY_XLSX_ROWS = 1_000  # a run this long ends the sheet: a stray cell far below the records is not a record
_IN_BOUNDS_REF = rb"(?:[A-Z]|A[A-Z]|B[A-L])?\$?(?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|50000)"
# an r="…" attribute whose value is not a reference within A1:BL50000 (any element, either quote, spaced '='); its
# literal 'r' first lets the regex engine skip ahead (0.09 s over the 14 MB October 2025 sheet)
_FAR_REF = re.compile(rb"r(?<=\sr)\s*=\s*([\"'])(?!" + _IN_BOUNDS_REF + rb"\1)")
# the same for r="…" as spreadsheet programs write it: a literal prefix the engine finds without trying each 'r',
# and possessive quantifiers (the longest column is the only one that can fit): a third of _FAR_REF's time. It also
# finds xmlns:r="…", which the caller tells apart by the character before it
_FAR_REF_AS_WRITTEN = re.compile(rb'r="(?!(?:A[A-Z]|B[A-L]|[A-Z])?+\$?+(?:[1-9][0-9]{0,3}+|[1-4][0-9]{4}|50000)")')
_REF_NOT_AS_WRITTEN = re.compile(rb"r(?:\s+=|=\s|=')")  # r =, r= ", r='…': only then is _FAR_REF needed
# a cell element without a reference (calamine would place it after the previous one, unbounded); the quick test
# finds cells not written as spreadsheet programs write them (<c r="…), the exact one decides
_CELL_NOT_AS_WRITTEN = re.compile(rb"<c(?=[\s/>])(?! r=\")")
# a cell under a namespace prefix (<x:c …>): only then can one be prefixed. The regex engine's literal-prefix scan
# finds ':c' in 2 ms of the 2019 sheet, where b":c" in … took 4
_PREFIXED_CELL = re.compile(rb":c(?=[\s/>])")
_IMPLICIT_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])(?![^>]*\sr\s*=)")


def _places_cells_beyond(sheet: bytes) -> bool:
    """Whether a worksheet part places a cell outside A1:BL50000 or leaves one to be placed by counting."""
    if _REF_NOT_AS_WRITTEN.search(sheet):
        if _FAR_REF.search(sheet):
            return True
    elif any(sheet[m.start() - 1 : m.start()].isspace() for m in _FAR_REF_AS_WRITTEN.finditer(sheet)):
        return True
    unsure = _PREFIXED_CELL.search(sheet) or _CELL_NOT_AS_WRITTEN.search(sheet)
    return bool(unsure and _IMPLICIT_CELL.search(sheet))


class NotCmsFile(FileFormatError):
    """A file (or a zip) that holds none of the CMS files: refused when named, left out of a folder."""


@dataclass(frozen=True)
class Member:
    kind: CmsKind
    name: str  # as shown to the user: zip/member or the file name
    data: bytes
    xlsx: bool = False
    # the XLSX edition's records, read once while the file was recognized (None: read when parsed)
    records: tuple[tuple[HcpcsRecord, ...], int] | None = None


Progress = Callable[[int, int, str], None]  # (done, total, file name)


def _check_xlsx_sizes(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook whose parts would inflate beyond any CMS file, before anything is inflated."""
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


def _check_xlsx_cells(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook whose sheets place a cell outside A1:BL50000 (sizes checked first: the reads are bounded)."""
    for info in archive.infolist():
        if info.is_dir() or "sharedstrings" in info.filename.lower():
            continue  # the text of the cells: no positions there
        with archive.open(info) as handle:
            part = handle.read(MAX_XLSX_PART_BYTES + 1)
        if b"sheetData" not in part:
            continue  # not a worksheet (styles, theme, workbook, relationships)
        if _places_cells_beyond(part):
            raise FileFormatError(
                name,
                0,
                f"an XLSX sheet whose cells all lie within A1:BL{MAX_XLSX_ROWS} and name their place "
                "(this one places a cell beyond, or leaves one unplaced)",
            )


def _open_checked_workbook(data: bytes, name: str) -> CalamineWorkbook:
    """The workbook opened by the reader (its shared strings read, in Rust without the GIL, on a thread) while the
    sheets' cells are checked here: the sizes are checked before either, and no sheet is read until both are done
    (36 -> 26 ms for the 2019 workbook). A refusal of the check comes first; then the reader's own error, if any."""
    from python_calamine import CalamineWorkbook  # only an XLSX import needs it

    opened: list[CalamineWorkbook | BaseException] = []

    def open_book() -> None:
        try:
            opened.append(CalamineWorkbook.from_filelike(io.BytesIO(data)))
        except BaseException as exc:  # a Rust panic is pyo3's PanicException, a BaseException: raised below
            opened.append(exc)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_xlsx_sizes(archive, name)
        worker = threading.Thread(target=open_book, name="xlsx-open", daemon=True)
        worker.start()
        try:
            _check_xlsx_cells(archive, name)
        except BaseException:
            worker.join()
            if opened and not isinstance(opened[0], BaseException):
                opened[0].close()
            raise
        worker.join()
    if isinstance(opened[0], BaseException):
        raise opened[0]
    return opened[0]


def _xlsx_rows(
    data: bytes, name: str, should_cancel: Callable[[], bool] = lambda: False
) -> Generator[Sequence[object], None, None]:
    """The first sheet's rows (python-calamine: Rust, ~15× openpyxl on the ANWEB sheet), at most
    MAX_XLSX_COLUMNS wide, ending at a long run of empty rows. Bounded before it reads (_open_checked_workbook)."""
    try:
        with _open_checked_workbook(data, name) as book:
            sheet = book.get_sheet_by_index(0)
            empty = 0
            for count, row in enumerate(sheet.iter_rows()):
                # made text by the parser, only where it reads; the bound makes the slice rare
                cells: Sequence[object] = row if len(row) <= MAX_XLSX_COLUMNS else row[:MAX_XLSX_COLUMNS]
                empty = empty + 1 if not any(cells) else 0
                if empty > MAX_EMPTY_XLSX_ROWS:
                    break
                if count % 1000 == 0 and should_cancel():  # Cancel works while a workbook is read
                    raise ImportCancelled()
                yield cells
    except (FileFormatError, ImportCancelled):
        raise
    except Exception as exc:  # a damaged workbook: calamine says so many ways (XmlError, ZipError…)
        raise FileFormatError(name, 0, f"a readable XLSX workbook ({exc.__class__.__name__})") from None
    except BaseException as exc:  # a Rust panic reaches Python as pyo3's PanicException, a BaseException
        if exc.__class__.__name__ != "PanicException":
            raise
        raise FileFormatError(name, 0, "a readable XLSX workbook (the reader failed on it)") from None


def _xlsx_records(
    data: bytes, name: str, should_cancel: Callable[[], bool] = lambda: False
) -> tuple[tuple[HcpcsRecord, ...], int] | None:
    """The HCPCS records of an XLSX edition, or None when the workbook is not one: recognizing and parsing share
    one pass over the rows."""
    rows = _xlsx_rows(data, name, should_cancel)
    head = list(itertools.islice(rows, 60))
    names = {cell_text(c).strip().upper() for row in head for c in row if c}
    if not {"HCPC", "SEQNUM", "RECID"} <= names:
        rows.close()
        return None
    records, skipped = hcpcs_records_from_rows(itertools.chain(head, rows), name)
    return tuple(records), skipped


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return XLSX_SIGNATURE in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _recognize(name: str, data: bytes, should_cancel: Callable[[], bool] = lambda: False) -> Member | None:
    """What this file is, from its content; None when it is no CMS file."""
    if data[:2] == b"PK" and _is_xlsx(data):
        records = _xlsx_records(data, name, should_cancel)
        return None if records is None else Member("hcpcs", name, data, True, records)
    kind = kind_of_text(decode(data[:200_000]))
    return None if kind is None else Member(kind, name, data)


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


def _zip_members(path: Path, data: bytes, should_cancel: Callable[[], bool]) -> list[Member]:
    members: list[Member] = []
    workbooks: list[tuple[str, bytes]] = []
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
                if member[:2] == b"PK" and _is_xlsx(member):
                    workbooks.append((label, member))  # after the text files: a TXT edition makes it needless
                    continue
                found = _recognize(label, member, should_cancel)
                if found is not None:
                    members.append(found)
            text_hcpcs = any(m.kind == "hcpcs" for m in members)
            # a zip with both editions of the HCPCS file: the TXT is imported, the XLSX (the same records) is not
            # even read; neither are the other workbooks CMS ships beside it (the transaction report)
            for label, member in [] if text_hcpcs else workbooks:
                found = _recognize(label, member, should_cancel)
                if found is not None:
                    members.append(found)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise FileFormatError(
            path.name, 0, f"a readable zip ({exc.__class__.__name__}): damaged or unsupported zip; download it again"
        ) from None
    return members


def _folder_members(folder: Path, should_cancel: Callable[[], bool]) -> list[Member]:
    """The CMS files in a folder of downloads (and its subfolders, as a site folder is read); the other files there
    (READMEs, the transaction report, notes) are left out. A folder without one is refused."""
    from omaliref.data.site import cms_files

    try:
        files = cms_files(folder)
    except OSError as exc:
        raise InputError(f"{folder} cannot be read ({exc.strerror or exc.__class__.__name__}).") from None
    members: list[Member] = []
    for file in files:
        try:
            members += read_members([file], should_cancel)
        except NotCmsFile:
            continue  # a damaged CMS file refuses the import (FileFormatError), as when it is named
    if not members:
        raise InputError(
            f"{folder} holds no CMS file (the HCPCS file, the ASP payment limits, the crosswalk or an MUE table)."
        )
    return members


def read_members(paths: Sequence[str | Path], should_cancel: Callable[[], bool] = lambda: False) -> list[Member]:
    """Every CMS file in `paths`, recognized by content (an XLSX edition is parsed as it is recognized)."""
    members: list[Member] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path} does not exist.")
        if path.is_dir():
            members += _folder_members(path, should_cancel)
            continue
        data = _read_regular(path)
        if data[:2] == b"PK" and not _is_xlsx(data):
            found = _zip_members(path, data, should_cancel)
            if not found:
                raise NotCmsFile(
                    path.name,
                    0,
                    "a CMS file inside the zip (the HCPCS file, the ASP payment "
                    "limits, the ASP NDC-HCPCS crosswalk or an MUE table)",
                )
            members += found
            continue
        member = _recognize(path.name, data, should_cancel)
        if member is None:
            raise NotCmsFile(
                path.name,
                1,
                "a CMS file: the HCPCS Level II file (TXT or XLSX), the ASP "
                "payment-limit file, the ASP NDC-HCPCS crosswalk or an NCCI MUE table (recognized "
                "by their content)",
            )
        members.append(member)
    return members


def read_member(
    member: Member, quarter: Quarter | None = None, should_cancel: Callable[[], bool] = lambda: False
) -> RowStream:
    """A member opened for storing: what it says of itself now, its rows parsed a window at a time as they are
    stored (Cancel is heard while they are)."""
    if member.xlsx:
        records, skipped = _workbook_records(member, should_cancel)
        return hcpcs_stream(records, member.name, skipped, quarter)
    return open_stream(member.kind, decode(member.data), member.name, quarter, should_cancel)


def parse_member(
    member: Member, quarter: Quarter | None = None, should_cancel: Callable[[], bool] = lambda: False
) -> Parsed:
    """A member parsed whole (a test, a comparison of editions: an import stores windows, read_member)."""
    return read_member(member, quarter, should_cancel).parsed()


def _workbook_records(
    member: Member, should_cancel: Callable[[], bool] = lambda: False
) -> tuple[tuple[HcpcsRecord, ...], int]:
    """The records read when the workbook was recognized, else read now."""
    found = member.records or _xlsx_records(member.data, member.name, should_cancel)
    if found is None:
        raise FileFormatError(member.name, 1, "the HCPCS header row (HCPC, SEQNUM, RECID, …)")
    return found


def hcpcs_records(member: Member) -> list[HcpcsRecord]:
    """The records of an HCPCS member (for comparing the two editions)."""
    if member.xlsx:
        return list(_workbook_records(member)[0])
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
    """Recognize every file, then parse and store them one after another in one transaction (a quarter is there
    whole or not at all: a file that does not match its layout, or Cancel, rolls all of it back). A file's rows are
    parsed and stored a window at a time, so memory does not grow with the files. `quarter` is used only for a file
    that does not say which quarter it is for. `progress(done, total, label)` counts bytes: each file's share as
    its rows are read and stored (window by window), so the bar moves with the rows."""
    members = read_members(paths, should_cancel)
    if not members:
        raise InputError("No CMS files were given.")
    sizes = [len(m.data) for m in members]
    total = sum(sizes)

    def opened() -> Iterator[tuple[RowStream, str]]:
        for index, member in enumerate(members):
            if should_cancel():
                raise ImportCancelled()
            if progress:
                progress(sum(sizes[:index]), total, f"reading {member.name}")
            yield read_member(member, quarter, should_cancel), hashlib.sha256(member.data).hexdigest()

    def on_rows(index: int, stream: RowStream) -> None:
        if progress:
            share = min(int(sizes[index] * stream.read), sizes[index])
            progress(sum(sizes[:index]) + share, total, f"storing {stream.file}")

    reports = store.store_all(opened(), now=now or dt.datetime.now(), should_cancel=should_cancel, on_rows=on_rows)
    if progress:
        progress(total, total, "done")
    return reports
