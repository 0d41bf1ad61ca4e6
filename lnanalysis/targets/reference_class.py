"""The outside view: how often comparable provincial series grew as fast as a target needs.

For a target that needs its series to grow from ``latest`` (in ``year``) to
``threshold`` by the target year, the reference class is every window of the same
length in the provincial panel of the same indicator (31 provinces and the national
total, values known in the same vintage): the base rate is the share of those
windows whose growth was at least the required multiple.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lnanalysis.reference.regions import provinces
from lnanalysis.store.observations import exact_rows

# Fewer windows than this give no base rate
MIN_WINDOWS = 30


def base_rate(pref: pd.DataFrame, indicator: str, required_multiple: float, years: int) -> tuple:
    """Return (share, windows) of panel windows of ``years`` length that grew this fast.

    ``pref`` is the vintage the assessment uses, so the base rate knows no later data.
    Returns (NaN, n) when fewer than :data:`MIN_WINDOWS` windows exist.

    >>> panel = pd.DataFrame({"indicator": "x", "region": "BJ", "bound": "",
    ...                       "year": range(2000, 2010), "value": 1.1 ** np.arange(10)})
    >>> base_rate(panel, "x", 1.1 ** 2, 2)
    (nan, 8)
    """
    if years <= 0 or not np.isfinite(required_multiple):
        return np.nan, 0
    rows = exact_rows(pref, indicator)
    rows = rows[rows["region"].isin([*provinces(), "CN"])]
    wide = rows.pivot_table(index="year", columns="region", values="value", aggfunc="first")
    later = wide.reindex(wide.index + years)
    later.index = wide.index
    ratio = (later / wide).to_numpy().ravel()
    ratio = ratio[np.isfinite(ratio) & (wide.to_numpy().ravel() > 0)]
    n = int(ratio.size)
    if n < MIN_WINDOWS:
        return np.nan, n
    return float(np.mean(ratio >= required_multiple * (1 - 1e-12))), n
