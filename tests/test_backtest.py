"""Calibration is measured out of sample: a region's factor never uses its own cases."""

import numpy as np
import pandas as pd
import pytest

from lnanalysis.backtest.panel import Z, loro_factors, pooled_factors


def test_leave_one_region_out_factor_ignores_the_regions_own_cases():
    # SYNTHETIC cases: region A has wild errors, B and C behave like N(0,1)
    rng = np.random.default_rng(0)
    rows = []
    for region, scale in (("A", 50.0), ("B", 1.0), ("C", 1.0)):
        for z in rng.normal(0, scale, 400):
            rows.append(dict(indicator="x", model="combination", horizon=1, region=region, z=z))
    cases = pd.DataFrame(rows)
    k = loro_factors(cases)
    k_a = k[cases["region"] == "A"].iloc[0]
    assert k_a == pytest.approx(1.0, abs=0.15)  # from B and C only
    assert k[cases["region"] == "B"].iloc[0] > 10  # A's wild errors widen the others
    pooled = pooled_factors(cases).set_index("indicator").loc["all", "factor"]
    assert pooled == pytest.approx(np.quantile(np.abs(cases["z"]), 0.8) / Z[80])


def _synthetic_binary_cases(p_true: float, n: int = 300, seed: int = 1) -> pd.DataFrame:
    """SYNTHETIC combination cases whose forecast puts the target at a known probability."""
    rng = np.random.default_rng(seed)
    from scipy import stats

    rows = []
    for i in range(n):
        actual_t = rng.normal(0.0, 1.0)
        rows.append(
            dict(
                indicator="x",
                model="combination",
                horizon=1,
                region=f"R{i % 5}",
                origin=2000 + i,
                z=actual_t,  # forecast mean 0, se 1
                mean_t=0.0,
                se_t=1.0,
                required_t=stats.norm.ppf(1 - p_true),
                required=np.exp(stats.norm.ppf(1 - p_true)),
                actual=np.exp(actual_t),
            )
        )
    return pd.DataFrame(rows)


def test_binary_backtest_scores_a_confident_right_call():
    from lnanalysis.backtest.panel import binary_scores

    # P(meet) = 0.9 for every case and the outcomes follow that probability
    row = binary_scores(_synthetic_binary_cases(0.9)).iloc[0]
    assert row["called_met_rate"] == 1.0
    assert row["accuracy"] == pytest.approx(row["met_rate"])
    assert 0.85 < row["met_rate"] < 0.95
    assert row["brier"] == pytest.approx(
        row["met_rate"] * 0.01 + (1 - row["met_rate"]) * 0.81, abs=0.02
    )


def test_binary_backtest_calls_missed_when_the_target_is_out_of_reach():
    from lnanalysis.backtest.panel import binary_scores

    row = binary_scores(_synthetic_binary_cases(0.1)).iloc[0]
    assert row["called_met_rate"] == 0.0
    assert row["accuracy"] == pytest.approx(1 - row["met_rate"])


def test_each_band_is_calibrated_with_its_own_factor():
    # SYNTHETIC heavy-tailed errors (t with 3 df): the 95% factor must exceed the 80% one
    rng = np.random.default_rng(2)
    z = rng.standard_t(3, 4000)
    cases = pd.DataFrame(dict(indicator="x", model="combination", horizon=1, region="A", z=z))
    row = pooled_factors(cases).set_index("indicator").loc["x"]
    assert row["factor_95"] > row["factor"] * 1.05
    assert np.mean(np.abs(z) <= Z[95] * row["factor_95"]) == pytest.approx(0.95, abs=0.002)


def test_leave_one_region_out_factor_is_the_quantile_of_the_other_regions_exactly():
    # SYNTHETIC: two groups (by horizon), regions of unequal sizes, one NaN z
    cases = pd.DataFrame(
        {
            "indicator": ["x"] * 9,
            "model": ["combination"] * 9,
            "horizon": [1, 1, 1, 1, 1, 2, 2, 2, 2],
            "region": ["A", "A", "B", "C", "C", "A", "B", "B", "C"],
            "z": [0.5, -2.0, 1.5, -0.1, 3.0, 1.0, -0.4, 2.2, np.nan],
        }
    )
    k = loro_factors(cases)
    for i, row in cases.iterrows():
        same = (cases["horizon"] == row["horizon"]) & (cases["region"] != row["region"])
        expected = np.quantile(cases.loc[same, "z"].abs().to_numpy(), 0.8) / Z[80]
        assert np.array_equal([k[i]], [expected], equal_nan=True), (i, k[i], expected)


def test_backtests_run_together_equal_backtests_run_one_by_one():
    from lnanalysis.backtest.panel import backtest_many
    from lnanalysis.store.observations import load_preferred

    pref = load_preferred()
    a = pref[pref["region"].isin(["LN", "JL", "HL", "BJ"])]
    b = pref[pref["region"].isin(["LN", "SD", "JS"]) & (pref["year"] <= 2017)]
    together = backtest_many([a, b], workers=2, cache=False)
    for panel, result in zip((a, b), together, strict=True):
        alone = backtest_many([panel], workers=1, cache=False)[0]
        assert set(result) == set(alone)
        for key, frame in alone.items():
            pd.testing.assert_frame_equal(result[key], frame, check_exact=True)
