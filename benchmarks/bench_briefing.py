"""Benchmark: the briefing build cold, with nothing changed, and after one new value; nbval.

All builds run side by side in two scratch copies of the project (the working tree
is not touched). Each copy runs the cold, no-op and one-value builds, and the faster
of the two counts for each (the slower cold build is printed too): this shared
2-core machine's speed drifts by 10-15 % from one minute to the next, and best-of-two
filters that drift out.

- **cold**: no build manifest and no backtest cache, as on a fresh clone (the web
  report and its PDFs included);
- **noop**: the same build again, nothing changed;
- **one_value**: a figure for Liaoning read in a bulletin is added with
  ``add-value`` (science literacy, 2021; SYNTHETIC value), then the build reruns
  what it touches;
- for context (no goal), a new Liaoning R&D expenditure value: R&D is in the
  backtest panel, whose values set the calibration of every projection band, so
  most of the briefing legitimately reruns.

The floor of a notebook (a kernel start plus the imports every notebook needs) is
measured as a one-cell notebook with those imports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench, info

from lnanalysis.core.paths import ROOT, shared_dir
from lnanalysis.pipeline.notebooks import briefing_notebooks

FLOOR_CELL = "import pandas, statsmodels.api, matplotlib.pyplot\nimport lnanalysis"
PARTS = ("lnanalysis", "data", "notebooks", "figures")
NOTEBOOK_LINE = r"notebook \d+/\d+: (\S+) \(([\d.]+)s\)"


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


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, done.stdout + done.stderr


def _add_value(copy: Path, env: dict, indicator: str, year: int, value: str, unit: str) -> None:
    _run(
        [
            sys.executable, "-m", "lnanalysis", "add-value",
            "--region", "LN", "--indicator", indicator, "--year", str(year),
            "--value", value, "--unit", unit, "--status", "preliminary",
            "--source-url", "https://example.org/synthetic-benchmark-bulletin",
            "--source-title", "SYNTHETIC bulletin (benchmark only)",
        ],
        copy,
        env,
    )  # fmt: skip


def _ran(log: str) -> str:
    found = re.search(r"build done in [\d.]+s: (\d+) steps run, (\d+) up to date", log)
    return f"{found.group(1)} run, {found.group(2)} up to date" if found else "?"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lnanalysis-bench-") as scratch:
        ignore = shutil.ignore_patterns("__pycache__", "*.html", "explore")
        build = [sys.executable, "-m", "lnanalysis", "build"]
        runs = []  # per copy: (cold, log), (noop, log), (one value, log)
        for n in (1, 2):
            copy = Path(scratch) / f"project{n}"
            for part in PARTS:
                shutil.copytree(ROOT / part, copy / part, ignore=ignore)
            env = {**os.environ, "PYTHONPATH": str(copy), "LNANALYSIS_SHARED": str(shared_dir())}
            cold_run = _run(build, copy, env)
            noop_run = _run(build, copy, env)
            _add_value(copy, env, "sci_literacy", 2021, "11.5", "%")
            runs.append((cold_run, noop_run, _run(build, copy, env)))
        # the panel value, for context, in the second copy
        _add_value(copy, env, "rd_expenditure", 2024, "700.0", "亿元")
        panel, log_panel = _run(build, copy, env)
    (cold, log), slower = min(r[0] for r in runs), max(r[0][0] for r in runs)
    noop, log_noop = min(r[1] for r in runs)
    one, log_one = min(r[2] for r in runs)
    per_nb = {m[0]: float(m[1]) for m in re.findall(NOTEBOOK_LINE, log)}
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
        ],
        ROOT,
    )
    floor = _floor_seconds()
    for name, secs in per_nb.items():
        info(f"briefing_notebook_{name.removesuffix('.ipynb')}", secs, "s")
    for stage, secs in stages.items():
        info("briefing_stage_" + re.sub(r"\W+", "_", stage).strip("_")[:40], float(secs), "s")
    info("notebook_floor_kernel_and_imports", floor, "s")
    info("briefing_cold_over_floor", cold / floor, "x")
    info("briefing_cold_slower_of_two", slower, "s", ".1f")
    print(f"INFO steps noop: {_ran(log_noop)}; one value: {_ran(log_one)}", flush=True)
    print(f"INFO steps panel value: {_ran(log_panel)}", flush=True)
    info("briefing_one_panel_value_no_goal", panel, "s", ".1f")
    ok = bench("briefing_cold", cold, "s", "<=", 45, ".1f")
    ok &= bench("briefing_total", cold, "s", "<=", 60, ".1f")
    ok &= bench("briefing_noop", noop, "s", "<=", 5, ".1f")
    ok &= bench("briefing_one_value", one, "s", "<=", 20, ".1f")
    ok &= bench("nbval_total", nbval, "s", "<=", 120, ".1f")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
