"""Region dictionary: canonical codes for provinces, the nation and aggregates.

Labels are matched after removing all white space (ASCII and full-width) and, for
Latin labels, case. An unknown label is an error, never a guess.

>>> region_code("北    京")
'BJ'
>>> region_code("Oinghai")
'QH'
>>> region_code("内蒙古自治区")
'NM'
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from lnanalysis.config import load_csv
from lnanalysis.errors import UnknownRegionError

_SPACE = re.compile(r"[\s\u3000]+")


def normalise_label(label: str) -> str:
    """Return the matching key of a region label: no white space, lower-case Latin."""
    return _SPACE.sub("", str(label)).lower()


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in load_csv("regions.csv"):
        names = [row["code"], row["name_zh"], row["name_en"], *row["aliases"].split(";")]
        for name in names:
            key = normalise_label(name)
            if not key:
                continue
            if key in index and index[key] != row["code"]:
                raise ValueError(f"regions.csv: label {name!r} maps to two codes")
            index[key] = row["code"]
    return index


def region_code(label: str, *, file=None, sheet=None, row=None, cell=None) -> str:
    """Return the canonical code of a region label, or raise UnknownRegionError."""
    key = normalise_label(label)
    try:
        return _index()[key]
    except KeyError:
        raise UnknownRegionError(
            f"unknown region label {label!r}", file=file, sheet=sheet, row=row, cell=cell
        ) from None


@cache
def region_table() -> pd.DataFrame:
    """Return the region dictionary as a table indexed by code."""
    return pd.DataFrame(load_csv("regions.csv")).set_index("code")


def region_kind(code: str) -> str:
    """Return 'province', 'national', 'group', 'aggregate', 'special' or 'other'."""
    return str(region_table().at[code, "kind"])


def provinces() -> list[str]:
    """Return the codes of the 31 mainland provincial-level regions, in table order."""
    table = region_table()
    return [c for c in table.index if table.at[c, "kind"] == "province"]
