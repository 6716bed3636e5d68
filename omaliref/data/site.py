"""The organization's site folder and settings file, as IT deploys them to every workstation.

The site folder (OMALIREF_SITE_DIR, else the `data_folder` the site settings file names, else the platform's site
data folder) holds the quarter's CMS files, often on a read-only share: nothing here ever writes to it or locks
it. The settings file (`settings.toml` in OMALIREF_SITE_DIR, else in the site config folder) gives defaults for new
users and `locked` keys the user's Preferences cannot change. A typo in it is a notice naming file, line and key;
the app always starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omaliref.data.state import Preferences
from omaliref.domain.records import SiteProblem
from omaliref.domain.vocab import ID_PATTERN, MODIFIERS_340B, SETTINGS

ENV_VAR = "OMALIREF_SITE_DIR"
SETTINGS_NAME = "settings.toml"
PAYERS_NAME = "payers.toml"
CMS_SUBFOLDER_DEPTH = 3  # a share sorted by product (hcpcs/, asp_pricing/, …) is read; deeper folders are not
# keys a site may set for its users; each is a Preferences field of the same name
PREFERENCE_KEYS = ("payer_profile", "setting", "modifier_340b")
SETTINGS_KEYS = ("data_folder", *PREFERENCE_KEYS, "locked")
# asked for by IT but not settings of this app: the sentence says where the value lives instead
NOT_SETTINGS = {
    "mac": "the MAC is a field of a payer profile: set it in the organization's payers.toml",
    "stale_after_days": "the app has no stale-data threshold: a banner shows once a newer CMS quarter has begun",
}
LOCKED_NOTE = "set by your organization"
_ID = ID_PATTERN
_SKIPPED_SUFFIXES = (".toml", ".md", ".json", ".ini", ".log", ".tmp", ".lnk")


@dataclass(frozen=True)
class SiteSettings:
    """What the site settings file says (empty when there is none), with every problem found in it."""

    file: str = ""
    data_folder: str = ""
    defaults: Mapping[str, str] = field(default_factory=dict)  # PREFERENCE_KEYS -> value
    locked: frozenset[str] = frozenset()
    problems: tuple[SiteProblem, ...] = ()

    def notices(self) -> list[str]:
        return [f"Site settings: {p} — the line is ignored." for p in self.problems]

    def locked_value(self, key: str) -> str | None:
        """The organization's value of a locked key (None: the key is the user's to choose)."""
        return self.defaults.get(key) if key in self.locked else None

    def apply(self, prefs: Preferences, *, saved: bool) -> Preferences:
        """The user's preferences under the site's: the site's defaults for a user who has saved none yet, its
        locked keys always."""
        wanted = {k: v for k, v in self.defaults.items() if not saved or k in self.locked}
        if not wanted:
            return prefs
        try:
            return prefs.with_changes(**wanted)
        except ValueError:  # values are checked when the file is read; a bad one never reaches here
            return prefs


@dataclass(frozen=True)
class Site:
    """Where this workstation's site folder and settings file are. `named`: the folder was named (by the
    environment or the settings file), so its absence is worth a notice; the platform default usually is absent."""

    folder: Path | None
    settings: SiteSettings
    named: bool = False

    def payer_files(self) -> list[Path]:
        """The site folder's payers.toml (the site config folder's is read by data/payers.py already)."""
        return [self.folder / PAYERS_NAME] if self.folder is not None and self.named else []


def _site_config_dir() -> Path:
    from platformdirs import site_config_dir

    return Path(site_config_dir("omaliref", appauthor=False))


def _site_data_dir() -> Path:
    from platformdirs import site_data_dir

    return Path(site_data_dir("omaliref", appauthor=False))


def settings_path(env: Mapping[str, str] | None = None) -> Path:
    """The settings file this workstation reads (it may not exist)."""
    named = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    return (Path(named).expanduser() if named else _site_config_dir()) / SETTINGS_NAME


def resolve(env: Mapping[str, str] | None = None) -> Site:
    """The site folder and its settings, from OMALIREF_SITE_DIR, the settings file and platformdirs."""
    named = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    settings = load_settings(settings_path(env))
    if named:
        return Site(Path(named).expanduser(), settings, named=True)
    if settings.data_folder:
        return Site(Path(settings.data_folder).expanduser(), settings, named=True)
    return Site(_site_data_dir(), settings)


def load_settings(path: Path) -> SiteSettings:
    """The settings file at `path`, or empty settings (a file that cannot be read is one problem). Read as a payer
    file is: a regular file of at most 1 MB, opened without waiting (a pipe or a device is a problem, never a hang)."""
    from omaliref.data.payers import read_payer_text
    from omaliref.domain.errors import PackError

    try:
        text = read_payer_text(path).removeprefix("\ufeff")  # Notepad and the Windows installer write a BOM
    except FileNotFoundError:
        return SiteSettings()
    except PackError as exc:
        return SiteSettings(str(path), problems=(SiteProblem(str(path), 1, "", exc.problem),))
    except (OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, OSError) and not path.exists():
            return SiteSettings()
        why = (
            "not UTF-8 text: save it as UTF-8"
            if isinstance(exc, UnicodeDecodeError)
            else exc.strerror or exc.__class__.__name__
        )
        return SiteSettings(str(path), problems=(SiteProblem(str(path), 1, "", f"cannot be read ({why})"),))
    return parse_settings(text, str(path))


def _line_of(lines: list[str], key: str) -> int:
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line) or re.match(rf'\s*"{re.escape(key)}"\s*=', line):
            return number
    return 1


def _value_problem(key: str, value: Any) -> str:
    """Why a site value is refused ('' when it is fine)."""
    if not isinstance(value, str):
        return f"expected a quoted text, got {type(value).__name__}"
    if key == "setting" and value not in SETTINGS:
        return f"'{value[:40]}' is not a setting: use one of {', '.join(SETTINGS)}"
    if key == "modifier_340b" and value not in ("", *MODIFIERS_340B):
        return f"'{value[:40]}' is not a 340B modifier: use one of {', '.join(MODIFIERS_340B)} or \"\""
    if key == "payer_profile" and not _ID.fullmatch(value):
        return f"'{value[:40]}' is not a payer profile id ('omaliref payers' lists them)"
    if key == "data_folder" and not value.strip():
        return "expected a folder path"
    return ""


def parse_settings(text: str, file: str) -> SiteSettings:
    """Every usable key of one settings file; every unusable one becomes a problem with its line."""
    import difflib  # only when there is a settings file
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        return SiteSettings(file, problems=(SiteProblem(file, line, "", f"not valid TOML ({exc})"),))
    except Exception as exc:  # nesting thousands deep, a 5,000-digit number: a problem, never a crash
        why = f"cannot be read as TOML ({type(exc).__name__})"
        return SiteSettings(file, problems=(SiteProblem(file, 1, "", why),))
    lines = text.splitlines()
    problems: list[SiteProblem] = []
    values: dict[str, str] = {}
    for key, value in data.items():
        line = _line_of(lines, key)
        if key in NOT_SETTINGS:
            problems.append(SiteProblem(file, line, key, f"not a site setting: {NOT_SETTINGS[key]}"))
        elif key not in SETTINGS_KEYS:
            close = difflib.get_close_matches(key, SETTINGS_KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(SiteProblem(file, line, key, f"unknown key: {hint}known keys: {', '.join(SETTINGS_KEYS)}"))
        elif key == "locked":
            continue
        elif why := _value_problem(key, value):
            problems.append(SiteProblem(file, line, key, why))
        else:
            values[key] = value.strip() if key == "data_folder" else value
    locked: set[str] = set()
    raw_locked = data.get("locked", [])
    line = _line_of(lines, "locked")
    if not isinstance(raw_locked, list) or not all(isinstance(k, str) for k in raw_locked):
        problems.append(SiteProblem(file, line, "locked", 'expected a list of keys, e.g. ["payer_profile"]'))
        raw_locked = []
    for key in raw_locked:
        if key not in PREFERENCE_KEYS:
            close = difflib.get_close_matches(key, PREFERENCE_KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            why = f"'{key[:40]}' cannot be locked: {hint}lockable keys: {', '.join(PREFERENCE_KEYS)}"
            problems.append(SiteProblem(file, line, "locked", why))
        elif key not in values:
            problems.append(
                SiteProblem(file, line, "locked", f"'{key}' is locked but the file gives it no usable value")
            )
        else:
            locked.add(key)
    defaults = {k: v for k, v in values.items() if k in PREFERENCE_KEYS}
    problems.sort(key=lambda p: p.line)
    return SiteSettings(file, values.get("data_folder", ""), defaults, frozenset(locked), tuple(problems))


def cms_files(folder: Path) -> list[Path]:
    """The files of a site folder that may be CMS files: every regular file in it and its subfolders (down to
    CMS_SUBFOLDER_DEPTH), except the settings, payer and note files and hidden or temporary ones; sorted, so every
    workstation imports them in the same order. An unreadable folder raises OSError."""
    found: list[Path] = []

    def walk(at: Path, depth: int) -> None:
        for entry in sorted(at.iterdir(), key=lambda p: p.name):
            if entry.name.startswith((".", "~")):
                continue
            if entry.is_dir():
                if depth < CMS_SUBFOLDER_DEPTH:
                    walk(entry, depth + 1)
            elif entry.is_file() and not entry.name.lower().endswith(_SKIPPED_SUFFIXES):
                found.append(entry)

    walk(folder, 0)
    return found


# -- the CLI's defaults for a case ----------------------------------------------------------------------------


def case_defaults(
    settings: SiteSettings, *, payer: str, profile: str, setting: str, modifier_340b: str
) -> dict[str, str]:
    """The CLI's payer profile, setting and 340B modifier: what the command line says, else the site's default,
    else the app's. A locked key locks the default, not the case: a coder may still bill one case to another
    payer (as the calculator's boxes allow), but never gets another default by mistake."""
    site_profile = settings.defaults.get("payer_profile", "")
    return {
        "payer_profile": profile.strip() or ("" if payer.strip() else site_profile),
        "setting": setting.strip() or settings.defaults.get("setting", "") or "office",
        "modifier_340b": modifier_340b.strip() or settings.defaults.get("modifier_340b", ""),
    }


def unknown_profile(settings: SiteSettings, known: Collection[str]) -> SiteProblem | None:
    """The settings file's payer profile when no built-in or organization profile has that id."""
    wanted = settings.defaults.get("payer_profile", "")
    if not wanted or wanted in known:
        return None
    line = _line_of(_read_lines(Path(settings.file)) if settings.file else [], "payer_profile")
    why = f"'{wanted}' is not a payer profile ('omaliref payers' lists them); the app's default is used"
    return SiteProblem(settings.file, line, "payer_profile", why)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
