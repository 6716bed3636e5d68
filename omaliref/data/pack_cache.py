"""The compiled data pack: the validated Catalog and its search index pickled in the user cache folder, so
start-up skips parsing and validating ~3,000 TOML lines and building the index (#17).

The TOML files stay the only source of truth. A compiled pack is used only when its key equals the key of what
is installed now: the size and modification time of every pack file and of every module that builds a Catalog or
an index (the test Python itself uses for .pyc files), plus the Python version. Any edit to the pack or the code
makes a new key, so a compiled pack can never be older than what it claims to come from; when the pack is not
on disk as files the key is the SHA-256 of the texts instead. A cache that cannot be read, is damaged or holds
anything else is ignored and rebuilt. Writing is atomic (temp file + rename) and best-effort: a read-only cache
folder costs speed only. The folder is the user's own, like the preferences.

This module is on the start-up path: it imports the TOML parser, the validator and hashlib only on a miss.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omaliref.data.resources import PACK_FILES, pack_folder

if TYPE_CHECKING:
    from omaliref.domain.model import Catalog
    from omaliref.domain.search import SearchIndex

CACHE_FORMAT = 2  # bump when the key or the file layout changes
ENV_DISABLE = "OMALIREF_NO_PACK_CACHE"  # set to validate from the TOML every time (pack authors, tests)
PACKAGE = Path(__file__).resolve().parent.parent  # omaliref/
KEEP_COMPILED = 3  # compiled packs kept side by side (installs sharing a cache folder); older ones are deleted


def _stamp(path: Path) -> str:
    stat = os.stat(path)
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def code_stamps(package: Path = PACKAGE) -> list[str]:
    """Every module of omaliref/domain and omaliref/data; in a frozen bundle (no sources), the executable."""
    stamps = []
    for sub in ("domain", "data"):
        with contextlib.suppress(OSError):
            folder = package / sub
            stamps += [_stamp(folder / name) for name in sorted(os.listdir(folder)) if name.endswith(".py")]
    return stamps or [f"{sys.executable}|{_stamp(Path(sys.executable))}"]


def file_key(folder: Path) -> str | None:
    """The key of the pack files in `folder` and of this code, from their stat alone; None if one is missing."""
    try:
        pack = [_stamp(folder / name) for name in PACK_FILES]
    except OSError:
        return None
    return "|".join([f"format {CACHE_FORMAT}", sys.version, "files", *pack, "code", *code_stamps()])


def text_key(texts: Mapping[str, str]) -> str:
    """The key of pack texts that are not files on disk: their SHA-256, with the same code stamps."""
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode("utf-8") + b"\0")
    return "|".join([f"format {CACHE_FORMAT}", sys.version, "texts", digest.hexdigest(), "code", *code_stamps()])


def cache_path(key: str) -> Path | None:
    from omaliref.data.state import StateDirs

    try:
        dirs = StateDirs.resolve()
    except OSError:
        return None
    folder = dirs.cache if dirs.cache is not None else dirs.data / "cache"
    return folder / f"pack-{zlib.crc32(key.encode()):08x}.pickle"


def read_cached(path: Path, key: str) -> tuple[Catalog, SearchIndex] | None:
    """The compiled catalog and index at `path` if they were compiled under exactly `key`, else None."""
    from omaliref.domain.model import Catalog
    from omaliref.domain.search import SearchIndex

    try:
        with open(path, "rb") as handle:
            found: Any = pickle.load(handle)  # the user's own cache folder; checked below before any use
    except Exception:  # missing, damaged, truncated, or from a build whose classes differ: rebuild
        return None
    if not (isinstance(found, dict) and found.get("key") == key):
        return None
    catalog, index = found.get("catalog"), found.get("index")
    if isinstance(catalog, Catalog) and isinstance(index, SearchIndex):
        return catalog, index
    return None


def write_cached(path: Path, key: str, catalog: Catalog, index: SearchIndex) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            pickle.dump({"key": key, "catalog": catalog, "index": index}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(path)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _prune(kept: Path) -> None:
    """Keep the newest few compiled packs, not only this one: two installs sharing the cache folder (a source
    checkout and the bundle, or two versions) must not delete each other's and rebuild on every start (a rebuild
    costs ~30 ms; the benchmark caught the two taking turns)."""
    others = []
    for other in kept.parent.glob("pack-*.pickle"):
        with contextlib.suppress(OSError):
            if other != kept:
                others.append((other.stat().st_mtime_ns, other))
    for _mtime, old in sorted(others, reverse=True)[KEEP_COMPILED - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()


def compiled_pack(
    folder: Path | None,
    read_texts: Callable[[], Mapping[str, str]],
    build: Callable[[Mapping[str, str]], Catalog],
) -> tuple[Catalog, SearchIndex]:
    """The catalog and index of the pack in `folder` (None: not on disk as files, so `read_texts` gives it):
    compiled if a cache of exactly this pack and code exists, else built from the TOML and cached."""
    from_texts: Mapping[str, str] | None = None
    key = file_key(folder) if folder is not None else None
    if key is None:
        from_texts = read_texts()
        key = text_key(from_texts)
    path = None if os.environ.get(ENV_DISABLE) else cache_path(key)
    if path is not None:
        found = read_cached(path, key)
        if found is not None:
            return found
    from omaliref.domain.search import SearchIndex

    catalog = build(from_texts if from_texts is not None else read_texts())  # a PackError is never cached
    index = SearchIndex.from_catalog(catalog)
    if path is not None:
        write_cached(path, key, catalog, index)
    return catalog, index


@lru_cache(maxsize=1)
def _shipped() -> tuple[Catalog, SearchIndex]:
    def read_texts() -> dict[str, str]:
        from omaliref.data.pack import read_pack_texts

        return read_pack_texts()

    def build(texts: Mapping[str, str]) -> Catalog:
        from omaliref.data.pack import catalog_from_texts

        return catalog_from_texts(texts)

    return compiled_pack(pack_folder(), read_texts, build)


def shipped_catalog() -> Catalog:
    """The shipped pack, loaded once per process: compiled when it was compiled from exactly these TOML files by
    this code, else validated from the TOML (and compiled)."""
    return _shipped()[0]


def shipped_index_for(catalog: Catalog) -> SearchIndex | None:
    """The compiled index of the shipped pack when `catalog` is that very catalog; None for any other."""
    shipped, index = _shipped()
    return index if catalog is shipped else None
