"""Read the data-like configuration held as YAML and CSV in ``lnanalysis/config``."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lnanalysis.core.paths import CONFIG_DIR


@cache
def load_yaml(name: str) -> Any:
    """Return the parsed YAML file ``config/<name>`` (cached; do not mutate)."""
    with open(CONFIG_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of ``config/<name>`` as dicts (cached)."""
    with open(CONFIG_DIR / name, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def config_path(name: str) -> Path:
    """Return the path of a configuration file."""
    return CONFIG_DIR / name
