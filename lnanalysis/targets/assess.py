"""Assess one registered target against the data known at a point in time.

``assess_target`` returns an :class:`Assessment`: one flat row of plain values (a
scorecard row: baseline, latest, the progress metrics, the model-based projection
at the target year with its calibrated 80% interval and the probability of meeting
the target, the status under each scheme, and, where the target year is past, the
actual outcome), and beside it the full projection those figures came from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import LnAnalysisError
from lnanalysis.reference.breaks import breaks_for
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.reference.units import conversion_factor
from lnanalysis.store.observations import is_exact
from lnanalysis.targets.metrics import (
    china_status,
    eurostat_status,
    meets,
    progress_metrics,
    un_status,
)
from lnanalysis.targets.reference_class import base_rate
from lnanalysis.targets.registry import Target
from lnanalysis.trend.calibration import Calibration
from lnanalysis.trend.models import MODELS
from lnanalysis.trend.projection import Projection, project

NAN = float("nan")


@dataclass(frozen=True)
class Assessment(Mapping):
    """One target's assessment: its scorecard row, read like a mapping, and its projection.

    The row holds plain values only (numbers, text, flags); the projection object,
    which figures and trajectories reuse, is kept apart in ``projection``.
    """

    row: dict[str, Any]
    projection: Projection | None = field(default=None, compare=False)

    def __getitem__(self, key: str) -> Any:
        return self.row[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


def _record(rec: dict) -> Assessment:
    """Return the record of an assessment built as one dict (its projection taken out)."""
    row = dict(rec)
    return Assessment(row=row, projection=row.pop("projection", None))


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


def _outcome(name: str) -> dict:
    """Return the statuses an outcome rule of ``config/assessment.yaml`` sets."""
    return dict(load_yaml("assessment.yaml")["outcome"][name])


def _threshold(target: Target, x0: float | None) -> float | None:
    if target.kind == "growth_multiple":
        return None if x0 is None else target.target_value * x0
    return target.threshold()


def _baseline(target: Target, rows: pd.DataFrame, baseline_year: int | None, until: int):
    """Return (year, value, rule, note) of the baseline, by the rules of assessment.yaml.

    The registry's year, else its alternative year, else the next year with an exact
    value after the baseline year (and before the as-of or target year), flagged.
    """
    exact = rows[is_exact(rows)].set_index("year")["value"]
    if baseline_year:
        if baseline_year in exact.index:
            return int(baseline_year), float(exact[baseline_year]), "override", ""
        return None, None, "", f"no value for the baseline year {baseline_year}"
    first = target.baseline_year
    if first is None:
        return None, None, "", "the target has no baseline year"
    for year, rule in ((first, "registry"), (target.baseline_alternative, "alternative")):
        if year is not None and year in exact.index:
            note = "" if rule == "registry" else f"baseline {first} missing; used {year}"
            return int(year), float(exact[year]), rule, note
    later = exact[(exact.index > first) & (exact.index < min(until, target.target_year))]
    if len(later):
        year = int(later.index[0])
        note = f"baseline {first} missing; next available year {year} used (flagged)"
        return year, float(later.iloc[0]), "next_available", note
    years = [y for y in (first, target.baseline_alternative) if y]
    return None, None, "", f"no value for baseline year(s) {years} nor a later one"


def _met_early(target: Target, rows: pd.DataFrame, threshold: float | None, until: int):
    if threshold is None:
        return None
    for _, r in rows[rows["year"] <= until].iterrows():
        if meets(float(r["value"]), threshold, target.comparator, r["bound"] or ""):
            return int(r["year"])
    return None


def _latest_bound(known: pd.DataFrame, exact: pd.DataFrame) -> str:
    """Return a bound later than the last exact value (or with none), as '>30 (2014)'."""
    bounds = known[~is_exact(known)]
    if bounds.empty:
        return ""
    last = bounds.iloc[-1]
    if not exact.empty and int(exact["year"].iloc[-1]) >= int(last["year"]):
        return ""
    return f"{last['bound']}{float(last['value']):g} ({int(last['year'])})"


def assess_target(
    target: Target,
    pref: pd.DataFrame,
    *,
    actual_pref: pd.DataFrame | None = None,
    as_of: int | None = None,
    baseline_year: int | None = None,
    region: str | None = None,
    models: tuple[str, ...] = MODELS,
    calibration: Calibration | None = None,
) -> Assessment:
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
    region : str, optional
        Region code whose values are assessed; default the target's plan's region.
    calibration : Calibration, optional
        Band factors from the backtest; without them the projection is uncalibrated.

    Where the target's own series cannot give a status and the registry names a proxy
    whose unit compares with the target's, the proxy is assessed instead and the record
    says so (``series``, ``proxy``).
    """
    kwargs = {
        "actual_pref": actual_pref,
        "as_of": as_of,
        "baseline_year": baseline_year,
        "region": target.judged_in(region),
        "models": models,
        "calibration": calibration,
    }
    rec = _assess(target, pref, **kwargs)
    if target.proxy is None or rec.get("status_eurostat") not in NO_STATUS:
        return _record(rec)
    own = rec.get("reason", "")
    if not _comparable(target, target.proxy):
        rec["reason"] = (
            f"{own}; proxy {target.proxy} not assessed (its unit differs): {target.proxy_reason}"
        )
        return _record(rec)
    stand_in = _assess(replace(target, indicator=target.proxy), pref, **kwargs)
    if stand_in.get("status_eurostat") in NO_STATUS:
        return _record(rec)
    why = f"own series: {own}; assessed on the proxy {target.proxy}: {target.proxy_reason}"
    # The outcome is the target's own: judged on its own series where it has a value
    outcome = {k: rec[k] for k in ("actual_value", "ex_post") if k in rec and k in stand_in}
    if rec.get("ex_post") in (None, "unknown"):
        outcome = {}
    merged = stand_in | outcome | {"indicator": target.indicator, "proxy": True, "reason": why}
    return _record(merged)


