"""`omaliref review`: the curated pack against real CMS files — confirmed, contradicted, not listed — and an exit
status scripts can gate on."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

from omaliref.data.pack_cache import shipped_catalog
from omaliref.domain.cms import CrosswalkRow, HcpcsRow
from omaliref.domain.cms_facts import MueLimit
from omaliref.domain.pack_review import review_code, review_modifier, review_mue, review_package
from omaliref.domain.vocab import REVIEW_VERDICTS
from tests.e2e.test_cms_real import ANWEB_XLSX, CROSSWALK_JUL24, HCPCS_ZIP

CATALOG = shipped_catalog()


def run(state, *args):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], capture_output=True, text=True, env=env, timeout=120
    )


def items_by_id(data):
    """Codes and packages by id (a code's MUE item shares its id)."""
    return {item["id"]: item for item in data["items"] if item["kind"] in ("code", "package")}


def test_review_before_any_import_says_nothing_is_imported(tmp_path):
    out = run(tmp_path / "state", "review", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data["counts"]) == set(REVIEW_VERDICTS)
    held = len(CATALOG.codes) + len(CATALOG.modifiers) + len(CATALOG.mues) + len(CATALOG.products)
    assert data["counts"]["not-imported"] == len(data["items"]) == held


def test_review_against_real_files_confirms_xolair_and_keeps_not_listed_apart(tmp_path):
    state = tmp_path / "state"
    assert run(state, "import", str(HCPCS_ZIP), str(ANWEB_XLSX), str(CROSSWALK_JUL24)).returncode == 0
    out = run(state, "review", "--json")
    assert out.returncode == 0, out.stdout  # nothing in the pack contradicts these files
    data = json.loads(out.stdout)
    items = items_by_id(data)
    assert (items["J2357"]["verdict"], items["J2357"]["quarter"]) == ("confirmed", "2020Q2")
    autoinjector = items["50242-0227-55"]
    assert (autoinjector["verdict"], autoinjector["quarter"], autoinjector["source_id"]) == (
        "confirmed",
        "2024Q3",
        "cms-crosswalk-2024Q3",
    )
    assert "XOLAIR AUTOINJECTOR" in autoinjector["detail"] and "60 billing units" in autoinjector["detail"]
    # J7402 starts 2021-04-01: absent from an April 2020 file, and the review says why instead of crying wolf
    assert items["J7402"]["verdict"] == "not-listed" and "after that quarter" in items["J7402"]["detail"]
    assert data["counts"]["contradicted"] == 0

    older = json.loads(run(state, "review", "--quarter", "2019Q1", "--json").stdout)
    assert items_by_id(older)["J2357"]["quarter"] == "2019Q1"
    assert items_by_id(older)["50242-0227-55"]["quarter"] == "2024Q3"  # the only crosswalk imported

    text = run(state, "review").stdout
    assert text.splitlines()[0].startswith("Data pack ") and "confirmed" in text.splitlines()[0]


def test_a_crosswalk_that_disagrees_is_a_contradiction_and_exit_1(tmp_path):
    doctored = tmp_path / "crosswalk.csv"
    text = CROSSWALK_JUL24.read_text(encoding="utf-8")
    line = "XOLAIR AUTOINJECTOR,5 MG,2,1,60,60"
    assert line in text
    doctored.write_text(text.replace(line, "XOLAIR AUTOINJECTOR,5 MG,2,1,30,30"), encoding="utf-8")
    state = tmp_path / "state"
    assert run(state, "import", str(doctored)).returncode == 0
    out = run(state, "review")
    assert out.returncode == 1
    flagged = [l for l in out.stdout.splitlines() if l.startswith("!!")]
    assert flagged and all("50242-0227" in l for l in flagged)
    assert any("pack 60, CMS 30" in l for l in flagged)


def test_review_of_unknown_quarter_is_refused(tmp_path):
    out = run(tmp_path / "state", "review", "--quarter", "2031Q1")
    assert out.returncode == 2 and "not imported" in out.stderr


# --- the pure verdicts --------------------------------------------------------------------------------------


def crosswalk_row(code, ndc, billunits, qty="1"):
    return CrosswalkRow(
        code,
        ndc,
        ndc.replace("-", ""),
        "Genentech",
        "Xolair",
        "5 MG",
        None,
        Decimal(qty),
        Decimal(billunits),
        Decimal(billunits) * Decimal(qty),
    )


def test_package_under_another_code_is_contradicted():
    product = CATALOG.products["50242-0215-01"]
    item = review_package(product, CATALOG.codes["J2357"], "2024Q3", [crosswalk_row("J2355", product.ndc, "30")], "s")
    assert item.verdict == "contradicted" and "maps 50242-0215-01 to J2355" in item.detail


def test_package_items_per_package_must_agree_when_the_pack_knows_them():
    product = next(p for p in CATALOG.products.values() if p.containers_per_package and p.containers_per_package > 1)
    code = CATALOG.codes[product.code]
    per_item = Fraction(product.container_amount.to(code.billing_unit.unit).amount / code.billing_unit.amount)
    units = str(per_item.numerator // per_item.denominator)
    right = review_package(
        product,
        code,
        "2024Q1",
        [crosswalk_row(product.code, product.ndc, units, str(product.containers_per_package))],
        "s",
    )
    wrong = review_package(product, code, "2024Q1", [crosswalk_row(product.code, product.ndc, units, "1")], "s")
    assert right.verdict == "confirmed" and wrong.verdict == "contradicted" and "items per package" in wrong.detail


def test_code_terminated_by_cms_but_active_in_the_pack_is_contradicted():
    code = CATALOG.codes["J2357"]
    row = HcpcsRow(
        "J2357",
        False,
        code.descriptor,
        "Omalizumab injection",
        "51",
        "C",
        "O1E",
        "Z9999",
        dt.date(2005, 1, 1),
        dt.date(2030, 1, 1),
        dt.date(2029, 12, 31),
        "D",
    )
    item = review_code(code, "2030Q1", row, [], "cms-hcpcs-2030Q1")
    assert item.verdict == "contradicted" and "ends J2357 on 2029-12-31; the pack has it active" in item.detail
    same = review_code(
        code,
        "2019Q1",
        HcpcsRow(
            "J2357",
            False,
            code.descriptor,
            "",
            "51",
            "C",
            "O1E",
            "",
            dt.date(2005, 1, 1),
            dt.date(2005, 1, 1),
            None,
            "N",
        ),
        [],
        "s",
    )
    assert same.verdict == "confirmed"


def _mue(quarter, setting, value, shipped=False):
    return MueLimit(quarter, setting, value, 3, "Date of Service Edit: Clinical", "", "s", shipped=shipped)


def test_mue_verdicts_by_quarter():
    shipped = (_mue("2026Q2", "practitioner", 120, True), _mue("2026Q2", "outpatient-hospital", 120, True))
    same = [_mue("2026Q2", "practitioner", 120), _mue("2026Q2", "outpatient-hospital", 120)]
    assert review_mue("J2357", shipped, same, "s").verdict == "confirmed"
    differ = [_mue("2026Q2", "practitioner", 100)]
    assert review_mue("J2357", shipped, differ, "s").verdict == "contradicted"
    newer = review_mue("J2357", shipped, [_mue("2026Q3", "practitioner", 130)], "s")
    assert newer.verdict == "settled" and "CMS 2026Q3 130" in newer.detail
    older = review_mue("J2357", shipped, [_mue("2025Q1", "practitioner", 90)], "s")
    assert older.verdict == "not-imported" and "older" in older.detail
    assert review_mue("J2357", shipped, [], "").verdict == "not-imported"


def _modifier_row(code, long, added, term=None):
    return HcpcsRow(code, True, long, "", "", "C", "", "", added, added, term, "N")


def test_modifier_verdicts():
    jg, tb = CATALOG.modifiers["JG"], CATALOG.modifiers["TB"]
    ended = review_modifier(
        jg, "2025Q4", _modifier_row("JG", tb.descriptor, dt.date(2018, 1, 1), dt.date(2024, 12, 31)), "s"
    )
    assert ended.verdict == "ended" and "2024-12-31" in ended.detail
    active_then = review_modifier(jg, "2020Q2", _modifier_row("JG", jg.descriptor, dt.date(2018, 1, 1)), "s")
    assert active_then.verdict == "confirmed"
    later = review_modifier(jg, "2025Q4", _modifier_row("JG", jg.descriptor, dt.date(2018, 1, 1)), "s")
    assert later.verdict == "contradicted" and "lists JG as active" in later.detail
    reworded = review_modifier(tb, "2025Q4", _modifier_row("TB", "Something else", dt.date(2018, 1, 1)), "s")
    assert reworded.verdict == "contradicted" and "Descriptor" in reworded.detail
    assert review_modifier(CATALOG.modifiers["25"], "2025Q4", None, "s").verdict == "not-listed"
