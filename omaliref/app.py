"""Composition root: startup.early (no Qt), then ui/window_start (Qt, the window in one step). `build_window` is
the window_start's, for tests; importing this module loads no Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omaliref import startup

if TYPE_CHECKING:
    from omaliref.ui.window_start import build_window, install_excepthook

    __all__ = ["build_window", "install_excepthook", "run"]


def run(
    *,
    smoke_test: bool = False,
    screenshot_dir: str | None = None,
    state_dir: str | None = None,
    size: tuple[int, int] | None = None,
) -> int:
    early = startup.early(state_dir)  # the pure core and the Library, before PySide6
    from omaliref.ui import window_start  # Qt loads here: the "first paint" phase of startup.LOADS

    return window_start.start(early, smoke_test=smoke_test, screenshot_dir=screenshot_dir, size=size)


def __getattr__(name: str) -> Any:
    if name in ("build_window", "install_excepthook"):
        from omaliref.ui import window_start

        return getattr(window_start, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