# Statuses that say the series could not be judged (a proxy may then stand in)
NO_STATUS = {"no_data", "baseline_missing", "insufficient_data"}


def _comparable(target: Target, indicator: str) -> bool:
    try:
        conversion_factor(get_indicator(indicator).unit, get_indicator(target.indicator).unit)
    except LnAnalysisError:
        return False
    return True


def _assess(
    target: Target,
    pref: pd.DataFrame,
    *,
    actual_pref: pd.DataFrame | None,
    as_of: int | None,
    baseline_year: int | None,
    region: str,
    models: tuple[str, ...],
    calibration: Calibration | None,
) -> dict:
    rec = {
        "target_id": target.id,
        "label_zh": target.label_zh,
        "name_en": target.name_en,
        "kind": target.kind,
        "indicator": target.indicator,
        "series": target.indicator,
        "proxy": False,
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
    t0, x0, rule, base_note = _baseline(target, rows, baseline_year, until)
    threshold = _threshold(target, x0)
    rec |= {
        "baseline_year": t0,
        "baseline_value": x0,
        "baseline_rule": rule,
        "target_value": threshold,
    }
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
    rec["latest_bound"] = _latest_bound(known, exact)
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
        rec |= {"met_year": met_year} | _outcome("achieved")
    at_target = exact[exact["year"] == target.target_year]
    if threshold is not None and not at_target.empty:
        value = float(at_target["value"].iloc[0])
        met = meets(value, threshold, target.comparator)
        rec |= _outcome("met" if met else "missed")
        rec["pct_of_target"] = 100 * value / threshold if threshold else NAN
        reasons.append(f"the target year {target.target_year} is reached: the outcome is known")
    breaks = tuple(b.year for b in breaks_for(region, target.indicator))
    rec |= _projection(target, exact, ind, threshold, reasons, models, calibration, breaks)
    if threshold and "latest_value" in rec and rec["latest_year"] < target.target_year:
        rec["base_rate"], rec["base_rate_windows"] = base_rate(
            pref,
            target.indicator,
            threshold / rec["latest_value"],
            target.target_year - rec["latest_year"],
        )
    rec["reason"] = "; ".join(r for r in reasons if r)
    return rec | _ex_post(target, actual_pref, region, threshold, rec)


def _projection(target, exact, ind, threshold, reasons, models, calibration, breaks) -> dict:
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
            breaks=breaks,
        )
    except LnAnalysisError as exc:
        reasons.append(f"no projection: {exc}")
        return {}
    row = proj.at(target.target_year)
    out = {
        "projected": row["value"],
        "projected_lo80": row["lo80"],
        "projected_hi80": row["hi80"],
        "models_used": ", ".join(proj.models),
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
