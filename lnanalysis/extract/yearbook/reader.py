"""Read one yearbook file into a tidy table, one row per value cell.

Every row carries its region code and raw label, indicator (Chinese and English
header path), year, value (NaN for a missing marker, which is kept), unit
(normalised, with the original), the aggregate and "of which" flags, and the
file, sheet and cell it came from.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from lnanalysis.core.errors import (
    DuplicateRowError,
    LayoutError,
    UnknownRegionError,
    UnknownUnitError,
    ValueParseError,
)
from lnanalysis.core.parse import parse_number, parse_year
from lnanalysis.extract.yearbook.headers import (
    indicator_from_unit_row,
    lines,
    split_header,
    strip_of_which,
    text_of,
    unit_text,
    year_from_title,
)
from lnanalysis.extract.yearbook.html import looks_like_html
from lnanalysis.extract.yearbook.infer import inferred_layout
from lnanalysis.extract.yearbook.layouts import (
    Block,
    Layout,
    address,
    col_letters,
    parse_address,
)
from lnanalysis.extract.yearbook.manifest import known_table
from lnanalysis.extract.yearbook.workbook import open_workbook, read_bounded
from lnanalysis.reference.regions import region_code, region_kind
from lnanalysis.reference.units import canonical_unit

# Rows that are not one province: never to be summed with provinces (其他 and 国外 included)
AGGREGATE_KINDS = ("national", "group", "aggregate", "other")
COLUMNS = [
    "table_id",
    "block",
    "region",
    "region_kind",
    "is_aggregate",
    "region_label",
    "region_label_en",
    "indicator_zh",
    "indicator_en",
    "is_subitem",
    "year",
    "value",
    "value_raw",
    "missing",
    "unit",
    "unit_raw",
    "file",
    "sheet",
    "cell",
    "source_url",
]


_STR = pd.StringDtype(storage="python", na_value=np.nan)  # pandas' default str dtype
# Its array type, built through the extension-array constructor: pd.array() would
# first work out which array type to build, column by column
_STR_ARRAY = _STR.construct_array_type()
_DTYPES = {"block": int, "is_aggregate": bool, "is_subitem": bool, "year": int, "value": float}
_COLUMN_INDEX = pd.Index(COLUMNS)
# Columns that are the same for every cell of a block
_PER_BLOCK = ("table_id", "block", "file", "sheet", "source_url")
# Numeric text that float() reads exactly as parse_number would (the common case)
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class YearbookTable:
    """The tidy values of one file and its footnotes (cell address, text)."""

    layout: Layout
    data: pd.DataFrame
    notes: list[tuple[str, str]] = field(default_factory=list)


class _Sheet:
    def __init__(self, grid: list[list], path: Path, name: str, formulas=frozenset()):
        self.grid, self.path, self.name = grid, path, name
        self.formulas_without_value = formulas

    def get(self, row: int, col: int):
        if row < len(self.grid) and col < len(self.grid[row]):
            return self.grid[row][col]
        return ""

    def text(self, row: int, col: int) -> str:
        return text_of(self.get(row, col))

    def where(self, row: int, col: int) -> dict:
        return {"file": self.path, "sheet": self.name, "cell": address(row, col)}


def _header_cells(sheet: _Sheet, block: Block, col: int, skip_row: int | None) -> list[str]:
    cells = []
    for r in range(block.header[0], block.header[1] + 1):
        if r == skip_row:
            continue
        text = sheet.text(r, col)
        if not text.strip():
            for row, c0, c1 in block.spans:
                if row == r and c0 < col <= c1:
                    text = sheet.text(r, c0)
        if text.strip():
            cells.append(text)
    return cells


def _check_expect(sheet: _Sheet, block: Block) -> None:
    for col, want in block.expect.items():
        got, where = "", sheet.where(block.header[0], col)
        for r in range(block.header[0], block.header[1] + 1):
            if sheet.text(r, col).strip():
                got, where = sheet.text(r, col), sheet.where(r, col)
                break
        if not got.startswith(want):
            raise LayoutError(
                f"header does not match the layout map: expected text starting {want!r}, "
                f"found {got[:30]!r}",
                **where,
            )


def _unit(raw: str, where: dict) -> str:
    try:
        return canonical_unit(raw)
    except UnknownUnitError as exc:
        raise UnknownUnitError(exc.reason, **where) from None


def _table_unit(sheet: _Sheet, block: Block) -> tuple[str, str, dict | None]:
    """Return the (Chinese, English) unit text of the block's unit row(s) and its location."""
    zh = unit_text(sheet.text(*block.unit)) if block.unit else ""
    en = unit_text(sheet.text(*block.unit_en)) if block.unit_en else ""
    where = sheet.where(*block.unit) if block.unit else None
    return zh, en, where


