"""The pack <-> code contract and the one-definition rule for vocabularies."""

from __future__ import annotations

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
    monkeypatch.setattr("omaliref.data.library.shipped_catalog", lambda: load_catalog(root))
    assert main(["units", "J2357", "--dose", "150mg"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "rules.toml: rule 'jz-required', field 'id'" in err


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
