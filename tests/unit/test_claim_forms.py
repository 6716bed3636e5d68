"""A claim line in each form's words, including a line whose NDC unit and quantity the data does not give."""

from __future__ import annotations

from fractions import Fraction

from omaliref.domain.calculator import ClaimLine, NdcPart
from omaliref.domain.claim_forms import fl43, item_24a, missing_ndc_unit, x12_gap, x12_segments


def line(unit: str) -> ClaimLine:
    return ClaimLine("J1100", ("JZ",), 10, "administered", (NdcPart("00641-0367-25", unit, Fraction(1), 1),))


def test_a_line_with_its_ndc_unit_keys_in_every_form():
    keyed = line("UN")
    assert item_24a(keyed, 1) == "N400641036725 UN1" and fl43(keyed) == "N400641036725UN1"
    assert x12_segments(keyed, "office")[1:] == ("LIN**N4*00641036725~", "CTP****1*UN~")
    assert x12_gap(keyed) == ""


def test_a_line_without_its_ndc_unit_says_so_in_words_and_keeps_the_ndc():
    bare = line("")
    assert item_24a(bare, 1) is None and fl43(bare) is None
    assert missing_ndc_unit(bare.ndc) == (
        "N400641036725: NDC unit and quantity not in the data, take them from the package label"
    )
    assert x12_segments(bare, "office") == ("SV1*HC:J1100:JZ*CHARGE*UN*10***1~",)  # no LIN/CTP, and no words in the X12
    assert x12_gap(bare) == f"(no LIN/CTP: {missing_ndc_unit(bare.ndc)})"
