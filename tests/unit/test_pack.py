"""The shipped data pack is valid, cites resolvable sources, and agrees with docs/domain on key facts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from omaliref.data.pack import FILES, load_catalog
from omaliref.data.resources import pack_root, read_text
from omaliref.domain.errors import PackError
from tests.fixtures.pack import pack_copy

REPO = Path(__file__).resolve().parents[2]


def test_every_record_has_sources_as_of_and_confidence(catalog):
    records = [
        *catalog.codes.values(),
        *catalog.products.values(),
        *catalog.modifiers.values(),
        *catalog.topics.values(),
        *catalog.corrections,
        *catalog.rules.values(),
        *catalog.dose_tables,
        *catalog.fixed_doses,
        *catalog.checklist,
    ]
    assert len(records) >= 150
    for record in records:
        prov = record.provenance
        assert prov.sources, record
        assert all(s in catalog.sources for s in prov.sources), record
        assert isinstance(prov.as_of, dt.date) and prov.as_of <= catalog.info.as_of  # never checked "later"
        assert prov.confidence in ("high", "medium", "low")


def test_every_source_of_the_register_is_present(catalog):
    text = (REPO / "docs/domain/source-register.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"^\| (S\d+) \|", text, flags=re.M))
    assert len(ids) == 106 and ids <= set(catalog.sources)


def test_every_source_id_the_domain_notes_cite_is_in_the_pack(catalog):
    """The notes and the pack cite the same register: a named id in a notes table must resolve."""
    named = {s for s in catalog.sources if not re.fullmatch(r"S\d+", s)}
    for path in (REPO / "docs/domain").glob("*.md"):
        for cell in re.findall(r"\| ([A-Za-z0-9][A-Za-z0-9-]*(?:, [A-Za-z0-9-]+)*) \|$", path.read_text(), flags=re.M):
            for ident in cell.split(", "):
                if "-" in ident and re.search("[a-z]", ident):  # a named id, not a date
                    assert ident in named, f"{path.name} cites '{ident}', which resources/sources.toml lacks"


@pytest.mark.parametrize(
    "code, amount, unit",
    [
        ("J2357", "5", "mg"),
        ("J7402", "10", "mcg"),
        ("J2182", "1", "mg"),
        ("J0490", "10", "mg"),
        ("J0561", "100000", "units"),
        ("J2355", "5", "mg"),
        ("J2359", "0.5", "mg"),
        ("J0517", "1", "mg"),
    ],
)
def test_billing_units_match_shared_domain(catalog, code, amount, unit):
    c = catalog.codes[code]
    assert c.billing_unit.amount == Fraction(amount) and c.billing_unit.unit == unit


def test_key_descriptors_and_identities(catalog):
    assert catalog.codes["J2357"].descriptor == "Injection, omalizumab, 5 mg"
    assert catalog.codes["J2357"].drug == "omalizumab"
    assert "sinus implant" in catalog.codes["J7402"].descriptor.lower()
    assert catalog.codes["J7402"].drug != "omalizumab"
    assert catalog.codes["J7402"].effective_from == dt.date(2021, 4, 1)
    assert catalog.codes["J2355"].drug == "oprelvekin"
    assert catalog.codes["J2182"].drug == "mepolizumab"
    assert catalog.codes["J0490"].drug == "belimumab"
    assert catalog.codes["J7401"].effective_to == dt.date(2021, 3, 31)


def test_unsettled_facts_are_marked_unsettled(catalog):
    q5154 = catalog.codes["Q5154"]  # settled by the October 2025 CMS HCPCS file (truth audit T3-02)
    assert q5154.unit_verified and q5154.descriptor_verified and q5154.provenance.confidence == "high"
    assert q5154.descriptor == "Injection, omalizumab-igec (omlyclo), biosimilar, 5 mg"
    assert q5154.effective_from == dt.date(2025, 10, 1) and q5154.dates_source == "cms-hcpcs-2025-10"
    assert "payment limit" in q5154.pricing_note
    vial = catalog.products["50242-0040-62"]
    assert vial.marketing_status == "not verified"
    for ndc in ("50242-0214-55", "50242-0215-55", "50242-0227-55"):  # settled by the July 2024 CMS crosswalk
        product = catalog.products[ndc]
        assert product.form == "autoinjector" and product.verified
        assert "cms-crosswalk-2024Q3" in product.provenance.sources
    for ndc in ("50242-0214-03", "50242-0215-83", "50242-0227-99"):  # still "meaning not established"
        assert not catalog.products[ndc].presentation_verified and not catalog.products[ndc].auto_select
    jg = catalog.modifiers["JG"]  # settled: ended 2024-12-31 (truth audit T3-01)
    assert jg.effective_to == dt.date(2024, 12, 31) and jg.replaced_by == ("TB",)
    assert jg.dates_source == "cms-hcpcs-2025-10" and jg.provenance.confidence == "high"
    s1090 = catalog.codes["S1090"]  # ended 2019-09-30 (T3-16)
    assert s1090.effective_to == dt.date(2019, 9, 30) and s1090.replaced_by == ("J7401",)


def test_jw_jz_dates(catalog):
    assert catalog.modifiers["JZ"].effective_from == dt.date(2023, 1, 1)
    assert catalog.modifiers["JZ"].required_from == dt.date(2023, 7, 1)
    assert catalog.modifiers["JW"].required_from == dt.date(2017, 1, 1)
    assert catalog.rules["jz-required"].effective_from == dt.date(2023, 7, 1)
    assert catalog.rules["jw-jz-returned"].effective_from == dt.date(2023, 10, 1)


@pytest.mark.parametrize(
    "ndc, code, units",
    [
        ("50242-0215-01", "J2357", 30),
        ("50242-0040-62", "J2357", 30),
        ("50242-0214-01", "J2357", 15),
        ("50242-0227-01", "J2357", 60),
        ("10599-0003-01", "J7402", 135),
        ("00173-0881-01", "J2182", 100),
        ("49401-0101-01", "J0490", 12),
        ("49401-0102-01", "J0490", 40),
        ("60793-0701-10", "J0561", 12),
        ("72606-0054-01", "Q5154", 60),
    ],
)
def test_units_per_container(catalog, ndc, code, units):
    p = catalog.products[ndc]
    c = catalog.codes[code]
    assert p.code == code
    assert p.container_amount.to(c.billing_unit.unit).amount / c.billing_unit.amount == units


@pytest.mark.parametrize(
    "code, value", [("J2357", 120), ("J7402", 270), ("J2182", 300), ("J0490", 160), ("J0561", 24), ("J2356", 210)]
)
def test_mue_values_are_shipped_with_their_quarter_and_source(catalog, code, value):
    """The April 2026 CMS MUE tables (truth audit T3-18): per table, labelled with the quarter they come from."""
    by_table = {m.setting: m for m in catalog.mues[code]}
    assert by_table["practitioner"].value == by_table["outpatient-hospital"].value == value
    assert all(m.quarter == "2026Q2" and m.mai == 3 and m.shipped for m in by_table.values())
    assert all(m.source_id == "cms-mue-2026-04" for m in by_table.values())


def test_codes_without_an_mue_ship_none(catalog):
    assert not {"Q5154", "J7401", "S1090", "S1091", "J3490", "J3590"} & set(catalog.mues)


def test_every_code_of_section_1_is_present(catalog):
    wanted = {
        "J2357",
        "J7402",
        "J7401",
        "S1090",
        "S1091",
        "Q5154",
        "J2182",
        "J0490",
        "J0561",
        "J0558",
        "J2355",
        "J2356",
        "J0517",
        "J2786",
        "J3490",
        "J3590",
        "C2625",
        "J2359",
    }
    assert wanted <= set(catalog.codes)


def test_j2357_has_all_seven_sections(catalog):
    sections = [t.section for t in catalog.sections_for("J2357")]
    assert sections == [
        "definition",
        "clinical-context",
        "modifiers",
        "documentation",
        "denials",
        "commercial",
        "similar-codes",
    ]


def test_resource_names_cannot_escape_the_pack():
    for bad in ("../pyproject.toml", "/etc/passwd", "a\\..\\b"):
        with pytest.raises(ValueError):
            read_text(bad)


@pytest.mark.parametrize(
    "file, old, new, expect",
    [
        (
            "codes.toml",
            'sources = ["cms-hcpcs-2025-10", "S22"',
            'sources = ["cms-hcpcs-2025-10", "S999"',
            ("codes.toml", "J2357", "sources", "unresolved source id 'S999'"),
        ),
        ("codes.toml", 'code = "J2182"', 'code = "J2357"', ("codes.toml", "J2357", "code", "duplicate")),
        (
            "products.toml",
            'ndc = "50242-0215-01"',
            'ndc = "50242-215-01"',
            ("products.toml", "50242-215-01", "ndc", "5-4-2"),
        ),
        (
            "products.toml",
            'container_amount = { amount = "150", unit = "mg" }\nvolume_ml = "1"\ncontainers_per_package = 1',
            'container_amount = { amount = "150", unit = "furlongs" }\nvolume_ml = "1"\ncontainers_per_package = 1',
            ("products.toml", "", "container_amount.unit", "does not parse"),
        ),
        (
            "modifiers.toml",
            "required_from = 2017-01-01",
            'required_from = "2017-13-01"',
            ("modifiers.toml", "JW", "required_from", "expected date"),
        ),
        (
            "codes.toml",
            'drug = "omalizumab"\n',
            'drug = "omalizumab"\ncolour = "blue"\n',
            ("codes.toml", "J2357", "colour", "unknown field"),
        ),
        ("topics.toml", "as_of = 2026-11-27\n", "\n", ("topics.toml", "j2357-definition", "as_of", "missing")),
        (
            "rules.toml",
            'confidence = "high"',
            'confidence = "certain"',
            ("rules.toml", "units-round-up", "confidence", "must be one of"),
        ),
        ("sources.toml", 'kind = "fda"', 'kind = "blog"', ("sources.toml", "S1", "kind", "must be one of")),
        (
            "checklist.toml",
            'when = { codes = ["J2357"] }',
            'when = { codes = ["Z9999"] }',
            ("checklist.toml", "right-code-omalizumab", "when.codes", "not a code"),
        ),
        ("pack.toml", 'version = "', "version = ", ("pack.toml", "whole file", "", "not valid TOML")),
        # typos that used to crash at use, not at load (code review 2026-12)
        ("dose_tables.toml", "[[fixed]]", "[[fixd]]", ("dose_tables.toml", "top level", "fixd", "unknown table")),
        ("codes.toml", 'category = "drug"', 'category = "Drug"', ("codes.toml", "J2357", "category", "must be one of")),
        ("products.toml", 'form = "vial"', 'form = "Vial"', ("products.toml", "", "form", "must be one of")),
        (
            "dose_tables.toml",
            'doses = ["150 q4", "300 q4"]',
            'doses = ["150q4", "300 q4"]',
            ("dose_tables.toml", "fixed", "doses", "'150q4'"),
        ),
        (
            "products.toml",
            'container_amount = { amount = "75", unit = "mg" }\nvolume_ml = "0.5"\ncontainers_per_package = 1\ncontainer_type = "single-dose"\nroute = "SC"\nmarketing_status = "listed"\npresentation_verified = true',
            'container_amount = { amount = "77", unit = "mg" }\nvolume_ml = "0.5"\ncontainers_per_package = 1\ncontainer_type = "single-dose"\nroute = "SC"\nmarketing_status = "listed"\npresentation_verified = true',
            ("products.toml", "50242-0214-01", "container_amount", "not a whole number"),
        ),
        (
            "codes.toml",
            'lookalikes = ["J2355", "J2356", "J2359", "J7402", "Q5154", "J2182"]',
            'lookalikes = ["J2355", "Z9998"]',
            ("codes.toml", "J2357", "lookalikes", "'Z9998' is not a code"),
        ),
        (
            "codes.toml",
            "effective_to = 2021-03-31",
            "effective_to = 2018-03-31",
            ("codes.toml", "J7401", "effective_to", "before effective_from"),
        ),
        (
            "products.toml",
            'code = "J2182"',
            'code = "J2182X"',
            ("products.toml", "00173-0881-01", "code", "not a code"),
        ),
        (
            "dose_tables.toml",
            '["375 q2", "-", "-", "-"],',
            '["375 q2", "-", "-"],',
            ("dose_tables.toml", "asthma-12-plus", "cells", "one cell per weight band"),
        ),
        (
            "dose_tables.toml",
            '"150 q4", "150 q4", "150 q4", "300 q4"',
            '"150 every 4", "150 q4", "150 q4", "300 q4"',
            ("dose_tables.toml", "asthma-12-plus", "cells", "must look like"),
        ),
        (
            "corrections.toml",
            'points_to = "J2182"',
            'points_to = "Z9999"',
            ("corrections.toml", "j2357-not-mepolizumab", "points_to", "not a code"),
        ),
        (
            "topics.toml",
            'section = "denials"',
            'section = "gossip"',
            ("topics.toml", "j2357-denials", "section", "must be one of"),
        ),
        (
            "sources.toml",
            'url = "https://api.fda.gov/drug/label.json?search=openfda.generic_name%3A%22Omalizumab%22"',
            'url = "ftp://example"',
            ("sources.toml", "S1", "url", "http"),
        ),
        (
            "modifiers.toml",
            '[[modifier]]\ncode = "JW"',
            '[[modifier]]\ncode = "JWX"',
            ("modifiers.toml", "JWX", "code", "two-character"),
        ),
    ],
)
def test_broken_packs_are_rejected_with_file_record_field(tmp_path, file, old, new, expect):
    root = pack_copy(tmp_path, file, old, new)
    with pytest.raises(PackError) as info:
        load_catalog(root)
    err = info.value
    exp_file, exp_record, exp_field, exp_problem = expect
    assert err.file == exp_file
    assert exp_record in err.record
    assert err.field == exp_field
    assert exp_problem in err.problem


def test_pack_loads_from_an_installed_wheel(tmp_path):
    """Build a wheel, install it into an empty target, and load the pack from there (not the checkout)."""
    pytest.importorskip("setuptools")
    wheel_dir, target, tree = tmp_path / "wheel", tmp_path / "site", tmp_path / "tree"
    # from a copy without build/: setuptools reuses a stale build/lib, which would hide a package left out
    skip = shutil.ignore_patterns("build", "dist", ".venv", ".git", "tests", "__pycache__", ".*_cache", "*.egg-info")
    shutil.copytree(REPO, tree, ignore=skip)
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(tree),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("omaliref-*.whl"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    source = {str(f.relative_to(REPO)) for f in (REPO / "omaliref").rglob("*.py")}
    installed = {str(f.relative_to(target)) for f in (target / "omaliref").rglob("*.py")}
    assert source - installed == set(), "a package left out of pyproject's [tool.setuptools] packages"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import omaliref.data.pack as p; "
        "assert p.__file__.startswith(sys.argv[1]), p.__file__; c = p.load_catalog(); "
        "print(len(c.codes), c.codes['J2357'].billing_unit)"
    )
    run = subprocess.run([sys.executable, "-I", "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[1:] == ["5", "mg"]


def test_files_list_matches_resources_folder():
    shipped = {p.name for p in (REPO / "resources").glob("*.toml")}
    assert shipped == set(FILES)


def test_domain_and_data_do_not_import_qt():
    code = (
        "import sys, omaliref.cli, omaliref.data.pack, omaliref.data.pack_cache, omaliref.data.state, omaliref.domain.search, "
        "omaliref.domain.calculator, omaliref.domain.checklist, omaliref.domain.dosing, omaliref.domain.outcome, omaliref.report.as_json; "
        "omaliref.data.pack_cache.shipped_catalog(); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; print(bad); sys.exit(bool(bad))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_missing_file_is_named(tmp_path):
    root = pack_copy(tmp_path, "rules.toml", "[[rule]]", "[[rule]]")
    (root / "rules.toml").unlink()
    with pytest.raises(PackError) as info:
        load_catalog(root)
    assert info.value.file == "rules.toml" and "cannot be read" in info.value.problem


def test_pack_loads_from_the_source_checkout():
    """In a development install the package's resources are the checkout's top-level resources/ folder."""
    root = pack_root()
    assert Path(str(root)).resolve() == (REPO / "resources").resolve()
    assert load_catalog(root).codes["J2357"].billing_unit.amount == 5


AUTHORITATIVE = {"cms", "mac", "fda", "manufacturer", "medicaid-agency", "payer"}


def test_a_fact_is_high_only_with_an_authoritative_source_or_two(catalog):
    """Confidence follows the best source: trade press, compendia and blogs alone support medium at most."""
    records = [
        *catalog.codes.values(),
        *catalog.products.values(),
        *catalog.modifiers.values(),
        *catalog.rules.values(),
        *catalog.corrections,
        *catalog.checklist,
        *catalog.topics.values(),
    ]
    weak = []
    for record in records:
        prov = record.provenance
        kinds = {catalog.sources[s].kind for s in prov.sources}
        if prov.confidence == "high" and not kinds & AUTHORITATIVE and len(prov.sources) < 2:
            weak.append(getattr(record, "id", None) or getattr(record, "code", None) or getattr(record, "ndc", None))
    assert not weak, f"high confidence on third-party sources alone: {weak}"
