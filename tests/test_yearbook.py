"""The yearbook reader on the 25 real files, on spot-check cells and on one fixture per quirk.

The spot checks (tests/data/yearbook_spotchecks.csv) were read once, directly with
xlrd (formatting_info=True, after in-memory decryption) or openpyxl; each row names
its file, sheet and cell and the raw value found there. The reader must give the
same value, unit, region and year at that address.

Fixtures are SYNTHETIC workbooks built here with openpyxl, one per quirk.
"""

from __future__ import annotations

import ast
import io
import math

import openpyxl
import pandas as pd
import pytest
from synthetic import YEARBOOK_BLOCK

from lnanalysis.core.errors import (
    DuplicateRowError,
    LayoutError,
    PasswordError,
    UnknownRegionError,
    UnknownUnitError,
    ValueParseError,
    WorkbookError,
)
from lnanalysis.core.paths import ROOT, shared_dir
from lnanalysis.extract.yearbook import read_yearbook
from lnanalysis.extract.yearbook.layouts import layout_from_spec
from lnanalysis.extract.yearbook.manifest import manifest
from lnanalysis.reference.regions import region_code

REAL = shared_dir() / "real-spreadsheets"
SPOTS = pd.read_csv(
    ROOT / "tests" / "data" / "yearbook_spotchecks.csv", dtype=str, keep_default_na=False
)
needs_shared = pytest.mark.requires_shared


@pytest.fixture(scope="module")
def tables():
    return {known.file: read_yearbook(REAL / known.file) for known in manifest().values()}


@needs_shared
def test_the_fetch_manifest_lists_every_file_of_the_shared_dev_manifest():
    shared = pd.read_csv(REAL / "manifest.csv", dtype=str)
    assert set(shared["file"]) == {table.file for table in manifest().values()}
    for row in shared.itertuples():
        assert (REAL / row.file).is_file(), row.file


@needs_shared
@pytest.mark.parametrize("known", list(manifest().values()), ids=lambda x: x.id)
def test_every_real_file_loads_with_cell_provenance(tables, known):
    data = tables[known.file].data
    assert len(data) > 0
    assert data["cell"].str.match(r"^[A-Z]+\d+$").all()
    assert (data["file"] == known.file).all()
    assert data["region"].notna().all()
    assert not data.duplicated(["sheet", "cell"]).any()
    # a missing marker is never a zero, and a value is never silently dropped
    missing = data["missing"] != ""
    assert data.loc[missing, "value"].isna().all()
    assert data.loc[~missing, "value"].notna().all()


def test_spot_checks_cover_all_files_and_at_least_forty_cells():
    assert set(SPOTS["file"]) == {known.file for known in manifest().values()}
    assert len(SPOTS) >= 40


@needs_shared
@pytest.mark.parametrize("spot", SPOTS.to_dict("records"), ids=lambda s: f"{s['file']}!{s['cell']}")
def test_spot_check_cell(tables, spot):
    data = tables[spot["file"]].data
    hit = data[(data["sheet"] == spot["sheet"]) & (data["cell"] == spot["cell"])]
    assert len(hit) == 1, f"{spot['cell']} not in the reader's output"
    row = hit.iloc[0]
    if spot["value"] == "":
        assert math.isnan(row["value"]) and row["missing"] != ""
    else:
        assert row["value"] == pytest.approx(float(spot["value"]), rel=1e-12)
    assert row["unit"] == spot["unit"]
    assert row["year"] == int(spot["year"])
    # the raw label read independently (xlrd/openpyxl), kept exactly, and its code
    assert row["region_label"] == ast.literal_eval(spot["region_label_raw_repr"])
    scope = tables[spot["file"]].layout.region_set
    assert row["region"] == region_code(spot["region_label"], scope=scope)


