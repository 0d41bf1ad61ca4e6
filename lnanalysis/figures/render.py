"""Draw every briefing figure listed in config/figures.yaml, in both languages."""

from __future__ import annotations

import hashlib
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import FIGURES_DIR
from lnanalysis.core.processes import die_with_parent
from lnanalysis.core.progress import log
from lnanalysis.core.settings import TrajectoryFigure, settings
from lnanalysis.figures import LANGS
from lnanalysis.figures.inventory import coverage_figure
from lnanalysis.figures.provinces import doubling_figure, provinces_figure
from lnanalysis.figures.scorecard import scorecard_figure
from lnanalysis.figures.style import figure_style
from lnanalysis.figures.trajectory import trajectory_figure
from lnanalysis.report.inventory import coverage
from lnanalysis.store.asof import vintages
from lnanalysis.store.observations import exact_rows, load_observations, load_preferred
from lnanalysis.targets.context import doubling_context
from lnanalysis.targets.registry import load_registry
from lnanalysis.targets.scorecard import load_scorecard
from lnanalysis.targets.trajectory import trajectory
from lnanalysis.trend.calibration import Calibration


def save_figure(fig, stem: str, lang: str, out_dir: Path = FIGURES_DIR) -> list[Path]:
    """Save ``fig`` as figures/<lang>/<stem>.{png,svg,pdf} (atomically) and close it."""
    paths = []
    # Fixed metadata keeps the files identical from one build to the next
    meta = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None, "ModDate": None},
    }
    with figure_style():
        for ext in settings("figures.yaml").formats:
            target = out_dir / lang / f"{stem}.{ext}"
            write_atomic(
                target,
                lambda p, ext=ext: fig.savefig(
                    p, format=ext, bbox_inches="tight", metadata=meta[ext]
                ),
            )
            paths.append(target)
    plt.close(fig)
    return paths


def trajectory_specs(registry, pref: pd.DataFrame) -> list[TrajectoryFigure]:
    """List the trajectory figures: those of figures.yaml, then one per other target with data.

    Every quantified target whose own indicator has an exact value in its plan's
    region gets its plain trajectory (named by the target id) unless figures.yaml
    already draws it; a newly registered target, or a whole new plan, is drawn
    without editing figures.yaml.
    """
    # A series with no exact value gets no (empty) chart: it is listed as missing instead
    specs = []
    for s in settings("figures.yaml").trajectories:
        target = registry.get(s.target)
        if not exact_rows(pref, s.indicator or target.indicator, target.region).empty:
            specs.append(s)
    variants = ("as_of", "indicator", "baseline_year")
    plain = {s.target for s in specs if all(getattr(s, v) is None for v in variants)}
    for target in registry:
        if not target.is_quantified or target.id in plain:
            continue
        if not exact_rows(pref, target.indicator, target.region).empty:
            specs.append(TrajectoryFigure(stem=target.id, target=target.id))
    return specs


def _jobs(
    obs: pd.DataFrame, pref: pd.DataFrame, calibrations: dict[int | None, Calibration] | None
) -> list[tuple[str, Callable, tuple]]:
    """List every figure as (stem, drawing function, its data).

    The function takes the data and a language, and reads nothing else but the
    configuration.
    """
    cfg = settings("figures.yaml")
    registry = load_registry()
    specs = trajectory_specs(registry, pref)
    tables = vintages(obs, {spec.as_of for spec in specs}, today=pref)
    jobs = []
    for spec in specs:
        traj = trajectory(
            registry.get(spec.target),
            obs,
            as_of=spec.as_of,
            indicator=spec.indicator,
            baseline_year=spec.baseline_year,
            tables=tables,
            calibration=(calibrations or {}).get(spec.as_of),
        )
        if traj.region == registry.plan["region"]:
            jobs.append((spec.stem, trajectory_figure, (traj,)))
        else:  # another region than the first plan's: the title names it
            jobs.append((spec.stem, _trajectory_in, (traj, _region_names(traj.region))))
    # The configured scorecard charts show the first plan; each further plan gets its own
    first = registry.plan["id"]
    cards = {as_of: load_scorecard(as_of) for as_of in {c.as_of for c in cfg.scorecards} | {None}}
    for card in cfg.scorecards:
        rows = _plan_rows(cards[card.as_of], first)
        jobs.append((card.stem, _scorecard, (rows, card.as_of, None)))
    for plan_id, plan in registry.plans.items():
        if plan_id != first:
            rows = _plan_rows(cards[None], plan_id)
            jobs.append((f"scorecard_{plan_id}", _scorecard, (rows, None, plan)))
    for one in cfg.provinces:
        rows = pref[pref["indicator"] == one.indicator].reset_index(drop=True)
        jobs.append((one.stem, _provinces, (rows, one.indicator)))
    for plain in cfg.coverage:
        jobs.append((plain.stem, coverage_figure, (coverage(pref),)))
    for one in cfg.doubling:
        jobs.append((one.stem, doubling_figure, (doubling_context(pref, one.indicator),)))
    return jobs


