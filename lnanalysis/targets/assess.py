"""Assess one registered target against the data known at a point in time.

``assess_target`` returns one flat record (a scorecard row): baseline, latest,
the progress metrics, the model-based projection at the target year with its
calibrated 80% interval and the probability of meeting the target, the status
under each scheme, and, where the target year is past, the actual outcome.
"""

from __future__ import annotations

import math

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import LnAnalysisError
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.store.observations import is_exact
from lnanalysis.targets.metrics import (
    china_status,
    eurostat_status,
    meets,
    progress_metrics,
    un_status,
)
from lnanalysis.targets.registry import Target
from lnanalysis.trend.calibration import Calibration
from lnanalysis.trend.models import MODELS
from lnanalysis.trend.projection import project

NAN = float("nan")


def _series(pref: pd.DataFrame, indicator: str, region: str) -> pd.DataFrame:
    # Bounds ('>500') are kept here: a bound above the target counts as met
    sel = pref[(pref["indicator"] == indicator) & (pref["region"] == region)]
    return sel.sort_values("year")


def _evidence(target: Target) -> dict:
    for ev in load_yaml("qualitative_evidence.yaml")["evidence"] or []:
        if ev["target"] == target.id:
            return _statuses("evidence_recorded") | {
                "ex_post": ev["finding"],
                "reason": f"{ev['summary']} ({ev['source_title']}, {ev['source_url']})",
            }
    return _statuses("no_evidence") | {
        "ex_post": "unknown",
        "reason": "qualitative milestone; no citable evidence recorded",
    }


def _statuses(status: str) -> dict:
    """Return one status for all three schemes (no data, too few points, ...)."""
    return {"status_eurostat": status, "status_un": status, "status_china": status}


def _threshold(target: Target, x0: float | None) -> float | None:
    if target.kind == "growth_multiple":
        return None if x0 is None else target.target_value * x0
    return target.threshold()


def _baseline(target: Target, rows: pd.DataFrame, baseline_year: int | None):
    exact = rows[is_exact(rows)].set_index("year")["value"]
    candidates = (
        [baseline_year] if baseline_year else [target.baseline_year, target.baseline_alternative]
    )
    for year in candidates:
        if year is not None and year in exact.index:
            note = "" if year == candidates[0] else f"baseline {candidates[0]} missing; used {year}"
            return int(year), float(exact[year]), note
    return None, None, f"no value for baseline year(s) {[c for c in candidates if c]}"


def _met_early(target: Target, rows: pd.DataFrame, threshold: float | None, until: int):
    if threshold is None:
        return None
    for _, r in rows[rows["year"] <= until].iterrows():
        if meets(float(r["value"]), threshold, target.comparator, r["bound"] or ""):
            return int(r["year"])
    return None


