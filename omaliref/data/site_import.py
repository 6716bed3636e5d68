"""The site folder's CMS files, imported into this user's own store: idempotently, one file at a time, never
blocking.

A file is known by its content: the store records the SHA-256 of every file it imported, so a file whose CMS
files are all there already is not imported again (whoever imported it, from wherever). A small ledger beside the
store (`site-imports.json`, in the local data folder) remembers each site file's size, modification time and
hash, so a start with nothing new reads nothing but the folder listing, and it remembers a file that failed, so it
is reported once and not retried until it changes. The share is only ever read: no lock, no temp file, no write.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omaliref.data.site import Site, cms_files, resolve

if TYPE_CHECKING:
    from omaliref.data.library import Library
    from omaliref.domain.records import ImportRecord

LEDGER_NAME = "site-imports.json"
LEDGER_SCHEMA = 1
IMPORTED, FAILED = "imported", "failed"


@dataclass
class SiteImport:
    """What one look at the site folder did: notices to show once, the quarters that arrived, and whether the
    store changed (the caller reopens its connection and rebuilds its index then)."""

    notices: list[str] = field(default_factory=list)
    new_quarters: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)  # site file names imported this time
    failed: list[str] = field(default_factory=list)  # site file names that failed this time (reported once)
    files: list[Path] = field(default_factory=list)  # the site folder's files that were looked at
    changed: bool = False


def _sha256(path: Path) -> str:
    import hashlib  # only when a file is new: a start with nothing new hashes nothing

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Ledger:
    """site file -> (size, mtime, hash), and hash -> imported or failed (why); JSON written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, list[Any]] = {}
        self.files: dict[str, dict[str, str]] = {}
        self.store = ""  # the store the "imported" entries are about (see store_identity)
        self.dirty = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("schema") == LEDGER_SCHEMA:
                seen, files = data.get("seen", {}), data.get("files", {})
                if isinstance(seen, dict) and isinstance(files, dict):
                    self.seen, self.files, self.store = seen, files, str(data.get("store", ""))
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # no ledger, or a damaged one: every file is hashed again and the store says what it holds

    def for_store(self, identity: str) -> None:
        """Forget what was imported into another store (a damaged one set aside, a state folder wiped): its
        files are imported again; failures are about the files and are kept."""
        if identity != self.store:
            self.files = {sha: entry for sha, entry in self.files.items() if entry.get("status") == FAILED}
            self.store, self.dirty = identity, True

    def known_hash(self, key: str, size: int, mtime_ns: int) -> str | None:
        entry = self.seen.get(key)
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == [size, mtime_ns]:
            return str(entry[2])
        return None

    def note(self, key: str, size: int, mtime_ns: int, sha: str, status: str | None = None, why: str = "") -> None:
        self.seen[key] = [size, mtime_ns, sha]
        if status is not None:
            self.files[sha] = {"status": status, "file": Path(key).name, "why": why}
        self.dirty = True

    def save(self) -> None:
        """Atomically, in the user's local data folder; a failure only means more hashing next time."""
        if not self.dirty:
            return
        import tempfile

        data = {"schema": LEDGER_SCHEMA, "store": self.store, "seen": self.seen, "files": self.files}
        payload = json.dumps(data, indent=1) + "\n"
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".site-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                os.replace(tmp, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def store_identity(records: Sequence[ImportRecord]) -> str:
    """Which store the ledger's "imported" entries are about: the time of its first import (a store set aside
    and started afresh has another)."""
    return min((r.imported_at for r in records), default="")


def _members_stored(path: Path, stored: set[str]) -> bool:
    """Whether every CMS file in `path` is in the store already (by the hash the store recorded for it)."""
    import hashlib

    from omaliref.data.cms_import import read_members

    members = read_members([path])
    return bool(members) and all(hashlib.sha256(m.data).hexdigest() in stored for m in members)


def site_files(site: Site) -> SiteImport:
    """The files of the site folder worth a look (in `files`), or the notice saying why there are none. Touches
    no database: a window looks first, and opens a connection only when there is something to import."""
    result = SiteImport()
    folder = site.folder
    if folder is None:
        return result
    try:
        if not folder.is_dir():
            if site.named:
                result.notices.append(site_unreachable(folder, "it does not exist or is not a folder"))
            return result
        result.files = cms_files(folder)
    except OSError as exc:
        result.notices.append(site_unreachable(folder, exc.strerror or exc.__class__.__name__))
    return result


