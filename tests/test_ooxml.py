"""The streaming inspection of .xlsx packages: every cell counted, bombs refused early.

The packages are SYNTHETIC, written part by part (or by openpyxl); the real
workbooks of ``../shared`` are checked against the cell reader's own grids.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lnanalysis.core.errors import WorkbookError
from lnanalysis.core.paths import shared_dir
from lnanalysis.extract.yearbook import ooxml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
PATH = Path("t.xlsx")
REAL = shared_dir() / "real-spreadsheets"


def _workbook(prefix: str = "", name: str = "S1") -> str:
    p, decl = (f"{prefix}:", f"xmlns:{prefix}") if prefix else ("", "xmlns")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {decl}="{MAIN}" xmlns:r="{REL}">'
        f'<{p}sheets><{p}sheet name="{name}" sheetId="1" r:id="rId1"/></{p}sheets>'
        f"</{p}workbook>"
    )


ROOT_RELS = (  # not read by the inspection; calamine needs it to recognise a package
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _sheet(rows: str, prefix: str = "", head: str = "") -> str:
    p, decl = (f"{prefix}:", f"xmlns:{prefix}") if prefix else ("", "xmlns")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<{p}worksheet {decl}="{MAIN}">'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    )


def _package(sheet, workbook=None, rels=RELS, sheet_part="xl/worksheets/sheet1.xml") -> bytes:
    """A minimal .xlsx: content types, workbook, its relationships and one sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook or _workbook())
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr(sheet_part, sheet)
    return out.getvalue()


