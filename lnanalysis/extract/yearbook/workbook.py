"""Open .xls/.xlsx workbooks as grids of cell values, decrypting in memory when needed.

CNKI's .xls files are encrypted with Excel's default read-only password
('VelvetSweatshop'); they are decrypted in memory with msoffcrypto-tool and
never written back. python-calamine reads the cells (both formats); it ignores
drawing parts, so .xlsx files with broken drawing relations still load. An .xlsx
or .xlsm package is inspected first (bounded reads): zip bombs and huge sheets are
refused unread, and macros are never run (only cell values are read).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lnanalysis.core.errors import PasswordError, WorkbookError
from lnanalysis.core.textfile import read_bytes_bounded
from lnanalysis.extract.yearbook.biff import xls_extent
from lnanalysis.extract.yearbook.html import SpanLimitError, html_grids, looks_like_html
from lnanalysis.extract.yearbook.ooxml import Package, inspect_package

DEFAULT_PASSWORD = "VelvetSweatshop"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An .xlsx whose parts expand to more than this is refused before it is read
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# A sheet larger than this is not a statistical table
MAX_CELLS = 2_000_000

Grid = list[list]


def _decrypt(data: bytes, path: Path, password: str | None) -> bytes:
    import msoffcrypto
    from msoffcrypto.exceptions import InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception as exc:  # a damaged OLE container
        raise WorkbookError(f"damaged workbook container ({exc})", file=path) from None
    if not encrypted:
        return data
    tried = password or DEFAULT_PASSWORD
    try:
        office.load_key(password=tried)
        out = io.BytesIO()
        office.decrypt(out)
    except InvalidKeyError:
        which = "the password given" if password else f"Excel's default password {tried!r}"
        raise PasswordError(
            f"encrypted workbook: {which} does not open it; pass password=...", file=path
        ) from None
    except Exception as exc:
        raise WorkbookError(f"cannot decrypt the workbook ({exc})", file=path) from None
    return out.getvalue()


def _check_zip(data: bytes, path: Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError(f"truncated or corrupt .xlsx ({exc})", file=path) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise WorkbookError("a zip archive, but not an Excel workbook", file=path)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"expands to {total / 1e6:.0f} MB, over the "
            f"{MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB limit (refused unread: possible zip bomb)",
            file=path,
        )


# A statistical table file is a few MB at most; anything far larger is refused unread
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return a regular file's bytes, refusing devices, pipes, folders and huge files.

    Raises
    ------
    WorkbookError
        Naming the file and what it is, before anything is read.
    """
    return read_bytes_bounded(path, limit, error=WorkbookError, verb="open", what=" for a table")


def workbook_bytes(path: Path, password: str | None = None, data: bytes | None = None) -> bytes:
    """Return the file's bytes ready for a reader: checked, and decrypted if encrypted.

    ``data`` are the file's bytes when the caller has already read them.
    """
    path = Path(path)
    if data is None:
        data = read_bounded(path)
    if not data:
        raise WorkbookError("empty file", file=path)
    if data.startswith(_OLE_MAGIC):
        data = _decrypt(data, path, password)
        if data.startswith(_ZIP_MAGIC):  # an encrypted .xlsx: check the package inside
            _check_zip(data, path)
        return data
    if data.startswith(_ZIP_MAGIC):
        _check_zip(data, path)
        return data
    raise WorkbookError("not an Excel workbook (neither BIFF/OLE nor OOXML)", file=path)


def _check_total(extent: dict[str, tuple[int, int]], path: Path) -> None:
    """Refuse a workbook whose sheets' grids would hold more than ``MAX_CELLS`` cells."""
    for sheet, (rows, cols) in extent.items():
        if rows * cols > MAX_CELLS:
            raise WorkbookError(
                f"sheet spans {rows:,} rows x {cols:,} columns, over the limit of "
                f"{MAX_CELLS:,} cells for a statistical table (refused unread)",
                file=path,
                sheet=sheet,
            )
    total = sum(rows * cols for rows, cols in extent.values())
    if total > MAX_CELLS:
        raise WorkbookError(
            f"{len(extent)} sheets span {total:,} cells together, over the limit of "
            f"{MAX_CELLS:,} for a statistical table (refused unread)",
            file=path,
        )


@dataclass
class Workbook:
    """The sheets' cell grids, plus what the package inspection found (.xlsx only)."""

    grids: dict[str, Grid]
    package: Package = field(default_factory=Package)


def open_workbook(path: Path, password: str | None = None, data: bytes | None = None) -> Workbook:
    """Open a workbook safely and return every sheet as a grid of raw values ('' when empty).

    Row and column indices of a grid are the sheet's own (0-based), so that
    ``grid[r][c]`` is the cell at Excel row ``r + 1`` and column ``c + 1``. An .xlsx
    sheet whose used range exceeds ``MAX_CELLS`` is refused before it is parsed.
    """
    from python_calamine import CalamineWorkbook

    data = read_bounded(Path(path)) if data is None else data
    if looks_like_html(data):
        try:  # a web table saved under an Excel name
            return Workbook(html_grids(data, MAX_CELLS))
        except SpanLimitError as exc:
            raise WorkbookError(str(exc), file=path) from None
    data = workbook_bytes(path, password, data)
    package = Package()
    if data.startswith(_ZIP_MAGIC):
        # Each sheet is refused as soon as its streamed scan passes the limit
        package = inspect_package(data, Path(path), MAX_CELLS)
        _check_total(package.extent, path)
    elif data.startswith(_OLE_MAGIC):
        _check_total(xls_extent(data, Path(path)), path)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }
    except Exception as exc:  # calamine raises its own error types
        raise WorkbookError(
            f"cannot read the workbook ({type(exc).__name__}: {exc})", file=path
        ) from None
    return Workbook(grids, package)


def read_grids(
    path: Path, password: str | None = None, data: bytes | None = None
) -> dict[str, Grid]:
    """Return every sheet's grid of raw cell values (see :func:`open_workbook`)."""
    return open_workbook(path, password, data).grids
