"""The tables step after the data: backtest, calibrations, context, scorecards.

Writes to ``data/processed/``: ``calibration.csv`` (interval factors by indicator
and horizon), ``backtest_scores.csv``, ``backtest_binary.csv``,
``backtest_skipped.csv``, ``provinces_context.csv``, ``yearbook_crosscheck.csv``
(when the yearbook tables are available) and the scorecard as of today and as of
the mid-term years, as CSV and one Excel workbook.

:func:`briefing_tables` computes those tables without writing them, so that
``check-processed`` can rebuild them into a scratch folder and compare.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lnanalysis.backtest.panel import backtest_many
from lnanalysis.core.io import csv_writer, write_all_atomic
from lnanalysis.core.paths import PROCESSED_DIR
from lnanalysis.core.progress import log
from lnanalysis.store.asof import vintage
from lnanalysis.store.schema import check_tables
from lnanalysis.targets.context import doubling_context
from lnanalysis.trend.calibration import Calibration

REPLAY_YEARS = (2017, 2018)
# Indicators of the provincial comparison (2015 -> 2020 against a doubling)
CONTEXT = ("rd_expenditure", "tech_contract_turnover_seller")


def _yearbook_crosscheck(log: Callable[[str], None], pref: pd.DataFrame) -> pd.DataFrame | None:
    from lnanalysis.extract.yearbook.crosscheck import crosscheck
    from lnanalysis.extract.yearbook.fetch import yearbook_dir

    where = yearbook_dir()
    if where is None:
        log("yearbook tables not available (run `make fetch-yearbooks`): cross-check skipped")
        return None
    table = crosscheck(pref, where)
    n_bad = int(table["mismatch"].sum()) if len(table) else 0
    log(f"yearbook cross-check: {len(table)} figures compared, {n_bad} mismatches")
    return table


def briefing_tables(
    obs: pd.DataFrame, pref: pd.DataFrame, log: Callable[[str], None] = log
) -> tuple[dict[str, pd.DataFrame], dict[int | None, Calibration]]:
    """Compute the briefing's tables by file stem, and the calibrations by as-of year."""
    from lnanalysis.targets.scorecard import scorecard, scorecard_path

    t0 = time.perf_counter()
    log("backtest over the provincial panel (cached when inputs are unchanged) ...")
    results = _backtests(obs, pref)
    calibrations = _calibrations(results)
    result = results[0]
    context = pd.concat(
        [doubling_context(pref, ind).assign(indicator=ind) for ind in CONTEXT],
        ignore_index=True,
    )
    tables = {
        "calibration": result["calibration"],
        "backtest_scores": result["scores"],
        "backtest_skipped": result["skipped"],
        "backtest_binary": result["binary"],
        "backtest_coverage_by_year": result["coverage_by_year"],
        "provinces_context": context,
    }
    for year in REPLAY_YEARS:
        tables[f"calibration_as_of_{year}"] = calibrations[year].table
    log(
        f"backtest: {len(result['cases'])} forecast cases, and the calibration as of "
        f"{', '.join(map(str, REPLAY_YEARS))} from their own vintages, "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    crosscheck = _yearbook_crosscheck(log, pref)
    if crosscheck is not None:
        tables["yearbook_crosscheck"] = crosscheck
    for year in (None, *REPLAY_YEARS):
        card = scorecard(year, obs=obs, pref_now=pref, calibration=calibrations[year])
        tables[scorecard_path(year).stem] = card
    return tables, calibrations


def write_briefing_tables(
    tables: dict[str, pd.DataFrame], out_dir: Path = PROCESSED_DIR
) -> list[Path]:
    """Write the briefing's tables as one set; scorecards also go into one workbook."""
    check_tables(tables)  # every column documented, of its type; keys filled and unique
    cards = {stem: frame for stem, frame in tables.items() if stem.startswith("scorecard_")}
    written = write_all_atomic(
        {out_dir / f"{stem}.csv": csv_writer(frame, escape=True) for stem, frame in tables.items()}
    )
    from lnanalysis.report.workbook import write_scorecard_workbook

    sheets = {stem.removeprefix("scorecard_"): frame for stem, frame in cards.items()}
    sources = out_dir / "sources.csv"
    book = out_dir / "scorecard.xlsx"
    write_scorecard_workbook(sheets, book, pd.read_csv(sources) if sources.exists() else None)
    return [*written, book]


def calibrations(obs: pd.DataFrame, pref: pd.DataFrame) -> dict[int | None, Calibration]:
    """Return the calibration of today's projections and of each replay year (backtests cached)."""
    return _calibrations(_backtests(obs, pref))


def _backtests(obs: pd.DataFrame, pref: pd.DataFrame) -> list[dict]:
    """Today's backtest, then one per replay year on what was published by then (one pool)."""
    return backtest_many([pref, *(vintage(obs, year) for year in REPLAY_YEARS)])


def _calibrations(results: list[dict]) -> dict[int | None, Calibration]:
    years = (None, *REPLAY_YEARS)
    return {year: Calibration(r["calibration"]) for year, r in zip(years, results, strict=True)}