def _openpyxl(edit) -> bytes:
    wb = openpyxl.Workbook()
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _grid_shape(data: bytes) -> tuple[int, int]:
    """Rows and columns of the grid the real cell reader builds from the first sheet."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return len(grid), max(map(len, grid), default=0)


# --- ordinary workbooks -------------------------------------------------------------------


def _plain(wb):
    ws = wb.active
    ws.title = "R&D"
    for row in [["地区", "Region", "人员"], ["北京", "Beijing", 1], ["辽宁", "Liaoning", 2.5]]:
        ws.append(row)
    ws["C4"] = "=1+1"  # openpyxl writes no cached value


def _sparse(wb):
    wb.active.title = "1"
    wb.active["B2"] = "x"
    wb.active.cell(row=300, column=40, value=7)
    wb.create_sheet("empty")
    wb.create_sheet("far")["AA1000"] = 1


def _huge(wb):
    wb.active.title = "1"
    wb.active.cell(row=1_048_576, column=3, value=1)


@pytest.mark.parametrize("edit", [_plain, _sparse])
def test_openpyxl_workbooks_span_the_grid_the_cell_reader_builds(edit):
    data = _openpyxl(edit)
    found = ooxml.inspect_package(data, PATH)
    first = next(iter(found.extent))
    rows, cols = _grid_shape(data)
    # never smaller than the grid (a formula without value is a cell, not a value)
    assert found.extent[first][0] >= rows and found.extent[first][1] >= cols
    assert not found.has_macros


def test_plain_workbook_details():
    found = ooxml.inspect_package(_openpyxl(_plain), PATH)
    assert found.extent == {"R&D": (4, 3)}
    assert found.cells == {"R&D": 10}
    assert found.formulas_without_value == {"R&D": {"C4"}}


def test_huge_declared_sheet_is_refused_at_its_dimension():
    with pytest.raises(WorkbookError, match=r"sheet '1': sheet spans 1,048,576 rows x 3 columns"):
        ooxml.inspect_package(_openpyxl(_huge), PATH, max_cells=2_000_000)


# --- what the regular expressions missed ---------------------------------------------------


def test_prefixed_spreadsheetml_is_seen():
    rows = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="5000"><x:c r="D5000"><x:f>1+1</x:f></x:c></x:row>'
    )
    data = _package(_sheet(rows, "x"), _workbook("x"))
    found = ooxml.inspect_package(data, PATH)
    assert found.extent == {"S1": (5000, 4)} and found.cells == {"S1": 2}
    assert found.formulas_without_value == {"S1": {"D5000"}}
    with pytest.raises(WorkbookError, match=r"sheet 'S1': sheet spans 5,000 rows x 4 columns"):
        ooxml.inspect_package(data, PATH, max_cells=10_000)


def test_rows_and_cells_without_addresses_are_counted():
    rows = ("<row>" + "<c><v>1</v></c>" * 4 + "</row>") * 3
    data = _package(_sheet(rows))
    found = ooxml.inspect_package(data, PATH)
    assert found.extent == {"S1": (3, 4)} and found.cells == {"S1": 12}
    assert _grid_shape(data) == (3, 4)  # where the real reader puts them


@pytest.mark.parametrize(
    ("rows", "extent", "formulas"),
    [
        # a row without r follows the previous row; a cell without r the previous cell
        (
            '<row r="3"><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
            (4, 2),
            set(),
        ),
        (
            '<row><c r="C1"><v>1</v></c><c><f>A1</f></c></row><row><c><v>3</v></c></row>',
            (2, 4),
            {"D1"},
        ),
        (
            '<row r="5"><c><v>1</v></c></row><row r="2"><c/></row><row><c><v>3</v></c></row>',
            (5, 1),
            set(),
        ),
        # a cell's own address wins over its row's; the next cell follows on the row
        (
            '<row r="1"><c r="B4"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
            (4, 3),
            set(),
        ),
        ('<row r="1"><c r="b2"><f>1</f><v></v></c></row>', (2, 2), {"B2"}),
    ],
)
def test_cells_are_placed_as_the_cell_reader_places_them(rows, extent, formulas):
    data = _package(_sheet(rows))
    found = ooxml.inspect_package(data, PATH)
    assert found.extent["S1"] == extent
    assert found.formulas_without_value["S1"] == formulas
    if not formulas:  # calamine drops formula cells without value from the grid
        assert _grid_shape(data) == extent


@pytest.mark.parametrize("ref", ['r="A' + "9" * 5000 + '"', 'r="' + "A" * 5000 + '1"'])
def test_absurd_addresses_are_far_away(ref):
    data = _package(_sheet(f'<row r="{"7" * 5000}"><c {ref}/></row>'))
    with pytest.raises(WorkbookError, match=r"sheet spans 1,000,000,000,000 rows x "):
        ooxml.inspect_package(data, PATH, max_cells=2_000_000)


def test_parts_are_found_as_the_cell_reader_finds_them():
    # calamine opens a part whatever the case of its name (the regex version skipped it)
    rels = RELS.replace("worksheets/sheet1.xml", "Worksheets/Sheet1.XML")
    data = _package(_sheet('<row r="9"><c r="E9"><v>1</v></c></row>'), rels=rels)
    assert ooxml.inspect_package(data, PATH).extent == {"S1": (9, 5)}
    assert _grid_shape(data) == (9, 5)


# --- bombs -----------------------------------------------------------------------------------


def _cell_bomb(path: Path, cells: int = 3_000_000, per_row: int = 1000) -> None:
    """A small .xlsx whose one sheet holds ``cells`` cells without addresses, streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", _workbook())
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            line = b"<row>" + b"<c><v>1</v></c>" * per_row + b"</row>"
            for _ in range(cells // per_row):
                fh.write(line)
            fh.write(b"</sheetData></worksheet>")


_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from lnanalysis.extract.yearbook import ooxml
from lnanalysis.core.errors import WorkbookError
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    ooxml.inspect_package(data, Path("bomb.xlsx"), max_cells=2_000_000)
    error = None
except WorkbookError as exc:
    error = str(exc)
seconds = time.perf_counter() - start
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(json.dumps({"error": error, "seconds": seconds, "grown": grown}))
"""


def test_cell_bomb_is_refused_early_in_bounded_time_and_memory(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _cell_bomb(bomb)
    assert bomb.stat().st_size < 500_000  # 45 MB of XML, 3,000,000 cells
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ":".join(sys.path)},
    )
    result = json.loads(out.stdout)
    assert result["error"] == (
        "bomb.xlsx, sheet 'S1': sheet spans 2,001 rows x 1,000 columns, over the limit of "
        "2,000,000 cells for a statistical table (refused unread)"
    )
    assert result["seconds"] < 5, result
    assert result["grown"] < 100e6, result


def test_overlapping_cells_are_refused_by_their_count():
    data = _package(_sheet("<row>" + '<c r="A1"><v>1</v></c>' * 1000 + "</row>"))
    assert ooxml.inspect_package(data, PATH).cells == {"S1": 1000}
    with pytest.raises(WorkbookError, match=r"sheet 'S1': sheet holds more than 500 cells"):
        ooxml.inspect_package(data, PATH, max_cells=500)


def test_too_many_formulas_without_value_are_refused(monkeypatch):
    monkeypatch.setattr(ooxml, "_MAX_MISSING", 100)
    data = _package(_sheet("<row>" + "<c><f>1</f></c>" * 101 + "</row>"))
    with pytest.raises(WorkbookError, match=r"sheet 'S1': sheet holds over 100 formulas with no"):
        ooxml.inspect_package(data, PATH)


def test_sheets_sharing_a_part_read_it_once(monkeypatch):
    workbook = _workbook().replace(
        "</sheets>", '<sheet name="S2" sheetId="2" r:id="rId1"/></sheets>'
    )
    data = _package(_sheet('<row r="2"><c r="C2"><f>1</f></c></row>'), workbook)
    calls = []
    scan = ooxml._scan_sheet
    monkeypatch.setattr(ooxml, "_scan_sheet", lambda *a: calls.append(a) or scan(*a))
    found = ooxml.inspect_package(data, PATH)
    assert found.extent == {"S1": (2, 3), "S2": (2, 3)} and len(calls) == 1
    assert found.formulas_without_value == {"S1": {"C2"}, "S2": {"C2"}}


def test_refusal_comes_before_the_rest_of_the_sheet_is_read():
    # the sheet is malformed at its end: refused by its size, it is never reached
    sheet = _sheet("<row>" + "<c/>" * 10_000 + "</row>").replace("</worksheet>", "<<broken")
    with pytest.raises(WorkbookError, match="corrupt"):
        ooxml.inspect_package(_package(sheet), PATH)
    with pytest.raises(WorkbookError, match=r"spans 1 rows x 1,001 columns"):
        ooxml.inspect_package(_package(sheet), PATH, max_cells=1000)


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10)).replace(
        "&lol1;", "&lol;"
    )
    + "]>"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_bomb_in_a_sheet_is_refused(encoding):
    sheet = _sheet('<row><c t="inlineStr"><is><t>&lol9;</t></is></c></row>', head=LAUGHS)
    sheet = sheet.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    with pytest.raises(WorkbookError) as err:
        ooxml.inspect_package(_package(sheet), PATH)
    assert str(err.value) == (
        "t.xlsx, sheet 'S1': part xl/worksheets/sheet1.xml declares a DOCTYPE, which a "
        "workbook never has (refused: possible entity bomb)"
    )


def test_entity_bomb_in_the_workbook_part_is_refused():
    workbook = _workbook().replace("?><workbook", f"?>{LAUGHS}<workbook")
    with pytest.raises(WorkbookError, match=r"^t\.xlsx: part xl/workbook\.xml declares a DOCTYPE"):
        ooxml.inspect_package(_package(_sheet(""), workbook), PATH)


def test_part_expanding_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(ooxml, "MAX_PART_BYTES", 10_000)
    data = _package(_sheet("<row>" + "<c><v>1</v></c>" * 1000 + "</row>"))
    with pytest.raises(WorkbookError, match=r"sheet 'S1': part xl/worksheets/sheet1\.xml expands"):
        ooxml.inspect_package(data, PATH)


def test_giant_tag_is_refused_quickly():
    # expat rescans a tag cut across reads from its start each time: quadratic
    sheet = _sheet('<row spans="' + "1" * 20_000_000 + '"/>')
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match=r"holds a tag or comment over 4\.19 MB"):
        ooxml.inspect_package(_package(sheet), PATH)
    assert time.perf_counter() - start < 2


# --- corrupt packages ------------------------------------------------------------------------


def _truncated():
    return _openpyxl(_plain)[:400]


def _flipped():
    data = bytearray(_package(_sheet("<row>" + "<c><v>12345</v></c>" * 500 + "</row>")))
    at = data.index(b"xl/worksheets/sheet1.xml") + 40  # inside the sheet's deflated data
    data[at : at + 20] = b"\xff" * 20
    return bytes(data)


def _not_xml():
    return _package(b"<worksheet><sheetData><row></sheetData>")


def _no_workbook_part():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
    return out.getvalue()


@pytest.mark.parametrize("make", [_truncated, _flipped, _not_xml, _no_workbook_part])
def test_corrupt_package_is_refused_on_one_line(make):
    with pytest.raises(WorkbookError) as err:
        ooxml.inspect_package(make(), PATH)
    message = str(err.value)
    assert message.startswith("t.xlsx: truncated or corrupt .xlsx (") and message.endswith(")")
    assert "\n" not in message


# --- the real spreadsheets -----------------------------------------------------------------


REAL_XLSX = sorted(REAL.rglob("*.xlsx")) if REAL.is_dir() else []


@pytest.mark.requires_shared
@pytest.mark.parametrize("path", REAL_XLSX, ids=lambda p: p.name)
def test_real_workbooks_span_the_grids_the_cell_reader_builds(path):
    from python_calamine import CalamineWorkbook

    from lnanalysis.extract.yearbook.workbook import MAX_CELLS, workbook_bytes

    data = workbook_bytes(path)
    found = ooxml.inspect_package(data, path, MAX_CELLS)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows, cols = found.extent[name]
        # never smaller than the grid (a declared dimension may be larger)
        assert rows >= len(grid) and cols >= max(map(len, grid), default=0)
    assert all(0 < found.cells[s] <= r * c for s, (r, c) in found.extent.items())
