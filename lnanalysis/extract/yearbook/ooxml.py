"""Look inside an .xlsx/.xlsm package before its cells are parsed.

Every part is streamed through expat, never read whole and never built into a
tree: no part is read past ``MAX_PART_BYTES``, whatever its header claims, and a
part that declares a DOCTYPE (OOXML never does; entity bombs start there) is
refused. Elements are matched by local name, so namespace-prefixed SpreadsheetML
(``<x:row>``) counts like the default form. Reports, per sheet, the extent of the
used range and the number of cells, placed as the cell reader places them (a row
or cell without an ``r=`` address follows the previous one), so that a huge or
sparse sheet is refused before a cell grid is allocated (after reading a bounded
prefix of it, when a cell limit is given); the cells holding a formula with no
cached value (a file saved without calculating); and whether the package carries
macros (they are never run: only cell values are read).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from lnanalysis.core.errors import WorkbookError
from lnanalysis.extract.yearbook.layouts import address, col_index

MAX_PART_BYTES = 200 * 1024 * 1024
_CHUNK = 64 * 1024
# expat rescans a tag (or comment) cut across chunks from its start at each chunk:
# one far larger than any workbook's would take minutes, so it is refused
_MAX_TOKEN = 4 * 1024 * 1024
# Formulas without cached value kept per sheet: past this, the sheet is refused
# (a statistical table has a few at most; a million would take hundreds of MB)
_MAX_MISSING = 100_000
_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}  # column letters -> number, up to 'ZZZ'
_FAR = 10**12  # a row or column number past any sheet's, for longer addresses
# What a truncated or corrupt package raises while it is read
_CORRUPT = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    KeyError,
    EOFError,
    OSError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted zip member
)


@dataclass
class Package:
    """What the inspection found."""

    extent: dict[str, tuple[int, int]] = field(default_factory=dict)  # rows, columns
    formulas_without_value: dict[str, set[str]] = field(default_factory=dict)
    has_macros: bool = False
    cells: dict[str, int] = field(default_factory=dict)  # cell elements per sheet


def _parse(
    zf: zipfile.ZipFile,
    member: str,
    path: Path,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
    sheet: str | None = None,
) -> None:
    """Stream one part through expat, ``MAX_PART_BYTES`` at most, refusing a DOCTYPE.

    Handlers get element names as 'namespace}local' ('local' outside a namespace).
    """

    def refuse_doctype(*_):
        raise WorkbookError(
            f"part {member} declares a DOCTYPE, which a workbook never has "
            "(refused: possible entity bomb)",
            file=path,
            sheet=sheet,
        )

    # intern=None: expat's name cache would otherwise grow with every distinct name
    parser = expat.ParserCreate(namespace_separator="}", intern=None)
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    fed = 0
    with zf.open(member) as fh:
        while data := fh.read(min(_CHUNK, MAX_PART_BYTES + 1 - fed)):
            fed += len(data)
            if fed > MAX_PART_BYTES:
                raise WorkbookError(
                    f"part {member} expands past {MAX_PART_BYTES / 1e6:.3g} MB "
                    "(refused: possible zip bomb)",
                    file=path,
                    sheet=sheet,
                )
            parser.Parse(data, False)
            if fed - parser.CurrentByteIndex > _MAX_TOKEN:  # the unfinished token
                raise WorkbookError(
                    f"part {member} holds a tag or comment over {_MAX_TOKEN / 1e6:.3g} MB "
                    "(refused: possible parser bomb)",
                    file=path,
                    sheet=sheet,
                )
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name[name.rfind("}") + 1 :]


def _members(zf: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Map each member's name, as the cell reader looks it up, to the member.

    The reader finds a part whatever the case of its name, and with backslashes read
    as slashes, so two members that differ only so would leave it unclear which one
    it reads: refused.
    """
    out: dict[str, str] = {}
    for name in zf.namelist():
        key = name.replace("\\", "/").lower()
        if key in out:
            raise WorkbookError(f"two parts named {key} (refused: ambiguous package)", file=path)
        out[key] = name
    return out


def _member(members: dict[str, str], key: str, path: Path) -> str:
    if key not in members:
        raise WorkbookError(f"truncated or corrupt .xlsx (no part {key})", file=path)
    return members[key]


def _sheet_parts(zf: zipfile.ZipFile, members: dict[str, str], path: Path) -> dict[str, str]:
    """Return each sheet's name and its part (a ``_members`` key), as the workbook says."""
    targets: dict[str, str] = {}
    sheets: list[tuple[str, str]] = []

    def relationship(name, attrs):
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    def sheet(name, attrs):
        if _local(name) == "sheet":
            # the relationship id: r:id in any namespace (or none), as the reader takes it
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), rid))

    _parse(zf, _member(members, "xl/_rels/workbook.xml.rels", path), path, relationship)
    _parse(zf, _member(members, "xl/workbook.xml", path), path, sheet)
    out = {}
    for name, rid in sheets:
        target = targets.get(rid, "").replace("\\", "/")
        part = target[1:] if target.startswith("/") else "xl/" + target
        out[name] = posixpath.normpath(part).lower()
    return out


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 12 else _FAR


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """Return the 1-based (row, column) of an A1 address; None when malformed."""
    letters = ref.rstrip(_DIGITS)
    if len(letters) == len(ref) or not (letters.isascii() and letters.isalpha()):
        return None
    col = _COLUMNS.get(letters)
    if col is None:
        col = col_index(letters.upper()) + 1 if len(letters) <= 8 else _FAR
        if len(letters) <= 3 and letters.isupper():
            _COLUMNS[letters] = col
    return _number(ref[len(letters) :]), col