@needs_shared
def test_aggregates_and_of_which_columns_are_flagged(tables):
    data = tables[
        "nbs-sci-tech-yearbook-cnki/rd-expenditure-by-region-and-use_2022_raw-2022.xls"
    ].data
    agg = data.groupby("region")["is_aggregate"].first()
    assert agg["CN"] and agg["G-NORTHEAST"] and not agg["LN"]
    sub = data.groupby("indicator_zh")["is_subitem"].first()
    assert sub[sub].index.str.contains("人员劳务费|仪器和设备").all() and sub.sum() == 2


@needs_shared
def test_liaoning_2019_intensity_at_its_address(tables):
    # Read once with xlrd: A16 = '辽    宁', J5 = 2019.0, J16 = 2.0456818062948345
    data = tables["nbs-sci-tech-yearbook-cnki/rd-intensity-by-region_2012-2021_raw-2021.xls"].data
    ln = data[(data["region"] == "LN") & (data["year"] == 2019)].iloc[0]
    assert ln["cell"] == "J16" and ln["region_label"] == "辽    宁"
    assert ln["value"] == 2.0456818062948345 and ln["unit"] == "%"


@needs_shared
def test_footnotes_are_captured_as_notes(tables):
    notes = tables["nbs-sci-tech-yearbook-cnki/rd-intensity-by-region_2012-2021_raw-2021.xls"].notes
    assert [cell for cell, _ in notes] == ["A48", "A49"]
    assert notes[0][1].startswith("注：") and notes[1][1].startswith("Note:")


# --- SYNTHETIC fixtures, one per quirk ---------------------------------------------------------

HEADER = [["1-1 各地区测试指标(2019年)"], ["单位：万元"], ["地区", "Region", "经费\nExpenditure"]]


def _book(tmp_path, rows, name="t.xlsx", sheets=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1"
    for row in rows:
        ws.append(row)
    for title, extra in (sheets or {}).items():
        other = wb.create_sheet(title)
        for row in extra:
            other.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _layout(blocks, region_set="provinces"):
    return layout_from_spec(
        "synthetic",
        {"file": "t.xlsx", "table_zh": "测试指标", "region_set": region_set, "blocks": blocks},
    )


BLOCK = {**YEARBOOK_BLOCK, "data": [4, 6]}


def _read(tmp_path, rows, blocks=(BLOCK,), **kw):
    return read_yearbook(_book(tmp_path, rows, **kw), layout=_layout(list(blocks))).data


@pytest.mark.parametrize("marker", ["…", "...", "", "   ", "—", "-"])
def test_every_missing_marker_is_missing_never_zero(tmp_path, marker):
    rows = [
        *HEADER,
        ["北    京", "Beijing", marker],
        ["辽宁", "Liaoning", "5"],
        ["全国", "China", 9],
    ]
    data = _read(tmp_path, rows).set_index("region")
    assert math.isnan(data.at["BJ", "value"])
    assert data.at["BJ", "missing"] == {"": "blank", "   ": "blank"}.get(marker, marker)
    assert data.at["LN", "value"] == 5.0


def test_text_numbers_float_noise_and_negatives(tmp_path):
    rows = [
        *HEADER,
        ["北京", "Beijing", "39065753.206057005"],
        ["辽宁", "Liaoning", "-0.33"],
        ["全国", "China", 1.905817520314897],
    ]
    data = _read(tmp_path, rows).set_index("region")
    assert data.at["BJ", "value"] == 39065753.206057005
    assert data.at["LN", "value"] == -0.33
    assert data.at["CN", "value"] == 1.905817520314897
    assert data.at["CN", "is_aggregate"] and not data.at["LN", "is_aggregate"]
    assert (data["unit"] == "万元").all() and data.at["LN", "year"] == 2019


def test_padded_indented_and_english_variant_labels(tmp_path):
    rows = [
        *HEADER,
        ["  内 蒙 古", "Inner Mongolia", 1],
        ["西    藏", "Xizang", 2],
        ["青海", "Oinghai", 3],
    ]
    data = _read(tmp_path, rows)
    assert list(data["region"]) == ["NM", "XZ", "QH"]
    assert list(data["region_label"]) == ["  内 蒙 古", "西    藏", "青海"]


def test_unknown_region_label_is_an_error_with_its_cell(tmp_path):
    rows = [*HEADER, ["北京", "Beijing", 1], ["火星", "Mars", 2], ["全国", "China", 3]]
    with pytest.raises(UnknownRegionError, match=r"sheet '1'.*cell A5.*火星"):
        _read(tmp_path, rows)


def test_unknown_unit_is_an_error_with_its_cell(tmp_path):
    rows = [["1-1 各地区测试指标(2019年)"], ["单位：斤"], HEADER[2], ["北京", "Beijing", 1]]
    with pytest.raises(UnknownUnitError, match=r"cell A2.*斤"):
        _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 4]},))


