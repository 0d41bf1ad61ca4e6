"""lnanalysis: where was each target of a government plan heading, and where did it land.

The public API is what the notebooks use. Load the data, assess the targets, read
the evidence, draw figures:

>>> import lnanalysis as ln
>>> reg = ln.load_registry()
>>> reg.get("rd_expenditure_doubling").indicator
'rd_expenditure'

Names are imported on first use, so ``import lnanalysis`` stays light.
"""

from __future__ import annotations

import importlib

# Public name -> the module that defines it
_API = {
    "PROCESSED_DIR": "lnanalysis.core.paths",
    "Registry": "lnanalysis.targets.registry",
    "Target": "lnanalysis.targets.registry",
    "load_registry": "lnanalysis.targets.registry",
    "load_observations": "lnanalysis.store.observations",
    "load_preferred": "lnanalysis.store.observations",
    "preferred_series": "lnanalysis.store.observations",
    "vintage": "lnanalysis.store.asof",
    "assess_target": "lnanalysis.targets.assess",
    "scorecard": "lnanalysis.targets.scorecard",
    "load_scorecard": "lnanalysis.targets.scorecard",
    "trajectory": "lnanalysis.targets.trajectory",
    "replay_table": "lnanalysis.targets.replay",
    "doubling_context": "lnanalysis.targets.context",
    "project": "lnanalysis.trend.projection",
    "calibration_for": "lnanalysis.backtest.calibrate",
    "best_models": "lnanalysis.backtest.report",
    "skill_readings": "lnanalysis.backtest.report",
    "coverage": "lnanalysis.report.inventory",
    "source_summary": "lnanalysis.report.inventory",
    "without_series": "lnanalysis.report.inventory",
    "briefs": "lnanalysis.report",  # a module: the notebooks' display helpers
    "trajectory_figure": "lnanalysis.figures.trajectory",
    "explore": "lnanalysis.pipeline.explore",
    "find_region": "lnanalysis.reference.lookup",
    "find_indicator": "lnanalysis.reference.lookup",
}
__all__ = sorted(_API)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'lnanalysis' has no attribute {name!r}")
    module = importlib.import_module(_API[name])
    value = getattr(module, name, None)
    if value is None:  # a submodule exported by name
        value = importlib.import_module(f"{_API[name]}.{name}")
    globals()[name] = value
    return value


def _trace_from_env() -> None:
    # A traced notebook kernel (the build's incremental rebuilds) records what it reads
    import os

    if os.environ.get("LNANALYSIS_TRACE"):
        from lnanalysis.core.trace import from_env

        from_env()


_trace_from_env()
del _trace_from_env


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
