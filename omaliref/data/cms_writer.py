"""The import side of the CMS store: a command's files written in one transaction, each file's rows a window at a
time as they are parsed (memory does not grow with the files), with the file's provenance.

A failed or cancelled import rolls back and leaves what was there before untouched; importing the same file
(same SHA-256) again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence

from omaliref.data.store_values import holds_unreadable, unreadable_in_record
from omaliref.domain.cms import Fields, RowStream, SkippedRow
from omaliref.domain.errors import ImportCancelled
from omaliref.domain.records import ImportReport
from omaliref.domain.text import UNSAFE, one_line

TABLE_OF = {"hcpcs": "hcpcs", "asp": "asp", "crosswalk": "crosswalk", "mue": "mue"}  # kind -> table (the same names)
Values = tuple[object, ...]
OnRows = Callable[[int, RowStream], None]  # (index of the file, its stream) after each window of rows is written

_MONTH = (
    "(January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
# the names CMS gives its files; a name that is not one of them is not stored (it may be a patient's)
CMS_FILE_NAMES = {
    "hcpcs": re.compile(r"HCPC[0-9]{4}_[A-Z]{3,5}_ANWEB(_?v?[0-9A-Z]{1,8})?\.(txt|xlsx)", re.I | re.A),
    "asp": re.compile(
        rf"(section 508 version of )?{_MONTH} [0-9]{{4}} (ASP Pricing|Medicare Part B Payment Limit) File"
        r"( [0-9]{6})?\.(csv|txt|xlsx?)",
        re.I | re.A,
    ),
    "crosswalk": re.compile(
        rf"(section 508 version of )?{_MONTH} [0-9]{{4}} ASP NDC-HCPCS Crosswalk( [0-9]{{6}})?\.(csv|txt|xlsx?)",
        re.I | re.A,
    ),
    "mue": re.compile(r"MCR_MUE_[A-Za-z]{1,40}_Eff_[0-9]{2}-[0-9]{2}-[0-9]{4}\.(csv|txt|xlsx?)", re.I | re.A),
}


def stored_file_name(label: str, kind: str, sha256: str) -> str:
    """What the store keeps of a file's name (earlier red team #26: 'JaneDoe MRN12345 DOB 1970-01-01.csv.zip' was
    stored and shown): the CMS name of the file itself (a zip's member, not the zip), when it is one; else the
    kind and the start of the SHA-256, never the name a person gave it."""
    own = label.replace("\\", "/").rsplit("/", 1)[-1]
    pattern = CMS_FILE_NAMES.get(kind)
    if pattern is not None and pattern.fullmatch(own):
        return own
    return f"{kind} file sha256:{sha256[:16]}"


def _text(value: object) -> str | None:
    """A parsed number (a Decimal, or None) as the store keeps it."""
    return None if value is None else str(value)


@functools.lru_cache(maxsize=4096)  # the parser hands the same date object for the same text
def _iso(value: object) -> str | None:
    """A parsed date (or None) as the store keeps it."""
    return value.isoformat() if isinstance(value, dt.date) else None


def _all_one_line(row: Values) -> bool:
    """One search over a row's text (not one per cell: a third of an HCPCS import's storing time)."""
    text = "\x20".join([v for v in row if isinstance(v, str)])
    # isprintable() (a C loop) is False for every character UNSAFE names: only a row it doubts is searched
    return text.isprintable() or UNSAFE.search(text) is None


def _one_line_cells(row: Values) -> Values:
    return tuple(one_line(v) if isinstance(v, str) else v for v in row)


def _one_line_rows(rows: Iterable[SkippedRow]) -> tuple[SkippedRow, ...]:
    """Skipped rows quote the file's own text: as one line each."""
    return tuple(
        SkippedRow(one_line(r.file), r.line, one_line(r.field), one_line(r.value), one_line(r.reason)) for r in rows
    )


def _hcpcs_values(rows: Sequence[Fields], q: str, setting: str, import_id: int | None) -> list[Values]:
    """HcpcsRow fields: code, is_modifier, long and short descriptions, pricing, coverage, BETOS, xref1, the add,
    action and termination dates, action."""
    iso = _iso
    return [(q, r[0], int(bool(r[1])), *r[2:8], iso(r[8]), iso(r[9]), iso(r[10]), r[11], import_id) for r in rows]


def _asp_values(rows: Sequence[Fields], q: str, setting: str, import_id: int | None) -> list[Values]:
    """AspRow fields: code, short description, dosage, payment limit, coinsurance, notes."""
    text = _text
    return [(q, *r[:3], text(r[3]), text(r[4]), r[5], import_id) for r in rows]


def _crosswalk_values(rows: Sequence[Fields], q: str, setting: str, import_id: int | None) -> list[Values]:
    """CrosswalkRow fields: code, NDC as written, NDC-11, labeler, drug name, dosage, then four numbers."""
    text = _text
    return [(q, *r[:6], text(r[6]), text(r[7]), text(r[8]), text(r[9]), import_id) for r in rows]


def _mue_values(rows: Sequence[Fields], q: str, setting: str, import_id: int | None) -> list[Values]:
    """MueRow fields: code, value, indicator, its text, rationale."""
    return [(q, setting, *r, import_id) for r in rows]


