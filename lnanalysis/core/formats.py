"""How the briefing writes numbers in tables, sentences and charts.

>>> sig(429.93), sig(7.356), sig(999.6), sig(24393.1)
('430', '7.36', '1,000', '24,393')
"""

from __future__ import annotations

import pandas as pd


def sig(value, digits: int = 3) -> str:
    """Return ``value`` to ``digits`` significant digits; thousands separated from 10**digits.

    Missing values give ''.
    """
    if value is None or pd.isna(value):
        return ""
    if abs(value) >= 10**digits - 0.5:  # 999.6 would otherwise print as 1e+03
        return f"{value:,.0f}"
    return f"{float(value):.{digits}g}"