def _region_names(code: str) -> dict[str, str]:
    from lnanalysis.reference.lookup import regions_frame

    row = regions_frame().set_index("code").loc[code]
    return {"zh": row["name_zh"], "en": row["name_en"]}


def _trajectory_in(traj, region: dict[str, str], lang: str):
    return trajectory_figure(traj, lang, region=region[lang])


def _plan_rows(card: pd.DataFrame, plan_id: str) -> pd.DataFrame:
    return card[card["plan"] == plan_id].reset_index(drop=True)


def _scorecard(card: pd.DataFrame, as_of: int | None, plan: dict | None, lang: str):
    return scorecard_figure(card, lang, as_of, plan)


def _provinces(pref: pd.DataFrame, indicator: str, lang: str):
    return provinces_figure(pref, indicator, lang)


def payload_digest(func: Callable, args: tuple) -> str:
    """Return a digest of what a figure draws: its function's name and its data."""
    blob = pickle.dumps((func.__module__, func.__qualname__, args), protocol=5)
    return hashlib.sha256(blob).hexdigest()


_JOBS: list = []


def _render(args: tuple[int, str, Path]) -> list[Path]:
    index, lang, out_dir = args
    stem, func, data = _JOBS[index]
    return save_figure(func(*data, lang), stem, lang, out_dir)


def figure_files(stem: str, out_dir: Path = FIGURES_DIR) -> list[Path]:
    """Return the files one figure is saved as, in every language and format."""
    formats = settings("figures.yaml").formats
    return [out_dir / lang / f"{stem}.{ext}" for lang in LANGS for ext in formats]


def build_figures(
    log: Callable[[str], None] = log,
    out_dir: Path = FIGURES_DIR,
    workers: int = 2,
    obs: pd.DataFrame | None = None,
    pref: pd.DataFrame | None = None,
    calibrations: dict[int | None, Calibration] | None = None,
    runner=None,
    started: Callable[[bool], None] | None = None,
) -> list[Path]:
    """Draw and save every figure in both languages; return the files of every figure.

    The data of every figure is prepared here; drawing and saving run in ``workers``
    forked processes (the drawing functions are shared with them by the fork).
    With a ``runner`` (:class:`lnanalysis.pipeline.steps.Runner`), a figure whose
    data, drawing code and the config files drawing reads (``drawing_reads`` in
    figures.yaml) are unchanged since it was last drawn is not drawn again.
    ``started(drawing)`` is called once the drawing processes exist (so that the
    caller may start threads or other pools without a fork after them); ``drawing``
    tells whether any figure is being drawn.
    """
    obs = load_observations() if obs is None else obs
    pref = load_preferred() if pref is None else pref
    jobs = _jobs(obs, pref, calibrations)
    digests: dict[str, dict[str, str]] = {}
    todo = []
    if runner is not None:
        from lnanalysis.core.paths import CONFIG_DIR
        from lnanalysis.pipeline.manifest import Inputs

        # Beyond its data and code, a figure depends on the config files drawing reads
        reads = [CONFIG_DIR / name for name in settings("figures.yaml").drawing_reads]
        base = Inputs().files(reads).code([__name__]).digests(runner.manifest.root)
        for stem, func, data in jobs:
            digests[stem] = {**base, "value:data": payload_digest(func, data)}
            reason = runner.why(f"figure {stem}", digests[stem])
            if reason is None:
                runner.up_to_date(f"figure {stem}")
            else:
                runner.manifest.forget(f"figure {stem}")
                todo.append((stem, func, data))
    else:
        todo = jobs
    _JOBS[:] = todo
    tasks = [(i, lang, out_dir) for i in range(len(_JOBS)) for lang in LANGS]
    with ExitStack() as stack:
        results = map(_render, tasks)
        if workers > 1 and len(tasks) > 1:
            ctx = multiprocessing.get_context("fork")
            pool = stack.enter_context(
                ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent)
            )
            results = pool.map(_render, tasks)  # every worker is forked by now
        if started is not None:
            started(bool(tasks))
        drawn: list[Path] = []
        for n, paths in enumerate(results, 1):
            drawn += paths
            if n % len(LANGS) == 0:
                stem = _JOBS[n // len(LANGS) - 1][0]
                log(f"figure {n // len(LANGS)}/{len(_JOBS)}: {stem}")
                if runner is not None:
                    runner.done(f"figure {stem}", digests[stem], figure_files(stem, out_dir))
    current = [p for stem, _, _ in jobs for p in figure_files(stem, out_dir)]
    stale = _remove_stale(out_dir, {p.name for p in current})
    if runner is not None:
        for stem in stale:
            runner.manifest.forget(f"figure {stem}")
    if stale:
        log(f"removed {len(stale)} files of figures no longer drawn ({', '.join(sorted(stale))})")
    return current


def _remove_stale(out_dir: Path, current: set[str]) -> set[str]:
    """Remove figure files the build no longer draws (e.g. a chart for a series now missing)."""
    stale = set()
    formats = tuple(f".{ext}" for ext in settings("figures.yaml").formats)
    for lang in LANGS:
        for path in (out_dir / lang).glob("*"):
            if path.suffix in formats and path.name not in current:
                path.unlink()
                stale.add(path.stem)
    return stale
