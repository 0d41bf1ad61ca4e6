"""The trend models, each fitted on the transformed annual series.

Drift and log-linear trend have closed forms that give the same numbers as
statsmodels' ``ARIMA(0,1,0)`` with trend and ``OLS`` ``obs_ci`` (tests check this);
damped-trend ETS is fitted with statsmodels; Theta has a closed form of its own
(``lnanalysis.trend.theta``). Every model returns the
mean and the standard error of prediction per horizon on the transformed scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from lnanalysis.core.errors import InsufficientDataError, LnAnalysisError, ModelError
from lnanalysis.trend.theta import theta_forecast

MIN_POINTS = {"drift": 3, "loglinear": 3, "ets": 6, "theta": 4}
MODELS = tuple(MIN_POINTS)
# Normal quantiles of the central 80% and 95% bands
Z = {80: special.ndtri(0.9), 95: special.ndtri(0.975)}
Z80 = Z[80]


@dataclass(frozen=True)
class ModelForecast:
    """Forecast of one model from one origin, on the transformed scale."""

    model: str
    years: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    fitted: np.ndarray
    flags: tuple[str, ...] = field(default_factory=tuple)
    se95: np.ndarray | None = None  # where the 95% band needs its own scale (t quantiles)


def _check(model: str, years: np.ndarray, y: np.ndarray) -> None:
    if len(y) < MIN_POINTS[model]:
        raise InsufficientDataError(
            f"{model} needs at least {MIN_POINTS[model]} points, has {len(y)}"
        )
    if model != "loglinear" and np.any(np.diff(years) != 1):
        raise ModelError(f"{model} needs consecutive years; the series has gaps")
    if not np.all(np.isfinite(y)):
        raise ModelError(f"{model}: non-finite values on the modelling scale")


def drift(years, y, to_years) -> ModelForecast:
    """Random walk with drift: the ARIMA(0,1,0)-with-trend MLE, in closed form."""
    d = np.diff(y)
    mu = d.mean()
    sigma2 = np.mean((d - mu) ** 2)
    h = np.asarray(to_years) - years[-1]
    fitted = np.concatenate([[y[0]], y[:-1] + mu])
    flags = ("zero variance",) if sigma2 <= 0 else ()
    return ModelForecast(
        "drift", np.asarray(to_years), y[-1] + h * mu, np.sqrt(h * sigma2), fitted, flags
    )


def loglinear(years, y, to_years) -> ModelForecast:
    """Linear trend by OLS with the prediction (obs) interval's standard error."""
    x = np.column_stack([np.ones_like(years, dtype=float), years - years[0]])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    df = len(y) - 2
    s2 = resid @ resid / df
    xtx_inv = np.linalg.inv(x.T @ x)
    x0 = np.column_stack([np.ones(len(to_years)), np.asarray(to_years) - years[0]])
    lever = np.einsum("ij,jk,ik->i", x0, xtx_inv, x0)
    # Scale the t-based half-width to a normal-equivalent se, so that every model's
    # se gives its own 80% interval with the normal quantile.
    sd = np.sqrt(s2 * (1 + lever))
    se = sd * special.stdtrit(df, 0.9) / Z80
    se95 = sd * special.stdtrit(df, 0.975) / Z[95]  # the 95% band has its own t quantile
    flags = ("zero variance",) if s2 <= 0 else ()
    mean = x0 @ beta
    return ModelForecast("loglinear", np.asarray(to_years), mean, se, x @ beta, flags, se95)


def _half_width_se(lower, upper, alpha=0.2) -> np.ndarray:
    return (np.asarray(upper) - np.asarray(lower)) / (2 * special.ndtri(1 - alpha / 2))


