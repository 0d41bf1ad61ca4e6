"""Find regions and indicators by any of their names, with suggestions for near misses.

``Liaoning``, ``辽宁``, ``辽宁省`` and ``ln`` all find ``LN``; ``rd_expenditur`` suggests
``rd_expenditure``. Used by the ``list-regions`` and ``list-indicators`` commands.
"""

from __future__ import annotations

import difflib

import pandas as pd

from lnanalysis.core.config import load_csv
from lnanalysis.core.errors import UnknownIndicatorError, UnknownRegionError
from lnanalysis.reference.indicators import indicators
from lnanalysis.reference.regions import REGION_COLUMNS


def _names(row: dict) -> list[str]:
    names = [row["code"], row["name_zh"], row["name_en"]]
    return names + [a for a in (row.get("aliases") or "").split(";") if a]


def regions_frame() -> pd.DataFrame:
    """Every region with its code, kind, names and aliases."""
    rows = load_csv("regions.csv", REGION_COLUMNS)
    return pd.DataFrame(rows, columns=["code", "kind", "name_zh", "name_en", "aliases"])


def find_region(text: str) -> str:
    """Return the code of the region named ``text`` (any name, any case).

    >>> [find_region(x) for x in ("Liaoning", "辽宁", "辽宁省", "ln")]
    ['LN', 'LN', 'LN', 'LN']
    """
    key = text.strip().casefold()
    names: dict[str, str] = {}
    for row in load_csv("regions.csv", REGION_COLUMNS):
        for name in _names(row):
            names.setdefault(name.strip().casefold(), row["code"])
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    hint = (
        f"; did you mean {', '.join(repr(names[c]) + f' ({c})' for c in close)}?" if close else ""
    )
    raise UnknownRegionError(f"unknown region {text!r}{hint} (python -m lnanalysis list-regions)")


def indicators_frame() -> pd.DataFrame:
    """Every indicator with its Chinese and English names, unit, measure and theme."""
    rows = [
        {"id": i.id, "zh": i.zh, "en": i.en, "unit": i.unit, "measure": i.measure, "theme": i.theme}
        for i in indicators().values()
    ]
    return pd.DataFrame(rows)


def find_indicator(text: str) -> str:
    """Return the id of the indicator named ``text`` (its id, or its zh or en name).

    >>> find_indicator("R&D经费")
    'rd_expenditure'
    """
    key = text.strip().casefold()
    names: dict[str, str] = {}
    for ind in indicators().values():
        for name in (ind.id, ind.zh, ind.en):
            names.setdefault(name.strip().casefold(), ind.id)
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(sorted({names[c] for c in close}))}?" if close else ""
    raise UnknownIndicatorError(
        f"unknown indicator {text!r}{hint} (python -m lnanalysis list-indicators)"
    )


def search(frame: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """Rows any of whose text columns contain ``text`` (case-insensitive); all rows without it."""
    if not text:
        return frame
    key = text.casefold()
    hit = frame.astype(str).apply(lambda col: col.str.casefold().str.contains(key, regex=False))
    return frame[hit.any(axis=1)]
