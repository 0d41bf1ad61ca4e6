"""The one number format of the briefing: tables, notebooks, figures and the web report.

Two decimals, as the bulletins print most figures (287.47 亿元, 7.36 件/万人); whole
numbers and anything from 1,000 up without decimals, thousands separated; below 0.01,
two significant digits:

>>> [format_number(x) for x in (10298.4, 549.0, 800, 287.47, 7.356, 0.0042, -12.5)]
['10,298', '549', '800', '287.47', '7.36', '0.0042', '-12.50']
>>> format_number(float("nan")) is None, format_number(None) is None
(True, True)

In a table column, where numbers line up, whole numbers keep their decimals:

>>> [format_number(x, in_column=True) for x in (399.0, 0.0, 1276.0)]
['399.00', '0.00', '1,276']
"""

from __future__ import annotations

import math


def format_number(value: object, in_column: bool = False) -> str | None:
    """Return ``value`` formatted for reading, or None when it is missing (None, NaN, NA).

    ``in_column``: the value sits in a table column, so a whole number below 1,000
    keeps two decimals and lines up with its neighbours.
    """
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(x):
        return None
    size = abs(x)
    if size >= 1000 or (x.is_integer() and not in_column):
        return f"{x:,.0f}"
    if size >= 0.01 or x == 0:
        return f"{x:.2f}"
    return f"{x:.2g}"
