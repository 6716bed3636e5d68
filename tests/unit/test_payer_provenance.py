"""Every built-in payer profile value is sourced or the app's default; dated values; the claim-form limits."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from omaliref.data.pack_schema import PAYER
from omaliref.data.payers import parse_profiles, read_payer_file
from omaliref.domain.calculator import ClaimLine, NdcPart, _in_second_place, _other_ndcs, medicare_paper
from omaliref.domain.claim_forms import claim_item_19, fit_quantity, item_24a
from omaliref.domain.errors import InputError, PackError
from omaliref.domain.payer import DEFAULTS, PROVENANCE_FIELDS, FieldBasis, PayerProfile, State340B


def test_every_built_in_profile_field_is_sourced_or_a_default(catalog):
    source_ids = set(catalog.sources)
    assert catalog.payer_profiles
    for profile in catalog.payer_profiles.values():
        assert isinstance(profile, PayerProfile)
        for name in PROVENANCE_FIELDS:
            for basis in profile.basis_for(name):
                where = f"{profile.id}.{name}"
                assert basis.status in ("sourced", "default"), where
                if basis.status == "sourced":
                    assert basis.source in source_ids, where
                    assert basis.quote or basis.locator, where
                    assert isinstance(basis.checked, dt.date), where
                else:
                    assert not (basis.source or basis.quote or basis.locator), where


def test_the_schema_declares_exactly_the_rule_fields_the_domain_knows():
    assert {name for name, f in PAYER.fields.items() if f.type == "rule"} == set(PROVENANCE_FIELDS) == set(DEFAULTS)


def test_a_built_in_profile_with_a_bare_value_is_a_load_error():
    text = '[[payer]]\nid = "x"\nname = "X"\nkind = "medicaid"\nsources = ["s1"]\njw_jz = "jw-only"\n'
    with pytest.raises(PackError, match="says where each value comes from"):
        parse_profiles(text, "payers.toml", origin="built-in", source_ids={"s1"})


def test_a_sourced_built_in_value_needs_a_quote_and_a_date():
    text = (
        '[[payer]]\nid = "x"\nname = "X"\nkind = "medicaid"\nsources = ["s1"]\n'
        'jw_jz = { value = "jw-only", source = "s2" }\n'
    )
    found = read_payer_file(text, "payers.toml", origin="built-in", source_ids={"s1"})
    whys = [p.why for p in found.problems]
    assert any("unresolved source id" in w for w in whys)
    assert any("quote or a locator" in w for w in whys)
    assert any("date it was checked" in w for w in whys)


def _profile_with(*basis: FieldBasis) -> PayerProfile:
    return PayerProfile(id="p", name="P", kind="medicaid", basis=basis)


def test_the_value_in_force_on_the_date_and_form_applies():
    before = FieldBasis("jw_jz", "jw-only", source="s", effective_to=dt.date(2025, 4, 30), form="cms1500")
    after = FieldBasis("jw_jz", "none", source="s", effective_from=dt.date(2025, 5, 1))
    undated = FieldBasis("jw_jz", "medicare", why="fallback")
    profile = _profile_with(before, after, undated)
    assert profile.in_force(dt.date(2025, 4, 30), "cms1500").jw_jz == "jw-only"
    assert profile.in_force(dt.date(2025, 4, 30), "ub04").jw_jz == "medicare"
    assert profile.in_force(dt.date(2025, 5, 1), "ub04").jw_jz == "none"
    resolved = profile.in_force(dt.date(2025, 4, 1), "cms1500")
    assert resolved.provenance("jw_jz") is before and resolved.dated_values == (before,)


def test_no_dated_value_in_force_falls_back_to_the_default_and_says_so():
    row = State340B("SC", "TB", 2, "src", "quote", dt.date(2026, 12, 3), effective_from=dt.date(2025, 12, 1))
    profile = _profile_with(*row.as_basis())
    early = profile.in_force(dt.date(2025, 11, 30), "ub04")
    assert early.modifier_340b == "none" and early.provenance("modifier_340b").status == "default"
    assert "do not cover this date" in early.provenance("modifier_340b").why
    late = profile.in_force(dt.date(2025, 12, 1), "ub04")
    assert (late.modifier_340b, late.modifier_340b_ub04_position) == ("TB", 2)


def test_second_place_moves_the_340b_modifier_only_when_there_is_a_first():
    assert _in_second_place(("JW", "KQ", "TB"), "TB") == ("JW", "TB", "KQ")
    assert _in_second_place(("TB",), "TB") == ("TB",)


def _part(ndc: str, unit: str, quantity: Fraction) -> NdcPart:
    return NdcPart(ndc, unit, quantity, 1)


def test_the_other_ndcs_note_fits_nte02_or_is_refused():
    four = [_part(f"50242-02{i}7-01", "ML", Fraction(1867, 1000)) for i in range(4)]
    note = _other_ndcs(four)
    assert len(note) <= 80 and all(p.ndc.replace("-", "") in note for p in four)
    assert _other_ndcs(four[:1]) == "Also NDC N450242020701 ML1.867"  # the readable form while it fits
    with pytest.raises(InputError, match="80 characters"):
        _other_ndcs([_part(f"50242-02{i}7-01", "ML", Fraction(1867, 1000)) for i in range(6)])


def test_medicare_paper_refuses_me_and_fits_six_characters():
    medicare = PayerProfile(id="m", name="M", kind="medicare", cms1500_ndc_gap=3)
    me_line = ClaimLine("Z9999", (), 10, "administered", (_part("00000-0000-00", "ME", Fraction(500)),))
    with pytest.raises(InputError, match="not ME"):
        medicare_paper((me_line,), medicare, "cms1500")
    assert medicare_paper((me_line,), PayerProfile(id="c", name="C", kind="commercial"), "cms1500").warnings == ()
    long = ClaimLine("Z9999", (), 10, "administered", (_part("00000-0000-00", "ML", Fraction(123456, 1000)),))
    assert "six characters" in medicare_paper((long,), medicare, "cms1500").warnings[0].message
    assert item_24a(long, 3, "24a", 6) == "N400000000000   ML123.46"
    assert fit_quantity(Fraction(123456, 1000), None) == "123.456"


def test_item_19_holds_the_ndcs_of_an_item_19_payer_once_per_claim():
    first = ClaimLine("J2357", ("JZ",), 56, "administered", (_part("50242-0227-01", "ML", Fraction(28, 15)),), "n1")
    waste = ClaimLine("J2357", ("JW",), 19, "discarded", (_part("50242-0227-01", "ML", Fraction(2, 15)),))
    assert item_24a(first, 1, "19") is None
    assert claim_item_19((first, waste), "19") == "line 1: N450242022701 ML1.867; n1 / line 2: N450242022701 ML0.133"
    assert claim_item_19((first, waste), "24a") == "n1"
