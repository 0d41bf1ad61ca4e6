"""Number, year, unit and region parsers on planted examples."""

import math

import pytest

from lnanalysis.core.errors import UnknownRegionError, UnknownUnitError, ValueParseError
from lnanalysis.core.parse import parse_number, parse_year
from lnanalysis.reference.regions import region_code
from lnanalysis.reference.units import convert


@pytest.mark.parametrize(
    "raw,value,bound",
    [
        ("1596977", 1596977.0, ""),
        ("5817.10", 5817.10, ""),
        (39065753.206057005, 39065753.206057005, ""),
        ("-0.1", -0.1, ""),
        (">600", 600.0, ">"),
        ("1,234.5", 1234.5, ""),
        ("１２３", 123.0, ""),
    ],
)
def test_numbers(raw, value, bound):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(value) and parsed.bound == bound and parsed.marker == ""


@pytest.mark.parametrize(
    "raw,marker",
    [("…", "…"), ("...", "..."), ("", "blank"), ("   ", "whitespace"), ("—", "—"), ("-", "-")],
)
def test_missing_markers_are_kept_and_never_zero(raw, marker):
    parsed = parse_number(raw)
    assert math.isnan(parsed.value) and parsed.marker == marker


@pytest.mark.parametrize("raw", ["12a", "1,23", "N/A", "=SUM(A1)"])
def test_bad_numbers_raise(raw):
    with pytest.raises(ValueParseError):
        parse_number(raw, where={"file": "f.xlsx", "row": 3})


@pytest.mark.parametrize(
    "raw,year", [(2019, 2019), (2019.0, 2019), ("2019", 2019), ("2019年", 2019)]
)
def test_years(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize("raw", [2019.5, "2019.5", "二〇一九", "19", 3000])
def test_bad_years_raise(raw):
    with pytest.raises(ValueParseError):
        parse_year(raw)


def test_unit_conversion_is_recorded():
    value, record = convert(5084604, "万元", "亿元")
    assert value == pytest.approx(508.4604) and record == "万元→亿元 ×0.0001"
    with pytest.raises(UnknownUnitError):
        convert(1, "万元", "%")
    with pytest.raises(UnknownUnitError):
        convert(1, "furlongs", "亿元")


@pytest.mark.parametrize(
    ("value", "unit", "to", "expected"),
    [
        (2.5, "平方公里", "公顷", 250.0),
        (3, "万人次", "人次", 30000.0),
        (7, "万户", "户", 7e4),
        (3754, "人/平方公里", "人/平方公里", 3754),
    ],
)
def test_land_area_visits_and_households_convert_within_their_dimension(value, unit, to, expected):
    assert convert(value, unit, to)[0] == pytest.approx(expected)
    with pytest.raises(UnknownUnitError):
        convert(value, unit, "平方米" if unit == "平方公里" else "人")  # another dimension


@pytest.mark.parametrize(
    "label,code",
    [
        ("北    京", "BJ"),
        ("  National Total", "CN"),
        ("Tibet", "XZ"),
        ("Xizang", "XZ"),
        ("Oinghai", "QH"),
        ("新疆维吾尔自治区", "XJ"),
        ("新疆建设兵团", "X-XPCC"),  # listed apart from Xinjiang, never summed with provinces
        ("港 澳 台", "G-HMT"),
        ("东北地区", "G-NORTHEAST"),
    ],
)
def test_region_labels(label, code):
    assert region_code(label) == code


def test_unknown_region_is_an_error_not_a_guess():
    with pytest.raises(UnknownRegionError, match="辽林"):
        region_code("辽林", file="x.xls", sheet="1", cell="A17")
