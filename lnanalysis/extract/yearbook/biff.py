"""The extent of each sheet of a legacy .xls (BIFF8) workbook, read from its cell records.

The cell reader builds a dense grid as large as a sheet's last row and column, so
a small file with one cell at IV65536 would take gigabytes. Here the records are
walked first, without building anything: each sheet's extent is the last row and
column of any cell record in it (a sheet's declared dimensions are not trusted).
"""

from __future__ import annotations

import struct
from pathlib import Path

from lnanalysis.core.errors import WorkbookError

BOF, EOF, BOUNDSHEET = 0x0809, 0x000A, 0x0085
# Records about one cell: they start with its row and column
_CELL = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
# Records about a run of cells in one row: row, first column, ..., last column
_RUN = {0x00BD, 0x00BE}
_HEADER = struct.Struct("<HH")


def _stream(data: bytes, path: Path) -> bytes:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise WorkbookError("an OLE file, but not an Excel workbook", file=path)
            return ole.openstream(name).read()
    except WorkbookError:
        raise
    except Exception as exc:  # olefile raises several types for a damaged container
        raise WorkbookError(f"damaged .xls container ({exc})", file=path) from None


def _sheet_name(body: bytes, biff8: bool) -> str:
    if len(body) < 7:
        return "?"
    length = body[6]
    if not biff8:
        return body[7 : 7 + length].decode("latin-1")
    wide = len(body) > 7 and body[7] & 1
    text = body[8 : 8 + length * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", errors="replace")


def xls_extent(data: bytes, path: Path) -> dict[str, tuple[int, int]]:
    """Return (rows, columns) per sheet of an .xls workbook's bytes (decrypted)."""
    return stream_extent(_stream(data, path))


def stream_extent(stream: bytes) -> dict[str, tuple[int, int]]:
    """Return (rows, columns) per sheet of a BIFF workbook stream."""
    names: dict[int, str] = {}  # a sheet's BOF offset -> its name
    extent: dict[str, tuple[int, int]] = {}
    biff8 = True
    sheet, depth, rows, cols = None, 0, 0, 0
    pos, end = 0, len(stream) - 4
    unpack = _HEADER.unpack_from
    while pos <= end:
        kind, size = unpack(stream, pos)
        body = pos + 4
        if kind in _CELL:
            if sheet is not None and size >= 4:
                row, col = unpack(stream, body)
                if row >= rows:
                    rows = row + 1
                if col >= cols:
                    cols = col + 1
        elif kind in _RUN:
            if sheet is not None and size >= 6:
                row = unpack(stream, body)[0]
                last = unpack(stream, body + size - 2)[0]
                rows, cols = max(rows, row + 1), max(cols, last + 1)
        elif kind == BOF:
            if pos == 0 and size >= 2:
                biff8 = unpack(stream, body)[0] == 0x0600
            if sheet is None and pos in names:
                sheet, depth, rows, cols = names[pos], 0, 0, 0
            depth += sheet is not None  # a chart inside a sheet has its own BOF/EOF
        elif kind == EOF:
            if sheet is not None:
                depth -= 1
                if depth == 0:
                    extent[sheet] = (rows, cols)
                    sheet = None
        elif kind == BOUNDSHEET and size >= 6:
            offset = struct.unpack_from("<I", stream, body)[0]
            names[offset] = _sheet_name(stream[body : body + size], biff8)
        pos = body + size
    if sheet is not None:  # a stream cut short inside a sheet
        extent[sheet] = (rows, cols)
    return extent
