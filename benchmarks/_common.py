"""Shared helpers of the benchmark scripts: timing and the BENCH line format."""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager


def bench(name: str, value: float, unit: str, op: str, goal: float, fmt: str = ".2f") -> bool:
    """Print one ``BENCH <name> <value> <unit> goal <op> <goal>`` line; return whether it is met."""
    met = value <= goal if op == "<=" else value >= goal
    print(f"BENCH {name} {value:{fmt}} {unit} goal {op} {goal:g}", flush=True)
    return met


def info(name: str, value: float, unit: str, fmt: str = ".2f") -> None:
    """Print a measured figure that has no goal (context for the BENCH lines)."""
    print(f"INFO {name} {value:{fmt}} {unit}", flush=True)


@contextmanager
def timer():
    """Yield a dict whose 'seconds' is filled in when the block ends."""
    out = {}
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - t0


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
