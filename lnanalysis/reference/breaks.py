"""Structural breaks declared per region and indicator (``config/breaks.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import InputError

KINDS = ("level_shift",)
KEYS = {"region", "indicator", "year", "kind", "note", "source_title", "source_url"}


@dataclass(frozen=True)
class Break:
    """A declared break: the year from which the series is on a new level."""

    region: str
    indicator: str
    year: int
    kind: str
    note: str
    source_title: str
    source_url: str


@cache
def _breaks() -> tuple[Break, ...]:
    out = []
    for i, spec in enumerate(load_yaml("breaks.yaml")["breaks"] or [], 1):
        unknown = set(spec) - KEYS
        missing = KEYS - set(spec)
        if unknown or missing:
            raise InputError(
                f"entry {i}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}",
                file="breaks.yaml",
            )
        if spec["kind"] not in KINDS:
            raise InputError(f"entry {i}: kind must be one of {KINDS}", file="breaks.yaml")
        out.append(Break(**{**spec, "year": int(spec["year"])}))
    return tuple(out)


def breaks_for(region: str, indicator: str) -> tuple[Break, ...]:
    """Return the breaks declared for one region's series of one indicator.

    >>> [b.year for b in breaks_for("LN", "rd_expenditure")]
    [2015]
    """
    return tuple(b for b in _breaks() if b.region == region and b.indicator == indicator)
