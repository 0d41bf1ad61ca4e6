"""Shared fixtures. Synthetic data built here is labelled as such and never leaves tests/."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _no_open_figures():
    """Fail any test that leaves a matplotlib figure open."""
    import matplotlib.pyplot as plt

    yield
    open_figs = plt.get_fignums()
    plt.close("all")
    assert not open_figs, f"test left {len(open_figs)} matplotlib figure(s) open"
