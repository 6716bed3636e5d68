"""Command line: headless look-ups and calculations; starts the GUI only when asked. No Qt import at top."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from omaliref.domain.errors import InputError, OmalirefError, PackError
from omaliref.domain.text import one_line
from omaliref.domain.vocab import OUTPUT_FORMATS

if TYPE_CHECKING:
    from omaliref.data.library import Library
    from omaliref.domain.case import Case


class _VersionAction(argparse.Action):
    """Looks the version up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        import omaliref
        from omaliref.data.resources import read_toml
        from omaliref.domain.freshness import freshness

        info = read_toml("pack.toml")  # the pack's header only: --version stays quick
        fresh = freshness(info["as_of"], _today())
        sys.stdout.write(
            f"omaliref {omaliref.__version__}\ndata pack {info['version']}, as of {info['as_of']} "
            f"({fresh.age_text})\n" + (f"{fresh.banner}\n" if fresh.stale else "")
        )
        raise SystemExit(0)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one sentence on stderr (exit 2), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        _say(f"{message} (see 'omaliref --help')")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="omaliref",
        description="Charge-entry reference and unit & waste calculator for "
        "omalizumab (J2357) and look-alike drug codes. With no command, starts the app.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--state-dir", help="folder for everything the app writes (overrides OMALIREF_STATE_DIR)")
    parser.add_argument("--smoke-test", action="store_true", help="build the window, search, calculate, exit 0")
    parser.add_argument("--screenshot", metavar="DIR", help="write a PNG of each pane to DIR and exit")
    parser.add_argument("--size", metavar="WxH", help="with --screenshot: the window size, e.g. 1366x768")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("search", help="search codes, modifiers, NDCs and topics")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", default="10")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one code, modifier, NDC or topic")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")

    def case_args(p: argparse.ArgumentParser, dose_required: bool) -> None:
        p.add_argument("code")
        p.add_argument(
            "--dose", required=dose_required, help="amount with unit: 375mg, 1350mcg, 2400000units, 1implant"
        )
        p.add_argument(
            "--package",
            action="append",
            default=[],
            metavar="NDC[xCOUNT]",
            help="container opened, by NDC, with a count: 50242-0040-62x2 (repeatable)",
        )
        p.add_argument("--date", help="date of service YYYY-MM-DD (default today)")
        p.add_argument("--last-dose", default="", metavar="DATE", help="the date of the previous dose (interval check)")
        p.add_argument(
            "--supplied-by",
            default="",
            help="who supplied the drug: practice (default: bought by the practice), specialty-pharmacy, "
            "manufacturer (free-drug program) or patient",
        )
        p.add_argument(
            "--payer",
            default="",
            help="medicare (default), medicare-advantage, medicaid or commercial (the generic profile of that kind)",
        )
        p.add_argument("--payer-profile", default="", metavar="ID", help="a payer profile (omaliref payers lists them)")
        p.add_argument(
            "--setting",
            default="",
            help="office (CMS-1500, practitioner MUE; the default unless the site settings say otherwise) or "
            "hospital-outpatient (UB-04, outpatient MUE)",
        )
        p.add_argument(
            "--340b",
            dest="modifier_340b",
            default="",
            help="the line's 340B modifier: JG, TB, U8, UD, or yes (the payer profile's)",
        )
        p.add_argument("--not-separately-payable", action="store_true", help="packaged OPPS, FQHC/RHC or CAP: no JW/JZ")
        p.add_argument(
            "--single-dose",
            action="store_true",
            help="the label of each --package NDC says single-dose (for packages whose status the data does not give); "
            "without --package the calculator may choose a CMS crosswalk package but puts no JW/JZ on it",
        )
        p.add_argument("--json", action="store_true")

    p = sub.add_parser("units", help="claim lines for a dose and the containers opened")
    case_args(p, True)
    clinical_args(p)
    p.add_argument("--format", default="text", help="text, json, cms1500 (item 24A), ub04 (FL43) or x12 (837 lines)")
    p.add_argument(
        "--charge",
        default="",
        metavar="AMOUNT",
        help="your charge per billing unit, e.g. 12.50: each 837 line's charge is its units times it "
        "(without it the charge shows the placeholder CHARGE)",
    )

    p = sub.add_parser("check", help="check the units you intend to bill")
    case_args(p, True)
    p.add_argument("--units", required=True)

    p = sub.add_parser("dose", help="omalizumab label dose from the verified US tables")
    p.add_argument("drug")
    p.add_argument("--indication", required=True, help="asthma, crswnp, csu or food-allergy")
    p.add_argument("--ige", help="pre-treatment total IgE, IU/mL")
    p.add_argument("--weight", help="body weight, kg")
    p.add_argument("--age", help="age in years")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "import", help="import CMS quarterly files (a folder of downloads, zips as downloaded, or extracted files)"
    )
    p.add_argument("paths", nargs="+", metavar="FOLDER_OR_FILE")
    p.add_argument("--quarter", default="", help="for a file that does not say its quarter, e.g. 2027Q1")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("payers", help="payer profiles: list, show ID, check FILE")
    p.add_argument("action", nargs="?", default="list", help="list (default), show or check")
    p.add_argument("target", nargs="?", default="", help="the profile id (show) or the file (check)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("site", help="for IT: check a site folder (settings.toml, payers.toml, CMS files)")
    p.add_argument("action", help="check")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("quarters", help="list the imported CMS quarters")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "review", help="the curated pack against an imported quarter: confirmed, contradicted, not listed"
    )
    p.add_argument("--quarter", default="", help="the quarter to check against (default: the newest with each file)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("changes", help="what changed between two imported quarters")
    p.add_argument("--from", dest="from_quarter", required=True, metavar="QUARTER", help="e.g. 2027Q1")
    p.add_argument("--to", dest="to_quarter", required=True, metavar="QUARTER")
    p.add_argument("--codes", default="", help="comma-separated codes to limit the report to")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="check drug lines already keyed (CSV/TSV charge export or 837) for findings")
    p.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    p.add_argument("--payer-profile", default="", metavar="ID", help="for lines without a payer profile column")
    p.add_argument("--setting", default="office", help="for lines without a setting column")
    p.add_argument(
        "--340b",
        dest="acquired_340b",
        action="store_true",
        help="every line is a 340B-acquired drug (check its modifier)",
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("checklist", help="documentation and denial-risk checks for a case")
    case_args(p, False)
    clinical_args(p)
    return parser


def clinical_args(p: argparse.ArgumentParser) -> None:
    """What the dose check (and the interval it gives) needs: the indication, IgE, weight and age."""
    p.add_argument("--indication", default="", help="asthma, crswnp, csu or food-allergy (the label dose check)")
    p.add_argument("--ige", help="pre-treatment total IgE, IU/mL")
    p.add_argument("--weight", help="body weight, kg")
    p.add_argument("--age", help="age in years")


def _clinical(args: argparse.Namespace) -> dict[str, str]:
    return {"indication": args.indication, "ige": args.ige or "", "weight": args.weight or "", "age": args.age or ""}


def _say(message: str) -> None:
    """One line on stderr: a path, an id or a file's text in the message cannot forge a second 'omaliref:' line."""
    sys.stderr.write(f"omaliref: {one_line(message)}\n")


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")


def _today() -> dt.date:
    return dt.date.today()


def _library(*, needs_store: bool = False, importing: bool = False) -> Library:
    """The Library; `needs_store`: the command reports on the imported quarters (review, quarters, changes), so an
    import database that exists but cannot be read is exit 2 with its one sentence, never an empty report.
    `importing`: a database left in place (locked, newer) is said once, by the import's own refusal."""
    from omaliref.data.library import Library

    library = Library.open()
    if needs_store and library.store_problem is not None:
        library.close()
        raise InputError(library.store_problem.rstrip(".") + "; nothing can be reported from it.")
    if importing and library.store_problem is not None and library.database.exists():
        return library
    for notice in library.notices:  # a damaged import database was set aside: said once, the command goes on
        _say(notice)
    for notice in library.sync_site():  # the site settings' typos, then its new CMS files, before the command reads
        _say(notice)
    return library


def _case(args: argparse.Namespace, library: Library, **extra: str) -> Case:
    """The one Case for the command's arguments (units, check and checklist share them)."""
    from omaliref.domain.case import case_from_input, parse_payer

    for notice in library.profiles.notices:  # an organization payer file left out: said before the case uses one
        _say(notice)
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
    return case_from_input(
        profile=profile,
        code=args.code,
        today=_today(),
        dose=args.dose,
        containers=args.package,
        date=args.date or "",
        payer=args.payer or profile.kind,
        setting=chosen["setting"],
        modifier_340b=chosen["modifier_340b"],
        separately_payable=not args.not_separately_payable,
        single_dose_confirmed=args.single_dose,  # confirms the --package NDCs only, never one the calculator chose
        single_dose_ndcs=(),
        last_dose=args.last_dose,
        supplied_by=args.supplied_by,
        **extra,
    )


def cmd_search(args: argparse.Namespace) -> int:
    from omaliref.domain.case import parse_whole
    from omaliref.report import as_json, as_text

    limit = parse_whole(args.limit, "limit", 1, 500)
    query = " ".join(args.query)
    hits = _library().search(query, limit)
    _emit(args, as_json.search(query, hits), as_text.search(query, hits))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    data = as_json.entry(_library().entry(args.id))
    _emit(args, data, as_text.entry(data))
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    form = "json" if args.json else args.format.strip().lower()
    if form not in OUTPUT_FORMATS:
        raise InputError(f"Format '{args.format[:40]}' is not known: use {', '.join(OUTPUT_FORMATS)}.")
    library = _library()
    outcome = library.evaluate(_case(args, library, charge=args.charge, **_clinical(args)))
    data = as_json.units(library.catalog_for(outcome.case.code, outcome.case.date_of_service), outcome)
    if form != "text":  # stdout stays pure for machines; where the profile's values come from goes to stderr
        sys.stderr.write(f"omaliref: {data['provenance']}\n")
    if form == "json":
        args.json = True
        _emit(args, data, "")
    else:
        _emit(args, data, as_text.outcome(outcome) if form == "text" else as_text.claim_form(data, form))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    library = _library()
    result = library.check_line(_case(args, library, units=args.units))
    _emit(args, as_json.line_check(result), as_text.line_check(result))
    return 0


def cmd_dose(args: argparse.Namespace) -> int:
    from omaliref.data.library import Library
    from omaliref.domain.case import parse_indication, parse_optional_number
    from omaliref.report import as_json

    drug = args.drug.strip().lower()
    if drug not in ("omalizumab", "xolair", "omlyclo", "j2357", "q5154"):
        raise InputError(f"Dose tables are only in the data pack for omalizumab, not '{args.drug[:40]}'.")
    indication = parse_indication(args.indication)
    if indication is None:
        raise InputError("Give the indication: asthma, crswnp, csu or food-allergy.", field="indication")
    answer = Library.label_dose(
        indication,
        ige=parse_optional_number(args.ige, "IgE", "ige"),
        weight_kg=parse_optional_number(args.weight, "weight", "weight"),
        age_years=parse_optional_number(args.age, "age", "age"),
    )
    _emit(args, as_json.dose_answer(answer), answer.message)
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    library = _library()
    case = _case(args, library, **_clinical(args))
    outcome = library.evaluate(case)
    catalog = library.catalog_for(case.code, case.date_of_service)
    if args.json:  # stdout stays pure JSON; the profile and the defaults the lines rest on go to stderr
        sys.stderr.write(f"omaliref: {as_text.provenance_summary(outcome)}\n")
    _emit(args, as_json.checklist(catalog, outcome), as_text.checklist_summary(catalog, outcome))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Exit 0 when no line has an error-severity finding, 1 when one does; unreadable input is exit 2."""
    import io
    from collections import Counter

    from omaliref.data.library import Library
    from omaliref.domain.case import parse_setting
    from omaliref.report import as_json, as_text

    library = _library()
    profile = library.profile_for(profile_id=args.payer_profile)
    setting = parse_setting(args.setting)
    name = "standard input" if args.file == "-" else args.file
    try:
        stream = (
            io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
            if args.file == "-"
            else open(args.file, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
        )
    except OSError as exc:
        raise InputError(f"{name[:200]} cannot be read ({exc.strerror or exc.__class__.__name__}).") from None
    with stream:
        given = Library.read_keyed_lines(stream, name)
        audited = library.audit(given.lines, profile, setting, args.acquired_340b)
        if not args.json:
            results = list(audited)  # worst first: the text needs every line before the first block
            data = as_json.audit(
                given.kind, given.skipped_columns, given.unused_columns, results, profile.id, args.acquired_340b
            )
            _emit(args, data, as_text.audit(data, name))
            return 1 if data["counts"]["error"] else 0
        worst: Counter[str | None] = Counter()
        judged = 0
        sys.stdout.write('{\n  "lines": [')
        for n, result in enumerate(audited):  # streamed, one object per line (json's C encoder: no indent)
            sys.stdout.write(
                ("," if n else "") + "\n    " + json.dumps(as_json.audited_line(result), ensure_ascii=False)
            )
            worst[result.worst] += 1
            judged += result.judged
    summary = {
        "input": as_json.audit_input(
            given.kind, given.skipped_columns, given.unused_columns, profile.id, args.acquired_340b
        ),
        "counts": as_json.audit_counts(sum(worst.values()), judged, worst),
    }
    sys.stdout.write(("\n  " if worst else "") + "]," + json.dumps(summary, indent=2, ensure_ascii=False)[1:] + "\n")
    return 1 if worst["error"] else 0


def _progress_bar() -> Any:
    """A bar on stderr that moves with the rows, when stderr is a terminal (never in a pipe or a log)."""
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return None
    import shutil

    from omaliref.report.progress_bar import TerminalBar

    return TerminalBar(sys.stderr, shutil.get_terminal_size().columns)


def cmd_import(args: argparse.Namespace) -> int:
    from omaliref.domain.cms import FileFormatError
    from omaliref.domain.quarter import Quarter
    from omaliref.report import as_json, as_text

    try:
        quarter = Quarter.parse(args.quarter) if args.quarter.strip() else None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    library = _library(importing=True)
    bar = _progress_bar()
    try:
        reports = library.import_files(args.paths, quarter=quarter, progress=bar)
    except FileFormatError as exc:
        raise InputError(f"Nothing was imported: {exc}.") from None
    finally:
        if bar is not None:
            bar.close()
    data = as_json.import_reports(reports, library.quarters())
    _emit(args, data, as_text.import_reports(data))
    return 0


def cmd_quarters(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    data = as_json.quarters(_library(needs_store=True).imports())
    _emit(args, data, as_text.quarters(data))
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from omaliref.domain.quarter import Quarter
    from omaliref.report import as_json, as_text

    try:
        old, new = str(Quarter.parse(args.from_quarter)), str(Quarter.parse(args.to_quarter))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    codes = {c.strip().upper() for c in args.codes.split(",") if c.strip()} or None
    diff = _library(needs_store=True).changes(old, new, codes)
    data = as_json.changes(old, new, codes, diff)
    _emit(args, data, as_text.changes(data, list(diff)))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Exit 0 when nothing contradicts the pack, 1 when something does (scripts can gate on it)."""
    from omaliref.domain.quarter import Quarter
    from omaliref.report import as_json, as_text

    try:
        quarter = str(Quarter.parse(args.quarter)) if args.quarter else None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    library = _library(needs_store=True)
    data = as_json.review(quarter, library.catalog.info.version, library.review(quarter))
    _emit(args, data, as_text.review(data))
    return 1 if data["counts"]["contradicted"] else 0


def cmd_payers(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    action = args.action or "list"
    if action == "check":
        from omaliref.data.library import Library

        if not args.target:
            raise InputError("Name the payer file to check: omaliref payers check FILE.")
        path = args.target
        try:
            text = Library.read_payer_text(Path(path))  # a regular file under the size cap, or exit 3 saying which
        except PackError as exc:
            _say(f"the payer file is invalid: {exc}.")
            if getattr(args, "json", False):
                problem = {"line": 0, "record": exc.record, "field": "", "value": "", "why": exc.problem}
                _emit(args, {"file": path, "problems": [problem]}, "")
            return 3
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"The payer file {path[:200]} cannot be read ({exc.__class__.__name__}).") from None
        checked = _library().check_payer_file(text, path)
        if checked.problems:
            count = len(checked.problems)
            plural = "s" if count > 1 else ""
            _say(f"the payer file is invalid: {path}: {count} problem{plural}:")
            sys.stderr.write("".join(f"  {one_line(str(problem))}\n" for problem in checked.problems))
            if getattr(args, "json", False):
                _emit(args, {"file": path, "problems": [dataclasses.asdict(p) for p in checked.problems]}, "")
            return 3
        found = checked.profiles
        data = {"file": path, "profiles": [as_json.profile(p) for p in found], "problems": []}
        _emit(args, data, f"{path}: {len(found)} payer profile(s) valid: " + ", ".join(p.id for p in found))
        return 0
    library = _library()
    profiles = library.profiles
    for notice in profiles.notices:
        _say(notice)
    if action == "show":
        if not args.target:
            raise InputError("Name the profile to show: omaliref payers show ID.")
        p = library.profile(args.target)
        _emit(args, as_json.profile(p), as_text.profile(p))
        return 0
    if action != "list":
        raise InputError(f"'{action[:40]}' is not a payers action: use list, show ID or check FILE.")
    data = {
        "profiles": [as_json.profile(p) for p in profiles.by_id.values()],
        "files": list(profiles.files),
        "notices": list(profiles.notices),
    }
    _emit(args, data, as_text.profiles(list(profiles.by_id.values())))
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
        count = len(checked.problems)
        _say(f"the site folder {args.folder[:200]} has {count} problem{'s' if count > 1 else ''}:")
        sys.stderr.write("".join(f"  {one_line(str(problem))}\n" for problem in checked.problems))
    _emit(args, data, as_text.site_check(data))
    return 3 if checked.problems else 0


COMMANDS = {
    "payers": cmd_payers,
    "search": cmd_search,
    "show": cmd_show,
    "units": cmd_units,
    "check": cmd_check,
    "dose": cmd_dose,
    "checklist": cmd_checklist,
    "import": cmd_import,
    "quarters": cmd_quarters,
    "review": cmd_review,
    "changes": cmd_changes,
    "site": cmd_site,
    "audit": cmd_audit,
}


VALUE_OPTIONS = (
    "--dose",
    "--units",
    "--ige",
    "--weight",
    "--age",
    "--limit",
    "--package",
    "--date",
    "--last-dose",
    "--charge",
    "--supplied-by",
)


def _bind_negative_values(argv: Sequence[str]) -> list[str]:
    """'--dose -150mg' -> '--dose=-150mg', so a negative amount gets its own sentence instead of argparse's
    'expected one argument'."""
    out: list[str] = []
    for token in argv:
        if out and out[-1] in VALUE_OPTIONS and token[:1] == "-" and token[1:2].isdigit() | (token[1:2] == "."):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _screenshot_size(text: str) -> tuple[int, int]:
    """'1366x768' -> (1366, 768), within what a screen can be."""
    import re

    match = re.fullmatch(r"\s*(\d{3,5})\s*[xX×]\s*(\d{3,5})\s*", text)
    if not match or not (640 <= int(match.group(1)) <= 7680 and 480 <= int(match.group(2)) <= 4320):
        raise InputError(f"--size '{text[:40]}' is not a window size: use WIDTHxHEIGHT, e.g. 1366x768.")
    return int(match.group(1)), int(match.group(2))


def _tolerant_output() -> None:
    """A console or file on a legacy code page (cp1252 on Windows) cannot encode every character the pack uses
    (≤, —, ×): such characters are replaced, the command never crashes on its own output."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _drop_stdout() -> None:
    """After a failed write, send what is left to nowhere so the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - open until the process ends


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    args = build_parser().parse_args(_bind_negative_values(sys.argv[1:] if argv is None else argv))
    if args.state_dir:
        os.environ["OMALIREF_STATE_DIR"] = args.state_dir
    try:
        if args.command:
            return COMMANDS[args.command](args)
        from omaliref.app import run  # Qt only when the GUI is asked for

        size = _screenshot_size(args.size) if args.size else None
        if args.screenshot and Path(args.screenshot).exists() and not Path(args.screenshot).is_dir():
            raise InputError(f"--screenshot needs a folder; {args.screenshot[:200]} is a file.")
        return run(smoke_test=args.smoke_test, screenshot_dir=args.screenshot, state_dir=args.state_dir, size=size)
    except PackError as exc:
        _say(f"the data pack is invalid: {exc}")
        return 3
    except (InputError, OmalirefError) as exc:
        _say(str(exc))
        return 2
    except BrokenPipeError:  # output piped into head and closed: not an error for the user
        _drop_stdout()
        return 0
    except OSError as exc:  # a full disk, an unwritable output, a path too long: one sentence naming it
        _drop_stdout()
        what = exc.strerror or exc.__class__.__name__
        where = f" ({str(exc.filename)[:200]})" if exc.filename else ": the output could not be written"
        _say(f"{what}{where}.")
        return 2
    except KeyboardInterrupt:  # Ctrl-C: an import in progress rolls back; the data before it is intact
        sys.stderr.write("omaliref: interrupted; nothing half-done was kept.\n")
        return 130
