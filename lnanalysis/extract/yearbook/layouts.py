"""Layout maps: where a yearbook table's parts are, block by block.

A layout map says, per block of a table, where its header, data rows, label and
value columns, title, unit and notes are. Inference writes one for every table it
reads (``read-yearbook FILE --print-layout`` shows it); a researcher may also give
one of their own (``read-yearbook FILE --layout MAP.yaml``), checked key by key:
an unknown key is an error, so that a typo does not pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lnanalysis.core.errors import InputError, LayoutError

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def col_index(letters: str) -> int:
    """Return the 0-based index of a column given in letters ('A' -> 0, 'AA' -> 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    """Return the letters of a 0-based column index (0 -> 'A')."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def address(row: int, col: int) -> str:
    """Return the A1 address of a 0-based (row, col)."""
    return f"{col_letters(col)}{row + 1}"


def parse_address(cell: str) -> tuple[int, int]:
    """Return the 0-based (row, col) of an A1 address."""
    m = _CELL.match(cell)
    if not m:
        raise ValueError(f"not a cell address: {cell!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


MAX_ROWS = 1_048_576  # a worksheet's last row (Excel's limit; .xls stops at 65,536)
MAX_COLUMNS = 16_384  # a worksheet's last column, XFD


def _column(letters) -> int:
    """Return a column's index, refusing anything that is not letters A to XFD."""
    if not isinstance(letters, str) or not re.fullmatch(r"[A-Z]{1,3}", letters):
        raise ValueError(f"column {letters!r} is not a column letter (A to XFD)")
    index = col_index(letters)
    if index >= MAX_COLUMNS:
        raise ValueError(f"column {letters} lies past XFD, a worksheet's last column")
    return index


def _columns(spec) -> list[int]:
    if isinstance(spec, list):
        return [_column(c) for c in spec]
    if not isinstance(spec, str) or spec.count(":") != 1:
        raise ValueError(f"columns {spec!r}: give a range such as C:H or a list of letters")
    try:
        first, last = (_column(c) for c in spec.split(":"))
    except ValueError as exc:
        raise ValueError(f"columns {spec}: {exc}") from None
    if last < first:
        raise ValueError(f"columns {spec}: the range runs backwards")
    return list(range(first, last + 1))


def _rows(spec, key: str) -> tuple[int, int]:
    """Return a 1-based inclusive row range as 0-based, within a worksheet's rows."""
    ok = isinstance(spec, list) and len(spec) == 2
    if not ok or not all(isinstance(r, int) and not isinstance(r, bool) for r in spec):
        raise ValueError(f"{key} {spec!r}: give [first row, last row] as two whole numbers")
    first, last = spec
    if not 1 <= first <= last <= MAX_ROWS:
        raise ValueError(
            f"{key} rows {first} to {last}: rows must run forwards within 1 to {MAX_ROWS:,}"
        )
    return first - 1, last - 1


@dataclass(frozen=True)
class Block:
    """One block of a table (the first table or a continuation) on one sheet."""

    sheet: str
    header: tuple[int, int]  # 0-based, inclusive
    data: tuple[int, int]  # 0-based, inclusive
    label: int
    label_en: int | None
    columns: tuple[int, ...]
    year: object  # 'title' | 'header' | {'row': N} | int
    title: tuple[int, int] | None = None
    unit: tuple[int, int] | None = None
    unit_en: tuple[int, int] | None = None
    spans: tuple[tuple[int, int, int], ...] = ()  # (row, first col, last col)
    notes: tuple[int, ...] = ()
    expect: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)  # column index -> unit, when the table states none


@dataclass(frozen=True)
class Layout:
    """A known table: its identity, citation and blocks."""

    id: str
    file: str
    sha256: str
    url: str
    table_zh: str
    table_en: str
    region_set: str
    blocks: tuple[Block, ...]


def _cell(spec) -> tuple[int, int] | None:
    return None if spec is None else parse_address(spec)


def _span(spec: str) -> tuple[int, int, int]:
    a, b = spec.split(":")
    (r0, c0), (_r1, c1) = parse_address(a), parse_address(b)
    return r0, c0, c1


