"""Infer the layout map of a statistical-yearbook table from its cell grid.

The inferred spec is one layout-map entry (the input of
:func:`lnanalysis.extract.yearbook.layouts.layout_from_spec`); ``read_yearbook(path)``
reads every table through it, with no hand-written map.

Algorithm (per workbook)
------------------------
1. Every text cell is resolved against the region dictionary in every scope
   (whitespace-insensitive, after an "of which" marker). The scope that resolves the most
   cells wins; columns with at least ``MIN_REGION_ROWS`` resolved cells are label columns.
   A label column right of a Chinese one with the same codes is its English column.
2. Each label column owns a *band* of columns up to the next label column (side-by-side
   continuation blocks). In a band, a *block* is a maximal run of rows whose label resolves,
   allowing blank separator rows; an unresolvable label ends it (stacked blocks, 续表).
3. Value columns: the band's columns with a number in the block's rows.
4. Above the block: rows with text in a value column (not a unit) form the header; the rows
   above it are the preamble, holding title, unit row(s) (``单位：…``, ``指标：…(亿元)``,
   ``(10 000 yuan)``). Below it: ``注``/``Note``/``数据来源`` rows are notes.
5. Year: a header row in which every value column is a year gives ``{row: N}`` (or
   ``header`` when it is the only header text); otherwise the year in a title.
6. Group header cells with empty cells to their right (over sub-headers) become spans.
7. Every column must get a unit (header, unit row, inherited from the previous block);
   otherwise a :class:`LayoutError` names the cell and the override that settles it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from lnanalysis.core.errors import LayoutError, UnknownRegionError
from lnanalysis.core.parse import parse_number, parse_year
from lnanalysis.extract.yearbook.headers import (
    indicator_from_unit_row,
    split_header,
    strip_of_which,
    text_of,
    unit_text,
    year_from_title,
)
from lnanalysis.extract.yearbook.layouts import (
    Block,
    Layout,
    address,
    col_letters,
    layout_from_spec,
)
from lnanalysis.extract.yearbook.overrides import override_for, package_families
from lnanalysis.extract.yearbook.workbook import Grid, read_grids
from lnanalysis.reference.regions import region_code
from lnanalysis.reference.units import canonical_unit, is_unit

# Scopes tried, in order of preference when two resolve equally many labels
SCOPES = ("provinces", "shanghai_districts", "cities", "countries")
# A column is a label column when at least this many of its cells are regions
MIN_REGION_ROWS = 3
# The query lines of a data-service export (data.stats.gov.cn): what was asked, not a title
_EXPORT_META = re.compile(r"(数据库|时间)[：:]")
_UNIT_PREFIX = re.compile(r"^\s*(单位|指标)\s*[:：]")
_BRACKETED = re.compile(r"^\s*[(（][^()（）]*[)）]\s*$")
_NOTE = re.compile(r"^\s*(注|Note|NOTE|数据来源|资料来源|说明|\*|[a-z]\))", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")
_LATIN = re.compile(r"[A-Za-z]")
_TABLE_NO = re.compile(r"^\s*(表\s*)?\d+(\s*[-—－.．]\s*\d+)*\s*")
_TITLE_YEAR = re.compile(r"\s*[(（]\s*\d{4}(\s*[-—－~～]\s*\d{4})?\s*年?\s*[)）]\s*$")
_BRACKET_TAIL = re.compile(r"[(（]\s*([^()（）]{1,12}?)\s*[)）]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FOUR_DIGITS = re.compile(r"\d{4}")
# How a number's text may start; no region label starts so
_NUMBER_START = frozenset("0123456789+-.")


# --------------------------------------------------------------------------- cell helpers


class _Cells:
    """Text view of one sheet's grid (stripped text, '' when empty)."""

    def __init__(self, name: str, grid: Grid) -> None:
        self.name = name
        self.grid = grid
        self.n_rows = len(grid)
        self.n_cols = max((len(row) for row in grid), default=0)
        # words: (row, text) of each column's text cells that may be region labels; a
        # label never starts like a number (a digit, sign or dot), and no number is one
        self._words: list[list[tuple[int, str]]] = [[] for _ in range(self.n_cols)]
        for r, row in enumerate(grid):
            for col, v in enumerate(row):
                if v.__class__ is str and (text := v.strip()) and text[0] not in _NUMBER_START:
                    self._words[col].append((r, text))

    def words(self, c: int) -> list[tuple[int, str]]:
        """Return (row, text) of column ``c``'s text cells that may be region labels.

        A region label never starts like a number: label searches look at these cells only.
        """
        return self._words[c]

    def raw(self, r: int, c: int):
        row = self.grid[r] if r < len(self.grid) else []
        return row[c] if c < len(row) else ""

    def t(self, r: int, c: int) -> str:
        """Return the stripped text of a cell ('' when empty or outside the sheet)."""
        if 0 <= r < self.n_rows and 0 <= c < len(row := self.grid[r]):
            v = row[c]
            # str(number or date) holds no spaces to strip
            return v.strip() if v.__class__ is str else text_of(v)
        return ""

    def is_number(self, r: int, c: int) -> bool:
        raw = self.raw(r, c)
        if isinstance(raw, bool):
            return False
        if isinstance(raw, int | float):
            return True
        text = self.t(r, c)
        if not text or not any(ch.isdigit() for ch in text):
            return False
        if _NUMBER.match(text):
            return True
        try:
            _, bound, marker = parse_number(text)
        except Exception:
            return False
        return not bound and not marker

    def where(self, r: int, c: int) -> dict:
        return {"sheet": self.name, "cell": address(r, c)}


