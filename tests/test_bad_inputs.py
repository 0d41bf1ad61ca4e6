"""The bad-input corpus: each broken or hostile input gets a specific error that says where.

Every case is generated here (SYNTHETIC files in a temporary folder; one case cuts a
copy of a real yearbook file). Each must raise its own exception type, never a bare
parser traceback, with a message naming the file and, where it applies, the sheet
and the cell or row. The closing note of the hardening work lists these cases.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from test_store import SRC, TODAY, _raw, _row
from test_yearbook import BLOCK as YEARBOOK_BLOCK

from lnanalysis.core import errors as E
from lnanalysis.core.config import CONFIG_DIR
from lnanalysis.core.paths import shared_dir
from lnanalysis.core.textfile import EncodingError, read_csv_rows
from lnanalysis.extract.yearbook import read_yearbook
from lnanalysis.extract.yearbook.layouts import layout_from_spec
from lnanalysis.store.observations import check_unit_slips, read_source
from lnanalysis.targets.registry import load_registry

BLOCK = {**YEARBOOK_BLOCK, "data": [4, 5]}
TITLE = ["1-1 各地区测试指标(2019年)"]
GOOD_ROWS = [
    TITLE,
    ["单位：万元"],
    ["地区", "Region", "经费"],
    ["北京", "Beijing", 1],
    ["辽宁", "Liaoning", 2],
]


def _layout(**block):
    spec = {"file": "t.xlsx", "table_zh": "测试", "blocks": [{**BLOCK, **block}]}
    return layout_from_spec("synthetic", spec)


def _xlsx(tmp: Path, rows=GOOD_ROWS, name="t.xlsx", edit=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1"
    for row in rows:
        ws.append(row)
    if edit:
        edit(ws)
    path = tmp / name
    wb.save(path)
    return path


def _reader(path: Path, **block):
    return lambda: read_yearbook(path, layout=_layout(**block))


# --- workbook-level cases ------------------------------------------------------------------


def case_truncated_xlsx(tmp):
    path = tmp / "cut.xlsx"
    path.write_bytes(_xlsx(tmp).read_bytes()[:400])
    return _reader(path)


def case_truncated_xls(tmp):
    # SYNTHETIC: an OLE2 (BIFF) header followed by a cut-off sector table
    path = tmp / "cut.xls"
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    )
    path.write_bytes(header + bytes(range(256)) * 8)
    return _reader(path)


def case_zip_not_workbook(tmp):
    path = tmp / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    return _reader(path)


def case_empty_file(tmp):
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return _reader(path)


def case_text_named_xls(tmp):
    path = tmp / "table.xls"
    path.write_text("地区,经费\n北京,1\n", encoding="utf-8")
    return _reader(path)


def case_unknown_password(tmp):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(_xlsx(tmp), "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp / "locked.xlsx"
    path.write_bytes(out.getvalue())
    return _reader(path)


def case_zip_bomb(tmp):
    """A ~0.2 MB .xlsx whose only sheet expands to 210 MB of XML."""
    base, path = _xlsx(tmp), tmp / "bomb.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, src.read(item))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>')
            chunk = b" " * (1 << 20)
            for _ in range(210):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 2_000_000

    def run():
        import python_calamine

        def never(*_a, **_k):
            raise AssertionError("the bomb reached the cell parser")

        original = python_calamine.CalamineWorkbook.from_filelike
        python_calamine.CalamineWorkbook.from_filelike = never
        try:
            read_yearbook(path, layout=_layout())
        finally:
            python_calamine.CalamineWorkbook.from_filelike = original

    return run


def case_huge_sheet(tmp):
    return _reader(_xlsx(tmp, edit=lambda ws: ws.cell(row=1_048_576, column=3, value=1)))


def case_formula_without_cached_value(tmp):
    return _reader(_xlsx(tmp, edit=lambda ws: ws.__setitem__("C4", "=1+1")))


def case_shifted_columns(tmp):
    rows = [*GOOD_ROWS[:3], ["", "北京", "Beijing", 1], ["", "辽宁", "Liaoning", 2]]
    return _reader(_xlsx(tmp, rows))


def case_header_not_in_layout(tmp):
    rows = [*GOOD_ROWS[:2], ["地区", "Region", "人员"], *GOOD_ROWS[3:]]
    return _reader(_xlsx(tmp, rows))


def case_sheet_without_table(tmp):
    return _reader(_xlsx(tmp, rows=[["说明：本表无数据"]]))


def case_sheet_missing(tmp):
    return _reader(_xlsx(tmp), sheet="1-2")


def case_unknown_unit(tmp):
    rows = [TITLE, ["单位：斤"], *GOOD_ROWS[2:]]
    return _reader(_xlsx(tmp, rows))


def case_unknown_region(tmp):
    rows = [*GOOD_ROWS[:3], ["北京", "Beijing", 1], ["辽东", "Liaodong", 2]]
    return _reader(_xlsx(tmp, rows))


def case_two_columns_same_year(tmp):
    rows = [["1-8 强度"], ["单位：%"], ["地区", "Region", 2019, "2019年"], ["北京", "x", 1, 2]]
    block = {"data": [4, 4], "columns": "C:D", "year": "header", "expect": {}}
    return _reader(_xlsx(tmp, rows), **block)


def case_mixed_units_in_a_column(tmp):
    rows = [*GOOD_ROWS[:3], ["北京", "Beijing", 1], ["辽宁", "Liaoning", "5.2亿"]]
    return _reader(_xlsx(tmp, rows))


def case_bound_in_a_yearbook_cell(tmp):
    rows = [*GOOD_ROWS[:3], ["北京", "Beijing", 1], ["辽宁", "Liaoning", ">500"]]
    return _reader(_xlsx(tmp, rows))


def case_fractional_year_header(tmp):
    rows = [["1-8 强度"], ["单位：%"], ["地区", "Region", 2019.5], ["北京", "x", 1]]
    return _reader(_xlsx(tmp, rows), data=[4, 4], year="header", expect={})


def case_chinese_numeral_year_header(tmp):
    rows = [["1-8 强度"], ["单位：%"], ["地区", "Region", "二〇一九"], ["北京", "x", 1]]
    return _reader(_xlsx(tmp, rows), data=[4, 4], year="header", expect={})


def case_no_layout_map(tmp):
    path = _xlsx(tmp, name="someone-elses-table.xlsx")
    return lambda: read_yearbook(path)


# --- indicator-store cases (raw value rows) ---------------------------------------------------


def _store(tmp, *rows):
    _raw(tmp, [_row(), *rows])
    return lambda: read_source(SRC, tmp, TODAY)


def case_store_share_above_100(tmp):
    return _store(tmp, _row(indicator="sci_literacy", unit="%", value="104"))


def case_store_negative_count(tmp):
    return _store(tmp, _row(indicator="patents_granted", unit="件", value="-5"))


def case_store_fractional_year(tmp):
    return _store(tmp, _row(year="2019.5"))


def case_store_chinese_numeral_year(tmp):
    return _store(tmp, _row(year="二〇一九"))


def case_store_unknown_indicator(tmp):
    return _store(tmp, _row(indicator="rd_spending"))


def case_store_no_source(tmp):
    return _store(tmp, _row(source_url="", source_title=""))


def case_store_future_year(tmp):
    return _store(tmp, _row(year="2031"))


def case_store_changed_checksum(tmp):
    path = _raw(tmp, [_row()])
    with open(path, "ab") as fh:
        fh.write(b"\0")
    return lambda: read_source(SRC, tmp, TODAY)


def case_store_duplicate_row(tmp):
    from lnanalysis.store.observations import check_duplicates

    _raw(tmp, [_row(), _row()])
    return lambda: check_duplicates(read_source(SRC, tmp, TODAY))


def case_store_wan_yuan_labelled_yi_yuan(tmp):
    """The same figure from a second source, typed in 万元 but labelled 亿元."""
    _raw(tmp, [_row(), _row(value="3634000", source_url="https://example.org/b")])
    return lambda: check_unit_slips(read_source(SRC, tmp, TODAY))


# --- text files and the registry --------------------------------------------------------------


def case_csv_in_gbk(tmp):
    path = tmp / "values.csv"
    path.write_bytes("地区,数值\n辽宁,363.4\n".encode("gbk"))
    return lambda: read_csv_rows(path)


def case_csv_with_ragged_row(tmp):
    path = tmp / "values.csv"
    path.write_text("region,value\nLN,363.4,extra\n", encoding="utf-8")
    return lambda: read_csv_rows(path)


def _registry(tmp, **changes):
    doc = yaml.safe_load((CONFIG_DIR / "targets.yaml").read_text(encoding="utf-8"))
    doc["targets"][1].update(changes)
    path = tmp / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return lambda: load_registry(path)


def case_registry_unknown_indicator(tmp):
    return _registry(tmp, indicator="rd_spending")


def case_registry_target_before_baseline(tmp):
    return _registry(tmp, target_year=2014)


CORPUS = [
    (case_truncated_xlsx, E.WorkbookError, r"cut\.xlsx: truncated or corrupt"),
    (case_truncated_xls, E.WorkbookError, r"cut\.xls: (cannot read|damaged)"),
    (case_zip_not_workbook, E.WorkbookError, r"notes\.xlsx: a zip archive, but not"),
    (case_empty_file, E.WorkbookError, r"empty\.xlsx: empty file"),
    (case_text_named_xls, E.WorkbookError, r"table\.xls: not an Excel workbook"),
    (case_unknown_password, E.PasswordError, r"locked\.xlsx: encrypted workbook"),
    (case_zip_bomb, E.WorkbookError, r"bomb\.xlsx: expands to 2\d\d MB.*zip bomb"),
    (case_huge_sheet, E.WorkbookError, r"t\.xlsx, sheet '1': sheet spans 1,048,576 rows"),
    (case_formula_without_cached_value, E.ValueParseError, r"sheet '1', cell C4: formula"),
    (case_shifted_columns, E.LayoutError, r"sheet '1', cell C4: values in a row with no"),
    (case_header_not_in_layout, E.LayoutError, r"cell C3: header does not match"),
    (case_sheet_without_table, E.LayoutError, r"sheet '1', cell C3: header does not match"),
    (case_sheet_missing, E.LayoutError, r"t\.xlsx: sheet '1-2' of the layout map is missing"),
    (case_unknown_unit, E.UnknownUnitError, r"sheet '1', cell A2: unknown unit '斤'"),
    (case_unknown_region, E.UnknownRegionError, r"cell A5: unknown region label '辽东'"),
    (case_two_columns_same_year, E.DuplicateRowError, r"cell D4: two cells give BJ"),
    (case_mixed_units_in_a_column, E.ValueParseError, r"cell C5: not a number: '5\.2亿'"),
    (case_bound_in_a_yearbook_cell, E.ValueParseError, r"cell C5: a bound"),
    (case_fractional_year_header, E.ValueParseError, r"cell C3: .*2019\.5"),
    (case_chinese_numeral_year_header, E.ValueParseError, r"cell C3: .*二〇一九"),
    (case_no_layout_map, E.LayoutError, r"someone-elses-table\.xlsx: inference is not sure"),
    (case_store_share_above_100, E.PlausibilityError, r"syn\.xlsx, sheet 'data', row 3: share"),
    (case_store_negative_count, E.PlausibilityError, r"row 3: negative count"),
    (case_store_fractional_year, E.ValueParseError, r"row 3: .*2019\.5"),
    (case_store_chinese_numeral_year, E.ValueParseError, r"row 3: .*二〇一九"),
    (case_store_unknown_indicator, E.UnknownIndicatorError, r"row 3: unknown indicator"),
    (case_store_no_source, E.MissingSourceError, r"row 3: .*no source"),
    (case_store_future_year, E.PlausibilityError, r"row 3: year 2031 is in the future"),
    (case_store_changed_checksum, E.ChecksumError, r"syn\.xlsx"),
    (case_store_duplicate_row, E.DuplicateRowError, r"sheet 'data', row 2: duplicate row"),
    (case_store_wan_yuan_labelled_yi_yuan, E.PlausibilityError, r"row 3: .*10,000 times.*unit"),
    (case_csv_in_gbk, EncodingError, r"values\.csv, row 1: not UTF-8.*GBK"),
    (case_csv_with_ragged_row, E.InputError, r"values\.csv, row 2: 3 fields"),
    (case_registry_unknown_indicator, E.RegistryError, r"targets\.yaml.*unknown indicator"),
    (case_registry_target_before_baseline, E.RegistryError, r"targets\.yaml.*not before"),
]


@pytest.mark.requires_shared
def test_a_real_yearbook_xls_cut_short_is_refused_naming_the_file(tmp_path):
    folder = shared_dir() / "real-spreadsheets/nbs-sci-tech-yearbook-cnki"
    real = folder / "rd-intensity-by-region_2012-2021_raw-2021.xls"
    path = tmp_path / "cut.xls"
    path.write_bytes(real.read_bytes()[:3000])
    with pytest.raises(E.WorkbookError, match=r"cut\.xls: (cannot read|damaged)"):
        _reader(path)()


def test_the_corpus_has_at_least_thirty_cases():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize(
    ("case", "error", "pattern"), CORPUS, ids=lambda x: getattr(x, "__name__", "")
)
def test_bad_input_raises_its_own_error_naming_where(tmp_path, case, error, pattern):
    run = case(tmp_path)
    with pytest.raises(error, match=pattern) as info:
        run()
    assert isinstance(info.value, E.LnAnalysisError)
    assert info.value.__cause__ is None or isinstance(info.value.__cause__, E.LnAnalysisError)


def test_a_csv_with_a_byte_order_mark_is_read_with_a_clean_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfregion,value\nLN,363.4\n")
    header, rows = read_csv_rows(path)
    assert header == ["region", "value"] and rows == [["LN", "363.4"]]


def test_macro_workbook_is_read_and_its_macros_are_never_run(tmp_path):
    path = tmp_path / "t.xlsm"
    shutil.copyfile(_xlsx(tmp_path), path)
    marker = tmp_path / "macro-ran"
    with zipfile.ZipFile(path, "a") as zf:
        # A stand-in macro part; nothing in the reader executes package parts
        zf.writestr("xl/vbaProject.bin", f'Shell "touch {marker}"'.encode())
    result = read_yearbook(path, layout=_layout())
    assert list(result.data["value"]) == [1.0, 2.0]
    assert ("(file)", "the workbook contains macros; they were not run") in result.notes
    assert not marker.exists()


def test_raw_files_are_never_modified_by_a_failed_read(tmp_path):
    path = _xlsx(tmp_path, rows=[*GOOD_ROWS[:3], ["火星", "Mars", 1]])
    before = path.read_bytes()
    with pytest.raises(E.UnknownRegionError):
        read_yearbook(path, layout=_layout(data=[4, 4]))
    assert path.read_bytes() == before
