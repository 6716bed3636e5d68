"""`omaliref site check DIR`: a site folder validated the way every workstation will read it, for IT."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from omaliref.data.site import PAYERS_NAME, SETTINGS_NAME, cms_files, load_settings, unknown_profile
from omaliref.domain.records import CmsFileSeen, SiteCheck, SiteProblem


def check_site(folder: Path, built_in: Mapping[str, Any], states: Iterable[Any] = ()) -> SiteCheck:
    """Validate a site folder for IT: its settings file, its payers.toml and every CMS file (each one parsed, as
    every workstation will), collecting every problem instead of stopping at the first."""
    from omaliref.data.cms_import import parse_member, read_members
    from omaliref.data.payers import read_payer_file, read_payer_text
    from omaliref.domain.cms import FileFormatError
    from omaliref.domain.errors import InputError, PackError

    problems: list[SiteProblem] = []
    settings_file = folder / SETTINGS_NAME
    settings = load_settings(settings_file)
    problems += settings.problems
    profiles = list(built_in)
    payers = folder / PAYERS_NAME
    if payers.exists():
        try:
            found = read_payer_file(read_payer_text(payers), str(payers), origin=str(payers), states=states)
            problems += [SiteProblem(str(payers), p.line, p.field, f"{p.record}: {p.why}") for p in found.problems]
            profiles += [p.id for p in found.profiles]
        except PackError as exc:  # not a regular file, or over the size cap: what every workstation will refuse
            problems.append(SiteProblem(str(payers), 0, "", exc.problem))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(SiteProblem(str(payers), 0, "", f"cannot be read ({exc.__class__.__name__})"))
    if (problem := unknown_profile(settings, profiles)) is not None:
        problems.append(replace(problem, why=problem.why.split(";")[0]))
    folders = [folder]
    if settings.data_folder and Path(settings.data_folder).expanduser() != folder:
        folders.append(Path(settings.data_folder).expanduser())
    seen: list[CmsFileSeen] = []
    for where in folders:
        try:
            candidates = cms_files(where)
        except OSError as exc:
            why = f"the CMS folder cannot be read ({exc.strerror or exc.__class__.__name__})"
            problems.append(SiteProblem(str(where), 0, "", why))
            continue
        for path in candidates:
            try:
                for member in read_members([path]):
                    parsed = parse_member(member)
                    seen.append(CmsFileSeen(member.name, parsed.kind, str(parsed.quarter)))
            except FileFormatError as exc:
                problems.append(SiteProblem(str(path), exc.line, "", f"not an importable CMS file: {exc}"))
            except InputError as exc:
                problems.append(SiteProblem(str(path), 0, "", f"not an importable CMS file: {exc}"))
    return SiteCheck(
        str(folder), tuple(problems), tuple(seen), tuple(sorted(set(profiles) - set(built_in))), str(settings_file)
    )
