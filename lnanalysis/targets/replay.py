"""Mid-term replay: what a review in 2017 or 2018 would have concluded, against 2020.

For each series of config/replay.yaml and each replay year, the verdict of the
time is read as a call ("will be met" or "will be missed") and set beside the
outcome published since, judged on the target's own indicator. The call is the
calibrated probability of meeting the target when a projection exists (met when
at least 0.5); otherwise the status decides (on track or achieved: met;
acceleration needed, limited progress or moving away: missed); anything else
makes no call.
"""

from __future__ import annotations

import pandas as pd

from lnanalysis.backtest.calibrate import calibration_for
from lnanalysis.core.config import load_yaml
from lnanalysis.store.asof import vintages
from lnanalysis.targets.assess import assess_target
from lnanalysis.targets.metrics import ACHIEVED
from lnanalysis.targets.registry import load_registry
from lnanalysis.targets.trajectory import trajectory
from lnanalysis.trend.calibration import Calibration

MISSED = ("acceleration_needed", "limited_progress", "moving_away")


def call(assessment: dict) -> str:
    """Return 'met', 'missed' or 'no call' for an assessment made at the time."""
    p = assessment.get("p_meet")
    status = assessment.get("status_eurostat")
    if status in ACHIEVED:
        return "met"
    if p is not None and not pd.isna(p):
        return "met" if p >= 0.5 else "missed"
    if status == "on_track":
        return "met"
    if status in MISSED:
        return "missed"
    return "no call"


def replay_table(
    obs: pd.DataFrame, calibrations: dict[int | None, Calibration] | None = None
) -> pd.DataFrame:
    """One row per replayed series and year: the call of the time and the outcome.

    Each year's call uses the calibration known then (``calibrations`` by as-of year,
    else computed from that year's vintage); the outcome uses today's.
    """
    calibrations = dict(calibrations or {})
    cfg = load_yaml("replay.yaml")
    registry = load_registry()
    tables = vintages(obs, cfg["years"])
    today = tables[None]
    for year in [None, *cfg["years"]]:
        if calibrations.get(year) is None:
            calibrations[year] = calibration_for(obs, year, pref=tables[year])
    rows = []
    for spec in cfg["series"]:
        target = registry.get(spec["target"])
        outcome = assess_target(target, today, actual_pref=today, calibration=calibrations[None])
        for year in cfg["years"]:
            traj = trajectory(
                target,
                obs,
                as_of=year,
                indicator=spec.get("indicator"),
                tables=tables,
                calibration=calibrations[year],
            )
            a = traj.assessment
            verdict = call(a)
            known = outcome.get("ex_post") in ("met", "missed")
            rows.append(
                {
                    "target_id": target.id,
                    "series": traj.indicator,
                    "as_of": year,
                    "latest_year": a.get("latest_year"),
                    "latest_value": a.get("latest_value"),
                    "status_eurostat": a.get("status_eurostat"),
                    "status_china": a.get("status_china"),
                    "projected": a.get("projected"),
                    "projected_lo80": a.get("projected_lo80"),
                    "projected_hi80": a.get("projected_hi80"),
                    "p_meet": a.get("p_meet"),
                    "call": verdict,
                    "actual_value": outcome.get("actual_value"),
                    "outcome": outcome.get("ex_post", "unknown"),
                    "right": (verdict == outcome["ex_post"])
                    if known and verdict != "no call"
                    else pd.NA,
                }
            )
    return pd.DataFrame(rows)
