"""Folders per platform, simulated here (Linux): Windows' roaming and local profile folders, macOS, and the
Windows spellings IT will use (UNC shares, cp1252 'ANSI' files)."""

from __future__ import annotations

from pathlib import PureWindowsPath

import platformdirs.windows
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from omaliref.data.site import load_settings, parse_settings
from omaliref.data.state import CMS_DB_NAME, StateDirs


@pytest.fixture
def windows_profile(monkeypatch):
    """A Windows user's profile folders, from the environment variables platformdirs falls back to."""
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER", platformdirs.windows.get_win_folder_from_env_vars)
    monkeypatch.setenv("APPDATA", r"C:\Users\coder\AppData\Roaming")
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\coder\AppData\Local")
    monkeypatch.setenv("ALLUSERSPROFILE", r"C:\ProgramData")


def win(path) -> PureWindowsPath:
    return PureWindowsPath(str(path))


def test_on_windows_preferences_roam_and_the_import_database_stays_local(windows_profile):
    dirs = StateDirs.of_platform(Windows)
    roaming, local = (
        PureWindowsPath(r"C:\Users\coder\AppData\Roaming"),
        PureWindowsPath(r"C:\Users\coder\AppData\Local"),
    )
    assert win(dirs.config).is_relative_to(roaming)  # state.json: small, follows the user to any session host
    for big in (dirs.data / CMS_DB_NAME, dirs.logs, dirs.cache):
        assert win(big).is_relative_to(local), big  # megabytes: never copied at logon, never locked over the network
    machine = Windows("omaliref", appauthor=False)
    assert win(machine.site_data_dir) == win(machine.site_config_dir) == PureWindowsPath(r"C:\ProgramData\omaliref")


def test_on_macos_the_database_is_not_in_the_purgeable_caches_folder():
    dirs = StateDirs.of_platform(MacOS)
    assert dirs.data.parts[-3:] == ("Library", "Application Support", "omaliref")
    assert dirs.cache is not None and dirs.cache.parts[-3:] == ("Library", "Caches", "omaliref")
    assert dirs.logs.parts[-3:] == ("Library", "Logs", "omaliref")


def test_on_linux_preferences_and_data_follow_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    dirs = StateDirs.of_platform(Unix)
    assert (dirs.config, dirs.data) == (tmp_path / "config" / "omaliref", tmp_path / "data" / "omaliref")


def test_a_unc_share_in_the_settings_file_is_kept_as_written():
    settings = parse_settings(
        "data_folder = '\\\\fileserver\\omaliref$\\cms'\n", r"C:\ProgramData\omaliref\settings.toml"
    )
    assert settings.problems == ()
    share = PureWindowsPath(settings.data_folder)
    assert share.drive == "\\\\fileserver\\omaliref$" and share.name == "cms"


def test_a_settings_file_saved_as_cp1252_is_one_notice_not_a_crash(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes('# Réglages — clinique\npayer_profile = "commercial"\n'.encode("cp1252"))
    settings = load_settings(path)
    assert [(p.line, p.why) for p in settings.problems] == [(1, "cannot be read (not UTF-8 text: save it as UTF-8)")]
    assert settings.notices()[0].startswith(f"Site settings: {path}, line 1:")


def test_a_settings_file_with_a_byte_order_mark_and_crlf_as_the_installer_writes_it(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes("\ufeff# written by the omaliref installer\r\ndata_folder = '\\\\fs\\omaliref$'\r\n".encode())
    settings = load_settings(path)
    assert settings.problems == () and settings.data_folder == "\\\\fs\\omaliref$"
