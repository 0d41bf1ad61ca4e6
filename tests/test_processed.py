"""Integration tier: the real raw files build into data/processed with nothing lost."""

import pandas as pd
import pytest
import yaml
from rawfiles import value_rows

from lnanalysis.core.config import load_csv
from lnanalysis.core.paths import RAW_DIR
from lnanalysis.pipeline.data import build_data

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return build_data(out_dir=tmp_path_factory.mktemp("processed"))


def _raw_value_rows() -> int:
    """Count the non-empty value rows of every raw source listed in data/raw/sources.yaml."""
    sources = yaml.safe_load((RAW_DIR / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    return sum(value_rows(RAW_DIR / s["path"], s.get("sheet", "")) for s in sources)


def test_every_raw_value_row_is_kept(tables):
    obs = tables["observations"]
    raw = obs[obs["source_file"] != "derived"]
    assert len(raw) == _raw_value_rows() > 0


def test_every_value_traces_to_a_source_url_or_a_listed_citation(tables):
    obs = tables["observations"]
    allowed = {f"{r['source']}:{r['row']}" for r in load_csv("citations_without_url.csv")}
    missing = obs[(obs["source_url"] == "") & ~obs["obs_id"].isin(allowed)]
    assert missing.empty


def test_one_preferred_value_per_key(tables):
    pref = tables["preferred"]
    assert not pref.duplicated(["region", "indicator", "year"]).any()


def test_known_figures_from_the_reports(tables):
    # The bulletins publish these to one decimal; a yearbook copy of the same figure
    # with more digits may be the one preferred (config/preference.yaml)
    pref = tables["preferred"].set_index(["region", "indicator", "year"])["value"]
    assert pref[("LN", "rd_expenditure", 2015)] == pytest.approx(363.4, abs=0.05)
    assert pref[("LN", "rd_expenditure", 2020)] == pytest.approx(549.0, abs=0.05)
    assert pref[("LN", "rd_expenditure", 2011)] == pytest.approx(363.8, abs=0.05)  # not 334.1
    assert pref[("LN", "tech_contract_turnover", 2020)] == pytest.approx(645.1, abs=0.05)
    assert pref[("LN", "tech_contract_turnover_seller", 2020)] == pytest.approx(632.8126)
    assert pref[("LN", "invention_patents_per_10k", 2020)] == pytest.approx(10.98)


def test_derived_patents_per_10k_compared_with_official(tables):
    cmp = tables["derived_vs_official"].set_index("year")
    assert {2019, 2020, 2021} <= set(cmp.index)
    # 42282 valid invention patents / 4351.7 万人 = 9.716 against the official 9.7
    assert cmp.loc[2019, "derived"] == pytest.approx(42282 / 4351.7, abs=1e-4)
    assert abs(cmp.loc[2019, "relative_difference_pct"]) < 1


def test_conflicts_report_keeps_both_technology_market_definitions_apart(tables):
    conf = tables["conflicts"]
    ln = conf[(conf["region"] == "LN") & (conf["indicator"].str.startswith("tech_contract"))]
    assert not (
        (ln["indicator"] == "tech_contract_turnover")
        & (ln["year"] == 2020)
        & (ln["values"].str.contains("632.8"))
    ).any()
    assert isinstance(conf, pd.DataFrame)


def test_every_processed_column_is_described():
    """data_dictionary.csv must explain every column of every table in data/processed/."""
    from lnanalysis.core.config import load_yaml
    from lnanalysis.core.paths import PROCESSED_DIR

    described = {(c["table"], c["column"]) for c in load_yaml("columns.yaml")["columns"]}
    missing = []
    for path in sorted(PROCESSED_DIR.glob("*.csv")):
        table = "scorecard" if path.stem.startswith("scorecard_") else path.stem
        header = pd.read_csv(path, nrows=0).columns
        missing += [(table, c) for c in header if (table, c) not in described]
    assert not missing


def _read_as_documented(path):
    """Read a committed table with its text columns as text (as the dictionary types them)."""
    from lnanalysis.core.config import load_yaml
    from lnanalysis.store.schema import family

    text = {
        c["column"]
        for c in load_yaml("columns.yaml")["columns"]
        if c["table"] == family(path.stem) and c["dtype"] in ("str", "pair")
    }
    header = pd.read_csv(path, nrows=0).columns
    return pd.read_csv(path, dtype={c: "string" for c in header if c in text}, low_memory=False)


def test_every_committed_table_passes_its_schema_from_the_column_dictionary():
    from lnanalysis.core.config import load_yaml
    from lnanalysis.core.paths import PROCESSED_DIR
    from lnanalysis.store.schema import check_table

    checked = 0
    for stem in load_yaml("columns.yaml")["tables"]:
        path = PROCESSED_DIR / f"{stem}.csv"
        if path.exists():
            frame = pd.read_csv(path, low_memory=False)
            as_text = _read_as_documented(path)
            for col in frame.columns:  # the documented text columns, as text (None if empty)
                if as_text[col].dtype == "string":
                    frame[col] = as_text[col].astype(object).where(as_text[col].notna(), None)
            check_table(stem, frame)
            checked += 1
    assert checked >= 19


def test_a_table_off_its_dictionary_entry_is_refused_naming_the_table():
    from lnanalysis.store.schema import SchemaMismatchError, check_table

    # SYNTHETIC calibration rows
    good = pd.DataFrame(
        {
            "models": ["drift+ets"] * 2,
            "indicator": ["all", "rd_expenditure"],
            "model": ["combination"] * 2,
            "horizon": [1, 2],
            "n": [10, 12],
            "factor": [1.1, 1.3],
            "factor_95": [1.2, 1.4],
        }
    )
    check_table("calibration", good)
    where = r"data/processed/calibration\.csv: does not match config/columns\.yaml"
    with pytest.raises(
        SchemaMismatchError, match=where + r" \(column 'undocumented' is not in the dictionary\)"
    ):
        check_table("calibration", good.assign(undocumented=1))
    with pytest.raises(SchemaMismatchError, match=where + r" \(horizon: values are not int"):
        check_table("calibration", good.assign(horizon=["1", "2"]))
    with pytest.raises(SchemaMismatchError, match=where + r" \(factor: values are not float"):
        check_table("calibration", good.assign(factor=["1.1", "x"]))
    with pytest.raises(SchemaMismatchError, match=where + r" \(column 'factor_95' of the"):
        check_table("calibration", good.drop(columns=["factor_95"]))
    with pytest.raises(SchemaMismatchError, match=where + r" \(its key columns are not unique"):
        check_table("calibration", pd.concat([good, good.iloc[:1]], ignore_index=True))
    with pytest.raises(SchemaMismatchError, match=where + r" \(indicator: a key column has an"):
        check_table("calibration", good.assign(indicator=[None, "x"]))
