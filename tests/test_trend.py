"""Trend models on planted truths, and agreement with statsmodels' own fits."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.arima.model import ARIMA

from lnanalysis.core.errors import InsufficientDataError, ModelError
from lnanalysis.trend.models import Z80, Z, fit_forecast
from lnanalysis.trend.projection import project
from lnanalysis.trend.theta import theta_forecast

YEARS = np.arange(2008, 2020)


def _noisy(rate=0.08, sd=0.02, seed=7):
    rng = np.random.default_rng(seed)  # SYNTHETIC series with a known growth rate
    return np.log(100) + np.log1p(rate) * (YEARS - YEARS[0]) + rng.normal(0, sd, len(YEARS))


def _implied(model, y):
    f = fit_forecast(model, YEARS, y, [2020, 2023])
    return np.exp(f.mean - y[-1]) ** (1 / np.array([1, 4])) - 1


@pytest.mark.parametrize("model", ["drift", "loglinear"])
def test_a_known_growth_rate_is_recovered(model):
    y = np.log(100 * 1.08 ** (YEARS - YEARS[0]))  # SYNTHETIC: exact 8% a year
    assert _implied(model, y) == pytest.approx([0.08, 0.08], abs=1e-9)


def test_theta_carries_half_the_log_trend_and_ets_damps_it():
    y = np.log(100 * 1.08 ** (YEARS - YEARS[0]))  # SYNTHETIC: exact 8% a year
    assert _implied("theta", y) == pytest.approx(np.expm1(np.log(1.08) / 2), abs=1e-4)
    ets = _implied("ets", y)
    assert (ets > 0).all() and (ets < 0.08).all()


def test_drift_equals_statsmodels_arima_010_with_trend():
    y = _noisy()
    f = fit_forecast("drift", YEARS, y, [2020, 2021, 2022])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = ARIMA(y, order=(0, 1, 0), trend="t").fit().get_forecast(3)
    # statsmodels maximises the likelihood numerically; the closed form is its exact optimum
    assert f.mean == pytest.approx(fc.predicted_mean, abs=1e-4)
    assert f.se == pytest.approx(np.sqrt(fc.var_pred_mean), abs=1e-4)


def test_loglinear_interval_equals_statsmodels_obs_ci():
    y = _noisy()
    f = fit_forecast("loglinear", YEARS, y, [2020, 2022])
    x = sm.add_constant(YEARS - YEARS[0])
    pred = (
        sm.OLS(y, x)
        .fit()
        .get_prediction(sm.add_constant(np.array([12.0, 14.0]), has_constant="add"))
    )
    frame = pred.summary_frame(alpha=0.2)
    assert f.mean == pytest.approx(frame["mean"].to_numpy(), abs=1e-6)
    assert f.mean + Z80 * f.se == pytest.approx(frame["obs_ci_upper"].to_numpy(), abs=1e-6)
    # the 95% interval has its own t quantile, not the 80% band's scale
    frame95 = pred.summary_frame(alpha=0.05)
    upper95 = f.mean + Z[95] * f.se95
    assert upper95 == pytest.approx(frame95["obs_ci_upper"].to_numpy(), abs=1e-6)
    assert (upper95 > f.mean + Z[95] * f.se).all()


def test_too_short_or_gappy_series_are_refused_with_a_reason():
    with pytest.raises(InsufficientDataError, match="at least 6 points"):
        fit_forecast("ets", YEARS[:4], _noisy()[:4], [2013])
    with pytest.raises(ModelError, match="gaps"):
        fit_forecast("drift", np.array([2010, 2011, 2013, 2014]), np.ones(4), [2015])


def test_share_projection_stays_inside_0_100():
    s = pd.Series([60.0, 75, 85, 91, 95, 97.5, 98.6], index=range(2014, 2021))  # SYNTHETIC
    p = project(s, 2030, measure="share")
    assert p.transform == "logit"
    for col in ("value", "lo95", "hi95"):
        assert p.table[col].between(0, 100).all(), col


def test_projection_records_skipped_models_and_combines_the_rest():
    s = pd.Series(np.exp(_noisy()[:5]), index=YEARS[:5])
    p = project(s, 2015)
    assert set(p.skipped) == {"ets"}
    assert "at least 6 points" in p.skipped["ets"]
    comb = p.at(2015)
    means = [p.at(2015, m)["mean_t"] for m in ("drift", "loglinear", "theta")]
    assert comb["mean_t"] == pytest.approx(np.mean(means))
    assert 0 < p.probability_at_least(2015, comb["value"]) < 1
    assert p.probability_at_least(2015, comb["value"]) == pytest.approx(0.5)


def _statsmodels_theta(y, steps):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ThetaModel(y, period=1, deseasonalize=False).fit()
        pi = np.asarray(res.prediction_intervals(steps, alpha=0.2))
    se = (pi[:, 1] - pi[:, 0]) / (2 * stats.norm.ppf(0.9))
    return np.asarray(res.forecast(steps)), se, float(res.params["alpha"])


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_theta_closed_form_matches_statsmodels_on_a_regular_series(seed):
    """Where statsmodels' optimiser converges, both give the same forecast and band."""
    rng = np.random.default_rng(seed)
    y = np.cumsum(0.08 + rng.normal(0, 0.05, 14)) + 3
    mean, se, _alpha = theta_forecast(y, 5)
    sm_mean, sm_se, _ = _statsmodels_theta(y, 5)
    # statsmodels stops its SES weight near 0.9999 instead of 1: differences of order 1e-5
    np.testing.assert_allclose(mean, sm_mean, atol=5e-5)
    np.testing.assert_allclose(se, sm_se, rtol=1e-3)


