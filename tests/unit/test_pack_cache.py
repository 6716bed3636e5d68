"""The compiled data pack (#17) can never disagree with the TOML: same catalog, new key on any change, damaged
caches rebuilt, invalid packs never cached."""

from __future__ import annotations

import pytest

from omaliref.data import pack_cache
from omaliref.data.pack import FILES, _read, catalog_from_texts, load_catalog
from omaliref.domain.errors import PackError


@pytest.fixture
def texts():
    return {name: _read(name, None) for name in FILES}


def test_cached_catalog_equals_the_catalog_built_from_the_toml(texts, isolated_state):
    built = []

    def build(t):
        built.append(1)
        return catalog_from_texts(t)

    first = pack_cache.cached_catalog(texts, build)
    path = pack_cache.cache_path(pack_cache.cache_key(texts))
    assert path is not None and path.exists() and str(path).startswith(str(isolated_state))
    second = pack_cache.cached_catalog(texts, build)
    assert built == [1]  # the second came from the cache
    assert second == first == load_catalog()


def test_any_change_to_the_pack_text_is_a_new_key(texts):
    changed = dict(texts)
    changed["codes.toml"] = texts["codes.toml"].replace("Injection, omalizumab, 5 mg", "Injection, omalizumab, 10 mg")
    assert pack_cache.cache_key(changed) != pack_cache.cache_key(texts)
    assert pack_cache.cache_key(dict(texts)) == pack_cache.cache_key(texts)


def test_a_damaged_or_foreign_cache_is_rebuilt(texts, isolated_state):
    path = pack_cache.cache_path(pack_cache.cache_key(texts))
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    for junk in (b"not a pickle", b"\x80\x05\x95", __import__("pickle").dumps({"codes": "lies"})):
        path.write_bytes(junk)
        assert pack_cache.cached_catalog(texts, catalog_from_texts) == load_catalog()
        assert pack_cache.read_cached(path) is not None  # rewritten with the real catalog


def test_an_invalid_pack_is_refused_and_never_cached(texts, isolated_state):
    broken = dict(texts)
    broken["pack.toml"] = "not = [valid"
    with pytest.raises(PackError):
        pack_cache.cached_catalog(broken, catalog_from_texts)
    path = pack_cache.cache_path(pack_cache.cache_key(broken))
    assert path is not None and not path.exists()


def test_the_cache_can_be_turned_off(texts, isolated_state, monkeypatch):
    monkeypatch.setenv(pack_cache.ENV_DISABLE, "1")
    pack_cache.cached_catalog(texts, catalog_from_texts)
    assert not (isolated_state / "cache").exists()
