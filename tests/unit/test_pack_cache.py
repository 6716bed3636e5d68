"""The compiled data pack (#17) can never disagree with the TOML: same catalog and index, a new key on any change
to a pack file, damaged caches rebuilt, invalid packs never cached."""

from __future__ import annotations

import os
import pickle
import shutil

import pytest

from omaliref.data import pack_cache
from omaliref.data.pack import FILES, catalog_from_texts, load_catalog, read_pack_texts
from omaliref.data.resources import pack_folder
from omaliref.domain.errors import PackError
from omaliref.domain.search import SearchIndex

QUERIES = ("J2357", "xolair", "omalizumb", "50242-0040-62", "jw", "waste", "2357", "j", "sinuva implant")


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped pack's files, to edit."""
    shipped = pack_folder()
    assert shipped is not None, "the shipped pack is plain files on disk in a checkout"
    copy = tmp_path / "pack"
    copy.mkdir()
    for name in FILES:
        shutil.copy2(shipped / name, copy / name)
    return copy


def compiled(folder, built=None):
    def read_texts():
        return {name: (folder / name).read_text(encoding="utf-8") for name in FILES}

    def build(texts):
        if built is not None:
            built.append(1)
        return catalog_from_texts(texts)

    return pack_cache.compiled_pack(folder, read_texts, build)


def queries(index: SearchIndex) -> list[str]:
    """QUERIES, every entry's id and first name, and that name with a letter dropped (a typo: the fuzzy match)."""
    names = [entry.names[0] for entry in index.entries if entry.names and len(entry.names[0]) > 3]
    return [*QUERIES, *(entry.id for entry in index.entries), *names, *(name[:1] + name[2:] for name in names)]


def same_answers(index: SearchIndex, other: SearchIndex) -> bool:
    def answers(i: SearchIndex, query: str) -> list[tuple[str, float, tuple[str, ...]]]:
        return [(h.entry.id, h.score, tuple(h.reasons)) for h in i.search(query, 20)]

    return all(answers(index, q) == answers(other, q) for q in queries(index))


def test_compiled_pack_equals_what_the_toml_gives(folder, isolated_state):
    built: list[int] = []
    catalog, index = compiled(folder, built)
    key = pack_cache.file_key(folder)
    assert key is not None
    path = pack_cache.cache_path(key)
    assert path is not None and path.exists() and str(path).startswith(str(isolated_state))
    again, again_index = compiled(folder, built)
    assert built == [1]  # the second came compiled
    assert again == catalog == load_catalog()
    fresh = SearchIndex.from_catalog(load_catalog())
    assert [e.id for e in again_index.entries] == [e.id for e in fresh.entries]
    assert same_answers(again_index, fresh) and same_answers(index, again_index)


def test_any_edit_to_a_pack_file_is_a_new_key_and_is_what_loads(folder, isolated_state):
    compiled(folder)
    before = pack_cache.file_key(folder)
    codes = folder / "codes.toml"
    stat = codes.stat()
    codes.write_text(
        codes.read_text(encoding="utf-8").replace(
            "Injection, omalizumab, 5 mg", "Injection, omalizumab, 5 mg (edited)"
        ),
        encoding="utf-8",
    )
    os.utime(codes, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))  # even an edit within the same second
    assert pack_cache.file_key(folder) != before
    built: list[int] = []
    catalog, index = compiled(folder, built)
    assert built == [1]
    assert catalog.codes["J2357"].descriptor.endswith("(edited)")
    assert index.search("J2357", 1)[0].entry.title.endswith("(edited)")


def test_the_key_covers_the_code_that_builds_the_catalog(tmp_path):
    package = tmp_path / "omaliref"
    for sub in ("domain", "data"):
        (package / sub).mkdir(parents=True)
        (package / sub / "model.py").write_text("x = 1\n")
    before = pack_cache.code_stamps(package)
    (package / "domain" / "model.py").write_text("x = 22\n")
    assert pack_cache.code_stamps(package) != before
    assert any("model.py" in stamp for stamp in before)


def test_texts_not_on_disk_are_keyed_by_their_content():
    texts = read_pack_texts()
    changed = dict(texts)
    changed["codes.toml"] = texts["codes.toml"].replace("Injection, omalizumab, 5 mg", "Injection, omalizumab, 10 mg")
    assert pack_cache.text_key(changed) != pack_cache.text_key(texts)
    assert pack_cache.text_key(dict(texts)) == pack_cache.text_key(texts)
    built: list[int] = []

    def build(t):
        built.append(1)
        return catalog_from_texts(t)

    first = pack_cache.compiled_pack(None, lambda: texts, build)
    second = pack_cache.compiled_pack(None, lambda: texts, build)
    assert first[0] == second[0] == load_catalog()


