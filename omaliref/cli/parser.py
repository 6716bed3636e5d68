"""The command line's grammar: one function per command's arguments, and the table that names them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from omaliref.cli.common import say, today


class _VersionAction(argparse.Action):
    """Looks the version up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        import omaliref
        from omaliref.domain.freshness import freshness

        info = _pack_header()
        fresh = freshness(info["as_of"], today())
        sys.stdout.write(
            f"omaliref {omaliref.__version__}\ndata pack {info['version']}, as of {info['as_of']} "
            f"({fresh.age_text})\n" + (f"{fresh.banner}\n" if fresh.stale else "")
        )
        raise SystemExit(0)


def _pack_header() -> dict[str, Any]:
    """The pack's header only. Read here, not through the Library: importing the Library loads the pure core
    (the calculator, the search, the payer profiles), which would triple the time --version takes."""
    from omaliref.data.resources import read_toml

    return read_toml("pack.toml")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one sentence on stderr (exit 2), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        say(f"{message} (see 'omaliref --help')")
        raise SystemExit(2)


def _search(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", default="10")


def _show(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")


def case_args(p: argparse.ArgumentParser, dose_required: bool) -> None:
    """What units, check and checklist share: the code, the dose, the packages, the date, the payer and setting."""
    p.add_argument("code")
    p.add_argument("--dose", required=dose_required, help="amount with unit: 375mg, 1350mcg, 2400000units, 1implant")
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


def clinical_args(p: argparse.ArgumentParser) -> None:
    """What the dose check (and the interval it gives) needs: the indication, IgE, weight and age."""
    p.add_argument("--indication", default="", help="asthma, crswnp, csu or food-allergy (the label dose check)")
    p.add_argument("--ige", help="pre-treatment total IgE, IU/mL")
    p.add_argument("--weight", help="body weight, kg")
    p.add_argument("--age", help="age in years")


def _units(p: argparse.ArgumentParser) -> None:
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


def _check(p: argparse.ArgumentParser) -> None:
    case_args(p, True)
    p.add_argument("--units", required=True)


def _checklist(p: argparse.ArgumentParser) -> None:
    case_args(p, False)
    clinical_args(p)


def _dose(p: argparse.ArgumentParser) -> None:
    p.add_argument("drug")
    p.add_argument("--indication", required=True, help="asthma, crswnp, csu or food-allergy")
    p.add_argument("--ige", help="pre-treatment total IgE, IU/mL")
    p.add_argument("--weight", help="body weight, kg")
    p.add_argument("--age", help="age in years")


def _import(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="FOLDER_OR_FILE")
    p.add_argument("--quarter", default="", help="for a file that does not say its quarter, e.g. 2027Q1")


def _payers(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", default="list", help="list (default), show or check")
    p.add_argument("target", nargs="?", default="", help="the profile id (show) or the file (check)")


def _site(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", help="check")
    p.add_argument("folder", metavar="DIR")


def _review(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quarter", default="", help="the quarter to check against (default: the newest with each file)")


def _changes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_quarter", required=True, metavar="QUARTER", help="e.g. 2027Q1")
    p.add_argument("--to", dest="to_quarter", required=True, metavar="QUARTER")
    p.add_argument("--codes", default="", help="comma-separated codes to limit the report to")


def _audit(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    p.add_argument("--payer-profile", default="", metavar="ID", help="for lines without a payer profile column")
    p.add_argument("--setting", default="office", help="for lines without a setting column")
    p.add_argument(
        "--340b",
        dest="acquired_340b",
        action="store_true",
        help="every line is a 340B-acquired drug (check its modifier)",
    )


# (command, help, its arguments, whether this table adds --json last; units, check and checklist add it in
# case_args, among the case's arguments), in the order --help lists them
SUBCOMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None], bool], ...] = (
    ("search", "search codes, modifiers, NDCs and topics", _search, True),
    ("show", "show one code, modifier, NDC or topic", _show, True),
    ("units", "claim lines for a dose and the containers opened", _units, False),
    ("check", "check the units you intend to bill", _check, False),
    ("dose", "omalizumab label dose from the verified US tables", _dose, True),
    (
        "import",
        "import CMS quarterly files (a folder of downloads, zips as downloaded, or extracted files)",
        _import,
        True,
    ),
    ("payers", "payer profiles: list, show ID, check FILE", _payers, True),
    ("site", "for IT: check a site folder (settings.toml, payers.toml, CMS files)", _site, True),
    ("quarters", "list the imported CMS quarters", lambda p: None, True),
    ("review", "the curated pack against an imported quarter: confirmed, contradicted, not listed", _review, True),
    ("changes", "what changed between two imported quarters", _changes, True),
    ("audit", "check drug lines already keyed (CSV/TSV charge export or 837) for findings", _audit, True),
    ("checklist", "documentation and denial-risk checks for a case", _checklist, False),
)


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
    for name, help_text, add_arguments, json_last in SUBCOMMANDS:
        p = sub.add_parser(name, help=help_text)
        add_arguments(p)
        if json_last:
            p.add_argument("--json", action="store_true")
    return parser