def import_site(
    library: Library,
    site: Site | None = None,
    *,
    should_cancel: Callable[[], bool] = lambda: False,
    files: list[Path] | None = None,
) -> SiteImport:
    """Import what is new in the site folder into `library`'s store, one file at a time. Never raises for the
    share or a file: an unreachable folder and a file that fails are notices; a failed file is remembered by its
    hash and not tried again until it changes. `files`: the folder's, when site_files has listed them already."""
    site = site or resolve()
    result = site_files(site) if files is None else SiteImport(files=files)
    folder = site.folder
    if folder is None or not result.files:
        return result
    ledger = Ledger(library.database.parent / LEDGER_NAME)
    records = library.imports()
    ledger.for_store(store_identity(records))
    before = {r.quarter for r in records}
    stored = {r.sha256 for r in records}
    for path in result.files:
        if should_cancel() or not _import_one(library, folder, path, ledger, stored, result, should_cancel):
            break
    if result.changed:
        ledger.store = store_identity(library.imports())
    ledger.save()
    result.new_quarters = sorted(set(library.quarters()) - before)
    if result.new_quarters:
        result.notices.insert(0, quarters_arrived(result.new_quarters, folder))
    return result


def _import_one(
    library: Library,
    folder: Path,
    path: Path,
    ledger: Ledger,
    stored: set[str],
    result: SiteImport,
    should_cancel: Callable[[], bool],
) -> bool:
    """One site file: imported, known already, or a notice (remembered as failed when its content is at fault, so it
    is not tried again until it changes). False when no further file can be imported now: the store cannot be
    written, or the import was cancelled."""
    from omaliref.domain.cms import FileFormatError  # the importer's: loaded only when there are files to look at
    from omaliref.domain.errors import InputError

    key = str(path.relative_to(folder))
    try:
        info = path.stat()
        size, mtime = info.st_size, info.st_mtime_ns
        sha = ledger.known_hash(key, size, mtime) or _sha256(path)
    except OSError as exc:  # a file being copied onto the share, a dropped connection: tried again next start
        result.notices.append(site_file_unreadable(key, exc.strerror or exc.__class__.__name__))
        return True
    if sha in ledger.files:
        if ledger.known_hash(key, size, mtime) is None:
            ledger.note(key, size, mtime, sha)
        return True
    try:
        if _members_stored(path, stored):
            ledger.note(key, size, mtime, sha, IMPORTED)
            return True
        reports = library.import_files([path], should_cancel=should_cancel)
    except FileFormatError as exc:  # the file's content: not a CMS file, a damaged zip, no quarter given
        why = str(exc)
    except InputError as exc:  # read_members refuses the file itself; import_files, a store it cannot write
        if "import database" in str(exc):  # the store cannot be written: no other file can be either
            result.notices.append(site_file_unreadable(key, str(exc)))
            return False
        why = str(exc)
    except OSError as exc:  # the share or the store, for now: tried again next start
        result.notices.append(site_file_unreadable(key, str(exc) or exc.__class__.__name__))
        return True
    except Exception as exc:  # cancelled, or anything unforeseen: never the app's start
        if should_cancel():
            return False
        result.notices.append(site_file_unreadable(key, f"unexpected {exc.__class__.__name__}"))
        return True
    else:
        ledger.note(key, size, mtime, sha, IMPORTED)
        stored |= {r.sha256 for r in reports}
        result.imported.append(key)
        result.changed = result.changed or any(r.status != "unchanged" for r in reports)
        return True
    ledger.note(key, size, mtime, sha, FAILED, why)
    result.failed.append(key)
    result.notices.append(site_file_failed(key, why))
    return True


# -- wordings (said once, here) -------------------------------------------------------------------------------


def quarters_arrived(quarters: list[str], folder: Path) -> str:
    plural = "s" if len(quarters) > 1 else ""
    return f"New CMS quarter{plural} {', '.join(quarters)} imported from the site folder {folder}."


def site_unreachable(folder: Path, why: str) -> str:
    return (
        f"The site folder {folder} cannot be reached ({why}); the CMS quarters already imported are used and the "
        "folder is looked at again next start."
    )


def site_file_failed(name: str, why: str) -> str:
    return (
        f"The site file {name} was not imported: {why.rstrip('.')}. It is skipped until it changes "
        "(tell IT; 'omaliref site check' lists every problem)."
    )


def site_file_unreadable(name: str, why: str) -> str:
    return f"The site file {name} could not be read now ({why}); it is tried again next start."