def _column_unit(parts, table_zh: str, table_en: str, where: dict) -> tuple[str, str]:
    """Return (normalised unit, unit as written) for one value column."""
    for raw in (parts.unit, parts.unit_en):
        if raw:
            return _unit(raw, where), raw
    single = table_zh and not any(sep in table_zh for sep in ",，、")
    if single:
        return _unit(table_zh, where), table_zh
    if table_en:
        return _unit(table_en, where), table_en
    if table_zh:
        raise UnknownUnitError(
            f"the unit row names several units ({table_zh!r}) and the column header none", **where
        )
    return "", ""


def _column_year(sheet: _Sheet, block: Block, col: int, title_year: int | None) -> int:
    if block.year == "title":
        return title_year
    if block.year == "header":
        cells = _header_cells(sheet, block, col, None)
        raw = cells[0] if cells else ""
        return parse_year(raw.strip(), where=sheet.where(block.header[0], col))
    if isinstance(block.year, dict):
        row = block.year["row"]
        return parse_year(sheet.text(row, col).strip(), where=sheet.where(row, col))
    return int(block.year)


def _columns(sheet, layout, block, title_year):
    """Return per value column: (indicator zh, en, of_which, unit, unit_raw, year)."""
    table_zh, table_en, unit_where = _table_unit(sheet, block)
    indicator_row = indicator_from_unit_row(sheet.text(*block.unit)) if block.unit else ""
    skip = block.year["row"] if isinstance(block.year, dict) else None
    out = {}
    last_unit = None
    for col in block.columns:
        where = sheet.where(block.header[0], col)
        if block.year == "header":
            parts = split_header([])
            zh, en = indicator_row or layout.table_zh, layout.table_en
        else:
            parts = split_header(_header_cells(sheet, block, col, skip))
            zh, en = parts.zh, parts.en
        if not zh and not en:
            raise LayoutError("value column with an empty header", **where)
        if col in block.units:  # stated by the layout map where the table states none
            unit, unit_raw = _unit(block.units[col], where), block.units[col]
        else:
            unit, unit_raw = _column_unit(parts, table_zh, table_en, unit_where or where)
        if not unit and parts.of_which and last_unit:
            unit, unit_raw = last_unit  # an "of which" item is in its parent's unit
        last_unit = (unit, unit_raw) if unit else last_unit
        if not unit:
            raise LayoutError(
                "no unit for this column in the table or its header; state it in an "
                "override of the table's family, or the layout map (units: {C: 万元})",
                **where,
            )
        year = _column_year(sheet, block, col, title_year)
        out[col] = (zh, en, parts.of_which, unit, unit_raw, year)
    return _name_repeated_subitems(out)


def _name_repeated_subitems(columns: dict) -> dict:
    """Give an "of which" column its parent's name when its own name repeats in the block.

    Under '征收户数' and again under '征收面积', '其中 #居民住宅' reads as '居民住宅' twice;
    each becomes a path under its parent, the nearest column to its left that is not an
    "of which" item ('征收户数/居民住宅'). A name that does not repeat is kept as it is.
    """
    heads = Counter((zh, en, year) for zh, en, _, _, _, year in columns.values())
    if max(heads.values(), default=0) < 2:
        return columns
    parent = None
    for col, (zh, en, sub, unit, unit_raw, year) in columns.items():
        if not sub:
            parent = (zh, en)
        elif heads[(zh, en, year)] > 1 and parent is not None:
            zh = f"{parent[0]}/{zh}" if zh and parent[0] else zh
            en = f"{parent[1]} / {en}" if en and parent[1] else en
            columns[col] = (zh, en, sub, unit, unit_raw, year)
    return columns


def _title_year(sheets: dict, layout: Layout) -> int | None:
    for block in layout.blocks:
        if block.title is not None:
            year = year_from_title(sheets[block.sheet].text(*block.title))
            if year is not None:
                return year
    return None


