"""The calculator over thousands of generated cases (its invariants) and its least-waste search against an
enumeration."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from omaliref.domain.calculator import calculate
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError
from omaliref.domain.quantities import Quantity

# --- invariants over generated cases -----------------------------------------------------------------------

CODES = ("J2357", "J2182", "J0490", "J0561", "J7402")


@st.composite
def cases(draw, catalog):
    code = draw(st.sampled_from(CODES))
    c = catalog.codes[code]
    products = [p for p in catalog.products_for(code) if p.auto_select]
    unit = c.billing_unit.unit
    if c.max_single_dose is not None:
        high = c.max_single_dose.quantity.to(unit).amount
    else:
        high = Fraction(2000)
    dose = Fraction(draw(st.integers(1, 4000)), 4000) * high
    use_auto = draw(st.booleans())
    containers = ()
    if not use_auto:
        picks = draw(st.lists(st.tuples(st.sampled_from(products), st.integers(1, 6)), min_size=1, max_size=3))
        containers = tuple((p.ndc, n) for p, n in picks)
    day = draw(st.dates(dt.date(2015, 1, 1), dt.date(2027, 6, 30)))
    payer = draw(st.sampled_from(("medicare", "medicaid", "commercial")))
    sep = draw(st.booleans())
    m340b = draw(st.sampled_from(("", "JG", "TB")))

    return Case(code, day, Quantity(dose, unit), containers, payer, separately_payable=sep, modifier_340b=m340b)


def check_invariants(catalog, data):
    request = data.draw(cases(catalog))
    try:
        r = calculate(catalog, request)
    except InputError as exc:
        assert str(exc)  # refused with a sentence (e.g. containers hold less than the dose)
        event(f"refused at {exc.field or 'the case'}")  # --hypothesis-show-statistics: how many cases are refused
        return
    event("calculated")
    billing = r.code.billing_unit.amount
    total_labelled_units = r.labelled_contents.amount / billing
    assert r.administered_units + r.discarded_units <= total_labelled_units
    assert r.administered_units * billing >= r.dose_in_billing_unit.amount
    for line in r.lines:
        assert not ({"JW", "JZ"} <= set(line.modifiers))
        assert line.units >= 1  # a JW line too: no zero- or fraction-unit line
    if request.date_of_service < dt.date(2023, 1, 1):
        assert not r.has_jz
    if not request.separately_payable or not all(c.product.single_dose for c in r.containers):
        assert not r.has_jw and not r.has_jz
    assert sum(l.units for l in r.lines) == r.total_billed_units


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_invariants(catalog, data):  # slow (tests/conftest.py)
    check_invariants(catalog, data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_invariants_on_a_sample(catalog, data):
    """test_invariants on fewer cases, for the fast set."""
    check_invariants(catalog, data)


# --- the least-waste search: exact and polynomial ----------------------------------------------------------------


def _brute_force(sizes, dose, cap):
    import itertools

    best = None
    for counts in itertools.product(*(range(cap + 1) for _ in sizes)):
        total = sum(c * s for c, s in zip(counts, sizes, strict=False))
        if total < dose or sum(counts) > cap:
            continue
        key = (total - dose, sum(counts), tuple(-c for c in counts))
        best = key if best is None or key < best else best
    return () if best is None else tuple(-c for c in best[2])


LEAST_WASTE_INPUTS = {
    "sizes": st.lists(st.integers(1, 40), min_size=1, max_size=3, unique=True),
    "dose": st.fractions(min_value=Fraction(1, 4), max_value=120, max_denominator=8),
    "cap": st.integers(1, 8),
}


def check_least_waste(sizes, dose, cap):
    from omaliref.domain.calculator import least_waste_counts

    ordered = sorted((Fraction(s) for s in sizes), reverse=True)
    assert least_waste_counts(ordered, dose, cap) == _brute_force(ordered, dose, cap)


@settings(max_examples=300, deadline=None)
@given(**LEAST_WASTE_INPUTS)
def test_least_waste_matches_brute_force(sizes, dose, cap):  # slow (tests/conftest.py)
    check_least_waste(sizes, dose, cap)


@settings(max_examples=20, deadline=None)
@given(**LEAST_WASTE_INPUTS)
def test_least_waste_matches_brute_force_on_a_sample(sizes, dose, cap):
    """test_least_waste_matches_brute_force on fewer cases, for the fast set."""
    check_least_waste(sizes, dose, cap)


def lines_run(function, *args):
    """`function(*args)` and how many lines of its module ran for it: the work done, counted rather than timed."""
    import sys

    module = function.__code__.co_filename
    count = 0

    def trace(frame, event, arg):
        if frame.f_code.co_filename != module:
            return None

        def count_lines(frame, event, arg):
            nonlocal count
            count += event == "line"
            return count_lines

        return count_lines

    before = sys.gettrace()
    sys.settrace(trace)
    try:
        result = function(*args)
    finally:
        sys.settrace(before)
    return result, count


def test_least_waste_does_work_in_proportion_to_containers_times_sizes():
    """The old enumeration of every combination took minutes for 600 with 7 sizes; the search now does a few steps
    per (container, size) pair: 8 sizes and 60 containers would be about 10^10 combinations."""
    from omaliref.domain.calculator import MAX_CONTAINERS, least_waste_counts

    sizes = sorted((Fraction(s) for s in (10, 20, 40, 50, 75, 150, 300, 400)), reverse=True)
    expected = {  # counts per size, largest first: no waste, then fewest containers
        300: (0, 1, 0, 0, 0, 0, 0, 0),
        600: (0, 2, 0, 0, 0, 0, 0, 0),
        2395: (5, 1, 0, 1, 0, 0, 1, 0),  # 5 x 400 + 300 + 75 + 20
        MAX_CONTAINERS * 400: (MAX_CONTAINERS, 0, 0, 0, 0, 0, 0, 0),
    }
    for dose, counts in expected.items():
        result, lines = lines_run(least_waste_counts, sizes, Fraction(dose), MAX_CONTAINERS)
        assert result == counts
        assert lines <= 8 * (MAX_CONTAINERS + 1) * len(sizes), f"{lines} lines run for a dose of {dose}"
