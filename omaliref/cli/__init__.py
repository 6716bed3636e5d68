"""Command line: headless look-ups and calculations; starts the GUI only when asked. No Qt import at top.

`parser` holds the grammar, `common` what every command shares (the Library, the one Case, the output), `cases`
the coder's commands and `files` the commands about CMS quarters, payer files and the site folder."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from omaliref.cli.cases import cmd_audit, cmd_check, cmd_checklist, cmd_dose, cmd_search, cmd_show, cmd_units
from omaliref.cli.common import say
from omaliref.cli.files import cmd_changes, cmd_import, cmd_payers, cmd_quarters, cmd_review, cmd_site
from omaliref.cli.parser import build_parser
from omaliref.domain.errors import InputError, OmalirefError, PackError

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS: dict[str, Callable[..., int]] = {
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
        say(f"the data pack is invalid: {exc}")
        return 3
    except (InputError, OmalirefError) as exc:
        say(str(exc))
        return 2
    except BrokenPipeError:  # output piped into head and closed: not an error for the user
        _drop_stdout()
        return 0
    except OSError as exc:  # a full disk, an unwritable output, a path too long: one sentence naming it
        _drop_stdout()
        what = exc.strerror or exc.__class__.__name__
        where = f" ({str(exc.filename)[:200]})" if exc.filename else ": the output could not be written"
        say(f"{what}{where}.")
        return 2
    except KeyboardInterrupt:  # Ctrl-C: an import in progress rolls back; the data before it is intact
        sys.stderr.write("omaliref: interrupted; nothing half-done was kept.\n")
        return 130
