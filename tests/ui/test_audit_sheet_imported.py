"""The window's audit sheet of an imported code names the CMS files its facts came from (#26 item 2: the window
handed the sheet the curated catalog, and the sheet dropped them)."""

from __future__ import annotations

from tests.ui.test_imported_codes_ui import imported_window, pick_package, start_j0001

__all__ = ["imported_window"]  # the fixture, used by name


def test_the_audit_sheet_of_an_imported_code_lists_its_cms_files(imported_window, qtbot):
    window = imported_window
    start_j0001(qtbot, window, date="2027-02-01")
    pick_package(qtbot, window, 1)
    assert window.calculator.lines_model.rowCount() > 0
    html = window.audit_sheet_html()
    sources = html[html.index("<h3>Sources</h3>") :]
    for file in ("cms-hcpcs-2027Q1", "cms-asp-2027Q1", "cms-crosswalk-2027Q1", "cms-mue-practitioner-2027Q1"):
        assert f"<li>{file} — " in sources
    assert "CMS quarter 2027Q1" in html