@lru_cache(maxsize=1 << 16)
def _region(text: str, scope: str) -> str | None:
    """Return the code of a label in a scope, or None (an "of which" marker is dropped).

    Memoised: a table's labels repeat across the columns and scopes tried.
    """
    if not text or not (_CJK.search(text) or _LATIN.search(text)):
        return None
    _, rest = strip_of_which(text)
    try:
        return region_code(rest, scope=scope)
    except UnknownRegionError:
        return None


def _is_unit_cell(text: str) -> bool:
    """Return whether a cell is a unit statement: '单位：万元', '指标：…(亿元)', '(10 000 yuan)'."""
    if _UNIT_PREFIX.match(text):
        return True
    if _BRACKETED.match(text):
        return is_unit(unit_text(text))
    return False


def _is_year(text: str) -> int | None:
    # A year has four digits in a row (ASCII or full-width; \d matches both): most
    # header texts have none, and are passed over without a parse and its error
    if not text or not _FOUR_DIGITS.search(text):
        return None
    try:
        return parse_year(text, lo=1949, hi=2100)
    except Exception:
        return None


# --------------------------------------------------------------------------- structures


@dataclass
class _Block:
    """An inferred block (0-based rows and columns)."""

    sheet: str
    label: int
    label_en: int | None
    data: tuple[int, int]
    band: tuple[int, int]  # inclusive column range owned by the label column
    columns: list[int] = field(default_factory=list)
    header: tuple[int, int] | None = None
    title: tuple[int, int] | None = None
    title_en: tuple[int, int] | None = None
    unit: tuple[int, int] | None = None
    unit_en: tuple[int, int] | None = None
    spans: list[tuple[int, int, int]] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    year: object = None
    units: dict[int, str] = field(default_factory=dict)
    end: int = 0  # last row used (data or notes)


# --------------------------------------------------------------------------- inference


def _choose_scope(sheets: list[_Cells]) -> tuple[str, dict[tuple[str, int], list]]:
    """Return the scope that resolves the most labels, and its codes of each column's words.

    The codes are keyed by (sheet, column), one per word of ``cells.words(column)``
    (None where a word is no region), for the columns with enough words to be labels.
    """
    best, best_score, best_codes = None, 0, {}
    # A column with fewer text cells than a label column needs cannot count
    columns = [
        ((cells.name, c), [text for _r, text in words])
        for cells in sheets
        for c in range(cells.n_cols)
        if len(words := cells.words(c)) >= MIN_REGION_ROWS
    ]
    for scope in SCOPES:
        score, codes = 0, {}
        for key, texts in columns:
            codes[key] = found = list(map(_region, texts, repeat(scope)))
            n = len(texts) - found.count(None)
            if n >= MIN_REGION_ROWS:
                score += n
        if score > best_score:
            best, best_score, best_codes = scope, score, codes
    if best is None:
        names = ", ".join(repr(c.name) for c in sheets)
        raise LayoutError(
            f"no column of region labels found in sheets {names} (tried scopes "
            f"{', '.join(SCOPES)}); state the blocks (label:, data:) in a layout map "
            "(read-yearbook --layout)"
        )
    return best, best_codes


