"""Red team 2026-12 #6: an open Library (the app) notices an import made by another program (the CLI) before it
answers again, instead of mixing the old packages (cached per code and quarter) with the new payment limit."""

from __future__ import annotations

import datetime as dt

from omaliref.data.library import Library
from omaliref.domain.case import CaseInput, case_from_input
from tests.fixtures.cms import ASP_CSV, CROSSWALK_CSV, NAMES, quarter_zips

TODAY = dt.date(2027, 2, 1)


def case():
    """The package named and its label confirmed single-dose (a confirmation never covers a package the app chose)."""
    return case_from_input(
        CaseInput(
            code="J0001", dose="25mg", containers=("99999-0001-10x2",), date="2027-02-01", single_dose_confirmed=True
        ),
        TODAY,
    )


def replacement_files(folder):
    """The red team's q1b: J0001's packages become 20 mg, its payment limit 99.000, and J0007 is new."""
    folder.mkdir()
    crosswalk = folder / NAMES["crosswalk"]
    crosswalk.write_text(CROSSWALK_CSV.replace("Examplemab,10 MG,4,10,10,100", "Examplemab,10 MG,4,10,2,20"), "cp1252")
    asp = folder / NAMES["asp"]
    asp.write_text(
        ASP_CSV.replace("10 MG,12.345", "10 MG,99.000") + "J0007,Inj newcode 1 mg,1 MG,1.000,20.000,,,,,,,,\n", "cp1252"
    )
    return [crosswalk, asp]


def limit(outcome):
    return [w.message for w in outcome.warnings if "payment limit" in w.message]


def lines(outcome):
    return [(line.modifiers, line.units, tuple(p.ndc for p in line.ndc_parts)) for line in outcome.calculation.lines]


def test_an_import_by_another_program_is_picked_up_before_the_next_answer(tmp_path):
    state = str(tmp_path / "state")
    first = Library.open(state)
    first.import_files(quarter_zips(tmp_path / "q1"))
    app = Library.open(state)  # the open window's library
    before = app.evaluate(case())
    assert any("$12.345" in m for m in limit(before))
    assert not app.search("J0007", 5) or app.search("J0007", 5)[0].entry.id != "J0007"
    cli = Library.open(state)  # `omaliref import` in a terminal, while the app runs
    cli.import_files(replacement_files(tmp_path / "q1b"))
    cli.close()
    after = app.evaluate(case())
    fresh = Library.open(state).evaluate(case())  # what a restart gives
    assert any("$99.000" in m for m in limit(after)) and limit(after) == limit(fresh)
    assert lines(after) == lines(fresh) != lines(before)  # the new packages, not the old ones with the new price
    assert app.search("J0007", 5)[0].entry.id == "J0007"
    assert any("changed" in n and "reloaded" in n for n in app.notices)
    app.close()
    first.close()
