"""Command line: headless look-ups and calculations; starts the GUI only when asked. No Qt import at top."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from omaliref.domain.errors import InputError, OmalirefError, PackError, UnknownIdError

PAYER_CHOICES = ("medicare", "medicaid", "commercial")


class _VersionAction(argparse.Action):
    """Looks the version up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        import omaliref

        sys.stdout.write(f"omaliref {omaliref.__version__}\n")
        raise SystemExit(0)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one sentence on stderr (exit 2), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"omaliref: {message} (see 'omaliref --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="omaliref", description="Charge-entry reference and unit & waste calculator for "
                     "omalizumab (J2357) and look-alike drug codes. With no command, starts the app.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--state-dir", help="folder for everything the app writes (overrides OMALIREF_STATE_DIR)")
    parser.add_argument("--smoke-test", action="store_true", help="build the window, search, calculate, exit 0")
    parser.add_argument("--screenshot", metavar="DIR", help="write a PNG of each pane to DIR and exit")
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
        p.add_argument("--dose", required=dose_required, help="amount with unit: 375mg, 1350mcg, 2400000units, 1implant")
        p.add_argument("--package", action="append", default=[], metavar="NDC[xCOUNT]",
                       help="container opened, by NDC, with a count: 50242-0040-62x2 (repeatable)")
        p.add_argument("--date", help="date of service YYYY-MM-DD (default today)")
        p.add_argument("--payer", default="medicare", help="medicare, medicaid or commercial")
        p.add_argument("--340b", dest="modifier_340b", default="", help="the organization's 340B modifier: JG or TB")
        p.add_argument("--not-separately-payable", action="store_true",
                       help="packaged OPPS, FQHC/RHC or CAP: no JW/JZ")
        p.add_argument("--single-dose", action="store_true",
                       help="the label says single-dose (for packages whose status the data does not give)")
        p.add_argument("--json", action="store_true")

    case_args(sub.add_parser("units", help="claim lines for a dose and the containers opened"), True)

    p = sub.add_parser("check", help="check the units you intend to bill")
    p.add_argument("code")
    p.add_argument("--dose", required=True)
    p.add_argument("--units", required=True)
    p.add_argument("--package", action="append", default=[])
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("dose", help="omalizumab label dose from the verified US tables")
    p.add_argument("drug")
    p.add_argument("--indication", required=True, help="asthma, crswnp, csu or food-allergy")
    p.add_argument("--ige", help="pre-treatment total IgE, IU/mL")
    p.add_argument("--weight", help="body weight, kg")
    p.add_argument("--age", help="age in years")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("import", help="import CMS quarterly files (zips as downloaded, or extracted files)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("quarters", help="list the imported CMS quarters")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("changes", help="what changed between two imported quarters")
    p.add_argument("--from", dest="from_quarter", required=True, metavar="QUARTER", help="e.g. 2027Q1")
    p.add_argument("--to", dest="to_quarter", required=True, metavar="QUARTER")
    p.add_argument("--codes", default="", help="comma-separated codes to limit the report to")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("checklist", help="documentation and denial-risk checks for a case")
    case_args(p, False)
    p.add_argument("--indication", default="")
    p.add_argument("--setting", default="office", help="office or hospital-outpatient")
    p.add_argument("--ige")
    p.add_argument("--weight")
    p.add_argument("--age")
    return parser


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")


def _whole(text: str, what: str, low: int, high: int) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.lstrip("-").isdigit():
        raise InputError(f"The {what} '{stripped[:40]}' must be a whole number.")
    value = int(stripped)
    if not low <= value <= high:
        raise InputError(f"The {what} must be from {low} to {high}.")
    return value


def _today() -> dt.date:
    return dt.date.today()


def cmd_search(args: argparse.Namespace) -> int:
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain import serialize
    from omaliref.domain.search import SearchIndex

    from omaliref.data.cms_catalog import search_entries
    from omaliref.domain.search import entries_from_catalog

    limit = _whole(args.limit, "limit", 1, 500)
    query = " ".join(args.query)
    catalog = shipped_catalog()
    extra = search_entries(catalog, _existing_store())
    index = SearchIndex(entries_from_catalog(catalog) + extra, catalog.corrections) if extra else \
        SearchIndex.from_catalog(catalog)
    hits = index.search(query, limit)
    lines = [f"{i}. [{h.entry.kind}] {h.entry.title}" + "".join(f"\n   ! {a}" for a in h.alerts)
             for i, h in enumerate(hits, 1)] or [f"No match for '{query}'."]
    _emit(args, {"query": query, "results": [serialize.hit(h) for h in hits]}, "\n".join(lines))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain import serialize
    from omaliref.domain.model import normalize_code

    from omaliref.data.cms_catalog import catalog_with_latest, imported_view, source_id

    catalog = shipped_catalog()
    store = _existing_store()
    ident = args.id.strip()
    key = normalize_code(ident)
    imported = imported_view(catalog, store, key) if store is not None and len(key) == 5 else None
    if key in catalog.codes:
        data = serialize.code(catalog, catalog.codes[key])
        if imported:
            data["imported"] = imported
            data["conflicts"] = [c for q in imported["quarters"] for c in q["conflicts"]]
        text = _code_text(data) + "".join(f"\n! CONFLICT: {c}" for c in data.get("conflicts", []))
    elif imported and store is not None and key in (merged := catalog_with_latest(catalog, store, key)).codes:
        quarter = store.latest_hcpcs_quarter()
        code = merged.codes[key]
        data = serialize.code(merged, code) | {"imported": imported, "origin": "cms-import",
                                                "field_sources": {"descriptor": source_id(str(quarter), "hcpcs"),
                                                                  "billing_unit": code.provenance.sources[-1]}}
        text = _code_text(data) + f"\n(imported from the CMS files, {quarter}; not in the curated pack)"
    elif key in catalog.modifiers:
        data = serialize.modifier(catalog, catalog.modifiers[key])
        text = f"{data['code']} — {data['descriptor']}\n{data['meaning']}"
    elif ident.lower() in catalog.topics:
        data = serialize.topic(catalog, catalog.topics[ident.lower()]) | {"kind": "topic"}
        text = f"{data['title']}\n\n{data['body']}"
    else:
        try:
            product = catalog.product(ident)
        except UnknownIdError:
            raise UnknownIdError(f"'{ident[:40]}' is not a code, modifier, NDC or topic in the data pack; "
                                 "try 'omaliref search'.") from None
        data = serialize.product(catalog, product) | {"kind": "product", "id": product.ndc}
        text = (f"{data['ndc']} — {data['brand']} {data['presentation']}\n{data['code']}: "
                f"{data['units_per_container']} units per container; marketing status {data['marketing_status']}")
    _emit(args, data, text)
    return 0


def _code_text(data: dict[str, Any]) -> str:
    unit = data["billing_unit"]
    out = [f"{data['code']} — {data['descriptor']}",
           f"1 unit = {unit['amount']} {unit['unit']}" + ("" if data["unit_verified"] else "  (NOT VERIFIED)"),
           f"Status: {data['status']}; confidence {data['confidence']}; as of {data['as_of']}"]
    out += [f"! {a}" for a in data["alerts"]]
    out.append(data["summary"])
    for p in data["products"]:
        out.append(f"  {p['ndc']}  {p['presentation']}  ({p['units_per_container']} units)")
    for s in data["sections"]:
        out += ["", s["title"], s["body"]]
    return "\n".join(out)


def _request(args: argparse.Namespace) -> Any:
    from omaliref.domain.calculator import CalcRequest, parse_containers, parse_date, parse_dose

    if args.payer not in PAYER_CHOICES:
        raise InputError(f"Payer '{args.payer[:40]}' is not known: use medicare, medicaid or commercial.")
    modifier = args.modifier_340b.strip().upper()
    if modifier not in ("", "JG", "TB", "NONE"):
        raise InputError(f"340B modifier '{args.modifier_340b[:40]}' is not known: use JG or TB.")
    return CalcRequest(
        code=args.code, dose=parse_dose(args.dose), containers=parse_containers(args.package),
        date_of_service=parse_date(args.date) if args.date else None, payer=args.payer,
        separately_payable=not args.not_separately_payable, modifier_340b="" if modifier == "NONE" else modifier,
        single_dose_confirmed=args.single_dose)


def _calc_text(result: Any) -> str:
    out = [f"{result.code.code} — {result.code.descriptor} (1 unit = {result.code.billing_unit})",
           f"Date of service {result.date_of_service}; payer {result.request.payer}",
           "Containers: " + ", ".join(f"{c.count} x {c.product.ndc} ({c.product.container_amount})"
                                      for c in result.containers),
           f"Administered: {result.dose_in_billing_unit} = {result.administered_units} units; "
           + (f"discarded {result.discarded_amount} = {result.discarded_units} units (JW)" if result.has_jw else
              f"discarded {result.discarded_amount}, no JW line (see the warnings and rules)"
              if result.discarded_amount.amount else "nothing discarded"),
           "", "Claim lines:"]
    out += [f"  {line.keyed_text()}" for line in result.lines]
    if result.admin_code_suggestion:
        out.append(f"  Administration (separate line): {result.admin_code_suggestion}")
    if result.warnings:
        out += ["", "Warnings:"] + [f"  [{w.level}] {w.message}" for w in result.warnings]
    out += ["", "Rules applied: " + ", ".join(result.rules)]
    return "\n".join(out)


def cmd_units(args: argparse.Namespace) -> int:
    from omaliref.data.cms_catalog import calculate_with_imports, catalog_for
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain import serialize

    catalog = shipped_catalog()
    request = _request(args)
    store = _existing_store()
    result = calculate_with_imports(catalog, store, request, today=_today())
    shown = catalog_for(catalog, store, request.code, result.date_of_service)
    _emit(args, serialize.calc_result(shown, result), _calc_text(result))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain.calculator import check_line, parse_containers, parse_dose

    units = _whole(args.units, "units", 1, 1_000_000)
    ok, correct, reasons = check_line(shipped_catalog(), args.code, parse_dose(args.dose), units,
                                      parse_containers(args.package), today=_today())
    payload = {"code": args.code.strip().upper(), "units": units, "correct_units": correct, "ok": ok,
               "reasons": reasons}
    _emit(args, payload, ("OK: " if ok else "MISMATCH: ") + " ".join(reasons))
    return 0


def _fraction(text: str | None, what: str) -> Any:
    from omaliref.domain.quantities import parse_number

    return parse_number(text, what=what) if text is not None else None


def cmd_dose(args: argparse.Namespace) -> int:
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain import serialize
    from omaliref.domain.dosing import label_dose

    drug = args.drug.strip().lower()
    if drug not in ("omalizumab", "xolair", "omlyclo", "j2357", "q5154"):
        raise InputError(f"Dose tables are only in the data pack for omalizumab, not '{args.drug[:40]}'.")
    answer = label_dose(shipped_catalog(), args.indication.strip().lower(), ige=_fraction(args.ige, "IgE"),
                        weight_kg=_fraction(args.weight, "weight"), age_years=_fraction(args.age, "age"))
    _emit(args, serialize.dose_answer(answer), answer.message)
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    from omaliref.data.pack import shipped_catalog
    from omaliref.domain import serialize
    from omaliref.domain.calculator import parse_date
    from omaliref.domain.checklist import Case, evaluate, summary_text
    from omaliref.domain.dosing import label_dose

    from omaliref.data.cms_catalog import calculate_with_imports, catalog_for

    store = _existing_store()
    day = parse_date(args.date) if args.date else _today()
    catalog = catalog_for(shipped_catalog(), store, args.code, day)
    code = catalog.code(args.code).code
    result = calculate_with_imports(catalog, store, _request(args), today=_today()) if args.dose else None
    if args.package and not args.dose:
        raise InputError("--package needs --dose: the containers only mean something with the dose given.")
    indication = args.indication.strip().lower()
    answer = None
    if result is not None and indication and code in ("J2357", "Q5154") and (args.ige and args.weight or indication == "csu"):
        answer = label_dose(catalog, indication, ige=_fraction(args.ige, "IgE"),
                            weight_kg=_fraction(args.weight, "weight"), age_years=_fraction(args.age, "age"))
    case = Case(code=code, payer=args.payer, indication=indication, setting=args.setting.strip().lower(),
                date_of_service=parse_date(args.date) if args.date else None,
                modifier_340b=args.modifier_340b.strip().upper(), result=result, dose_answer=answer)
    evaluation = evaluate(catalog, case)
    _emit(args, serialize.evaluation(catalog, case, evaluation), summary_text(catalog, case, evaluation))
    return 0


def _existing_store() -> Any:
    """The import database if one was created; read-only commands never create it."""
    from omaliref.data.cms_import import DB_NAME, open_store
    from omaliref.data.state import StateDirs

    if not (StateDirs.resolve().data / DB_NAME).exists():
        return None
    return open_store()


def cmd_import(args: argparse.Namespace) -> int:
    from omaliref.data.cms_import import import_paths, open_store
    from omaliref.domain.cms import FileFormatError

    store = open_store()
    try:
        reports = import_paths(store, args.paths)
    except FileFormatError as exc:
        raise InputError(f"Nothing was imported: {exc}.") from None
    payload = {"imported": [r.__dict__ for r in reports], "quarters": store.quarters()}
    text = "\n".join(f"{r.status:9} {r.quarter} {r.kind:9}{(' ' + r.setting) if r.setting else ''}: {r.rows} rows"
                     f"{f' ({r.skipped} CPT/CDT or non-record rows left out)' if r.skipped else ''} — {r.file}"
                     for r in reports)
    _emit(args, payload, text)
    return 0


def cmd_quarters(args: argparse.Namespace) -> int:
    store = _existing_store()
    records = store.imports() if store is not None else []
    payload = {"quarters": [{"quarter": q, "files": [
        {"kind": r.kind, "setting": r.setting or None, "file": r.file, "sha256": r.sha256, "rows": r.rows,
         "effective_from": r.effective_from.isoformat(), "effective_to": r.effective_to.isoformat(),
         "imported_at": r.imported_at} for r in records if r.quarter == q]}
        for q in dict.fromkeys(r.quarter for r in records)]}
    text = "\n".join(f"{q['quarter']}: " + ", ".join(f"{f['kind']}{'/' + f['setting'] if f['setting'] else ''} "
                                                       f"({f['rows']} rows)" for f in q["files"])
                     for q in payload["quarters"]) or "No CMS quarter imported yet (omaliref import PATH…)."
    _emit(args, payload, text)
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from omaliref.domain.cms import Quarter, changes

    try:
        old, new = str(Quarter.parse(args.from_quarter)), str(Quarter.parse(args.to_quarter))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    store = _existing_store()
    have = store.quarters() if store is not None else []
    for q in (old, new):
        if q not in have:
            raise InputError(f"Quarter {q} is not imported (imported: {', '.join(have) or 'none'}).")
    codes = {c.strip().upper() for c in args.codes.split(",") if c.strip()} or None
    tables = {q: {k: store.table(k, q) for k in ("hcpcs", "asp", "crosswalk", "mue")} for q in (old, new)}
    diff = changes(tables[old], tables[new], codes)
    payload = {"from": old, "to": new, "codes": sorted(codes) if codes else None, **diff}
    lines = [f"Changes {old} -> {new}" + (f" for {', '.join(sorted(codes))}" if codes else "")]
    for key, rows in diff.items():
        if rows:
            lines.append(f"{key.replace('_', ' ')} ({len(rows)}):")
            lines += [f"  {row}" for row in rows]
    _emit(args, payload, "\n".join(lines if len(lines) > 1 else lines + ["  no changes"]))
    return 0


COMMANDS = {"search": cmd_search, "show": cmd_show, "units": cmd_units, "check": cmd_check, "dose": cmd_dose,
            "checklist": cmd_checklist, "import": cmd_import, "quarters": cmd_quarters, "changes": cmd_changes}


VALUE_OPTIONS = ("--dose", "--units", "--ige", "--weight", "--age", "--limit", "--package", "--date")


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_bind_negative_values(sys.argv[1:] if argv is None else argv))
    if args.state_dir:
        os.environ["OMALIREF_STATE_DIR"] = args.state_dir
    try:
        if args.command:
            return COMMANDS[args.command](args)
        from omaliref.app import run  # Qt only when the GUI is asked for

        return run(smoke_test=args.smoke_test, screenshot_dir=args.screenshot, state_dir=args.state_dir)
    except PackError as exc:
        sys.stderr.write(f"omaliref: the data pack is invalid: {exc}\n")
        return 3
    except (InputError, OmalirefError) as exc:
        sys.stderr.write(f"omaliref: {exc}\n")
        return 2
    except BrokenPipeError:  # output piped into head and closed: not an error for the user
        return 0
