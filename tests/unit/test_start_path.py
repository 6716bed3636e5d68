"""The start-up path (#17): the pure core loads before PySide6, and nothing the first answer does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from omaliref import startup
from omaliref.data.library import Library
from omaliref.data.state import StateDirs
from omaliref.domain.errors import PackError


def test_the_library_opened_before_qt_answers_the_first_keystroke(isolated_state, monkeypatch):
    library = Library.open_at_start(StateDirs.resolve(str(isolated_state)))
    built: list[str] = []
    monkeypatch.setattr(Library, "build_index", lambda self, entries=None: built.append("build_index"))
    monkeypatch.setattr(Library, "curated_index", lambda self: built.append("curated_index"))
    monkeypatch.setattr("omaliref.data.library.load_profiles", lambda *a, **k: built.append("load_profiles"))
    # the compiled pack's index and the payer profiles are ready before the first keystroke: answering reads neither
    assert library.search("xolair", 5)[0].entry.id == "J2357"
    assert library.profile_for("commercial").kind == "commercial"
    assert built == []


def test_a_pack_that_cannot_be_opened_is_kept_for_the_dialog_not_raised(isolated_state, monkeypatch):
    def broken(cls, dirs):
        raise PackError("codes.toml", "code 'J2357'", "unit", "not a quantity")

    monkeypatch.setattr(Library, "open_at_start", classmethod(broken))
    early = startup.early(str(isolated_state))  # does not raise: app.run says so in a dialog, before any window
    assert isinstance(early.library, PackError) and "codes.toml" in str(early.library)
    assert early.dirs == StateDirs.resolve(str(isolated_state))


def modules_after(code: str, state) -> set[str]:
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    env.pop("OMALIREF_NO_PACK_CACHE", None)
    dump = "import sys, json; sys.stderr.write('MODULES' + json.dumps(sorted(sys.modules)))"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # compiles the pack
    out = subprocess.run([sys.executable, "-c", f"{code}\n{dump}"], env=env, check=True, capture_output=True, text=True)
    return set(json.loads(out.stderr.rsplit("MODULES", 1)[1]))


def test_opening_the_library_imports_neither_qt_nor_the_cms_or_toml_code(isolated_state):
    """What a first start without imported quarters loads before the window: no Qt (PySide's import hook would
    read each module's source), no CMS parsers, no SQLite, no TOML parser when the compiled pack is there."""
    loaded = modules_after(f"from omaliref import startup; startup.early({str(isolated_state)!r})", isolated_state)
    for module in ("PySide6", *startup.NEVER_BEFORE_THE_FIRST_ANSWER):
        assert module not in loaded, module
    for module in startup.LOADS[0].modules:
        assert module in loaded, module


def test_the_window_start_loads_what_startup_says_and_nothing_on_demand(isolated_state):
    """The smoke test's start, window included: the first two phases of startup.LOADS are loaded, and nothing of
    the on-demand phase, the CMS code or SQLite before the first answer."""
    code = "from omaliref import app; app.run(smoke_test=True)"
    loaded = modules_after(code, isolated_state)
    before_qt, first_paint, _after_paint, on_demand = startup.LOADS
    for module in (*before_qt.modules, *first_paint.modules):
        assert module in loaded, module
    for module in (*on_demand.modules, *startup.NEVER_BEFORE_THE_FIRST_ANSWER):
        assert module not in loaded, module
