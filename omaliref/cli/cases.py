"""The coder's commands: search and show the reference, and the case commands (units, check, checklist, dose),
and the audit of lines already keyed."""

from __future__ import annotations

import argparse
import json
import sys

from omaliref.cli.common import case_for, clinical, emit, open_library
from omaliref.domain.errors import InputError
from omaliref.domain.vocab import OUTPUT_FORMATS


def cmd_search(args: argparse.Namespace) -> int:
    from omaliref.domain.case import parse_whole
    from omaliref.report import as_json, as_text

    limit = parse_whole(args.limit, "limit", 1, 500)
    query = " ".join(args.query)
    hits = open_library().search(query, limit)
    emit(args, as_json.search(query, hits), as_text.search(query, hits))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    data = as_json.entry(open_library().entry(args.id))
    emit(args, data, as_text.entry(data))
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    form = "json" if args.json else args.format.strip().lower()
    if form not in OUTPUT_FORMATS:
        raise InputError(f"Format '{args.format[:40]}' is not known: use {', '.join(OUTPUT_FORMATS)}.")
    library = open_library()
    outcome = library.evaluate(case_for(args, library, charge=args.charge, **clinical(args)))
    data = as_json.units(library.catalog_for(outcome.case.code, outcome.case.date_of_service), outcome)
    if form != "text":  # stdout stays pure for machines; where the profile's values come from goes to stderr
        sys.stderr.write(f"omaliref: {data['provenance']}\n")
    if form == "json":
        args.json = True
        emit(args, data, "")
    else:
        emit(args, data, as_text.outcome(outcome) if form == "text" else as_text.claim_form(data, form))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    library = open_library()
    result = library.check_line(case_for(args, library, units=args.units))
    emit(args, as_json.line_check(result), as_text.line_check(result))
    return 0


def cmd_dose(args: argparse.Namespace) -> int:
    from omaliref.data.library import Library
    from omaliref.domain.case import parse_indication, parse_optional_number
    from omaliref.report import as_json

    drug = args.drug.strip().lower()
    if drug not in Library.dose_names():  # the codes the pack's dose tables dose, their drug and brands
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
    emit(args, as_json.dose_answer(answer), answer.message)
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    from omaliref.report import as_json, as_text

    library = open_library()
    case = case_for(args, library, **clinical(args))
    outcome = library.evaluate(case)
    catalog = library.catalog_for(case.code, case.date_of_service)
    if args.json:  # stdout stays pure JSON; the profile and the defaults the lines rest on go to stderr
        sys.stderr.write(f"omaliref: {as_text.provenance_summary(outcome)}\n")
    emit(args, as_json.checklist(catalog, outcome), as_text.checklist_summary(catalog, outcome))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Exit 0 when no line has an error-severity finding, 1 when one does; unreadable input is exit 2."""
    import io
    from collections import Counter

    from omaliref.data.library import Library
    from omaliref.domain.case import parse_setting
    from omaliref.report import as_json, as_text

    library = open_library()
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
            emit(args, data, as_text.audit(data, name))
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
