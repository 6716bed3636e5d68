"""The GUI's start after startup.early: the QApplication, the window in one step, the one excepthook, and the
smoke test and screenshots; an invalid data pack is a dialog here, before any window."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from omaliref import startup
from omaliref.data.library import Library
from omaliref.data.state import StateDirs, StateStore
from omaliref.ui import lazy
from omaliref.ui.main_window import MainWindow

log = logging.getLogger("omaliref")


def install_excepthook(window_getter: Callable[[], QWidget | None], log_path: Path) -> None:
    """Everything unexpected is logged and shown once in a dialog; nothing fails silently."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        try:
            lazy.dialogs.show_error(window_getter(), f"{kind.__name__}: {value}", str(log_path))
        except Exception:
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = hook


def build_window(
    state_dir: str | None = None,
    today: dt.date | None = None,
    *,
    library: Library | None = None,
    dirs: StateDirs | None = None,
    import_site: bool = True,
) -> MainWindow:
    """The window, built in one step over an open Library (tests use it too; default: opened here)."""
    dirs = dirs or StateDirs.resolve(state_dir)
    library = library or Library.open_at_start(dirs)
    store = StateStore(dirs)
    return MainWindow(
        library, store, library.start_preferences(store), today or dt.date.today(), import_site=import_site
    )


def qt_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("omaliref")
    app.setDesktopFileName("omaliref")
    return app


def pack_error_dialog(error: Exception, log_path: Path) -> int:
    """An invalid data pack: said in a dialog before any window (the pack is what every answer rests on)."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "omaliref — the data pack cannot be used",
        f"omaliref cannot start: {error}\n\nNothing was calculated. Reinstall omaliref or tell your IT.\n"
        f"The details are in the log:\n{log_path}",
        QMessageBox.StandardButton.Ok,
    )
    box.exec()
    return 3  # as the CLI's exit for a broken pack


def start(early: startup.Early, *, smoke_test: bool, screenshot_dir: str | None, size: tuple[int, int] | None) -> int:
    app = qt_application()
    if isinstance(early.library, Exception):
        return pack_error_dialog(early.library, early.log_path)
    measured = smoke_test or bool(screenshot_dir)  # they measure and draw the window alone: no site import
    window = build_window(library=early.library, dirs=early.dirs, import_site=not measured)
    install_excepthook(lambda: window, early.log_path)
    if smoke_test:
        return smoke(window, app, early.library_s)
    if screenshot_dir:
        startup.collect_again()
        for path in lazy.screenshots.write_screenshots(window, Path(screenshot_dir), size):
            sys.stdout.write(f"{path}\n")
        return 0
    window.show()
    app.aboutToQuit.connect(window.stop_import)  # a quit from elsewhere (the session ending) waits for an import
    QTimer.singleShot(0, startup.collect_again)  # once the window is painted
    QTimer.singleShot(0, lambda: log.info("ready in %.3f s", time.perf_counter() - startup.START))
    return app.exec()


def smoke(window: MainWindow, app: QApplication, library_s: float) -> int:
    """Show the window, type a search and a dose, and print the clocks (the benchmark reads them)."""
    window.show()
    app.processEvents()
    window.repaint()
    startup.collect_again()
    timer = startup.Timer(library_s)
    window.search_edit.setText("xolair")
    window.calculator.dose_edit.setText("375mg")
    app.processEvents()
    answer_wall = time.time()  # the first answer: a search result shown and claim lines computed
    result = window.calculator.result
    ok = (
        window.results.rowCount() > 0
        and window.reference.current_id == "J2357"
        and result is not None
        and result.administered_units == 75
    )
    sys.stdout.write(timer.line(ok, answer_wall))
    return 0 if ok else 1
