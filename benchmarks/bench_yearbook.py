"""Benchmark: reading all 25 real yearbook files into tidy tables, against the bare cell parse.

Ways over the same files, side by side in one run (best of nine interleaved rounds):
- the full tidy load (``read_yearbook``: decrypt, parse cells, infer the layout from
  them with the package's overrides by table family, then headers, regions, units);
- the bare cell parse (decrypt + python-calamine grids of every sheet, nothing else);
- plain ``pandas.read_excel`` with openpyxl, for the .xlsx files it can read (it cannot
  read the encrypted .xls at all).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench, info

from lnanalysis.core.paths import shared_dir
from lnanalysis.extract.yearbook import read_yearbook
from lnanalysis.extract.yearbook.manifest import manifest
from lnanalysis.extract.yearbook.workbook import read_grids

ROUNDS = 9


def _best(*fns) -> list[float]:
    """Best time of each function over ROUNDS rounds, the functions interleaved in each round."""
    times = [[] for _ in fns]
    for _ in range(ROUNDS):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
    return [min(t) for t in times]


def main() -> int:
    root = shared_dir() / "real-spreadsheets"
    files = [root / table.file for table in manifest().values()]
    xlsx = [f for f in files if f.suffix == ".xlsx"]
    tidy, bare = _best(
        lambda: [read_yearbook(f) for f in files],  # layouts inferred: no map is pinned
        lambda: [read_grids(f) for f in files],
    )
    tidy_x, pandas_x = _best(
        lambda: [read_yearbook(f) for f in xlsx],
        lambda: [pd.read_excel(f, sheet_name=None, engine="openpyxl") for f in xlsx],
    )
    info("yearbook_files", len(files), "files", ".0f")
    info("yearbook_tidy_load", tidy * 1000, "ms")
    info("yearbook_bare_parse", bare * 1000, "ms")
    ok = bench("yearbook_load_vs_parse", tidy / bare, "x", "<=", 1.5)
    info("yearbook_xlsx_tidy_vs_pandas_openpyxl", tidy_x / pandas_x, "x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
