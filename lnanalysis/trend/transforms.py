"""Scales on which trends are fitted: log for positive levels, logit for shares.

>>> t = transform_for("share", [10.0, 20.0])
>>> t.name, round(float(t.inverse(t.forward(12.5))), 10)
('logit', 12.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Transform:
    """A monotone increasing transform and its inverse."""

    name: str

    def forward(self, x):
        """Map values to the modelling scale."""
        x = np.asarray(x, dtype=float)
        if self.name == "log":
            return np.log(x)
        if self.name == "logit":
            p = x / 100.0
            return np.log(p / (1 - p))
        return x

    def inverse(self, y):
        """Map modelling-scale values back to the indicator's unit."""
        y = np.asarray(y, dtype=float)
        if self.name == "log":
            return np.exp(y)
        if self.name == "logit":
            return 100.0 / (1 + np.exp(-y))
        return y


def transform_for(measure: str, values) -> Transform:
    """Return logit for shares strictly inside 0-100, log for positive values, else identity."""
    v = np.asarray(values, dtype=float)
    if measure == "share" and v.size and np.all((v > 0) & (v < 100)):
        return Transform("logit")
    if v.size and np.all(v > 0):
        return Transform("log")
    return Transform("identity")
