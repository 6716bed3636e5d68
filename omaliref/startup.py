"""Start-up in one place (qutebrowser's earlyinit): what loads when, and the steps before the first paint.

No Qt here at module level: the state folders, the log and the Library (the pure core, the compiled pack, its
index and the payer profiles) come first, because PySide's import hook reads the source of every module imported
after it (~15 ms for the pure core, #17). Then ui/window_start.py builds the QApplication and the window in one
step.
tests/unit/test_start_path.py holds a start to this table.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

from omaliref.data.library import Library
from omaliref.data.state import StateDirs
from omaliref.ui.lazy import ON_DEMAND  # the window's on-demand modules, declared there (no Qt loads with it)

START = time.perf_counter()
log = logging.getLogger("omaliref")


class Phase(NamedTuple):
    when: str
    what: str
    modules: tuple[str, ...]


LOADS = (  # what loads when, in order
    Phase(
        "before Qt",
        "state folders, log, the pure core, the compiled pack and its index, payer profiles, site settings, and the"
        " pure modules the window's panes use (imported here, not under PySide's import hook)",
        (
            "omaliref.data.library",
            "omaliref.domain.calculator",
            "omaliref.domain.search",
            "omaliref.domain.claim_forms",
            "omaliref.domain.freshness",
            "omaliref.report.as_text",
            "omaliref.data.site",
            "omaliref.ui.labels",
            "html",
        ),
    ),
    Phase(
        "first paint",
        "Qt, the window and its three panes, built in one step",
        (
            "PySide6.QtWidgets",
            "omaliref.ui.window_start",
            "omaliref.ui.main_window",
            "omaliref.ui.calculator_pane",
            "omaliref.ui.checklist_pane",
            "omaliref.ui.reference_view",
        ),
    ),
    Phase(
        "after the first paint, in a thread",
        "the site folder's import; with a store, SQLite and its index",
        ("omaliref.data.site_import",),
    ),
    Phase("on demand", "dialogs, printing, the CMS import dialog, the audit sheet", tuple(ON_DEMAND.values())),
)
NEVER_BEFORE_THE_FIRST_ANSWER = (
    "sqlite3",
    "tomllib",
    "csv",
    "hashlib",
    "omaliref.domain.cms",
    "omaliref.data.cms_store",
    "omaliref.data.pack_schema",
)


class Early(NamedTuple):
    dirs: StateDirs
    log_path: Path
    library: Library | Exception  # an exception: the pack could not be opened (app.run says so, no window)
    library_s: float


def early(state_dir: str | None) -> Early:
    """Everything before Qt: the collector paused, the state folders resolved once, the log, the Library."""
    gc.disable()  # see collect_again: start-up makes only long-lived objects
    dirs = StateDirs.resolve(state_dir)
    log_path = setup_logging(dirs.logs)
    opening = time.perf_counter()
    library: Library | Exception
    for module in LOADS[0].modules:
        importlib.import_module(module)
    try:
        library = Library.open_at_start(dirs)
    except Exception as exc:  # an invalid pack: said in a dialog before any window
        log.exception("the data pack could not be opened")
        library = exc
    return Early(dirs, log_path, library, time.perf_counter() - opening)


def setup_logging(log_dir: Path) -> Path:
    path = log_dir / "omaliref.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)  # a locked log folder must not stop the app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def collect_again() -> None:
    """The cyclic garbage collector is off while the app starts: the classes, enums, pack and widgets made then
    live as long as the app, yet the collector traversed them again and again (~8% of the start-up time, #17).
    Once the window is shown they are frozen out of future collections, and collection resumes."""
    gc.freeze()
    gc.enable()


class Timer:
    """The smoke test's clocks: shown and answered, against OMALIREF_T0 (the benchmark's launch time)."""

    def __init__(self, library_s: float) -> None:
        self.library_s = library_s
        self.shown = time.perf_counter()
        self.shown_wall = time.time()
        self.t0 = float(os.environ.get("OMALIREF_T0", self.shown_wall - (self.shown - START)))

    def line(self, ok: bool, answer_wall: float) -> str:
        return (
            f"smoke-test {'ok' if ok else 'FAILED'}: shown after {self.shown - START:.3f} s "
            f"startup_s={self.shown_wall - self.t0:.4f} library_s={self.library_s:.4f} ready_after_paint_s=0.0000 "
            f"answer_s={answer_wall - self.t0:.4f} peak_rss_kb={peak_rss_kb()}\n"
        )


def peak_rss_kb() -> str:
    if sys.platform != "linux":
        return "0"
    with open("/proc/self/status") as status:
        return next((line.split()[1] for line in status if line.startswith("VmHWM:")), "0")
