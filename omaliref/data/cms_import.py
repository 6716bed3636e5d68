"""Read CMS files as downloaded (zips or extracted files), parse them all, then store them.

Everything is parsed before anything is written: if one file does not match its layout the whole import is
refused with that file's name and line, so the database never holds a half-updated quarter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from omaliref.data.cms_store import CmsStore, ImportCancelled, ImportReport
from omaliref.data.state import CMS_DB_NAME, StateDirs
from omaliref.domain.cms import FileFormatError, Parsed, decode, kind_of, parse
from omaliref.domain.errors import InputError

DB_NAME = CMS_DB_NAME
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # a real ANWEB TXT is ~10 MB; anything far larger is not a CMS file


@dataclass(frozen=True)
class Member:
    kind: str
    name: str  # as shown to the user: zip/member or the file name
    data: bytes


Progress = Callable[[int, int, str], None]  # (done, total, file name)


def db_path(state_dir: str | None = None) -> Path:
    return StateDirs.resolve(state_dir).data / DB_NAME


def open_store(state_dir: str | None = None) -> CmsStore:
    return CmsStore(db_path(state_dir))


def read_members(paths: Sequence[str | Path]) -> list[Member]:
    members: list[Member] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path} does not exist.")
        if path.is_dir():
            raise InputError(f"{path} is a folder: name the zips or files inside it.")
        if zipfile.is_zipfile(path):
            found = 0
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    kind = kind_of(info.filename)
                    if kind is None or info.is_dir():
                        continue
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise FileFormatError(f"{path.name}/{info.filename}", 0, "a CMS file under 200 MB")
                    members.append(Member(kind, f"{path.name}/{info.filename}", archive.read(info)))
                    found += 1
            if not found:
                raise FileFormatError(
                    path.name,
                    0,
                    "a CMS file inside the zip (HCPCS ANWEB .txt, ASP payment "
                    "limit or ASP NDC-HCPCS crosswalk 'section 508' .csv, or MCR_MUE_… .csv)",
                )
        else:
            kind = kind_of(path.name)
            if kind is None:
                raise FileFormatError(
                    path.name,
                    0,
                    "a CMS file name (HCPC20YY_MON_ANWEB….txt, 'section 508 version "
                    "of … Payment Limit File ….csv', '… ASP NDC-HCPCS Crosswalk ….csv' or "
                    "MCR_MUE_<Setting>_Eff_MM-DD-YYYY.csv)",
                )
            if path.stat().st_size > MAX_MEMBER_BYTES:
                raise FileFormatError(path.name, 0, "a CMS file under 200 MB")
            members.append(Member(kind, path.name, path.read_bytes()))
    return members


def parse_members(members: Sequence[Member]) -> list[tuple[Parsed, str]]:
    out = []
    for member in members:
        parsed = parse(member.kind, decode(member.data), member.name)
        out.append((parsed, hashlib.sha256(member.data).hexdigest()))
    return out


def import_paths(
    store: CmsStore,
    paths: Sequence[str | Path],
    *,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] = lambda: False,
    now: dt.datetime | None = None,
) -> list[ImportReport]:
    """Parse every file, then store each in its own transaction; cancel between and within files."""
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
        parsed.extend(parse_members([member]))
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
