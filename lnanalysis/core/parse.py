"""Strict parsers for the numbers and years found in source files.

Every parser returns a value or raises ValueParseError; none guesses.

>>> parse_number("39065753.206057005")
ParsedNumber(value=39065753.206057005, bound='', marker='')
>>> parse_number(">600")
ParsedNumber(value=600.0, bound='>', marker='')
>>> parse_number("…")
ParsedNumber(value=nan, bound='', marker='…')
>>> parse_year("2019年")
2019
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from lnanalysis.core.errors import ValueParseError

MISSING_MARKERS = ("…", "...", "—", "–", "-", "－", "……", "——", "x", "X")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_BOUND = re.compile(r"^(>=|<=|>|<|≥|≤)\s*(.+)$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?(?:\s*年)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")


class ParsedNumber(NamedTuple):
    """A parsed cell: the value (NaN when missing), a bound sign and a missing marker."""

    value: float
    bound: str
    marker: str


def parse_number(raw, *, where: dict | None = None) -> ParsedNumber:
    """Parse a numeric cell that may be text, a float, a missing marker or a bound.

    Empty strings and white space count as missing, with the marker kept (``''``
    or ``' '``). Thousands separators are accepted only in groups of three.

    Raises
    ------
    ValueParseError
        For text that is neither a number, a bound nor a missing marker.
    """
    where = where or {}
    if raw is None:
        return ParsedNumber(math.nan, "", "")
    if isinstance(raw, bool):
        raise ValueParseError(f"boolean {raw!r} where a number is expected", **where)
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueParseError(f"non-finite number {raw!r}", **where)
        return ParsedNumber(float(raw), "", "")
    text = str(raw)
    stripped = text.strip().replace("\u3000", "")
    if stripped == "":
        return ParsedNumber(math.nan, "", "blank" if text == "" else "whitespace")
    if stripped in MISSING_MARKERS:
        return ParsedNumber(math.nan, "", stripped)
    bound = ""
    m = _BOUND.match(stripped)
    if m:
        bound = {"≥": ">=", "≤": "<="}.get(m.group(1), m.group(1))
        stripped = m.group(2).strip()
    normal = stripped.translate(_FULLWIDTH)
    if "," in normal:
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", normal):
            raise ValueParseError(f"malformed number {text!r}", **where)
        normal = normal.replace(",", "")
    if not _NUMBER.match(normal):
        raise ValueParseError(f"not a number: {text!r}", **where)
    value = float(normal)
    if not math.isfinite(value):
        raise ValueParseError(f"number out of range: {text!r}", **where)
    return ParsedNumber(value, bound, "")


def parse_year(raw, *, where: dict | None = None, lo: int = 1949, hi: int = 2100) -> int:
    """Parse a year cell: 2019, 2019.0, '2019', '2019年'. Anything else is an error.

    Raises
    ------
    ValueParseError
        For fractional years (2019.5), Chinese numerals (二〇一九) or years outside lo..hi.
    """
    where = where or {}
    if isinstance(raw, bool) or raw is None:
        raise ValueParseError(f"not a year: {raw!r}", **where)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueParseError(f"fractional year {raw!r}", **where)
        year = int(raw)
    elif isinstance(raw, int):
        year = raw
    else:
        m = _YEAR.match(str(raw).strip().translate(_FULLWIDTH))
        if not m:
            raise ValueParseError(f"not a year: {raw!r}", **where)
        year = int(m.group(1))
    if not lo <= year <= hi:
        raise ValueParseError(f"year {year} outside {lo}-{hi}", **where)
    return year
