"""The commands about files: CMS quarters (import, quarters, changes, review), payer files and the site folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from omaliref.cli.common import emit, open_library, progress_bar, say
from omaliref.domain.errors import InputError, PackError
from omaliref.domain.text import one_line


def _quarter(text: str) -> str:
    """'2027Q1', or exit 2 with the sentence Quarter.parse gives."""
    from omaliref.domain.quarter import Quarter

    try:
        return str(Quarter.parse(text))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def cmd_import(args: argparse.Namespace) -> int:
    from omaliref.domain.cms import FileFormatError
    from omaliref.domain.quarter import Quarter
    from omaliref.report import as_json, as_text

    quarter = Quarter.parse(_quarter(args.quarter)) if args.quarter.strip() else None
    library = open_library(importing=True)
    bar = progress_bar()
    try:
        reports = library.import_files(args.paths, quarter=quarter, progress=bar)
    except FileFormatError as exc:
        raise InputError(f"Nothing was imported: {exc}.") from None
    finally:
        if bar is not None:
            bar.close()
    data = as_json.import_reports(reports, library.quarters())
    emit(args, data, as_text.import_reports(data))
    return 0


def cmd_quarters(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    data = as_json.quarters(open_library(needs_store=True).imports())
    emit(args, data, as_text.quarters(data))
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    old, new = _quarter(args.from_quarter), _quarter(args.to_quarter)
    codes = {c.strip().upper() for c in args.codes.split(",") if c.strip()} or None
    diff = open_library(needs_store=True).changes(old, new, codes)
    data = as_json.changes(old, new, codes, diff)
    emit(args, data, as_text.changes(data, list(diff)))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Exit 0 when nothing contradicts the pack, 1 when something does (scripts can gate on it)."""
    from omaliref.report import as_json, as_text

    quarter = _quarter(args.quarter) if args.quarter else None
    library = open_library(needs_store=True)
    data = as_json.review(quarter, library.catalog.info.version, library.review(quarter))
    emit(args, data, as_text.review(data))
    return 1 if data["counts"]["contradicted"] else 0


def _say_problems(head: str, problems: Sequence[object]) -> None:
    """'HEAD: N problem(s):' on one line, then one indented line per problem, on stderr."""
    count = len(problems)
    say(f"{head} {count} problem{'s' if count > 1 else ''}:")
    sys.stderr.write("".join(f"  {one_line(str(problem))}\n" for problem in problems))


def _check_payer_file(args: argparse.Namespace) -> int:
    """`payers check FILE`: exit 3 listing every problem (on stderr, and in --json), 0 naming the valid profiles."""
    from omaliref.data.library import Library
    from omaliref.report import as_json, as_text

    if not args.target:
        raise InputError("Name the payer file to check: omaliref payers check FILE.")
    path = args.target
    try:
        text = Library.read_payer_text(Path(path))  # a regular file under the size cap, or exit 3 saying which
    except PackError as exc:
        say(f"the payer file is invalid: {exc}.")
        if args.json:
            emit(args, as_json.payer_file_refused(path, exc.record, exc.problem), "")
        return 3
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"The payer file {path[:200]} cannot be read ({exc.__class__.__name__}).") from None
    checked = open_library().check_payer_file(text, path)
    data = as_json.payer_file(path, checked.profiles, checked.problems)
    if checked.problems:
        _say_problems(f"the payer file is invalid: {path}:", checked.problems)
        if args.json:
            emit(args, data, "")
        return 3
    emit(args, data, as_text.payer_file(path, checked.profiles))
    return 0


def cmd_payers(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    action = args.action or "list"
    if action == "check":
        return _check_payer_file(args)
    library = open_library()
    profiles = library.profiles
    for notice in profiles.notices:
        say(notice)
    if action == "show":
        if not args.target:
            raise InputError("Name the profile to show: omaliref payers show ID.")
        p = library.profile(args.target)
        emit(args, as_json.profile(p), as_text.profile(p))
        return 0
    if action != "list":
        raise InputError(f"'{action[:40]}' is not a payers action: use list, show ID or check FILE.")
    found = list(profiles.by_id.values())
    emit(args, as_json.payers(found, profiles.files, profiles.notices), as_text.profiles(found))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    """Exit 3 when the folder has any problem (all listed at once), 0 when every workstation can use it."""
    from omaliref.data.library import Library
    from omaliref.report import as_json, as_text

    if args.action != "check":
        raise InputError(f"'{args.action[:40]}' is not a site action: use omaliref site check DIR.")
    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{args.folder[:200]} is not a folder: name the site folder to check.")
    library = Library.open()  # the built-in profiles and state rows only: checking never imports
    checked = library.check_site(folder)
    library.close()
    data = as_json.site_check(checked)
    if checked.problems:
        _say_problems(f"the site folder {args.folder[:200]} has", checked.problems)
    emit(args, data, as_text.site_check(data))
    return 3 if checked.problems else 0
