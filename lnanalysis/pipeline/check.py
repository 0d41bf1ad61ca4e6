"""Rebuild ``data/processed/`` into a scratch folder and compare it with the committed tables.

A change to the code, the configuration or the raw data that alters a processed
table, committed without ``make briefing``, shows up here cell by cell
(table, key, column, old -> new). ``make check-processed`` prints the report; the
test suite fails on any difference.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.core.paths import PROCESSED_DIR
from lnanalysis.core.progress import log
from lnanalysis.pipeline.data import build_data
from lnanalysis.pipeline.tables import briefing_tables, write_briefing_tables
from lnanalysis.store.diff import diff_table
from lnanalysis.store.observations import load_observations, load_preferred

# Relative tolerance for numbers: far below any change of a model or a figure, above
# the last-digit noise of floating-point arithmetic across machines.
RTOL = 1e-9
COLUMNS = ["table", "key", "column", "change", "old", "new"]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def rebuild_processed(
    scratch: Path, committed: Path = PROCESSED_DIR, log: Callable[[str], None] = log
) -> None:
    """Build every processed table into ``scratch`` exactly as ``make briefing`` would."""
    scratch.mkdir(parents=True, exist_ok=True)
    if (committed / "preferred.csv").exists():
        # The data diff compares with the previous build: give it the committed one
        shutil.copyfile(committed / "preferred.csv", scratch / "preferred.csv")
    build_data(out_dir=scratch, log=log)
    tables, _ = briefing_tables(load_observations(scratch), load_preferred(scratch), log)
    write_briefing_tables(tables, scratch)


def compare_processed(committed: Path, rebuilt: Path) -> pd.DataFrame:
    """Return the cell differences between two folders of processed tables."""
    frames = []
    for stem, spec in load_yaml("columns.yaml")["tables"].items():
        old, new = committed / f"{stem}.csv", rebuilt / f"{stem}.csv"
        if not new.exists() and spec.get("needs_yearbooks"):
            continue  # not rebuilt where the yearbook spreadsheets are absent
        if spec.get("since_last_build"):
            continue  # compares with the previous build, whichever that was
        if old.exists() != new.exists():
            change = "disappeared" if old.exists() else "appeared"
            row = {"key": "(table)", "column": "", "change": change, "old": "", "new": ""}
            frames.append(pd.DataFrame([row]).assign(table=stem))
        elif old.exists():
            frames.append(diff_table(_read(old), _read(new), spec["key"], RTOL).assign(table=stem))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out.reindex(columns=COLUMNS)


def check_processed(
    scratch: Path, committed: Path = PROCESSED_DIR, log: Callable[[str], None] = log
) -> pd.DataFrame:
    """Rebuild into ``scratch`` and return the differences with ``committed`` (empty: none)."""
    rebuild_processed(scratch, committed, log)
    return compare_processed(committed, scratch)


def report(diff: pd.DataFrame, limit: int = 40) -> list[str]:
    """Printable lines: counts per table, then the first differences as old -> new."""
    if diff.empty:
        return ["check-processed: the committed data/processed/ tables are up to date"]
    counts = diff.groupby("table", sort=True).size()
    lines = [
        f"check-processed: {len(diff)} differences between the committed tables and a rebuild "
        f"({', '.join(f'{t}: {n}' for t, n in counts.items())})"
    ]
    for r in diff.head(limit).itertuples(index=False):
        if r.change == "changed":
            lines.append(f"  {r.table} [{r.key}] {r.column}: {r.old!r} -> {r.new!r}")
        else:
            lines.append(f"  {r.table} [{r.key}] {r.column}: {r.change}")
    if len(diff) > limit:
        lines.append(f"  ... {len(diff) - limit} more")
    lines.append("To accept the new values deliberately: `make briefing`, review, commit.")
    return lines
