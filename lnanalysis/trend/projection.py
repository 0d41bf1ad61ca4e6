"""Project a series to a target year with every model and their combination.

The combination averages the models' means on the modelling scale and their
variances; the width of each band (80%, 95%) is then scaled by its own calibration
factor for each horizon, measured out of sample by the provincial backtest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from lnanalysis.core.errors import InsufficientDataError, ModelError
from lnanalysis.trend.calibration import Calibration
from lnanalysis.trend.models import MODELS, ModelForecast, Z, fit_models, model_set, usable
from lnanalysis.trend.transforms import Transform, transform_for

LEVELS = (0.80, 0.95)


@dataclass(frozen=True)
class Projection:
    """Projections of one series: a tidy table plus the models that were skipped and why."""

    table: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    transform: str = "log"
    last_year: int = 0
    models: tuple[str, ...] = ()  # the models the combination averages

    def at(self, year: int, model: str = "combination") -> pd.Series:
        """Return the row of one model at one year."""
        sel = self.table[(self.table["model"] == model) & (self.table["year"] == year)]
        if sel.empty:
            raise KeyError(f"no {model} projection for {year}")
        return sel.iloc[0]

    def probability_at_least(self, year: int, threshold: float) -> float:
        """Return P(value in ``year`` >= threshold) under the calibrated combination.

        The probability uses a normal distribution with the spread calibrated for the
        80% band (``se_t``); the 95% band has its own, wider factor because outcomes
        have heavier tails, so a threshold at the 95% band's edge gets a probability
        somewhat below 2.5%.
        """
        row = self.at(year)
        t = Transform(self.transform)
        z = (
            (float(t.forward(threshold)) - row["mean_t"]) / row["se_t"]
            if row["se_t"] > 0
            else (-np.inf if t.forward(threshold) <= row["mean_t"] else np.inf)
        )
        return float(1 - special.ndtr(z))


def combine(forecasts: list[ModelForecast]) -> tuple[np.ndarray, np.ndarray]:
    """Equal-weight combination: mean of means, square root of the mean variance."""
    means = np.vstack([f.mean for f in forecasts])
    variances = np.vstack([f.se**2 for f in forecasts])
    return means.mean(axis=0), np.sqrt(variances.mean(axis=0))


def _rows(model, years, mean_t, se_t, horizon, transform, flags, factor=None, se95_t=None):
    """One row per year; ``factor`` maps each band level (80, 95) to factors per horizon.

    ``se95_t`` is the scale of an uncalibrated 95% band where it differs from the 80%
    band's (the t quantiles of the log-linear trend); a calibrated band uses ``se_t``
    with its own factor, as the backtest measured it.
    """
    rows = []
    for i, year in enumerate(years):
        k = 1.0 if factor is None else factor[80][i]
        row = {
            "model": model,
            "year": int(year),
            "horizon": int(horizon[i]),
            "mean_t": float(mean_t[i]),
            "se_t": float(se_t[i] * k),
            "value": float(transform.inverse(mean_t[i])),
            "calibration": float(k),
            "flags": "; ".join(flags),
        }
        for level in LEVELS:
            pct = round(level * 100)
            z = Z[pct]
            kl = 1.0 if factor is None else factor[pct][i]
            scale = se95_t[i] if pct == 95 and factor is None and se95_t is not None else se_t[i]
            row[f"lo{pct}"] = float(transform.inverse(mean_t[i] - z * scale * kl))
            row[f"hi{pct}"] = float(transform.inverse(mean_t[i] + z * scale * kl))
        rows.append(row)
    return rows


def level_shift(
    years: np.ndarray, y: np.ndarray, breaks: tuple[int, ...]
) -> tuple[np.ndarray, list]:
    """Move the values before each break by the jump in excess of the usual change.

    The jump is the change into the break year (both years observed) minus the median
    year-on-year change of the other consecutive years; returns the adjusted series
    and a note per break applied.

    >>> y2, notes = level_shift(np.array([1.0, 2, 3, 4]), np.array([1.0, 1.1, 0.7, 0.8]), (3,))
    >>> [round(float(v), 2) for v in y2], notes
    ([0.5, 0.6, 0.7, 0.8], ['level shift at 3 (-0.50) taken out before fitting'])
    """
    y = y.astype(float).copy()
    notes = []
    for b in sorted(breaks):
        at = np.flatnonzero(years == b)
        before = np.flatnonzero(years == b - 1)
        if not len(at) or not len(before):
            continue
        steps = np.diff(y)
        consecutive = np.diff(years) == 1
        usual = np.median(
            np.delete(steps[consecutive], np.flatnonzero(years[1:][consecutive] == b))
        )
        jump = y[at[0]] - y[before[0]] - usual
        y[years < b] += jump
        notes.append(f"level shift at {b} ({jump:+.2f}) taken out before fitting")
    return y, notes


def project(
    series: pd.Series,
    to_year: int,
    *,
    measure: str = "flow",
    models: tuple[str, ...] = MODELS,
    calibration: Calibration | None = None,
    indicator: str | None = None,
    breaks: tuple[int, ...] = (),
) -> Projection:
    """Project ``series`` (indexed by year) to every year up to ``to_year``.

    Parameters
    ----------
    series : pandas.Series
        Observed values by year; missing years are simply absent.
    to_year : int
        Last year to project.
    measure : str
        The indicator's measure; 'share' selects the logit scale.
    models : tuple of str
        Models to fit; those the series cannot support are skipped with a reason.
    calibration : Calibration, optional
        Factors per horizon from the backtest that scale the combination's bands;
        without them the bands are the models' own and are flagged 'uncalibrated'.
    indicator : str, optional
        Indicator id, to pick indicator-specific calibration factors.
    breaks : tuple of int
        Years of declared level shifts (``config/breaks.yaml``); see :func:`level_shift`.

    Raises
    ------
    InsufficientDataError
        When no model can be fitted.
    """
    s = series.dropna().sort_index()
    years = s.index.to_numpy(dtype=float)
    transform = transform_for(measure, s.to_numpy())
    y = transform.forward(s.to_numpy())
    y, shift_notes = level_shift(years, y, breaks)
    last = int(years[-1]) if len(years) else 0
    to_years = np.arange(last + 1, to_year + 1)
    if len(to_years) == 0:
        raise ModelError(f"nothing to project: the series already reaches {last}")
    fits, skipped = fit_models(years, y, to_years, transform.name, models)
    if not fits:
        raise InsufficientDataError(
            "no model could be fitted: " + "; ".join(f"{k}: {v}" for k, v in skipped.items())
        )
    horizon = (to_years - last).astype(int)
    rows = []
    for f in fits:
        rows += _rows(f.model, to_years, f.mean, f.se, horizon, transform, f.flags, None, f.se95)
    kept, dropped = usable(fits)
    skipped = {**skipped, **dropped}
    mean_t, se_t = combine(kept)
    factor, flags = None, list(shift_notes)
    if calibration is not None:
        factor, note = calibration.lookup(horizon, indicator, model_set(kept))
        flags += [note] if note else []
    if factor is None and not any("not estimable" in x for x in flags):
        flags.append("uncalibrated")
    se95_t = np.sqrt(np.mean([(f.se if f.se95 is None else f.se95) ** 2 for f in kept], axis=0))
    rows += _rows("combination", to_years, mean_t, se_t, horizon, transform, flags, factor, se95_t)
    table = pd.DataFrame(rows)
    used = tuple(sorted(f.model for f in kept))
    return Projection(table, skipped, transform.name, last_year=last, models=used)
