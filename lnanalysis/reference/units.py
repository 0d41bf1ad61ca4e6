"""Unit normalisation with every conversion recorded.

>>> convert(2674926.938553, "万元", "亿元")
(267.4926938553, '万元→亿元 ×0.0001')
>>> canonical_unit("100 million yuan (亿元)")
'亿元'
"""

from __future__ import annotations

from lnanalysis.core.config import config_section, load_yaml
from lnanalysis.core.errors import UnknownUnitError


def _table() -> dict:
    config_section("units.yaml", "units")  # a file without its table stops here, named
    return load_yaml("units.yaml")


def canonical_unit(label: str) -> str:
    """Return the unit defined in the unit table for a source spelling, or raise.

    Raises
    ------
    UnknownUnitError
        If the label is neither a unit nor a known alias.
    """
    unit = _lookup(label)
    if unit is None:
        raise UnknownUnitError(f"unknown unit {label!r}; add it to config/units.yaml if it is real")
    return unit


def is_unit(label: str) -> bool:
    """Tell whether the unit table knows a source spelling (as a unit or an alias)."""
    return _lookup(label) is not None


def _lookup(label: str) -> str | None:
    """Return the unit a source spelling names (itself or its alias's unit), else None."""
    table = _table()
    text = str(label).strip()
    if text in table["units"]:
        return text
    return table["aliases"].get(text)


def conversion_factor(src: str, dst: str) -> float:
    """Return the factor that turns a value in ``src`` into ``dst`` (same dimension only)."""
    units = _table()["units"]
    a, b = units[canonical_unit(src)], units[canonical_unit(dst)]
    if a["dimension"] != b["dimension"]:
        raise UnknownUnitError(
            f"cannot convert {src!r} ({a['dimension']}) to {dst!r} ({b['dimension']})"
        )
    return float(a["factor"]) / float(b["factor"])


def convert(value: float, src: str, dst: str) -> tuple[float, str]:
    """Convert ``value`` from ``src`` to ``dst``; return the value and a record of the step.

    The record is empty when no conversion was needed.
    """
    s, d = canonical_unit(src), canonical_unit(dst)
    factor = conversion_factor(s, d)
    if s == d:
        record = "" if s == str(src).strip() else f"unit spelled {str(src).strip()!r}"
        return value, record
    return value * factor, f"{s}→{d} ×{factor:g}"