def _scan_sheet(
    zf: zipfile.ZipFile, member: str, path: Path, sheet: str, max_cells: int | None
) -> tuple[tuple[int, int], int, set[str]]:
    """Return a sheet's extent (rows, columns), cell count and formulas with no cached value.

    A row without ``r=`` is the previous row + 1; a cell without ``r=`` is the previous
    cell's column + 1 on the current row (column 1 for a row's first cell). Raises
    WorkbookError as soon as the running extent or count passes ``max_cells``.
    """
    rows, cols, cells = 0, 1, 0  # the running extent and count
    row = col = 0  # the current row, and the last cell's column
    at, in_cell, in_value, formula, value = (0, 0), False, False, False, False
    missing: set[str] = set()
    limit = max_cells if max_cells is not None else float("inf")
    local: dict[str, str] = {}  # element name -> local name

    def start(name, attrs):
        nonlocal rows, cols, cells, row, col, at, in_cell, in_value, formula, value
        kind = local.get(name)
        if kind is None:
            kind = _local(name)
            if len(local) < 100:  # a bounded cache of the common names
                local[name] = kind
        if kind == "c":
            r = attrs.get("r")
            at = (r and _cell_ref(r)) or (row or 1, col + 1)
            col, in_cell, formula, value = at[1], True, False, False
            cells += 1
            if at[0] > rows:
                rows = at[0]
            if col > cols:
                cols = col
        elif kind == "v":
            in_value = in_cell
            return
        elif kind == "f":
            formula = formula or in_cell
            return
        elif kind == "row":
            r = attrs.get("r")
            row, col = (_number(r) if r and r.isascii() and r.isdigit() else row + 1), 0
            rows = max(rows, row)
        elif kind == "dimension":  # the declared used range, e.g. A1:C5
            ref = _cell_ref(attrs.get("ref", "").rsplit(":", 1)[-1])
            if ref:
                rows, cols = max(rows, ref[0]), max(cols, ref[1])
        else:
            return
        if rows * cols > limit:
            raise WorkbookError(
                f"sheet spans {rows:,} rows x {cols:,} columns, over the limit of "
                f"{max_cells:,} cells for a statistical table (refused unread)",
                file=path,
                sheet=sheet,
            )
        if cells > limit:
            raise WorkbookError(
                f"sheet holds more than {max_cells:,} cells, over the limit for a "
                "statistical table (refused unread)",
                file=path,
                sheet=sheet,
            )

    def end(name):
        nonlocal in_cell, in_value
        if in_value:
            in_value = False  # a value holds no elements: this ends it
        elif in_cell and (local.get(name) or _local(name)) == "c":
            in_cell = False
            if formula and not value:
                missing.add(address(at[0] - 1, at[1] - 1))
                if len(missing) > _MAX_MISSING:
                    raise WorkbookError(
                        f"sheet holds over {_MAX_MISSING:,} formulas with no cached value "
                        "(the file was saved without calculating): recalculate and save it, "
                        "or export the values",
                        file=path,
                        sheet=sheet,
                    )

    def text(data):
        nonlocal value
        if in_value:
            value = True

    _parse(zf, member, path, start, end, text, sheet)
    return (rows, cols), cells, missing


def inspect_package(data: bytes, path: Path, max_cells: int | None = None) -> Package:
    """Inspect an OOXML workbook's bytes; raise WorkbookError when it cannot be trusted.

    Parameters
    ----------
    data : bytes
        The package (a zip archive).
    path : Path
        The file, named in errors.
    max_cells : int, optional
        Refuse a sheet as soon as its extent (rows x columns) or its count of cells
        passes this, having read only a bounded prefix of it.

    Raises
    ------
    WorkbookError
        A truncated or corrupt package, a part too large or with a DOCTYPE, or a
        sheet over ``max_cells``; on one line, naming the file (and the sheet).
    """
    found = Package()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = _members(zf, path)
            found.has_macros = any(key.endswith("vbaproject.bin") for key in members)
            scanned = {}  # part -> what it holds: sheets may share a part
            for sheet, part in _sheet_parts(zf, members, path).items():
                if part not in members:
                    continue  # the reader cannot find it either
                if part not in scanned:
                    scanned[part] = _scan_sheet(zf, members[part], path, sheet, max_cells)
                extent, cells, missing = scanned[part]
                found.extent[sheet], found.cells[sheet] = extent, cells
                found.formulas_without_value[sheet] = set(missing)
    except _CORRUPT as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise WorkbookError(f"truncated or corrupt .xlsx ({reason})", file=path) from None
    return found
