"""The Theta method (theta = 2) in closed form, as statsmodels' ``ThetaModel`` defines it.

The forecast is half the OLS trend slope plus simple exponential smoothing (SES)
started at the first observation; the SES weight minimises the sum of squared
one-step errors. The interval variance comes from the ARIMA(0,1,1)-with-constant
that the method implies: ``sigma2 * (1 + (h - 1) * (1 + (alpha - 1)**2))``.
``sigma2`` is that model's maximum-likelihood innovation variance, computed here
from the exact MA(1) likelihood of the first differences with the constant and
the variance profiled out, so only the MA coefficient is searched (a grid, then
a bounded Brent step; the coefficient is kept within +-0.999, the invertible range).

statsmodels fits the same two objectives with general-purpose optimisers that stop
at a bound (its SES weight stays inside 1e-4..0.9999) or at a local optimum on short
series; here both searches are global over a grid, so the objectives are never worse
(``tests/test_trend.py``) and the forecasts agree with statsmodels only where its
optimisers converge. ``benchmarks/bench_backtest.py`` reports how often that is.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

_GRID = np.linspace(-0.999, 0.999, 201)


def ses_sse(alpha: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the SSE and the final level of SES for each weight in ``alpha`` (level 0 = y[0])."""
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    level = np.full(alpha.shape, y[0])
    sse = np.zeros(alpha.shape)
    for value in y[1:]:
        err = value - level
        sse += err * err
        level = level + alpha * err
    return sse, level


def _grid_then_brent(objective, grid: np.ndarray) -> float:
    """Minimise a 1-D objective, vectorised over its argument, on ``grid``.

    The best grid point is refined between its neighbours with bounded Brent.
    """
    values = objective(grid)
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(
        lambda x: float(objective(x)[0]),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(res.x) if res.fun <= values[i] else float(grid[i])


def ses_fit(y: np.ndarray) -> tuple[float, float]:
    """Return the SSE-minimising SES weight in [0, 1] and the one-step forecast."""
    alpha = _grid_then_brent(lambda a: ses_sse(a, y)[0], np.linspace(0.0, 1.0, 101))
    return alpha, float(ses_sse(alpha, y)[1][0])


def _ma1_profile(theta: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (-2 log-likelihood up to a constant, sigma2) for each MA coefficient.

    ``z`` are the first differences; the constant and the variance are profiled out.
    The innovations algorithm gives the exact Gaussian likelihood of an MA(1).
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    m = len(z)
    t2 = theta * theta
    a = 1 + t2
    ez = np.full(theta.shape, z[0])
    e1 = np.ones(theta.shape)
    ez_all, e1_all, a_all = [ez], [e1], [a]
    for t in range(1, m):
        k = theta / a
        ez = z[t] - k * ez
        e1 = 1.0 - k * e1
        a = 1 + t2 - t2 / a
        ez_all.append(ez)
        e1_all.append(e1)
        a_all.append(a)
    ez_m, e1_m, a_m = np.vstack(ez_all), np.vstack(e1_all), np.vstack(a_all)
    c = (ez_m * e1_m / a_m).sum(0) / (e1_m * e1_m / a_m).sum(0)
    resid = ez_m - c * e1_m
    sigma2 = (resid * resid / a_m).sum(0) / m
    return m * np.log(sigma2) + np.log(a_m).sum(0), sigma2


def ma1_theta(z: np.ndarray) -> float:
    """Maximum-likelihood MA coefficient of the first differences ``z`` (in [-0.999, 0.999])."""
    return _grid_then_brent(lambda th: _ma1_profile(th, z)[0], _GRID)


def ma1_sigma2(y: np.ndarray) -> float:
    """Maximum-likelihood innovation variance of ARIMA(0,1,1) with a constant."""
    z = np.diff(np.asarray(y, dtype=float))
    return float(_ma1_profile(ma1_theta(z), z)[1][0])


def theta_forecast(y: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Return the theta = 2 forecast, its standard error for steps 1..``steps``, and alpha."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    t = np.arange(n, dtype=float)
    b0 = np.polyfit(t, y, 1)[0]
    alpha, one_step = ses_fit(y)
    # statsmodels adds 1/alpha - (1 - alpha)**n / alpha when alpha > 0; that equals the
    # geometric sum below, which is also right (= n) at alpha = 0, where the optimum can lie
    h = np.arange(steps, dtype=float) + np.sum((1 - alpha) ** np.arange(n))
    mean = 0.5 * b0 * h + one_step
    sigma2 = ma1_sigma2(y)
    var = (1 + np.arange(steps) * (1 + (alpha - 1) ** 2)) * sigma2
    return mean, np.sqrt(var), alpha
