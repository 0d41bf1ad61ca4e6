"""The project's folders, defined once.

Notebooks and modules import these constants and never hard-code paths.
``LNANALYSIS_SHARED`` points at the read-only shared folder (default ``../shared``
next to the project root); ``LNANALYSIS_YEARBOOK_CACHE`` at the yearbook cache.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
CONFIG_DIR = PACKAGE_DIR / "config"
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
# The raw sources the store is built from (data, not package configuration)
SOURCES_FILE = RAW_DIR / "sources.yaml"
PROCESSED_DIR = DATA_DIR / "processed"
FIGURES_DIR = ROOT / "figures"
NOTEBOOKS_DIR = ROOT / "notebooks"
CACHE_DIR = ROOT / ".cache"


def shared_dir() -> Path:
    """Return the shared read-only folder (plan text, compiled figures, real spreadsheets)."""
    env = os.environ.get("LNANALYSIS_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def yearbook_cache_dir() -> Path:
    """Return the folder holding downloaded yearbook tables (git-ignored)."""
    env = os.environ.get("LNANALYSIS_YEARBOOK_CACHE")
    return Path(env) if env else DATA_DIR / "cache" / "yearbooks"
