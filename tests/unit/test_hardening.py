"""Hardening round 2 (#18): a damaged, empty, foreign or busy import database, damaged preferences — the curated
pack keeps working, nothing is deleted, and a reader never writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from fractions import Fraction

import pytest

from omaliref.data import cms_store
from omaliref.data.cms_store import CmsStore, StoreDamaged, StoreNewer
from omaliref.data.library import Library
from omaliref.data.state import FILE_NAME, StateDirs, StateStore
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.errors import InputError
from omaliref.domain.quantities import format_amount
from tests.e2e.test_cms_real import ASP_JUL24, CROSSWALK_JUL24

TODAY = dt.date(2026, 12, 1)


def database(state) -> str:
    return str(state / "data" / "cms.sqlite3")


def imported_state(tmp_path):
    state = tmp_path / "state"
    library = Library.open(str(state))
    library.import_files([CROSSWALK_JUL24])
    library.close()
    return state


def sha(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def truncated(path):
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 3])


def last_page_cut(path):
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[:-4096])


def not_a_database(path):
    with open(path, "wb") as handle:
        handle.write(b"this is not an SQLite database " * 50)


def foreign_schema(path, version="x1"):
    """An SQLite database that is not one omaliref wrote (a newer omaliref's, version '99', is left in place:
    tests/unit/test_store_recovery.py)."""
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema', ?)", (version,))
    db.commit()
    db.close()


def empty_file(path):
    with open(path, "wb"):
        pass


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (not_a_database, "is damaged"),
        (truncated, ""),
        (last_page_cut, "is truncated"),
        (foreign_schema, "schema version x1"),
        (empty_file, "the imported quarters are gone"),
    ],
    ids=["not-a-database", "truncated", "last-page-cut", "foreign-schema", "zero-bytes"],
)
def test_damaged_database_is_set_aside_and_the_curated_pack_works(tmp_path, damage, said):
    state = imported_state(tmp_path)
    damage(database(state))
    before = sha(database(state))
    library = Library.open(str(state))
    assert library.quarters() == [] and len(library.notices) == 1
    assert "moved aside as cms.sqlite3.damaged-" in library.notices[0] and said in library.notices[0]
    kept = [p for p in (state / "data").iterdir() if p.name.startswith("cms.sqlite3.damaged-")]
    assert len(kept) == 1 and sha(kept[0]) == before  # never deleted, never changed
    outcome = library.evaluate(case_from_input(CaseInput(code="J2357", dose="375mg"), TODAY))
    assert outcome.calculation is not None and outcome.calculation.administered_units == 75
    # the next import starts a fresh database
    library.import_files([ASP_JUL24])
    assert library.quarters() == ["2024Q3"]
    library.close()


def test_every_set_aside_name_is_new(tmp_path):
    state = tmp_path / "state"
    (state / "data").mkdir(parents=True)
    for _ in range(3):
        not_a_database(database(state))
        Library.open(str(state)).close()
    kept = sorted(p.name for p in (state / "data").iterdir())
    assert len(kept) == 3 and len(set(kept)) == 3


def test_readers_open_read_only_and_never_write(tmp_path):
    state = imported_state(tmp_path)
    before = sha(database(state))
    stamp = os.stat(database(state)).st_mtime_ns
    library = Library.open(str(state))
    assert library.store is not None and library.store.readonly
    library.search("xolair", 5)
    library.entry("50242-0227-55")
    library.review()
    library.evaluate(case_from_input(CaseInput(code="J2357", dose="375mg", date="2024-08-01"), TODAY))
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
        library.store.db.execute("DELETE FROM crosswalk")
    library.close()
    assert sha(database(state)) == before and os.stat(database(state)).st_mtime_ns == stamp
    assert not any(p.name.endswith(("-journal", "-wal")) for p in (state / "data").iterdir())


def test_a_running_import_does_not_block_readers_and_a_second_import_is_refused(tmp_path, monkeypatch):
    state = imported_state(tmp_path)
    writer = sqlite3.connect(database(state))
    writer.execute("BEGIN IMMEDIATE")  # an import in progress holds the write lock
    try:
        library = Library.open(str(state))
        assert library.quarters() == ["2024Q3"]  # reading goes on
        library.close()
        monkeypatch.setattr(cms_store, "BUSY_TIMEOUT_S", 0.2)
        second = Library.open(str(state))
        with pytest.raises(InputError, match="locked by another program"):
            second.import_files([ASP_JUL24])
        second.close()
    finally:
        writer.rollback()
        writer.close()
    library = Library.open(str(state))
    assert [r.kind for r in library.imports()] == ["crosswalk"]  # nothing half-stored
    library.close()


def test_a_folder_where_the_database_should_be_is_one_sentence(tmp_path):
    state = tmp_path / "state"
    (state / "data" / "cms.sqlite3").mkdir(parents=True)
    library = Library.open(str(state))
    assert library.store is None and "is a folder" in library.notices[0]
    with pytest.raises(InputError, match="is a folder"):
        library.import_files([ASP_JUL24])


def test_store_refuses_a_database_of_another_schema(tmp_path):
    path = tmp_path / "cms.sqlite3"
    foreign_schema(str(path))
    with pytest.raises(StoreDamaged, match="schema version x1"):
        CmsStore(path, readonly=True)
    foreign_schema(str(path), "99")
    with pytest.raises(StoreNewer, match="newer omaliref"):
        CmsStore(path, readonly=True)


# --- preferences ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [b"\xff\xfe\x00garbage \x81\x8d", ("[" * 100_000 + "]" * 100_000).encode(), b'{"schema": 1, "payer": '],
    ids=["not-utf8", "nested-too-deep", "truncated-json"],
)
def test_damaged_preferences_are_set_aside_with_unique_names(tmp_path, payload):
    dirs = StateDirs.resolve(str(tmp_path / "state"))
    dirs.config.mkdir(parents=True)
    names = set()
    for _ in range(2):
        (dirs.config / FILE_NAME).write_bytes(payload)
        store = StateStore(dirs)
        prefs = store.load()
        assert prefs == type(prefs)() and "kept aside" in store.notices[0]
        names |= {p.name for p in dirs.config.iterdir() if ".corrupt-" in p.name}
    assert len(names) == 2


def test_smoke_test_passes_with_a_damaged_database_and_damaged_preferences(tmp_path):
    state = tmp_path / "state"
    dirs = StateDirs.resolve(str(state))
    dirs.config.mkdir(parents=True)
    (dirs.config / FILE_NAME).write_bytes(b"\xff\xfe not json")
    (state / "data").mkdir(parents=True, exist_ok=True)
    not_a_database(database(state))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OMALIREF_STATE_DIR=str(state))
    out = subprocess.run(
        [sys.executable, "-m", "omaliref", "--smoke-test"], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0 and out.stdout.startswith("smoke-test ok"), out.stdout + out.stderr
    cli = subprocess.run(
        [sys.executable, "-m", "omaliref", "quarters", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert cli.returncode == 0 and json.loads(cli.stdout) == {"quarters": []}


# --- output ---------------------------------------------------------------------------------------------------


def test_output_on_a_legacy_code_page_never_crashes(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="cp1252", OMALIREF_STATE_DIR=str(tmp_path))
    for argv in (["show", "J0490"], ["show", "J2357"], ["units", "J2357", "--dose", "375mg"]):
        out = subprocess.run([sys.executable, "-m", "omaliref", *argv], capture_output=True, env=env, timeout=60)
        assert out.returncode == 0 and out.stderr == b"", out.stderr
        out.stdout.decode("cp1252")  # what was written is valid in that code page


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_sentence(tmp_path):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(tmp_path))
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [sys.executable, "-m", "omaliref", "show", "J2357"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    err = out.stderr.decode()
    assert out.returncode == 2 and err.count("\n") == 1 and "could not be written" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 10_000_000), "0.0000001"),
        (Fraction(3, 8), "0.375"),
        (Fraction(1, 3), "0.3333"),
        (Fraction(1, 3_000_000), "less than 0.0001"),
        (Fraction(2_400_000), "2,400,000"),
        (Fraction(12345, 10), "1,234.5"),
    ],
)
def test_amounts_are_never_shown_as_zero_or_in_exponent_form(value, text):
    assert format_amount(value) == text


# --- hostile and odd CMS files --------------------------------------------------------------------------------


def test_a_duplicate_code_is_reported_with_both_lines_and_the_rows_reported_are_the_rows_stored(tmp_path):
    from omaliref.data.cms_import import import_paths
    from tests.fixtures.cms import ASP_CSV, NAMES

    first = "J0001,Inj examplemab 10 mg,10 MG,12.345,18.250,,,,,,Inflation-adjusted coinsurance,,"
    text = ASP_CSV.replace(first, first + "\nJ0001,Inj examplemab 10 mg,10 MG,99.999,18.250,,,,,,,,")
    path = tmp_path / NAMES["asp"]
    path.write_text(text, encoding="cp1252")
    store = CmsStore(tmp_path / "cms.sqlite3")
    (report,) = import_paths(store, [path], now=dt.datetime(2026, 12, 1))
    assert [(r.line, r.reason) for r in report.skipped_rows] == [
        (12, "a second row for J0001 (the first is line 11); the first is kept")
    ]
    assert report.rows == len(store.tables(report.quarter).asp)
    assert str(store.asp(report.quarter, "J0001").payment_limit) == "12.345"
    store.close()


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf8-bom.csv"),  # Excel's "CSV UTF-8"
        (lambda text: text.encode("utf-8"), "utf8.csv"),
        (lambda text: text.replace("\n", "\r").encode("cp1252"), "cr-only.csv"),
    ],
)
def test_encodings_and_line_ends_are_read_without_mojibake(tmp_path, encode, name):
    from omaliref.data.cms_import import import_paths
    from tests.fixtures.cms import ASP_CSV

    path = tmp_path / name
    path.write_bytes(encode(ASP_CSV.replace("Inj examplemab 10 mg", "Inj examplémab 10 mg")))
    store = CmsStore(tmp_path / "cms.sqlite3")
    (report,) = import_paths(store, [path], now=dt.datetime(2026, 12, 1))
    assert store.asp(report.quarter, "J0001").short_description == "Inj examplémab 10 mg"
    store.close()


def inflated_members(monkeypatch) -> list[str]:
    """The zip members opened for reading (inflated) from now on: a bomb is refused before any is."""
    import zipfile

    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    return opened


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path, monkeypatch):  # slow (tests/conftest.py)
    import zipfile

    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import FileFormatError

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"0" * (300 * 1024 * 1024))
    inflated = inflated_members(monkeypatch)
    with pytest.raises(FileFormatError, match="under 200 MB"):
        read_members([bomb])
    assert inflated == []  # refused from the zip's directory: not one byte of the 300 MB was inflated


def test_a_zip_whose_directory_says_300_mb_is_refused_before_anything_is_inflated(tmp_path, monkeypatch):
    """The fast set's zip bomb: a small member whose headers claim 300 MB, as a bomb's do."""
    import struct
    import zipfile

    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import FileFormatError

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"0" * (1024 * 1024))
    data = bytearray(bomb.read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 300 * 1024 * 1024)  # local header: size
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 300 * 1024 * 1024)  # central directory: size
    bomb.write_bytes(bytes(data))
    inflated = inflated_members(monkeypatch)
    with pytest.raises(FileFormatError, match="under 200 MB"):
        read_members([bomb])
    assert inflated == []


def test_damaged_zips_and_pipes_are_refused(tmp_path):
    import zipfile

    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import FileFormatError
    from tests.fixtures.cms import ASP_CSV, NAMES

    damaged = tmp_path / "crc.zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(NAMES["asp"], ASP_CSV)
    data = bytearray(damaged.read_bytes())
    data[data.find(b"J0001,Inj") + 1] = ord("X")  # the stored bytes no longer match their CRC
    damaged.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="damaged or unsupported zip; download it again"):
        read_members([damaged])

    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.csv"
        os.mkfifo(pipe)
        with pytest.raises(InputError, match="not a regular file"):
            read_members([pipe])  # refused before reading: a pipe would block forever


def test_the_stored_file_name_is_the_cms_name_not_the_path_typed(tmp_path):
    from omaliref.data.cms_import import import_paths
    from tests.fixtures.cms import ASP_CSV, NAMES

    folder = tmp_path / "Patient Smith downloads"
    folder.mkdir()
    path = folder / NAMES["asp"]
    path.write_text(ASP_CSV, encoding="cp1252")
    store = CmsStore(tmp_path / "cms.sqlite3")
    import_paths(store, [path], now=dt.datetime(2026, 12, 1))
    assert [r.file for r in store.imports()] == [NAMES["asp"]]
    store.close()


# --- the checklist and the CLI agree with the calculator ----------------------------------------------------------


def test_a_code_ended_before_the_date_of_service_is_a_blocker_without_a_dose():
    library = Library.open()
    outcome = library.evaluate(case_from_input(CaseInput(code="J7401", date="2022-01-01"), TODAY))
    blockers = [f for f in outcome.checklist.findings if f.severity == "blocker"]
    assert [f.id for f in blockers] == ["code-ended"] and "bill J7402 or S1091" in blockers[0].message
    assert outcome.checklist.verdict() == "blockers"
    in_force = library.evaluate(case_from_input(CaseInput(code="J7401", date="2020-06-01"), TODAY))
    assert "code-ended" not in {f.id for f in in_force.checklist.findings}


def test_show_resolves_every_id_that_search_returns(tmp_path):
    state = tmp_path / "state"
    library = Library.open(str(state))
    library.import_files([ASP_JUL24, CROSSWALK_JUL24])
    for query in ("xolair", "ceftriaxone", "bevacizumab", "J3301", "00143", "jw", "benlysta", "dexamethasone"):
        for hit in library.search(query, 20):
            entry = library.entry(hit.entry.id)
            assert entry.id == hit.entry.id or entry.kind == "topic", (query, hit.entry.id)
    library.close()


def test_crosswalk_ndcs_of_a_curated_code_can_be_named_but_are_never_chosen(tmp_path):
    library = Library.open(str(tmp_path / "state"))
    library.import_files([ASP_JUL24, CROSSWALK_JUL24])
    named = library.evaluate(
        case_from_input(CaseInput(code="J0561", dose="1.2MU", containers=("50090-1016-01",), date="2024-08-01"), TODAY)
    )
    assert named.calculation is not None and named.calculation.administered_units == 12
    check = library.check_line(
        case_from_input(
            CaseInput(code="J0561", dose="1.2MU", containers=("50090-1016-01",), units="12", date="2024-08-01"), TODAY
        )
    )
    assert check.ok
    chosen = library.evaluate(
        case_from_input(CaseInput(code="J2357", dose="375mg", date="2024-08-01", single_dose_confirmed=True), TODAY)
    )
    assert chosen.calculation is not None
    assert {use.product.ndc for use in chosen.calculation.containers} <= set(library.catalog.products)
    library.close()


def test_a_patient_like_file_name_is_never_stored(tmp_path):
    """Earlier red team #26: a zip named after a patient was stored as 'JaneDoe MRN12345 DOB 1970-01-01.csv.zip/…'
    and shown by quarters and the Sources line. The store keeps the CMS name of the file itself, or the kind and
    the start of its SHA-256 when the file has no CMS name."""
    from omaliref.data.cms_import import import_paths
    from tests.fixtures.cms import ASP_CSV, CROSSWALK_CSV, NAMES, write_zip

    zipped = write_zip(tmp_path / "JaneDoe MRN12345 DOB 1970-01-01.csv.zip", {NAMES["asp"]: ASP_CSV})
    renamed = tmp_path / "JaneDoe MRN12345 crosswalk.csv"
    renamed.write_text(CROSSWALK_CSV, encoding="cp1252")
    store = CmsStore(tmp_path / "cms.sqlite3")
    import_paths(store, [zipped, renamed], now=dt.datetime(2026, 12, 1))
    stored = {r.kind: r.file for r in store.imports()}
    store.close()
    assert stored["asp"] == NAMES["asp"]
    assert stored["crosswalk"].startswith("crosswalk file sha256:") and len(stored["crosswalk"]) == 38
    assert not any("MRN" in name or "JaneDoe" in name for name in stored.values())