TABLE_KEYS = {"file", "sha256", "url", "table_zh", "table_en", "region_set", "blocks"}
BLOCK_KEYS = {
    "sheet", "header", "data", "label", "label_en", "columns", "year", "title", "unit",
    "unit_en", "spans", "notes", "expect", "units",
}  # fmt: skip
REQUIRED_TABLE = {"table_zh", "blocks"}
REQUIRED_BLOCK = {"sheet", "header", "data", "label", "columns", "year"}


def check_spec(table_id: str, spec: dict, where: str = "layout map") -> None:
    """Refuse a layout entry with an unknown or a missing key (a typo must not pass).

    Raises
    ------
    LayoutError
        Naming the file, the table id, the block and the keys.
    """
    if not isinstance(spec, dict):
        raise LayoutError(f"table {table_id}: an entry must be a mapping", file=where)
    for keys, known, required, what in (
        (set(spec), TABLE_KEYS, REQUIRED_TABLE, f"table {table_id}"),
        *(
            (
                set(b) if isinstance(b, dict) else set(),
                BLOCK_KEYS,
                REQUIRED_BLOCK,
                f"table {table_id}, block {i}",
            )
            for i, b in enumerate(spec.get("blocks") or [], 1)
        ),
    ):
        if keys - known:
            raise LayoutError(
                f"{what}: unknown key(s) {sorted(keys - known)}; known: {', '.join(sorted(known))}",
                file=where,
            )
        if required - keys:
            raise LayoutError(f"{what}: missing key(s) {sorted(required - keys)}", file=where)


def _block(spec: dict) -> Block:
    year = spec["year"]
    if isinstance(year, dict):
        year = {"row": int(year["row"]) - 1}
    return Block(
        sheet=str(spec["sheet"]),
        header=_rows(spec["header"], "header"),
        data=_rows(spec["data"], "data"),
        label=_column(spec["label"]),
        label_en=None if spec.get("label_en") is None else _column(spec["label_en"]),
        columns=tuple(_columns(spec["columns"])),
        year=year,
        title=_cell(spec.get("title")),
        unit=_cell(spec.get("unit")),
        unit_en=_cell(spec.get("unit_en")),
        spans=tuple(_span(s) for s in spec.get("spans") or ()),
        notes=tuple(int(r) - 1 for r in spec.get("notes") or ()),
        expect={col_index(k): str(v) for k, v in (spec.get("expect") or {}).items()},
        units={
            col: str(unit)
            for cols, unit in (spec.get("units") or {}).items()
            for col in _columns(cols if ":" in cols else [cols])
        },
    )


def layout_from_spec(table_id: str, spec: dict) -> Layout:
    """Build a layout from one layout-map entry (the form ``--print-layout`` writes)."""
    check_spec(table_id, spec)
    return Layout(
        id=table_id,
        file=spec.get("file", ""),
        sha256=spec.get("sha256", ""),
        url=spec.get("url", ""),
        table_zh=spec["table_zh"],
        table_en=spec.get("table_en", ""),
        region_set=spec.get("region_set", "provinces"),
        blocks=tuple(_checked_block(table_id, i, b) for i, b in enumerate(spec["blocks"], 1)),
    )


def _checked_block(table_id: str, number: int, spec: dict) -> Block:
    try:
        return _block(spec)
    except ValueError as exc:
        raise LayoutError(f"table {table_id}, block {number}: {exc}") from None


def read_layout_file(path: str | Path) -> dict[str, Layout]:
    """Read a YAML file of layout maps (``tables: {id: map}``), each map checked.

    Raises
    ------
    InputError
        Naming the file, and the table and key at fault.
    """
    from lnanalysis.core.config import read_yaml

    path = Path(path)
    doc = read_yaml(path)
    tables = doc.get("tables") if isinstance(doc, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise InputError("no 'tables:' mapping of layout maps", file=path)
    out = {}
    for table_id, spec in tables.items():
        try:
            out[str(table_id)] = layout_from_spec(str(table_id), spec)
        except LayoutError as exc:
            raise InputError(exc.reason, file=path) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"table {table_id}: malformed entry ({exc})", file=path) from None
    return out
