"""Which stored values a read leaves out, said once when the import database is opened (red team 2026-12 #14).

Reading is total: a value the parsers would never have stored (NaN and Infinity kept by an older build under the
same schema version, a date like 2027-13-45, an edit by hand) is read as a blank cell, and an MUE row without a
readable value is left out. The coder must know that an answer lacks something the file had, so each table and
quarter holding such a value gets one sentence. SQL picks the few rows that do not look like what the writer
stores; the readers themselves (cms_store._date, _decimal, _count) judge those, so a notice names exactly what a
read leaves out.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from omaliref.domain.quarter import Quarter
from omaliref.domain.text import one_line

if TYPE_CHECKING:
    from omaliref.data.cms_store import CmsStore

# (table, the columns a read leaves out when unreadable, what is left out: the value, or the whole row)
CHECKED = (
    ("hcpcs", ("add_date", "action_date", "term_date"), "value"),
    ("asp", ("payment_limit", "coinsurance"), "value"),
    ("crosswalk", ("pkg_size", "pkg_qty", "billunits", "billunits_pkg"), "value"),
    ("mue", ("value", "mai"), "row"),
)


def _blank(value: object) -> bool:
    return value is None or value == ""


def _readers() -> dict[str, Callable[[object], object]]:
    from omaliref.data import cms_store

    return {
        "hcpcs": cms_store._date,
        "asp": cms_store._decimal,
        "crosswalk": cms_store._decimal,
        "mue": cms_store._count,
    }


def _quarter_text(value: object) -> str:
    return one_line(value)[:12] if isinstance(value, str) else "an unreadable quarter"


CHECK_VERSION = 1  # part of the remembered key: a change to what is checked checks every database again
MEMO_NAME = "cms-values.json"  # in the cache folder: what the last scan of the import database found


def left_out_remembered(store: CmsStore, memo: Path) -> list[str]:
    """left_out, remembered in `memo` for this exact database file: the scan reads every row (a tenth of a second
    for 100,000 rows), so it runs once after each import, not at every start. The key is the file's identity, size,
    modification time and SQLite's change counter; a memo that does not match, or cannot be read or written, is
    ignored and the scan runs."""
    key = _identity(store.path)
    if key is not None:
        try:
            found = json.loads(memo.read_text(encoding="utf-8"))
            if found.get("key") == key and all(isinstance(n, str) for n in found["notices"]):
                return [one_line(n) for n in found["notices"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
    notices = left_out(store)
    if key is not None and key == _identity(store.path):  # unchanged while it was scanned
        _remember(memo, {"key": key, "notices": notices})
    return notices


def _identity(path: Path) -> list[int] | None:
    try:
        info = path.stat()
        with open(path, "rb") as handle:
            header = handle.read(28)
    except OSError:
        return None
    changes = int.from_bytes(header[24:28], "big") if len(header) == 28 else -1
    return [CHECK_VERSION, info.st_ino, info.st_size, info.st_mtime_ns, changes]


def _remember(memo: Path, data: dict[str, object]) -> None:
    """Best-effort and atomic: a read-only folder just means the scan runs again next time."""
    temp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, memo)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def left_out(store: CmsStore) -> list[str]:
    """One sentence for each table and quarter where a stored value cannot be read (and is left out); [] when the
    database cannot be scanned now (the reads themselves say so)."""
    try:
        return _import_records(store) + [s for table in CHECKED for s in _table(store, *table)]
    except sqlite3.Error:
        return []


def _unreadable(
    db: sqlite3.Connection, table: str, columns: tuple[str, ...], quarter: str | None = None
) -> dict[str, set[object]]:
    """One scan: the distinct values of the table's checked columns (a few hundred, however many rows), of one
    quarter or all, each judged by its reader: the unreadable ones by column."""
    read = _readers()[table]
    where = ["quarter = ?"] if quarter is not None else []
    if table == "hcpcs":  # date(x, '+0 days') is x only for a real ISO date (2027-02-30 becomes 2027-03-02)
        where.append(
            "("
            + " OR ".join(f"({c} IS NOT NULL AND {c} != '' AND date({c}, '+0 days') IS NOT {c})" for c in columns)
            + ")"
        )
    distinct = f"SELECT DISTINCT {', '.join(columns)} FROM {table}" + (f" WHERE {' AND '.join(where)}" if where else "")
    bad: dict[str, set[object]] = {}
    for values in db.execute(distinct, () if quarter is None else (quarter,)):
        for column, value in zip(columns, values, strict=True):
            if not _blank(value) and read(value) is None:
                bad.setdefault(column, set()).add(value)
    return bad


def holds_unreadable(db: sqlite3.Connection, table: str, quarter: str) -> bool:
    """Whether a quarter's rows of a table hold a value a read leaves out: the writer then stores a file again even
    when it is the very file stored (the same SHA-256), so importing it again repairs what the notice names."""
    columns = next(c for name, c, _ in CHECKED if name == table)
    return bool(_unreadable(db, table, columns, quarter))


def _table(store: CmsStore, table: str, columns: tuple[str, ...], what: str) -> list[str]:
    """The rows holding an unreadable value, counted per quarter only when there is one."""
    bad = _unreadable(store.db, table, columns)
    if not bad:
        return []
    where = " OR ".join(f"{c} IN ({', '.join('?' * len(v))})" for c, v in bad.items())
    params = [v for values in bad.values() for v in values]
    counted = f"SELECT quarter, count(*) FROM {table} WHERE {where} GROUP BY quarter ORDER BY quarter"
    return [
        _sentence(table, _quarter_text(quarter), count, tuple(bad), what)
        for quarter, count in store.db.execute(counted, params)
    ]


def _sentence(table: str, quarter: str, count: int, columns: tuple[str, ...], what: str) -> str:
    rows = f"{count} row{'s' * (count != 1)}"
    if what == "row":
        left = "those rows are" if count != 1 else "that row is"
    else:
        left = "those values are" if count != 1 else "that value is"
    return (
        f"The import database holds {rows} of the {table} table for {quarter} with a value that cannot be read "
        f"({', '.join(columns)}): {left} left out of every answer. Importing that quarter's {table} file again "
        "repairs it."
    )


def _import_records(store: CmsStore) -> list[str]:
    """The imports table: an unreadable effective date is taken as its quarter's own; with the quarter unreadable
    too, the record is left out (and the quarter's provenance with it)."""
    out = []
    for row in store.db.execute("SELECT quarter, kind, effective_from, effective_to, rows FROM imports"):
        bad = unreadable_in_record(row["effective_from"], row["effective_to"], row["rows"])
        dates = [name for name in bad if name != "rows"]
        if not bad:
            continue
        kind = one_line(row["kind"])[:20] if isinstance(row["kind"], str) else "?"
        if dates and not _is_quarter(row["quarter"]):
            out.append(
                f"The import database's record of a {kind} import has an unreadable quarter and "
                f"{', '.join(dates)}: that record is left out of every answer."
            )
            continue
        own = ", and the quarter's own dates are used" if dates else ""
        out.append(
            f"The import database's record of the {_quarter_text(row['quarter'])} {kind} import has a value that "
            f"cannot be read ({', '.join(bad)}): it is left out{own}. Importing that file again repairs it."
        )
    return out


def unreadable_in_record(effective_from: object, effective_to: object, rows: object) -> list[str]:
    """The fields of an imports record a read cannot take (the writer stores the file again when there are any)."""
    from omaliref.data.cms_store import _count, _date

    dates = {"effective_from": effective_from, "effective_to": effective_to}
    return [name for name, value in dates.items() if _date(value) is None] + (["rows"] if _count(rows) is None else [])


def _is_quarter(value: object) -> bool:
    try:
        Quarter.parse(value if isinstance(value, str) else "")
    except ValueError:
        return False
    return True