def test_a_damaged_foreign_or_other_key_cache_is_rebuilt(folder, isolated_state):
    key = pack_cache.file_key(folder)
    assert key is not None
    path = pack_cache.cache_path(key)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    for junk in (
        b"not a pickle",
        b"\x80\x05\x95",
        pickle.dumps({"codes": "lies"}),
        pickle.dumps({"key": key + "x", "catalog": catalog, "index": SearchIndex.from_catalog(catalog)}),
        pickle.dumps({"key": key, "catalog": "lies", "index": None}),
    ):
        path.write_bytes(junk)
        built: list[int] = []
        assert compiled(folder, built)[0] == catalog
        assert built == [1]
        assert pack_cache.read_cached(path, key) is not None  # rewritten with the real catalog


def test_an_invalid_pack_is_refused_and_never_cached(folder, isolated_state):
    (folder / "pack.toml").write_text("not = [valid", encoding="utf-8")
    with pytest.raises(PackError):
        compiled(folder)
    key = pack_cache.file_key(folder)
    assert key is not None
    path = pack_cache.cache_path(key)
    assert path is not None and not path.exists()


def test_a_missing_pack_file_falls_back_to_the_texts(folder):
    (folder / "rules.toml").unlink()
    assert pack_cache.file_key(folder) is None


def test_the_cache_can_be_turned_off(folder, isolated_state, monkeypatch):
    monkeypatch.setenv(pack_cache.ENV_DISABLE, "1")
    compiled(folder)
    assert not (isolated_state / "cache").exists()


