"""The .xls extent check: a sheet's size is read from its cell records before any grid exists.

The BIFF streams here are SYNTHETIC, built record by record.
"""

from __future__ import annotations

import struct

import pytest

from lnanalysis.core.errors import WorkbookError
from lnanalysis.core.paths import shared_dir
from lnanalysis.extract.yearbook.biff import stream_extent

BOF, EOF, BOUNDSHEET, NUMBER, MULBLANK, LABELSST = 0x0809, 0x000A, 0x0085, 0x0203, 0x00BE, 0x00FD


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof() -> bytes:
    return _record(BOF, struct.pack("<HH", 0x0600, 0x0010) + b"\0" * 12)


def _boundsheet(offset: int, name: str) -> bytes:
    text = name.encode("utf-16-le")
    return _record(BOUNDSHEET, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + text)


def _number(row: int, col: int) -> bytes:
    return _record(NUMBER, struct.pack("<HHHd", row, col, 0, 1.0))


def _workbook(sheets: dict[str, list[bytes]]) -> bytes:
    """A BIFF8 stream: globals with one BOUNDSHEET per sheet, then each sheet's records."""
    globals_len = len(_bof()) + len(_record(EOF, b""))
    globals_len += sum(len(_boundsheet(0, name)) for name in sheets)
    offset, bodies, bounds = globals_len, [], []
    for name, records in sheets.items():
        body = _bof() + b"".join(records) + _record(EOF, b"")
        bounds.append(_boundsheet(offset, name))
        bodies.append(body)
        offset += len(body)
    return _bof() + b"".join(bounds) + _record(EOF, b"") + b"".join(bodies)


def test_each_sheet_spans_its_furthest_cell_record():
    stream = _workbook(
        {
            "表1": [
                _number(0, 0),
                _number(4, 2),
                _record(LABELSST, struct.pack("<HHHI", 9, 1, 0, 0)),
            ],
            "B": [_record(MULBLANK, struct.pack("<HHHHHH", 2, 1, 0, 0, 0, 6))],
        }
    )
    assert stream_extent(stream) == {"表1": (10, 3), "B": (3, 7)}


def test_a_lone_far_cell_makes_a_huge_extent():
    stream = _workbook({"Sheet1": [_number(0, 0), _number(65535, 255)]})
    assert stream_extent(stream) == {"Sheet1": (65536, 256)}


def test_a_chart_inside_a_sheet_does_not_end_it():
    chart = _bof() + _number(1, 1) + _record(EOF, b"")
    stream = _workbook({"S": [_number(0, 0), chart, _number(99, 3)]})
    assert stream_extent(stream) == {"S": (100, 4)}


def test_a_stream_cut_inside_a_sheet_keeps_what_was_read():
    stream = _workbook({"S": [_number(7, 2)]})
    assert stream_extent(stream[:-4]) == {"S": (8, 3)}


# Records of one cell whose fixed size makes them easy to find: LABELSST, RK, NUMBER
CELL_HEADERS = [
    struct.pack("<HH", kind, size) for kind, size in ((0xFD, 10), (0x27E, 10), (NUMBER, 14))
]


@pytest.mark.requires_shared
def test_a_real_xls_with_one_far_cell_is_refused_before_its_grid_is_built(tmp_path):
    """The issue's case: one cell moved to IV65536 in a real table (patched in memory)."""
    from lnanalysis.extract.yearbook.workbook import _OLE_MAGIC, open_workbook, workbook_bytes

    for source in sorted((shared_dir() / "real-spreadsheets").rglob("*.xls")):
        data = bytearray(workbook_bytes(source))
        spots = [data.find(h) for h in CELL_HEADERS]
        if data.startswith(_OLE_MAGIC) and max(spots) > 0:
            break
    else:
        pytest.fail("no real .xls with a cell record to patch")
    at = max(spots)
    data[at + 4 : at + 8] = struct.pack("<HH", 65535, 255)
    bomb = tmp_path / "far_cell.xls"
    bomb.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match=r"65,536 rows x 256 columns, over the limit"):
        open_workbook(bomb)
