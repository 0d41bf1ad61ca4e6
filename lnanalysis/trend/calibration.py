"""Interval calibration factors by horizon, read from the backtest's output.

The provincial backtest (``lnanalysis.backtest.panel``) writes
``data/processed/calibration.csv``: for each horizon, the factor by which the
combination's standard error must be multiplied so that its 80% band covers
80% of out-of-sample outcomes. Horizons beyond the table use the last factor.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from lnanalysis.core.paths import PROCESSED_DIR

CALIBRATION_FILE = PROCESSED_DIR / "calibration.csv"


@cache
def _table() -> pd.DataFrame | None:
    if not CALIBRATION_FILE.exists():
        return None
    return pd.read_csv(CALIBRATION_FILE)


def calibration_factors(
    horizons, indicator: str | None = None, level: int = 80
) -> np.ndarray | None:
    """Return the factor of the ``level``% band per horizon, or None without a table."""
    table = _table()
    if table is None:
        return None
    sel = (
        table[table["indicator"] == indicator]
        if indicator in set(table["indicator"])
        else (table[table["indicator"] == "all"])
    )
    if sel.empty:
        return None
    column = "factor" if level == 80 else f"factor_{level}"
    by_h = sel.set_index("horizon")[column].sort_index()
    h = np.minimum(np.asarray(horizons, dtype=int), int(by_h.index.max()))
    return by_h.reindex(h).ffill().to_numpy(dtype=float)


def reset_cache() -> None:
    """Forget the cached table (after the backtest rewrites it)."""
    _table.cache_clear()
