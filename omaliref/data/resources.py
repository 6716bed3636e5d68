"""The one place that reads the shipped data pack (importlib.resources, so checkout, wheel and bundle agree)."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath
from typing import Any

PACKAGE = "omaliref.resources"


def _checked(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise ValueError(f"resource name must be relative and inside the pack: {name!r}")
    return name


def pack_root() -> Traversable:
    return resources.files(PACKAGE)


def read_text(name: str, root: Traversable | None = None) -> str:
    base = root if root is not None else pack_root()
    return base.joinpath(_checked(name)).read_text(encoding="utf-8")


def read_toml(name: str, root: Traversable | None = None) -> dict[str, Any]:
    return tomllib.loads(read_text(name, root))
