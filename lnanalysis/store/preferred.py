"""Pick one preferred value per (region, indicator, year) and report every conflict.

The preference order is data (``config/preference.yaml``). Nothing is dropped:
all rows stay in the observation table; this module only marks the chosen one
and explains the choice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.store.observations import is_exact

KEY = ["region", "indicator", "year"]


def _sort_frame(obs: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[bool]]:
    cfg = load_yaml("preference.yaml")
    frame = obs.copy()
    frame["exact"] = is_exact(frame)
    cols, asc = list(KEY), [True, True, True]
    for rule in cfg["order"]:
        key = rule["key"]
        if "prefer" in rule:
            order = {v: i for i, v in enumerate(rule["prefer"])}
            frame[f"_{key}"] = frame[key].map(order).fillna(len(order))
            cols.append(f"_{key}")
            asc.append(True)
        else:
            cols.append(key)
            asc.append(bool(rule["ascending"]))
    return frame, cols, asc


def select_preferred(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the observations with a boolean ``preferred`` column and ``n_sources``."""
    frame, cols, asc = _sort_frame(obs)
    frame = frame.sort_values(cols, ascending=asc, kind="stable")
    frame["preferred"] = ~frame.duplicated(KEY, keep="first")
    frame["n_sources"] = frame.groupby(KEY)["obs_id"].transform("size")
    keep = [c for c in frame.columns if not c.startswith("_") and c != "exact"]
    return frame[keep].sort_values([*KEY, "obs_id"], kind="stable").reset_index(drop=True)


def _decisive_key(group: pd.DataFrame) -> str:
    """Return the first preference key that separates the chosen row from the next one."""
    cfg = load_yaml("preference.yaml")
    first, second = group.iloc[0], group.iloc[1]
    for rule in cfg["order"]:
        key = rule["key"]
        a = first["exact"] if key == "exact" else first[key]
        b = second["exact"] if key == "exact" else second[key]
        if a != b:
            return f"{key}: {a} over {b}"
    return "identical on every preference key"


def conflicts_report(obs: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (region, indicator, year) that more than one source reports."""
    tol = float(load_yaml("preference.yaml")["relative_tolerance"])
    frame, cols, asc = _sort_frame(obs)
    frame = frame.sort_values(cols, ascending=asc, kind="stable")
    rows = []
    for key, group in frame.groupby(KEY, sort=True):
        if len(group) < 2:
            continue
        values = group["value"].astype(float)
        spread = conflict_value_spread(values.tolist())
        chosen = group.iloc[0]
        rows.append(
            {
                "region": key[0],
                "indicator": key[1],
                "year": key[2],
                "n_sources": len(group),
                "values": " | ".join(
                    f"{b}{v:g} ({s}, {f})"
                    for b, v, s, f in zip(
                        group["bound"], values, group["status"], group["source_family"], strict=True
                    )
                ),
                "min": values.min(),
                "max": values.max(),
                "relative_spread": spread,
                "differs": bool(spread > tol),
                "preferred_value": float(chosen["value"]),
                "preferred_bound": chosen["bound"],
                "preferred_obs_id": chosen["obs_id"],
                "preferred_source_url": chosen["source_url"],
                "reason": _decisive_key(group),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(
        ["differs", "region", "indicator", "year"],
        ascending=[False, True, True, True],
        kind="stable",
    ).reset_index(drop=True)


def conflict_value_spread(values: list[float]) -> float:
    """Return the relative spread (max-min)/max|v| of a list of values (0 for one value)."""
    arr = np.asarray(values, dtype=float)
    return float((arr.max() - arr.min()) / max(np.abs(arr).max(), 1e-12)) if arr.size else 0.0
