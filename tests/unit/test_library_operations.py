"""The Library's start-up and background operations: what the window gets before Qt, and the Changes it applies."""

from __future__ import annotations

from omaliref.data.library import Library
from omaliref.data.state import Preferences, StateDirs, StateStore
from tests.fixtures.cms import quarter_zips


def test_the_index_operation_returns_the_pack_plus_the_imported_codes(isolated_state, tmp_path):
    dirs = StateDirs.resolve(str(isolated_state))
    library = Library.open_at_start(dirs)
    library.import_files(quarter_zips(tmp_path / "q1"))
    changes = library.run("index")
    assert changes.operation == "index" and changes.index is not None
    assert not changes.quarters_changed and changes.notices == ()
    assert [h.entry.id for h in changes.index.search("examplemab", 5)][:1] == ["J0001"]
    library.close()


def test_the_site_import_operation_says_what_arrived_and_that_the_quarters_changed(
    isolated_state, tmp_path, monkeypatch
):
    share = tmp_path / "share"
    quarter_zips(share)
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(share))
    library = Library.open_at_start(StateDirs.resolve(str(isolated_state)))
    first = library.run("site-import")
    assert first.quarters_changed and first.new_quarters == ("2027Q1",) and first.index is None
    assert any("2027Q1" in notice for notice in first.notices)
    again = library.run("site-import")  # nothing new: nothing to apply
    assert (again.quarters_changed, again.imported, again.notices) == (False, (), ())


def test_an_unreachable_share_is_a_notice_not_an_error(isolated_state, tmp_path, monkeypatch):
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(tmp_path / "offline"))
    changes = Library.open_at_start(StateDirs.resolve(str(isolated_state))).run("site-import")
    assert not changes.quarters_changed and len(changes.notices) == 1 and "cannot be reached" in changes.notices[0]


def test_the_site_settings_reach_the_window_only_through_the_library(isolated_state, tmp_path, monkeypatch):
    site = tmp_path / "org"
    site.mkdir()
    (site / "settings.toml").write_text(
        'payer_profile = "ngs-j6-part-b"\nsetting = "hospital-outpatient"\nlocked = ["payer_profile"]\nmac = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))
    dirs = StateDirs.resolve(str(isolated_state))
    library = Library.open_at_start(dirs)
    store = StateStore(dirs)
    assert library.start_preferences(store).setting == "hospital-outpatient"  # a new user gets the defaults
    chosen = library.keep_locked(Preferences(payer_profile="commercial", setting="office"))
    assert (chosen.payer_profile, chosen.setting) == ("ngs-j6-part-b", "office")
    assert library.locked_preferences() == {"payer_profile": "ngs-j6-part-b"}
    assert any("mac" in notice for notice in library.start_notices())
