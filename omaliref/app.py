"""Composition root: QApplication, catalog, search index, main window, logging and the one excepthook."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omaliref.data.library import Library

START = time.perf_counter()
log = logging.getLogger("omaliref")


def _setup_logging(log_dir: Path) -> Path:
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


def _collect_again() -> None:
    """The cyclic garbage collector is off while the app starts: the classes, enums, pack and widgets made then
    live as long as the app, yet the collector traversed them again and again (~8% of the start-up time, #17).
    Once the window is shown they are frozen out of future collections, and collection resumes."""
    gc.freeze()
    gc.enable()


def install_excepthook(window_getter: object, log_path: Path) -> None:
    """Everything unexpected is logged and shown once in a dialog; nothing fails silently."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        try:
            from omaliref.ui.dialogs import show_error  # imported on first use: keeps start-up lean

            show_error(window_getter(), f"{kind.__name__}: {value}", str(log_path))  # type: ignore[operator]
        except Exception:
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = hook


def build_window(  # type: ignore[no-untyped-def]
    state_dir: str | None = None,
    today: dt.date | None = None,
    *,
    ready: bool = True,
    load: Callable[[], Library] | None = None,
):
    """Everything the GUI needs, built in one place (tests use it too). With ready=False only the shell is
    built; the data pack and panes load on finish_loading(). `load` gives the Library (default: open it then)."""
    from omaliref.data import site
    from omaliref.data.state import StateDirs, StateStore
    from omaliref.ui.main_window import MainWindow

    store = StateStore(StateDirs.resolve(state_dir))
    settings = site.load_settings(site.settings_path())  # the organization's defaults and locked keys
    prefs = settings.apply(store.load(), saved=store.path.exists())
    window = MainWindow(
        load or library_loader(state_dir), store, prefs, today or dt.date.today(), site_settings=settings
    )
    if ready:
        window.finish_loading()
    return window


def library_loader(state_dir: str | None, *, now: bool = False) -> Callable[[], Library]:
    """What gives the window its Library. With now=True the Library is opened at once, with its index: run()
    does that before PySide6 is imported, because PySide's import hook reads the source of every module imported
    after it (~15 ms for the pure core, #17). A failure is kept and raised by the window's finish_loading, so an
    invalid pack is reported in the window as it always was."""

    def load() -> Library:
        from omaliref.data.library import Library

        library = Library.open(state_dir)
        # the pack's compiled index answers the first keystroke; with imported quarters, the window adds their
        # codes in the background (MainWindow._rebuild_index)
        library.set_index(library.curated_index())
        library.profiles  # noqa: B018 - and the payer profiles the calculator starts with
        return library

    if not now:
        return load
    try:
        library = load()
    except Exception as exc:
        failure = exc

        def fail() -> Library:
            raise failure

        return fail
    return lambda: library


def run(
    *,
    smoke_test: bool = False,
    screenshot_dir: str | None = None,
    state_dir: str | None = None,
    size: tuple[int, int] | None = None,
) -> int:
    gc.disable()  # see _collect_again: start-up makes only long-lived objects
    from omaliref.data.state import StateDirs

    log_path = _setup_logging(StateDirs.resolve(state_dir).logs)
    opening = time.perf_counter()
    load = library_loader(state_dir, now=True)  # the pure core, before PySide6 (see library_loader)
    library_s = time.perf_counter() - opening

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("omaliref")
    app.setDesktopFileName("omaliref")
    window = build_window(state_dir, ready=False, load=load)
    install_excepthook(lambda: window, log_path)
    if smoke_test or screenshot_dir:
        window.import_site_at_start = False  # they measure and draw the window alone
    if smoke_test:
        window.finish_loading()  # the Library is open already: one paint shows the whole window
        window.show()
        app.processEvents()
        window.repaint()
        _collect_again()
        shown = time.perf_counter()
        shown_wall = time.time()
        window.search_edit.setText("xolair")
        window.calculator.dose_edit.setText("375mg")
        app.processEvents()
        answer_wall = time.time()  # the first answer: a search result shown and claim lines computed
        ok = (
            window.results.rowCount() > 0
            and window.reference.current_id == "J2357"
            and window.calculator.result is not None
            and window.calculator.result.administered_units == 75
        )
        with open("/proc/self/status") if sys.platform == "linux" else open(os.devnull) as status:
            peak = next((line.split()[1] for line in status if line.startswith("VmHWM:")), "0")
        t0 = float(os.environ.get("OMALIREF_T0", shown_wall - (shown - START)))
        sys.stdout.write(
            f"smoke-test {'ok' if ok else 'FAILED'}: shown after {shown - START:.3f} s "
            f"startup_s={shown_wall - t0:.4f} library_s={library_s:.4f} ready_after_paint_s=0.0000 "
            f"answer_s={answer_wall - t0:.4f} peak_rss_kb={peak}\n"
        )
        return 0 if ok else 1
    if screenshot_dir:
        from omaliref.ui.screenshots import write_screenshots

        window.finish_loading()
        _collect_again()
        for path in write_screenshots(window, Path(screenshot_dir), size):
            sys.stdout.write(f"{path}\n")
        return 0
    try:
        window.finish_loading()
    except Exception:  # an invalid pack: logged and shown in a dialog over the window's shell, like any error
        sys.excepthook(*sys.exc_info())
    window.show()
    app.aboutToQuit.connect(window.stop_import)  # a quit from elsewhere (the session ending) waits for an import
    QTimer.singleShot(0, _collect_again)  # once the window is painted
    QTimer.singleShot(0, lambda: log.info("ready in %.3f s", time.perf_counter() - START))
    return app.exec()
