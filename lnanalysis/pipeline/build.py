"""The briefing build as a chain of cached steps.

1. **data**: data/processed/ tables from data/raw/ (reads data/raw/, the config).
2. **tables**: backtest, calibrations, context and scorecards (reads the data
   step's tables, the config and the yearbook tables when they are available).
3. **figures**: each figure is its own step, keyed on the data it draws.
4. **notebooks**: each notebook is its own step, keyed on the files and package
   modules its last run was seen to read (values outside its declared scope of
   indicators do not count; see ``config/notebooks.yaml``).
5. **report**: the web report (reads the tables, figures and notebooks).

Every step also depends on the package modules it imports, directly or not. A
step whose inputs and outputs match the manifest is skipped with one line
saying so; ``--force`` (``make briefing FORCE=1``) runs them all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from lnanalysis.core.io import remove_stale_staging
from lnanalysis.core.paths import (
    CACHE_DIR,
    CONFIG_DIR,
    FIGURES_DIR,
    NOTEBOOKS_DIR,
    PROCESSED_DIR,
    RAW_DIR,
    ROOT,
)
from lnanalysis.core.progress import show_progress
from lnanalysis.pipeline.manifest import Inputs, Manifest
from lnanalysis.pipeline.steps import Runner, log

# The tables the data step writes, read by the tables step
DATA_TABLES = ("observations", "preferred", "sources")


def data_step(runner: Runner) -> None:
    """Build the data tables from data/raw/ (when the raw files, config or code changed)."""
    from lnanalysis.pipeline.data import build_data

    inputs = Inputs().tree(RAW_DIR).tree(CONFIG_DIR).code(["lnanalysis.pipeline.data"])

    def action():
        return [PROCESSED_DIR / f"{stem}.csv" for stem in build_data(log=runner.log)]

    runner.run("data", inputs, action)


def tables_step(runner: Runner) -> None:
    """Write the backtest, calibration, context and scorecard tables."""
    from lnanalysis.extract.yearbook.fetch import yearbook_dir

    inputs = (
        Inputs()
        .files(PROCESSED_DIR / f"{stem}.csv" for stem in DATA_TABLES)
        .tree(CONFIG_DIR)
        .code(["lnanalysis.pipeline.tables"])
    )
    where = yearbook_dir()
    if where is not None:
        inputs.tree(where)
    inputs.value("yearbooks", str(where))

    def action():
        from lnanalysis.pipeline.tables import briefing_tables, write_briefing_tables
        from lnanalysis.store.observations import load_observations, load_preferred

        tables, _ = briefing_tables(load_observations(), load_preferred(), runner.log)
        written = write_briefing_tables(tables)
        cards = [s.removeprefix("scorecard_") for s in tables if s.startswith("scorecard_")]
        runner.log(f"scorecards written ({', '.join(cards)})")
        return written

    runner.run("tables", inputs, action)


def figures_step(runner: Runner, started: Callable[[bool], None] | None = None) -> None:
    """Draw the figures whose data, code or configuration changed.

    ``started`` is called once the drawing processes exist, or the figures are found
    up to date (see :func:`lnanalysis.figures.render.build_figures`).
    """
    from lnanalysis.figures.render import build_figures

    inputs = Inputs().tree(PROCESSED_DIR).tree(CONFIG_DIR).code(["lnanalysis.figures.render"])

    def action():
        from lnanalysis.pipeline.tables import calibrations
        from lnanalysis.store.observations import load_observations, load_preferred

        t0 = time.perf_counter()
        obs, pref = load_observations(), load_preferred()
        cal = calibrations(obs, pref)
        written = build_figures(
            log=runner.log, obs=obs, pref=pref, calibrations=cal, runner=runner, started=started
        )
        runner.log(f"{len(written)} figure files current in {time.perf_counter() - t0:.1f}s")
        return written

    runner.run("figures", inputs, action)
    if started is not None:
        started(False)


def figures_and_notebooks_step(runner: Runner, accept: bool) -> list[str]:
    """Draw the figures, then execute the notebooks whose inputs changed.

    The notebooks that show no figure start while the figures are drawn (see
    :mod:`lnanalysis.pipeline.nbpool`). Returns the notebooks held for review.
    """
    from lnanalysis.pipeline.nbpool import NotebookPool, schedule
    from lnanalysis.pipeline.notebooks import briefing_notebooks

    notebooks = briefing_notebooks()
    without_figures = schedule()[0]
    early = [p for p in notebooks if p.stem in without_figures]
    t0 = time.perf_counter()
    with NotebookPool(runner.log, accept=accept, runner=runner) as pool:

        def start_early(drawing: bool) -> None:
            nonlocal t0
            if early:
                t0 = time.perf_counter()
                pool.submit(early, early=True)
                early.clear()  # once, whether the figures ran or were up to date
            if drawing:  # new figures: notebooks will run; start their workers now
                pool.warm()

        figures_step(runner, started=start_early)
        pool.submit([p for p in notebooks if p.stem not in without_figures])
        runs = pool.collect()
    if runs:
        runner.log(f"{len(runs)} notebooks executed in {time.perf_counter() - t0:.1f}s")
    return [name for name, run in runs.items() if not run.replaced]


def report_step(runner: Runner) -> None:
    """Write the web report (and its PDFs)."""
    from lnanalysis.report.web import build_report, find_chromium

    inputs = (
        Inputs()
        .tree(PROCESSED_DIR)
        .tree(FIGURES_DIR)
        .tree(CONFIG_DIR)
        .files(sorted(NOTEBOOKS_DIR.glob("*.ipynb")))
        .listing(NOTEBOOKS_DIR)
        .code(["lnanalysis.report.web"])
    )
    inputs.value("chromium", str(find_chromium()))

    def action():
        t0 = time.perf_counter()
        written = build_report(PROCESSED_DIR, FIGURES_DIR, CONFIG_DIR, ROOT / "report")
        pdf = "" if find_chromium() else " (no Chromium found: no PDF; see `make browser`)"
        names = ", ".join(str(p.relative_to(ROOT)) for p in written)
        runner.log(f"web report written in {time.perf_counter() - t0:.1f}s: {names}{pdf}")
        return written

    runner.run("report", inputs, action)


def build(*, data_only: bool = False, accept: bool = False, force: bool = False) -> int:
    """Run the build: the data step only, or the whole briefing.

    ``accept`` replaces committed notebooks whose outputs changed (after review);
    ``force`` reruns every step whatever the manifest says.
    """
    show_progress()
    t0 = time.perf_counter()
    stale = remove_stale_staging(PROCESSED_DIR, FIGURES_DIR, NOTEBOOKS_DIR, CACHE_DIR)
    if stale:
        log(f"removed {len(stale)} staged files left by an interrupted build")
    runner = Runner(Manifest.load(), force=force, log=log)
    data_step(runner)
    if data_only:
        return 0
    tables_step(runner)
    held = figures_and_notebooks_step(runner, accept=accept)
    report_step(runner)
    if held:
        log(
            f"{len(held)} notebooks differ from the committed reference and were not replaced "
            f"({', '.join(held)}): review the lines above (new runs in .cache/notebooks/), "
            "then `make briefing ACCEPT=1` to accept them"
        )
    log(
        f"build done in {time.perf_counter() - t0:.1f}s: {len(runner.ran)} steps run, "
        f"{len(runner.skipped)} up to date"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run :func:`build` from the flags --data-only, --accept-notebooks and --force."""
    args = list(sys.argv[1:] if argv is None else argv)
    return build(
        data_only="--data-only" in args,
        accept="--accept-notebooks" in args,
        force="--force" in args,
    )
