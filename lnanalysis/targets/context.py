"""Liaoning among the provinces: levels, growth and distance from a doubling.

For one indicator and a start and end year, every province (and the national
total) gets its start and end values, the growth multiple and annual rate, the
rate a doubling would have needed, how far it ended from double its start value,
and its rank among the 31 provinces. A province with a missing year keeps its row
with empty figures and a note; nothing is filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lnanalysis.reference.regions import provinces, region_table
from lnanalysis.store.observations import exact_rows


def doubling_context(
    pref: pd.DataFrame,
    indicator: str = "rd_expenditure",
    start: int = 2015,
    end: int = 2020,
    *,
    multiple: float = 2.0,
) -> pd.DataFrame:
    """Return one row per province plus the national total, ranked by end-year level."""
    rows = exact_rows(pref, indicator)
    values = rows.pivot_table(index="region", columns="year", values="value", aggfunc="first")
    names = region_table()
    out = []
    for code in [*provinces(), "CN"]:
        v0 = values.at[code, start] if code in values.index and start in values else np.nan
        v1 = values.at[code, end] if code in values.index and end in values else np.nan
        missing = [str(y) for y, v in ((start, v0), (end, v1)) if pd.isna(v)]
        ratio = v1 / v0 if not missing and v0 > 0 else np.nan
        out.append(
            {
                "region": code,
                "name_zh": names.at[code, "name_zh"],
                "name_en": names.at[code, "name_en"],
                f"value_{start}": v0,
                f"value_{end}": v1,
                "multiple": ratio,
                "annual_growth": ratio ** (1 / (end - start)) - 1 if ratio > 0 else np.nan,
                "target_multiple": multiple,
                "required_growth": multiple ** (1 / (end - start)) - 1,
                "share_of_target": ratio / multiple,
                "gap_to_target": v1 - multiple * v0,
                "note": f"no value for {', '.join(missing)}" if missing else "",
            }
        )
    table = pd.DataFrame(out)
    prov = table["region"] != "CN"
    table.loc[prov, "rank_level"] = table.loc[prov, f"value_{end}"].rank(
        ascending=False, method="min"
    )
    table.loc[prov, "rank_growth"] = table.loc[prov, "multiple"].rank(ascending=False, method="min")
    reached = (table["multiple"] >= multiple).astype("boolean")
    table["reached_target"] = reached.mask(table["multiple"].isna())
    return table.sort_values(
        ["rank_level", "region"], na_position="last", kind="stable", ignore_index=True
    )
