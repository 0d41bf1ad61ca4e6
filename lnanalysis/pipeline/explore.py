"""Explore any series of the store against a target the researcher types in.

The same projection and assessment as the plan's targets, for any region and
indicator: the target is built on the spot (a level to reach by a year, from an
optional baseline year), never added to the registry.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from lnanalysis.core.errors import InputError, UnknownRegionError
from lnanalysis.core.paths import NOTEBOOKS_DIR
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.targets.registry import Target
from lnanalysis.targets.trajectory import Trajectory, trajectory
from lnanalysis.trend.models import MODELS


def adhoc_target(
    indicator: str,
    target_value: float | None,
    target_year: int,
    baseline_year: int | None = None,
) -> Target:
    """Return a researcher-entered level target for ``indicator`` (not in the registry)."""
    check_target_value(target_value)
    ind = get_indicator(indicator)
    return Target(
        id=f"explore_{indicator}",
        clause="(researcher-entered)",
        clause_title_zh="",
        quote="",
        label_zh=f"{ind.zh}（自定目标）",
        name_en=f"{ind.en} (researcher-entered target)",
        theme="explore",
        kind="level",
        indicator=ind.id,
        unit=ind.unit,
        comparator=">=",
        target_value=None if target_value is None else float(target_value),
        target_range=None,
        target_year=int(target_year),
        period=None,
        baseline_year=baseline_year,
        baseline_alternative=None,
        baseline_reason="entered by the researcher",
        path="compound",
    )


def explore(
    obs: pd.DataFrame,
    *,
    region: str = "LN",
    indicator: str = "rd_expenditure",
    as_of: int | None = None,
    models: str | tuple[str, ...] = MODELS,
    target_value: float | None = None,
    target_year: int = 2020,
    baseline_year: int | None = None,
) -> Trajectory:
    """Project one series and assess it against the entered target.

    ``models`` may be a comma-separated string (as papermill passes it).
    """
    models = parse_models(models)
    target = adhoc_target(indicator, target_value, target_year, baseline_year)
    return trajectory(target, obs, as_of=as_of, region=region, models=models)


def check_target_value(value) -> None:
    """Refuse a target value that is not a finite number (NaN or infinity reach nothing)."""
    if value is None:
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"target_value {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InputError(f"target_value {value!r} is not a finite number")


def parse_models(models: str | tuple[str, ...]) -> tuple[str, ...]:
    """Return the model names of a comma-separated string or tuple, all known, or raise."""
    if isinstance(models, str):
        models = tuple(m.strip() for m in models.split(",") if m.strip())
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise InputError(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}")
    return tuple(models)


def render_explore(**params) -> Path:
    """Execute a copy of notebooks/12_explore.ipynb with ``params`` (papermill).

    The copy goes to notebooks/explore/explore_<region>_<indicator>.ipynb (git-ignored).
    Parameters are checked first, so a typo fails before a kernel starts.
    """
    import papermill

    from lnanalysis.reference.indicators import get_indicator
    from lnanalysis.reference.regions import region_table

    get_indicator(params["indicator"])
    check_target_value(params.get("target_value"))
    parse_models(params.get("models", ",".join(MODELS)))
    if params["region"] not in region_table().index:
        raise UnknownRegionError(
            f"unknown region code {params['region']!r}; see config/regions.csv"
        )
    out = NOTEBOOKS_DIR / "explore" / f"explore_{params['region']}_{params['indicator']}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "12_explore.ipynb"),
        str(out),
        parameters=params,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        kernel_name="python3",
    )
    return out