def _read_block(
    sheet: _Sheet, layout: Layout, index: int, block: Block, title_year, scope, seen: list
):
    """Return the block's columns (lists, one item per value cell, row by row) and its notes.

    ``seen`` holds the keys (region, indicator zh, indicator en, year) read by the
    table's earlier blocks (see :func:`_check_keys`): a second cell for a key is an error.
    """
    _check_expect(sheet, block)
    if block.year == "title" and title_year is None:
        where = sheet.where(*block.title) if block.title else {"file": sheet.path}
        raise LayoutError("the layout takes the year from the title, which has none", **where)
    columns = _columns(sheet, layout, block, title_year)
    letters = [col_letters(col) for col in block.columns]
    labelled = []  # (row, code, label, English label) of each region row
    sub_rows = []  # whether each region row is an "of which" row
    values, raws, missing, cells = [], [], [], []
    codes: dict[str, str] = {}
    plain = _PLAIN.fullmatch
    blanks = [""] * len(block.columns)
    grid, n_grid, lab, lab_en = sheet.grid, len(sheet.grid), block.label, block.label_en
    # A row that reaches the last value column gives its values in one C-level call
    take = itemgetter(*block.columns) if len(block.columns) > 1 else None
    last = max(block.columns)
    for r in range(block.data[0], block.data[1] + 1):
        line = grid[r] if r < n_grid else ()
        n = len(line)
        v = line[lab] if lab < n else ""
        label = v if v.__class__ is str else text_of(v)
        label_en = ""
        if lab_en is not None:
            v = line[lab_en] if lab_en < n else ""
            label_en = (v if v.__class__ is str else text_of(v)).strip()
        if n > last:
            raw_values = list(take(line)) if take else [line[last]]
        else:
            raw_values = [line[c] if c < n else "" for c in block.columns]
        if not label.strip():
            filled = [
                c for c, v in zip(block.columns, raw_values, strict=True) if text_of(v).strip()
            ]
            if filled:
                raise LayoutError(
                    "values in a row with no region label", **sheet.where(r, filled[0])
                )
            if label_en and labelled:  # an English label continued on its own row
                row, code, zh_label, en_label = labelled[-1]
                labelled[-1] = (row, code, zh_label, f"{en_label} {label_en}")
            continue
        sub_row, rest = strip_of_which(label)
        if sub_row:  # an "of which" row ('#…' or '其中…'): the region after the marker
            label = rest
        code = codes.get(label)
        if code is None:
            try:
                code = codes[label] = region_code(label, scope=scope)
            except UnknownRegionError as exc:
                raise UnknownRegionError(exc.reason, **sheet.where(r, block.label)) from None
        labelled.append((r, code, label, label_en))
        sub_rows.append(sub_row)
        row_number = str(r + 1)
        cells += [letter + row_number for letter in letters]
        types = set(map(type, raw_values))
        # The common rows, whole: every value a number, or text that float() reads exactly
        if types == {str} and all(map(plain, raw_values)):
            values += map(float, raw_values)
            raws += raw_values
            missing += blanks
            continue
        if types <= {float, int}:
            values += map(float, raw_values)
            raws += map(repr, raw_values)
            missing += blanks
            continue
        for col, raw in zip(block.columns, raw_values, strict=True):
            kind = type(raw)
            if kind is float or kind is int:
                value, marker, text = float(raw), "", repr(raw)
            elif kind is str and _PLAIN.fullmatch(raw):
                value, marker, text = float(raw), "", raw
            else:
                value, marker = _parse_cell(sheet, r, col, raw)
                text = raw if kind is str else repr(raw)
            values.append(value)
            raws.append(text)
            missing.append(marker)
    _check_keys(sheet, block, columns, labelled, cells, seen)
    n_cols = len(block.columns)
    col_info = [columns[col] for col in block.columns]
    # Each row's region, kind and labels, once for each of its cells
    regions, kinds, aggregates, labels_zh, labels_en = [], [], [], [], []
    for _, code, zh, en in labelled:
        kind = region_kind(code)
        regions += [code] * n_cols
        kinds += [kind] * n_cols
        aggregates += [kind in AGGREGATE_KINDS] * n_cols
        labels_zh += [zh] * n_cols
        labels_en += [en] * n_cols
    out = {
        "region": regions,
        "region_kind": kinds,
        "is_aggregate": aggregates,
        "region_label": labels_zh,
        "region_label_en": labels_en,
        "value": values,
        "value_raw": raws,
        "missing": missing,
        "cell": cells,
    }
    for i, name in (
        (0, "indicator_zh"),
        (1, "indicator_en"),
        (3, "unit"),
        (4, "unit_raw"),
        (5, "year"),
    ):
        out[name] = [c[i] for c in col_info] * len(labelled)
    # A cell is a sub-item when its column or its row is an "of which" item
    out["is_subitem"] = [col[2] or row_sub for row_sub in sub_rows for col in col_info]
    notes = []
    for r in block.notes:
        texts = [
            t
            for c in range(len(sheet.grid[r]) if r < len(sheet.grid) else 0)
            if (t := sheet.text(r, c).strip())
        ]
        if texts:
            notes.append((address(r, 0), " ".join(" ".join(lines(t)) for t in texts)))
    return out, notes


