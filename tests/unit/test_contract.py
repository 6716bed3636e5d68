"""The pack <-> code contract and the one-definition rule for vocabularies."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from omaliref.data.pack import load_catalog
from omaliref.data.pack_schema import guide
from omaliref.domain import vocab
from omaliref.domain.errors import PackError
from tests.fixtures.pack import pack_copy

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "file, old, new, record, field, fragment",
    [
        (
            "rules.toml",
            'id = "jz-required"',
            'id = "jz-mandatory"',
            "jz-required",
            "id",
            "calculator applies this rule",
        ),
        (
            "checklist.toml",
            'escalate_on = "jw-line"',
            'escalate_on = "jw-lines"',
            "jw-waste-documented",
            "when.escalate_on",
            "'jw-lines' is not one of",
        ),
        (
            "checklist.toml",
            'payers = ["medicaid"]',
            'payers = ["medicade"]',
            "prior-auth-medicaid",
            "when.payers",
            "'medicade' is not one of",
        ),
        (
            "checklist.toml",
            'settings = ["hospital-outpatient"]',
            'settings = ["hospital"]',
            "opps-po-pn",
            "when.settings",
            "'hospital' is not one of",
        ),
        ("products.toml", 'route = "SC"', 'route = "subcutaneous"', "", "route", "is not allowed"),
        # a code's status and routes are closed words; a code that is not active says when it ended
        ("codes.toml", 'status = "replaced"', 'status = "Replaced"', "J7401", "status", "must be one of"),
        ("codes.toml", 'status = "active"', 'status = "ended"', "J2357", "status", "gives its effective_to"),
        ("codes.toml", 'routes = ["SC"]', 'routes = ["sc"]', "J2357", "routes", "'sc' is not allowed"),
        # pack.toml has a schema, and no record was checked later than the pack
        ("pack.toml", "title = ", "titel = ", "pack", "titel", "unknown field"),
        ("pack.toml", 'version = "2026.12.2"', "version = 2026", "pack", "version", "expected str"),
        # the route and administration facts the calculator reads
        ("rules.toml", 'route = "SC"', 'route = "Sc"', "Sc", "route", "is not allowed"),
        ("rules.toml", 'modifier = "JB"', 'modifier = "JX"', "route 'SC'", "modifier", "'JX' is not a modifier"),
        ("rules.toml", "[[route]]", "[[routes]]", "top level", "routes", "unknown table"),
        ("rules.toml", 'setting = "office"', 'setting = "offce"', "offce", "setting", "is not allowed"),
        (
            "rules.toml",
            'setting = "office"\nno_route = "not in the data for this code: choose it by the route given (e.g. 96372 SC/IM injection, 96365 IV)"\n',
            'setting = "office"\n',
            "office",
            "no_route",
            "missing required field",
        ),
        # a package agrees with itself and with its code
        (
            "products.toml",
            'listed_ndc = "50242-215-01"',
            'listed_ndc = "50242-251-01"',
            "",
            "listed_ndc",
            "not the NDC",
        ),
        ("products.toml", 'route = "SC"', 'route = "IV"', "", "route", "J2357 is given SC"),
        # a dose table's bands follow one another
        (
            "dose_tables.toml",
            "[[30, 100], [100, 200],",
            "[[30, 100], [110, 200],",
            "asthma",
            "ige_bands",
            "starts where",
        ),
        # every table of a file is required, and the one fixed dose the look-up needs is there
        ("dose_tables.toml", 'indication = "csu"', 'indication = "asthma"', "top level", "fixed", "'csu'"),
    ],
)
def test_the_pack_must_hold_what_the_code_relies_on(tmp_path, file, old, new, record, field, fragment):
    with pytest.raises(PackError) as info:
        load_catalog(pack_copy(tmp_path, file, old, new))
    err = info.value
    assert err.file == file and record in err.record and err.field == field and fragment in err.problem


def test_a_renamed_rule_is_exit_3_with_one_sentence(tmp_path, monkeypatch, capsys):
    from omaliref.cli import main

    root = pack_copy(tmp_path, "rules.toml", 'id = "jz-required"', 'id = "jz-mandatory"')
    monkeypatch.setattr("omaliref.data.pack_cache.shipped_catalog", lambda: load_catalog(root))
    assert main(["units", "J2357", "--dose", "150mg"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "rules.toml: rule 'jz-required', field 'id'" in err


def test_no_record_is_checked_later_than_the_pack(tmp_path):
    with pytest.raises(PackError) as info:
        load_catalog(pack_copy(tmp_path, "pack.toml", "as_of = 2026-12-03", "as_of = 2026-11-30"))
    err = info.value
    assert err.field == "as_of" and "2026-12-03 is later than the pack's as_of (2026-11-30" in err.problem


@pytest.mark.parametrize(
    "file, old, new, said",
    [
        ("codes.toml", 'category = "drug"', 'category = "Drug"', "codes.toml: code 'J2357', field 'category'"),
        ("products.toml", 'form = "vial"', 'form = "Vial"', "field 'form'"),
        ("products.toml", 'marketing_status = "listed"', 'marketing_status = "Listed"', "field 'marketing_status'"),
        ("dose_tables.toml", "[[fixed]]", "[[fixd]]", "dose_tables.toml: top level, field 'fixd'"),
        ("dose_tables.toml", 'doses = ["150 q4", "300 q4"]', 'doses = ["150q4", "300 q4"]', "'150q4'"),
        ("codes.toml", 'status = "active"', 'status = "activ"', "codes.toml: code 'J2357', field 'status'"),
        ("rules.toml", 'route = "IV"', 'route = "iv"', "rules.toml: route 'iv', field 'route'"),
        ("dose_tables.toml", 'code = "Q5154"', 'code = "Q5145"', "dosed_code 'Q5145', field 'code'"),
        ("dose_tables.toml", "[[dosed_code]]", "[[dosed_codes]]", "dose_tables.toml: top level, field 'dosed_codes'"),
    ],
)
def test_a_typo_in_the_pack_is_exit_3_with_one_sentence(tmp_path, monkeypatch, capsys, file, old, new, said):
    """The review's typos that once loaded (or crashed at use) are load errors, whatever the command."""
    from omaliref.cli import main

    root = pack_copy(tmp_path, file, old, new)
    monkeypatch.setattr("omaliref.data.pack_cache.shipped_catalog", lambda: load_catalog(root))
    assert main(["dose", "omalizumab", "--indication", "csu"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert said in err


def test_a_pack_that_drops_the_dosed_codes_is_exit_3_with_one_sentence(tmp_path, monkeypatch, capsys):
    """The codes the dose tables dose are the pack's to say: without the declaration the pack does not load."""
    from omaliref.cli import main

    text = (REPO / "resources" / "dose_tables.toml").read_text(encoding="utf-8")
    declaration = text[text.index("[[dosed_code]]") : text.index("[[table]]")]
    root = pack_copy(tmp_path, "dose_tables.toml", declaration, "")
    monkeypatch.setattr("omaliref.data.pack_cache.shipped_catalog", lambda: load_catalog(root))
    assert main(["dose", "omalizumab", "--indication", "csu"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "dose_tables.toml: top level, field 'dosed_code': expected one or more [[dosed_code]] records" in err


def test_the_dose_tables_dose_the_codes_the_pack_names(tmp_path):
    """The dose check follows the pack: a code dropped from [[dosed_code]] gets no label dose."""
    from omaliref.domain.case import CaseInput, case_from_input
    from omaliref.domain.outcome import evaluate

    shipped = load_catalog()
    assert shipped.dose_table_codes == ("J2357", "Q5154")
    assert shipped.dose_names() == {"j2357", "q5154", "omalizumab", "omalizumab-igec", "xolair", "omlyclo"}
    text = (REPO / "resources" / "dose_tables.toml").read_text(encoding="utf-8")
    second = text[text.index('[[dosed_code]]\ncode = "Q5154"') : text.index("[[table]]")]
    catalog = load_catalog(pack_copy(tmp_path, "dose_tables.toml", second, ""))
    assert catalog.dose_table_codes == ("J2357",)
    raw = CaseInput(code="Q5154", dose="300mg", indication="csu")
    assert evaluate(shipped, case_from_input(raw, dt.date(2026, 12, 3))).dose_answer is not None
    assert evaluate(catalog, case_from_input(raw, dt.date(2026, 12, 3))).dose_answer is None


def test_the_editors_guide_is_generated_from_the_schema():
    shipped = (REPO / "resources" / "README.md").read_text(encoding="utf-8")
    assert shipped == guide(), "resources/README.md is out of date: python -m omaliref.data.pack_schema > it"


VOCABULARIES = {
    name: getattr(vocab, name)
    for name in (
        "PAYER_KINDS",
        "SETTINGS",
        "INDICATIONS",
        "WARNING_LEVELS",
        "SEVERITIES",
        "VERDICTS",
        "CONFIDENCES",
        "MUE_SETTINGS",
    )
}


@pytest.mark.parametrize("name", VOCABULARIES)
def test_each_vocabulary_is_spelled_out_once(name):
    """No module but vocab.py writes the words of a vocabulary out as a sequence of literals."""
    words = VOCABULARIES[name]
    pattern = re.compile(r"""["']""" + r"""["'],\s*["']""".join(map(re.escape, words[:2])) + r"""["']""")
    found = [
        str(p.relative_to(REPO))
        for p in (REPO / "omaliref").rglob("*.py")
        if p.name != "vocab.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not found, f"{name} spelled out again in {found}: import it from omaliref.domain.vocab"