def test_theta_closed_form_never_settles_on_a_worse_optimum_than_statsmodels():
    """SES and MA(1) objectives at the closed-form optimum are at least as good."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from lnanalysis.trend.theta import _ma1_profile, ma1_theta, ses_fit, ses_sse

    # A short, bumpy series (synthetic) of the kind on which statsmodels stops early
    y = np.array([0.1222, 0.2546, 0.2311, 0.1133, 0.1044, 0.0198])
    _, _, sm_alpha = _statsmodels_theta(y, 3)
    alpha, _ = ses_fit(y)
    assert ses_sse(alpha, y)[0][0] <= ses_sse(sm_alpha, y)[0][0] + 1e-12
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = SARIMAX(y, order=(0, 1, 1), trend="c").fit(disp=False)
    z = np.diff(y)
    assert _ma1_profile(ma1_theta(z), z)[0][0] <= _ma1_profile(sm.params[1], z)[0][0] + 1e-9


def test_series_with_zeros_skips_the_log_model_with_a_reason():
    # SYNTHETIC counts with a zero: no log scale, so no log-linear trend; others still fit
    s = pd.Series([0.0, 3, 5, 8, 9, 12, 14], index=range(2010, 2017))
    proj = project(s, 2019)
    assert proj.transform == "identity"
    assert "zeros or negatives" in proj.skipped["loglinear"]
    assert {"drift", "ets", "theta", "combination"} <= set(proj.table["model"])


def test_backtest_records_why_a_model_was_skipped_and_never_crashes():
    from lnanalysis.backtest.panel import _series_cases

    # SYNTHETIC short, gapped, non-positive series: every skip has a reason
    s = pd.Series([-1.0, 2, 3, 5, 6, 8, 9], index=[2010, 2011, 2012, 2014, 2015, 2016, 2017])
    cases, skips = _series_cases(("rd_expenditure", "XX", s))
    reasons = {(k["model"], k["reason"]) for k in skips}
    assert any(m == "loglinear" and "zeros or negatives" in r for m, r in reasons)
    assert any(m == "drift" and "gaps" in r for m, r in reasons)
    assert all(c["model"] not in ("loglinear", "drift") for c in cases)


def test_theta_forecast_is_continuous_where_the_ses_weight_reaches_zero():
    from lnanalysis.trend import theta as th

    # SYNTHETIC: force the SES weight and compare alpha = 0 with a vanishing alpha
    y = np.array([1.0, 1.3, 1.2, 1.6, 1.5, 1.9, 2.0])
    orig = th.ses_fit
    try:
        th.ses_fit = lambda y: (0.0, float(y[0]))
        at_zero = th.theta_forecast(y, 3)[0]
        th.ses_fit = lambda y: (1e-9, float(th.ses_sse(1e-9, y)[1][0]))
        near_zero = th.theta_forecast(y, 3)[0]
    finally:
        th.ses_fit = orig
    np.testing.assert_allclose(at_zero, near_zero, atol=1e-6)
    # the trend term then carries half the OLS slope times (h - 1 + n)
    b0 = np.polyfit(np.arange(7.0), y, 1)[0]
    np.testing.assert_allclose(at_zero, 1.0 + 0.5 * b0 * (np.arange(3) + 7), atol=1e-12)


def test_a_declared_level_shift_is_taken_out_before_the_models_fit():
    from lnanalysis.trend.projection import project

    # SYNTHETIC: 10% growth a year, and a one-off drop of 20% in 2015
    years = range(2008, 2019)
    values = {y: 100 * 1.1 ** (y - 2008) * (0.8 if y >= 2015 else 1.0) for y in years}
    s = pd.Series(values)
    plain = project(s, 2020)
    shifted = project(s, 2020, breaks=(2015,))
    # on the log scale the adjusted series is a smooth 10% path at the post-drop level
    smooth = project(pd.Series({y: 80 * 1.1 ** (y - 2008) for y in years}), 2020)
    expected = smooth.at(2020)["value"]
    assert shifted.at(2020)["value"] == pytest.approx(expected, rel=1e-6)
    assert plain.at(2020)["value"] < 0.97 * expected  # the drop drags the naive trend down
    assert "level shift at 2015" in shifted.at(2020)["flags"]
