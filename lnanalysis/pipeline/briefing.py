"""The briefing step after the data: backtest, scorecards, figures, notebooks.

Writes to ``data/processed/``: ``calibration.csv`` (interval factors by indicator
and horizon), ``backtest_scores.csv``, ``backtest_binary.csv``,
``backtest_skipped.csv``, ``provinces_context.csv``, ``yearbook_crosscheck.csv``
(when the yearbook tables are available) and the scorecard as of today and as of
the mid-term years, as CSV and one Excel workbook. Then draws every figure into
``figures/`` and executes the notebooks in place (HTML copies beside them).

:func:`briefing_tables` computes those tables without writing them, so that
``check-processed`` can rebuild them into a scratch folder and compare.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lnanalysis.backtest.calibrate import calibration_for
from lnanalysis.backtest.panel import backtest
from lnanalysis.core.io import csv_writer, write_all_atomic
from lnanalysis.core.paths import PROCESSED_DIR
from lnanalysis.store.observations import load_observations, load_preferred
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
    obs: pd.DataFrame, pref: pd.DataFrame, log: Callable[[str], None] = print
) -> tuple[dict[str, pd.DataFrame], dict[int | None, Calibration]]:
    """Compute the briefing's tables by file stem, and the calibrations by as-of year."""
    from lnanalysis.targets.scorecard import scorecard, scorecard_path

    t0 = time.perf_counter()
    log("backtest over the provincial panel (cached when inputs are unchanged) ...")
    result = backtest(pref)
    calibrations = {None: Calibration(result["calibration"])}
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
    log(f"backtest: {len(result['cases'])} forecast cases in {time.perf_counter() - t0:.1f}s")
    for year in REPLAY_YEARS:
        # The replay's bands come from a backtest on what was published by then
        calibrations[year] = calibration_for(obs, year)
        tables[f"calibration_as_of_{year}"] = calibrations[year].table
    log(f"calibration as of {', '.join(map(str, REPLAY_YEARS))} from their own vintages")
    crosscheck = _yearbook_crosscheck(log, pref)
    if crosscheck is not None:
        tables["yearbook_crosscheck"] = crosscheck
    for year in (None, *REPLAY_YEARS):
        card = scorecard(year, obs=obs, pref_now=pref, calibration=calibrations[year])
        tables[scorecard_path(year).stem] = card
    return tables, calibrations


def write_briefing_tables(tables: dict[str, pd.DataFrame], out_dir: Path = PROCESSED_DIR) -> None:
    """Write the briefing's tables as one set; scorecards also go into one workbook."""
    cards = {stem: frame for stem, frame in tables.items() if stem.startswith("scorecard_")}
    write_all_atomic(
        {out_dir / f"{stem}.csv": csv_writer(frame, escape=True) for stem, frame in tables.items()}
    )
    from lnanalysis.report.workbook import write_scorecard_workbook

    sheets = {stem.removeprefix("scorecard_"): frame for stem, frame in cards.items()}
    sources = out_dir / "sources.csv"
    write_scorecard_workbook(
        sheets, out_dir / "scorecard.xlsx", pd.read_csv(sources) if sources.exists() else None
    )


def _web_report(log: Callable[[str], None]) -> None:
    """Write the bilingual static report to report/ (and its PDFs where Chromium is found)."""
    from lnanalysis.core.paths import CONFIG_DIR, FIGURES_DIR, ROOT
    from lnanalysis.report.web import build_report, find_chromium

    t0 = time.perf_counter()
    written = build_report(PROCESSED_DIR, FIGURES_DIR, CONFIG_DIR, ROOT / "report")
    pdf = "" if find_chromium() else " (no Chromium found: no PDF; see `make browser`)"
    names = ", ".join(str(p.relative_to(ROOT)) for p in written)
    log(f"web report written in {time.perf_counter() - t0:.1f}s: {names}{pdf}")


def build_briefing(log: Callable[[str], None] = print, accept_notebooks: bool = False) -> None:
    """Write the briefing's tables, then draw the figures and execute the notebooks.

    A notebook whose outputs differ from the committed copy is replaced only with
    ``accept_notebooks`` (``make briefing ACCEPT=1``); see :mod:`lnanalysis.pipeline.notebooks`.
    """
    pref = load_preferred()  # today's preferred values, read once for every step
    obs = load_observations()
    tables, calibrations = briefing_tables(obs, pref, log)
    write_briefing_tables(tables)
    cards = [stem.removeprefix("scorecard_") for stem in tables if stem.startswith("scorecard_")]
    log(f"scorecards written ({', '.join(cards)})")
    from lnanalysis.figures.render import build_figures

    t1 = time.perf_counter()
    written = build_figures(log=log, obs=obs, pref=pref, calibrations=calibrations)
    log(f"{len(written)} figure files written in {time.perf_counter() - t1:.1f}s")
    from lnanalysis.pipeline.notebooks import briefing_notebooks, execute_all

    notebooks = briefing_notebooks()
    t2 = time.perf_counter()
    runs = execute_all(notebooks, log=log, accept=accept_notebooks)
    log(f"{len(notebooks)} notebooks executed in {time.perf_counter() - t2:.1f}s")
    _web_report(log)
    held = [name for name, run in runs.items() if not run.replaced]
    if held:
        log(
            f"{len(held)} notebooks differ from the committed reference and were not replaced "
            f"({', '.join(held)}): review the lines above (new runs in .cache/notebooks/), "
            "then `make briefing ACCEPT=1` to accept them"
        )
