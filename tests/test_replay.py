"""A mid-term replay sees only what was published by then, bands and calibration included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lnanalysis.backtest import panel
from lnanalysis.backtest.calibrate import subset_factors
from lnanalysis.trend.calibration import POOLED, Calibration
from lnanalysis.trend.models import Z

EX_POST = ["actual_value", "ex_post", "projection_error", "actual_in_80"]


@pytest.mark.integration
def test_the_as_of_2018_scorecard_equals_one_built_from_a_store_cut_at_2018(tmp_path, monkeypatch):
    from lnanalysis.store.observations import load_observations
    from lnanalysis.targets.scorecard import scorecard

    obs = load_observations()
    full = scorecard(2018, obs=obs)
    cut_store = obs[obs["published"] <= "2018-12-31"].reset_index(drop=True)
    assert len(cut_store) < len(obs)
    monkeypatch.setattr(panel, "CACHE_DIR", tmp_path)  # the backtest runs afresh
    cut = scorecard(2018, obs=cut_store)
    pd.testing.assert_frame_equal(full.drop(columns=EX_POST), cut.drop(columns=EX_POST))
    assert full["projected"].notna().sum() >= 3  # the comparison covers real projections


def _cases(seed: int = 0, n: int = 400) -> pd.DataFrame:
    """SYNTHETIC per-model cases: model a errs with sd 1, model b with sd 3, se 1 each."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        truth = rng.normal()
        means = {"drift": truth + rng.normal(0, 1), "theta": truth + rng.normal(0, 3)}
        for model, mean in means.items():
            rows.append(
                dict(
                    indicator="x",
                    region=f"R{i % 7}",
                    origin=2000 + i,
                    horizon=1,
                    model=model,
                    mean_t=mean,
                    se_t=1.0,
                    z=truth - mean,
                )
            )
    return pd.DataFrame(rows)


def test_each_model_set_gets_the_factor_of_its_own_errors():
    table = subset_factors(_cases(), min_cases=30).set_index(["models", "indicator"])
    assert table.loc[("drift", "x"), "factor"] == pytest.approx(1.0, abs=0.12)
    assert table.loc[("theta", "x"), "factor"] == pytest.approx(3.0, abs=0.35)
    cases = _cases()
    wide = cases.pivot_table(index="origin", columns="model", values="mean_t")
    truth = cases[cases["model"] == "drift"].set_index("origin").eval("mean_t + z")
    z = (truth - wide.mean(axis=1)) / 1.0  # the average of two unit variances is 1
    expected = np.quantile(z.abs(), 0.8) / Z[80]
    assert table.loc[("drift+theta", "x"), "factor"] == pytest.approx(expected)


def test_too_few_cases_fall_back_to_the_pool_then_are_not_estimable():
    cases = _cases(n=40)
    table = subset_factors(cases, min_cases=30)
    thin_y = table[table["indicator"] == "x"].assign(
        indicator="y", n=5, factor=np.nan, factor_95=np.nan
    )
    rows = pd.concat([table, thin_y])
    cal = Calibration(rows)
    found, note = cal.lookup([1], "x", "drift")
    assert found is not None and note == ""
    found, note = cal.lookup([1], "y", "drift")  # y has too few cases: the pooled rows
    assert found is not None and note == POOLED
    thin = Calibration(subset_factors(_cases(n=10), min_cases=30))
    found, note = thin.lookup([1], "x", "drift")
    assert found is None and "not estimable" in note