def _parse_cell(sheet: _Sheet, r: int, col: int, raw) -> tuple[float, str]:
    """Parse a cell off the fast path: missing markers, odd spellings, or an error."""
    if raw == "" and address(r, col) in sheet.formulas_without_value:
        raise ValueParseError(
            "formula with no cached value (the file was saved without calculating): "
            "recalculate and save it, or export the values",
            **sheet.where(r, col),
        )
    try:
        value, bound, marker = parse_number(raw)
    except ValueParseError as exc:
        raise ValueParseError(exc.reason, **sheet.where(r, col)) from None
    if bound:
        raise ValueParseError(
            f"a bound ({raw!r}) where a yearbook value is expected", **sheet.where(r, col)
        )
    return value, marker


def _check_keys(
    sheet: _Sheet, block: Block, columns: dict, labelled: list, cells: list, seen: list
) -> None:
    """Raise when two cells of a table give the same region, indicator and year.

    A block's keys are the product of its rows' regions and its columns' (indicator,
    year) heads, so they are all distinct when both are, and two blocks share a key
    only when they share a region and a head. ``seen`` keeps each earlier block's
    (regions, heads, (regions, heads, cells)); the cells are looked up only to name
    the two cells of a repeat.
    """
    heads = [(columns[col][0], columns[col][1], columns[col][5]) for col in block.columns]
    codes = [code for _, code, _, _ in labelled]
    code_set, head_set = set(codes), set(heads)
    if (
        len(code_set) == len(codes)
        and len(head_set) == len(heads)
        and not any(code_set & c and head_set & h for c, h, _ in seen)
    ):
        seen.append((code_set, head_set, (codes, heads, cells)))
        return
    earlier = {}
    for _, _, (cs, hs, cl) in seen:
        earlier.update(zip(((c, *h) for c in cs for h in hs), cl, strict=True))
    n_cols = len(block.columns)
    for j, col in enumerate(block.columns):
        zh, en, _, _, _, year = columns[col]
        for i, (r, code, _, _) in enumerate(labelled):
            key = (code, zh, en, year)
            cell = cells[i * n_cols + j]
            if key in earlier:
                raise DuplicateRowError(
                    f"two cells give {code} {zh or en!r} {year}: {earlier[key]}, {cell} "
                    f"({_why_repeated(earlier[key], cell)})",
                    **sheet.where(r, col),
                )
            earlier[key] = cell
    seen.append((code_set, head_set, (codes, heads, cells)))


def _why_repeated(first: str, second: str) -> str:
    """Return the likely cause of two cells with one key, from their addresses."""
    if parse_address(first)[0] == parse_address(second)[0]:  # one row, two columns
        return (
            "two columns read as one indicator and year: two year columns for the same "
            "year, or two 'of which' columns under different parents; state their headers "
            "in a layout map (--print-layout, then --layout)"
        )
    return "the region is listed twice"


def _layout_of(
    path: Path,
    table: str | None,
    data: bytes,
    digest: str,
    grids,
    overrides: dict | None,
    families: dict | None,
) -> Layout:
    """Return the layout inferred from a file's cells, credited to the manifest's table if known.

    ``overrides`` settle what inference cannot know for this file; ``families`` are the
    overrides by table family (default the package's).
    """
    known = known_table(path, table, digest)
    table_id = f"inferred:{path.stem}" if known is None else known.id
    cites = (
        None if known is None else {"file": known.file, "url": known.url, "sha256": known.sha256}
    )
    try:
        return inferred_layout(table_id, path, grids, overrides, digest, families, cites)
    except LayoutError as exc:
        what = "an HTML table saved under an Excel name; " if looks_like_html(data) else ""
        raise LayoutError(
            f"{what}inference is not sure: {exc.reason}",
            file=path,
            sheet=exc.sheet,
            cell=exc.cell,
        ) from None


