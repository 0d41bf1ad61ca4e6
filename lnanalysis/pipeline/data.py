"""The data step: every table of data/processed/ that comes from data/raw/ alone.

Observations, preferred values, conflicts, derived-vs-official, the dictionaries,
the targets, the source inventory and the data diff against the last build; all
written as one set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.core.io import csv_writer, write_all_atomic
from lnanalysis.core.paths import PROCESSED_DIR, RAW_DIR
from lnanalysis.extract.provenance import verify
from lnanalysis.pipeline.steps import log
from lnanalysis.reference.indicators import dictionary_frame
from lnanalysis.store.derived import compare_derived, derive
from lnanalysis.store.diff import COMPARED, diff_preferred, summary
from lnanalysis.store.observations import build_observations, load_preferred, load_sources
from lnanalysis.store.preferred import conflicts_report, select_preferred
from lnanalysis.store.schema import check_tables
from lnanalysis.targets.registry import load_registry


def source_inventory(raw_dir: Path = RAW_DIR) -> pd.DataFrame:
    """Return one row per raw source file with its verified citation."""
    rows = []
    for src in load_sources(raw_dir):
        origin = verify(raw_dir / src["path"])
        rows.append({"source_id": src["id"], "path": src["path"], **vars(origin)})
    return pd.DataFrame(rows)


def build_data(
    raw_dir: Path = RAW_DIR,
    out_dir: Path = PROCESSED_DIR,
    log: Callable[[str], None] = log,
) -> dict[str, pd.DataFrame]:
    """Build every table of ``data/processed/`` and write them atomically.

    Returns the tables by file stem, for callers that want them in memory.
    """
    t0 = time.perf_counter()
    old = _previous_preferred(out_dir, log)
    inventory = source_inventory(raw_dir)
    log(f"verified {len(inventory)} raw files against their sidecars")
    obs = build_observations(raw_dir)
    log(f"read {len(obs)} sourced values")
    marked = select_preferred(obs)
    derived = derive(marked[marked["preferred"]])
    if not derived.empty:
        # Derived indicators have ids of their own: each derived row is its key's only value.
        obs = pd.concat([obs, derived], ignore_index=True)
        derived = derived.assign(preferred=True, n_sources=1)
        marked = pd.concat([marked, derived], ignore_index=True).sort_values(
            ["region", "indicator", "year", "obs_id"], kind="stable", ignore_index=True
        )
    preferred = marked[marked["preferred"]].drop(columns=["preferred"]).reset_index(drop=True)
    tables = {
        "observations": marked,
        "preferred": preferred,
        "conflicts": conflicts_report(obs),
        "derived_vs_official": compare_derived(preferred),
        "indicator_dictionary": dictionary_frame(),
        "targets": load_registry().frame(),
        "sources": inventory,
        "data_dictionary": column_dictionary(),
    }
    tables["data_diff"] = diff_preferred(old, preferred)
    check_tables(tables)  # every column documented, of its type; keys filled and unique
    # All tables are replaced together: an interrupted build leaves the previous set whole
    # Every table may be opened in a spreadsheet: formula-like text is escaped
    writers = {
        out_dir / f"{stem}.csv": csv_writer(frame, escape=True) for stem, frame in tables.items()
    }
    write_all_atomic(writers)
    for line in summary(tables["data_diff"]):
        log(line)
    n_conf = len(tables["conflicts"])
    log(
        f"wrote {len(tables)} tables to {out_dir.name}/ ({len(preferred)} preferred values, "
        f"{n_conf} conflicting figures) in {time.perf_counter() - t0:.1f}s"
    )
    return tables


def _previous_preferred(out_dir: Path, log: Callable[[str], None]) -> pd.DataFrame | None:
    """Return the last build's preferred table for the data diff (None when there is none)."""
    if not (out_dir / "preferred.csv").exists():
        return None
    old = load_preferred(out_dir)
    if not set(COMPARED) <= set(old.columns):
        log("previous preferred.csv has other columns: no data diff this time")
        return None
    return old


def column_dictionary() -> pd.DataFrame:
    """Return every column of the processed tables: its type, unit and meaning."""
    frame = pd.DataFrame(load_yaml("columns.yaml")["columns"])
    frame["unit"] = frame["unit"].fillna("") if "unit" in frame else ""
    return frame[["table", "column", "dtype", "unit", "description"]]
