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


def significant_digits(raw: str) -> int:
    """Count the significant digits a figure was given with (trailing zeros of an integer not).

    >>> [significant_digits(x) for x in ["294929", "295000", "29.5", "0.0450", ">600"]]
    [6, 3, 3, 3, 1]
    """
    digits = "".join(ch for ch in str(raw) if ch.isdigit() or ch == ".")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0")) or 1
    return len(digits.lstrip("0").rstrip("0")) or 1


def _same_figure(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-12)


def _most_precise(group: pd.DataFrame, tol: float, max_tier: int):
    """Index of the preferred row: the first, or an equal figure given with more digits."""
    first = group.iloc[0]
    best, best_digits = group.index[0], significant_digits(first["value_raw"])
    worst_allowed = max(int(first["tier_rank"]), max_tier)
    for idx, row in group.iloc[1:].iterrows():
        same = row["exact"] == first["exact"] and row["bound"] == first["bound"]
        same = same and int(row["tier_rank"]) <= worst_allowed
        if same and _same_figure(float(row["value"]), float(first["value"]), tol):
            digits = significant_digits(row["value_raw"])
            if digits > best_digits:
                best, best_digits = idx, digits
    return best


def _ordered(obs: pd.DataFrame) -> pd.DataFrame:
    frame, cols, asc = _sort_frame(obs)
    return frame.sort_values(cols, ascending=asc, kind="stable")


def select_preferred(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the observations with a boolean ``preferred`` column and ``n_sources``."""
    cfg = load_yaml("preference.yaml")
    tol, max_tier = float(cfg["relative_tolerance"]), int(cfg["precise_max_tier_rank"])
    frame = _ordered(obs)
    frame["preferred"] = ~frame.duplicated(KEY, keep="first")
    frame["n_sources"] = frame.groupby(KEY)["obs_id"].transform("size")
    for _, group in frame[frame["n_sources"] > 1].groupby(KEY, sort=False):
        chosen = _most_precise(group, tol, max_tier)
        frame.loc[group.index, "preferred"] = group.index == chosen
    keep = [c for c in frame.columns if not c.startswith("_") and c != "exact"]
    return frame[keep].sort_values([*KEY, "obs_id"], kind="stable").reset_index(drop=True)


def _decisive_key(first: pd.Series, second: pd.Series) -> str:
    """Return the first preference key that separates the chosen row from another."""
    for rule in load_yaml("preference.yaml")["order"]:
        key = rule["key"]
        a = first["exact"] if key == "exact" else first[key]
        b = second["exact"] if key == "exact" else second[key]
        if a != b:
            return f"{key}: {a} over {b}"
    return "identical on every preference key"


def _describe_values(group: pd.DataFrame, tol: float) -> str:
    """Group the rows by figure: '10298.4 ×3 (final; nbs_rd_bulletin, cstsy) | 10240 (…)'."""
    parts, seen = [], []
    for _, row in group.iterrows():
        value = float(row["value"])
        if any(_same_figure(value, v, tol) and row["bound"] == b for v, b in seen):
            continue
        seen.append((value, row["bound"]))
        same = group[
            (group["bound"] == row["bound"])
            & group["value"].astype(float).map(lambda v, x=value: _same_figure(v, x, tol))
        ]
        count = f" ×{len(same)}" if len(same) > 1 else ""
        statuses = ", ".join(dict.fromkeys(same["status"]))
        families = ", ".join(dict.fromkeys(same["source_family"]))
        parts.append(f"{row['bound']}{value:g}{count} ({statuses}; {families})")
    return " | ".join(parts)


def conflicts_report(obs: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (region, indicator, year) whose sources give different figures.

    Figures equal within the relative tolerance of ``config/preference.yaml`` are one
    figure; a key all of whose sources agree is not a conflict and is not listed.
    """
    tol = float(load_yaml("preference.yaml")["relative_tolerance"])
    marked = select_preferred(obs).set_index("obs_id")["preferred"]
    frame = _ordered(obs)
    rows = []
    for key, group in frame.groupby(KEY, sort=True):
        if len(group) < 2:
            continue
        values = group["value"].astype(float)
        spread = conflict_value_spread(values.tolist())
        if spread <= tol and group["bound"].nunique() == 1:
            continue
        chosen = group[group["obs_id"].map(marked)].iloc[0]
        other = group[
            ~values.map(lambda v, x=float(chosen["value"]): _same_figure(v, x, tol))
            | (group["bound"] != chosen["bound"])
        ].iloc[0]
        rows.append(
            {
                "region": key[0],
                "indicator": key[1],
                "year": key[2],
                "n_sources": len(group),
                "values": _describe_values(group, tol),
                "min": values.min(),
                "max": values.max(),
                "relative_spread": spread,
                "preferred_value": float(chosen["value"]),
                "preferred_bound": chosen["bound"],
                "preferred_obs_id": chosen["obs_id"],
                "preferred_source_url": chosen["source_url"],
                "preferred_tier": chosen["source_tier"],
                "reason": _decisive_key(chosen, other),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["region", "indicator", "year"], kind="stable").reset_index(drop=True)


def conflict_value_spread(values: list[float]) -> float:
    """Return the relative spread (max-min)/max|v| of a list of values (0 for one value)."""
    arr = np.asarray(values, dtype=float)
    return float((arr.max() - arr.min()) / max(np.abs(arr).max(), 1e-12)) if arr.size else 0.0
