"""omaliref: charge-entry reference and unit & waste calculator for omalizumab and its look-alike codes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("omaliref")
except PackageNotFoundError:  # running from a tree that was never installed
    __version__ = "0+unknown"
