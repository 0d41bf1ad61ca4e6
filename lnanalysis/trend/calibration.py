"""Interval calibration factors by model set, indicator and horizon, passed in by the caller.

The provincial backtest (``lnanalysis.backtest``) measures, for each set of models,
indicator and horizon, the factor by which the combination's standard error must
be multiplied so that its 80% (and 95%) band covers that share of out-of-sample
outcomes. A :class:`Calibration` holds that table; the projection uses whatever it
is given and never reads files itself. Horizons beyond the table use the last
factor. An indicator with too few cases for the model set uses the pooled rows
('all' indicators), and says so; with too few there too, the band stays
uncalibrated and is flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

POOLED = "calibrated on the pooled panel (too few backtest cases for this indicator)"


@dataclass(frozen=True)
class Calibration:
    """Band factors by ``models`` (set label), ``indicator`` (or ``all``) and ``horizon``."""

    table: pd.DataFrame

    def _rows(self, indicator: str, models: str | None) -> pd.DataFrame:
        table = self.table
        if models is not None and "models" in table.columns:
            table = table[table["models"] == models]
        return table[table["indicator"] == indicator]

    def _factors(self, rows: pd.DataFrame, horizons, level: int) -> np.ndarray | None:
        if rows.empty:
            return None
        column = "factor" if level == 80 else f"factor_{level}"
        by_h = rows.set_index("horizon")[column].sort_index()
        h = np.minimum(np.asarray(horizons, dtype=int), int(by_h.index.max()))
        out = by_h.reindex(h).to_numpy(dtype=float)
        return out if np.isfinite(out).all() else None

    def lookup(
        self, horizons, indicator: str | None, models: str | None = None
    ) -> tuple[dict[int, np.ndarray] | None, str]:
        """Return the factors of both bands per horizon and a note on their basis.

        The note is empty for the indicator's own factors, :data:`POOLED` for the
        pooled panel's, and says 'not estimable' (with no factors) when neither has
        enough cases for this set of models.
        """
        for where, note in ((indicator, ""), ("all", POOLED)):
            rows = self._rows(where, models)
            k80, k95 = self._factors(rows, horizons, 80), self._factors(rows, horizons, 95)
            if k80 is not None and k95 is not None:
                return {80: k80, 95: k95}, note
        which = f" for {models}" if models else ""
        return None, f"calibration not estimable (too few backtest cases{which}): band uncalibrated"

    def factors(self, horizons, indicator: str | None = None, level: int = 80, models=None):
        """Return the factor of the ``level``% band per horizon, or None."""
        found, _ = self.lookup(horizons, indicator, models)
        return None if found is None else found[level]
