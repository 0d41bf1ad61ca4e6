"""Region dictionary: canonical codes for provinces, the nation and aggregates.

Labels are matched after removing all white space (ASCII and full-width) and, for
Latin labels, case. An unknown label is an error, never a guess.

>>> region_code("北    京")
'BJ'
>>> region_code("Oinghai")
'QH'
>>> region_code("内蒙古自治区")
'NM'
>>> region_code("  其  他", scope="shanghai_districts")
'SH-OTHER'
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from lnanalysis.core.config import load_csv, load_yaml
from lnanalysis.core.errors import UnknownRegionError

_SPACE = re.compile(r"[\s\u3000]+")


def normalise_label(label: str) -> str:
    """Return the matching key of a region label: no white space, lower-case Latin."""
    return _SPACE.sub("", str(label)).lower()


def in_scope(code: str, scope: str) -> bool:
    """Return whether ``code`` belongs to a lookup scope of config/region_scopes.yaml."""
    rule = load_yaml("region_scopes.yaml")["scopes"][scope]
    if any(code.startswith(p) for p in rule.get("exclude_prefixes", ())):
        return False
    if "include_prefixes" in rule or "include_codes" in rule:
        return code in rule.get("include_codes", ()) or any(
            code.startswith(p) for p in rule.get("include_prefixes", ())
        )
    return True


REGION_COLUMNS = ("code", "name_zh", "name_en", "aliases", "kind")


@cache
def _index(scope: str = "provinces") -> dict[str, str]:
    if scope not in load_yaml("region_scopes.yaml")["scopes"]:
        raise ValueError(f"unknown region scope {scope!r}; see config/region_scopes.yaml")
    index: dict[str, str] = {}
    for row in load_csv("regions.csv", REGION_COLUMNS):
        if not in_scope(row["code"], scope):
            continue
        names = [row["code"], row["name_zh"], row["name_en"], *row["aliases"].split(";")]
        for name in names:
            key = normalise_label(name)
            if not key:
                continue
            if key in index and index[key] != row["code"]:
                raise ValueError(f"regions.csv: label {name!r} maps to two codes in {scope}")
            index[key] = row["code"]
    return index


def region_code(
    label: str, *, scope: str = "provinces", file=None, sheet=None, row=None, cell=None
) -> str:
    """Return the canonical code of a region label within a scope, or raise UnknownRegionError."""
    key = normalise_label(label)
    try:
        return _index(scope)[key]
    except KeyError:
        raise UnknownRegionError(
            f"unknown region label {label!r} (scope {scope})",
            file=file,
            sheet=sheet,
            row=row,
            cell=cell,
        ) from None


@cache
def region_table() -> pd.DataFrame:
    """Return the region dictionary as a table indexed by code."""
    return pd.DataFrame(load_csv("regions.csv", REGION_COLUMNS)).set_index("code")


@cache
def _kinds() -> dict[str, str]:
    return {row["code"]: row["kind"] for row in load_csv("regions.csv", REGION_COLUMNS)}


def region_kind(code: str) -> str:
    """Return the kind of a region code: 'province', 'national', 'group', 'aggregate', ..."""
    return _kinds()[code]


def provinces() -> list[str]:
    """Return the codes of the 31 mainland provincial-level regions, in table order."""
    table = region_table()
    return [c for c in table.index if table.at[c, "kind"] == "province"]
