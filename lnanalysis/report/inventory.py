"""Data inventory: what the store holds for each target's indicator, year by year."""

from __future__ import annotations

import pandas as pd

from lnanalysis.reference.indicators import get_indicator
from lnanalysis.store.observations import is_exact
from lnanalysis.targets.registry import load_registry

YEARS = range(2010, 2024)


def _plan_targets(plan: str | None) -> list:
    """Return the targets of plan ``plan`` (default: the first plan), in registry order."""
    registry = load_registry()
    plan = plan or registry.plan["id"]
    if plan not in registry.plans:
        raise KeyError(f"no plan {plan!r}; plans: {', '.join(registry.plans)}")
    return [t for t in registry if t.plan == plan]


def coverage(pref: pd.DataFrame, plan: str | None = None) -> pd.DataFrame:
    """Return indicator x year: 2 = an exact value, 1 = only a bound ('>500'), 0 = none.

    Rows are the indicators of the plan's quantified targets (default: the first
    plan) plus their registered proxies, in registry order, counted in the plan's
    region; an indicator with no value at all keeps its row of zeros.
    """
    rows = {}
    for t in _plan_targets(plan):
        region = t.region
        for ind in (t.indicator, t.proxy):
            if ind and ind not in rows:
                sel = pref[(pref["indicator"] == ind) & (pref["region"] == region)]
                exact = set(sel.loc[is_exact(sel), "year"])
                bound = set(sel["year"]) - exact
                rows[ind] = [2 if y in exact else 1 if y in bound else 0 for y in YEARS]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(YEARS))


def without_series(region_pref: pd.DataFrame, plan: str | None = None) -> pd.DataFrame:
    """List the quantified targets of a plan (default: the first) without a value.

    ``region_pref`` holds the plan region's rows; each row gives the reason.
    """
    held = set(region_pref["indicator"])
    out = []
    for t in _plan_targets(plan):
        if not t.is_quantified or t.indicator in held:
            continue
        out.append(
            {
                "target_id": t.id,
                "label_zh": t.label_zh,
                "indicator": t.indicator,
                "why": "no public statistical series"
                if not t.public_series
                else "public series, but no value found",
                "proxy": t.proxy or "",
            }
        )
    return pd.DataFrame(out)


def source_summary(obs: pd.DataFrame) -> pd.DataFrame:
    """Values by source family and status, with the number of publications cited."""
    return (
        obs.groupby(["source_family", "status"])
        .agg(values=("obs_id", "size"), publications=("source_title", "nunique"))
        .reset_index()
        .sort_values(["values"], ascending=False, ignore_index=True)
    )


def indicator_names(index) -> list[str]:
    """Bilingual row labels for the coverage table."""
    return [f"{get_indicator(i).zh} / {get_indicator(i).en}" for i in index]
