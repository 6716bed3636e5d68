"""Payer profiles from files: the built-in resources/payers.toml, then the organization's payers.toml files.

The organization's files are read from the site config folder, the site folder, the user config folder and the file
named by OMALIREF_PAYERS, in that order; a profile with an id already seen replaces it and says so wherever it is
used (`PayerProfile.replacement`), except that a user's file never replaces one of the site's files: that profile is
left out with a notice. A broken organization file never stops the app: whatever it holds (a pipe, a device, more
than MAX_FILE_BYTES, nesting the parser cannot take) it is reported in one sentence and left out, and the built-ins
are used.

This module finds the files and resolves the profiles; one file is read and checked in payer_file.py, and where a
rule value comes from in payer_basis.py. Their names stay importable from here (loaded on first use: a start without
an organization file never needs them).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omaliref.domain.errors import PackError
from omaliref.domain.payer import PROFILE_FOR_KIND as PROFILE_FOR_KIND  # re-exported: its home is domain.payer
from omaliref.domain.payer import PayerProfile, State340B

if TYPE_CHECKING:  # re-exported: where other modules and the tests have always imported them
    from omaliref.data.payer_basis import BASIS_KEYS as BASIS_KEYS
    from omaliref.data.payer_basis import CLAIM_FORMS as CLAIM_FORMS
    from omaliref.data.payer_basis import SHAPE as SHAPE
    from omaliref.data.payer_basis import UB04_POSITIONS as UB04_POSITIONS
    from omaliref.data.payer_basis import Problem as Problem
    from omaliref.data.payer_file import STATE_KEYS as STATE_KEYS
    from omaliref.data.payer_file import PayerFile as PayerFile
    from omaliref.data.payer_file import _Reader as _Reader
    from omaliref.data.payer_file import parse_payer_file as parse_payer_file
    from omaliref.data.payer_file import parse_profiles as parse_profiles
    from omaliref.data.payer_file import read_payer_file as read_payer_file

ENV_VAR = "OMALIREF_PAYERS"
# the largest payer file read (the built-in one is ~40 KB; 1 MB holds ~3,500 profiles): a 100 MB file added 9 s to
# every start (red team 2026-12 #19)
MAX_FILE_BYTES = 1_000_000
_MOVED = {  # name -> the module that defines it now
    **dict.fromkeys(
        ("BASIS_KEYS", "CLAIM_FORMS", "SHAPE", "UB04_POSITIONS", "Problem", "_text", "_shown", "_keys_as_text"),
        "omaliref.data.payer_basis",
    ),
    "_value_problem": "omaliref.data.payer_basis",
    **dict.fromkeys(
        (
            "STATE_KEYS",
            "PayerFile",
            "_Reader",
            "read_payer_file",
            "parse_payer_file",
            "parse_profiles",
            "_unusable",
            "_toml_line",
        ),
        "omaliref.data.payer_file",
    ),
}


def __getattr__(name: str) -> Any:
    """The reading and checking of one file, imported from here as before, loaded when first asked for."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Profiles:
    """Every profile by id, and one sentence for each organization file that could not be used."""

    by_id: Mapping[str, PayerProfile]
    notices: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the organization files that were read


def read_payer_text(path: Path) -> str:
    """The text of one payer file, read only when it is a regular file of at most MAX_FILE_BYTES: a named pipe is
    opened without waiting for a writer and a device (/dev/zero) is never read (red team 2026-12 #18). A PackError
    names what was refused; OSError and UnicodeDecodeError when the file cannot be read as UTF-8."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):  # checked on what was opened, so a file swapped in between is no way round
        os.close(descriptor)
        why = "is not a regular file (a pipe, a device or a folder), so it is not read"
        raise PackError(str(path), "whole file", "", why)
    with os.fdopen(descriptor, "rb") as file:
        data = b"" if info.st_size > MAX_FILE_BYTES else file.read(MAX_FILE_BYTES + 1)
    size = max(info.st_size, len(data))
    if size > MAX_FILE_BYTES:
        why = f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a payer file, so it is not read"
        raise PackError(str(path), "whole file", "", why)
    return data.decode("utf-8")


def organization_tiers(config_dir: Path) -> tuple[list[Path], list[Path]]:
    """The site's payer files (site config folder, then the site folder) and the user's (user config folder, then
    OMALIREF_PAYERS): each read when it exists (a named one always, so its absence is said)."""
    from platformdirs import site_config_dir

    from omaliref.data.site import resolve

    site = [
        Path(site_config_dir("omaliref", appauthor=False)) / "payers.toml",
        *resolve().payer_files(),  # the site folder's, when IT named one (OMALIREF_SITE_DIR or settings.toml)
    ]
    user = [config_dir / "payers.toml"]
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        user.append(Path(named))
    kept = [p for p in dict.fromkeys([*site, *user]) if p.exists() or p == Path(named)]
    return [p for p in kept if p in site], [p for p in kept if p not in site]


def organization_files(config_dir: Path) -> list[Path]:
    """Site config folder, site folder, user config folder, then OMALIREF_PAYERS: each read when it exists."""
    site, user = organization_tiers(config_dir)
    return [*site, *user]


def load_profiles(
    built_in: Mapping[str, PayerProfile],
    files: Iterable[Path],
    states: Iterable[State340B] = (),
    *,
    site: Collection[Path] = (),
) -> Profiles:
    """The built-ins (checked with the pack) merged with each organization file, in order: a later file's profile
    replaces an earlier one of the same id and says so (`PayerProfile.replaces`), except that a user's file (one not
    in `site`) never replaces the site's: that profile is left out with a notice and the site's is used."""
    by_id = dict(built_in)
    notices: list[str] = []
    read: list[str] = []
    site_ids: dict[str, Path] = {}
    for path in files:
        try:
            if not path.exists():
                raise PackError(str(path), "whole file", "", "does not exist")
            text = read_payer_text(path)
            from omaliref.data.payer_file import parse_profiles  # the parser loads only when there is a file

            profiles = parse_profiles(text, str(path), origin=str(path), states=states)
        except PackError as exc:
            notices.append(f"The payer file {exc} — it was left out; the built-in profiles are used.")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            notices.append(f"The payer file {path} could not be read ({exc.__class__.__name__}) — it was left out.")
            continue
        except Exception as exc:  # whatever a file holds, it never stops the app (#4)
            from omaliref.data.payer_file import _unusable

            notices.append(
                f"The payer file {path} could not be used ({_unusable(exc)}) — it was left out; "
                "the built-in profiles are used."
            )
            continue
        read.append(str(path))
        for profile in profiles:
            if path not in site and profile.id in site_ids:
                notices.append(
                    f"The payer file {path} defines '{profile.id}', which the site's file {site_ids[profile.id]} "
                    "defines too: the site's profile is used (a user's file never replaces the organization's)."
                )
                continue
            if path in site:
                site_ids[profile.id] = path
            earlier = by_id.get(profile.id)
            by_id[profile.id] = replace(profile, replaces=earlier.origin) if earlier is not None else profile
    return Profiles(by_id, tuple(notices), tuple(read))
