"""Rolling-origin backtest of every model over the provincial panel, and calibration.

For each region and indicator, every origin with at least ``min_points`` years of
history forecasts horizons 1-5. Scores are computed on the original scale: MASE
(mean absolute error relative to the random walk with drift on the same cases),
sMAPE, and the empirical coverage of the 80% and 95% bands. The bands are
calibrated out of sample, each level with its own factor: the factor applied to a
case is estimated leaving that case's region out. The pooled factors by horizon (all cases) are what
``lnanalysis.trend.projection`` applies to Liaoning's projections.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special
from threadpoolctl import threadpool_limits

from lnanalysis.backtest.calibrate import subset_factors
from lnanalysis.core.config import load_yaml
from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import CACHE_DIR
from lnanalysis.core.processes import die_with_parent
from lnanalysis.core.progress import LOGGER
from lnanalysis.reference.breaks import breaks_for
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.reference.regions import provinces
from lnanalysis.store.observations import exact_rows
from lnanalysis.trend.models import Z, fit_models, usable
from lnanalysis.trend.projection import combine, level_shift
from lnanalysis.trend.transforms import transform_for


def panel_series(pref: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """Return (indicator, region, series) for every backtest series, in a stable order."""
    cfg = load_yaml("backtest.yaml")
    regions = [*provinces(), "CN"]
    out = []
    for ind in cfg["indicators"]:
        sel = exact_rows(pref, ind)
        for region in regions:
            s = sel[sel["region"] == region].set_index("year")["value"].astype(float).sort_index()
            if len(s):
                out.append((ind, region, s))
    return out


def _windows(ind: str, s: pd.Series, skipped: list) -> list[tuple[int, pd.Series, pd.Series]]:
    cfg = load_yaml("backtest.yaml")
    brk = (cfg["indicators"][ind] or {}).get("break_year")
    out = []
    for origin in s.index:
        hist = s[s.index <= origin]
        if len(hist) < cfg["min_points"]:
            continue
        future = s[(s.index > origin) & (s.index <= origin + max(cfg["horizons"]))]
        if brk is not None:
            if hist.index.min() < brk <= origin:
                skipped.append((ind, origin, "definitional break inside the window"))
                continue
            future = future[(future.index < brk) | (origin >= brk)]
        if len(future):
            out.append((origin, hist, future))
    return out


def case_record(ind, region, origin, year, model, actual, t, mean, se) -> dict:
    """One forecast case: the forecast of ``year`` made at ``origin``, scored against ``actual``."""
    i = int(year - origin - 1)
    return {
        "indicator": ind,
        "region": region,
        "origin": int(origin),
        "horizon": int(year - origin),
        "model": model,
        "actual": actual,
        "forecast": float(t.inverse(mean[i])),
        "z": float((t.forward(actual) - mean[i]) / se[i]) if se[i] > 0 else np.inf,
        "mean_t": float(mean[i]),
        "se_t": float(se[i]),
    }


def _series_cases(args) -> tuple[list[dict], list[dict]]:
    ind, region, s = args
    measure = get_indicator(ind).measure
    growth = (load_yaml("backtest.yaml")["indicators"][ind] or {}).get("required_growth")
    cases, skips, brk_skips = [], [], []
    shifts = tuple(b.year for b in breaks_for(region, ind))
    for origin, hist, future in _windows(ind, s, brk_skips):
        t = transform_for(measure, hist.to_numpy())
        years = hist.index.to_numpy(dtype=float)
        y, _ = level_shift(years, t.forward(hist.to_numpy()), shifts)
        to_years = np.arange(origin + 1, future.index.max() + 1)
        fits, skipped = fit_models(years, y, to_years, t.name)
        skips += [
            {"indicator": ind, "region": region, "origin": origin, "model": m, "reason": why}
            for m, why in skipped.items()
        ]
        if not fits:
            continue
        mean_c, se_c = combine(usable(fits)[0])
        x0 = float(hist.iloc[-1])
        for f, name in [*[(f, f.model) for f in fits], (None, "combination")]:
            mean, se = (mean_c, se_c) if f is None else (f.mean, f.se)
            for year, actual in future.items():
                row = case_record(ind, region, origin, year, name, actual, t, mean, se)
                required = x0 * (1 + growth) ** (year - origin) if growth is not None else np.nan
                row["required"] = required
                row["required_t"] = float(t.forward(required)) if growth is not None else np.nan
                cases.append(row)
    skips += [
        {"indicator": i, "region": region, "origin": o, "model": "all", "reason": r}
        for i, o, r in brk_skips
    ]
    return cases, skips


def _one_blas_thread() -> None:
    # The fits are tiny: BLAS threads only contend with the other worker (10x slower).
    die_with_parent()
    threadpool_limits(1)


def run_cases(pref: pd.DataFrame, workers: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return every forecast case of the panel and the skipped (model, origin) pairs."""
    return run_cases_many([pref], workers)[0]


