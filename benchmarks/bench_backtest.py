"""Benchmark: the whole provincial panel backtest, production path against a naive loop.

The production path is ``lnanalysis.backtest.panel.backtest`` (closed-form drift, log-linear
and Theta fits, statsmodels ETS, two worker processes, no cache). The naive path
fits every model with statsmodels, one series and one origin at a time, on the
same windows, then scores the cases with the same scoring code. Both run in this
process one after the other, so the ratio is measured under the same load.

Agreement: log-linear and ETS must agree to 1e-6 on the modelling scale; drift to
1e-3, because statsmodels maximises the ARIMA likelihood numerically and stops
short of the exact optimum that the closed form computes.
Theta is reported separately: statsmodels' optimisers often stop at a local
optimum on these short series, so the two agree only where it converges; the
closed form's objective is never worse (checked in tests/test_trend.py).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench, info, peak_memory_mb, timer

from lnanalysis.backtest.panel import _windows, backtest, case_record, panel_series, score
from lnanalysis.reference.breaks import breaks_for
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.store.observations import load_preferred
from lnanalysis.trend.models import MIN_POINTS, Z80, ets
from lnanalysis.trend.projection import level_shift
from lnanalysis.trend.transforms import transform_for


def _naive_fit(model: str, years: np.ndarray, y: np.ndarray, h: int):
    import statsmodels.api as sm
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.forecasting.theta import ThetaModel

    if model == "drift":
        res = ARIMA(y, order=(0, 1, 0), trend="t").fit()
        fc = res.get_forecast(h)
        return np.asarray(fc.predicted_mean), np.asarray(fc.se_mean)
    if model == "loglinear":
        x = sm.add_constant(years - years[0])
        res = sm.OLS(y, x).fit()
        x0 = sm.add_constant(np.arange(1, h + 1) + years[-1] - years[0], has_constant="add")
        frame = res.get_prediction(x0).summary_frame(alpha=0.2)
        return frame["mean"].to_numpy(), (frame["obs_ci_upper"] - frame["mean"]).to_numpy() / Z80
    if model == "ets":
        f = ets(years, y, years[-1] + np.arange(1, h + 1))
        return f.mean, f.se
    res = ThetaModel(y, period=1, deseasonalize=False).fit()
    pi = np.asarray(res.prediction_intervals(h, alpha=0.2))
    return np.asarray(res.forecast(h)), (pi[:, 1] - pi[:, 0]) / (2 * Z80)


def naive_cases(pref: pd.DataFrame) -> pd.DataFrame:
    """Every forecast case, fitted with statsmodels one series and origin at a time."""
    rows = []
    for ind, region, s in panel_series(pref):
        measure = get_indicator(ind).measure
        # The same declared breaks as the backtest: like is compared with like
        shifts = tuple(b.year for b in breaks_for(region, ind))
        for origin, hist, future in _windows(ind, s, []):
            t = transform_for(measure, hist.to_numpy())
            years = hist.index.to_numpy(dtype=float)
            y, _ = level_shift(years, t.forward(hist.to_numpy()), shifts)
            h = int(future.index.max() - origin)
            fits = {}
            for m, need in MIN_POINTS.items():
                if len(y) < need:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fits[m] = _naive_fit(m, years, y, h)
            means = np.vstack([f[0] for f in fits.values()])
            ses = np.vstack([f[1] for f in fits.values()])
            fits["combination"] = (means.mean(0), np.sqrt((ses**2).mean(0)))
            for name, (mean, se) in fits.items():
                for year, actual in future.items():
                    rows.append(case_record(ind, region, origin, year, name, actual, t, mean, se))
    return pd.DataFrame(rows)


def main() -> int:
    pref = load_preferred()
    with timer() as prod:
        result = backtest(pref, cache=False)
    cases = result["cases"]
    mem = peak_memory_mb()
    print(f"production: {len(cases)} cases in {prod['seconds']:.1f}s", flush=True)
    # The naive loop also runs with one BLAS thread, so the ratio is not inflated
    # by thread contention that the production path avoids.
    with timer() as naive, threadpool_limits(1):
        ncases = naive_cases(pref)
        score(ncases)
    print(f"naive loop: {len(ncases)} cases in {naive['seconds']:.1f}s", flush=True)
    key = ["indicator", "region", "origin", "horizon", "model"]
    both = cases.merge(ncases, on=key, suffixes=("", "_naive"), validate="one_to_one")
    ok = True
    ok &= bench("backtest_full_panel", prod["seconds"], "s", "<=", 15, ".1f")
    ok &= bench("backtest_vs_naive_speedup", naive["seconds"] / prod["seconds"], "x", ">=", 5)
    ok &= bench("backtest_peak_memory", mem, "MB", "<=", 2048, ".0f")
    info("backtest_cases_matched", len(both), "cases", ".0f")
    for model, tol in (("drift", 1e-3), ("loglinear", 1e-6), ("ets", 1e-6)):
        g = both[both["model"] == model]
        diff = max(
            (g["mean_t"] - g["mean_t_naive"]).abs().max(),
            (g["se_t"] / g["se_t_naive"] - 1).abs().max(),
        )
        ok &= bench(f"backtest_agreement_{model}", diff, "maxdiff", "<=", tol, ".1e")
    g = both[both["model"] == "theta"]
    same = ((g["mean_t"] - g["mean_t_naive"]).abs() < 1e-6) & (
        (g["se_t"] / g["se_t_naive"] - 1).abs() < 1e-6
    )
    info("backtest_theta_cases_equal_to_statsmodels", same.mean(), "share", ".3f")
    gap = (g["mean_t"] - g["mean_t_naive"]).abs()
    info("backtest_theta_median_mean_gap", gap.median(), "abs (model scale)", ".1e")
    info("backtest_theta_cases_within_1e-3", (gap < 1e-3).mean(), "share", ".3f")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
