"""The site folder's CMS files: imported once per user by content, a bad file reported once, the share only read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from omaliref.data.library import Library
from omaliref.data.site import Site, SiteSettings, cms_files
from omaliref.data.site_import import LEDGER_NAME, import_site
from tests.fixtures.cms import quarter_zips


def site_at(folder: Path, *, named: bool = True) -> Site:
    return Site(folder, SiteSettings(), named=named)


@pytest.fixture
def site_folder(tmp_path):
    folder = tmp_path / "share"
    quarter_zips(folder)
    return folder


def open_library() -> Library:
    return Library.open()


def listing(folder: Path) -> list[tuple[str, int, int]]:
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_a_fresh_user_gets_the_site_quarter_and_a_second_start_imports_nothing(site_folder):
    library = open_library()
    first = import_site(library, site_at(site_folder))
    assert library.quarters() == ["2027Q1"]
    assert first.new_quarters == ["2027Q1"] and first.changed and len(first.imported) == 4
    assert first.notices == [f"New CMS quarter 2027Q1 imported from the site folder {site_folder}."]
    library.close()

    again = open_library()
    second = import_site(again, site_at(site_folder))
    assert (second.imported, second.notices, second.changed) == ([], [], False)
    assert [r.file for r in again.imports()] == [r.file for r in library.for_thread().imports()]
    again.close()


def test_without_the_ledger_the_store_hashes_still_say_the_files_are_in(site_folder):
    library = open_library()
    import_site(library, site_at(site_folder))
    (library.database.parent / LEDGER_NAME).unlink()
    imported_at = [r.imported_at for r in library.imports()]
    second = import_site(library, site_at(site_folder))
    assert second.imported == [] and not second.changed
    assert [r.imported_at for r in library.imports()] == imported_at  # nothing stored again
    library.close()


def test_a_file_already_imported_by_hand_is_not_imported_again(site_folder):
    library = open_library()
    library.import_files(sorted(site_folder.iterdir()))
    result = import_site(library, site_at(site_folder))
    assert result.imported == [] and result.notices == [] and library.quarters() == ["2027Q1"]
    library.close()


def test_a_damaged_file_is_reported_once_and_the_rest_import(site_folder):
    damaged = site_folder / "apr-2027-ndc-hcpcs-crosswalk.zip"
    damaged.write_bytes(b"PK\x03\x04 cut off in the copy")
    library = open_library()
    first = import_site(library, site_at(site_folder))
    assert library.quarters() == ["2027Q1"] and len(first.imported) == 4
    assert first.failed == [damaged.name]
    assert sum(damaged.name in n for n in first.notices) == 1
    assert "skipped until it changes" in first.notices[-1]

    second = import_site(library, site_at(site_folder))
    assert (second.failed, second.notices) == ([], [])  # said once, not tried again

    damaged.write_bytes(b"still not a zip, but different bytes")  # a new copy is looked at again
    third = import_site(library, site_at(site_folder))
    assert third.failed == [damaged.name]
    library.close()


def test_an_unreachable_named_share_is_a_notice_and_the_platform_default_is_silent(tmp_path):
    library = open_library()
    gone = tmp_path / "no-such-share"
    result = import_site(library, site_at(gone))
    assert len(result.notices) == 1 and "cannot be reached" in result.notices[0] and str(gone) in result.notices[0]
    assert import_site(library, site_at(gone, named=False)).notices == []
    assert library.quarters() == []
    library.close()


def test_a_read_only_share_is_only_read(site_folder):
    before = listing(site_folder)
    for path in [site_folder, *site_folder.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        library = open_library()
        assert import_site(library, site_at(site_folder)).new_quarters == ["2027Q1"]
        library.close()
        assert listing(site_folder) == before  # no lock file, no temp file, nothing touched
    finally:
        for path in [site_folder, *site_folder.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_store_set_aside_gets_the_site_files_again(site_folder):
    library = open_library()
    import_site(library, site_at(site_folder))
    database = library.database
    library.close()
    database.rename(database.with_name("cms.sqlite3.old"))  # as Library does with a damaged store
    fresh = open_library()
    assert fresh.quarters() == []
    assert import_site(fresh, site_at(site_folder)).new_quarters == ["2027Q1"]
    fresh.close()


def test_settings_payer_and_note_files_are_not_taken_for_cms_files(tmp_path):
    folder = tmp_path / "share"
    (folder / "hcpcs" / "deeper" / "deepest" / "too-deep").mkdir(parents=True)
    for name in ("settings.toml", "payers.toml", "README.md", ".hidden.zip", "~$lock.xlsx", "hcpcs/a.zip"):
        (folder / name).write_text("x", encoding="utf-8")
    (folder / "hcpcs/deeper/deepest/too-deep/b.zip").write_text("x", encoding="utf-8")
    (folder / "hcpcs/deeper/deepest/c.zip").write_text("x", encoding="utf-8")
    assert [p.relative_to(folder).as_posix() for p in cms_files(folder)] == [
        "hcpcs/a.zip",
        "hcpcs/deeper/deepest/c.zip",
    ]


def test_a_cp1252_file_name_on_the_share_imports(site_folder):
    zips = sorted(site_folder.iterdir())
    renamed = site_folder / "janvier-2027 – crosswalk Ü.zip"  # an en dash and an umlaut, as a Windows share spells them
    shutil.move(zips[2], renamed)
    assert "–".encode("cp1252") and "Ü".encode("cp1252")
    library = open_library()
    result = import_site(library, site_at(site_folder))
    assert renamed.name in result.imported and result.failed == []
    library.close()


@pytest.mark.skipif(not os.environ.get("OMALIREF_CMS_REAL"), reason="set OMALIREF_CMS_REAL to a folder of CMS files")
def test_a_folder_of_real_cms_downloads_imports_once():
    real = Path(os.environ["OMALIREF_CMS_REAL"])
    library = open_library()
    first = import_site(library, site_at(real))
    assert first.new_quarters and set(first.new_quarters) <= set(library.quarters())
    assert len(first.imported) + len(first.failed) == len(cms_files(real))
    second = import_site(library, site_at(real))
    assert (second.imported, second.failed, second.notices) == ([], [], [])
    library.close()


def test_a_cancelled_look_leaves_nothing_half_done_and_the_next_start_takes_it_up(site_folder):
    library = open_library()
    calls = []

    def cancel_on_the_second_file() -> bool:
        calls.append(1)
        return len(calls) > 2  # the first file goes in, then the window closes

    first = import_site(library, site_at(site_folder), should_cancel=cancel_on_the_second_file)
    assert len(first.imported) <= 1 and first.failed == []
    second = import_site(library, site_at(site_folder))
    assert len(first.imported) + len(second.imported) == 4 and library.quarters() == ["2027Q1"]
    library.close()
