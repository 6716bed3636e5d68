"""Imported CMS quarters in SQLite: several quarters side by side, each import one transaction with provenance.

A failed or cancelled import rolls back and leaves what was there before untouched; importing the same file
(same SHA-256) again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

from omaliref.domain.cms import AspRow, CrosswalkRow, HcpcsRow, MueRow, Parsed, QuarterTables, RowStream, SettingMue
from omaliref.domain.errors import ImportCancelled as ImportCancelled  # re-exported: where imports are cancelled
from omaliref.domain.quarter import Quarter
from omaliref.domain.records import ImportRecord as ImportRecord
from omaliref.domain.records import ImportReport as ImportReport
from omaliref.domain.text import one_line

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY, quarter TEXT NOT NULL, kind TEXT NOT NULL, setting TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL, sha256 TEXT NOT NULL, effective_from TEXT NOT NULL, effective_to TEXT NOT NULL,
    rows INTEGER NOT NULL, skipped INTEGER NOT NULL, imported_at TEXT NOT NULL,
    UNIQUE (quarter, kind, setting));
CREATE TABLE IF NOT EXISTS hcpcs (
    quarter TEXT NOT NULL, code TEXT NOT NULL, is_modifier INTEGER NOT NULL, long_description TEXT NOT NULL,
    short_description TEXT NOT NULL, pricing TEXT NOT NULL, coverage TEXT NOT NULL, betos TEXT NOT NULL,
    xref1 TEXT NOT NULL, add_date TEXT, action_date TEXT, term_date TEXT, action TEXT NOT NULL,
    import_id INTEGER NOT NULL, PRIMARY KEY (quarter, code, is_modifier));
CREATE TABLE IF NOT EXISTS asp (
    quarter TEXT NOT NULL, code TEXT NOT NULL, short_description TEXT NOT NULL, dosage TEXT NOT NULL,
    payment_limit TEXT, coinsurance TEXT, notes TEXT NOT NULL, import_id INTEGER NOT NULL,
    PRIMARY KEY (quarter, code));
CREATE TABLE IF NOT EXISTS crosswalk (
    quarter TEXT NOT NULL, code TEXT NOT NULL, ndc_raw TEXT NOT NULL, ndc11 TEXT NOT NULL, labeler TEXT NOT NULL,
    drug_name TEXT NOT NULL, dosage TEXT NOT NULL, pkg_size TEXT, pkg_qty TEXT, billunits TEXT, billunits_pkg TEXT,
    import_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS crosswalk_code ON crosswalk (quarter, code);
CREATE INDEX IF NOT EXISTS crosswalk_ndc ON crosswalk (ndc11);
CREATE TABLE IF NOT EXISTS mue (
    quarter TEXT NOT NULL, setting TEXT NOT NULL, code TEXT NOT NULL, value INTEGER NOT NULL, mai INTEGER NOT NULL,
    mai_text TEXT NOT NULL, rationale TEXT NOT NULL, import_id INTEGER NOT NULL, PRIMARY KEY (quarter, setting, code));
"""
TEXT_COLUMNS = {  # the free text a CMS file brings (codes, dates and numbers are checked by the parsers)
    "imports": ("file",),
    "hcpcs": ("long_description", "short_description", "pricing", "coverage", "betos", "xref1", "action"),
    "asp": ("short_description", "dosage", "notes"),
    "crosswalk": ("ndc_raw", "labeler", "drug_name", "dosage"),
    "mue": ("mai_text", "rationale"),
}
TEXT_MARK = ("text", "one-line")  # meta row: every text value was stored as one line (no control characters)


def _one_line_blob(raw: bytes | None) -> str | None:
    return None if raw is None else _read_text(raw)


def _read_text(raw: bytes) -> str:
    """How every text cell is read: invalid UTF-8 is replaced, not an error, and a database written before the
    import replaced control characters still prints each value as one line."""
    return one_line(raw.decode("utf-8", "replace"))


class StoreDamaged(Exception):
    """The import database is not one omaliref can read: damaged, empty, or of another schema version."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class StoreUnavailable(Exception):
    """The import database exists but cannot be opened now: locked, a folder, or not permitted."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class StoreNewer(StoreUnavailable):
    """The import database was written by a newer omaliref (a higher schema version): left in place for it."""


BUSY_TIMEOUT_S = 5.0  # a reader or a second import waits this long for a running import's commit
JOURNALS = ("-journal", "-wal")  # what an interrupted write leaves next to the database


