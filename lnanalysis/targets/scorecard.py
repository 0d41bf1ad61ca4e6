"""The scorecard: every registered target, one row each, as of a given year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lnanalysis.backtest.calibrate import calibration_for
from lnanalysis.core.paths import PROCESSED_DIR
from lnanalysis.store.asof import vintage
from lnanalysis.store.observations import load_observations
from lnanalysis.targets.assess import assess_target
from lnanalysis.targets.registry import Registry, load_registry
from lnanalysis.trend.calibration import Calibration

COLUMNS = [
    "target_id",
    "plan",
    "region",
    "label_zh",
    "name_en",
    "kind",
    "indicator",
    "series",
    "proxy",
    "unit",
    "as_of",
    "baseline_year",
    "baseline_value",
    "baseline_rule",
    "target_value",
    "target_year",
    "latest_year",
    "latest_value",
    "latest_bound",
    "pct_of_target",
    "g_a",
    "g_r",
    "R",
    "g_needed",
    "v_hat",
    "P",
    "years_ahead_compound",
    "years_ahead_linear",
    "projected",
    "projected_lo80",
    "projected_hi80",
    "p_meet",
    "base_rate",
    "base_rate_windows",
    "status_eurostat",
    "status_un",
    "status_china",
    "met_year",
    "actual_value",
    "ex_post",
    "projection_error",
    "actual_in_80",
    "models_used",
    "models_skipped",
    "projection_flags",
    "reason",
]


def scorecard_path(as_of: int | None = None, processed_dir: Path = PROCESSED_DIR) -> Path:
    """Return where the briefing writes the scorecard of today (None) or of a replay year."""
    return processed_dir / f"scorecard_{'now' if as_of is None else f'as_of_{as_of}'}.csv"


def load_scorecard(as_of: int | None = None, processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """Read a scorecard the briefing wrote (see :func:`scorecard_path`)."""
    return pd.read_csv(scorecard_path(as_of, processed_dir))


def scorecard(
    as_of: int | None = None,
    *,
    baseline_year: int | None = None,
    registry: Registry | None = None,
    obs: pd.DataFrame | None = None,
    region: str | None = None,
    pref_now: pd.DataFrame | None = None,
    calibration: Calibration | None = None,
) -> pd.DataFrame:
    """Assess every target of the registry; one row per target in registry order.

    ``baseline_year`` overrides the baseline of growth targets only (the doubling has
    no base year in the plan; 2015 is the default and 2014 the alternative).
    ``pref_now``, today's preferred table, can be passed to avoid recomputing it.
    ``calibration`` defaults to the one known at ``as_of`` (no look-ahead), from a
    backtest on that vintage (:func:`lnanalysis.backtest.calibrate.calibration_for`).
    Each target is assessed on the values of its plan's region unless ``region``
    overrides it.
    """
    registry = registry or load_registry()
    obs = load_observations() if obs is None else obs
    pref_now = vintage(obs, None) if pref_now is None else pref_now
    pref_then = pref_now if as_of is None else vintage(obs, as_of)
    if calibration is None:
        calibration = calibration_for(obs, as_of, pref=pref_then)
    rows = []
    for t in registry:
        by = baseline_year if t.kind == "growth_multiple" else None
        where = t.judged_in(region)
        row = assess_target(
            t,
            pref_then,
            actual_pref=pref_now,
            as_of=as_of,
            baseline_year=by,
            region=where,
            calibration=calibration,
        ).row
        rows.append(row | {"plan": t.plan, "region": where})
    return pd.DataFrame(rows).reindex(columns=COLUMNS)
