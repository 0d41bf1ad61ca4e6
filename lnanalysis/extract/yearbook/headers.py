r"""Split yearbook header and unit texts into Chinese name, English name and unit.

Header cells mix languages and units on several lines, e.g.
``'专 利\r\n申请数\r\n(件)\r\nPatent\r\nApplications\r\n(piece)'``.

>>> split_header(["专 利\r\n申请数\r\n(件)\r\nPatent\r\nApplications\r\n(piece)"])
HeaderParts(zh='专利申请数', en='Patent Applications', unit='件', unit_en='piece', of_which=False)
>>> split_header(["R&D经费\n内部支出\nTotal", "#人员\n劳务费\nLabor Cost"]).zh
'R&D经费内部支出/人员劳务费'
>>> split_header(["其  中 ", "高新技术企业"])
HeaderParts(zh='高新技术企业', en='', unit='', unit_en='', of_which=True)
>>> unit_text("单位：万元")
'万元'
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lnanalysis.reference.units import is_unit

_CJK = re.compile(r"[\u3400-\u9fff]")
_LINES = re.compile(r"_x000D_|\r\n|\r|\n")
_PAREN = re.compile(r"^[(（]\s*([^()（）]*?)\s*[)）]$")
_TRAILING_PAREN = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]*?)\s*[)）]$")
_UNIT_PREFIX = re.compile(r"^\s*(单位|指标)\s*[:：]\s*")
_SPACES = re.compile(r"[ \t\u3000]+")
OF_WHICH = ("#", "＃", "其中")


def strip_of_which(text: str) -> tuple[bool, str]:
    """Return whether ``text`` marks an "of which" item ('#…', '其中…') and the text after it.

    >>> strip_of_which("#研究人员")
    (True, '研究人员')
    """
    text = text.strip()
    if not text.startswith(OF_WHICH):
        return False, text
    for mark in OF_WHICH:
        text = text.removeprefix(mark)
    return True, text


class HeaderParts(NamedTuple):
    """The parts of a column's header path."""

    zh: str
    en: str
    unit: str
    unit_en: str
    of_which: bool


def text_of(value) -> str:
    """Return a cell value as header text: integer floats without '.0', None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lines(text: str) -> list[str]:
    """Return the non-empty lines of a cell's text (any line-break convention)."""
    return [ln.strip() for ln in _LINES.split(text) if ln.strip()]


def split_header(cells: list[str]) -> HeaderParts:
    """Split the header cells of one column (top to bottom) into its parts.

    Chinese lines of one cell are joined without a separator, cells with '/';
    English lines are joined with spaces. A bracketed line, or a bracketed tail
    of a line, that the unit table knows is the unit; other bracketed text stays
    in the name. A '#' prefix or a '其中' group
    marks an "of which" sub-item.
    """
    zh_cells, en_words = [], []
    unit = unit_en = ""
    of_which = False
    for cell in cells:
        zh_parts = []
        for line in lines(cell):
            # both bracket patterns end with the closing bracket: test that first
            closes = line.endswith((")", "）"))
            m = _PAREN.match(line) if closes else None
            inner = m.group(1) if m and is_unit(m.group(1)) else None
            if inner is None and closes:
                m2 = _TRAILING_PAREN.match(line)
                if m2 and is_unit(m2.group(2)) and m2.group(1):
                    line, inner = m2.group(1), m2.group(2)
                    if _CJK.search(inner):
                        unit = unit or inner
                    else:
                        unit_en = unit_en or inner
                    inner = None
            if inner is not None:
                if _CJK.search(inner) or inner == "%":
                    unit = unit or inner
                else:
                    unit_en = unit_en or inner
                continue
            marked, rest = strip_of_which(_SPACES.sub("", line))
            if marked:
                of_which, line = True, rest
            if _CJK.search(line):
                zh_parts.append(_SPACES.sub("", line))
            elif line:
                en_words.append(line)
        if zh_parts:
            zh_cells.append("".join(zh_parts))
    english = re.sub(r"(\w)- ([a-z])", r"\1\2", " ".join(en_words))  # 'Environ- ment'
    return HeaderParts("/".join(zh_cells), english, unit, unit_en, of_which)


def unit_text(text: str) -> str:
    """Return the unit named in a unit row: '单位：万元' -> '万元', '(piece)' -> 'piece'.

    An indicator row such as '指标：地区生产总值(亿元)' gives its bracketed unit.
    """
    text = _UNIT_PREFIX.sub("", text.strip())
    m = _PAREN.match(text)
    if m:
        return m.group(1)
    m = _TRAILING_PAREN.match(text)
    if m:
        return m.group(2)
    return text


def indicator_from_unit_row(text: str) -> str:
    """Return the indicator of a '指标：地区生产总值(亿元)' row ('' for a plain unit row)."""
    if not re.match(r"^\s*指标\s*[:：]", text):
        return ""
    body = _UNIT_PREFIX.sub("", text.strip())
    m = _TRAILING_PAREN.match(body)
    return m.group(1) if m else body


def year_from_title(text: str) -> int | None:
    """Return the data year in a title: '(2019年)', '（2017）' or '2019年'."""
    m = re.search(r"[(（]\s*(\d{4})\s*年?\s*[)）]", text) or re.search(r"(\d{4})\s*年", text)
    return int(m.group(1)) if m else None
