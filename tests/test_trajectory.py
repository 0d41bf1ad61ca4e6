"""Trajectory data, the mid-term replay calls and the explore helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lnanalysis.core.errors import InputError
from lnanalysis.pipeline.explore import explore
from lnanalysis.store.observations import load_observations
from lnanalysis.targets.registry import load_registry
from lnanalysis.targets.replay import call
from lnanalysis.targets.trajectory import required_paths, trajectory


@pytest.fixture(scope="module")
def obs():
    return load_observations()


def test_required_paths_by_hand():
    paths = required_paths(100.0, 2015, 200.0, 2020).set_index("year")
    assert paths.at[2015, "compound"] == 100 and paths.at[2020, "compound"] == pytest.approx(200)
    assert paths.at[2016, "compound"] == pytest.approx(100 * 2**0.2)
    assert paths.at[2017, "linear"] == pytest.approx(140)


def test_replay_view_never_shows_later_data_as_observed(obs):
    t = trajectory(load_registry().get("rd_expenditure_doubling"), obs, as_of=2018)
    assert t.observed["year"].max() <= 2018
    # every plotted observed value was published by the end of 2018
    pref = obs[obs["indicator"] == "rd_expenditure"]
    dates = pref[(pref["region"] == "LN")].groupby("year")["published"].min()
    assert (dates.reindex(t.observed["year"]).astype(str) <= "2018-12-31").all()
    # and what came later is shown apart, starting right after the last known year
    assert t.later["year"].min() == t.observed["year"].max() + 1
    assert t.projection["year"].iloc[0] == t.observed["year"].iloc[-1]
    assert t.projection["year"].iloc[-1] == 2020
    assert (t.projection["lo95"] <= t.projection["lo80"]).all()
    assert (t.projection["hi80"] <= t.projection["hi95"]).all()


def test_doubling_threshold_is_twice_the_baseline(obs):
    t = trajectory(load_registry().get("rd_expenditure_doubling"), obs, baseline_year=2014)
    assert t.baseline[0] == 2014
    assert t.threshold == pytest.approx(2 * t.baseline[1])
    assert t.required["compound"].iloc[-1] == pytest.approx(t.threshold)


def test_alternate_series_is_flagged_and_named(obs):
    target = load_registry().get("tech_contract_turnover_800yi")
    t = trajectory(target, obs, indicator="tech_contract_turnover_seller")
    assert t.alternate_series and t.indicator == "tech_contract_turnover_seller"
    assert not trajectory(target, obs).alternate_series


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        ({"p_meet": 0.51, "status_eurostat": "limited_progress"}, "met"),
        ({"p_meet": 0.49, "status_eurostat": "on_track"}, "missed"),
        ({"p_meet": np.nan, "status_eurostat": "on_track"}, "met"),
        ({"status_eurostat": "achieved", "p_meet": 0.1}, "met"),
        ({"status_eurostat": "acceleration_needed"}, "missed"),
        ({"status_eurostat": "insufficient_data"}, "no call"),
    ],
)
def test_replay_call(assessment, expected):
    assert call(assessment) == expected


def test_explore_projects_any_series_against_an_entered_target(obs):
    view = explore(
        obs,
        region="JL",
        indicator="rd_expenditure",
        as_of=2018,
        target_value=300.0,
        models="drift,loglinear",
    )
    assert view.region == "JL" and view.threshold == 300.0
    assert set(view.assessment["models_used"].split(", ")) == {"drift", "loglinear"}
    assert 0 <= view.assessment["p_meet"] <= 1
    with pytest.raises(InputError, match="unknown model"):
        explore(obs, models="drift,prophet")


def test_missing_years_stay_missing_in_the_chart_data(obs):
    t = trajectory(load_registry().get("invention_patents_per_10k_7_36"), obs)
    years = list(t.observed["year"])
    assert 2013 not in years  # no official value published for 2013: not interpolated
    assert isinstance(t.observed, pd.DataFrame)
