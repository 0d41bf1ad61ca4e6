"""A build killed at any stage takes its workers with it and leaves a tree the next build mends.

Slow tier (``make test-slow``, run by CI): a scratch copy of the project is built,
killed with SIGKILL as each stage starts, and finally built to the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lnanalysis.core.paths import ROOT

pytestmark = pytest.mark.slow

STAGES = ["read ", "backtest over the provincial panel", "figure 2/", "notebook 1/"]


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.html", "explore")
    for part in ("lnanalysis", "data", "notebooks", "figures"):
        shutil.copytree(ROOT / part, copy / part, ignore=ignore)
    return copy


def _build(copy: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(copy), "LNANALYSIS_SHARED": str(copy / "none")}
    return subprocess.Popen(
        [sys.executable, "-m", "lnanalysis", "build"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: every worker can be found
    )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _snapshot(copy: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(copy)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in copy.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_build_killed_at_each_stage_leaves_no_worker_and_the_next_build_mends(tmp_path):
    copy = _copy(tmp_path)
    for marker in STAGES:
        proc = _build(copy)
        for line in proc.stdout:
            if marker in line:
                break
        else:
            pytest.fail(f"the build ended before the stage {marker!r}")
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 20
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(proc.pid), f"workers outlived the build killed at {marker!r}"
        before = _snapshot(copy)
        time.sleep(2)
        assert _snapshot(copy) == before, f"files changed after the build died at {marker!r}"
    final = _build(copy)
    out, _ = final.communicate(timeout=900)
    assert final.returncode == 0, out[-2000:]
    assert not list(copy.rglob(".*.tmp")), "a staged file was left behind"
    for table in ("observations", "preferred", "scorecard_now", "scorecard_as_of_2018"):
        rebuilt = (copy / "data/processed" / f"{table}.csv").read_bytes()
        assert rebuilt == (ROOT / "data/processed" / f"{table}.csv").read_bytes(), table
