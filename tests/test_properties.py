"""Property tests of the parsers (slow tier: `make test-slow`, 10,000 examples each).

For any input, a parser either returns a well-formed result or raises its one
documented exception; nothing else escapes, and nothing is silently coerced.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lnanalysis.core.errors import UnknownRegionError, UnknownUnitError, ValueParseError
from lnanalysis.core.parse import MISSING_MARKERS, parse_number, parse_year
from lnanalysis.reference.regions import _index, normalise_label, region_code
from lnanalysis.reference.units import canonical_unit

pytestmark = pytest.mark.slow
MANY = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
ANY_CELL = st.one_of(
    st.text(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.none(),
    st.booleans(),
)


@MANY
@given(ANY_CELL)
def test_parse_number_returns_or_raises_its_documented_error(raw):
    try:
        value, bound, marker = parse_number(raw)
    except ValueParseError:
        return
    assert bound in ("", ">", "<", ">=", "<=")
    if marker or raw is None:
        assert math.isnan(value)  # a missing marker never becomes a number
    else:
        assert math.isfinite(value)  # no inf or nan passes as a value


@MANY
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64), st.sampled_from(["", " ", "\u3000"])
)
def test_numbers_written_as_text_read_back_exactly(x, pad):
    assert parse_number(f"{pad}{x!r}{pad}").value == x


@MANY
@given(st.sampled_from(MISSING_MARKERS), st.sampled_from(["", " ", "  "]))
def test_missing_markers_are_never_zero(marker, pad):
    parsed = parse_number(f"{pad}{marker}{pad}")
    assert math.isnan(parsed.value) and parsed.marker == marker


@MANY
@given(ANY_CELL)
def test_parse_year_returns_a_year_in_range_or_raises(raw):
    try:
        year = parse_year(raw)
    except ValueParseError:
        return
    assert isinstance(year, int) and 1949 <= year <= 2100


@MANY
@given(st.integers(min_value=1949, max_value=2100), st.sampled_from(["{}", "{}年", "{}.0", " {} "]))
def test_years_in_every_written_form(year, form):
    assert parse_year(form.format(year)) == year


@MANY
@given(st.integers(1949, 2100), st.integers(1, 9))
def test_fractional_years_are_rejected(year, tenth):
    with pytest.raises(ValueParseError):
        parse_year(f"{year}.{tenth}")


@MANY
@given(st.text(max_size=20))
def test_canonical_unit_returns_a_known_unit_or_raises(label):
    try:
        unit = canonical_unit(label)
    except UnknownUnitError:
        return
    assert canonical_unit(unit) == unit  # canonical units map to themselves


@MANY
@given(st.text(max_size=12))
def test_region_code_returns_the_code_of_the_normalised_label_or_raises(label):
    try:
        code = region_code(label)
    except UnknownRegionError:
        assert normalise_label(label) not in _index()
        return
    assert _index()[normalise_label(label)] == code


KNOWN = sorted(_index())


@MANY
@given(
    st.sampled_from(KNOWN), st.lists(st.sampled_from([" ", "\u3000", "  "]), max_size=3), st.data()
)
def test_padding_anywhere_in_a_known_label_keeps_its_code(key, pads, data):
    label = key
    for pad in pads:
        at = data.draw(st.integers(0, len(label)))
        label = label[:at] + pad + label[at:]
    assert region_code(label) == _index()[key]
    assert normalise_label(label) == key
