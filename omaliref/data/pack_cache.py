"""The compiled data pack: the validated Catalog and its search index pickled in the user cache folder, so
start-up skips parsing and validating ~3,000 TOML lines and building the index (#17).

Nothing in the cache folder is trusted (red team 2026-12 #1: a planted pickle ran code on every start, a tampered
one billed J2357 at 10 mg/unit, a FIFO hung every command). A compiled pack is a tag and a pickle; the tag is a
keyed BLAKE2b of the key and the pickle under a per-user secret kept outside the cache folder (`pack-cache.key` in
the data folder, mode 0600, made on first use). Only a regular file (opened without following links or waiting on
a FIFO) whose tag checks out is unpickled, and then by an unpickler that builds only the pack's own classes and a
few value types, never a function. A secret that others could read or write is replaced, which retires every
compiled pack made under it.

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
import io
import os
import pickle
import stat
import sys
import zlib
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omaliref.data.resources import PACK_FILES, pack_folder

if TYPE_CHECKING:
    from omaliref.data.state import StateDirs
    from omaliref.domain.model import Catalog
    from omaliref.domain.search import SearchIndex

try:  # the keyed hash alone: hashlib would load OpenSSL (~3 ms) on every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

CACHE_FORMAT = 3  # bump when the key or the file layout changes
ENV_DISABLE = "OMALIREF_NO_PACK_CACHE"  # set to validate from the TOML every time (pack authors, tests)
PACKAGE = Path(__file__).resolve().parent.parent  # omaliref/
KEEP_COMPILED = 3  # compiled packs kept side by side (installs sharing a cache folder); older ones are deleted
MAGIC = b"omaliref compiled pack 3\n"
TAG_SIZE = 32  # bytes of the keyed BLAKE2b, and of the secret
MAX_CACHE_BYTES = 32 * 1024 * 1024  # the shipped pack compiles to ~250 KB
SECRET_NAME = "pack-cache.key"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_VALUE_TYPES = frozenset(
    {
        ("builtins", "dict"),
        ("builtins", "frozenset"),
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "tuple"),
        ("collections", "defaultdict"),
        ("datetime", "date"),
        ("decimal", "Decimal"),
        ("fractions", "Fraction"),
    }
)
_PACK_MODULES = frozenset(  # the modules whose classes make up a Catalog and a SearchIndex
    {
        "omaliref.domain.checklist",
        "omaliref.domain.cms_facts",
        "omaliref.domain.model",
        "omaliref.domain.payer",
        "omaliref.domain.quantities",
        "omaliref.domain.search",
        "omaliref.domain.supply",
    }
)


def _stamp(path: Path) -> str:
    stat = os.stat(path)
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def code_stamps(package: Path = PACKAGE) -> list[str]:
    """Every module of omaliref/domain and omaliref/data, their subpackages included (domain/calculator holds the
    rule ids the pack is checked against); in a frozen bundle (no sources), the executable."""
    stamps = []
    for sub in ("domain", "data"):
        with contextlib.suppress(OSError):
            for folder, dirs, names in os.walk(package / sub):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                stamps += [_stamp(Path(folder) / name) for name in sorted(names) if name.endswith(".py")]
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


def _state_dirs() -> StateDirs | None:
    from omaliref.data.state import StateDirs

    try:
        return StateDirs.resolve()
    except OSError:
        return None


def cache_path(key: str) -> Path | None:
    dirs = _state_dirs()
    if dirs is None:
        return None
    folder = dirs.cache if dirs.cache is not None else dirs.data / "cache"
    return folder / f"pack-{zlib.crc32(key.encode()):08x}.pickle"


def secret_path() -> Path | None:
    """The per-user secret's file: in the data folder, never in the cache folder it vouches for."""
    dirs = _state_dirs()
    return None if dirs is None else dirs.data / SECRET_NAME


