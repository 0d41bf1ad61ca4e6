"""Interval calibration factors by indicator and horizon, passed in by the caller.

The provincial backtest (``lnanalysis.backtest.panel``) measures, for each
indicator and horizon, the factor by which the combination's standard error must
be multiplied so that its 80% (and 95%) band covers that share of out-of-sample
outcomes. A :class:`Calibration` holds that table; the projection uses whatever it
is given and never reads files itself. Horizons beyond the table use the last
factor; an indicator without rows of its own uses the pooled ``all`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Calibration:
    """Band factors by ``indicator`` (or ``all``) and ``horizon``."""

    table: pd.DataFrame

    @classmethod
    def read(cls, path: Path) -> Calibration | None:
        """Read a calibration table written by the briefing; None when the file is absent."""
        return cls(pd.read_csv(path)) if Path(path).exists() else None

    def factors(self, horizons, indicator: str | None = None, level: int = 80) -> np.ndarray | None:
        """Return the factor of the ``level``% band per horizon, or None without rows."""
        table = self.table
        sel = (
            table[table["indicator"] == indicator]
            if indicator in set(table["indicator"])
            else table[table["indicator"] == "all"]
        )
        if sel.empty:
            return None
        column = "factor" if level == 80 else f"factor_{level}"
        by_h = sel.set_index("horizon")[column].sort_index()
        h = np.minimum(np.asarray(horizons, dtype=int), int(by_h.index.max()))
        return by_h.reindex(h).ffill().to_numpy(dtype=float)
