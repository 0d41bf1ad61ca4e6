"""Everything a trajectory chart shows for one target, as data.

Observed values known at the as-of year (with their status and source), the
calibrated projection fan from the last known value to the target year, the
required paths (compound and linear) from the baseline to the target, the
milestones, and, for a replay, the values published later. Charts draw this;
notebooks and tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from lnanalysis.backtest.calibrate import calibration_for
from lnanalysis.core.errors import LnAnalysisError
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.store.asof import vintage
from lnanalysis.store.observations import exact_rows
from lnanalysis.targets.assess import Assessment, assess_target
from lnanalysis.targets.registry import Target
from lnanalysis.trend.calibration import Calibration
from lnanalysis.trend.models import MODELS

_KEEP = ["year", "value", "bound", "status", "source_title", "source_url"]


@dataclass
class Trajectory:
    """The data of one trajectory chart."""

    target: Target
    indicator: str
    region: str
    as_of: int | None
    observed: pd.DataFrame
    later: pd.DataFrame
    projection: pd.DataFrame | None
    required: pd.DataFrame | None
    threshold: float | None
    baseline: tuple[int, float] | None
    assessment: Assessment
    skipped_models: dict = field(default_factory=dict)
    alternate_series: bool = False  # the series is not the target's own indicator

    @property
    def sources(self) -> list[str]:
        """Titles of the sources of every plotted value, in order of first use."""
        titles = [*self.observed["source_title"], *self.later["source_title"]]
        return list(dict.fromkeys(t for t in titles if isinstance(t, str) and t))


def required_paths(x0: float, t0: int, target: float, t_target: int) -> pd.DataFrame:
    """Return the compound and linear paths from (t0, x0) to (t_target, target), yearly."""
    years = np.arange(t0, t_target + 1)
    share = (years - t0) / (t_target - t0)
    compound = x0 * (target / x0) ** share if x0 > 0 and target > 0 else np.full(len(years), np.nan)
    linear = x0 + (target - x0) * share
    return pd.DataFrame({"year": years, "compound": compound, "linear": linear})


def trajectory(
    target: Target,
    obs: pd.DataFrame,
    *,
    as_of: int | None = None,
    indicator: str | None = None,
    region: str | None = None,
    baseline_year: int | None = None,
    models: tuple[str, ...] = MODELS,
    tables: dict | None = None,
    calibration: Calibration | None = None,
) -> Trajectory:
    """Return the chart data of ``target`` as known at the end of ``as_of`` (None: today).

    ``indicator`` plots another series against the same target (a proxy or a
    second definition); the assessment then uses that series, and says so.
    ``tables`` maps as-of years (None: today) to preferred tables already built
    (:func:`lnanalysis.store.asof.vintages`); missing ones are built here.
    ``calibration`` defaults to the one known at ``as_of`` (no look-ahead).
    ``region`` defaults to the region of the target's plan.
    """
    if not target.is_quantified:
        raise LnAnalysisError(f"{target.id} is a qualitative milestone: nothing to plot")
    region = target.judged_in(region)
    ind = get_indicator(indicator or target.indicator)
    tables = tables if tables is not None else {}
    pref_then = tables[as_of] if as_of in tables else vintage(obs, as_of)
    pref_now = pref_then if as_of is None else tables.get(None)
    pref_now = vintage(obs, None) if pref_now is None else pref_now
    alternate = ind.id != target.indicator
    if alternate:
        target = replace(target, indicator=ind.id)
    assessment = assess_target(
        target,
        pref_then,
        actual_pref=pref_now,
        as_of=as_of,
        baseline_year=baseline_year,
        region=region,
        models=models,
        calibration=calibration
        if calibration is not None
        else calibration_for(obs, as_of, pref=pref_then),
    )
    rows = exact_rows(pref_then, ind.id, region).sort_values("year")
    cutoff = as_of if as_of is not None else target.target_year + 100
    observed = rows[rows["year"] <= cutoff][_KEEP].reset_index(drop=True)
    later = pd.DataFrame(columns=_KEEP)
    if as_of is not None:
        # Everything published since: later years, and years that were not yet known
        now = exact_rows(pref_now, ind.id, region)
        last = observed["year"].max() if len(observed) else -1
        later = now[now["year"] > last].sort_values("year")[_KEEP].reset_index(drop=True)
    threshold = assessment.get("target_value")
    threshold = None if threshold is None or pd.isna(threshold) else float(threshold)
    base = None
    if assessment.get("baseline_year") is not None and not pd.isna(
        assessment.get("baseline_value")
    ):
        base = (int(assessment["baseline_year"]), float(assessment["baseline_value"]))
    required = None
    if base is not None and threshold is not None and base[0] < target.target_year:
        required = required_paths(base[1], base[0], threshold, target.target_year)
    # The assessment projected the same known series; its projection is reused here
    proj = assessment.projection
    projection, skipped = None, {}
    if proj is None and len(observed) and observed["year"].iloc[-1] < target.target_year:
        skipped = {"all": assessment.get("reason", "")}
    elif proj is not None:
        skipped = proj.skipped
        comb = proj.table[proj.table["model"] == "combination"]
        cols = ["year", "value", "lo80", "hi80", "lo95", "hi95"]
        last = observed.iloc[-1]
        anchor = {c: float(last["value"]) for c in cols[1:]} | {"year": int(last["year"])}
        projection = pd.concat([pd.DataFrame([anchor]), comb[cols]], ignore_index=True)
    return Trajectory(
        target=target,
        indicator=ind.id,
        region=region,
        as_of=as_of,
        observed=observed,
        later=later,
        projection=projection,
        required=required,
        threshold=threshold,
        baseline=base,
        assessment=assessment,
        skipped_models=skipped,
        alternate_series=alternate,
    )
