"""Shared fixtures. Synthetic data built here is labelled as such and never leaves tests/."""

from __future__ import annotations

import os

import matplotlib
import pytest

from lnanalysis.core.paths import shared_dir

matplotlib.use("Agg")


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``requires_shared`` when ``../shared`` is absent.

    A user's clone has no ``../shared``; CI has it and sets ``LNANALYSIS_REQUIRE_SHARED=1``,
    which turns the skip into a failure so that those tests cannot silently stop running.
    """
    if shared_dir().is_dir():
        return
    if os.environ.get("LNANALYSIS_REQUIRE_SHARED") == "1":
        raise pytest.UsageError(f"LNANALYSIS_REQUIRE_SHARED=1 but {shared_dir()} is missing")
    skip = pytest.mark.skip(reason=f"requires_shared: {shared_dir()} is not present")
    for item in items:
        if "requires_shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_open_figures():
    """Fail any test that leaves a matplotlib figure open."""
    import matplotlib.pyplot as plt

    yield
    open_figs = plt.get_fignums()
    plt.close("all")
    assert not open_figs, f"test left {len(open_figs)} matplotlib figure(s) open"
