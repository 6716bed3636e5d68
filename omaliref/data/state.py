"""User state: preferences and the current checklist ticks, as versioned JSON written atomically.

Only whitelisted keys with validated values are ever written, so no patient data or free text can reach disk.
A damaged file is moved aside (never deleted) and defaults are used; the caller shows the notice once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omaliref.domain.vocab import ID_PATTERN, MODIFIERS_340B, PAYER_KINDS, SETTINGS

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

SCHEMA_VERSION = 1
ENV_VAR = "OMALIREF_STATE_DIR"
FILE_NAME = "state.json"
CMS_DB_NAME = "cms.sqlite3"  # imported CMS quarters (data/cms_store.py), under the data folder
_ID = ID_PATTERN
_GEOMETRY = re.compile(r"[A-Za-z0-9+/=]{0,4096}")
MAX_TICKS = 200
STALE_TEMP_SECONDS = 60  # older than any save in progress


@dataclass(frozen=True)
class Preferences:
    payer: str = "medicare"
    setting: str = "office"
    modifier_340b: str = ""
    payer_profile: str = ""  # a payer profile id; empty: the built-in profile of `payer`
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(); opaque to the domain
    pane_state: str = ""  # base64 of QSplitter.saveState(): the pane sizes
    checklist_ticks: tuple[str, ...] = ()

    def with_changes(self, **changes: Any) -> Preferences:
        return validate(replace(self, **changes))


@dataclass
class StateDirs:
    """Where the app writes: one root when overridden, else the platform's per-user folders."""

    config: Path
    data: Path
    logs: Path
    overridden: bool = False
    cache: Path | None = None  # rebuildable files (the compiled data pack); None: the data folder's cache/

    @classmethod
    def resolve(cls, override: str | os.PathLike[str] | None = None) -> StateDirs:
        root = override if override else os.environ.get(ENV_VAR)
        if root:
            base = Path(root).expanduser()
            return cls(base / "config", base / "data", base / "logs", overridden=True, cache=base / "cache")
        from platformdirs import PlatformDirs  # imported here: only the non-overridden path needs it

        return cls.of_platform(PlatformDirs)

    @classmethod
    def of_platform(cls, kind: Callable[..., PlatformDirsABC]) -> StateDirs:
        """Citrix/VDI with roaming profiles: the preferences (a few hundred bytes) roam with the user (%APPDATA% on
        Windows); the import database, logs and the compiled pack (megabytes, rebuilt or re-imported at will) stay in
        the machine's local folder (%LOCALAPPDATA%), so a logon never copies them and no lock crosses the network.
        On Linux and macOS the two are the same kind of folder. `kind`: platformdirs' class (tests pass Windows')."""
        local = kind("omaliref", appauthor=False)  # roaming=False
        roaming = kind("omaliref", appauthor=False, roaming=True)
        return cls(
            Path(roaming.user_config_dir),
            Path(local.user_data_dir),
            Path(local.user_log_dir),
            cache=Path(local.user_cache_dir),
        )


def validate(prefs: Preferences) -> Preferences:
    """Raise ValueError if any value is outside the whitelist; the state file never holds anything else."""
    if prefs.payer not in PAYER_KINDS:
        raise ValueError(f"payer must be one of {PAYER_KINDS}")
    if prefs.setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}")
    if prefs.modifier_340b not in ("", *MODIFIERS_340B):
        raise ValueError("340B modifier must be JG, TB or empty")
    if prefs.payer_profile and not _ID.fullmatch(prefs.payer_profile):
        raise ValueError("payer profile must be a profile id")
    if not _GEOMETRY.fullmatch(prefs.pane_state):
        raise ValueError("pane state must be base64")
    if not _GEOMETRY.fullmatch(prefs.window_geometry):
        raise ValueError("window geometry must be base64")
    if len(prefs.checklist_ticks) > MAX_TICKS or not all(_ID.fullmatch(t) for t in prefs.checklist_ticks):
        raise ValueError("checklist ticks must be item ids")
    return prefs


