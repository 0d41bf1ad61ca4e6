"""The briefing step after the data: backtest, scorecards, figures, notebooks.

Writes to ``data/processed/``: ``calibration.csv`` (interval factors by indicator
and horizon), ``backtest_scores.csv``, ``backtest_binary.csv``,
``backtest_skipped.csv``, ``provinces_context.csv``, ``yearbook_crosscheck.csv``
(when the yearbook tables are available) and the scorecard as of today and as of
the mid-term years, as CSV and one Excel workbook. Then draws every figure into
``figures/`` and executes the notebooks in place (HTML copies in notebooks/html/).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from lnanalysis.backtest.panel import backtest
from lnanalysis.core.io import write_csv, write_xlsx
from lnanalysis.core.paths import PROCESSED_DIR
from lnanalysis.store.observations import load_observations, load_preferred
from lnanalysis.targets.context import doubling_context
from lnanalysis.trend.calibration import Calibration

REPLAY_YEARS = (2017, 2018)
# Indicators of the provincial comparison (2015 -> 2020 against a doubling)
CONTEXT = ("rd_expenditure", "tech_contract_turnover_seller")


def _yearbook_crosscheck(log: Callable[[str], None], pref: pd.DataFrame) -> None:
    from lnanalysis.extract.yearbook.crosscheck import crosscheck
    from lnanalysis.extract.yearbook.fetch import yearbook_dir

    where = yearbook_dir()
    if where is None:
        log("yearbook tables not available (run `make fetch-yearbooks`): cross-check skipped")
        return
    table = crosscheck(pref, where)
    write_csv(table, PROCESSED_DIR / "yearbook_crosscheck.csv")
    n_bad = int(table["mismatch"].sum()) if len(table) else 0
    log(f"yearbook cross-check: {len(table)} figures compared, {n_bad} mismatches")


def build_briefing(log: Callable[[str], None] = print) -> None:
    """Run the backtest (cached on its inputs' hash) and write calibration and scorecards."""
    from lnanalysis.targets.scorecard import scorecard, scorecard_path

    t0 = time.perf_counter()
    log("backtest over the provincial panel (cached when inputs are unchanged) ...")
    pref = load_preferred()  # today's preferred values, read once for every step
    result = backtest(pref)
    write_csv(result["calibration"], PROCESSED_DIR / "calibration.csv")
    write_csv(result["scores"], PROCESSED_DIR / "backtest_scores.csv")
    write_csv(result["skipped"], PROCESSED_DIR / "backtest_skipped.csv")
    write_csv(result["binary"], PROCESSED_DIR / "backtest_binary.csv")
    calibration = Calibration(result["calibration"])
    context = pd.concat(
        [doubling_context(pref, ind).assign(indicator=ind) for ind in CONTEXT],
        ignore_index=True,
    )
    write_csv(context, PROCESSED_DIR / "provinces_context.csv")
    log(f"backtest: {len(result['cases'])} forecast cases in {time.perf_counter() - t0:.1f}s")
    _yearbook_crosscheck(log, pref)
    obs = load_observations()
    cards = {
        year: scorecard(year, obs=obs, pref_now=pref, calibration=calibration)
        for year in (None, *REPLAY_YEARS)
    }
    for year, frame in cards.items():
        write_csv(frame, scorecard_path(year), escape=True)
    sheets = {"now" if y is None else f"as_of_{y}": frame for y, frame in cards.items()}
    write_xlsx(sheets, PROCESSED_DIR / "scorecard.xlsx")
    log(f"scorecards written ({', '.join(sheets)})")
    from lnanalysis.figures.render import build_figures

    t1 = time.perf_counter()
    written = build_figures(log=log, obs=obs, pref=pref, calibration=calibration)
    log(f"{len(written)} figure files written in {time.perf_counter() - t1:.1f}s")
    from lnanalysis.pipeline.notebooks import briefing_notebooks, execute_all

    notebooks = briefing_notebooks()
    t2 = time.perf_counter()
    execute_all(notebooks, log=log)
    log(f"{len(notebooks)} notebooks executed in {time.perf_counter() - t2:.1f}s")
