"""omaliref: charge-entry reference and unit & waste calculator for omalizumab and its look-alike codes."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # __version__ is looked up lazily: importlib.metadata costs ~30 ms at start-up and only --version and About
    # need it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("omaliref")
        except PackageNotFoundError:  # a tree that was never installed
            return "0+unknown"
    raise AttributeError(name)
