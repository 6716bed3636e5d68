"""The start-up path (#17): the pure core loads before PySide6, and nothing the first answer does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from omaliref import app
from omaliref.data.library import Library
from omaliref.domain.errors import PackError


def test_a_library_opened_early_is_the_one_the_window_gets(isolated_state, monkeypatch):
    load = app.library_loader(str(isolated_state), now=True)
    first = load()
    assert isinstance(first, Library) and load() is first
    built: list[str] = []
    monkeypatch.setattr(Library, "build_index", lambda self, entries=None: built.append("build_index"))
    monkeypatch.setattr(Library, "curated_index", lambda self: built.append("curated_index"))
    # the index is ready before the first keystroke: answering it builds none
    assert first.search("xolair", 5)[0].entry.id == "J2357" and built == []


def test_a_failure_while_opening_early_is_raised_where_the_window_reports_it(isolated_state, monkeypatch):
    def broken(cls, state_dir=None):
        raise PackError("codes.toml", "code 'J2357'", "unit", "not a quantity")

    monkeypatch.setattr(Library, "open", classmethod(broken))
    load = app.library_loader(str(isolated_state), now=True)  # does not raise here
    with pytest.raises(PackError, match=r"codes\.toml"):
        load()


def test_opening_the_library_imports_neither_qt_nor_the_cms_or_toml_code(isolated_state):
    """What a first start without imported quarters loads before the window: no Qt (PySide's import hook would
    read each module's source), no CMS parsers, no SQLite, no TOML parser when the compiled pack is there."""
    code = (
        "import sys, json; from omaliref import app; "
        f"app.library_loader({str(isolated_state)!r}, now=True)(); "
        "print(json.dumps(sorted(m for m in sys.modules)))"
    )
    env = dict(os.environ, OMALIREF_STATE_DIR=str(isolated_state))
    env.pop("OMALIREF_NO_PACK_CACHE", None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # compiles the pack
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    loaded = set(json.loads(out.stdout))
    forbidden = ("PySide6", "omaliref.domain.cms", "omaliref.data.cms_store", "omaliref.data.pack_schema", "sqlite3")
    for module in (*forbidden, "tomllib", "csv", "hashlib"):
        assert module not in loaded, module
    assert "omaliref.domain.calculator" in loaded and "omaliref.domain.search" in loaded
