"""The panes and dialogs reach the data through one door: from omaliref.data they import only the Library and the
user state (issue #26). The window and start-up modules are held to it in their own change."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest

from omaliref.data.library import Library
from tests.e2e.test_cms_authority import _hcpcs_ending_j2357_and_jw

UI = Path(__file__).resolve().parents[2] / "omaliref" / "ui"
DOORS = {"omaliref.data.library", "omaliref.data.state"}
NOT_YET = {"main_window.py"}  # the window's own change (issue #26) closes it
PANES = sorted(p.name for p in UI.glob("*.py") if p.name not in NOT_YET)


def data_imports(path: Path) -> set[str]:
    """Every omaliref.data module the file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "omaliref.data":
            found |= {f"omaliref.data.{a.name}" for a in node.names}  # from omaliref.data import site
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.startswith("omaliref.data.")}


@pytest.mark.parametrize("name", PANES)
def test_a_pane_imports_from_data_only_the_library_and_the_state(name):
    assert data_imports(UI / name) <= DOORS


@pytest.mark.parametrize("name", PANES)
def test_a_pane_never_reaches_behind_the_library(name):
    text = (UI / name).read_text(encoding="utf-8")
    for behind in ("library.store", "_catalog", "cms_store"):
        assert behind not in text, f"{name} reaches behind the Library ({behind})"


def test_the_rule_catches_a_second_door(tmp_path):
    pane = tmp_path / "pane.py"
    pane.write_text("from omaliref.data.payers import PROFILE_FOR_KIND\nfrom omaliref.data import site\n")
    assert data_imports(pane) == {"omaliref.data.payers", "omaliref.data.site"}


# -- the doors the panes use ----------------------------------------------------------------------------------


def test_the_modifiers_dates_come_from_the_newest_imported_hcpcs_file(isolated_state, tmp_path):
    library = Library.open(str(isolated_state))
    assert library.dated_modifiers()["JW"].effective_to is None  # the pack's: JW has no end date
    library.import_files([_hcpcs_ending_j2357_and_jw(tmp_path)])
    jw = library.dated_modifiers()["JW"]
    assert jw.effective_to == dt.date(2027, 3, 31) and jw.dates_source == "cms-hcpcs-2027Q2"
    library.close()


def test_rule_titles_and_known_sources_come_from_the_pack(catalog):
    library = Library(catalog)
    rule = next(iter(catalog.rules.values()))
    assert library.rule_title(rule.id) == rule.title
    known = next(iter(catalog.sources))
    assert [s.id for s in library.known_sources([known, "not-a-source", known])] == [known, known]


def test_pasted_lines_are_read_as_omaliref_audit_reads_them(catalog):
    read = Library(catalog).read_keyed_lines(io.StringIO("HCPCS,Units\nJ2357,3\n"), "the paste")
    assert read.kind == "csv" and [(line.code, line.units) for line in read.lines] == [("J2357", "3")]
