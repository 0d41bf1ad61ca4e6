"""Liaoning among the provinces: doubling arithmetic on the real store, checked by hand."""

import pandas as pd
import pytest

from lnanalysis.store.observations import load_preferred
from lnanalysis.targets.context import doubling_context


@pytest.fixture(scope="module")
def rd():
    return doubling_context(load_preferred(), "rd_expenditure").set_index("region")


def test_liaoning_rd_multiple_is_end_over_start(rd):
    pref = load_preferred()
    sel = pref[(pref["indicator"] == "rd_expenditure") & (pref["region"] == "LN")]
    v = sel.set_index("year")["value"]
    assert rd.at["LN", "multiple"] == pytest.approx(v[2020] / v[2015])
    assert rd.at["LN", "gap_to_target"] == pytest.approx(v[2020] - 2 * v[2015])
    assert rd.at["LN", "required_growth"] == pytest.approx(2 ** (1 / 5) - 1)
    assert not rd.at["LN", "reached_target"]


def test_ranks_cover_the_31_provinces_and_leave_the_nation_out(rd):
    assert rd["rank_level"].notna().sum() == 31
    assert pd.isna(rd.at["CN", "rank_level"])
    top = rd["rank_level"].idxmin()
    assert rd.at[top, "value_2020"] == rd.drop(index="CN")["value_2020"].max()


def test_missing_years_stay_missing_with_a_note():
    pref = load_preferred()
    pref = pref[~((pref["region"] == "JL") & (pref["year"] == 2015))]
    table = doubling_context(pref, "rd_expenditure").set_index("region")
    assert pd.isna(table.at["JL", "multiple"])
    assert table.at["JL", "note"] == "no value for 2015"
    assert pd.isna(table.at["JL", "reached_target"])
