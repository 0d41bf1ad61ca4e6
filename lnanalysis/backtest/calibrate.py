"""Band calibration for every set of models, measured on the backtest's forecast cases.

A projection combines the models the series supports (and that did not fit
degenerately); its bands are scaled by factors measured for that same set of
models. The backtest keeps each model's forecast of every case (mean and standard
error on the modelling scale), so the combination of any subset can be rebuilt
case by case and its out-of-sample errors measured. A (set, indicator, horizon)
with fewer than ``min_cases`` cases has no factor: the projection then uses the
pooled panel ('all' indicators), or says the calibration is not estimable.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.trend.calibration import Calibration
from lnanalysis.trend.models import MODELS, Z

KEY = ["indicator", "region", "origin", "horizon"]
COLUMNS = ["indicator", "model", "models", "horizon", "n", "factor", "factor_95"]


def subset_factors(cases: pd.DataFrame, min_cases: int | None = None) -> pd.DataFrame:
    """Return band factors per model set, indicator (and 'all') and horizon.

    ``factor`` scales the 80% band and ``factor_95`` the 95% band; both are NaN where
    fewer than ``min_cases`` cases exist (config/backtest.yaml ``min_cases``).
    """
    min_cases = load_yaml("backtest.yaml")["min_cases"] if min_cases is None else min_cases
    per = cases[cases["model"].isin(MODELS) & (cases["se_t"] > 0)]
    if per.empty:
        return pd.DataFrame(columns=COLUMNS)
    # The outcome on the modelling scale is the same for every model of a case
    per = per.assign(actual_t=per["mean_t"] + per["z"] * per["se_t"], var_t=per["se_t"] ** 2)
    mean = per.pivot_table(index=KEY, columns="model", values="mean_t", aggfunc="first")
    var = per.pivot_table(index=KEY, columns="model", values="var_t", aggfunc="first")
    actual = per.groupby(KEY)["actual_t"].first().reindex(mean.index)
    present = [m for m in MODELS if m in mean.columns]
    rows = []
    for size in range(1, len(present) + 1):
        for subset in combinations(sorted(present), size):
            cols = list(subset)
            ok = mean[cols].notna().all(axis=1) & var[cols].notna().all(axis=1)
            z = (actual[ok] - mean.loc[ok, cols].mean(axis=1)) / np.sqrt(
                var.loc[ok, cols].mean(axis=1)
            )
            frame = z.abs().rename("absz").reset_index()
            label = "+".join(cols)
            for ind, part in [*frame.groupby("indicator"), ("all", frame)]:
                for h, g in part.groupby("horizon"):
                    n = len(g)
                    enough = n >= min_cases
                    rows.append(
                        {
                            "indicator": ind,
                            "model": "combination",
                            "models": label,
                            "horizon": int(h),
                            "n": n,
                            "factor": float(np.quantile(g["absz"], 0.8) / Z[80])
                            if enough
                            else np.nan,
                            "factor_95": float(np.quantile(g["absz"], 0.95) / Z[95])
                            if enough
                            else np.nan,
                        }
                    )
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["models", "indicator", "horizon"], kind="stable", ignore_index=True)


def calibration_for(obs: pd.DataFrame, as_of: int | None = None, pref=None) -> Calibration:
    """Return the calibration known at the end of ``as_of`` (None: today).

    The backtest runs on the preferred values published by then
    (:func:`lnanalysis.store.asof.vintage`), so its cases, outcomes and factors use
    nothing published later: a replay has no look-ahead. ``pref`` is that vintage
    when the caller already has it. Results are cached on the inputs' hash.
    """
    from lnanalysis.backtest.panel import backtest
    from lnanalysis.store.asof import vintage

    pref = vintage(obs, as_of) if pref is None else pref
    return Calibration(backtest(pref)["calibration"])