def _label_columns(cells: _Cells, resolved: dict) -> list[tuple[int, int | None]]:
    """Return (label column, English label column or None) pairs, left to right.

    ``resolved`` holds the chosen scope's codes of each column's words (see
    :func:`_choose_scope`).
    """
    codes: dict[int, dict[int, str]] = {}
    for c in range(cells.n_cols):
        found_codes = resolved.get((cells.name, c))
        if found_codes is None:
            continue
        found = {
            r: code for (r, _text), code in zip(cells.words(c), found_codes, strict=True) if code
        }
        if len(found) >= MIN_REGION_ROWS:
            codes[c] = found
    pairs: list[tuple[int, int | None]] = []
    skip: set[int] = set()
    for c in sorted(codes):
        if c in skip:
            continue
        nxt = c + 1
        if nxt in codes:
            same = sum(1 for r, code in codes[c].items() if codes[nxt].get(r) == code)
            if same >= 0.5 * min(len(codes[c]), len(codes[nxt])):
                zh_c = sum(1 for r in codes[c] if _CJK.search(cells.t(r, c)))
                zh_n = sum(1 for r in codes[nxt] if _CJK.search(cells.t(r, nxt)))
                skip.add(nxt)
                pairs.append((c, nxt) if zh_c >= zh_n else (nxt, c))
                continue
        pairs.append((c, None))
    return pairs


