"""Run briefing notebooks in a pool of fresh processes, some while the figures are drawn.

A notebook that shows no figure file (``without_figures`` in
``config/notebooks.yaml``) may start as soon as the tables are written, while the
figures are still being drawn: the two stages then share the machine instead of
leaving a core idle at the end of each. Its kernel's trace proves the claim at every
run: an early notebook that read a figure file stops the build, naming the file.
Notebooks go to the pool in the order of ``run_first`` (the slowest), then in
reading order, so the pool does not finish on one long notebook.

Results are gathered, logged and recorded in the build manifest in the main process
only, after every notebook has been submitted.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from lnanalysis.core.errors import InputError
from lnanalysis.core.processes import die_with_parent
from lnanalysis.core.progress import log
from lnanalysis.core.settings import settings
from lnanalysis.pipeline.nbdiff import describe
from lnanalysis.pipeline.notebooks import (
    HTML_DIR,
    NotebookError,
    NotebookRun,
    briefing_notebooks,
    execute_notebook,
    notebook_digests,
    warm_up,
)

FIGURES_PREFIX = "figures/"


def schedule() -> tuple[list[str], list[str]]:
    """Return the notebooks that show no figure, and those to submit first (by stem).

    Raises
    ------
    InputError
        When a list names a notebook that is not in the briefing (a typo).
    """
    cfg = settings("notebooks.yaml")
    known = {p.stem for p in briefing_notebooks()}
    lists = {"without_figures": list(cfg.without_figures), "run_first": list(cfg.run_first)}
    for key, names in lists.items():
        unknown = sorted(set(names) - known)
        if unknown:
            raise InputError(
                f"{key}: no briefing notebook named {unknown}",
                file="lnanalysis/config/notebooks.yaml",
            )
    return lists["without_figures"], lists["run_first"]


def check_early(path: Path, run: NotebookRun) -> None:
    """Refuse the run of an early notebook (see module doc) whose kernel read a figure."""
    shown = [f for f in (run.reads or {}).get("files", []) if f.startswith(FIGURES_PREFIX)]
    if shown:
        raise NotebookError(
            f"it read {shown[0]} while the figures were being drawn; remove it "
            "from without_figures in lnanalysis/config/notebooks.yaml",
            file=path,
        )


class NotebookPool:
    """Submit notebooks in batches to ``workers`` spawned processes; collect them once."""

    def __init__(
        self,
        log: Callable[[str], None] = log,
        workers: int = 2,
        html_dir: Path | None = HTML_DIR,
        accept: bool = False,
        runner=None,
    ) -> None:
        self.log, self.workers, self.html_dir = log, workers, html_dir
        self.accept, self.runner = accept, runner
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, tuple[Path, bool]] = {}
        self._order: list[Path] = []

    def __enter__(self) -> NotebookPool:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _todo(self, paths: list[Path]) -> list[Path]:
        """Return the notebooks to run: all without a runner, else those not up to date."""
        if self.runner is None:
            return list(paths)
        todo = []
        for path in paths:
            step = f"notebook {path.stem}"
            record = self.runner.manifest.steps.get(step, {})
            reason = self.runner.why(step, notebook_digests(path, record.get("reads")))
            if reason is None:
                self.runner.up_to_date(step)
            else:
                self.log(f"{step}: {reason}")
                self.runner.manifest.forget(step)
                todo.append(path)
        return todo

    def submit(self, paths: list[Path], early: bool = False) -> None:
        """Submit the notebooks of ``paths`` that need a run (``early``: while figures draw)."""
        _, first = schedule()
        todo = sorted(
            self._todo(paths),
            key=lambda p: first.index(p.stem) if p.stem in first else len(first),
        )
        if not todo:
            return
        trace = self.runner is not None
        for path in todo:
            job = (path, self.html_dir, self.accept, trace)
            self._futures[self._executor().submit(execute_notebook, *job)] = (path, early)
            self._order.append(path)

    def warm(self) -> None:
        """Start the workers now and have them import what a notebook run needs.

        Called while the figures are drawn, so that the workers' start-up overlaps it.
        """
        if self._pool is None:
            for _ in range(self.workers):
                self._executor().submit(warm_up)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=die_with_parent
            )
        return self._pool

    def collect(self) -> dict[str, NotebookRun]:
        """Wait for every submitted notebook; log, check and record each; reading order."""
        runs: dict[str, NotebookRun] = {}
        for n, future in enumerate(as_completed(self._futures), 1):
            path, early = self._futures[future]
            run = runs[path.name] = future.result()
            self.log(f"notebook {n}/{len(self._futures)}: {path.name} ({run.seconds:.1f}s)")
            if early:
                check_early(path, run)
            self._report(path, run)
        return {p.name: runs[p.name] for p in sorted(self._order)}

    def _report(self, path: Path, run: NotebookRun) -> None:
        if run.changes:
            what = "accepted" if run.replaced else f"kept in {run.pending.parent.name}/"
            self.log(
                f"  {len(run.changes)} output lines differ from the committed notebook ({what})"
            )
            for line in describe(list(run.changes)):
                self.log(line)
        if self.runner is not None and run.replaced:
            outputs = [path] + ([self.html_dir / f"{path.stem}.html"] if self.html_dir else [])
            digests = notebook_digests(path, run.reads)
            self.runner.done(f"notebook {path.stem}", digests, outputs, reads=run.reads)