def _locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def recover(path: Path) -> None:
    """Let SQLite roll back what an interrupted import left (a hot journal): a read-only connection cannot, and
    calls the database unreadable. One read through a read-write connection does it, and changes nothing else.
    Raise StoreUnavailable when the database needs recovering and cannot be recovered here (a read-only folder
    or medium): it is left in place for a run that can."""
    if not any(path.with_name(path.name + suffix).is_file() for suffix in JOURNALS):
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError as exc:
        if _locked(exc):
            raise StoreUnavailable(path, "is locked by another program; try again in a moment") from None
        raise StoreUnavailable(
            path,
            f"needs to be recovered from an interrupted import, which needs write access to its folder ({exc});"
            " it was left in place",
        ) from None
    except sqlite3.DatabaseError:
        return  # damage that the read-only open below reports as such


def _size_in_header(path: Path) -> int | None:
    """The database size its SQLite header states (page size x page count), when the header vouches for it: a
    cheap test for a truncated copy that a full integrity check would take far longer to find."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the in-header size is current only when these two counters agree
    return page_size * pages if valid and pages else None


class CmsStore:
    """One connection to the import database. Readers open it read-only (search, show, units never write, and
    work on a read-only disk); only an import opens it for writing, creating or upgrading the schema."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path, self.readonly = path, readonly
        if path.is_dir():
            raise StoreUnavailable(path, "is a folder, not the import database")
        if path.exists():
            recover(path)  # before any judgement: a killed import's journal is rolled back, never called damage
        try:
            if readonly:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
                self.db.execute("PRAGMA query_only = ON")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(path, f"cannot be opened ({exc})") from None
        self.db.row_factory = sqlite3.Row
        self.db.text_factory = _read_text  # until the database says its text is one-line (_one_line_text)
        try:
            if not readonly:
                self._refuse_newer()  # before the schema script: a newer install's database is never written to
                with self.db:
                    self.db.executescript(SCHEMA)
                    self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                    self._make_text_one_line()
            self._check_schema()
            if self._one_line_text():
                self.db.text_factory = str  # the fast path: every value was made one line when written
        except (StoreDamaged, StoreUnavailable):
            self.db.close()
            raise
        except sqlite3.OperationalError as exc:
            self.db.close()
            if _locked(exc):
                raise StoreUnavailable(path, "is locked by another program; try again in a moment") from None
            # SQLite opened the file but cannot read it here (permissions, a medium gone): not damage
            raise StoreUnavailable(path, f"cannot be read now ({exc}); it was left in place") from None
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StoreDamaged(path, f"is damaged ({exc})") from None

    def _check_schema(self) -> None:
        size = self.path.stat().st_size if self.path.exists() else 0
        if self.path.exists() and size == 0:
            raise StoreDamaged(self.path, "is empty (0 bytes): the imported quarters are gone")
        expected = _size_in_header(self.path)
        if expected is not None and size < expected:
            raise StoreDamaged(self.path, f"is truncated ({size:,} of {expected:,} bytes)")
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise StoreDamaged(self.path, "is not an omaliref import database") from None
            raise
        self._refuse_newer(row[0] if row else None)
        missing = {"meta", "imports", "hcpcs", "asp", "crosswalk", "mue"} - tables
        if row is None or row[0] != str(SCHEMA_VERSION) or missing:
            found = row[0] if row else "none"
            raise StoreDamaged(self.path, f"has schema version {found}, not {SCHEMA_VERSION}, or lacks tables")

    def _one_line_text(self) -> bool:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (TEXT_MARK[0],)).fetchone()
        return row is not None and row[0] == TEXT_MARK[1]

    def _make_text_one_line(self) -> None:
        """Once per database, inside the writer's schema transaction: text stored by a build that kept control
        characters is made one line, and the database is marked so readers can use SQLite's fast decoding."""
        if self._one_line_text():
            return
        self.db.create_function("omaliref_one_line", 1, _one_line_blob, deterministic=True)
        for table, columns in TEXT_COLUMNS.items():
            assignments = ", ".join(f"{c} = omaliref_one_line(CAST({c} AS BLOB))" for c in columns)
            self.db.execute(f"UPDATE {table} SET {assignments}")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", TEXT_MARK)

    def _refuse_newer(self, found: str | None = None) -> None:
        """Raise StoreNewer if the database carries a schema version above this code's."""
        if found is None:
            try:
                row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return  # a new database (or not ours): the schema check says which
                raise
            found = row[0] if row else None
        if isinstance(found, str) and found.isascii() and found.isdigit() and int(found) > SCHEMA_VERSION:
            raise StoreNewer(
                self.path,
                f"was written by a newer omaliref (schema version {found}, this one reads {SCHEMA_VERSION});"
                " it was left in place for that version",
            )

    def data_version(self) -> int:
        """Changes whenever another connection (an import, here or in another program) commits."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    # -- writing (omaliref/data/cms_writer.py) ---------------------------------------------------------------

    def store(
        self, parsed: Parsed, sha256: str, *, now: dt.datetime, should_cancel: Callable[[], bool] = lambda: False
    ) -> ImportReport:
        """Replace one quarter's rows of one kind (and MUE setting) in a single transaction."""
        return self.store_all([(RowStream.of(parsed), sha256)], now=now, should_cancel=should_cancel)[0]

    def store_all(
        self,
        files: Iterable[tuple[RowStream, str]],
        *,
        now: dt.datetime,
        should_cancel: Callable[[], bool] = lambda: False,
        on_rows: Callable[[int, RowStream], None] | None = None,
    ) -> list[ImportReport]:
        """Store every file (a stream, with its SHA-256) in one transaction: a whole quarter is there, or none of
        it. The files are taken one at a time and their rows a window at a time; `on_rows(index, stream)` is told
        after each window written for files[index]."""
        from omaliref.data.cms_writer import Writer  # only an import writes

        return Writer(self.db, now, should_cancel).store_all(files, on_rows)

    # -- reading -------------------------------------------------------------------------------------------

    def imports(self) -> list[ImportRecord]:
        """Every import; unreadable effective dates are taken as its quarter's own (which the rows are filed under);
        a record whose quarter is unreadable too is left out."""
        rows = self.db.execute("SELECT * FROM imports ORDER BY quarter, kind, setting").fetchall()
        found = []
        for r in rows:
            start, end = _date(r["effective_from"]), _date(r["effective_to"])
            if start is None or end is None:
                try:
                    quarter = Quarter.parse(_text_or_empty(r["quarter"]))
                except ValueError:
                    continue
                start, end = start or quarter.start, end or quarter.end
            found.append(
                ImportRecord(
                    r["quarter"],
                    r["kind"],
                    r["setting"],
                    _text_or_empty(r["file"]),
                    _text_or_empty(r["sha256"]),
                    start,
                    end,
                    _count(r["rows"]) or 0,
                    _text_or_empty(r["imported_at"]),
                )
            )
        return found

    def quarters(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT quarter FROM imports ORDER BY quarter")]

    def quarter_for(self, day: dt.date) -> str | None:
        """The imported quarter whose files cover the date of service (none when no file covers it)."""
        q = str(Quarter.of(day))
        return q if q in self.quarters() else None

    def quarters_with(self, kind: str) -> list[str]:
        """The imported quarters that hold a file of this kind, oldest first."""
        rows = self.db.execute("SELECT DISTINCT quarter FROM imports WHERE kind=? ORDER BY quarter", (kind,))
        return [r[0] for r in rows]

    def latest_hcpcs_quarter(self) -> str | None:
        row = self.db.execute("SELECT MAX(quarter) FROM imports WHERE kind='hcpcs'").fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def latest_code_quarter(self) -> str | None:
        """The newest quarter that names codes: an HCPCS file, or an ASP payment-limit file (which carries each
        priced code's short descriptor and billing unit)."""
        row = self.db.execute("SELECT MAX(quarter) FROM imports WHERE kind IN ('hcpcs', 'asp')").fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def asp_codes(self, quarter: str) -> list[AspRow]:
        rows = self.db.execute("SELECT * FROM asp WHERE quarter=? ORDER BY code", (quarter,))
        return [_asp(r) for r in rows]

    def import_for(self, quarter: str, kind: str, setting: str = "") -> ImportRecord | None:
        for record in self.imports():
            if (record.quarter, record.kind, record.setting) == (quarter, kind, setting):
                return record
        return None

    def hcpcs(self, quarter: str, code: str) -> HcpcsRow | None:
        row = self.db.execute(
            "SELECT * FROM hcpcs WHERE quarter=? AND code=? AND is_modifier=0", (quarter, code)
        ).fetchone()
        return _hcpcs(row) if row else None

    def hcpcs_modifiers(self, quarter: str) -> list[HcpcsRow]:
        """The quarter's HCPCS modifier records (the file lists modifiers with their own dates)."""
        rows = self.db.execute("SELECT * FROM hcpcs WHERE quarter=? AND is_modifier=1 ORDER BY code", (quarter,))
        return [_hcpcs(r) for r in rows]

    def hcpcs_codes(self, quarter: str) -> list[HcpcsRow]:
        rows = self.db.execute("SELECT * FROM hcpcs WHERE quarter=? AND is_modifier=0 ORDER BY code", (quarter,))
        return [_hcpcs(r) for r in rows]

    def asp(self, quarter: str, code: str) -> AspRow | None:
        row = self.db.execute("SELECT * FROM asp WHERE quarter=? AND code=?", (quarter, code)).fetchone()
        return _asp(row) if row else None

    def crosswalk(self, quarter: str, code: str) -> list[CrosswalkRow]:
        rows = self.db.execute("SELECT * FROM crosswalk WHERE quarter=? AND code=? ORDER BY ndc_raw", (quarter, code))
        return [_crosswalk(r) for r in rows]

    def crosswalk_all(self, quarter: str) -> list[CrosswalkRow]:
        rows = self.db.execute("SELECT * FROM crosswalk WHERE quarter=? ORDER BY code, ndc_raw", (quarter,))
        return [_crosswalk(r) for r in rows]

    def ndc(self, ndc11: str) -> list[CrosswalkRow]:
        """Every crosswalk row of an NDC, newest quarter first."""
        rows = self.db.execute("SELECT * FROM crosswalk WHERE ndc11=? ORDER BY quarter DESC", (ndc11,))
        return [_crosswalk(r) for r in rows]

    def crosswalk_ndc(self, quarter: str, ndc11: str) -> list[CrosswalkRow]:
        """One quarter's crosswalk rows of an NDC (under whatever code CMS lists it)."""
        rows = self.db.execute("SELECT * FROM crosswalk WHERE quarter=? AND ndc11=? ORDER BY code", (quarter, ndc11))
        return [_crosswalk(r) for r in rows]

    def mue(self, quarter: str, code: str) -> list[SettingMue]:
        rows = self.db.execute("SELECT * FROM mue WHERE quarter=? AND code=? ORDER BY setting", (quarter, code))
        return [m for m in map(_mue, rows) if m is not None]

    def tables(self, quarter: str) -> QuarterTables:
        """Everything one quarter holds, typed as the parsers made it (for `changes`)."""
        q = (quarter,)
        return QuarterTables(
            hcpcs=[_hcpcs(r) for r in self.db.execute("SELECT * FROM hcpcs WHERE quarter=?", q)],
            asp=[_asp(r) for r in self.db.execute("SELECT * FROM asp WHERE quarter=?", q)],
            crosswalk=[_crosswalk(r) for r in self.db.execute("SELECT * FROM crosswalk WHERE quarter=?", q)],
            mue=[m for m in map(_mue, self.db.execute("SELECT * FROM mue WHERE quarter=?", q)) if m is not None],
        )


# Reading is total (red team 2026-12 #14): a value the parsers would never have stored (a build before them kept NaN
# and Infinity under the same schema version; an editor) is left out like a blank cell, never a traceback or a price
# of $NaN. Quantities and prices in CMS files are far below a billion.
MAX_STORED_NUMBER = Decimal(10) ** 9


def _date(text: object) -> dt.date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _decimal(text: object) -> Decimal | None:
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not text or len(text) > 40:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:  # decimal.InvalidOperation
        return None
    return value if value.is_finite() and abs(value) < MAX_STORED_NUMBER else None


def _count(value: object) -> int | None:
    """A stored MUE value or indicator: a whole number of sane size, else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def _text_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


def _hcpcs(r: sqlite3.Row) -> HcpcsRow:
    return HcpcsRow(
        r["code"],
        bool(r["is_modifier"]),
        r["long_description"],
        r["short_description"],
        r["pricing"],
        r["coverage"],
        r["betos"],
        r["xref1"],
        _date(r["add_date"]),
        _date(r["action_date"]),
        _date(r["term_date"]),
        r["action"],
    )


def _asp(r: sqlite3.Row) -> AspRow:
    return AspRow(
        r["code"],
        r["short_description"],
        r["dosage"],
        _decimal(r["payment_limit"]),
        _decimal(r["coinsurance"]),
        r["notes"],
    )


def _crosswalk(r: sqlite3.Row) -> CrosswalkRow:
    return CrosswalkRow(
        r["code"],
        r["ndc_raw"],
        r["ndc11"],
        r["labeler"],
        r["drug_name"],
        r["dosage"],
        _decimal(r["pkg_size"]),
        _decimal(r["pkg_qty"]),
        _decimal(r["billunits"]),
        _decimal(r["billunits_pkg"]),
    )


def _mue(r: sqlite3.Row) -> SettingMue | None:
    value, mai = _count(r["value"]), _count(r["mai"])
    if value is None or mai is None:
        return None
    return SettingMue(r["setting"], MueRow(r["code"], value, mai, r["mai_text"], r["rationale"]))
