"""The organization's settings file: defaults for new users, locked keys, and every typo named with its line."""

from __future__ import annotations

from omaliref.data.site import SiteSettings, case_defaults, parse_settings, resolve, unknown_profile
from omaliref.data.site_check import check_site
from omaliref.data.state import Preferences

GOOD = """\
# deployed by IT
payer_profile = "ngs-j6-part-b"
setting = "hospital-outpatient"
modifier_340b = "TB"
locked = ["payer_profile", "setting"]
"""


def test_a_good_file_gives_defaults_and_locked_keys():
    settings = parse_settings(GOOD, "settings.toml")
    assert settings.problems == () and settings.notices() == []
    assert dict(settings.defaults) == {
        "payer_profile": "ngs-j6-part-b",
        "setting": "hospital-outpatient",
        "modifier_340b": "TB",
    }
    assert settings.locked == {"payer_profile", "setting"}
    assert settings.locked_value("payer_profile") == "ngs-j6-part-b" and settings.locked_value("modifier_340b") is None


def test_defaults_go_to_a_new_user_and_locked_keys_to_everyone():
    settings = parse_settings(GOOD, "settings.toml")
    new_user = settings.apply(Preferences(), saved=False)
    assert (new_user.payer_profile, new_user.setting, new_user.modifier_340b) == (
        "ngs-j6-part-b",
        "hospital-outpatient",
        "TB",
    )
    own = Preferences(payer="commercial", payer_profile="commercial", setting="office", modifier_340b="")
    kept = settings.apply(own, saved=True)
    assert (kept.payer_profile, kept.setting, kept.modifier_340b) == ("ngs-j6-part-b", "hospital-outpatient", "")


def test_every_typo_is_named_with_file_line_and_key_and_the_rest_is_used():
    text = """\
payer_profle = "commercial"
setting = "clinic"
modifier_340b = "TB"
mac = "J6"
locked = ["modifier_340b", "colour"]
"""
    settings = parse_settings(text, r"C:\ProgramData\omaliref\settings.toml")
    found = [(p.line, p.key) for p in settings.problems]
    assert found == [(1, "payer_profle"), (2, "setting"), (4, "mac"), (5, "locked")]
    assert "did you mean 'payer_profile'" in settings.problems[0].why
    assert "payers.toml" in settings.problems[2].why  # where the MAC lives instead
    assert settings.notices()[0].startswith(r"Site settings: C:\ProgramData\omaliref\settings.toml, line 1, key")
    assert dict(settings.defaults) == {"modifier_340b": "TB"} and settings.locked == {"modifier_340b"}


def test_a_file_that_is_not_toml_is_one_problem_with_its_line():
    settings = parse_settings('payer_profile = "medicare-part-b"\nlocked = [payer_profile]\n', "settings.toml")
    assert [(p.line, p.key) for p in settings.problems] == [(2, "")]
    assert "not valid TOML" in settings.problems[0].why and settings.defaults == {}


def test_the_settings_file_is_read_from_the_site_folder_and_names_the_data_folder(tmp_path):
    site = tmp_path / "org-site"
    site.mkdir()
    (site / "settings.toml").write_text('data_folder = "ignored when the folder is named"\n', encoding="utf-8")
    here = resolve({"OMALIREF_SITE_DIR": str(site)})
    assert here.folder == site and here.named and here.settings.data_folder == "ignored when the folder is named"
    assert here.payer_files() == [site / "payers.toml"]


def test_the_cli_takes_the_site_defaults_unless_the_command_line_names_the_value():
    settings = parse_settings(GOOD, "settings.toml")
    chosen = case_defaults(settings, payer="", profile="", setting="", modifier_340b="")
    assert chosen == {"payer_profile": "ngs-j6-part-b", "setting": "hospital-outpatient", "modifier_340b": "TB"}
    explicit = case_defaults(settings, payer="commercial", profile="", setting="office", modifier_340b="")
    assert explicit == {"payer_profile": "", "setting": "office", "modifier_340b": "TB"}
    assert case_defaults(SiteSettings(), payer="", profile="", setting="", modifier_340b="")["setting"] == "office"


def test_a_profile_no_file_defines_is_named(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('\n\npayer_profile = "acme-ppo"\n', encoding="utf-8")
    settings = parse_settings(path.read_text(encoding="utf-8"), str(path))
    problem = unknown_profile(settings, {"medicare-part-b"})
    assert problem is not None and (problem.line, problem.key) == (3, "payer_profile")
    assert unknown_profile(settings, {"acme-ppo"}) is None


def test_site_check_lists_every_problem_at_once(tmp_path, catalog):
    folder = tmp_path / "org-site"
    folder.mkdir()
    (folder / "settings.toml").write_text('setting = "clinic"\nlocked = ["setting"]\n', encoding="utf-8")
    (folder / "payers.toml").write_text('[[payer]]\nid = "acme"\nkind = "commercial"\n', encoding="utf-8")
    (folder / "notes.txt").write_text("not a CMS file\n", encoding="utf-8")
    checked = check_site(folder, dict(catalog.payer_profiles))
    files = [p.file.rsplit("/", 1)[-1] for p in checked.problems]
    assert "settings.toml" in files and "payers.toml" in files and "notes.txt" in files
    assert checked.cms_files == ()


def test_a_hostile_settings_file_is_a_problem_never_a_crash_or_a_wait(tmp_path):
    """Red team 2026-12 #4/#18/#19 for the site settings file too: deep nesting, a huge number, a pipe, over 1 MB."""
    import os

    from omaliref.data.site import load_settings

    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    huge = tmp_path / "huge.toml"
    huge.write_text("a = " + "9" * 5000 + "\n", encoding="utf-8")
    big = tmp_path / "big.toml"
    big.write_bytes(b"# padding\n" * 120_000)
    cases = [deep, huge, big]
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.toml"
        os.mkfifo(fifo)
        cases.append(fifo)
    for path in cases:
        settings = load_settings(path)
        assert len(settings.problems) == 1 and not settings.locked, path.name