def ets(years, y, to_years) -> ModelForecast:
    """Damped-trend additive ETS (statsmodels ETSModel), damping bounded to 0.8-0.98."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    h = int(np.max(to_years) - years[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            pd.Series(y),
            error="add",
            trend="add",
            damped_trend=True,
            bounds={"damping_trend": (0.8, 0.98)},
        )
        res = model.fit(disp=False, maxiter=200)
        frame = res.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=0.2)
    flags = []
    if not res.mle_retvals.get("converged", True):
        flags.append("not converged")
    if min(res.smoothing_level, res.smoothing_trend) < 1e-4:
        flags.append("smoothing parameter at 0")
    if min(abs(res.damping_trend - 0.8), abs(res.damping_trend - 0.98)) < 1e-3:
        flags.append("damping at bound")
    idx = (np.asarray(to_years) - years[-1] - 1).astype(int)
    return ModelForecast(
        "ets",
        np.asarray(to_years),
        frame["mean"].to_numpy()[idx],
        _half_width_se(frame["pi_lower"], frame["pi_upper"])[idx],
        np.asarray(res.fittedvalues),
        tuple(flags),
    )


def theta(years, y, to_years) -> ModelForecast:
    """Theta method (theta = 2) in closed form; see ``lnanalysis.trend.theta``."""
    h = int(np.max(to_years) - years[-1])
    mean, se, alpha = theta_forecast(y, h)
    flags = ("smoothing parameter at 0",) if alpha < 1e-4 else ()
    idx = (np.asarray(to_years) - years[-1] - 1).astype(int)
    return ModelForecast(
        "theta", np.asarray(to_years), mean[idx], se[idx], np.full(len(y), np.nan), flags
    )


_FUNCS = {"drift": drift, "loglinear": loglinear, "ets": ets, "theta": theta}
# Flags that make a fit degenerate: it is left out of the combination (reason reported)
DEGENERATE = ("smoothing parameter at 0", "damping at bound", "not converged")


def usable(fits: list[ModelForecast]) -> tuple[list[ModelForecast], dict[str, str]]:
    """Split fits into those the combination uses and the degenerate ones, with reasons.

    A fit with a degenerate flag (a smoothing parameter at 0, the damping at a bound,
    no convergence) is dropped, unless every fit is degenerate: then all are kept.
    """
    bad = {f.model: [x for x in f.flags if x in DEGENERATE] for f in fits}
    kept = [f for f in fits if not bad[f.model]]
    if not kept:
        return list(fits), {}
    dropped = {m: f"degenerate fit ({', '.join(why)}): left out of the combination"
               for m, why in bad.items() if why}  # fmt: skip
    return kept, dropped


def model_set(fits: list[ModelForecast]) -> str:
    """Return the label of a set of models as calibration tables key it: 'drift+ets+theta'."""
    return "+".join(sorted(f.model for f in fits))


def fit_models(
    years, y, to_years, scale: str, models: tuple[str, ...] = MODELS
) -> tuple[list[ModelForecast], dict[str, str]]:
    """Fit every model the series supports; return the forecasts and, per skipped model, why."""
    fits, skipped = [], {}
    for m in models:
        try:
            fits.append(fit_forecast(m, years, y, to_years, scale))
        except (LnAnalysisError, np.linalg.LinAlgError, ValueError) as exc:
            skipped[m] = str(exc)
    return fits, skipped


def fit_forecast(model: str, years, y, to_years, scale: str = "log") -> ModelForecast:
    """Fit ``model`` to (years, y) and forecast the given later years.

    ``scale`` is the transform ``y`` is on; on the original scale (a series with
    zeros or negatives) there is no log-linear trend, and that model is refused.

    Raises
    ------
    InsufficientDataError, ModelError
        When the series cannot support the model; the message says why.
    """
    years = np.asarray(years, dtype=float)
    y = np.asarray(y, dtype=float)
    to_years = np.asarray(to_years, dtype=float)
    if model not in _FUNCS:
        raise ModelError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    if model == "loglinear" and scale == "identity":
        raise ModelError(
            "log-linear trend needs positive values; the series has zeros or negatives"
        )
    _check(model, years, y)
    if np.any(to_years <= years[-1]):
        raise ModelError("forecast years must come after the last observation")
    return _FUNCS[model](years, y, to_years)
