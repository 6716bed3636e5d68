"""The compiled data pack: the validated Catalog pickled in the user cache folder, so start-up skips parsing and
validating ~3,000 TOML lines (#17).

The TOML files stay the only source of truth. The cache is keyed by the SHA-256 of every pack text, of the code
that builds a Catalog and of the Python version; any change to any of them is a different key, so a cached
catalog can never be older than the pack or the code it claims to come from. A cache that cannot be read, is
damaged or does not hold a Catalog is ignored and rebuilt. Writing is atomic (temp file + rename) and
best-effort: a read-only cache folder costs speed only. The folder is the user's own, like the preferences.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from omaliref.domain.model import Catalog

CACHE_FORMAT = 1  # bump when the key or the file layout changes
ENV_DISABLE = "OMALIREF_NO_PACK_CACHE"  # set to validate from the TOML every time (pack authors, tests)


def _code_fingerprint(digest: hashlib._Hash) -> None:
    """The code that builds and defines a Catalog: every module of omaliref/domain and omaliref/data (their
    bytes, so an edited loader never meets an old cache); in a frozen bundle, the bundle's executable."""
    package = Path(__file__).resolve().parent.parent
    sources = sorted([*package.joinpath("domain").glob("*.py"), *package.joinpath("data").glob("*.py")])
    if sources:
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
        return
    stat = os.stat(sys.executable)
    digest.update(f"{sys.executable}|{stat.st_size}|{stat.st_mtime_ns}".encode())


def cache_key(texts: Mapping[str, str]) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version}".encode())
    _code_fingerprint(digest)
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode("utf-8") + b"\0")
    return digest.hexdigest()


def cache_path(key: str) -> Path | None:
    from omaliref.data.state import StateDirs

    try:
        dirs = StateDirs.resolve()
    except OSError:
        return None
    folder = dirs.cache if dirs.cache is not None else dirs.data / "cache"
    return folder / f"pack-{key[:32]}.pickle"


def read_cached(path: Path) -> Catalog | None:
    try:
        with open(path, "rb") as handle:
            found = pickle.load(handle)  # the user's own cache folder, keyed by content
    except FileNotFoundError:
        return None
    except Exception:  # damaged, truncated, or from a build whose classes differ: rebuild
        return None
    return found if isinstance(found, Catalog) else None


def write_cached(path: Path, catalog: Catalog) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob("pack-*.pickle"):  # compiled from an earlier pack or version
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def cached_catalog(texts: Mapping[str, str], build: Callable[[Mapping[str, str]], Catalog]) -> Catalog:
    """The catalog of these texts: compiled if a cache of exactly them exists, else built (and cached)."""
    if os.environ.get(ENV_DISABLE):
        return build(texts)
    path = cache_path(cache_key(texts))
    if path is not None:
        found = read_cached(path)
        if found is not None:
            return found
    catalog = build(texts)  # a PackError propagates: an invalid pack is never cached
    if path is not None:
        write_cached(path, catalog)
    return catalog