def test_header_that_does_not_match_the_layout_map(tmp_path):
    rows = [*HEADER[:2], ["地区", "Region", "人员"], ["北京", "Beijing", 1]]
    with pytest.raises(LayoutError, match=r"cell C3.*expected text starting '经费'"):
        _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 4]},))


def test_two_year_columns_for_the_same_year(tmp_path):
    rows = [
        ["1-8 强度"],
        ["单位：%"],
        ["地区", "Region", 2019, "2019年"],
        ["北京", "Beijing", 1, 2],
    ]
    block = {**BLOCK, "data": [4, 4], "columns": "C:D", "year": "header", "expect": {}}
    with pytest.raises(DuplicateRowError, match=r"C4, D4 \(two columns read as one indicator"):
        _read(tmp_path, rows, blocks=(block,))


def test_the_tidy_table_has_its_columns_in_order_with_their_types(tmp_path):
    rows = [*HEADER, ["北京", "Beijing", 1], ["天津", "Tianjin", "…"]]
    data = _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 5]},))
    assert list(data.columns) == [
        "table_id", "block", "region", "region_kind", "is_aggregate", "region_label",
        "region_label_en", "indicator_zh", "indicator_en", "is_subitem", "year", "value",
        "value_raw", "missing", "unit", "unit_raw", "file", "sheet", "cell", "source_url",
    ]  # fmt: skip
    numeric = {"block": "int64", "is_aggregate": "bool", "is_subitem": "bool"}
    numeric |= {"year": "int64", "value": "float64"}
    for name in data.columns:
        assert str(data[name].dtype) == numeric.get(name, "str"), name
    assert isinstance(data.index, pd.RangeIndex) and list(data.index) == [0, 1]
    assert data["region"].tolist() == ["BJ", "TJ"] and data["missing"].tolist() == ["", "…"]
    assert data["value"].iloc[0] == 1.0 and math.isnan(data["value"].iloc[1])
    again = data.copy()
    again.loc[0, "region"] = "SH"  # a frame assembled without checks still behaves
    assert data["region"].iloc[0] == "BJ" and again["region"].iloc[0] == "SH"


def test_a_region_twice_in_a_block_is_a_duplicate_naming_both_cells(tmp_path):
    rows = [*HEADER, ["北京", "Beijing", 1], ["天津", "Tianjin", 2], ["北 京", "Beijing", 3]]
    with pytest.raises(DuplicateRowError, match=r"C6: .* BJ .*: C4, C6 \(the region is listed tw"):
        _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 6]},))


def test_a_region_and_indicator_repeated_by_a_second_block_is_a_duplicate(tmp_path):
    # SYNTHETIC: a continuation block that gives Beijing's figure again
    rows = [*HEADER, ["北京", "Beijing", 1], ["天津", "Tianjin", 2], HEADER[2]]
    rows += [["河北", "Hebei", 3], ["北京", "Beijing", 4]]
    second = {**BLOCK, "header": [6, 6], "data": [7, 8], "title": None, "units": {"C": "万元"}}
    with pytest.raises(DuplicateRowError, match=r"cell C8: two cells give BJ .*: C4, C8 \(the reg"):
        _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 5]}, second))
    # the same two blocks with no repeated region read all four cells
    rows[-1] = ["山西", "Shanxi", 4]
    assert len(_read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 5]}, second))) == 4