def assess_target(
    target: Target,
    pref: pd.DataFrame,
    *,
    actual_pref: pd.DataFrame | None = None,
    as_of: int | None = None,
    baseline_year: int | None = None,
    region: str = "LN",
    models: tuple[str, ...] = MODELS,
    calibration: Calibration | None = None,
) -> dict:
    """Assess one target with the preferred values known at ``as_of``.

    Parameters
    ----------
    target : Target
        A registered target.
    pref : pandas.DataFrame
        Preferred values as known at ``as_of`` (see :func:`lnanalysis.store.asof.vintage`).
    actual_pref : pandas.DataFrame, optional
        Preferred values known today, for the ex-post outcome at the target year.
    as_of : int, optional
        Year of the replay; None means everything known today.
    baseline_year : int, optional
        Override the registry's baseline year (e.g. 2014 for the doubling target).
    calibration : Calibration, optional
        Band factors from the backtest; without them the projection is uncalibrated.
    """
    rec = {
        "target_id": target.id,
        "label_zh": target.label_zh,
        "name_en": target.name_en,
        "kind": target.kind,
        "indicator": target.indicator,
        "unit": target.unit,
        "target_year": target.target_year,
        "comparator": target.comparator,
        "as_of": as_of,
        "path": target.path,
    }
    if not target.is_quantified:
        return rec | _evidence(target)
    ind = get_indicator(target.indicator)
    rec["unit"] = ind.unit
    rows = _series(pref, target.indicator, region)
    until = min(as_of or target.target_year, target.target_year)
    t0, x0, base_note = _baseline(target, rows, baseline_year)
    threshold = _threshold(target, x0)
    rec |= {"baseline_year": t0, "baseline_value": x0, "target_value": threshold}
    if rows.empty:
        why = "no public statistical series" if not target.public_series else "no value in store"
        return (
            rec
            | _statuses("no_data")
            | {"reason": why}
            | _ex_post(target, actual_pref, region, threshold, None)
        )
    known = rows[rows["year"] <= until]
    exact = known[is_exact(known)]
    met_year = _met_early(target, known, threshold, until)
    if not exact.empty:
        rec |= {
            "latest_year": int(exact["year"].iloc[-1]),
            "latest_value": float(exact["value"].iloc[-1]),
        }
    reasons = [base_note] if base_note else []
    if x0 is not None and not exact.empty and rec["latest_year"] > t0:
        rec |= progress_metrics(
            x0, t0, rec["latest_value"], rec["latest_year"], threshold, target.target_year
        )
        rec |= {
            "status_eurostat": eurostat_status(rec["R"]),
            "status_un": un_status(rec["P"]),
            "status_china": china_status(rec["midterm_ratio"]),
        }
    elif exact.empty:
        rec |= _statuses("no_data")
        reasons.append(f"no value on or before {until}")
    else:
        rec |= _statuses("baseline_missing" if x0 is None else "insufficient_data")
        reasons.append("no exact value after the baseline year" if x0 is not None else "")
    if met_year is not None:
        early = met_year < target.target_year
        rec |= {
            "met_year": met_year,
            "status_eurostat": "achieved",
            "status_un": "achieved",
            "status_china": "achieved_early" if early else "achieved",
        }
    rec |= _projection(target, exact, ind, threshold, reasons, models, calibration)
    rec["reason"] = "; ".join(r for r in reasons if r)
    return rec | _ex_post(target, actual_pref, region, threshold, rec)


def _projection(target, exact, ind, threshold, reasons, models, calibration) -> dict:
    if exact.empty or exact["year"].iloc[-1] >= target.target_year:
        return {}
    series = exact.set_index("year")["value"].astype(float)
    try:
        proj = project(
            series,
            target.target_year,
            measure=ind.measure,
            models=models,
            calibration=calibration,
            indicator=target.indicator,
        )
    except LnAnalysisError as exc:
        reasons.append(f"no projection: {exc}")
        return {}
    row = proj.at(target.target_year)
    out = {
        "projected": row["value"],
        "projected_lo80": row["lo80"],
        "projected_hi80": row["hi80"],
        "models_used": ", ".join(sorted(set(proj.table["model"]) - {"combination"})),
        "models_skipped": "; ".join(f"{k}: {v}" for k, v in proj.skipped.items()),
        "projection_flags": row["flags"],
        "projection": proj,  # the full projection, for charts (not a scorecard column)
    }
    if threshold is not None:
        out["p_meet"] = proj.probability_at_least(target.target_year, threshold)
    return out


def _ex_post(target, actual_pref, region, threshold, rec) -> dict:
    if actual_pref is None:
        return {}
    rows = _series(actual_pref, target.indicator, region)
    at = rows[(rows["year"] == target.target_year) & is_exact(rows)]
    if at.empty:
        return {"ex_post": "unknown"}
    actual = float(at["value"].iloc[0])
    out = {"actual_value": actual}
    if threshold is not None:
        out["ex_post"] = "met" if meets(actual, threshold, target.comparator) else "missed"
    if rec and not math.isnan(rec.get("projected", NAN)):
        out["projection_error"] = rec["projected"] - actual
        out["actual_in_80"] = bool(rec["projected_lo80"] <= actual <= rec["projected_hi80"])
    return out