def run_cases_many(
    prefs: list[pd.DataFrame], workers: int = 2
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Return the cases and skips of several panels (vintages), fitted in one pool."""
    series = [panel_series(pref) for pref in prefs]
    flat = [one for panel in series for one in panel]
    if workers > 1:
        with ProcessPoolExecutor(workers, initializer=_one_blas_thread) as pool:
            results = list(pool.map(_series_cases, flat, chunksize=4))
    else:
        with threadpool_limits(1):
            results = [_series_cases(a) for a in flat]
    out, start = [], 0
    for panel in series:
        part, start = results[start : start + len(panel)], start + len(panel)
        cases = pd.DataFrame([c for r in part for c in r[0]])
        skips = pd.DataFrame(
            [s for r in part for s in r[1]],
            columns=["indicator", "region", "origin", "model", "reason"],
        )
        out.append((cases, skips))
    return out


def loro_factors(cases: pd.DataFrame, level: int = 80) -> pd.Series:
    """Leave-one-region-out calibration factor for every case (same model and horizon)."""
    q = level / 100
    out = np.full(len(cases), np.nan)
    absz = cases["z"].abs().to_numpy(dtype=float)
    regions = cases["region"].to_numpy()
    for rows in cases.groupby(["indicator", "model", "horizon"]).indices.values():
        here = regions[rows]
        for region in pd.unique(here):
            mine = here == region
            rest = absz[rows[~mine]]
            if len(rest):
                out[rows[mine]] = np.quantile(rest, q) / Z[level]
    return pd.Series(out, index=cases.index)


def calibration_by_case(cases: pd.DataFrame) -> dict[int, pd.Series]:
    """Leave-one-region-out factors of every case, for the 80% and the 95% band."""
    return {level: loro_factors(cases, level) for level in (80, 95)}


def score(cases: pd.DataFrame, factors: dict[int, pd.Series] | None = None) -> pd.DataFrame:
    """Scores by indicator x model x horizon, with out-of-sample calibrated coverage.

    ``factors`` are :func:`calibration_by_case` of ``cases`` when already computed.
    """
    cases = cases.copy()
    k = calibration_by_case(cases) if factors is None else factors
    cases["abs_err"] = (cases["forecast"] - cases["actual"]).abs()
    cases["smape"] = 200 * cases["abs_err"] / (cases["forecast"].abs() + cases["actual"].abs())
    for level in (80, 95):
        cases[f"in{level}"] = cases["z"].abs() <= Z[level] * k[level]
    naive = cases[cases["model"] == "drift"].set_index(
        ["indicator", "region", "origin", "horizon"]
    )["abs_err"]
    cases["year"] = cases["origin"] + cases["horizon"]
    rows = []
    for (ind, model, h), g in cases.groupby(["indicator", "model", "horizon"], sort=True):
        ref = pd.Series(
            naive.reindex(
                pd.MultiIndex.from_frame(g[["indicator", "region", "origin", "horizon"]])
            ).to_numpy(),
            index=g.index,
        )
        ok = ref.notna()
        denom = ref[ok].mean() if ok.any() else 0.0
        pooled = g.loc[ok, "abs_err"].mean() / denom if denom > 0 else np.nan
        lo, hi = _year_clustered_interval(g["year"].to_numpy(), g["in80"].to_numpy())
        rows.append(
            {
                "indicator": ind,
                "model": model,
                "horizon": int(h),
                "n": len(g),
                "n_years": int(g["year"].nunique()),
                "mase": _mase_per_series(g.loc[ok, "abs_err"], ref[ok], g.loc[ok, "region"]),
                "mase_pooled": pooled,
                "smape": g["smape"].mean(),
                "coverage_80": g["in80"].mean(),
                "coverage_80_lo": lo,
                "coverage_80_hi": hi,
                "coverage_95": g["in95"].mean(),
            }
        )
    return pd.DataFrame(rows)


def _mase_per_series(err: pd.Series, ref: pd.Series, region: pd.Series) -> float:
    """Mean over series of each series' MASE, so that no large region dominates the scale."""
    scale = ref.groupby(region).mean()
    per = err.groupby(region).mean() / scale.where(scale > 0)
    return float(per.mean()) if per.notna().any() else np.nan


def _year_clustered_interval(years: np.ndarray, hits: np.ndarray, draws: int = 400):
    """Return a 90% interval of a coverage rate, resampling whole target years.

    Forecasts of one target year share that year's shocks across provinces, so the
    cases are not independent; resampling years keeps that. Seeded: deterministic.
    """
    uniq, inv = np.unique(years, return_inverse=True)
    if len(uniq) < 2:
        return np.nan, np.nan
    sums = np.bincount(inv, weights=hits.astype(float))
    counts = np.bincount(inv)
    rng = np.random.default_rng(20150803)
    pick = rng.integers(0, len(uniq), size=(draws, len(uniq)))
    rates = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
    return float(np.quantile(rates, 0.05)), float(np.quantile(rates, 0.95))


def coverage_by_year(cases: pd.DataFrame, factors: dict[int, pd.Series]) -> pd.DataFrame:
    """Calibrated coverage of the combination's bands by indicator and target year."""
    comb = cases["model"] == "combination"
    sel = cases[comb].assign(year=lambda d: d["origin"] + d["horizon"])
    for level in (80, 95):
        sel[f"in{level}"] = sel["z"].abs() <= Z[level] * factors[level].reindex(sel.index)
    out = (
        sel.groupby(["indicator", "year"], sort=True)
        .agg(
            n=("z", "size"),
            n_regions=("region", "nunique"),
            coverage_80=("in80", "mean"),
            coverage_95=("in95", "mean"),
        )
        .reset_index()
        .rename(columns={"year": "target_year"})
    )
    return out


def binary_scores(cases: pd.DataFrame, factors: dict[int, pd.Series] | None = None) -> pd.DataFrame:
    """How often the calibrated combination called a synthetic required-growth target right.

    From every origin, the synthetic target is the origin value grown at the
    indicator's ``required_growth`` (config/backtest.yaml) to each horizon. The call
    is "met" when the out-of-sample calibrated probability of reaching it is at
    least 0.5. Scores: accuracy, Brier score and the base rate of targets met.
    ``factors`` are :func:`calibration_by_case` of ``cases`` when already computed
    (a factor depends only on its own indicator, model and horizon group).
    """
    sel = cases[(cases["model"] == "combination") & cases["required"].notna()].copy()
    if sel.empty:
        return pd.DataFrame(
            columns=[
                "indicator",
                "horizon",
                "n",
                "met_rate",
                "called_met_rate",
                "mean_p_meet",
                "accuracy",
                "brier",
                "brier_skill",
            ]
        )
    k80 = (
        factors[80] if factors is not None else loro_factors(cases[cases["model"] == "combination"])
    )
    k = k80.reindex(sel.index)
    z = (sel["required_t"] - sel["mean_t"]) / (sel["se_t"] * k)
    sel["p_meet"] = 1 - special.ndtr(z.to_numpy(dtype=float))
    sel["met"] = sel["actual"] >= sel["required"]
    sel["called"] = sel["p_meet"] >= 0.5
    rows = []
    for (ind, h), g in sel.groupby(["indicator", "horizon"], sort=True):
        base = g["met"].mean()
        brier = ((g["p_meet"] - g["met"]) ** 2).mean()
        rows.append(
            {
                "indicator": ind,
                "horizon": int(h),
                "n": len(g),
                "met_rate": base,
                "called_met_rate": g["called"].mean(),
                "mean_p_meet": g["p_meet"].mean(),
                "accuracy": (g["met"] == g["called"]).mean(),
                "brier": brier,
                # Skill against always forecasting the base rate: 1 perfect, 0 none, < 0 worse
                "brier_skill": 1 - brier / (base * (1 - base)) if 0 < base < 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def pooled_factors(cases: pd.DataFrame, model: str = "combination") -> pd.DataFrame:
    """Calibration factor per indicator and horizon, and pooled ('all'), for production use."""
    sel = cases[cases["model"] == model]
    rows = []
    for ind, part in [*sel.groupby("indicator"), ("all", sel)]:
        for h, g in part.groupby("horizon"):
            rows.append(
                {
                    "indicator": ind,
                    "model": model,
                    "horizon": int(h),
                    "n": len(g),
                    "factor": float(np.quantile(g["z"].abs(), 0.8) / Z[80]),
                    "factor_95": float(np.quantile(g["z"].abs(), 0.95) / Z[95]),
                }
            )
    return pd.DataFrame(rows)


def input_hash(pref: pd.DataFrame) -> str:
    """Hash of the inputs the backtest depends on (values and its configuration)."""
    cols = ["indicator", "region", "year", "value", "bound"]
    cfg = load_yaml("backtest.yaml")
    panel = pref.loc[pref["indicator"].isin(list(cfg["indicators"])), cols]
    digest = hashlib.sha256(panel.to_csv(index=False).encode())
    digest.update(repr(cfg).encode())
    digest.update(repr(load_yaml("indicators.yaml")).encode())  # measures set the scales
    digest.update(repr(load_yaml("breaks.yaml")).encode())
    # The code of the backtest, of every model and of the breaks: a change invalidates the cache
    package = Path(__file__).parent.parent
    code = [*sorted((package / "backtest").glob("*.py")), *sorted((package / "trend").glob("*.py"))]
    for path in [*code, package / "reference" / "breaks.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def backtest(pref: pd.DataFrame, *, workers: int = 2, cache: bool = True) -> dict:
    """Run (or reuse from the cache) the panel backtest; return cases, skips, scores, factors."""
    return backtest_many([pref], workers=workers, cache=cache)[0]


def backtest_many(prefs: list[pd.DataFrame], *, workers: int = 2, cache: bool = True) -> list:
    """Run the backtests of several panels (e.g. vintages) in one pool; as :func:`backtest`."""
    paths = [CACHE_DIR / f"backtest-{input_hash(pref)}.pkl" for pref in prefs]
    results = [_cached(path) if cache else None for path in paths]
    todo = [i for i, result in enumerate(results) if result is None]
    fitted = run_cases_many([prefs[i] for i in todo], workers) if todo else []
    for i, (cases, skips) in zip(todo, fitted, strict=True):
        results[i] = _results(cases, skips)
        if cache:
            # Written to a temporary file and renamed: a killed build never leaves a torn cache
            write_atomic(paths[i], lambda p, r=results[i]: pd.to_pickle(r, p))
    return results


def _cached(path: Path) -> dict | None:
    """Return a cached backtest, or None (an unreadable file is removed, saying so)."""
    if not path.exists():
        return None
    try:
        return pd.read_pickle(path)
    except Exception as exc:  # a torn or foreign file: it is only a cache
        LOGGER.warning(
            f"discarded an unreadable backtest cache {path.name} "
            f"({type(exc).__name__}); recomputing"
        )
        path.unlink(missing_ok=True)
        return None


def _results(cases: pd.DataFrame, skips: pd.DataFrame) -> dict:
    factors = calibration_by_case(cases)
    return {
        "cases": cases,
        "skipped": skips,
        "scores": score(cases, factors),
        "binary": binary_scores(cases, factors),
        "coverage_by_year": coverage_by_year(cases, factors),
        "calibration": subset_factors(cases),
    }