def test_year_columns_as_text_float_and_suffix_in_any_order(tmp_path):
    rows = [
        ["1-8 强度"],
        ["单位：%"],
        ["地区", "Region", "2021年", 2020.0, "2019"],
        ["北京", "x", 3, 2, 1],
    ]
    block = {**BLOCK, "data": [4, 4], "columns": "C:E", "year": "header", "expect": {}}
    data = _read(tmp_path, rows, blocks=(block,))
    assert dict(zip(data["year"], data["value"], strict=True)) == {2021: 3, 2020: 2, 2019: 1}


def test_of_which_column_is_flagged_and_keeps_its_parents_unit(tmp_path):
    rows = [
        ["1-1 各地区测试指标(2019年)"],
        [""],
        ["地区", "Region", "经费\n(万元)", "#人员费\nLabor"],
        ["北京", "Beijing", 10, 4],
    ]
    block = {**BLOCK, "unit": None, "data": [4, 4], "columns": "C:D"}
    data = _read(tmp_path, rows, blocks=(block,)).set_index("indicator_zh")
    assert data.at["人员费", "is_subitem"] and not data.at["经费", "is_subitem"]
    assert data.at["人员费", "unit"] == "万元"


def test_stacked_continuation_blocks_in_one_sheet(tmp_path):
    rows = [
        *HEADER,
        ["北京", "Beijing", 1],
        ["辽宁", "Liaoning", 2],
        ["续表"],
        ["地区", "Region", "人员\nStaff"],
        ["北京", "Beijing", 3],
        ["辽宁", "Liaoning", 4],
    ]
    second = {
        **BLOCK,
        "title": None,
        "unit": "A2",
        "header": [7, 7],
        "data": [8, 9],
        "year": 2019,
        "expect": {"C": "人员"},
    }
    data = _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 5]}, second))
    assert list(data["block"]) == [1, 1, 2, 2]
    assert data.set_index(["region", "indicator_zh"]).at[("LN", "人员"), "value"] == 4


def test_side_by_side_continuation_shifted_up_one_row(tmp_path):
    rows = [
        ["1-1 各地区测试指标(2019年)", "", "", "地区", "人员"],
        ["单位：万元", "", "", "北京", 30],
        ["地区", "Region", "经费", "辽宁", 40],
        ["北京", "Beijing", 10],
        ["辽宁", "Liaoning", 20],
    ]
    right = {
        **BLOCK,
        "title": None,
        "header": [1, 1],
        "data": [2, 3],
        "label": "D",
        "label_en": None,
        "columns": "E:E",
        "year": 2019,
        "expect": {"E": "人员"},
    }
    data = _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 5]}, right))
    got = data.set_index(["region", "indicator_zh"])["value"].to_dict()
    assert got == {("BJ", "经费"): 10, ("LN", "经费"): 20, ("BJ", "人员"): 30, ("LN", "人员"): 40}
    assert data.set_index(["region", "indicator_zh"]).at[("LN", "人员"), "cell"] == "E3"


def test_continuation_on_another_sheet_and_the_cnki_sheet_is_ignored(tmp_path):
    rows = [*HEADER, ["北京", "Beijing", 1]]
    cont = [["续表"], ["单位：万元"], ["地区", "Region", "人员"], ["北京", "Beijing", 2]]
    path = _book(tmp_path, rows, sheets={"2": cont, "CNKI": [["http://www.cnki.net/"]]})
    second = {
        **BLOCK,
        "sheet": "2",
        "title": None,
        "data": [4, 4],
        "year": 2019,
        "expect": {"C": "人员"},
    }
    data = read_yearbook(path, layout=_layout([{**BLOCK, "data": [4, 4]}, second])).data
    assert list(data["sheet"]) == ["1", "2"] and list(data["value"]) == [1, 2]


def test_english_label_continued_on_its_own_row(tmp_path):
    rows = [*HEADER, ["港 澳 台", "Hong Kong,", 5], ["", "Macao & Taiwan"], ["全国", "China", 9]]
    data = _read(tmp_path, rows)
    assert data.iloc[0]["region"] == "G-HMT"
    assert data.iloc[0]["region_label_en"] == "Hong Kong, Macao & Taiwan"


