"""What changed between two builds of the preferred values.

One row per (region, indicator, year) whose value or source changed, that
appeared, or that disappeared, with the old and new value and source; the build
prints it and writes ``data/processed/data_diff.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["region", "indicator", "year"]
# The columns of a preferred table that the diff compares
COMPARED = [*KEY, "value", "bound", "source_url"]
COLUMNS = [*KEY, "change", "old_value", "new_value", "old_source", "new_source"]


def diff_preferred(
    old: pd.DataFrame | None, new: pd.DataFrame, rtol: float = 1e-12
) -> pd.DataFrame:
    """Return the changed, appeared and disappeared values between two preferred tables."""
    if old is None:
        return pd.DataFrame(columns=COLUMNS)
    merged = old[COMPARED].merge(
        new[COMPARED], on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    old_v, new_v = merged["value_old"].to_numpy(float), merged["value_new"].to_numpy(float)
    same_value = np.isclose(old_v, new_v, rtol=rtol, atol=0) | (np.isnan(old_v) & np.isnan(new_v))
    same = (
        same_value
        & (merged["bound_old"].fillna("") == merged["bound_new"].fillna(""))
        & (merged["source_url_old"].fillna("") == merged["source_url_new"].fillna(""))
    )
    change = np.select(
        [merged["_merge"] == "left_only", merged["_merge"] == "right_only", ~same],
        ["disappeared", "appeared", "changed"],
        default="",
    )
    out = merged.assign(change=change)[lambda d: d["change"] != ""]
    out = out.rename(
        columns={
            "value_old": "old_value",
            "value_new": "new_value",
            "source_url_old": "old_source",
            "source_url_new": "new_source",
        }
    )
    return out[COLUMNS].sort_values(KEY, kind="stable", ignore_index=True)


def summary(diff: pd.DataFrame, limit: int = 15) -> list[str]:
    """Return printable lines: counts by kind of change, then the first changes."""
    if diff.empty:
        return ["data diff: no value changed, appeared or disappeared since the last build"]
    counts = diff["change"].value_counts()
    kinds = [k for k in ("appeared", "changed", "disappeared") if k in counts]
    lines = ["data diff: " + ", ".join(f"{counts[k]} {k}" for k in kinds)]
    for row in diff.head(limit).itertuples(index=False):
        lines.append(
            f"  {row.change:<11} {row.region} {row.indicator} {row.year}: "
            f"{row.old_value} -> {row.new_value}"
        )
    if len(diff) > limit:
        lines.append(f"  ... {len(diff) - limit} more in data/processed/data_diff.csv")
    return lines