# Each kind: its INSERT and how a window of rows becomes its values
INSERTS: dict[str, tuple[str, Callable[[Sequence[Fields], str, str, int | None], list[Values]]]] = {
    "hcpcs": ("INSERT OR REPLACE INTO hcpcs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", _hcpcs_values),
    "asp": ("INSERT OR REPLACE INTO asp VALUES (?,?,?,?,?,?,?,?)", _asp_values),
    "crosswalk": ("INSERT INTO crosswalk VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", _crosswalk_values),
    "mue": ("INSERT OR REPLACE INTO mue VALUES (?,?,?,?,?,?,?,?)", _mue_values),
}


class Writer:
    """One import command's transaction on an open read-write connection."""

    def __init__(self, db: sqlite3.Connection, now: dt.datetime, should_cancel: Callable[[], bool]) -> None:
        self.db, self.now, self.should_cancel = db, now, should_cancel

    def store_all(self, files: Iterable[tuple[RowStream, str]], on_rows: OnRows | None = None) -> list[ImportReport]:
        """Store every file (with its SHA-256) in one transaction: a whole quarter is there, or none of it. The
        files are taken one at a time (a caller may open each as it comes), and each file's rows a window at a time."""
        try:
            # the write lock first, then the look-ups: two imports at once are serialized, never interleaved
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise OSError(f"the import database is busy with another import; try again when it ends ({exc})") from None
        try:
            with self.db:  # one transaction (begun above): all files' rows or none
                reports = []
                for index, (stream, sha256) in enumerate(files):

                    def told(stream: RowStream, index: int = index) -> None:
                        if on_rows is not None:
                            on_rows(index, stream)

                    reports.append(self._replace(stream, sha256, told))
                return reports
        except sqlite3.Error as exc:
            raise OSError(f"the import database could not be written ({exc})") from exc

    def _replace(self, stream: RowStream, sha256: str, told: Callable[[RowStream], None]) -> ImportReport:
        """Inside the open transaction: one file's rows in place of what the store held for its quarter and kind."""
        q = str(stream.quarter)
        existing = self.db.execute(
            "SELECT id, sha256, effective_from, effective_to, rows FROM imports "
            "WHERE quarter=? AND kind=? AND setting=?",
            (q, stream.kind, stream.setting),
        ).fetchone()
        if existing and existing[1] == sha256 and not self._unreadable(stream.kind, q, existing):
            for _ in self._windows(stream, told):  # read through (the report counts them), written already
                pass
            status = "unchanged"
        else:
            if existing:
                self._delete(stream.kind, q, stream.setting)
                self.db.execute("DELETE FROM imports WHERE id=?", (existing[0],))
            import_id = self._provenance(stream, q, sha256)
            sql, values = INSERTS[stream.kind]
            for window in self._windows(stream, told):
                self._write_rows(sql, values(window, q, stream.setting, import_id))
            self.db.execute(
                "UPDATE imports SET rows=?, skipped=? WHERE id=?", (stream.count, stream.skipped, import_id)
            )
            status = "replaced" if existing else "imported"
        return ImportReport(
            one_line(stream.file),
            stream.kind,
            q,
            stream.setting,
            stream.count,
            stream.skipped,
            status,
            sha256,
            _one_line_rows(stream.skipped_rows),
        )

    def _unreadable(self, kind: str, quarter: str, record: Sequence[object]) -> bool:
        """Whether what the store holds of this very file has a value a read leaves out (an older build, an edit by
        hand): then importing the same file again stores it again, and so repairs what the notice names."""
        return bool(unreadable_in_record(*record[2:5])) or holds_unreadable(self.db, TABLE_OF[kind], quarter)

    def _windows(self, stream: RowStream, told: Callable[[RowStream], None]) -> Iterable[list[Fields]]:
        """The stream's windows of rows, Cancel heard before each; `told` after each is written."""
        for window in stream.windows():
            if self.should_cancel():
                raise ImportCancelled()
            yield window
            told(stream)

    def _provenance(self, stream: RowStream, q: str, sha256: str) -> int | None:
        """The file's imports row (its counts are set once its rows are read)."""
        cur = self.db.execute(
            "INSERT INTO imports (quarter, kind, setting, file, sha256, effective_from, effective_to, rows, "
            "skipped, imported_at) VALUES (?,?,?,?,?,?,?,0,0,?)",
            (
                q,
                stream.kind,
                stream.setting,
                stored_file_name(stream.file, stream.kind, sha256),
                sha256,
                stream.effective_from.isoformat(),
                stream.effective_to.isoformat(),
                self.now.isoformat(timespec="seconds"),
            ),
        )
        return cur.lastrowid

    def _write_rows(self, sql: str, rows: list[Values]) -> None:
        """Every text cell as one line: control and bidi characters from a CMS file never reach the store. A window
        is searched at once (one join, one C loop); only a window that holds some is searched row by row."""
        text = "\x20".join([v for row in rows for v in row if type(v) is str])
        if not text.isprintable() and UNSAFE.search(text) is not None:
            rows = [row if _all_one_line(row) else _one_line_cells(row) for row in rows]
        self.db.executemany(sql, rows)

    def _delete(self, kind: str, quarter: str, setting: str) -> None:
        if kind == "mue":
            self.db.execute("DELETE FROM mue WHERE quarter=? AND setting=?", (quarter, setting))
        else:
            self.db.execute(f"DELETE FROM {TABLE_OF[kind]} WHERE quarter=?", (quarter,))
