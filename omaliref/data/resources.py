"""The one place that reads the shipped data pack (importlib.resources, so checkout, wheel and bundle agree)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACKAGE = "omaliref.resources"
PACK_FILES = (  # every file of the pack, in the order the validator reads them
    "pack.toml",
    "sources.toml",
    "codes.toml",
    "products.toml",
    "modifiers.toml",
    "mue.toml",
    "topics.toml",
    "corrections.toml",
    "rules.toml",
    "dose_tables.toml",
    "checklist.toml",
    "supply.toml",
    "payers.toml",
)


def _checked(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise ValueError(f"resource name must be relative and inside the pack: {name!r}")
    return name


def pack_root() -> Traversable:
    from importlib import resources

    return resources.files(PACKAGE)


def pack_folder() -> Path | None:
    """The pack's folder when its files are plain files on disk (checkout, wheel, bundle), else None. Cheaper than
    pack_root(): the start-up path only stats the files (see pack_cache)."""
    from importlib.util import find_spec

    spec = find_spec(PACKAGE)
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        if Path(folder, PACK_FILES[0]).is_file():
            return Path(folder)
    return None


def read_text(name: str, root: Traversable | None = None) -> str:
    base = root if root is not None else pack_root()
    return base.joinpath(_checked(name)).read_text(encoding="utf-8")


def read_toml(name: str, root: Traversable | None = None) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(read_text(name, root))
