"""Red team 2026-12 #14: a stored value that a read leaves out is said once, naming its table and quarter; what the
readers accept is never said; the scan is remembered for the exact database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from omaliref.data import store_values
from omaliref.data.library import Library
from tests.fixtures.cms import quarter_zips


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    base = tmp_path_factory.mktemp("store-values")
    state = base / "state"
    library = Library.open(str(state))
    library.import_files(quarter_zips(base / "q1"))
    library.close()
    return state


def with_sql(imported, tmp_path, *sql):
    state = tmp_path / "state"
    (state / "data").mkdir(parents=True)
    source = sqlite3.connect(imported / "data" / "cms.sqlite3")
    target = sqlite3.connect(state / "data" / "cms.sqlite3")
    source.backup(target)
    source.close()
    for statement in sql:
        target.execute(statement)
    target.commit()
    target.close()
    return state


def notices(state) -> list[str]:
    library = Library.open(str(state))
    try:
        return list(library.notices)
    finally:
        library.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE crosswalk SET pkg_size = '10.000'",  # not the writer's shape, but a number the reader takes
        "UPDATE crosswalk SET billunits = '-5'",
        "UPDATE asp SET coinsurance = ''",  # blank is blank
        "UPDATE hcpcs SET term_date = NULL",
        "UPDATE hcpcs SET action_date = 20270101",  # Python reads the basic ISO form too
        "UPDATE mue SET value = '12'",  # digits as text: the reader takes them
    ],
)
def test_what_the_readers_take_is_never_said(imported, tmp_path, sql):
    assert notices(with_sql(imported, tmp_path, sql)) == []


@pytest.mark.parametrize(
    "sql, said",
    [
        ("UPDATE hcpcs SET add_date = '2027-02-30' WHERE code = 'J0001'", "1 row of the hcpcs table for 2027Q1"),
        ("UPDATE hcpcs SET action_date = 'yesterday' WHERE code = 'J0001'", "(action_date)"),
        ("UPDATE asp SET coinsurance = 'Infinity' WHERE code = 'J0001'", "that value is left out"),
        ("UPDATE crosswalk SET billunits_pkg = 'sNaN'", "(billunits_pkg)"),
        ("UPDATE crosswalk SET pkg_qty = '1000000000'", "(pkg_qty)"),
        ("UPDATE mue SET mai = -1 WHERE code = 'J0001'", "row of the mue table for 2027Q1"),
        ("UPDATE imports SET rows = 'many' WHERE kind = 'asp'", "2027Q1 asp import"),
        ("UPDATE imports SET quarter = 'junk', effective_to = 'x' WHERE kind = 'asp'", "unreadable quarter"),
    ],
)
def test_each_unreadable_value_is_one_sentence(imported, tmp_path, sql, said):
    found = notices(with_sql(imported, tmp_path, sql))
    assert len(found) == 1 and said in found[0] and "left out" in found[0], found


def test_several_columns_of_one_table_and_quarter_are_one_sentence(imported, tmp_path):
    state = with_sql(imported, tmp_path, "UPDATE crosswalk SET billunits = 'NaN', pkg_size = 'x'")
    (found,) = notices(state)
    assert "crosswalk table for 2027Q1" in found and "pkg_size" in found and "billunits" in found


def test_the_scan_is_remembered_for_the_same_file_and_redone_for_a_changed_one(imported, tmp_path, monkeypatch):
    state = with_sql(imported, tmp_path, "UPDATE asp SET payment_limit = 'NaN' WHERE code = 'J0001'")
    first = notices(state)
    assert len(first) == 1 and (state / "cache" / store_values.MEMO_NAME).is_file()
    scan = store_values.left_out
    monkeypatch.setattr(store_values, "left_out", lambda store: pytest.fail("scanned again"))
    assert notices(state) == first
    monkeypatch.setattr(store_values, "left_out", scan)
    db = sqlite3.connect(state / "data" / "cms.sqlite3")
    db.execute("UPDATE asp SET payment_limit = '1.000'")
    db.commit()
    db.close()
    assert notices(state) == []


@pytest.mark.parametrize("memo", ["{not json", '{"key": 1, "notices": [1]}', "[]", '{"notices": ["x"]}'])
def test_a_memo_that_does_not_match_is_ignored(imported, tmp_path, memo):
    state = with_sql(imported, tmp_path, "UPDATE mue SET value = 'abc'")
    (state / "cache").mkdir()
    (state / "cache" / store_values.MEMO_NAME).write_text(memo)
    (found,) = notices(state)
    assert "mue table for 2027Q1" in found


def test_a_memo_that_cannot_be_written_costs_only_the_scan(imported, tmp_path, monkeypatch):
    state = with_sql(imported, tmp_path, "UPDATE mue SET value = 'abc'")
    monkeypatch.setattr(Path, "write_text", lambda *a, **k: (_ for _ in ()).throw(PermissionError("read-only")))
    assert len(notices(state)) == 1
    assert not [p for p in state.rglob("*.tmp")]


def test_a_thread_library_does_not_scan(imported, tmp_path, monkeypatch):
    library = Library.open(str(with_sql(imported, tmp_path, "UPDATE mue SET value = 'abc'")))
    monkeypatch.setattr(store_values, "left_out", lambda store: pytest.fail("scanned for a thread"))
    monkeypatch.setattr(store_values, "left_out_remembered", lambda *a: pytest.fail("scanned for a thread"))
    other = library.for_thread()
    assert other.notices == [] and other.store is not None
    other.close()
    library.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE asp SET payment_limit = 'NaN' WHERE code = 'J0001'",
        "UPDATE hcpcs SET add_date = '2027-02-30' WHERE code = 'J0001'",
        "UPDATE mue SET mai = -1 WHERE code = 'J0001'",
        "UPDATE imports SET rows = 'many' WHERE kind = 'asp'",
    ],
)
def test_importing_the_same_files_again_repairs_what_the_notice_names(imported, tmp_path, sql):
    """The notice says how to repair; the same file (its SHA-256 unchanged) is stored again when the store's copy
    of it holds a value a read leaves out — and only then: an intact file stays 'unchanged'."""
    state = with_sql(imported, tmp_path, sql)
    (said,) = notices(state)
    assert "Importing that" in said and "again repairs it" in said
    library = Library.open(str(state))
    try:
        reports = library.import_files(quarter_zips(tmp_path / "again"))
    finally:
        library.close()
    assert "replaced" in {r.status for r in reports} and "unchanged" in {r.status for r in reports}
    assert notices(state) == []
