"""Usage: python gui_cli_import.py OMALIREF FILE... -- the app is open with a quarter imported; the CLI imports a
replacement crosswalk and ASP file for that quarter while it runs; the coder recomputes the same case and searches a
code only the new file has (red team #6)."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtWidgets import QApplication

app = QApplication([])
from omaliref.app import build_window  # noqa: E402 - after the QApplication

window = build_window()
window.show()
app.processEvents()


def case() -> str:
    window.case_model.update(
        code="J0001",
        dose="25mg",
        date="2027-02-01",
        containers="99999-0001-10x2",  # two of the package the replacement crosswalk makes 20 mg
        single_dose_ndcs=("99999-0001-10",),
    )
    app.processEvents()
    outcome = window.case_model.snapshot.outcome
    calc = outcome.calculation if outcome else None
    if calc is None:
        error = window.case_model.snapshot.error
        return f"no result ({error})"
    facts = calc.quarter_facts
    limit = facts.payment_limit.limit if facts and facts.payment_limit else None
    containers = [(u.product.ndc, str(u.product.container_amount)) for u in calc.containers]
    return (
        f"containers={containers} lines={[(line.modifiers, line.units) for line in calc.lines]} payment_limit={limit}"
    )


print("before:", case())
out = subprocess.run([sys.argv[1], "import", *sys.argv[2:]], capture_output=True, text=True)
print("CLI import:", out.returncode, out.stdout.strip().replace("\n", " | ")[:300])
print("after: ", case())
window.search_edit.setText("J0007")
app.processEvents()
hits = [window.results.index(i, 0).data() for i in range(window.results.rowCount())]
print("search J0007 in the open app: J0007 found =", any("J0007" in h for h in hits))
