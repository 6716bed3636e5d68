"""Benchmarks: start-up, search, recompute and memory, against a bare Qt window. Prints a Markdown table.

Run with `sh packaging/dev.sh bench` (or `make bench`); `--json` prints a JSON object instead, `--reps N` sets
the interleaved start-up repetitions (default 7).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from omaliref.data.pack_cache import shipped_catalog
from omaliref.domain.case import CaseInput, case_from_input
from omaliref.domain.model import Catalog, Provenance
from omaliref.domain.outcome import evaluate
from omaliref.domain.quantities import Quantity
from omaliref.domain.search import SearchIndex

HERE = Path(__file__).resolve().parent
SMOKE = "from omaliref.cli import main; raise SystemExit(main(['--smoke-test']))"  # python -m omaliref --smoke-test
TODAY = dt.date(2026, 11, 27)
QUERIES = [
    "J2357",
    "j2357",
    "J-2357",
    "2357",
    "J7402",
    "J7402 omalizumab",
    "J2182",
    "J0490",
    "J0561",
    "J2355",
    "J2356",
    "Q5154",
    "j0517",
    "J2786",
    "jw",
    "jz",
    "jg",
    "tb",
    "ja",
    "25",
    "50242021501",
    "50242-0215-01",
    "5024221501",
    "50242-0040-62",
    "00173088101",
    "4940110101",
    "10599000301",
    "60793-701-10",
    "xolair",
    "Xolair",
    "omalizumab",
    "omlyclo",
    "nucala",
    "benlysta",
    "bicillin",
    "sinuva",
    "mepolizumab",
    "belimumab",
    "omalizumb",
    "xoliar",
    "nucalla",
    "benlysat",
    "waste",
    "340B",
    "prior authorization",
    "anaphylaxis",
    "step therapy",
    "self administered",
    "vial omalizumab",
    "discarded drug",
    "ndc unit",
    "mue",
    "a",
    "j",
    "o",
    "x",
    "5",
    "omal",
    "xol",
    "penicillin units",
    "nasal polyps",
    "urticaria",
    "food allergy dose",
]
CASES = [
    ("J2357", "375mg", []),
    ("J2357", "150mg", []),
    ("J2357", "225mg", ["50242-0040-62x2"]),
    ("J2357", "75mg", ["50242-0040-62"]),
    ("J2357", "600mg", []),
    ("J0490", "735mg", []),
    ("J0490", "735mg", ["49401-0102-01", "49401-0101-01x3"]),
    ("J0490", "305mg", ["49401-0102-01"]),
    ("J2182", "40mg", ["00173-0881-01"]),
    ("J2182", "300mg", []),
    ("J0561", "2.4MU", []),
    ("J0561", "1150000units", ["60793-0701-10"]),
    ("J7402", "2implants", []),
    ("Q5154", "300mg", []),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_calls(fn, items, reps: int) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(reps):
        for item in items:
            t = time.perf_counter()
            fn(item)
            timings.append((time.perf_counter() - t) * 1000)
    return timings


WORDS = [
    "ab",
    "ac",
    "ad",
    "al",
    "am",
    "an",
    "ar",
    "as",
    "at",
    "ax",
    "be",
    "bi",
    "bo",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "ga",
    "ge",
    "gi",
    "go",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "xa",
    "ze",
    "zi",
    "zo",
]


def synthetic_catalog(base: Catalog, size: int, seed: int = 7) -> Catalog:
    """The shipped pack plus `size` generated drug codes: about the size of the whole HCPCS Level II set."""
    rng = random.Random(seed)
    codes = dict(base.codes)
    template = base.codes["J2357"]
    prov = Provenance("low", template.provenance.sources, template.provenance.as_of)
    letters = "ABCDEGJKLQSV"
    while len(codes) < len(base.codes) + size:
        code = f"{rng.choice(letters)}{rng.randint(0, 9999):04d}"
        if code in codes:
            continue
        drug = "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 5))) + rng.choice(("mab", "cept", "ine", "ide"))
        brand = "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3))).capitalize()
        amount = rng.choice(("1", "5", "10", "50", "100"))
        codes[code] = replace(
            template,
            code=code,
            descriptor=f"Injection, {drug}, {amount} mg",
            drug=drug,
            brands=(brand,),
            summary=f"Synthetic {drug} ({brand})",
            lookalikes=(),
            notes=(),
            billing_unit=Quantity(template.billing_unit.amount, "mg"),
            provenance=prov,
        )
    return replace(base, codes=codes)


FROZEN = HERE.parents[1] / "dist" / "omaliref" / "omaliref"


def imported_search(catalog: Catalog) -> dict[str, float]:
    """Import a synthetic 10,000-code ANWEB file through the real import path, then search curated + imported."""
    import tempfile

    sys.path.insert(0, str(HERE.parents[1]))
    from omaliref.data.cms_catalog import search_entries
    from omaliref.data.cms_import import import_paths
    from omaliref.data.cms_store import CmsStore
    from omaliref.domain.search import entries_from_catalog
    from tests.fixtures.cms import big_anweb, write_zip

    with tempfile.TemporaryDirectory() as folder:
        path = write_zip(
            Path(folder) / "october-2027-alpha-numeric-hcpcs-file.zip",
            {"HCPC2027_OCT_ANWEB_vBENCH.txt": big_anweb(10_000)},
        )
        store = CmsStore(Path(folder) / "cms.sqlite3")
        t = time.perf_counter()
        import_paths(store, [path])
        import_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        index = SearchIndex(entries_from_catalog(catalog) + search_entries(catalog, store), catalog.corrections)
        build_ms = (time.perf_counter() - t) * 1000
        timings = time_calls(lambda q: index.search(q, 20), QUERIES, 5)
        store.close()
    return {
        "p50": percentile(timings, 50),
        "p99": percentile(timings, 99),
        "build": build_ms,
        "import": import_ms,
        "entries": len(index.entries),
    }


def real_files_import() -> dict[str, float] | None:
    """Import every file in OMALIREF_CMS_REAL (real CMS downloads) through the real import path; None without it."""
    import tempfile

    folder = Path(os.environ.get("OMALIREF_CMS_REAL", "") or "/nonexistent")
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in {".zip", ".csv", ".txt", ".xlsx"}
    )
    if not files:
        return None
    from omaliref.data.cms_import import import_paths
    from omaliref.data.cms_store import CmsStore

    with tempfile.TemporaryDirectory() as work:
        store = CmsStore(Path(work) / "cms.sqlite3")
        t = time.perf_counter()
        reports = import_paths(store, files)
        seconds = time.perf_counter() - t
        store.close()
    return {"files": len(files), "rows": sum(r.rows for r in reports), "s": seconds}


def _peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM on Linux (getrusage's ru_maxrss carries the forking parent's peak across
    exec: every row read the benchmark's 249 MB), else ru_maxrss."""
    import resource

    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_once(files: list[str]) -> dict[str, float]:
    """In a fresh process (its own peak RSS): the files through the real import path, one command's work."""
    import tempfile

    from omaliref.data.cms_import import import_paths
    from omaliref.data.cms_store import CmsStore

    with tempfile.TemporaryDirectory() as work:
        store = CmsStore(Path(work) / "cms.sqlite3")
        t, cpu = time.perf_counter(), time.process_time()
        reports = import_paths(store, files)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        store.close()
    return {"s": seconds, "cpu": cpu, "rows": sum(r.rows for r in reports), "rss": _peak_rss_mb()}


