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


@pytest.fixture
def edited_config(tmp_path, monkeypatch):
    """Return ``edit(name, old, new)``: the package's config, copied, with one SYNTHETIC edit.

    The package then reads that scratch copy (its config caches are cleared before
    and after the test), so a test can break one file without touching the real one.
    """
    import shutil

    from lnanalysis.core import config as config_module
    from lnanalysis.extract.yearbook import manifest as manifest_module
    from lnanalysis.extract.yearbook import overrides as overrides_module

    scratch = tmp_path / "config"
    shutil.copytree(config_module.CONFIG_DIR, scratch)
    caches = (config_module.load_yaml, config_module.load_csv)
    caches += (manifest_module.manifest, overrides_module.package_families)

    def clear() -> None:
        for cached in caches:
            cached.cache_clear()

    def edit(name: str, old: str, new: str) -> None:
        path = scratch / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} holds no {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        clear()

    monkeypatch.setattr(config_module, "CONFIG_DIR", scratch)
    clear()
    yield edit
    clear()
