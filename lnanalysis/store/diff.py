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


def _same(old: pd.Series, new: pd.Series, rtol: float) -> np.ndarray:
    """Element-wise equality: numbers within ``rtol``, anything else as text; blanks equal."""
    a_num, b_num = pd.to_numeric(old, errors="coerce"), pd.to_numeric(new, errors="coerce")
    both_num = a_num.notna() & b_num.notna()
    close = np.isclose(a_num.fillna(0), b_num.fillna(0), rtol=rtol, atol=1e-12)
    a_txt, b_txt = old.fillna("").astype(str), new.fillna("").astype(str)
    return np.where(both_num, close, a_txt == b_txt)


def diff_table(
    old: pd.DataFrame, new: pd.DataFrame, key: list[str], rtol: float = 1e-9
) -> pd.DataFrame:
    """Cell-by-cell differences of two versions of one table, matched on ``key``.

    Returns one row per differing cell (``change`` = changed) and per row or column
    present on one side only (``appeared`` / ``disappeared``), with ``key`` rendered
    as ``col=value`` pairs, the ``column``, and the ``old`` and ``new`` text.
    """
    cols = ["key", "column", "change", "old", "new"]
    rows = []
    for col in sorted(set(old.columns) ^ set(new.columns)):
        change = "appeared" if col in new.columns else "disappeared"
        rows.append({"key": "(every row)", "column": col, "change": change, "old": "", "new": ""})
    old_k, new_k = old.astype({k: str for k in key}), new.astype({k: str for k in key})
    merged = old_k.merge(new_k, on=key, how="outer", suffixes=("\0old", "\0new"), indicator=True)
    label = merged[key].apply(lambda r: ", ".join(f"{k}={v}" for k, v in r.items()), axis=1)
    for side, change in (("left_only", "disappeared"), ("right_only", "appeared")):
        for lab in label[merged["_merge"] == side]:
            rows.append({"key": lab, "column": "(row)", "change": change, "old": "", "new": ""})
    both = merged["_merge"] == "both"
    for col in [c for c in old.columns if c in set(new.columns) and c not in key]:
        a, b = merged.loc[both, f"{col}\0old"], merged.loc[both, f"{col}\0new"]
        for i in np.flatnonzero(~_same(a, b, rtol)):
            rows.append(
                {
                    "key": label[both].iloc[i],
                    "column": col,
                    "change": "changed",
                    "old": "" if pd.isna(a.iloc[i]) else str(a.iloc[i]),
                    "new": "" if pd.isna(b.iloc[i]) else str(b.iloc[i]),
                }
            )
    return pd.DataFrame(rows, columns=cols)
