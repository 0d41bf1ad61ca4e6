"""Yearbook cells in the store: extracted with cell provenance, mapped, verified, imported.

The committed version (``data/raw/additions/2026-12-04/yearbook_*``) holds every
tidy cell of the real tables and the mapped values; a clone without the tables
builds from it, and a clone with them re-extracts the cells and must find the same.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from lnanalysis.core.errors import InputError
from lnanalysis.core.paths import RAW_DIR, ROOT, shared_dir
from lnanalysis.extract.yearbook.cells import CELL_COLUMNS, read_mapping, store_rows

VERSION = RAW_DIR / "additions" / "2026-12-04"


def _cells(**overrides) -> pd.DataFrame:
    # SYNTHETIC cells of one table: a province, the nation, a regional group, a missing cell
    base = {c: "" for c in CELL_COLUMNS}
    rows = [
        {**base, "region": "LN", "region_kind": "province", "cell": "C9", "value_raw": "12"},
        {**base, "region": "CN", "region_kind": "national", "cell": "C5", "value_raw": "300"},
        {**base, "region": "", "region_kind": "group", "cell": "C6", "value_raw": "100"},
        {**base, "region": "JL", "region_kind": "province", "cell": "C10", "missing": "…"},
    ]
    frame = pd.DataFrame(rows).assign(
        table_id="t", file="f.xls", sheet="1", indicator_zh="合计", year=2015, unit="件",
        source_url="https://example.org/t.xls", sha256="ab" * 32,
    )  # fmt: skip
    return frame.assign(**overrides)


MAPPING = {
    "t": {"publication": "P2016", "published": "2016-12-01", "map": {"合计": "patents_granted"}}
}


def test_only_mapped_cells_of_provinces_and_the_nation_become_values_citing_their_cell():
    rows = store_rows(_cells(), MAPPING)
    assert list(rows["region"]) == ["CN", "LN"]
    ln = rows[rows["region"] == "LN"].iloc[0]
    assert ln["indicator"] == "patents_granted" and ln["value"] == "12" and ln["status"] == "final"
    assert ln["source_cell"] == "f.xls!1!C9" and ln["published"] == "2016-12-01"
    assert ln["source_title"].startswith("P2016, ")


def test_a_mapping_that_selects_nothing_is_an_error():
    with pytest.raises(InputError, match="selects no cell"):
        store_rows(_cells(indicator_zh="其他"), MAPPING)


HEAD = "tables:\n  t: {publication: P, "


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (f"{HEAD}published: 2016-12-01, map: {{a: gdp}}, tire: x}}\n", "unknown keys"),
        (f"{HEAD}published: soon, map: {{a: gdp}}}}\n", "not a date"),
        (f"{HEAD}published: 2016-12-01, map: {{a: no_such}}}}\n", "unknown indicator"),
        ("tables:\n  t: {published: 2016-12-01, map: {a: gdp}}\n", "'publication' is missing"),
        ("other: 1\n", "no 'tables:'"),
    ],
)  # fmt: skip
def test_a_bad_mapping_stops_with_one_line_naming_the_table(tmp_path, text, pattern):
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=pattern) as err:
        read_mapping(path)
    assert "\n" not in str(err.value)


def test_the_committed_values_are_the_committed_cells_under_the_committed_mapping():
    cells = pd.read_csv(VERSION / "yearbook_cells.csv", dtype=str, keep_default_na=False)
    mapping = read_mapping(VERSION / "yearbook_mapping.yaml")
    again = store_rows(cells.assign(year=cells["year"].astype(int)), mapping)
    committed = pd.read_csv(VERSION / "yearbook_values.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(again.astype(str), committed, check_dtype=False)


def test_yearbook_values_reach_the_store_with_their_cell():
    obs = pd.read_csv(ROOT / "data/processed/observations.csv", dtype=str, keep_default_na=False)
    cited = obs[obs["source_cell"] != ""]
    assert len(cited) > 0
    assert cited["source_cell"].str.match(r"^[\w./-]+\.xlsx?!.+![A-Z]+\d+$").all()
    assert set(cited["status"]) == {"final"}


@pytest.mark.requires_shared
def test_re_extracting_the_real_tables_finds_the_committed_cells():
    from lnanalysis.extract.yearbook.cells import extract_cells

    fresh = extract_cells(shared_dir() / "real-spreadsheets", log=lambda _: None)
    committed = pd.read_csv(VERSION / "yearbook_cells.csv", dtype=str, keep_default_na=False)
    fresh = fresh.astype(str).replace({"nan": "", "None": ""}).fillna("")
    key = ["table_id", "sheet", "cell"]
    merged = committed.merge(fresh, on=key, how="outer", suffixes=("", "_fresh"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][key].head()
    for col in committed.columns.difference(key):  # every column of the committed version
        assert (merged[col] == merged[f"{col}_fresh"]).all(), col


@pytest.mark.requires_shared
def test_a_researcher_imports_a_real_table_and_its_cells_reach_the_store(tmp_path):
    import shutil

    project = tmp_path / "project"
    for part in ("lnanalysis", "data"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "tables:\n  tech_market_outflows_value_2000_2021:\n"
        "    publication: 中国科技统计年鉴2022\n    published: 2022-12-01\n"
        "    map: {技术市场技术输出地域(合同金额): tech_contract_turnover_seller}\n",
        encoding="utf-8",
    )
    table = (
        shared_dir() / "real-spreadsheets/nbs-sci-tech-yearbook-cnki/"
        "tech-market-contract-outflows-value-by-region_2021_raw-type-funds-2021.xls"
    )
    env = {**os.environ, "PYTHONPATH": str(project)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "lnanalysis", *args],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    added = run(
        "import-yearbooks", str(table), "--mapping", str(mapping), "--version", "2026-12-05",
        "--folder", str(shared_dir() / "real-spreadsheets"),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert run("build", "--data-only").returncode == 0
    obs = pd.read_csv(project / "data/processed/observations.csv", dtype=str, keep_default_na=False)
    ours = obs[obs["source_file"] == "additions/2026-12-05/yearbook_values.csv"]
    ln = ours[(ours["region"] == "LN") & (ours["year"] == "2021")].iloc[0]
    assert ln["indicator"] == "tech_contract_turnover_seller" and ln["unit"] == "亿元"
    assert ln["source_cell"].startswith("nbs-sci-tech-yearbook-cnki/tech-market-contract-outflows")
    # the raw files are never overwritten: a second import of the same version is refused
    again = run(
        "import-yearbooks", str(table), "--mapping", str(mapping), "--version", "2026-12-05",
        "--folder", str(shared_dir() / "real-spreadsheets"),
    )  # fmt: skip
    assert again.returncode == 2 and "never overwritten" in again.stderr