def to_json(prefs: Preferences) -> dict[str, Any]:
    validate(prefs)
    return {
        "schema": SCHEMA_VERSION,
        "preferences": {
            "payer": prefs.payer,
            "setting": prefs.setting,
            "modifier_340b": prefs.modifier_340b,
            "payer_profile": prefs.payer_profile,
            "window_geometry": prefs.window_geometry,
            "pane_state": prefs.pane_state,
        },
        "checklist_ticks": list(prefs.checklist_ticks),
    }


def from_json(data: Any) -> Preferences:
    if not isinstance(data, dict) or set(data) - {"schema", "preferences", "checklist_ticks"}:
        raise ValueError("unexpected top-level keys")
    if data.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"schema {data.get('schema')!r}")
    raw = data.get("preferences", {})
    allowed = {"payer", "setting", "modifier_340b", "payer_profile", "window_geometry", "pane_state"}
    if not isinstance(raw, dict) or set(raw) - allowed or not all(isinstance(v, str) for v in raw.values()):
        raise ValueError("unexpected preference keys")
    ticks = data.get("checklist_ticks", [])
    if not isinstance(ticks, list) or not all(isinstance(t, str) for t in ticks):
        raise ValueError("checklist_ticks must be a list of ids")
    return validate(Preferences(checklist_ticks=tuple(ticks), **raw))


@dataclass
class StateStore:
    dirs: StateDirs
    notices: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.dirs.config / FILE_NAME

    def load(self) -> Preferences:
        """The saved preferences, or defaults (with a notice) when the file is missing, unreadable or damaged."""
        self._remove_stale_temp_files()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Preferences()
        except UnicodeDecodeError:
            return self._damaged()
        except OSError as exc:
            self.notices.append(
                f"Preferences could not be read ({exc.strerror or exc.__class__.__name__}); using defaults."
            )
            return Preferences()
        try:
            data = json.loads(text)
            if isinstance(data, dict) and isinstance(data.get("schema"), int) and data["schema"] > SCHEMA_VERSION:
                self._set_aside(f"v{data['schema']}")
                self.notices.append(
                    f"Preferences were saved by a newer omaliref (schema {data['schema']}); kept aside, using defaults."
                )
                return Preferences()
            return from_json(data)
        except (ValueError, TypeError, RecursionError):  # RecursionError: JSON nested thousands deep
            return self._damaged()

    def _damaged(self) -> Preferences:
        aside = self._set_aside("corrupt")
        self.notices.append(
            "Preferences file was damaged; it was kept aside"
            + (f" as {aside.name}" if aside else "")
            + " and defaults are used."
        )
        return Preferences()

    def save(self, prefs: Preferences) -> bool:
        """Write atomically (temp file + os.replace); on failure keep the last good file and add a notice."""
        import tempfile  # only when saving: it pulls in shutil and random, which start-up does not need

        payload = json.dumps(to_json(prefs), indent=2, sort_keys=True) + "\n"
        tmp_name = ""
        try:
            self.dirs.config.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=self.dirs.config)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path)
            return True
        except OSError as exc:
            if tmp_name:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
            self.notices.append(
                f"Preferences could not be saved ({exc.strerror or exc.__class__.__name__}); "
                "the last saved preferences are kept."
            )
            return False

    def _remove_stale_temp_files(self) -> None:
        """A save killed before its os.replace leaves a temp file; the real file is intact, the temp is junk."""
        cutoff = dt.datetime.now().timestamp() - STALE_TEMP_SECONDS
        try:
            for leftover in self.dirs.config.glob(".state-*.tmp"):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
        except OSError:
            pass  # an unreadable folder is reported by the load itself

    def _set_aside(self, tag: str) -> Path | None:
        return set_aside(self.path, tag)


def set_aside(path: Path, tag: str, companions: tuple[str, ...] = ()) -> Path | None:
    """Move a damaged file out of the way under a name no earlier one has (never overwritten, never deleted);
    `companions` are suffixes of files that belong to it (an SQLite database's -journal, -wal, -shm)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        target = path.with_name(f"{path.name}.{tag}-{stamp}" + (f"-{n}" if n else ""))
        if not target.exists():
            break
    else:
        return None
    try:
        os.replace(path, target)
    except OSError:
        return None
    for suffix in companions:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            with contextlib.suppress(OSError):
                os.replace(companion, target.with_name(target.name + suffix))
    return target
