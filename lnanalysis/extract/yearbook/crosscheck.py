"""Cross-check the bulletin-compiled store against the yearbook cells of the same figures.

For each pairing in config/yearbook_crosscheck.yaml, every region and year present
in both gets one row: the store's preferred value with its source, the yearbook
cell converted to the store's unit with its address, and the relative difference.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.extract.yearbook.manifest import manifest
from lnanalysis.extract.yearbook.reader import read_yearbook
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.reference.units import convert
from lnanalysis.store.observations import exact_rows


def crosscheck(pref: pd.DataFrame, yearbook_dir: Path) -> pd.DataFrame:
    """Return one row per (region, indicator, year) found in both the store and a yearbook."""
    cfg = load_yaml("yearbook_crosscheck.yaml")
    known = manifest()
    rows = []
    read: dict[str, pd.DataFrame] = {}
    for check in cfg["checks"]:
        table = known[check["table"]]
        path = Path(yearbook_dir) / table.file
        if not path.exists():
            continue
        if table.id not in read:
            read[table.id] = read_yearbook(path, table=table.id).data
        cells = read[table.id]
        cells = cells[(cells["indicator_zh"] == check["indicator_zh"]) & cells["value"].notna()]
        target_unit = get_indicator(check["indicator"]).unit
        store = exact_rows(pref, check["indicator"]).set_index(["region", "year"])
        for cell in cells.itertuples():
            key = (cell.region, int(cell.year))
            if key not in store.index:
                continue
            ours = store.loc[key]
            converted, how = convert(cell.value, cell.unit, target_unit)
            rows.append(
                {
                    "indicator": check["indicator"],
                    "region": cell.region,
                    "year": int(cell.year),
                    "store_value": float(ours["value"]),
                    "store_source": ours["source_title"],
                    "yearbook_value": converted,
                    "yearbook_raw": cell.value_raw,
                    "yearbook_unit": cell.unit,
                    "conversion": how,
                    "yearbook_cell": f"{table.file}!{cell.sheet}!{cell.cell}",
                    "rel_diff": converted / float(ours["value"]) - 1 if ours["value"] else None,
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    # A store figure published to fewer decimals agrees when the yearbook value rounds to it
    decimals = out["store_value"].map(lambda v: len(repr(v).split(".")[1]) if "." in repr(v) else 0)
    rounded = [round(y, d) for y, d in zip(out["yearbook_value"], decimals, strict=True)]
    out["agrees_after_rounding"] = (pd.Series(rounded) - out["store_value"]).abs() < 1e-9
    out["mismatch"] = (out["rel_diff"].abs() > cfg["tolerance"]) & ~out["agrees_after_rounding"]
    return out.sort_values(["indicator", "region", "year"], ignore_index=True)
