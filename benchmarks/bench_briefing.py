"""Benchmark: `make briefing` end to end (cold: no backtest cache), per notebook, and nbval.

The floor of a notebook is a kernel start plus the imports every notebook needs
(pandas, statsmodels, matplotlib); it is measured here by executing a one-cell
notebook with those imports, and the briefing's total is reported against it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench, info

from lnanalysis.core.paths import CACHE_DIR, ROOT
from lnanalysis.pipeline.notebooks import briefing_notebooks

FLOOR_CELL = "import pandas, statsmodels.api, matplotlib.pyplot\nimport lnanalysis"


def _floor_seconds() -> float:
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(FLOOR_CELL)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    t0 = time.perf_counter()
    NotebookClient(nb, kernel_name="python3").execute(stderr=subprocess.DEVNULL)
    assert nbformat.validate(nb) is None
    return time.perf_counter() - t0


def _run(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, done.stdout + done.stderr


def main() -> int:
    for cached in CACHE_DIR.glob("backtest-*.pkl"):
        cached.unlink()  # a cold build: the backtest runs as on a fresh clone
    total, log = _run(["make", "--no-print-directory", "briefing"])
    per_nb = {m[0]: float(m[1]) for m in re.findall(r"notebook \d+/\d+: (\S+) \(([\d.]+)s\)", log)}
    stages = dict(re.findall(r"\] (.+?) in ([\d.]+)s", log))
    nbval, _ = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            "notebooks/nbval_sanitize.cfg",
            *[str(p.relative_to(ROOT)) for p in briefing_notebooks()],
        ]
    )
    floor = _floor_seconds()
    for name, secs in per_nb.items():
        info(f"briefing_notebook_{name.removesuffix('.ipynb')}", secs, "s")
    for stage, secs in stages.items():
        info("briefing_stage_" + re.sub(r"\W+", "_", stage).strip("_")[:40], float(secs), "s")
    info("notebook_floor_kernel_and_imports", floor, "s")
    info("briefing_total_over_floor", total / floor, "x")
    info("notebooks_sum_over_floor_sum", sum(per_nb.values()) / (floor * len(per_nb)), "x")
    ok = bench("briefing_total", total, "s", "<=", 60, ".1f")
    ok &= bench("nbval_total", nbval, "s", "<=", 120, ".1f")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