def test_two_installs_sharing_the_cache_keep_their_own_compiled_pack(folder, tmp_path, isolated_state):
    """A source checkout and the bundle (or two versions) used in turn: neither deletes the other's compiled pack,
    so neither rebuilds on every start; only the newest few are kept."""
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    (other / "topics.toml").write_text((other / "topics.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    first, second = pack_cache.file_key(folder), pack_cache.file_key(other)
    assert first is not None and second is not None and first != second
    built: list[int] = []
    for _ in range(3):
        compiled(folder, built)
        compiled(other, built)
    assert built == [1, 1]  # each compiled once, then read in turn
    cache = pack_cache.cache_path(first)
    assert cache is not None
    for n in range(pack_cache.KEEP_COMPILED + 2):  # more keys than are kept: the oldest go
        (cache.parent / f"pack-old{n}.pickle").write_bytes(b"x")
        os.utime(cache.parent / f"pack-old{n}.pickle", ns=(n, n))
    (folder / "rules.toml").write_text((folder / "rules.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    compiled(folder, built)
    assert len(list(cache.parent.glob("pack-*.pickle"))) == pack_cache.KEEP_COMPILED


# --- Red-team 2026-12 #1: the cache never executes or trusts what it reads -------------------------------------


def _cached_path(folder):
    compiled(folder)
    key = pack_cache.file_key(folder)
    assert key is not None
    path = pack_cache.cache_path(key)
    assert path is not None and path.is_file()
    return key, path


class _Planted:
    """What an attacker plants: unpickling it runs os.mkdir(marker), a harmless stand-in for any command."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _planted_payloads(key, catalog, index, marker):
    planted = {"key": key, "catalog": catalog, "index": index, "x": _Planted(marker)}
    raw = pickle.dumps(planted, protocol=pickle.HIGHEST_PROTOCOL)
    yield "a bare pickle (the old layout) with the right key", raw
    yield "the header with no valid tag", pack_cache.MAGIC + b"\0" * pack_cache.TAG_SIZE + raw
    secret = pack_cache.cache_secret()
    assert secret is not None
    # an attacker who also stole the per-user secret: the tag is right, the restricted unpickler still refuses
    yield "a correctly tagged pickle that calls os.mkdir", pack_cache.MAGIC + pack_cache.tag(secret, key, raw) + raw


def test_a_planted_pickle_runs_nothing_and_is_rebuilt(folder, tmp_path):
    key, path = _cached_path(folder)
    catalog, index = compiled(folder)
    marker = tmp_path / "PWNED"
    for what, payload in _planted_payloads(key, catalog, index, marker):
        path.write_bytes(payload)
        built: list[int] = []
        assert compiled(folder, built)[0] == catalog, what
        assert not marker.exists(), f"{what}: the planted code ran"
        assert built == [1], f"{what}: not rebuilt"
        assert pack_cache.read_cached(path, key) is not None  # rewritten with the real catalog


def test_a_tampered_cache_never_bills_j2357_at_10_mg(folder):
    """The red team's tamper_pickle.py: the right key, J2357's billing unit changed to 10 mg (375 mg = 38 units)."""
    from dataclasses import replace
    from fractions import Fraction

    from omaliref.domain.quantities import Quantity

    key, path = _cached_path(folder)
    catalog, index = compiled(folder)
    codes = dict(catalog.codes)
    codes["J2357"] = replace(codes["J2357"], billing_unit=Quantity(Fraction(10), "mg"))
    tampered = replace(catalog, codes=codes)
    raw = pickle.dumps({"key": key, "catalog": tampered, "index": index}, protocol=pickle.HIGHEST_PROTOCOL)
    original = path.read_bytes()

    def payloads():
        yield "bare pickle", raw
        yield "the old file's tag on new contents", original[: len(pack_cache.MAGIC) + pack_cache.TAG_SIZE] + raw

    for what, payload in payloads():
        path.write_bytes(payload)
        built: list[int] = []
        loaded, _index = compiled(folder, built)
        assert loaded.codes["J2357"].billing_unit == Quantity(Fraction(5), "mg"), what
        assert built == [1], what


def test_a_fifo_at_the_cache_path_costs_no_wait(folder):
    """A FIFO opened for reading blocks until a writer comes; the cache must not open one (red team: rc 124)."""
    import stat
    import threading

    _key, path = _cached_path(folder)
    path.unlink()
    os.mkfifo(path)
    answers: list[object] = []
    worker = threading.Thread(target=lambda: answers.append(compiled(folder)[0]), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a bound for a broken build only: the passing path never waits on the FIFO
    if worker.is_alive():
        with open(os.open(path, os.O_WRONLY | os.O_NONBLOCK), "wb"):  # release the blocked reader
            pass
        worker.join()
        pytest.fail("reading the cache waited on a FIFO")
    assert answers == [load_catalog()]
    assert stat.S_ISREG(os.lstat(path).st_mode)  # replaced by a real compiled pack


def test_a_symlink_at_the_cache_path_is_not_followed(folder, tmp_path):
    key, path = _cached_path(folder)
    elsewhere = tmp_path / "elsewhere.pickle"
    os.replace(path, elsewhere)
    path.symlink_to(elsewhere)
    assert pack_cache.read_cached(path, key) is None


def test_a_cache_secret_others_could_read_or_write_is_replaced(folder):
    """The tag is only as good as its secret: a secret file that is group- or world-accessible, the wrong size or
    not a regular file is not trusted; a new one (mode 0600) is made and every compiled pack made with the old
    one is rebuilt."""
    import stat

    key, path = _cached_path(folder)
    secret_path = pack_cache.secret_path()
    assert secret_path is not None
    if os.name == "posix":
        assert stat.S_IMODE(secret_path.stat().st_mode) == 0o600
        secret_path.chmod(0o644)
        before = secret_path.read_bytes()
        built: list[int] = []
        compiled(folder, built)
        assert built == [1]
        assert stat.S_IMODE(secret_path.stat().st_mode) == 0o600 and secret_path.read_bytes() != before
    secret_path.unlink()
    secret_path.mkdir()
    built = []
    compiled(folder, built)
    assert built == [1]  # no usable secret: built from the TOML, nothing trusted
    assert pack_cache.read_cached(path, key) is None


def test_the_key_covers_the_domain_subpackages(tmp_path):
    """The calculator package holds RULE_IDS, which the pack is checked against: an edit there rebuilds the pack."""
    package = tmp_path / "omaliref"
    (package / "data").mkdir(parents=True)
    (package / "domain" / "calculator").mkdir(parents=True)
    (package / "domain" / "calculator" / "results.py").write_text("RULE_IDS = ()\n")
    before = pack_cache.code_stamps(package)
    (package / "domain" / "calculator" / "results.py").write_text("RULE_IDS = ('new-rule',)\n")
    assert pack_cache.code_stamps(package) != before