def _english_column(cells: _Cells, label: int, rows: range, band_end: int) -> int | None:
    """Return the column right of the label when it holds Latin labels and no numbers."""
    c = label + 1
    if c > band_end:
        return None
    latin = sum(1 for r in rows if _LATIN.search(cells.t(r, c)) and not _CJK.search(cells.t(r, c)))
    numbers = sum(1 for r in rows if cells.is_number(r, c))
    return c if latin >= max(2, len(rows) // 3) and numbers == 0 else None


def _segments(cells: _Cells, label: int, band: tuple[int, int], scope: str, label_en):
    """Yield (first row, last row) of each run of region rows in a label column.

    Raises
    ------
    LayoutError
        For a row inside or right after a run that has values but no known region.
    """
    value_cols = [c for c in range(band[0], band[1] + 1) if c not in (label, label_en)]

    def has_values(r: int) -> bool:
        return any(cells.is_number(r, c) for c in value_cols)

    start = last = None
    r = 0
    while r <= cells.n_rows:
        text = cells.t(r, label) if r < cells.n_rows else None
        code = _region(text, scope) if text else None
        if code:
            start = r if start is None else start
            last = r
        elif text == "" and start is not None:
            if has_values(r) and r + 1 < cells.n_rows and _region(cells.t(r + 1, label), scope):
                raise LayoutError(
                    "values in a row with no region label inside a block of regions; "
                    "fix the label or end the block above (override data:)",
                    **cells.where(r, label),
                )
        else:
            if start is not None:
                if (
                    text
                    and has_values(r)
                    and not _NOTE.match(text)
                    and not _years_only(cells, r, value_cols)
                ):
                    raise LayoutError(
                        f"label {text!r} next to a block of regions ({scope}) is not in the "
                        f"region dictionary but the row has values; add it as an alias in "
                        f"config/regions.csv, or end the block at row {last + 1} "
                        f"(override data: [{start + 1}, {last + 1}])",
                        **cells.where(r, label),
                    )
                yield start, last
            start = last = None
        r += 1


def _years_only(cells: _Cells, r: int, cols: list[int]) -> bool:
    texts = [cells.t(r, c) for c in cols if cells.t(r, c)]
    return bool(texts) and all(_is_year(t) for t in texts)


def _value_columns(cells: _Cells, block: _Block) -> list[int]:
    rows = range(block.data[0], block.data[1] + 1)
    out = []
    for c in range(block.band[0], block.band[1] + 1):
        if c in (block.label, block.label_en):
            continue
        if any(cells.is_number(r, c) for r in rows):
            out.append(c)
    return out


def _locate_header(cells: _Cells, block: _Block, zone_top: int) -> None:
    """Set the block's header, title, unit cells from the rows above its data."""
    first = block.data[0]
    cols = block.columns
    header_top = None
    for r in range(zone_top, first):
        texts = [cells.t(r, c) for c in cols]
        if any(t and not _is_unit_cell(t) for t in texts):
            header_top = r
            break
    if header_top is None:
        raise LayoutError(
            f"no header text above the data (rows {zone_top + 1}-{first}) for columns "
            f"{col_letters(cols[0])}:{col_letters(cols[-1])}; state header: in a layout "
            "map (--layout)",
            **cells.where(first, cols[0]),
        )
    block.header = (header_top, first - 1)
    band = range(block.band[0], block.band[1] + 1)
    for r in range(zone_top, header_top):
        for c in band:
            text = cells.t(r, c)
            if not text:
                continue
            if _UNIT_PREFIX.match(text):
                block.unit = block.unit or (r, c)
            elif _EXPORT_META.match(text):
                continue  # '数据库：分省年度数据', '时间：最近5年': an export's query, not a title
            elif _is_unit_cell(text):
                if _CJK.search(unit_text(text)) and block.unit is None:
                    block.unit = (r, c)
                else:
                    block.unit_en = block.unit_en or (r, c)
            elif c == block.band[0] or all(not cells.t(r, k) for k in band if k != c):
                if block.title is None and (_CJK.search(text) or year_from_title(text)):
                    block.title = (r, c)
                elif block.title_en is None and _LATIN.search(text) and not _CJK.search(text):
                    block.title_en = (r, c)
                elif year_from_title(text) and not year_from_title(cells.t(*block.title)):
                    block.title = (r, c)


def _header_rows(block: _Block) -> range:
    return range(block.header[0], block.header[1] + 1)


def _infer_spans(cells: _Cells, block: _Block, year_row: int | None) -> None:
    """Record group header cells that stand over several value columns.

    Three kinds are recorded, as the layout maps do: a group over year sub-columns
    ('农用化肥施用量' over '2021年', '2022年'), an "of which" group ('其中' over
    sub-items), and groups over a repeated set of sub-columns ('篇数' and '位次' each over
    'SCI', 'EI', 'CPCI-S'). Other empty cells right of a header keep no group text, so
    that a column's indicator is its own header path.
    """
    rows = list(_header_rows(block))
    colset = set(block.columns)
    for i, r in enumerate(rows[:-1]):
        if r == year_row:
            continue
        below = rows[i + 1 :]
        candidates = []
        for c in block.columns:
            text = re.sub(r"\s+", "", cells.t(r, c))
            if not text:
                continue
            j = c + 1
            while j in colset and not cells.t(r, j) and any(cells.t(rb, j) for rb in below):
                j += 1
            if j - 1 > c:
                marked, rest = strip_of_which(text)
                subs = tuple(cells.t(below[0], k) for k in range(c, j))
                candidates.append((c, j - 1, marked and not rest, subs))
        repeated = {subs for *_, subs in candidates if all(subs)}
        repeated = {s for s in repeated if sum(1 for *_, t in candidates if t == s) > 1}
        over_years = year_row is not None and year_row > r
        for c0, c1, of_which, subs in candidates:
            if of_which or over_years or subs in repeated:
                block.spans.append((r, c0, c1))


def _infer_year(cells: _Cells, block: _Block) -> int | None:
    """Set the block's year source from a header row of years; return that row or None."""
    for r in _header_rows(block):
        if all(_is_year(cells.t(r, c)) for c in block.columns):
            others = any(
                cells.t(rr, c) and not _is_unit_cell(cells.t(rr, c))
                for rr in _header_rows(block)
                if rr != r
                for c in block.columns
            )
            block.year = {"row": r} if others else "header"
            return r
    for r in _header_rows(block):
        texts = [(c, cells.t(r, c)) for c in block.columns]
        years = [c for c, t in texts if _is_year(t)]
        if len(years) >= max(2, len(texts) / 2):
            bad = next(c for c, t in texts if not _is_year(t))
            raise LayoutError(
                f"header row {r + 1} holds years in {len(years)} of {len(texts)} value columns "
                f"but {cells.t(r, bad)!r} here is not a year; correct the cell, or state "
                f"year: {{row: {r + 1}}} with the columns that are years (override columns:)",
                **cells.where(r, bad),
            )
    block.year = "title"
    return None


def _notes(cells: _Cells, block: _Block, limit: int, scope: str) -> None:
    """Take the 注/Note/数据来源 rows after the block's data (and their continuation lines)."""
    band = range(block.band[0], block.band[1] + 1)
    r = block.data[1] + 1
    while r < limit and not any(cells.t(r, c) for c in band):
        r += 1
    first_text = next((cells.t(r, c) for c in band if cells.t(r, c)), "") if r < limit else ""
    block.end = block.data[1]
    if not first_text or not _NOTE.match(first_text):
        return
    while r < limit:
        texts = [cells.t(r, c) for c in band if cells.t(r, c)]
        if not texts:
            break
        lead = texts[0]
        if any(cells.is_number(r, c) for c in block.columns) or _is_unit_cell(lead):
            break
        if block.notes and ("续表" in lead or "continued" in lead.lower()):
            break
        if _region(cells.t(r, block.label), scope):
            break
        block.notes.append(r)
        block.end = r
        r += 1


def _header_texts(cells: _Cells, block: _Block, col: int, skip: int | None) -> list[str]:
    """Mirror of the reader's header path for one column (spans fill empty group cells)."""
    out = []
    for r in _header_rows(block):
        if r == skip:
            continue
        text = text_of(cells.raw(r, col))
        if not text.strip():
            for row, c0, c1 in block.spans:
                if row == r and c0 < col <= c1:
                    text = text_of(cells.raw(r, c0))
        if text.strip():
            out.append(text)
    return out


def _check_units(cells: _Cells, block: _Block, prev: _Block | None) -> None:
    """Make sure every value column gets a unit; inherit or raise with the override to give."""
    zh = unit_text(cells.t(*block.unit)) if block.unit else ""
    en = unit_text(cells.t(*block.unit_en)) if block.unit_en else ""
    if block.unit:
        where = cells.where(*block.unit)
        if (
            zh
            and not any(s in zh for s in ",，、")
            and not is_unit(zh)
            and not (en and is_unit(en))
        ):
            raise LayoutError(
                f"unit row {cells.t(*block.unit)!r} names no known unit; add it to "
                f"config/units.yaml or state units: {{{_cols(block)}: <unit>}}",
                **where,
            )
    skip = block.year["row"] if isinstance(block.year, dict) else None
    table_single = zh and not any(s in zh for s in ",，、") and is_unit(zh)
    table_any = table_single or (en and is_unit(en))
    last_unit = None
    inherited = None
    if not table_any and prev is not None:
        inherited = _block_unit(cells, prev) if prev.sheet == block.sheet else prev.units.get(-1)
    # A unit row for the whole block gives every column its unit: nothing to check
    for col in [] if table_any else block.columns:
        if col in block.units:
            last_unit = block.units[col]
            continue
        if block.year == "header":
            parts = split_header([])
        else:
            parts = split_header(_header_texts(cells, block, col, skip))
        unit = parts.unit if parts.unit and is_unit(parts.unit) else ""
        unit = unit or (parts.unit_en if parts.unit_en and is_unit(parts.unit_en) else "")
        if unit or table_any:
            last_unit = unit or last_unit
            continue
        if parts.of_which and last_unit:
            continue
        if inherited:
            block.units[col] = inherited
            continue
        over = _unit_of_group_cell(cells, block, col)
        if over:
            block.units[col] = over
            continue
        head = " / ".join(_header_texts(cells, block, col, skip))[:40]
        unknown = _BRACKET_TAIL.findall(head)
        if unknown:
            raise LayoutError(
                f"column {col_letters(col)} states its unit as {unknown[-1]!r} (header "
                f"{head!r}), which config/units.yaml does not know; add it there, or state "
                f"units: {{{col_letters(col)}: <unit>}}",
                **cells.where(block.header[0], col),
            )
        raise LayoutError(
            f"no unit for column {col_letters(col)} (header {head!r}): no unit row above "
            f"the block and none in the header; state units: {{{col_letters(col)}: <unit>}} "
            f"(or for the block: units: {{{_cols(block)}: <unit>}})",
            **cells.where(block.header[0], col),
        )
    single = zh if table_single else (en if table_any else inherited)
    if single:
        block.units.setdefault(-1, canonical_unit(single))  # remembered for later blocks


def _unit_of_group_cell(cells: _Cells, block: _Block, col: int) -> str | None:
    """Return the unit of a header cell that stands over ``col`` from its left, if any.

    '机构人员(人)' heads its own column and, its right neighbour's cell in that row left
    empty, also '博士和硕士' below it: a column whose header states no unit takes the
    known unit of such a cell (the nearest text to its left in a header row where its
    own cell is empty, with only empty cells between).
    """
    for r in _header_rows(block):
        if cells.t(r, col):
            continue
        k = col - 1
        while k >= block.columns[0] and not cells.t(r, k):
            k -= 1
        if k < block.columns[0]:
            continue
        parts = split_header([cells.t(r, k)])
        for unit in (parts.unit, parts.unit_en):
            if unit and is_unit(unit):
                return unit
    return None


def _block_unit(cells: _Cells, block: _Block) -> str | None:
    for cell in (block.unit, block.unit_en):
        if cell:
            text = unit_text(cells.t(*cell))
            if is_unit(text):
                return canonical_unit(text)
    return block.units.get(-1)


def _cols(block: _Block) -> str:
    return f"{col_letters(block.columns[0])}:{col_letters(block.columns[-1])}"


def _clean_title(text: str) -> str:
    first = _without_number_and_year(text.replace("\r", "\n").split("\n")[0])
    first = _CJK_SPACE.sub("", first)  # '活动 及相关情况': spacing, not a word break
    return re.sub(r"\s+", " ", first).strip()


def _without_number_and_year(title: str) -> str:
    """Return a title line without its table number ('1-4 ') and year ('(2019年)')."""
    return _TITLE_YEAR.sub("", _TABLE_NO.sub("", title.strip())).strip()


def _english_title(cells: _Cells, block: _Block) -> str:
    """Return the English title, its lines joined (it often runs on into the next row)."""
    r, c = block.title_en
    text = cells.t(r, c)
    below = cells.t(r + 1, c) if r + 1 < block.header[0] else ""
    if below and _LATIN.search(below) and not _CJK.search(below) and not _is_unit_cell(below):
        text = f"{text} {below}"
    return _without_number_and_year(re.sub(r"\s+", " ", text))


def infer_blocks(grids: dict[str, Grid]) -> tuple[str, list[_Block], dict[str, _Cells]]:
    """Infer the region scope and the blocks of every sheet.

    Parameters
    ----------
    grids : dict
        Sheet name -> grid of raw cell values (as from ``read_grids``).

    Returns
    -------
    scope, blocks, cells
        The region scope, the blocks in reading order (sheet order, then band, then row),
        and the text view of each sheet.

    Raises
    ------
    LayoutError
        When no region column is found, or a block cannot be delimited.
    """
    sheets = {name: _Cells(name, grid) for name, grid in grids.items() if grid}
    scope, resolved = _choose_scope(list(sheets.values()))
    blocks: list[_Block] = []
    for name, cells in sheets.items():
        pairs = _label_columns(cells, resolved)
        starts = [min(p[0], p[1]) if p[1] is not None else p[0] for p in pairs]
        for i, (label, label_en) in enumerate(pairs):
            band = (starts[i], (starts[i + 1] - 1) if i + 1 < len(pairs) else cells.n_cols - 1)
            zone_top = 0
            band_blocks = []
            for first, last in _segments(cells, label, band, scope, label_en):
                n_regions = sum(
                    1 for r in range(first, last + 1) if _region(cells.t(r, label), scope)
                )
                if n_regions < 2:
                    continue
                en = label_en
                if en is None:
                    en = _english_column(cells, label, range(first, last + 1), band[1])
                block = _Block(name, label, en, (first, last), band)
                block.columns = _value_columns(cells, block)
                if not block.columns:
                    continue
                band_blocks.append((block, zone_top))
                zone_top = last + 1
            for k, (block, top) in enumerate(band_blocks):
                if k > 0:
                    top = max(top, band_blocks[k - 1][0].end + 1)
                _locate_header(cells, block, top)
                limit = band_blocks[k + 1][0].data[0] if k + 1 < len(band_blocks) else cells.n_rows
                _notes(cells, block, limit, scope)
                blocks.append(block)
    if not blocks:
        raise LayoutError(
            f"region labels found (scope {scope}) but no block of regions with numeric "
            "values; state the blocks in a layout map (read-yearbook --layout)"
        )
    return scope, blocks, sheets


def infer_layout(
    path: str | Path,
    grids: dict[str, Grid] | None = None,
    overrides: dict | None = None,
    digest: str | None = None,
    families: dict | None = None,
) -> dict:
    """Infer a layout spec for a yearbook file from its cells.

    Parameters
    ----------
    path : str or Path
        The workbook (or HTML table saved as .xls).
    grids : dict, optional
        The sheets' grids when already read (see ``workbook.read_grids``).
    overrides : dict, optional
        Settles what inference cannot: top-level ``region_set``, ``table_zh``,
        ``table_en``, ``year`` (int, for every block), ``units`` (column letters or
        ``'C:E'`` -> unit, for every block), and ``blocks`` (block index -> keys of one
        block spec, replacing the inferred ones).
    digest : str, optional
        The file's sha256 when already computed (else the file is read to compute it).
    families : dict, optional
        Overrides by table family (:mod:`~lnanalysis.extract.yearbook.overrides`);
        default the package's ``config/yearbook_overrides.yaml``. The override of the
        table's family applies first, and ``overrides`` over it.

    Returns
    -------
    dict
        One layout-map entry (1-based rows, column letters), for ``layout_from_spec``.

    Raises
    ------
    LayoutError
        When the layout is ambiguous; the message names sheet and cell and the override.
    """
    return _spec(*_infer(path, grids, overrides, digest, families))


def _spec(top: dict, blocks: list[_Block], block_overrides: dict) -> dict:
    """Return the layout map of inferred blocks, with the overrides of single blocks."""
    spec = {**top, "blocks": [_block_spec(b) for b in blocks]}
    for index, extra in block_overrides.items():
        spec["blocks"][int(index)].update(extra)
    return spec


def inferred_layout(
    table_id: str,
    path: str | Path,
    grids: dict[str, Grid] | None = None,
    overrides: dict | None = None,
    digest: str | None = None,
    families: dict | None = None,
    cites: dict | None = None,
) -> Layout:
    """Return the layout :func:`infer_layout` infers, as the reader takes it.

    The same layout as ``layout_from_spec(table_id, infer_layout(...) | cites)``, built
    from the inferred blocks directly; ``cites`` replaces the file, url and sha256.
    Overrides of single blocks (``blocks:``) are given in the spec's form, so a layout
    that has them is built through the spec.
    """
    top, blocks, block_overrides = _infer(path, grids, overrides, digest, families)
    top = top | (cites or {})
    if block_overrides:
        return layout_from_spec(table_id, _spec(top, blocks, block_overrides))
    return Layout(
        id=table_id,
        file=top["file"],
        sha256=top["sha256"],
        url=top["url"],
        table_zh=top["table_zh"],
        table_en=top["table_en"],
        region_set=top["region_set"],
        blocks=tuple(_layout_block(b) for b in blocks),
    )


def _layout_block(block: _Block) -> Block:
    """Return the reader's block for an inferred one, as ``_block_spec`` gives it."""
    return Block(
        sheet=block.sheet,
        header=block.header,
        data=block.data,
        label=block.label,
        label_en=block.label_en,
        columns=tuple(block.columns),
        year=block.year,
        title=block.title,
        unit=block.unit,
        unit_en=block.unit_en,
        spans=tuple(block.spans),
        notes=tuple(block.notes),
        expect={},
        units={c: str(u) for c, u in block.units.items() if c >= 0},
    )


def _infer(
    path: str | Path,
    grids: dict[str, Grid] | None,
    overrides: dict | None,
    digest: str | None,
    families: dict | None,
) -> tuple[dict, list[_Block], dict]:
    """Infer the table's blocks; return its top-level keys, the blocks and block overrides."""
    path = Path(path)
    if grids is None:
        grids = read_grids(path)  # a web table saved as .xls is read as HTML there
    scope, blocks, sheets = infer_blocks(grids)
    first = blocks[0]
    cells0 = sheets[first.sheet]
    zh = _clean_title(cells0.t(*first.title)) if first.title else ""
    en = _english_title(cells0, first) if first.title_en else ""
    if not zh and first.unit:
        zh = indicator_from_unit_row(cells0.t(*first.unit))
    known = package_families() if families is None else families
    overrides = override_for(zh, known) | (overrides or {})
    scope = overrides.get("region_set", scope)
    title_year = None
    for block in blocks:
        if block.title and title_year is None:
            title_year = year_from_title(sheets[block.sheet].t(*block.title))
    forced_units = _expand_units(overrides.get("units") or {})
    prev = None
    for i, block in enumerate(blocks):
        cells = sheets[block.sheet]
        year_row = _infer_year(cells, block)
        if "year" in overrides:
            block.year, year_row = int(overrides["year"]), None
        elif block.year == "title" and title_year is None:
            where = cells.where(*block.title) if block.title else cells.where(block.header[0], 0)
            raise LayoutError(
                f"no year: the title has none and no header row of block {i + 1} holds a "
                f"year in every value column ({_cols(block)}); state year: <YYYY> "
                "(override year=...)",
                **where,
            )
        _infer_spans(cells, block, year_row)
        block.units.update({c: u for c, u in forced_units.items() if c in block.columns})
        _check_units(cells, block, prev)
        prev = block
    top = {
        "file": str(path),
        "sha256": digest or _sha256(path),
        "url": "",
        "table_zh": overrides.get("table_zh", zh or path.stem),
        "table_en": overrides.get("table_en", en),
        "region_set": scope,
    }
    return top, blocks, overrides.get("blocks") or {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _expand_units(units: dict) -> dict[int, str]:
    from lnanalysis.extract.yearbook.layouts import col_index

    out = {}
    for key, unit in units.items():
        if ":" in key:
            a, b = key.split(":")
            for c in range(col_index(a), col_index(b) + 1):
                out[c] = str(unit)
        else:
            out[col_index(key)] = str(unit)
    return out


def _a1(cell: tuple[int, int] | None) -> str | None:
    return None if cell is None else address(*cell)


def _block_spec(block: _Block) -> dict:
    year = block.year
    if isinstance(year, dict):
        year = {"row": year["row"] + 1}
    return {
        "sheet": block.sheet,
        "title": _a1(block.title),
        "unit": _a1(block.unit),
        "unit_en": _a1(block.unit_en),
        "header": [block.header[0] + 1, block.header[1] + 1],
        "data": [block.data[0] + 1, block.data[1] + 1],
        "label": col_letters(block.label),
        "label_en": None if block.label_en is None else col_letters(block.label_en),
        "columns": [col_letters(c) for c in block.columns],
        "year": year,
        "spans": [f"{address(r, c0)}:{address(r, c1)}" for r, c0, c1 in block.spans],
        "notes": [r + 1 for r in block.notes],
        "expect": {},
        "units": {col_letters(c): u for c, u in block.units.items() if c >= 0},
    }