def _floor_once(files: list[str]) -> dict[str, float]:
    """The bare readers over the same files: csv.reader over a CSV, lines of a TXT, calamine's rows of a workbook."""
    import csv
    import io
    import zipfile

    t, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for name in files:
        data = Path(name).read_bytes()
        if data[:2] == b"PK" and "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist():
            from python_calamine import CalamineWorkbook

            with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
                rows += sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
        elif name.lower().endswith(".csv"):
            rows += sum(1 for _ in csv.reader(io.StringIO(data.decode("cp1252"), newline="")))
        else:
            rows += len(data.decode("latin-1").splitlines())
    return {"s": time.perf_counter() - t, "cpu": time.process_time() - cpu, "rows": rows, "rss": _peak_rss_mb()}


def _in_process(mode: str, files: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", mode, *files], capture_output=True, text=True, timeout=600, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} {files} failed: {out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def cms_import_sets(folder: Path, work: Path) -> dict[str, list[str]]:
    """The import benchmark's file sets from a folder of real CMS downloads (OMALIREF_CMS_REAL): the 2025Q4 HCPCS
    XLSX, the 2019 HCPCS TXT and XLSX editions (the same records, taken out of CMS's zip), and a full quarter:
    that XLSX with the latest ASP file, the latest crosswalk and the three MUE tables."""
    import zipfile

    from omaliref.data.cms_import import read_members
    from omaliref.domain.cms import decode, parse

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sets: dict[str, list[str]] = {}
    x25 = next((p for p in files if p.name == "HCPC2025_OCT_ANWEB.xlsx"), None)
    if x25 is not None:
        sets["hcpcs_2025q4_xlsx"] = [str(x25)]
    zip19 = next((p for p in files if p.name == "2019-Alpha-Numeric-HCPCS-File.zip"), None)
    if zip19 is not None:
        with zipfile.ZipFile(zip19) as archive:
            for suffix, key in ((".txt", "hcpcs_2019_txt"), (".xlsx", "hcpcs_2019_xlsx")):
                member = "HCPC2019_CONTR_ANWEB" + suffix
                (work / member).write_bytes(archive.read(member))
                sets[key] = [str(work / member)]
    latest: dict[str, tuple[str, Path]] = {}
    mue: list[str] = []
    for path in files:
        if path.suffix.lower() != ".csv":
            continue
        (member,) = read_members([path])
        if member.kind == "mue":
            mue.append(str(path))
            continue
        quarter = str(parse(member.kind, decode(member.data), member.name).quarter)
        if member.kind not in latest or quarter > latest[member.kind][0]:
            latest[member.kind] = (quarter, path)
    if x25 is not None and len(latest) == 2 and len(mue) == 3:
        sets["full_quarter"] = [str(x25), str(latest["asp"][1]), str(latest["crosswalk"][1]), *mue]
    return sets


def cms_import_bench(reps: int = 3) -> dict[str, dict[str, float]] | None:
    """Each file set imported and read bare (the floor), in fresh processes, interleaved; medians."""
    import tempfile

    folder = Path(os.environ.get("OMALIREF_CMS_REAL", "") or "/nonexistent")
    if not folder.is_dir():
        return None
    with tempfile.TemporaryDirectory() as work:
        sets = cms_import_sets(folder, Path(work))
        runs: dict[str, dict[str, list[float]]] = {
            k: {"s": [], "floor_s": [], "rss": [], "floor_rss": []} for k in sets
        }
        rows: dict[str, float] = {}
        for round_ in range(reps * PAIR_REPS_FACTOR):
            for key, files in sets.items():
                if round_ >= reps and not key.startswith("hcpcs_2019"):
                    continue  # the cheap 2019 pair runs more rounds: one round's ratio swings ±30 % on a busy VM
                imported, floor = _in_process("import", files), _in_process("floor", files)
                runs[key]["s"].append(imported["s"])
                runs[key]["rss"].append(imported["rss"])
                runs[key]["floor_s"].append(floor["s"])
                runs[key]["floor_rss"].append(floor["rss"])
                rows[key] = imported["rows"]
    out = {}
    for key, measured in runs.items():
        med = {k: statistics.median(v) for k, v in measured.items()}
        out[key] = {**med, "rows": rows[key], "rows_per_s": rows[key] / med["s"], "ratio": med["s"] / med["floor_s"]}
    if "hcpcs_2019_txt" in runs and "hcpcs_2019_xlsx" in runs:  # each round's XLSX against the same round's TXT
        xlsx, txt = runs["hcpcs_2019_xlsx"], runs["hcpcs_2019_txt"]
        out["hcpcs_2019_xlsx"]["paired_ratio"] = statistics.median(
            x / t for x, t in zip(xlsx["s"], txt["s"], strict=True)
        )
        # what omaliref adds above each edition's bare reader (calamine's parse; the TXT's lines), round by round
        above = zip(xlsx["s"], xlsx["floor_s"], txt["s"], txt["floor_s"], strict=True)
        out["hcpcs_2019_xlsx"]["paired_above_floor_ratio"] = statistics.median(
            (x - xf) / (t - tf) for x, xf, t, tf in above
        )
        out["hcpcs_2019_xlsx"]["rounds"] = len(xlsx["s"])
    return out


CMS_STATE = HERE / ".bench-state-cms"
PAIR_REPS_FACTOR = 3  # the 2019 TXT/XLSX pair: rounds per round of the larger sets


def prepare_cms_state() -> Path:
    """A state folder with a full-size quarter imported (a 10,000-code ANWEB file through the real import path):
    the start-up with imported CMS data has its own target (#17)."""
    import shutil
    import tempfile

    sys.path.insert(0, str(HERE.parents[1]))
    from omaliref.data.library import Library
    from tests.fixtures.cms import big_anweb, write_zip

    shutil.rmtree(CMS_STATE, ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        path = write_zip(
            Path(folder) / "october-2027-alpha-numeric-hcpcs-file.zip",
            {"HCPC2027_OCT_ANWEB_vBENCH.txt": big_anweb(10_000)},
        )
        library = Library.open(str(CMS_STATE))
        library.import_files([path])
        library.close()
    return CMS_STATE


def startup_and_memory(reps: int, compare: Path | None = None, cms: bool = True) -> dict[str, list[float]]:
    """Each program started `reps` times, interleaved in a shuffled order. `compare`: another source tree (a
    checkout of main) started alongside as "base", so a change is read as a ratio taken in the same run."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # byte-compiled first, as an installed app is: with PYTHONDONTWRITEBYTECODE set (this machine sets it), an
    # edited module would otherwise be compiled from source on every start and the figures would measure that
    import compileall

    compileall.compile_dir(str(HERE.parents[1] / "omaliref"), quiet=1)
    app = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE.parents[1])!r}); {SMOKE}"]
    programs = [
        ("app", app, HERE / ".bench-state"),
        ("bare", [sys.executable, str(HERE / "bare_window.py")], HERE / ".bench-state"),
        ("widgets", [sys.executable, str(HERE / "widgets_window.py")], HERE / ".bench-state"),
    ]
    if cms:
        programs.append(("cms", app, prepare_cms_state()))
    if compare is not None:
        compileall.compile_dir(str(compare / "omaliref"), quiet=1)
        own = compare / ".venv" / "bin" / "python"  # the tree's own install when it has one: its pack, its resources
        python = str(own) if own.exists() else sys.executable
        base = [python, "-c", f"import sys; sys.path.insert(0, {str(compare)!r}); {SMOKE}"]
        programs.append(("base", base, HERE / ".bench-state"))
        if cms:
            programs.append(("base-cms", base, CMS_STATE))
    if FROZEN.exists():  # the PyInstaller bundle, when one was built (sh packaging/dev.sh dist)
        programs.append(("frozen", [str(FROZEN), "--smoke-test"], HERE / ".bench-state"))
    out: dict[str, list[float]] = {f"{name}_{k}": [] for name, _, _ in programs for k in ("s", "rss", "answer")}
    order = random.Random(17)
    for rep in range(reps + 1):  # interleaved, so drift on a noisy machine hits both alike
        # in a new order each round: a run right after a different program (the bundle's own copies of Qt, another
        # state folder) was measured ~30 ms slower, and a fixed order gave that to the same program every time
        for name, cmd, state in order.sample(programs, len(programs)):
            env["OMALIREF_T0"] = repr(time.time())
            env["OMALIREF_STATE_DIR"] = str(state)
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            fields = dict(part.split("=") for part in proc.stdout.split() if "=" in part)
            if proc.returncode != 0 or "startup_s" not in fields:
                raise SystemExit(f"{name} run failed: {proc.stdout}{proc.stderr}")
            if rep == 0:
                continue  # the first round compiles the pack into each state folder's cache: not counted
            out[f"{name}_s"].append(float(fields["startup_s"]))
            # time to the first answer (the app: a search shown and claim lines computed; the bare window: shown)
            out[f"{name}_answer"].append(float(fields.get("answer_s", fields["startup_s"])))
            out[f"{name}_rss"].append(float(fields["peak_rss_kb"]) / 1024)
    return out


def print_startup_rows(boot: dict[str, list[float]], as_json: bool) -> None:
    """Start-up only: the first answer, the window shown and the peak RSS of each program, as ratios to bare."""
    med = {k: statistics.median(v) for k, v in boot.items() if v}
    names = [k[: -len("_answer")] for k in med if k.endswith("_answer") and k != "bare_answer"]
    rows = {
        name: {
            "first_answer_ratio": med[f"{name}_answer"] / med["bare_answer"],
            "shown_ratio": med[f"{name}_s"] / med["bare_s"],
            "rss_ratio": med[f"{name}_rss"] / med["bare_rss"],
            "first_answer_s": med[f"{name}_answer"],
            "rss_mb": med[f"{name}_rss"],
        }
        for name in names
    }
    for name, row in rows.items():  # per round, each program against the one started in the same round
        row["paired_first_answer_ratio"] = paired(boot[f"{name}_answer"], boot["bare_answer"])
        against = {"app": "base", "cms": "base-cms"}.get(name)
        if against in names:
            row[f"first_answer_vs_{against}"] = paired(boot[f"{name}_answer"], boot[f"{against}_answer"])
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print("| program | first answer / bare | (paired) | shown / bare | peak RSS / bare | first answer | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['first_answer_ratio']:.2f}× | {row['paired_first_answer_ratio']:.2f}× "
            f"| {row['shown_ratio']:.2f}× | {row['rss_ratio']:.2f}× | {row['first_answer_s']:.3f} s "
            f"| {row['rss_mb']:.1f} MB |"
        )
    for name, row in rows.items():
        for key, value in row.items():
            if key.startswith("first_answer_vs_"):
                print(f"\n{name} / {key.removeprefix('first_answer_vs_')} first answer, paired by round: {value:.3f}×")


def paired(values: list[float], against: list[float]) -> float:
    """The median of per-round ratios: drift on a shared machine hits both programs of a round alike."""
    return statistics.median(a / b for a, b in zip(values, against, strict=True))


AUDIT_FIXTURES = HERE.parent / "fixtures" / "audit"


def audit_batch(folder: Path, lines: int = 10_000) -> Path:
    """A charge export of `lines` keyed lines: the 20 right and 20 wrong fixture lines over and over, each copy
    its own claims, so every check (and every kind of finding) runs at scale."""
    rows = []
    for name in ("keyed_right.csv", "keyed_wrong.csv"):
        header, *body = (AUDIT_FIXTURES / name).read_text(encoding="utf-8").splitlines()
        rows += body
    path = folder / "batch.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for n in range(lines):
            ref, claim, rest = rows[n % len(rows)].split(",", 2)
            out.write(f"{ref}-{n},{claim}-{n // len(rows)},{rest}\n")
    return path


# Runs `python -m omaliref …` and writes the process's own peak RSS (VmHWM, reset at exec) to stderr at exit: the
# rusage of a child forked from this large benchmark process would count the parent's pages.
PEAK_RSS_RUNNER = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write(next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))))\n"
    "sys.argv[0] = 'omaliref'\n"
    "runpy.run_module('omaliref', run_name='__main__')\n"
)


def measured(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole `omaliref ARGS` process."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_RUNNER, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):  # 1: the batch has errors, as it should
        raise SystemExit(f"omaliref {' '.join(args)} failed: {proc.stderr.decode(errors='replace')[-500:]}")
    peak_kb = next(line.split()[1] for line in proc.stderr.decode().splitlines() if line.startswith("VmHWM"))
    return seconds, float(peak_kb) / 1024


def audit_10k(reps: int) -> dict[str, float]:
    """`omaliref audit --json` of 10,000 lines against a one-line `omaliref check`, both whole processes,
    interleaved; medians."""
    import compileall
    import tempfile

    compileall.compile_dir(str(HERE.parents[1] / "omaliref"), quiet=1)  # as installed (see startup_and_memory)
    env = dict(os.environ, OMALIREF_STATE_DIR=str(HERE / ".bench-state"))
    with tempfile.TemporaryDirectory() as folder:
        batch = audit_batch(Path(folder))
        programs = {
            "audit": ["audit", str(batch), "--json"],
            "check": ["check", "J2357", "--dose", "150mg", "--units", "30", "--json"],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
        for rep in range(reps + 1):
            for name, cmd in programs.items():
                figures = measured(cmd, env)
                if rep:  # the first round fills the pack cache: not counted
                    runs[name].append(figures)
    med = {f"{name}_{i}": statistics.median(r[i] for r in rs) for name, rs in runs.items() for i in (0, 1)}
    return {
        "audit_s": med["audit_0"],
        "check_s": med["check_0"],
        "ratio_s": med["audit_0"] / med["check_0"],
        "audit_rss_mb": med["audit_1"],
        "check_rss_mb": med["check_1"],
        "ratio_rss": med["audit_1"] / med["check_1"],
    }


BARE_BUNDLE = HERE.parents[1] / "build" / "baseline" / "dist" / "bare_window"


def folder_mb(folder: Path) -> float | None:
    """Apparent size of every file in a built bundle (symbolic links not followed), or None if not built."""
    if not folder.is_dir():
        return None
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)  # internal: one import or floor run
    parser.add_argument("--only-import", action="store_true", help="only the CMS import rows")
    parser.add_argument("--only-startup", action="store_true", help="only the start-up rows (ratios to bare)")
    parser.add_argument("--no-cms", action="store_true", help="with --only-startup: skip the imported-quarter start")
    parser.add_argument(
        "--compare", type=Path, metavar="TREE", help="with --only-startup: also start the app of this source tree"
    )
    args = parser.parse_args()
    if args.only_startup:
        print_startup_rows(startup_and_memory(args.reps, args.compare, cms=not args.no_cms), args.json)
        return 0
    if args.one:
        mode, *files = args.one
        print(json.dumps((_import_once if mode == "import" else _floor_once)(files)))
        return 0
    if args.only_import:
        print_import_rows(cms_import_bench(), args.json)
        return 0

    catalog = shipped_catalog()
    t = time.perf_counter()
    index = SearchIndex.from_catalog(catalog)
    build_ms = (time.perf_counter() - t) * 1000
    shipped = time_calls(lambda q: index.search(q, 20), QUERIES, 30)

    big = synthetic_catalog(catalog, 10_000)
    t = time.perf_counter()
    big_index = SearchIndex.from_catalog(big)
    big_build_ms = (time.perf_counter() - t) * 1000
    large = time_calls(lambda q: big_index.search(q, 20), QUERIES, 5)

    imported = imported_search(catalog)
    real = real_files_import()
    cms_imports = cms_import_bench()

    requests = [case_from_input(CaseInput(code=code, dose=dose, containers=pk), TODAY) for code, dose, pk in CASES]
    recompute = time_calls(lambda case: evaluate(catalog, case), requests, 50)

    audit = audit_10k(max(3, args.reps // 2))
    boot = startup_and_memory(args.reps)
    med = {k: statistics.median(v) for k, v in boot.items()}
    result = {
        "queries": len(QUERIES),
        "cases": len(CASES),
        "startup_reps": args.reps,
        "search_shipped_ms": {
            "p50": percentile(shipped, 50),
            "p99": percentile(shipped, 99),
            "build": build_ms,
            "entries": len(index.entries),
        },
        "search_10k_ms": {
            "p50": percentile(large, 50),
            "p99": percentile(large, 99),
            "build": big_build_ms,
            "entries": len(big_index.entries),
        },
        "search_imported_10k_ms": imported,
        "real_files_import": real,
        "cms_import": cms_imports,
        "recompute_ms": {"p50": percentile(recompute, 50), "p99": percentile(recompute, 99)},
        "first_answer_s": {
            "app": med["app_answer"],
            "bare": med["bare_answer"],
            "ratio": med["app_answer"] / med["bare_answer"],
        },
        "startup_s": {"app": med["app_s"], "bare": med["bare_s"], "ratio": med["app_s"] / med["bare_s"]},
        "peak_rss_mb": {"app": med["app_rss"], "bare": med["bare_rss"], "ratio": med["app_rss"] / med["bare_rss"]},
        "widgets_floor_s": {
            "widgets": med["widgets_s"],
            "bare": med["bare_s"],
            "ratio": med["widgets_s"] / med["bare_s"],
        },
        "audit_10k": audit,
        "first_answer_with_cms_s": {
            "app": med["cms_answer"],
            "bare": med["bare_answer"],
            "ratio": med["cms_answer"] / med["bare_answer"],
        },
    }
    bundle, bare_bundle = folder_mb(FROZEN.parent), folder_mb(BARE_BUNDLE)
    if bundle is not None and bare_bundle is not None:
        result["bundle_mb"] = {"app": bundle, "bare": bare_bundle, "ratio": bundle / bare_bundle}
    if "frozen_s" in med:
        result["frozen_startup_s"] = {
            "frozen": med["frozen_s"],
            "source": med["app_s"],
            "ratio_to_bare": med["frozen_s"] / med["bare_s"],
        }
        result["frozen_peak_rss_mb"] = med["frozen_rss"]
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    s, l, r = result["search_shipped_ms"], result["search_10k_ms"], result["recompute_ms"]
    st, mem = result["startup_s"], result["peak_rss_mb"]
    fa = result["first_answer_s"]
    rows = [
        (
            "**Time to first answer** (start → search shown and claim lines computed; bare: window shown)",
            f"{fa['app']:.3f} s",
            f"{fa['bare']:.3f} s",
            f"{fa['ratio']:.2f}×",
            "≤ 1.5×",
        ),
        (
            "Window painted (median; the app paints once, complete with its panes)",
            f"{st['app']:.3f} s",
            f"{st['bare']:.3f} s",
            f"{st['ratio']:.2f}×",
            "",
        ),
        (
            "Time to first answer with a full CMS quarter imported (10,000 codes)",
            f"{result['first_answer_with_cms_s']['app']:.3f} s",
            f"{fa['bare']:.3f} s",
            f"{result['first_answer_with_cms_s']['ratio']:.2f}×",
            "≤ 1.7×",
        ),
        (
            "Floor: the same kinds of widgets with a little text and no omaliref code, painted",
            f"{result['widgets_floor_s']['widgets']:.3f} s",
            f"{fa['bare']:.3f} s",
            f"{result['widgets_floor_s']['ratio']:.2f}×",
            "",
        ),
        ("Peak RSS (median)", f"{mem['app']:.1f} MB", f"{mem['bare']:.1f} MB", f"{mem['ratio']:.2f}×", "≤ 1.4×"),
        (
            "Frozen bundle size (dist/omaliref vs a default PyInstaller build of the bare window)",
            f"{result['bundle_mb']['app']:.0f} MB" if "bundle_mb" in result else "not built",
            f"{result['bundle_mb']['bare']:.0f} MB" if "bundle_mb" in result else "run dist-baseline",
            f"{result['bundle_mb']['ratio']:.2f}×" if "bundle_mb" in result else "",
            "≤ 0.75×",
        ),
        (
            f"Search p50 / p99, shipped pack ({s['entries']} entries)",
            f"{s['p50']:.3f} / {s['p99']:.3f} ms",
            "",
            "",
            "p99 ≤ 2 ms",
        ),
        (f"Search p50 / p99, {l['entries']} entries", f"{l['p50']:.3f} / {l['p99']:.3f} ms", "", "", "p99 ≤ 10 ms"),
        ("Index build, shipped / 10k", f"{s['build']:.1f} / {l['build']:.0f} ms", "", "", ""),
        (
            f"Search p50 / p99, pack + 10,000 imported CMS codes ({imported['entries']} entries)",
            f"{imported['p50']:.3f} / {imported['p99']:.3f} ms",
            "",
            "",
            "p99 ≤ 10 ms",
        ),
        (
            "Import 10,000-code ANWEB file / build its index",
            f"{imported['import']:.0f} / {imported['build']:.0f} ms",
            "",
            "",
            "",
        ),
        ("Recompute p50 / p99", f"{r['p50']:.3f} / {r['p99']:.3f} ms", "", "", "p99 ≤ 1 ms"),
        (
            "Audit 10,000 keyed lines, whole process (baseline: a one-line `omaliref check`)",
            f"{audit['audit_s']:.2f} s",
            f"{audit['check_s']:.2f} s",
            f"{audit['ratio_s']:.2f}×",
            "≤ 2 s",
        ),
        (
            "Audit 10,000 keyed lines, peak RSS (baseline: the same `check`)",
            f"{audit['audit_rss_mb']:.1f} MB",
            f"{audit['check_rss_mb']:.1f} MB",
            f"{audit['ratio_rss']:.2f}×",
            "≤ 150 MB",
        ),
        (
            f"Import real CMS files ({real['files']} files, {real['rows']:,.0f} rows)"
            if real
            else "Import real CMS files (set OMALIREF_CMS_REAL to a folder of downloads)",
            f"{real['s']:.2f} s" if real else "not run",
            "",
            "",
            "≤ 5 s per quarter",
        ),
    ]
    if "frozen_s" in med:
        rows.insert(
            1,
            (
                "Time to first answer, frozen bundle (median)",
                f"{med['frozen_answer']:.3f} s",
                f"{med['bare_answer']:.3f} s",
                f"{med['frozen_answer'] / med['bare_answer']:.2f}×",
                "≤ 1.5×",
            ),
        )
    print(
        f"omaliref benchmarks — {len(QUERIES)} queries, {len(CASES)} calculator cases, {args.reps} interleaved "
        "start-ups each\n"
    )
    print("| Measure | omaliref | bare Qt | ratio | target |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print_import_rows(cms_imports, False)
    return 0


IMPORT_LABELS = {
    "hcpcs_2025q4_xlsx": ("Import HCPCS 2025Q4 XLSX (HCPC2025_OCT_ANWEB.xlsx)", ""),
    "hcpcs_2019_txt": ("Import HCPCS 2019 TXT edition", ""),
    "hcpcs_2019_xlsx": ("Import HCPCS 2019 XLSX edition (the same records)", "≤ 1.5× the TXT import"),
    "full_quarter": (
        "Import a full quarter in one command (2025Q4 XLSX, ASP, crosswalk, three MUE)",
        "≤ 3× floor, < 150 MB",
    ),
}


def print_import_rows(result: dict[str, dict[str, float]] | None, as_json: bool) -> None:
    """The import rows: time, rows/s and peak RSS of each file set against the bare readers (the floor)."""
    if as_json:
        print(json.dumps(result, indent=2))
        return
    if not result:
        print("CMS import rows: not run (set OMALIREF_CMS_REAL to a folder of real CMS downloads)")
        return
    print("| Import (fresh process, median) | time | rows/s | peak RSS | floor: bare readers | × floor | target |")
    print("|---|---|---|---|---|---|---|")
    for key, (label, target) in IMPORT_LABELS.items():
        if key not in result:
            continue
        r = result[key]
        print(
            f"| {label} ({r['rows']:,.0f} rows) | {r['s']:.2f} s | {r['rows_per_s']:,.0f} | {r['rss']:.0f} MB | "
            f"{r['floor_s']:.2f} s, {r['floor_rss']:.0f} MB | {r['ratio']:.2f}× | {target} |"
        )
    if "hcpcs_2019_txt" in result and "hcpcs_2019_xlsx" in result:
        ratio = result["hcpcs_2019_xlsx"]["s"] / result["hcpcs_2019_txt"]["s"]
        pair = result["hcpcs_2019_xlsx"]
        paired = pair.get("paired_ratio", ratio)
        print(
            f"\n2019 XLSX import / 2019 TXT import (the same records, this run, {pair.get('rounds', 0):.0f} rounds): "
            f"{ratio:.2f}× as a ratio of medians, {paired:.2f}× as the median of each round's ratio (target ≤ 1.5×)"
        )
        if "paired_above_floor_ratio" in pair:
            print(
                "the same above each edition's bare reader (import − floor: what omaliref adds to calamine's parse "
                f"and to the TXT's lines): {pair['paired_above_floor_ratio']:.2f}×"
            )


if __name__ == "__main__":
    raise SystemExit(main())