def _read_regular(path: Path, limit: int, private: bool = False) -> bytes | None:
    """The bytes of `path` if it is a regular file (no link followed, no wait on a FIFO or device) of at most
    `limit` bytes; `private`: also only if this user owns it and no one else may read or write it."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if private and os.name == "posix" and (info.st_uid != os.geteuid() or info.st_mode & 0o077):
            return None
        chunks, size = [], 0
        while size <= limit:  # the file may grow after the fstat
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks) if size <= limit else None


def _new_secret(path: Path) -> bytes | None:
    import tempfile  # only on the first start, or after an untrusted secret

    secret = os.urandom(TAG_SIZE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{SECRET_NAME}.")  # mode 0600, O_EXCL
    except OSError:
        return None
    try:
        with open(fd, "wb") as handle:
            handle.write(secret)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return None
    return secret


def cache_secret(create: bool = False) -> bytes | None:
    """This user's secret for tagging compiled packs; None when there is none that can be trusted (and, with
    `create`, none could be made): then nothing is read from the cache or written to it."""
    path = secret_path()
    if path is None:
        return None
    secret = _read_regular(path, TAG_SIZE, private=True)
    if secret is not None and len(secret) == TAG_SIZE:
        return secret
    return _new_secret(path) if create else None


def tag(secret: bytes, key: str, body: bytes | memoryview) -> bytes:
    """The keyed BLAKE2b of a compiled pack: it vouches for the key it was compiled under and for every byte."""
    digest = blake2b(key=secret, digest_size=TAG_SIZE)
    digest.update(key.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.digest()


class _PackUnpickler(pickle.Unpickler):
    """Builds the pack's own classes and a few value types; any other global (a function, os.system) is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _VALUE_TYPES:
            return super().find_class(module, name)
        if module in _PACK_MODULES and name.isidentifier():
            import dataclasses

            from omaliref.domain.search import SearchIndex

            found = super().find_class(module, name)
            own = isinstance(found, type) and found.__module__ == module
            if own and (dataclasses.is_dataclass(found) or found is SearchIndex):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a compiled pack")


def read_cached(path: Path, key: str, secret: bytes | None = None) -> tuple[Catalog, SearchIndex] | None:
    """The compiled catalog and index at `path` if this user's secret vouches that they were compiled under
    exactly `key`, else None. Nothing is unpickled before the tag checks out."""
    from omaliref.domain.model import Catalog
    from omaliref.domain.search import SearchIndex

    secret = secret if secret is not None else cache_secret()
    if secret is None:
        return None
    data = _read_regular(path, MAX_CACHE_BYTES)
    head = len(MAGIC) + TAG_SIZE
    if data is None or len(data) <= head or not data.startswith(MAGIC):
        return None
    # a plain comparison: hmac.compare_digest would load OpenSSL on every start, and the one comparison a start
    # makes offers no timing an attacker writing the file could measure
    if data[len(MAGIC) : head] != tag(secret, key, memoryview(data)[head:]):
        return None
    stream = io.BytesIO(data)  # shares the bytes: no second copy of the pack
    stream.seek(head)
    try:
        found: Any = _PackUnpickler(stream).load()
    except Exception:  # a build whose classes differ, or anything the unpickler refuses: rebuild
        return None
    if not (isinstance(found, dict) and found.get("key") == key):
        return None
    catalog, index = found.get("catalog"), found.get("index")
    if isinstance(catalog, Catalog) and isinstance(index, SearchIndex):
        return catalog, index
    return None


def write_cached(path: Path, key: str, catalog: Catalog, index: SearchIndex, secret: bytes | None = None) -> None:
    """Best-effort and atomic: a temp file of our own (mode 0600, never a planted link) renamed over `path`."""
    import tempfile

    secret = secret if secret is not None else cache_secret(create=True)
    if secret is None:
        return
    try:
        body = pickle.dumps({"key": key, "catalog": catalog, "index": index}, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with open(fd, "wb") as handle:
            handle.write(MAGIC + tag(secret, key, body) + body)
        os.replace(tmp, path)
        _prune(path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


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
    secret = cache_secret() if path is not None else None
    if path is not None and secret is not None:
        found = read_cached(path, key, secret)
        if found is not None:
            return found
    from omaliref.domain.search import SearchIndex

    catalog = build(from_texts if from_texts is not None else read_texts())  # a PackError is never cached
    index = SearchIndex.from_catalog(catalog)
    if path is not None:
        write_cached(path, key, catalog, index, secret if secret is not None else cache_secret(create=True))
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
