"""What every command shares: one line on stderr, the output (JSON or text), the Library and the one Case."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from omaliref.domain.errors import InputError
from omaliref.domain.text import one_line

if TYPE_CHECKING:
    from omaliref.data.library import Library
    from omaliref.domain.case import Case
    from omaliref.report.progress_bar import TerminalBar


def say(message: str) -> None:
    """One line on stderr: a path, an id or a file's text in the message cannot forge a second 'omaliref:' line."""
    sys.stderr.write(f"omaliref: {one_line(message)}\n")


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")


def today() -> dt.date:
    return dt.date.today()


def open_library(*, needs_store: bool = False, importing: bool = False) -> Library:
    """The Library; `needs_store`: the command reports on the imported quarters (review, quarters, changes), so an
    import database that exists but cannot be read is exit 2 with its one sentence, never an empty report.
    `importing`: a database left in place (locked, newer) is said once, by the import's own refusal."""
    from omaliref.data.library import Library

    library = Library.open()
    if needs_store and library.database_problem is not None:
        library.close()
        raise InputError(library.database_problem.rstrip(".") + "; nothing can be reported from it.")
    if importing and library.database_problem is not None and library.database.exists():
        return library
    for notice in library.notices:  # a damaged import database was set aside: said once, the command goes on
        say(notice)
    for notice in library.sync_site():  # the site settings' typos, then its new CMS files, before the command reads
        say(notice)
    return library


def clinical(args: argparse.Namespace) -> dict[str, str]:
    return {"indication": args.indication, "ige": args.ige or "", "weight": args.weight or "", "age": args.age or ""}


def case_for(
    args: argparse.Namespace,
    library: Library,
    *,
    indication: str = "",
    ige: str = "",
    weight: str = "",
    age: str = "",
    units: str = "",
    charge: str = "",
) -> Case:
    """The one Case for the command's arguments (units, check and checklist share them): the only call of
    case_from_input on the command line."""
    from omaliref.domain.case import CaseInput, case_from_input, parse_payer

    for notice in library.profiles.notices:  # an organization payer file left out: said before the case uses one
        say(notice)
    chosen = library.case_defaults(
        payer=args.payer, profile=args.payer_profile, setting=args.setting, modifier_340b=args.modifier_340b
    )
    profile = library.profile_for(args.payer, chosen["payer_profile"])
    if args.payer.strip() and args.payer_profile.strip() and parse_payer(args.payer) != profile.kind:
        raise InputError(
            f"--payer {args.payer.strip()[:40]} contradicts --payer-profile {profile.id}, a {profile.kind} profile: "
            "give only the profile, or a payer of its kind.",
            field="payer",
        )
    raw = CaseInput(
        code=args.code,
        dose=args.dose,
        containers=tuple(args.package),
        date=args.date or "",
        payer=args.payer or profile.kind,
        setting=chosen["setting"],
        modifier_340b=chosen["modifier_340b"],
        separately_payable=not args.not_separately_payable,
        single_dose_confirmed=args.single_dose,  # confirms the --package NDCs only, never one the calculator chose
        last_dose=args.last_dose,
        supplied_by=args.supplied_by,
        indication=indication,
        ige=ige,
        weight=weight,
        age=age,
        units=units,
        charge=charge,
    )
    return case_from_input(raw, today(), profile)


def progress_bar() -> TerminalBar | None:
    """A bar on stderr that moves with the rows, when stderr is a terminal (never in a pipe or a log)."""
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return None
    import shutil

    from omaliref.report.progress_bar import TerminalBar

    return TerminalBar(sys.stderr, shutil.get_terminal_size().columns)