def test_values_in_a_row_without_a_label_are_an_error(tmp_path):
    rows = [*HEADER, ["北京", "Beijing", 1], ["", "", 2], ["全国", "China", 9]]
    with pytest.raises(LayoutError, match=r"cell C5"):
        _read(tmp_path, rows)


def test_wrong_password_truncated_and_non_workbook_files(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _book(tmp_path, [*HEADER, ["北京", "Beijing", 1]])
    enc = io.BytesIO()
    with open(plain, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", enc)
    (tmp_path / "enc.xlsx").write_bytes(enc.getvalue())
    layout = _layout([{**BLOCK, "data": [4, 4]}])
    with pytest.raises(PasswordError, match=r"enc\.xlsx"):
        read_yearbook(tmp_path / "enc.xlsx", layout=layout)
    assert (
        read_yearbook(tmp_path / "enc.xlsx", layout=layout, password="secret").data["value"].iloc[0]
        == 1
    )
    (tmp_path / "cut.xlsx").write_bytes(plain.read_bytes()[:300])
    with pytest.raises(WorkbookError, match=r"cut\.xlsx"):
        read_yearbook(tmp_path / "cut.xlsx", layout=layout)
    (tmp_path / "text.xls").write_text("region,value\n")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        read_yearbook(tmp_path / "text.xls", layout=layout)


def test_a_table_inference_cannot_read_names_the_file_and_how_to_settle_it(tmp_path):
    path = _book(tmp_path, [*HEADER, ["北京", "Beijing", 1]], name="unknown-table.xlsx")
    with pytest.raises(LayoutError, match=r"unknown-table\.xlsx: inference is not sure: .*layout"):
        read_yearbook(path)


def test_a_layout_sheet_missing_from_the_file(tmp_path):
    with pytest.raises(LayoutError, match=r"sheet '9'.*missing"):
        _read(tmp_path, [*HEADER, ["北京", "Beijing", 1]], blocks=({**BLOCK, "sheet": "9"},))


@needs_shared
def test_read_yearbook_command_prints_every_value_with_its_cell(capsys):
    from lnanalysis.cli import main

    path = REAL / "nbs-sci-tech-yearbook-cnki/rd-personnel-fte-by-region_2013_raw-2013.xls"
    assert main(["read-yearbook", str(path), "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(out) == 180 and {"region", "cell", "unit", "year", "value"} <= set(out.columns)
    # Read once with xlrd: A17 = '内蒙占' (a typo in the source), C17 = '37280'
    row = out[out["cell"] == "C17"].iloc[0]
    assert (row["region"], row["value"], row["region_label"]) == ("NM", 37280, "内蒙占")


@needs_shared
def test_fetch_from_a_mirror_verifies_every_checksum(tmp_path):
    from lnanalysis.core.errors import ChecksumError
    from lnanalysis.extract.yearbook.fetch import fetch_all, fetch_one

    cache = tmp_path / "cache"
    paths = fetch_all(cache=cache, mirror=str(REAL), log=lambda _: None)
    assert len(paths) == len(manifest()) and all(p.exists() for p in paths)
    known = next(iter(manifest().values()))
    assert fetch_one(known, cache, str(REAL))[1] == "cached"
    # A mirror whose copy differs from the manifest is refused and nothing is cached
    bad = tmp_path / "bad"
    (bad / known.file).parent.mkdir(parents=True)
    (bad / known.file).write_bytes(b"not the file")
    with pytest.raises(ChecksumError, match="does not match"):
        fetch_one(known, tmp_path / "cache2", str(bad))
    assert not (tmp_path / "cache2" / known.file).exists()


@needs_shared
def test_crosscheck_reports_store_against_yearbook_cells():
    from lnanalysis.extract.yearbook.crosscheck import crosscheck
    from lnanalysis.store.observations import load_preferred

    table = crosscheck(load_preferred(), REAL).set_index(["indicator", "region", "year"])
    # Liaoning's seller-side technology-contract turnover 2015: the store (from the same
    # yearbook series, in 亿元) and the yearbook cell (in 万元) must agree after conversion
    row = table.loc[("tech_contract_turnover_seller", "LN", 2015)]
    assert row["yearbook_value"] == pytest.approx(row["store_value"], rel=1e-9)
    assert "万元" in row["conversion"] and not row["mismatch"]
    assert row["yearbook_cell"].startswith(
        "nbs-sci-tech-yearbook-cnki/tech-market-contract-outflows"
    )


def test_of_which_rows_and_non_province_rows_are_flagged(tmp_path):
    rows = [*HEADER, ["东北地区", "Northeast", 9], ["#辽宁", "Liaoning", 5], ["其 他", "Others", 1]]
    data = _read(tmp_path, rows, blocks=({**BLOCK, "data": [4, 6]},)).set_index("region")
    assert data.at["LN", "is_subitem"] and not data.at["G-NORTHEAST", "is_subitem"]
    assert data.at["LN", "region_label"] == "辽宁"
    assert data.at["X-OTHER", "is_aggregate"] and data.at["G-NORTHEAST", "is_aggregate"]
    assert not data.at["LN", "is_aggregate"]


def test_formula_check_finds_sheets_whose_names_need_escaping(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "R&D"
    for row in [*HEADER, ["北京", "Beijing", 1]]:
        ws.append(row)
    ws["C4"] = "=1+1"
    path = tmp_path / "amp.xlsx"
    wb.save(path)
    layout = _layout([{**BLOCK, "sheet": "R&D", "data": [4, 4]}])
    with pytest.raises(ValueParseError, match=r"sheet 'R&D', cell C4: formula"):
        read_yearbook(path, layout=layout)


def test_huge_sheet_is_refused_even_with_a_long_tail_after_its_rows(tmp_path):
    import zipfile

    wb = openpyxl.Workbook()
    wb.active.title = "1"
    wb.active.cell(row=1_048_576, column=3, value=1)
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / "tail.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</worksheet>", b"<!--" + b"x" * 80_000 + b"--></worksheet>")
            out.writestr(item, body)
    with pytest.raises(WorkbookError, match=r"sheet '1': sheet spans 1,048,576 rows"):
        read_yearbook(path, layout=_layout([BLOCK]))


@needs_shared
def test_a_copy_that_is_not_the_manifests_file_cites_itself(tmp_path):
    import shutil

    known = manifest()["rd_personnel_fte_2013"]
    src = REAL / known.file
    copy = tmp_path / "rd-personnel-fte-by-region_2013_raw-2013.xls"
    shutil.copyfile(src, copy)
    assert read_yearbook(copy).data["file"].iloc[0] == known.file  # same bytes: the manifest
    with open(copy, "ab") as fh:
        fh.write(b"\0" * 512)  # a different copy under the same name
    result = read_yearbook(copy)
    assert result.data["file"].iloc[0] == str(copy) and (result.data["source_url"] == "").all()
    assert any("sha256 differs" in text for _, text in result.notes)


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "yearbook_manifest.csv",
            ("rd_personnel_fte_2013,", "rd_personnel_fte_2010,"),
            r"yearbook_manifest\.csv, row 3: table rd_personnel_fte_2010 is listed twice",
        ),
        (
            "yearbook_manifest.csv",
            (",39955339f9a6e", ",z9955339f9a6e"),
            r"yearbook_manifest\.csv, row 2: sha256 'z9955339f9a6e\w+' is not 64 hex digits",
        ),
    ],
)
def test_a_broken_fetch_manifest_is_refused_naming_its_row(name, edit, message, edited_config):
    """SYNTHETIC edits of a scratch copy of the package's config."""
    from lnanalysis.core.errors import LayoutError
    from lnanalysis.extract.yearbook.manifest import manifest

    edited_config(name, *edit)
    with pytest.raises(LayoutError, match=message):
        manifest()
