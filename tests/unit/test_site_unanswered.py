"""A site folder or payer file on a network share that hangs (a dropped VPN, a sleeping file server) must not hold
the window's start: the organization's files are read on a thread, and one that does not answer is not waited for."""

from __future__ import annotations

import threading

from omaliref.data import library_site
from omaliref.data.library import Library
from tests.fixtures.payer_files import ONE


def test_a_share_that_does_not_answer_is_not_waited_for(tmp_path, monkeypatch):
    release = threading.Event()

    def hung_share(*args: object, **kwargs: object) -> None:
        release.wait()  # a read blocked in the kernel, until the share answers
        raise OSError("the share answered too late")

    monkeypatch.setattr(library_site, "resolve_site", hung_share)
    library = Library.open(str(tmp_path / "state"))
    try:
        library.read_organization(wait=0.01)  # returns: nothing here depends on how long the share hangs
        (said,) = [n for n in library.start_notices() if "did not answer" in n]
        assert "built-in payer profiles" in said and "Restart" in said
        assert library.site.folder is None and library.site_settings.problems == ()
        built_in = set(library.catalog.payer_profiles)
        assert set(library.profiles.by_id) == built_in
    finally:
        release.set()
        for thread in threading.enumerate():
            if thread.name == "organization-read":
                thread.join()
        library.close()


def test_a_share_that_answers_gives_its_settings_and_profiles(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "payers.toml").write_text(ONE.format(id="acme-commercial", name="Acme Health"), encoding="utf-8")
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))
    library = Library.open(str(tmp_path / "state"))
    try:
        library.read_organization(wait=60)  # the thread sets the answer's signal; 60 s is never reached
        assert library.site.folder == site and not any("did not answer" in n for n in library.start_notices())
        assert "acme-commercial" in library.profiles.by_id
    finally:
        library.close()