def read_yearbook(
    path: str | Path,
    *,
    table: str | None = None,
    layout: Layout | None = None,
    password: str | None = None,
    overrides: dict | None = None,
    families: dict | None = None,
) -> YearbookTable:
    """Read a yearbook file into a tidy table with cell-level provenance.

    Parameters
    ----------
    path : str or Path
        The .xls or .xlsx file.
    table : str, optional
        The id of the manifest's table this file is (``config/yearbook_manifest.csv``);
        by default it is found by sha256, then by file name. A file the manifest does
        not know is read all the same, its cells citing the file itself.
    layout : Layout, optional
        A layout map given directly, read as it is (no inference).
    password : str, optional
        For an encrypted workbook; Excel's default read-only password is tried otherwise.
    overrides : dict, optional
        What inference cannot know (see :func:`~lnanalysis.extract.yearbook.infer.infer_layout`).
    families : dict, optional
        Overrides by table family for an inferred layout (default: the package's,
        ``config/yearbook_overrides.yaml``; see :mod:`~lnanalysis.extract.yearbook.overrides`).

    Raises
    ------
    WorkbookError, PasswordError
        The file cannot be opened.
    LayoutError
        A layout inference is not sure of (naming the sheet, the cell and the override
        that settles it), a missing sheet, or a header that does not match.
    UnknownRegionError, UnknownUnitError, ValueParseError, DuplicateRowError
        A cell that cannot be read; the message names file, sheet and cell.
    """
    path = Path(path)
    data = read_bounded(path)
    digest = hashlib.sha256(data).hexdigest()
    book = open_workbook(path, password, data)
    grids = book.grids
    if layout is None:
        layout = _layout_of(path, table, data, digest, grids, overrides, families)
    sheets = {}
    for block in layout.blocks:
        if block.sheet not in grids:
            raise LayoutError(
                f"sheet {block.sheet!r} of the layout map is missing "
                f"(the file has {', '.join(map(repr, grids))})",
                file=path,
            )
        formulas = book.package.formulas_without_value.get(block.sheet, set())
        sheets[block.sheet] = _Sheet(grids[block.sheet], path, block.sheet, formulas)
    title_year = _title_year(sheets, layout)
    parts, notes, seen = [], [], []
    # Cell provenance names the manifest's file only when this is that very file
    same_file = digest == layout.sha256
    source_file = layout.file if same_file else str(path)
    source_url = layout.url if same_file else ""
    if layout.sha256 and not same_file:
        notes.append(
            (
                "(file)",
                f"not the manifest's copy of {layout.file} (sha256 differs): "
                "cells cite this file, not the manifest's URL",
            )
        )
    for i, block in enumerate(layout.blocks):
        sheet = sheets[block.sheet]
        part, n = _read_block(sheet, layout, i, block, title_year, layout.region_set, seen)
        notes += n
        size = len(part["value"])
        constant = (layout.id, i + 1, source_file, sheet.name, source_url)
        for name, value in zip(_PER_BLOCK, constant, strict=True):
            part[name] = [value] * size
        parts.append(part)
    if len(parts) == 1:  # one block (most tables): its lists are the columns
        columns = parts[0]
    else:
        columns = {n: list(chain.from_iterable(p[n] for p in parts)) for n in COLUMNS}
    arrays = [
        np.asarray(columns[n], dtype=_DTYPES[n])
        if n in _DTYPES
        else _STR_ARRAY._from_sequence(np.asarray(columns[n], dtype=object), dtype=_STR)
        for n in COLUMNS
    ]
    # The arrays are built above with their final types and one length, so the frame is
    # assembled without pandas checking them again (pandas is pinned to 3.1.x: this
    # constructor is pandas' own, not public; tests check the columns and their types)
    index = pd.RangeIndex(len(arrays[0]))
    frame = pd.DataFrame._from_arrays(arrays, _COLUMN_INDEX, index, verify_integrity=False)
    if book.package.has_macros:
        notes.append(("(file)", "the workbook contains macros; they were not run"))
    return YearbookTable(layout=layout, data=frame, notes=notes)
